package alarm

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Sentinel errors, for callers (the HTTP API) that map them to a status.
var (
	// ErrUnknownRule: no rule has that ID.
	ErrUnknownRule = errors.New("no such rule")
	// ErrUnknownAlarm: no alarm with that id was ever raised.
	ErrUnknownAlarm = errors.New("no such alarm")
	// ErrNotActive: the alarm (or every alarm of the rule) has cleared.
	ErrNotActive = errors.New("not active")
	// ErrAlreadyAcked: someone acknowledged the alarm before.
	ErrAlreadyAcked = errors.New("already acknowledged")
)

// Acknowledge records that who took note of alarm alarmID, with an optional
// note. A latching alarm whose condition has cleared then clears (unless
// held for flapping); one whose condition still holds stays active, silenced,
// until the condition clears. It returns the Acknowledged event and any
// Cleared event that follows from it.
func (e *Engine) Acknowledge(now time.Time, alarmID uint64, who, note string) ([]Event, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st, ok := e.active[alarmID]
	if !ok {
		if alarmID == 0 || alarmID >= e.next {
			return nil, fmt.Errorf("alarm: acknowledge alarm %d: %w; %s", alarmID, ErrUnknownAlarm, e.activeIDs())
		}
		return nil, fmt.Errorf("alarm: acknowledge alarm %d: %w: it has cleared; nothing to acknowledge", alarmID, ErrNotActive)
	}
	return e.ack(now, st, who, note)
}

// AcknowledgeRule acknowledges the active alarm of rule ruleID.
func (e *Engine) AcknowledgeRule(now time.Time, ruleID RuleID, who, note string) ([]Event, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st, ok := e.rules[ruleID]
	if !ok {
		return nil, fmt.Errorf("alarm: acknowledge rule %q: %w", ruleID, ErrUnknownRule)
	}
	if st.alarm == nil {
		return nil, fmt.Errorf("alarm: acknowledge rule %q: %w: no active alarm; nothing to acknowledge", ruleID, ErrNotActive)
	}
	return e.ack(now, st, who, note)
}

// AcknowledgeAll acknowledges every active alarm nobody has acknowledged
// yet: the one button on the wall tablet.
func (e *Engine) AcknowledgeAll(now time.Time, who, note string) ([]Event, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := checkWho(who); err != nil {
		return nil, fmt.Errorf("alarm: acknowledge all: %w", err)
	}
	var evs []Event
	for _, st := range e.order {
		if st.alarm != nil && !st.alarm.Acked {
			more, _ := e.ack(now, st, who, note) // cannot fail: checked above
			evs = append(evs, more...)
		}
	}
	return evs, nil
}

func checkWho(who string) error {
	if who == "" {
		return errors.New("who is empty; an acknowledgement must name the person, for the event log")
	}
	return nil
}

func (e *Engine) ack(now time.Time, st *ruleState, who, note string) ([]Event, error) {
	a := st.alarm
	if err := checkWho(who); err != nil {
		return nil, fmt.Errorf("alarm: acknowledge alarm %d (%s): %w", a.ID, st.ID, err)
	}
	if a.Acked {
		return nil, fmt.Errorf("alarm: acknowledge alarm %d (%s): %w by %s at %s",
			a.ID, st.ID, ErrAlreadyAcked, a.AckedBy, a.AckedAt.Format(time.RFC3339))
	}
	a.Acked, a.AckedBy, a.AckedAt, a.AckNote = true, who, now, note
	evs := []Event{e.event(now, st, Acknowledged, who, note)}
	if !st.cond {
		evs = e.tryClear(now, st, evs)
	}
	return evs, nil
}

// activeIDs says which alarm ids can be acknowledged now, for a refusal:
// the id was likely mistyped or read from another room's page.
func (e *Engine) activeIDs() string {
	if len(e.active) == 0 {
		return "no alarm is active now"
	}
	ids := slices.Sorted(maps.Keys(e.active))
	var parts []string
	for i, id := range ids {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("and %d more", len(ids)-i))
			break
		}
		parts = append(parts, fmt.Sprintf("%d (%s)", id, e.active[id].ID))
	}
	return "the active alarms are " + strings.Join(parts, ", ")
}
