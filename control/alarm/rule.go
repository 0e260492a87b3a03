package alarm

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ventd/ventd/sample"
)

// Rule describes one alarm condition.
type Rule struct {
	// ID names the rule stably across restarts and config edits, e.g.
	// "staff/pm25/instant/alarm" or "sensor/booth-pm/stale". Events, MQTT
	// topics and acknowledgements refer to it.
	ID    RuleID
	Level Level
	// Subject is what the alarm is about: a zone, a sensor or a fan. The
	// summary reports the highest level per subject.
	Subject string
	// Quantity is the measured quantity, empty for boolean conditions.
	Quantity sample.Quantity

	// Direction: Above and Below compare a value (Evaluate) with
	// Threshold; WhenTrue takes a boolean condition (SetCondition), and
	// Threshold is then only shown in messages (say the minimum RPM).
	Direction Direction
	Threshold float64
	// Hysteresis is absolute, in the quantity's unit: an Above alarm clears
	// only once the value is below Threshold − Hysteresis (Below: above
	// Threshold + Hysteresis), so a noisy signal sitting at the threshold
	// does not chatter.
	Hysteresis float64
	// OnDelay: once the value reaches Threshold it must not fall back past
	// the hysteresis band for this long before the alarm raises. OffDelay:
	// once past the band, the value must not return to Threshold for this
	// long before the alarm clears. Values inside the band neither start
	// nor break either run. With Hysteresis 0 both mean "every value on
	// that side".
	OnDelay, OffDelay time.Duration
	// Latching keeps the alarm active after its condition clears until
	// someone acknowledges it. Acknowledging while the condition still
	// holds silences it (Acked) but it stays active until the condition
	// clears.
	Latching bool

	// FlapCount and FlapWindow cap repeat notifications: once the rule has
	// raised FlapCount times within FlapWindow, the next clear is held
	// (Kind Held) until the condition has stayed clear for a whole
	// FlapWindow. FlapCount 0 turns the cap off.
	FlapCount  int
	FlapWindow time.Duration

	// Message is the alarm's text, rendered once when it raises. It may use
	// {rule} {level} {subject} {quantity} {unit} {direction} {value},
	// {threshold} and {detail}, the text the caller gave with the condition
	// (Batch.SetConditionDetail: the error of a device that would not open),
	// empty when none. Empty gives a generic message.
	Message string
	// Back is the text once an Above or Below alarm's value is back on the
	// safe side, or a WhenTrue alarm's condition has gone (cleared, or
	// latched until acknowledged), with Message's fields and {value} the
	// value it came back to. Empty gives, for Above and Below, "<quantity>
	// in <subject> is back to <value> <unit> (<level> level <threshold>
	// <unit>)", which needs a Quantity: a rule on anything else (a booth's
	// measured airflow) says it in its own words here; for WhenTrue, the
	// raised message (a pager reading "cleared: fan X is not turning…"
	// reads the order again: say what is back).
	Back string
}

// RuleError is one problem with one rule, as NewEngine reports it.
type RuleError struct {
	Index   int    // position in the slice passed to NewEngine
	ID      RuleID // the rule's ID, possibly empty
	Problem string // what is wrong and what to do
}

func (e *RuleError) Error() string {
	return fmt.Sprintf("rules[%d] %q: %s", e.Index, e.ID, e.Problem)
}

