package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ventd/ventd/control/exposure"
)

// jsonSink writes one JSON object (Document), streaming each section's
// array one element a line so that a year of minutes never sits in memory.
type jsonSink struct {
	w   *bufio.Writer
	buf bytes.Buffer
	enc *json.Encoder
	n   int // elements in the current array
}

func newJSONSink(w *bufio.Writer) *jsonSink {
	s := &jsonSink{w: w}
	s.enc = json.NewEncoder(&s.buf)
	s.enc.SetEscapeHTML(false) // messages and notes stay readable: "<", ">" and "&" as is
	return s
}

// encode returns v's JSON without the Encoder's newline; valid until the
// next call.
func (s *jsonSink) encode(v any) ([]byte, error) {
	s.buf.Reset()
	if err := s.enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(s.buf.Bytes(), []byte("\n")), nil
}

// header opens the object with the header's fields; the sections follow
// as more keys of the same object.
func (s *jsonSink) header(h Header) error {
	b, err := s.encode(h)
	if err != nil {
		return err
	}
	_, err = s.w.Write(b[:len(b)-1]) // without the closing brace
	return err
}

func (s *jsonSink) begin(name string, _ []string) error {
	s.n = 0
	_, err := s.w.WriteString(",\n\"" + name + "\": [")
	return err
}

func (s *jsonSink) row(r record) error {
	b, err := s.encode(r)
	if err != nil {
		// A value JSON has no word for (an infinite or NaN mean: a
		// damaged or edited row): say which row, and what still works.
		return fmt.Errorf("the row %s cannot be written as JSON (%w): a damaged or edited value (ventctl verify checks the journal); -format csv writes it",
			strings.Join(r.csv(nil), ","), err)
	}
	if s.n > 0 {
		s.w.WriteByte(',')
	}
	s.n++
	s.w.WriteString("\n  ")
	_, err = s.w.Write(b)
	return err
}

func (s *jsonSink) end() error {
	if s.n > 0 {
		s.w.WriteByte('\n')
	}
	_, err := s.w.WriteString("]")
	return err
}

func (s *jsonSink) close() error {
	_, err := s.w.WriteString("\n}\n")
	return err
}

// fail leaves the object unclosed: a truncated document does not parse,
// which is the clearest sign it is incomplete.
func (s *jsonSink) fail(error) {}

// MarshalJSON writes the shift with a limit that does not exist as null,
// never 0 (which reads as a limit of zero, every value over it): limits
// twa, stel and alarm, adjusted_twa_limit, the excursions' level, and the
// time over such a limit (time_over_alarm_s and its above-range part,
// time_stel_over_limit_s). The
// CSV leaves those cells empty. A document read back gives 0 (no limit)
// for null, as exposure.Limits means it.
func (r Shift) MarshalJSON() ([]byte, error) {
	type plain Shift // the fields, without this method
	s := &r.Summary
	v := struct {
		plain
		Limits           noLimitNull    `json:"limits"`
		AdjustedTWALimit *float64       `json:"adjusted_twa_limit"`
		AboveSTEL        excursionsJSON `json:"excursions_above_stel"`
		AboveTWA         excursionsJSON `json:"excursions_above_twa"`
		// Times over a limit the pollutant does not have: null, as the
		// CSV's empty cell, never 0 (measured and never over).
		TimeOverAlarm           *exposure.Duration `json:"time_over_alarm_s"`
		TimeOverAlarmAboveRange *exposure.Duration `json:"time_over_alarm_above_range_s"`
		TimeOverSTEL            *exposure.Duration `json:"time_stel_over_limit_s"`
	}{plain: plain(r),
		TimeOverAlarm:           timeOrNull(s.TimeOverAlarm, s.Limits.Alarm),
		TimeOverAlarmAboveRange: timeOrNull(s.TimeOverAlarmAboveRange, s.Limits.Alarm),
		TimeOverSTEL:            timeOrNull(s.TimeOverSTEL, s.Limits.STEL),
		Limits:                  noLimitNull{TWA: limitOrNull(s.Limits.TWA), STEL: limitOrNull(s.Limits.STEL), Alarm: limitOrNull(s.Limits.Alarm), Source: s.Limits.Source},
		AdjustedTWALimit:        limitOrNull(s.AdjustedTWALimit),
		AboveSTEL:               excursionsJSON{s.AboveSTEL, limitOrNull(s.AboveSTEL.Level)},
		AboveTWA:                excursionsJSON{s.AboveTWA, limitOrNull(s.AboveTWA.Level)},
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // as the export's own encoder: notes keep "<", ">" and "&"
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// noLimitNull is exposure.Limits with each missing limit null.
type noLimitNull struct {
	TWA    *float64 `json:"twa"`
	STEL   *float64 `json:"stel"`
	Alarm  *float64 `json:"alarm"`
	Source string   `json:"source"`
}

// excursionsJSON is exposure.Excursions with no level (no such limit) null.
type excursionsJSON struct {
	exposure.Excursions
	Level *float64 `json:"level"`
}

// timeOrNull is d, or nil when lim is 0: no such limit to be over.
func timeOrNull(d exposure.Duration, lim float64) *exposure.Duration {
	if lim == 0 {
		return nil
	}
	return &d
}

// limitOrNull is v, or nil for 0: no such limit.
func limitOrNull(v float64) *float64 {
	if v == 0 {
		return nil
	}
	return &v
}
