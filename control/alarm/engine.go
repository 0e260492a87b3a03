package alarm

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/ventd/ventd/sample"
)

// Event is one transition of one alarm, the unit of the event log, the MQTT
// outbox and the journal. IDs come from one monotonic sequence shared with
// alarm ids: the Raised event of an alarm has ID == AlarmID.
type Event struct {
	ID        uint64          `json:"id"`
	AlarmID   uint64          `json:"alarm_id"`
	RuleID    RuleID          `json:"rule"`
	Kind      Kind            `json:"kind"`
	Time      time.Time       `json:"time"`
	Level     Level           `json:"level"`
	Subject   string          `json:"subject"`
	Quantity  sample.Quantity `json:"quantity,omitempty"`
	Value     Reading         `json:"value"` // the latest value when it happened
	Threshold float64         `json:"threshold"`
	Message   string          `json:"message"`
	Who       string          `json:"who,omitempty"` // Acknowledged only
	Note      string          `json:"note,omitempty"`
}

// Engine evaluates rules and keeps the active alarms. It does no I/O and
// reads no clock: every time comes from the caller, so simulated shifts run
// in microseconds. It is safe for concurrent use (the control loop evaluates
// while the HTTP handler acknowledges).
type Engine struct {
	mu     sync.Mutex
	rules  map[RuleID]*ruleState
	order  []*ruleState          // as given, for stable output
	active map[uint64]*ruleState // by alarm id
	next   uint64                // next event/alarm id; 0 is never used
	// noSubjects is the Subjects of every Summary without an alarm, one
	// empty map shared: a summary is made every second, and nobody
	// changes one.
	noSubjects map[string]Level
	// rests is, by rule (order's), whether the rule is at rest (see
	// below, before ruleState). The loop feeds every rule every second, nearly always a
	// clear input to a rule at rest; this array answers that with a byte
	// a rule, without reaching for the rule's state: the loop's memory is
	// cold by the time it comes round again, and a load of each rule's
	// own was most of feeding it.
	rests []bool
	// restClear bounds a clear value for a rule at rest: below it for an
	// Above rule (Threshold less Hysteresis), above it for a Below rule.
	// The rules are fixed by NewEngine, which sets it.
	restClear []float64
	// restDetail is a rule's {detail}: a condition given with the same
	// is skipped (SetConditionDetail), one with another sets it.
	restDetail []string
	// noRest keeps every rule from resting, for the test that resting
	// changes nothing.
	noRest bool
}

// A rule rests while it has no alarm, its condition is not raised and no
// run toward raising has begun. Fed a clear input (a false condition, or
// a valid value beyond the hysteresis band on the clear side), a rule at
// rest stays at rest, and all step changes is when the rule was last fed
// (last) and since when its input has been clear (clearSince, which a
// hold would reset): nothing reads either while the rule rests, and every
// way out of rest sets both afresh (a raise sets clearSince to zero and
// last to its time, and resets nothing else that counts, raiseSince being
// zero; a hold or Restore resets them). So a Batch skips such an input:
// the answer, no events, is the same.

// ruleState is a rule and where it stands.
type ruleState struct {
	Rule
	msg  []segment
	back []segment // Back parsed; nil for the default

	last       time.Time // time of the latest input, to spot time running back
	raiseSince time.Time // start of the current unbroken run in the raise region
	clearSince time.Time // start of the current unbroken run in the clear region
	cond       bool      // the debounced condition: raised and not yet cleared
	alarm      *Alarm    // the active alarm, nil when none
	detail     string    // the last condition's {detail}
	raises     []time.Time
	idx        int  // in the engine's order and rests
	missing    bool // an unknown rule's Input's: not the engine's
}

// NewEngine checks the rules and returns an engine with no active alarms and
// ids starting at 1. Every problem in every rule is reported at once, each
// as a *RuleError.
func NewEngine(rules []Rule) (*Engine, error) {
	e := &Engine{
		rules:      make(map[RuleID]*ruleState, len(rules)),
		active:     make(map[uint64]*ruleState),
		next:       1,
		noSubjects: map[string]Level{},
	}
	var errs []error
	for i := range rules {
		r := rules[i]
		for _, p := range r.problems() {
			errs = append(errs, &RuleError{Index: i, ID: r.ID, Problem: p})
		}
		if prev, dup := e.rules[r.ID]; dup && r.ID != "" {
			errs = append(errs, &RuleError{Index: i, ID: r.ID, Problem: fmt.Sprintf("ID already used by rules[%d]; IDs must be unique", prev.index(e))})
			continue
		}
		tmpl := r.Message
		if tmpl == "" {
			tmpl = defaultMessage(r.Direction)
		}
		segs, _ := parseTemplate(tmpl) // already checked by problems
		back, _ := parseTemplate(r.Back)
		st := &ruleState{Rule: r, msg: segs, back: back, idx: len(e.order)}
		e.rules[r.ID] = st
		e.order = append(e.order, st)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("alarm: %d problem(s) in the rules:\n%w", len(errs), errors.Join(errs...))
	}
	// None at rest until fed: clearSince and last are unset.
	n := len(e.order)
	e.rests, e.restClear, e.restDetail = make([]bool, n), make([]float64, n), make([]string, n)
	for i, st := range e.order {
		switch st.Direction { // as evaluate finds the clear region
		case Above:
			e.restClear[i] = st.Threshold - st.Hysteresis
		case Below:
			e.restClear[i] = st.Threshold + st.Hysteresis
		}
	}
	return e, nil
}