// problems lists everything wrong with r, so one run of NewEngine shows all
// of it rather than one error per fix-and-retry.
func (r *Rule) problems() []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }
	if r.ID == "" {
		add("ID is empty; give each rule a stable name like \"staff/pm25/instant/alarm\"")
	}
	if r.Level < LevelWarning || r.Level > LevelFault {
		add("Level is %v; use LevelWarning, LevelAlarm or LevelFault", r.Level)
	}
	if r.Subject == "" {
		add("Subject is empty; name the zone, sensor or fan the alarm is about")
	}
	switch r.Direction {
	case Above, Below:
		if !finite(r.Threshold) {
			add("Threshold is %v; use a finite number in the quantity's unit", r.Threshold)
		}
	case WhenTrue:
	default:
		add("Direction is %v; use Above, Below or WhenTrue", r.Direction)
	}
	if !finite(r.Hysteresis) || r.Hysteresis < 0 {
		add("Hysteresis is %v; use an absolute amount ≥ 0 in the quantity's unit", r.Hysteresis)
	}
	if r.OnDelay < 0 {
		add("OnDelay is %v; use a duration ≥ 0", r.OnDelay)
	}
	if r.OffDelay < 0 {
		add("OffDelay is %v; use a duration ≥ 0", r.OffDelay)
	}
	if r.FlapCount < 0 {
		add("FlapCount is %d; use 0 (no cap) or the number of raises allowed per FlapWindow", r.FlapCount)
	}
	if r.FlapCount > 0 && r.FlapWindow <= 0 {
		add("FlapWindow is %v with FlapCount %d; use a window > 0 such as 1h", r.FlapWindow, r.FlapCount)
	}
	if _, err := parseTemplate(r.Message); err != nil {
		add("Message: %v", err)
	}
	if _, err := parseTemplate(r.Back); err != nil {
		add("Back: %v", err)
	}
	if (r.Direction == Above || r.Direction == Below) && r.Quantity == "" && r.Back == "" {
		add("a value with no Quantity has no name or unit for the cleared message; give Back, e.g. \"{subject}: airflow back to {value} %%\"")
	}
	return p
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// The template fields, in the order the error message lists them.
const (
	fRule = iota
	fLevel
	fSubject
	fQuantity
	fUnit
	fDirection
	fValue
	fThreshold
	fDetail
	fLiteral
)

var fieldNames = [...]string{"rule", "level", "subject", "quantity", "unit", "direction", "value", "threshold", "detail"}

// segment is a piece of a parsed message: literal text or one field.
type segment struct {
	field int
	text  string
}

// parseTemplate splits a message into literal text and {field}s, rejecting
// unknown fields so that a typo shows at startup, not in a 3 a.m. alarm.
func parseTemplate(s string) ([]segment, error) {
	var segs []segment
	for s != "" {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			segs = append(segs, segment{field: fLiteral, text: s})
			break
		}
		if i > 0 {
			segs = append(segs, segment{field: fLiteral, text: s[:i]})
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("unclosed %q; close it with '}'", s[i:])
		}
		name := s[i+1 : i+j]
		f := -1
		for k, n := range fieldNames {
			if n == name {
				f = k
			}
		}
		if f < 0 {
			return nil, fmt.Errorf("unknown field {%s}; use one of {%s}", name, strings.Join(fieldNames[:], "} {"))
		}
		segs = append(segs, segment{field: f})
		s = s[i+j+1:]
	}
	return segs, nil
}

// defaultMessage is used when a rule has no Message.
func defaultMessage(d Direction) string {
	if d == WhenTrue {
		return "{level}: {rule}"
	}
	return "{level}: {quantity} in {subject} {direction} {threshold} {unit} (now {value} {unit})"
}

func render(segs []segment, r *Rule, v float64, detail string) string {
	// A message is rendered again each period its value changes while
	// the alarm is active: built in a buffer on the stack, not grown
	// from nothing, with one string made of it at the end.
	var buf [192]byte
	b := buf[:0]
	for _, s := range segs {
		switch s.field {
		case fLiteral:
			b = append(b, s.text...)
		case fRule:
			b = append(b, r.ID...)
		case fLevel:
			b = append(b, r.Level.String()...)
		case fSubject:
			b = append(b, r.Subject...)
		case fQuantity:
			b = append(b, r.Quantity...)
		case fUnit:
			// An index has no unit: its {unit} goes with the space before
			// it ("VOC Index in staff is 250, above the warning level
			// 200", not "250 index").
			if r.Quantity.Suffix() == "" {
				b = bytes.TrimSuffix(b, []byte(" "))
			} else {
				b = append(b, r.Quantity.Unit()...)
			}
		case fDirection:
			b = append(b, r.Direction.String()...)
		case fValue:
			b = appendNumber(b, v)
		case fThreshold:
			b = appendNumber(b, r.Threshold)
		case fDetail:
			b = append(b, detail...)
		}
	}
	return string(bytes.TrimSpace(b))
}

// withUnit prints v with q's unit, as a message does.
func withUnit(v float64, q sample.Quantity) string {
	return formatNumber(v) + q.Suffix()
}

// formatNumber shows one decimal at most: sensor accuracy (±10 µg/m³,
// ±50 ppm) makes more digits noise in a message meant for staff.
func formatNumber(v float64) string { return string(appendNumber(nil, v)) }

// appendNumber appends what formatNumber returns to b.
func appendNumber(b []byte, v float64) []byte {
	if !finite(v) {
		return append(b, "unknown"...)
	}
	return strconv.AppendFloat(b, math.Round(v*10)/10, 'f', -1, 64)
}
