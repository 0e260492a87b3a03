package alarm

import (
	"fmt"
	"math"
	"time"
)

// Input is one rule of an engine, looked up once: a loop that feeds every
// rule every second keeps its Inputs instead of naming the rule each time.
// The zero value is no rule.
type Input struct {
	e *Engine
	// st is the rule's state; for a rule the engine does not have, one
	// of its own that names it (missing), which nothing feeds.
	st *ruleState
	// The rule's place in the engine's order and its direction, kept
	// here for the Batch's look at whether the rule rests, which then
	// reads nothing of st.
	i           int32
	when, above bool
}

// Input returns the input of rule id; its methods report ErrUnknownRule
// when the engine has no such rule.
func (e *Engine) Input(id RuleID) Input {
	// The rules are fixed by NewEngine, so the map is read without the lock.
	st := e.rules[id]
	if st == nil {
		return Input{e: e, st: &ruleState{Rule: Rule{ID: id}, missing: true}, i: -1}
	}
	return Input{e: e, st: st, i: int32(st.idx), when: st.Direction == WhenTrue, above: st.Direction == Above}
}

// Evaluate is Engine.Evaluate for the input's rule.
func (in Input) Evaluate(now time.Time, value float64, valid bool) ([]Event, error) {
	st, err := in.lock("evaluate")
	if err != nil {
		return nil, err
	}
	defer in.e.mu.Unlock()
	return evaluate(in.e, st, now, value, valid)
}

// evaluate is Evaluate of e's rule st with the engine locked. It and the
// Batch's methods take an Input's fields, not the Input: a copy of one was
// stored field by field and loaded again in wider moves the processor
// cannot forward.
func evaluate(e *Engine, st *ruleState, now time.Time, value float64, valid bool) ([]Event, error) {
	if st.Direction == WhenTrue {
		return nil, fmt.Errorf("alarm: evaluate %q: a WhenTrue rule takes a condition; call SetCondition", st.ID)
	}
	if valid && !finite(value) {
		st.hold()
		return nil, fmt.Errorf("alarm: evaluate %q: value %v marked valid; pass valid=false for missing data", st.ID, value)
	}
	if !valid {
		st.hold()
		return nil, nil
	}
	var inRaise, inClear bool
	if st.Direction == Above {
		inRaise = value >= st.Threshold
		inClear = value < st.Threshold-st.Hysteresis
	} else {
		inRaise = value <= st.Threshold
		inClear = value > st.Threshold+st.Hysteresis
	}
	return e.step(now, st, inRaise, inClear, value), nil
}

// SetCondition is Engine.SetCondition for the input's rule.
func (in Input) SetCondition(now time.Time, active bool, value float64) ([]Event, error) {
	st, err := in.lock("set condition")
	if err != nil {
		return nil, err
	}
	defer in.e.mu.Unlock()
	return setCondition(in.e, st, now, active, value)
}

// setCondition is SetCondition of e's rule st with the engine locked.
func setCondition(e *Engine, st *ruleState, now time.Time, active bool, value float64) ([]Event, error) {
	if st.Direction != WhenTrue {
		return nil, fmt.Errorf("alarm: set condition %q: rule compares values (%v %v); call Evaluate", st.ID, st.Direction, st.Threshold)
	}
	return e.step(now, st, active, !active, value), nil
}

// Batch is an engine locked for a run of inputs, from Engine.Hold until
// Release. The control loop feeds every rule every second, five
// conditions per sensor; taking the lock once for them, not once each,
// was half of the loop's time in locking.
type Batch struct{ e *Engine }

// Hold locks the engine until Release. Nothing else may be called on the
// engine meanwhile but the Batch's own methods.
func (e *Engine) Hold() Batch {
	e.mu.Lock()
	return Batch{e}
}

// Release unlocks the engine.
func (h Batch) Release() { h.e.mu.Unlock() }

// Active reports whether in's rule has an active alarm (raised, latched
// or held) on the held engine, which must be in's.
func (h Batch) Active(in Input) bool {
	return h.check(in.e, in.st, "active") == nil && in.st.alarm != nil
}

// resting reports whether rule i of the held engine is at rest
// (Engine.rests); e is the engine of the Input it comes from, i -1 for an
// unknown rule. It takes an Input's fields, not the Input: a copy of one
// made here was stored field by field and loaded again in wider moves the
// processor cannot forward, most of a skipped input's cost.
func (h Batch) resting(e *Engine, i int32) bool {
	// An unknown rule or another engine's: check says what is wrong.
	return i >= 0 && e == h.e && h.e.rests[i]
}

// SetCondition is in.SetCondition on the held engine, which must be in's.
func (h Batch) SetCondition(in Input, now time.Time, active bool, value float64) ([]Event, error) {
	if !active && in.when && h.resting(in.e, in.i) {
		return nil, nil
	}
	if err := h.check(in.e, in.st, "set condition"); err != nil {
		return nil, err
	}
	return setCondition(in.e, in.st, now, active, value)
}

// SetConditionDetail is SetCondition with the text a message's {detail}
// shows, such as the error of a device that would not open: the alarm
// says why, not only that. The message is rendered when the alarm
// raises, so a later detail shows only in a later alarm.
func (h Batch) SetConditionDetail(in Input, now time.Time, active bool, value float64, detail string) ([]Event, error) {
	if !active && in.when && h.resting(in.e, in.i) && h.e.restDetail[in.i] == detail {
		return nil, nil
	}
	if err := h.check(in.e, in.st, "set condition"); err != nil {
		return nil, err
	}
	in.st.detail = detail
	return setCondition(in.e, in.st, now, active, value)
}

// Evaluate is in.Evaluate on the held engine, which must be in's.
func (h Batch) Evaluate(in Input, now time.Time, value float64, valid bool) ([]Event, error) {
	if valid && !in.when && !math.IsInf(value, 0) {
		// A NaN is clear of neither side, and goes on to its error.
		if h.resting(in.e, in.i) && (in.above && value < h.e.restClear[in.i] || !in.above && value > h.e.restClear[in.i]) {
			return nil, nil
		}
	}
	if err := h.check(in.e, in.st, "evaluate"); err != nil {
		return nil, err
	}
	return evaluate(in.e, in.st, now, value, valid)
}

// check says what lock says of an input (of engine e, rule state st) that
// names no rule, and panics on an input of another engine, whose lock is
// not held.
func (h Batch) check(e *Engine, st *ruleState, what string) error {
	if unknownRule(st) {
		return unknown(st, what)
	}
	if e != h.e {
		panic("alarm: Batch: " + what + " an input of another engine")
	}
	return nil
}

// lock locks the engine and returns the input's rule, or says that what
// was asked (evaluate, set condition) names no rule, without locking.
func (in Input) lock(what string) (*ruleState, error) {
	if unknownRule(in.st) {
		return nil, unknown(in.st, what)
	}
	in.e.mu.Lock()
	return in.st, nil
}

// unknownRule reports whether an Input's rule state st is no rule of its
// engine (or the zero Input's).
func unknownRule(st *ruleState) bool { return st == nil || st.missing }

// unknown is the error of what was asked of an input, of rule state st,
// that names no rule.
func unknown(st *ruleState, what string) error {
	var id RuleID
	if st != nil {
		id = st.ID
	}
	return fmt.Errorf("alarm: %s %q: %w; check the rule set passed to NewEngine", what, id, ErrUnknownRule)
}