func (st *ruleState) index(e *Engine) int {
	for i, s := range e.order {
		if s == st {
			return i
		}
	}
	return -1
}

// Evaluate feeds one value to the Above or Below rule id and returns what
// changed (nil, without allocating, when nothing did). When valid is false
// the rule neither raises nor clears: it holds its state and restarts its
// on- and off-delays, because a gap is not evidence either way (the gap
// itself is a sensor-fault rule's business).
func (e *Engine) Evaluate(now time.Time, id RuleID, value float64, valid bool) ([]Event, error) {
	return e.Input(id).Evaluate(now, value, valid)
}

// SetCondition feeds a boolean condition (a stale sensor, a stalled fan) to
// the WhenTrue rule id; value is shown in events (NaN when there is none).
func (e *Engine) SetCondition(now time.Time, id RuleID, active bool, value float64) ([]Event, error) {
	return e.Input(id).SetCondition(now, active, value)
}

// hold restarts the delays without changing the state.
func (st *ruleState) hold() {
	st.raiseSince, st.clearSince = time.Time{}, time.Time{}
}

// step advances one rule by one input. inRaise and inClear are both false in
// the hysteresis band. A run toward raising starts at the threshold and
// survives the band, ending only in the clear region (and the other way
// round): with a strict "every sample beyond the threshold" a noisy signal
// that sits above the threshold on average might never raise, since 30
// one-second samples in a row all on one side of the noise are unlikely.
func (e *Engine) step(now time.Time, st *ruleState, inRaise, inClear bool, v float64) []Event {
	evs := e.advance(now, st, inRaise, inClear, v)
	i := st.idx
	e.rests[i] = !st.cond && st.alarm == nil && st.raiseSince.IsZero() && !e.noRest
	e.restDetail[i] = st.detail
	return evs
}

// advance is step without keeping rests.
func (e *Engine) advance(now time.Time, st *ruleState, inRaise, inClear bool, v float64) []Event {
	if now.Before(st.last) {
		// The clock stepped back (NTP, RTC-less boot): durations measured
		// from before are meaningless, so start the delays again.
		st.hold()
	}
	st.last = now
	switch {
	case inRaise:
		if st.raiseSince.IsZero() {
			st.raiseSince = now
		}
		st.clearSince = time.Time{}
	case inClear:
		if st.clearSince.IsZero() {
			st.clearSince = now
		}
		st.raiseSince = time.Time{}
	}
	if a := st.alarm; a != nil {
		if float64(a.Value) != v || !finite(v) {
			a.Value = Reading(v)
			// The message says the value now, not the value at raise
			// time: staff read it while deciding what to do.
			if st.Direction != WhenTrue {
				a.Message = render(st.msg, &st.Rule, v, st.detail)
			}
		}
		st.updatePeak(v)
	}
	var evs []Event
	switch {
	case !st.cond && !st.raiseSince.IsZero() && now.Sub(st.raiseSince) >= st.OnDelay:
		st.cond = true
		evs = e.conditionRaised(now, st, v, evs)
	case st.cond && !st.clearSince.IsZero() && now.Sub(st.clearSince) >= st.OffDelay:
		st.cond = false
		st.alarm.Condition = false
		if st.alarm.Latching && !st.alarm.Acked {
			evs = append(evs, e.event(now, st, Latched, "", ""))
		} else {
			evs = e.tryClear(now, st, evs)
		}
	case !st.cond && st.alarm != nil && !st.clearSince.IsZero() && (st.alarm.Held || !st.alarm.Latching || st.alarm.Acked):
		// Held for flapping and perhaps quiet long enough now; or restored
		// with a cleared condition under a rule that no longer latches.
		evs = e.tryClear(now, st, evs)
	}
	return evs
}

