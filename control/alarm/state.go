package alarm

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ventd/ventd/sample"
)

// Alarm is one active alarm: one raise of one rule, until it clears. A
// raise after clearing is a new Alarm with a new ID.
type Alarm struct {
	ID        uint64          `json:"id"`
	RuleID    RuleID          `json:"rule"`
	Level     Level           `json:"level"`
	Subject   string          `json:"subject"`
	Quantity  sample.Quantity `json:"quantity,omitempty"`
	Threshold float64         `json:"threshold"`
	Value     Reading         `json:"value"` // the latest value
	// Peak is the worst value since it raised (highest for Above, lowest
	// for Below), for the event log; null for conditions.
	Peak  Reading   `json:"peak"`
	Since time.Time `json:"since"`
	// Condition reports whether the rule's condition still holds; false
	// means latched awaiting acknowledgement, or held for flapping.
	Condition bool      `json:"condition"`
	Latching  bool      `json:"latching"`
	Held      bool      `json:"held"`
	Acked     bool      `json:"acked"`
	AckedBy   string    `json:"acked_by,omitempty"`
	AckedAt   time.Time `json:"acked_at,omitzero"`
	AckNote   string    `json:"ack_note,omitempty"`
	// Message says the alarm with its value now; RaisedMessage is the
	// message as it raised, which never changes, for a retained copy that
	// should change only when the alarm does (MQTT's alarm topics).
	Message       string `json:"message"`
	RaisedMessage string `json:"raised_message,omitempty"`
}

// Active returns a copy of the active alarms, oldest first: what to persist
// so that a latched alarm survives a restart (see Restore).
func (e *Engine) Active() []Alarm {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Alarm, 0, len(e.active))
	for _, st := range e.active {
		out = append(out, *st.alarm)
	}
	slices.SortFunc(out, func(a, b Alarm) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// NextID returns the id the next event or alarm will get. Persist it with
// the events so that ids keep increasing after a restart.
func (e *Engine) NextID() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.next
}

// SetNextID continues the id sequence from a saved NextID. Moving it back
// would reuse ids that the event log and MQTT consumers already hold, so
// that is an error.
func (e *Engine) SetNextID(next uint64) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if next < e.next {
		return fmt.Errorf("alarm: SetNextID(%d): ids below %d are already issued; pass the NextID saved before the restart", next, e.next)
	}
	e.next = next
	return nil
}

// Restore reinstates alarms saved from Active before a restart. The rule's
// current definition supplies level, subject, quantity, threshold and
// latching; the saved alarm supplies id, times, condition, value and
// acknowledgement. The delays start again with the next input, and the
// flap count starts from the restored raise. Alarms that cannot be restored
// (rule gone from the config, rule already active, bad id) are skipped and
// reported together; the rest are restored.
func (e *Engine) Restore(alarms []Alarm) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var errs []error
	for _, saved := range alarms {
		st, ok := e.rules[saved.RuleID]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("alarm %d: rule %q: %w; it was removed from the config, so the alarm is dropped", saved.ID, saved.RuleID, ErrUnknownRule))
			continue
		case saved.ID == 0:
			errs = append(errs, fmt.Errorf("alarm for rule %q: id is 0; restore alarms exactly as Active returned them", saved.RuleID))
			continue
		case saved.ID > math.MaxInt64/2:
			// No sequence gets there (a billion transitions a second
			// for a century is under 2^62): an edited or damaged save,
			// whose id would move the sequence past what the journal
			// keeps (2^63-1) and make every later event refused.
			errs = append(errs, fmt.Errorf("alarm %d: id is past any sequence ventd gives; the alarm is dropped", saved.ID))
			continue
		case e.active[saved.ID] != nil:
			errs = append(errs, fmt.Errorf("alarm %d: id is already active; restore each alarm once", saved.ID))
			continue
		case st.alarm != nil:
			errs = append(errs, fmt.Errorf("alarm %d: rule %q already has active alarm %d; restore before evaluating", saved.ID, saved.RuleID, st.alarm.ID))
			continue
		}
		a := saved
		a.RuleID, a.Level, a.Subject, a.Quantity = st.ID, st.Level, st.Subject, st.Quantity
		a.Threshold, a.Latching = st.Threshold, st.Latching
		st.alarm = &a
		st.cond = a.Condition
		st.hold()
		st.last = time.Time{}
		e.rests[st.idx] = false // an alarm: no longer at rest
		if st.FlapCount > 0 {
			st.raises = append(st.raises[:0], a.Since)
		}
		e.active[a.ID] = st
		e.next = max(e.next, a.ID+1)
	}
	if len(errs) > 0 {
		return fmt.Errorf("alarm: restore: %w", errors.Join(errs...))
	}
	return nil
}

// Summary is the alarm state at an instant, for /api/state, MQTT and the
// status page.
type Summary struct {
	Time time.Time `json:"time"`
	// Highest is the highest level of any active alarm, LevelNone if none.
	Highest Level `json:"highest"`
	// Unacked counts active alarms nobody has acknowledged: what the
	// beacon and buzzer follow.
	Unacked int `json:"unacked"`
	// Subjects maps each zone, sensor or fan with an active alarm to its
	// highest level.
	Subjects map[string]Level `json:"subjects"`
	// Alarms are highest level first, then oldest first.
	Alarms []Alarm `json:"alarms"`
}

// Summary returns the alarm state at now.
func (e *Engine) Summary(now time.Time) Summary {
	var s Summary
	e.SummaryTo(&s, now)
	return s
}

// SummaryTo sets *s to Summary(now), for a caller that keeps the summary
// in a record it is building (the loop, every period): a Summary returned
// was stored from registers in 8-byte moves and copied on in 16-byte ones,
// which the processor cannot forward.
func (e *Engine) SummaryTo(s *Summary, now time.Time) {
	s.Time, s.Highest, s.Unacked, s.Subjects, s.Alarms = now, LevelNone, 0, e.noSubjects, e.Active()
	if len(s.Alarms) > 0 {
		s.Subjects = make(map[string]Level, len(s.Alarms))
	}
	for _, a := range s.Alarms {
		s.Highest = max(s.Highest, a.Level)
		s.Subjects[a.Subject] = max(s.Subjects[a.Subject], a.Level)
		if !a.Acked {
			s.Unacked++
		}
	}
	slices.SortStableFunc(s.Alarms, func(a, b Alarm) int { return cmp.Compare(b.Level, a.Level) })
}
