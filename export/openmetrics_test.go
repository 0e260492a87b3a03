package export_test

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/journal/journaltest"
)

// omSample is one line of an OpenMetrics export.
type omSample struct {
	name   string
	labels map[string]string
	value  float64
	at     time.Time
}

// parseOM reads an OpenMetrics export the way the test needs it, and
// checks the format's structure: one TYPE per family, each family's lines
// together, every sample timestamped, "# EOF" at the end.
func parseOM(t testing.TB, data []byte) []omSample {
	t.Helper()
	text := string(data)
	if !strings.HasSuffix(text, "# EOF\n") {
		t.Fatalf("does not end with # EOF: ...%s", text[max(0, len(text)-200):])
	}
	var out []omSample
	typed := map[string]bool{}
	family := ""
	for i, line := range strings.Split(strings.TrimSuffix(text, "# EOF\n"), "\n") {
		if line == "" {
			continue
		}
		if f, ok := strings.CutPrefix(line, "# TYPE "); ok {
			family, _, _ = strings.Cut(f, " ")
			if typed[family] {
				t.Fatalf("line %d: family %s typed twice: its samples are not together", i+1, family)
			}
			typed[family] = true
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		head, ts, _ := cutLast(line)
		head, val, _ := cutLast(head)
		name, rest, _ := strings.Cut(head, "{")
		if name != family && name != family+"_total" {
			t.Fatalf("line %d: sample %s outside its family (now in %s)", i+1, name, family)
		}
		s := omSample{name: name, labels: map[string]string{}}
		for _, kv := range strings.Split(strings.TrimSuffix(rest, "}"), ",") {
			k, v, _ := strings.Cut(kv, "=")
			s.labels[k] = strings.Trim(v, `"`)
		}
		var err error
		if s.value, err = strconv.ParseFloat(val, 64); err != nil {
			t.Fatalf("line %d: value %q: %v", i+1, val, err)
		}
		sec, err := strconv.ParseFloat(ts, 64)
		if err != nil {
			t.Fatalf("line %d: no timestamp: %q", i+1, line)
		}
		s.at = time.UnixMilli(int64(math.Round(sec * 1000))).UTC()
		out = append(out, s)
	}
	return out
}

func cutLast(s string) (before, after string, ok bool) {
	i := strings.LastIndexByte(s, ' ')
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

// series returns one series' samples by time: name with the labels given.
func series(all []omSample, name string, labels map[string]string) map[time.Time]float64 {
	out := map[time.Time]float64{}
next:
	for _, s := range all {
		if s.name != name {
			continue
		}
		for k, v := range labels {
			if s.labels[k] != v {
				continue next
			}
		}
		out[s.at] = s.value
	}
	return out
}

// increase is Prometheus's increase() between two samples, without its
// extrapolation: a drop is a counter reset, counted from zero.
func increase(v map[time.Time]float64, from, to time.Time) float64 {
	var sum, prev float64
	started := false
	for at := from; !at.After(to); at = at.Add(time.Minute) {
		x, ok := v[at]
		if !ok {
			continue
		}
		switch {
		case !started:
		case x < prev:
			sum += x
		default:
			sum += x - prev
		}
		prev, started = x, true
	}
	return sum
}

// TestOpenMetricsShift exports the simulated day shift and checks that the
// counters give the live shift's figures back as increase() would: the
// OSHA TWA from the dose, the coverage from the measured time, across the
// midnight UTC (16:00 in Vancouver) at which the counters restart.
func TestOpenMetricsShift(t *testing.T) {
	j, sim := day(t, dayShift.End)
	all := parseOM(t, run(t, j, dayOptions(t, "openmetrics")))
	staff := map[string]string{"site": "Hope", "room": "Room 1", "zone": "staff", "pollutant": "co2"}
	dose := series(all, "ventd_exposure_dose_ppm_seconds_total", staff)
	measured := series(all, "ventd_exposure_measured_seconds_total", staff)
	start, end := dayShift.Start.UTC(), dayShift.End.UTC()
	if _, ok := dose[start]; !ok {
		t.Fatalf("no dose sample at the shift's start %v (%d samples)", start, len(dose))
	}
	midnight := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)
	if dose[midnight.Add(time.Minute)] >= dose[midnight] {
		t.Errorf("dose at 00:01Z %v, at 00:00Z %v: the counters should restart at midnight UTC", dose[midnight.Add(time.Minute)], dose[midnight])
	}
	twa := increase(dose, start, end) / (8 * 3600)
	if math.Abs(twa-sim.live.TWA) > 1e-9*sim.live.TWA {
		t.Errorf("increase(dose) / 8 h = %.6f ppm, the live shift TWA %.6f", twa, sim.live.TWA)
	}
	if got := increase(measured, start, end); got != sim.live.Covered.Std().Seconds() {
		t.Errorf("increase(measured) = %v s, the shift covered %v", got, sim.live.Covered)
	}
	// The shift's own gauges at its last minute are the rebuilt shift's.
	last := end.Add(-time.Minute)
	if v := series(all, "ventd_exposure_shift_twa_ppm", staff)[last]; math.Abs(v-sim.live.TWA) > 0.01*sim.live.TWA {
		t.Errorf("shift TWA gauge at %v: %v, live %v", last, v, sim.live.TWA)
	}
	if v := series(all, "ventd_exposure_shift_twa_limit_ppm", staff)[last]; v != 500 {
		t.Errorf("adjusted TWA limit %v, want 500 (1000 × 0.5 for 12 h)", v)
	}
	// The STEL over its limit, from minute means, near the live 1 s figure.
	overSTEL := increase(series(all, "ventd_exposure_stel_over_limit_seconds_total", staff), start, end)
	if live := sim.live.TimeOverSTEL.Std().Seconds(); math.Abs(overSTEL-live) > 0.05*live {
		t.Errorf("time with the STEL over its limit %v s from minutes, %v s live", overSTEL, live)
	}
	// A minute's concentration is its mean, stamped at its end.
	ms, _ := j.Minutes(start, start.Add(time.Minute), "staff", "co2")
	if v := series(all, "ventd_exposure_concentration_ppm", staff)[start.Add(time.Minute)]; v != ms[0].Mean {
		t.Errorf("concentration at %v: %v, the minute's mean %v", start.Add(time.Minute), v, ms[0].Mean)
	}
	// The CO2 alarm raised at 10:00:31 and never cleared is active from
	// the next sample on; the sensor fault's alarm too.
	active := series(all, "ventd_alarm_active", map[string]string{"rule": "staff-co2", "level": "alarm", "acked": "false"})
	raised := dayShift.Start.Add(3*time.Hour + 31*time.Second).UTC()
	if _, ok := active[raised.Truncate(time.Minute)]; ok {
		t.Errorf("alarm active at %v, before it was raised", raised.Truncate(time.Minute))
	}
	if active[raised.Truncate(time.Minute).Add(time.Minute)] != 1 || active[last] != 1 {
		t.Errorf("alarm not active after it was raised: %d samples", len(active))
	}
	if n := increase(series(all, "ventd_alarm_events_total", map[string]string{"level": "fault", "kind": "raised"}), start, end); n != 1 {
		t.Errorf("fault alarms raised in the shift: %v, want 1", n)
	}
	t.Logf("%d samples; shift TWA from the dose %.3f ppm (live %.3f); STEL over limit %v s (live %v s)",
		len(all), twa, sim.live.TWA, overSTEL, sim.live.TimeOverSTEL.Std().Seconds())
}

// Exporting a day alone or within a longer window writes the same values:
// a backfill can be done twice, or in overlapping parts.
func TestOpenMetricsRepeatable(t *testing.T) {
	j, _ := day(t, dayShift.End)
	o := dayOptions(t, "openmetrics")
	one := parseOM(t, run(t, j, o))
	o.From = o.From.AddDate(0, 0, -1)
	wide := parseOM(t, run(t, j, o))
	key := func(s omSample) string {
		var b strings.Builder
		b.WriteString(s.name)
		for _, k := range []string{"zone", "pollutant", "rule", "level", "kind", "acked"} {
			b.WriteString("," + s.labels[k])
		}
		return b.String() + "@" + s.at.Format(time.RFC3339)
	}
	w := map[string]float64{}
	for _, s := range wide {
		w[key(s)] = s.value
	}
	diff := 0
	for _, s := range one {
		if v, ok := w[key(s)]; !ok || v != s.value {
			if diff++; diff < 5 {
				t.Errorf("%s: %v alone, %v (present %v) in the wider export", key(s), s.value, v, ok)
			}
		}
	}
	if len(wide) < len(one) || diff > 0 {
		t.Errorf("%d of %d samples differ; %d samples in the wider export", diff, len(one), len(wide))
	}
}

func TestOpenMetricsErrors(t *testing.T) {
	j, _ := day(t, dayShift.End)
	o := dayOptions(t, "openmetrics")
	o.Config = nil
	var buf strings.Builder
	if err := export.Write(&buf, j, o); err == nil || !strings.Contains(err.Error(), "-config FILE") || buf.Len() != 0 {
		t.Errorf("without a configuration: %v, %d bytes; want an error naming -config and nothing written", err, buf.Len())
	}
	// Two minutes 90 days apart: too many samples to hold, refused before
	// any work with the number of days that fit. At a bound of 300,000 the
	// two series' 68 samples a minute fit 3 days unwidened, 2 widened.
	defer export.SetMaxSamples(300_000)()
	far := newJournal(t)
	at := dayShift.Start.UTC()
	write(t, far, journal.Batch{Minutes: []journal.Minute{
		{Start: at, Zone: "staff", Quantity: "co2", Mean: 1, Max: 1, Count: 1, CoveredSeconds: 1},
		{Start: at.AddDate(0, 0, 90), Zone: "staff", Quantity: "pm25", Mean: 1, Max: 1, Count: 1, CoveredSeconds: 1},
	}})
	o = dayOptions(t, "openmetrics")
	o.From, o.To = time.Time{}, time.Time{}
	err := export.Write(&buf, far, o)
	var tl *export.TooLargeError
	if !errors.As(err, &tl) || !strings.Contains(err.Error(), "days at a time (-from and -to") || buf.Len() != 0 {
		t.Fatalf("90 days: %v, %d bytes; want a TooLargeError saying how many days fit", err, buf.Len())
	}
	// The days it says fit do, once widened to whole shifts (here the
	// night shifts at each end add 12 h): at the real bound it said 19
	// days where only 18 did.
	firstDay := at.In(vancouver).Format(export.DateLayout)
	if tl.FirstDay != firstDay || tl.Days != 2 || !strings.Contains(err.Error(), fmt.Sprintf("at most %d days", tl.Days)) {
		t.Fatalf("%v: first day %s, %d days; want 2 from %s", err, tl.FirstDay, tl.Days, firstDay)
	}
	if o.From, o.To, err = export.ParseWindow(tl.FirstDay, tl.LastDay(), vancouver); err != nil {
		t.Fatal(err)
	}
	if err := export.Write(io.Discard, far, o); err != nil {
		t.Errorf("the %d days it said fit, %s to %s: %v", tl.Days, tl.FirstDay, tl.LastDay(), err)
	}
	o.To = o.To.AddDate(0, 0, 2)
	if err := export.Write(io.Discard, far, o); !errors.As(err, &tl) {
		t.Errorf("two days more: %v; want a TooLargeError", err)
	}
	// An empty journal is an empty exposition.
	if out := run(t, newJournal(t), dayOptions(t, "openmetrics")); string(out) != "# EOF\n" {
		t.Errorf("empty journal: %q", out)
	}
}

// BenchmarkExportOpenMetrics7Days exports a week of the 30-day bench
// journal (2 zones × 3 pollutants) as OpenMetrics.
func BenchmarkExportOpenMetrics7Days(b *testing.B) {
	j := benchJournal(b, true)
	from := time.Date(2026, 3, 10, 0, 0, 0, 0, vancouver)
	benchExport(b, j, export.Options{Format: "openmetrics", From: from, To: from.AddDate(0, 0, 7), Location: vancouver, Config: cfg,
		Now: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)})
}

