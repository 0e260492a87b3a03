package journal

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// ErrInvalid says a batch was refused for what it holds, so writing it
// again will fail again: log it and drop it. Any other error from Write is
// the disk or the file, and the same batch may be retried later.
var ErrInvalid = errors.New("invalid batch")

// metaPrefix marks the keys the journal keeps for itself.
const metaPrefix = "journal."

func invalid(where, format string, args ...any) error {
	return fmt.Errorf("journal: write: %s: %w: %s", where, ErrInvalid, fmt.Sprintf(format, args...))
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// validate checks every row before the transaction starts, so a bad row
// names itself instead of surfacing as a constraint error.
func (b *Batch) validate() error {
	for i, m := range b.Minutes {
		if p := m.problem(); p != "" {
			return invalid(fmt.Sprintf("minutes[%d] (%s %s %s)", i, m.Start.UTC().Format(time.RFC3339), m.Zone, m.Quantity), "%s", p)
		}
	}
	for i, e := range b.Events {
		where := fmt.Sprintf("events[%d] (id %d)", i, e.ID)
		switch {
		case e.ID == 0 || e.ID > math.MaxInt64 || e.AlarmID > math.MaxInt64:
			return invalid(where, "id must be 1–2^63-1 and alarm id at most 2^63-1 (alarm id %d)", e.AlarmID)
		case e.Time.IsZero():
			return invalid(where, "time is zero")
		}
	}
	for i, a := range b.Acks {
		where := fmt.Sprintf("acks[%d] (alarm %d)", i, a.AlarmID)
		switch {
		case a.AlarmID == 0 || a.AlarmID > math.MaxInt64:
			return invalid(where, "alarm id must be 1–2^63-1")
		case a.Time.IsZero():
			return invalid(where, "time is zero")
		}
	}
	for i, c := range b.Calibrations {
		where := fmt.Sprintf("calibrations[%d] (%s %s)", i, c.Sensor, c.Kind)
		switch {
		case c.Time.IsZero():
			return invalid(where, "time is zero")
		case c.Sensor == "" || c.Kind == "":
			return invalid(where, "sensor and kind must both be set")
		}
	}
	for i, c := range b.ConfigChanges {
		where := fmt.Sprintf("config_changes[%d]", i)
		switch {
		case c.Time.IsZero():
			return invalid(where, "time is zero")
		case c.Hash == "":
			return invalid(where, "hash is empty")
		}
	}
	for i, g := range b.Gaps {
		where := fmt.Sprintf("gaps[%d] (%s)", i, g.Reason)
		switch {
		case g.Start.IsZero() || g.End.IsZero():
			return invalid(where, "start and end must both be set")
		case g.End.Before(g.Start):
			return invalid(where, "end %s is before start %s", g.End.UTC().Format(time.RFC3339), g.Start.UTC().Format(time.RFC3339))
		case g.Reason == "":
			return invalid(where, "reason is empty (daemon_down, sensor_fault, clock_jump…)")
		}
	}
	for i, r := range b.Retractions {
		where := fmt.Sprintf("retractions[%d] (%s %s)", i, r.Zone, r.Quantity)
		switch {
		case r.Zone == "" || r.Quantity == "":
			return invalid(where, "zone and quantity must both be set")
		case r.From.IsZero() || r.To.IsZero() || !r.From.Before(r.To):
			return invalid(where, "from %s must be before to %s", r.From.UTC().Format(time.RFC3339), r.To.UTC().Format(time.RFC3339))
		case math.IsNaN(r.Value) || math.IsInf(r.Value, 0):
			return invalid(where, "value %v is not a reading", r.Value)
		}
	}
	for i, c := range b.ClockStatus {
		where := fmt.Sprintf("clock_status[%d]", i)
		switch {
		case c.Time.IsZero():
			return invalid(where, "time is zero")
		case c.Source == "":
			return invalid(where, "source is empty (chrony, timesyncd, …)")
		}
	}
	for i, sh := range b.Shifts {
		if p := sh.problem(); p != "" {
			return invalid(fmt.Sprintf("shifts[%d] (%s %s %s)", i, sh.Zone, sh.Quantity, sh.Start.UTC().Format(time.RFC3339)), "%s", p)
		}
	}
	for i, a := range b.Actions {
		where := fmt.Sprintf("actions[%d] (%s)", i, a.Kind)
		switch {
		case a.Time.IsZero():
			return invalid(where, "time is zero")
		case a.Kind == "" || a.Who == "":
			return invalid(where, "kind and who must both be set")
		}
	}
	for i, v := range b.Ventilation {
		if p := v.problem(); p != "" {
			return invalid(fmt.Sprintf("ventilation[%d] (%s)", i, v.Zone), "%s", p)
		}
	}
	for k := range b.Meta {
		if err := checkMetaKey(k); err != nil {
			return invalid(fmt.Sprintf("meta[%q]", k), "%v", err)
		}
	}
	return nil
}

func checkMetaKey(k string) error {
	if k == "" {
		return errors.New("key is empty")
	}
	if strings.HasPrefix(k, metaPrefix) {
		return fmt.Errorf("keys starting with %q are the journal's own", metaPrefix)
	}
	return nil
}

// problem says what is wrong with the minute, or "" when nothing is. It
// builds no string for a good minute: a day's backlog is 26k of them.
func (m *Minute) problem() string {
	switch {
	case m.Start.IsZero():
		return "start time is zero"
	case !m.Start.Equal(m.Start.Truncate(time.Minute)):
		return "start is not on a minute boundary; use Start.Truncate(time.Minute)"
	case m.Zone == "" || m.Quantity == "":
		return "zone and quantity must both be set"
	case !finite(m.Mean) || !finite(m.Max):
		return fmt.Sprintf("mean %v and max %v must be finite numbers; a minute without valid samples is a Gap", m.Mean, m.Max)
	case m.Max < m.Mean-1e-9*math.Abs(m.Mean):
		return fmt.Sprintf("max %v is below mean %v", m.Max, m.Mean)
	case m.Count < 1:
		return fmt.Sprintf("count %d: a minute without samples is a Gap, not a Minute", m.Count)
	case !(m.CoveredSeconds >= 0 && m.CoveredSeconds <= 60):
		return fmt.Sprintf("covered seconds %v is outside 0–60", m.CoveredSeconds)
	}
	return ""
}

// withoutInvalid returns the batch without the rows validate refuses, and
// why each was refused. Rows are checked one at a time, so a batch with
// one bad row keeps every other.
func (b *Batch) withoutInvalid() (Batch, []error) {
	var bad []error
	out := Batch{
		Minutes:       validRows(b.Minutes, func(x Minute) Batch { return Batch{Minutes: []Minute{x}} }, &bad),
		Events:        validRows(b.Events, func(x Event) Batch { return Batch{Events: []Event{x}} }, &bad),
		Acks:          validRows(b.Acks, func(x Ack) Batch { return Batch{Acks: []Ack{x}} }, &bad),
		Calibrations:  validRows(b.Calibrations, func(x Calibration) Batch { return Batch{Calibrations: []Calibration{x}} }, &bad),
		ConfigChanges: validRows(b.ConfigChanges, func(x ConfigChange) Batch { return Batch{ConfigChanges: []ConfigChange{x}} }, &bad),
		Gaps:          validRows(b.Gaps, func(x Gap) Batch { return Batch{Gaps: []Gap{x}} }, &bad),
		ClockStatus:   validRows(b.ClockStatus, func(x ClockStatus) Batch { return Batch{ClockStatus: []ClockStatus{x}} }, &bad),
		Shifts:        validRows(b.Shifts, func(x Shift) Batch { return Batch{Shifts: []Shift{x}} }, &bad),
		Actions:       validRows(b.Actions, func(x Action) Batch { return Batch{Actions: []Action{x}} }, &bad),
		Ventilation:   validRows(b.Ventilation, func(x Ventilation) Batch { return Batch{Ventilation: []Ventilation{x}} }, &bad),
		Retractions:   validRows(b.Retractions, func(x Retraction) Batch { return Batch{Retractions: []Retraction{x}} }, &bad),
	}
	for k, v := range b.Meta {
		if err := checkMetaKey(k); err != nil {
			bad = append(bad, invalid(fmt.Sprintf("meta[%q]", k), "%v", err))
			continue
		}
		if out.Meta == nil {
			out.Meta = map[string]string{}
		}
		out.Meta[k] = v
	}
	return out, bad
}

func validRows[T any](rows []T, alone func(T) Batch, bad *[]error) []T {
	var out []T
	for _, x := range rows {
		one := alone(x)
		if err := one.validate(); err != nil {
			*bad = append(*bad, err)
			continue
		}
		out = append(out, x)
	}
	return out
}