func (st *ruleState) updatePeak(v float64) {
	a := st.alarm
	switch {
	case st.Direction == WhenTrue:
	case !a.Peak.Known():
		a.Peak = Reading(v)
	case st.Direction == Above:
		a.Peak = Reading(math.Max(float64(a.Peak), v))
	case st.Direction == Below:
		a.Peak = Reading(math.Min(float64(a.Peak), v))
	}
}

// conditionRaised starts a new alarm, or continues the one still active
// (latched awaiting acknowledgement, or held for flapping): staff are
// already looking at that one, and a second alarm for the same rule would
// be the repeat notification the cap exists to stop.
func (e *Engine) conditionRaised(now time.Time, st *ruleState, v float64, evs []Event) []Event {
	if a := st.alarm; a != nil {
		latched := a.Latching && !a.Acked && !a.Held && !a.Condition
		a.Condition = true
		if latched {
			return append(evs, e.event(now, st, Returned, "", ""))
		}
		return evs
	}
	peak := Reading(math.NaN())
	if st.Direction != WhenTrue {
		peak = Reading(v)
	}
	st.alarm = &Alarm{
		ID:        e.next, // the Raised event's id, allocated just below
		RuleID:    st.ID,
		Level:     st.Level,
		Subject:   st.Subject,
		Quantity:  st.Quantity,
		Threshold: st.Threshold,
		Value:     Reading(v),
		Peak:      peak,
		Since:     now,
		Condition: true,
		Latching:  st.Latching,
		Message:   render(st.msg, &st.Rule, v, st.detail),
	}
	st.alarm.RaisedMessage = st.alarm.Message
	e.active[st.alarm.ID] = st
	if st.FlapCount > 0 {
		st.raises = append(st.pruneRaises(now), now)
	}
	return append(evs, e.event(now, st, Raised, "", ""))
}

// tryClear clears an alarm whose condition has cleared and which no person
// needs to acknowledge, unless the rule is flapping.
func (e *Engine) tryClear(now time.Time, st *ruleState, evs []Event) []Event {
	a := st.alarm
	if st.FlapCount > 0 {
		if a.Held {
			quiet := !st.clearSince.IsZero() && now.Sub(st.clearSince) >= st.FlapWindow
			if !quiet {
				return evs
			}
		} else if len(st.pruneRaises(now)) >= st.FlapCount {
			a.Held = true
			return append(evs, e.event(now, st, Held, "", ""))
		}
	}
	evs = append(evs, e.event(now, st, Cleared, "", ""))
	delete(e.active, a.ID)
	st.alarm = nil
	st.raises = st.pruneRaises(now)
	return evs
}

// pruneRaises drops raise times that have left the flap window.
func (st *ruleState) pruneRaises(now time.Time) []time.Time {
	cut := 0
	for cut < len(st.raises) && now.Sub(st.raises[cut]) >= st.FlapWindow {
		cut++
	}
	st.raises = append(st.raises[:0], st.raises[cut:]...)
	return st.raises
}

// event makes the next event for st's active alarm.
func (e *Engine) event(now time.Time, st *ruleState, k Kind, who, note string) Event {
	a := st.alarm
	ev := Event{
		ID:        e.next,
		AlarmID:   a.ID,
		RuleID:    st.ID,
		Kind:      k,
		Time:      now,
		Level:     a.Level,
		Subject:   a.Subject,
		Quantity:  a.Quantity,
		Value:     a.Value,
		Threshold: a.Threshold,
		Message:   eventMessage(k, st, a, who),
		Who:       who,
		Note:      note,
	}
	e.next++
	return ev
}

// eventMessage says what happened in words that fit the transition: a
// cleared warning says the value is back, not that it is above the level.
func eventMessage(k Kind, st *ruleState, a *Alarm, who string) string {
	back := a.Message
	switch {
	case st.back != nil:
		back = render(st.back, &st.Rule, float64(a.Value), st.detail)
	case st.Direction == WhenTrue:
	default:
		name := displayNames[st.Quantity]
		if name == "" {
			name = string(st.Quantity)
		}
		back = fmt.Sprintf("%s in %s is back to %s (%s level %s)", name, st.Subject,
			withUnit(float64(a.Value), st.Quantity), st.Level, withUnit(st.Threshold, st.Quantity))
	}
	switch k {
	case Cleared:
		return "cleared: " + back
	case Latched:
		return "latched until acknowledged: " + back
	case Returned:
		return "again, not yet acknowledged: " + a.Message
	case Held:
		return fmt.Sprintf("raised %d times within %s: held active until quiet that long: %s", st.FlapCount, st.FlapWindow, a.Message)
	case Acknowledged:
		return "acknowledged by " + who + ": " + a.Message
	}
	return a.Message
}