// stalledWriter takes nothing until released, like a client that stopped
// reading a download.
type stalledWriter struct {
	writing chan struct{}
	release chan struct{}
	n       int
}

func (s *stalledWriter) Write(p []byte) (int, error) {
	select {
	case s.writing <- struct{}{}:
	default:
	}
	<-s.release
	s.n += len(p)
	return len(p), nil
}

// An OpenMetrics export is held in memory before it is written, so its
// read of the journal ends before the first byte goes out: with SQLite's
// rollback journal a commit waits for every reader, and a slow reader of a
// long export (too large for ventd's download spool) would otherwise hold
// back the daemon's journal writer for as long as it took.
func TestOpenMetricsWriterDoesNotHoldTheJournal(t *testing.T) {
	j, _ := day(t, dayShift.End)
	ro, err := journal.OpenReadOnly(j.Path(), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	w := &stalledWriter{writing: make(chan struct{}, 1), release: make(chan struct{})}
	done := make(chan error, 1)
	go func() { done <- export.Write(w, ro, dayOptions(t, "openmetrics")) }()
	<-w.writing // the export is being written, and nobody reads it

	journaltest.WriteNotHeld(t, j, journal.Minute{Start: dayShift.End.Add(time.Hour), Zone: "staff", Quantity: "co2",
		Mean: 500, Max: 520, Count: 60, CoveredSeconds: 60}, "an OpenMetrics export nobody is reading")
	close(w.release)
	if err := <-done; err != nil || w.n == 0 {
		t.Errorf("export: %v, %d bytes", err, w.n)
	}
}
