package report

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/sample"
)

// The verdict gives every reason, not the first: a shift over its TWA
// limit and its STEL and with too many excursions says all three, and one
// over a limit on part of the shift measured says the TWA is a lower
// bound (an auditor's sweep: a DST night said the TWA alone).
func TestVerdictGivesEveryReason(t *testing.T) {
	row := func(q sample.Quantity, v exposure.Violations, complete bool, coverage float64) export.Shift {
		var s export.Shift
		s.Quantity, s.Finished, s.Complete, s.Coverage, s.Violations = q, true, complete, coverage, v
		s.Elapsed = exposure.Duration(12 * time.Hour)
		s.Covered = exposure.Duration(time.Duration(coverage / 100 * float64(12*time.Hour)))
		return s
	}
	z := zoneShift{zone: "staff", rows: []export.Shift{
		row(sample.PM25, exposure.Violations{TWA: true, STEL: true, STELExcursions: true}, false, 88.7),
		row(sample.CO2, exposure.Violations{}, true, 100),
	}}
	z.judge()
	want := []string{"PM2.5 TWA over its limit", "PM2.5 15 min STEL over its limit", "PM2.5 excursions too many or too close",
		"88.7 % measured: TWA is a lower bound"}
	if z.verdict != verdictOver || !slices.Equal(z.why, want) {
		t.Errorf("verdict %v, why %q; want over, %q", z.verdict, z.why, want)
	}
}

// A shift nothing of which was measured (ventd down throughout) is NO
// DATA, not INCOMPLETE ("within the limits"), and its figures are "—",
// not a TWA of 0 and "over its limit: no" that read as clean air. A shift
// measured in part stays INCOMPLETE.
func TestNothingMeasuredIsNoData(t *testing.T) {
	row := func(q sample.Quantity, covered time.Duration) export.Shift {
		var s export.Shift
		s.Quantity, s.Unit, s.Finished, s.Complete = q, "ppm", true, false
		s.Elapsed, s.Covered = exposure.Duration(12*time.Hour), exposure.Duration(covered)
		s.Coverage = 100 * covered.Seconds() / (12 * time.Hour).Seconds()
		s.Limits.TWA = 5000
		s.AdjustedTWALimit = 5000
		return s
	}
	none := zoneShift{zone: "staff", rows: []export.Shift{row(sample.CO2, 0)}}
	none.judge()
	if none.verdict != verdictNoData || none.verdict.String() != "NO DATA" || !strings.Contains(none.verdictText(), "not evidence of clean air") {
		t.Errorf("nothing measured: verdict %v (%q), want NO DATA saying it is not evidence of clean air", none.verdict, none.verdictText())
	}
	d := &doc{o: Options{Location: time.UTC}}
	_, rows := d.figuresTable(&none)
	for _, r := range rows {
		switch r[0].text {
		case "TWA (OSHA, Σ C·T / 8 h)", "TWA over its limit", "Time over the alarm level", "Time with the STEL over its limit", "Excursions over the TWA limit":
			if !strings.HasPrefix(r[1].text, "—") {
				t.Errorf("nothing measured: %s is %q, want —", r[0].text, r[1].text)
			}
		}
	}
	if line := none.mixtureLine(); strings.Contains(line, "0.000") || !strings.Contains(line, "—") {
		t.Errorf("nothing measured: mixture line %q, want — and no 0.000", line)
	}
	for _, v := range []string{"NO DATA: ", "not evidence of clean air", "INCOMPLETE: within the limits over the part of the shift that was measured"} {
		if !strings.Contains(legend, v) {
			t.Errorf("legend %q does not say %q", legend, v)
		}
	}

	part := zoneShift{zone: "staff", rows: []export.Shift{row(sample.CO2, 6*time.Hour)}}
	part.judge()
	if part.verdict != verdictIncomplete || !strings.Contains(part.verdictText(), "50.0 % measured") {
		t.Errorf("half measured: verdict %v (%q), want INCOMPLETE, 50.0 %% measured", part.verdict, part.verdictText())
	}
}

// Staff over the alarm level for half an hour, ten minutes of it in
// smoke above the sensor's range, read "INCOMPLETE: 96.8 % measured"
// and nothing more at a glance (an auditor's review): the alarm level is
// no legal limit, so the verdict stays, but the reasons say it.
func TestVerdictSaysTimeOverTheAlarmLevel(t *testing.T) {
	var s export.Shift
	s.Quantity, s.Finished, s.Complete, s.Coverage = sample.PM25, true, false, 96.8
	s.Elapsed = exposure.Duration(12 * time.Hour)
	s.Covered = exposure.Duration(time.Duration(0.968 * float64(12*time.Hour)))
	s.TimeOverAlarm, s.TimeOverAlarmAboveRange = exposure.Duration(1799*time.Second), exposure.Duration(601*time.Second)
	z := zoneShift{zone: "staff", rows: []export.Shift{s}}
	z.judge()
	want := []string{"PM2.5 over its alarm level 1799 s (29 min 59 s), 601 s (10 min 1 s) of it above the sensor's range",
		"96.8 % measured: TWA is a lower bound"}
	if z.verdict != verdictIncomplete || !slices.Equal(z.why, want) {
		t.Errorf("verdict %v, why %q; want incomplete, %q", z.verdict, z.why, want)
	}
}

// The STEL peak of a shift with dense smoke in its window reads as a
// lower bound where the auditor reads it, with how much of its window
// every sensor was above its range (an occupational hygienist's review: it
// read "912.000 µg/m³" with no flag).
func TestSTELPeakAboveRangeSaysLowerBound(t *testing.T) {
	var s export.Shift
	s.Quantity, s.Unit, s.Finished, s.Coverage, s.Source = sample.PM25, "µg/m³", true, 96.8, export.SourceLive
	s.Elapsed = exposure.Duration(12 * time.Hour)
	s.Covered = exposure.Duration(time.Duration(0.968 * float64(12*time.Hour)))
	s.STELPeak, s.STELPeakAt = 912, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s.STELPeakLowerBound = true
	above := exposure.Duration(4 * time.Minute)
	s.STELPeakAboveRange = &above
	z := zoneShift{zone: "staff", rows: []export.Shift{s}}
	z.judge()
	d := &doc{o: Options{Location: time.UTC}}
	_, rows := d.figuresTable(&z)
	got := map[string]string{}
	for _, r := range rows {
		got[r[0].text] = r[1].text
	}
	t.Logf("STEL peak %q; its window above the range %q", got["STEL peak (15 min average)"], got["… of its window above the sensor's range"])
	if got["STEL peak (15 min average)"] != "912.000 µg/m³ or more" {
		t.Errorf("STEL peak %q; want it a lower bound", got["STEL peak (15 min average)"])
	}
	if w := got["… of its window above the sensor's range"]; w != "240.000 s (4 min 0 s): lower bound" {
		t.Errorf("its window above the range: %q", w)
	}
}
