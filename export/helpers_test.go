package export_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/sample"
)

var vancouver = mustLoad("America/Vancouver")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// The site: 12 h shifts at 07:00 and 19:00 in Vancouver (RF 0.5), CO2
// limits low enough that the simulated day crosses them.
var (
	sched = exposure.Schedule{Starts: []time.Duration{7 * time.Hour, 19 * time.Hour}, Length: 12 * time.Hour, Location: vancouver}
	lim   = exposure.Limits{TWA: 1000, STEL: 2000, Alarm: 1500, Source: "site configuration (exposure.limits)"}
	cfg   = &config.Config{
		Site: "Hope", Room: "Room 1",
		Shifts: config.Shifts{TimeZone: "America/Vancouver", Length: 12 * time.Hour,
			Starts: []config.TimeOfDay{config.TimeOfDay(7 * time.Hour), config.TimeOfDay(19 * time.Hour)}},
		Exposure:   config.Exposure{Limits: config.ExposureLimits{CO2: config.Limit{TWA: 1000, STEL: 2000}}},
		Thresholds: config.Thresholds{CO2: config.Level{Warning: 1000, Alarm: 1500}},
	}
	// dayShift is the simulated shift: 2026-03-03 07:00–19:00 PST.
	dayShift = exposure.Shift{Start: time.Date(2026, 3, 3, 7, 0, 0, 0, vancouver), End: time.Date(2026, 3, 3, 19, 0, 0, 0, vancouver)}
	fault    = [2]time.Time{dayShift.Start.Add(4 * time.Hour), dayShift.Start.Add(4*time.Hour + 20*time.Minute + 30*time.Second)}
)

// co2 is the simulated staff-area CO2: 800 ppm, a session every 40 min
// that lifts it to 2500 ppm for 70 s starting 20 s into a minute (so that
// minute means smooth the peaks), and a long session at 10:00 that keeps
// the 15 min average above the STEL limit for a while.
func co2(t time.Time) float64 {
	d := t.Sub(dayShift.Start)
	switch {
	case d >= 3*time.Hour && d < 3*time.Hour+25*time.Minute:
		return 2600
	case d%(40*time.Minute) >= 20*time.Second && d%(40*time.Minute) < 90*time.Second:
		return 2500
	}
	return 800 + 50*math.Sin(float64(d)/float64(time.Hour))
}

// simulated is what the daemon would have written for the day shift,
// sampling CO2 every second with a sensor fault at 11:00–11:20:30.
type simulated struct {
	minutes []journal.Minute
	gap     journal.Gap
	live    exposure.Summary // the tracker's own summary at the shift's end
}

// simulate runs the daemon's per-second path (exposure.Tracker.Add and a
// minute aggregate of the samples) for zone from 15 min before the shift
// to until.
func simulate(t testing.TB, zone string, until time.Time) simulated {
	t.Helper()
	tr, err := exposure.New(exposure.Opts{Quantity: sample.CO2, Zone: zone, Limits: lim, Schedule: sched})
	if err != nil {
		t.Fatal(err)
	}
	var out simulated
	var cur *journal.Minute
	var sum float64
	flush := func() {
		if cur != nil && cur.Count > 0 {
			cur.Mean = sum / float64(cur.Count)
			out.minutes = append(out.minutes, *cur)
		}
		cur, sum = nil, 0
	}
	for now := dayShift.Start.Add(-15 * time.Minute); now.Before(until); now = now.Add(time.Second) {
		start := now.Truncate(time.Minute).UTC()
		if cur == nil || !cur.Start.Equal(start) {
			flush()
			cur = &journal.Minute{Start: start, Zone: zone, Quantity: string(sample.CO2)}
		}
		if !now.Before(fault[0]) && now.Before(fault[1]) {
			if err := tr.Gap(now, now); err != nil {
				t.Fatal(err)
			}
			continue
		}
		v := co2(now)
		if cur.Count == 0 || v > cur.Max {
			cur.Max = v
		}
		sum += v
		cur.Count++
		cur.CoveredSeconds++
		if err := tr.Add(now, v); err != nil {
			t.Fatal(err)
		}
	}
	flush()
	out.gap = journal.Gap{Start: fault[0].UTC(), End: fault[1].UTC(), Zone: zone, Quantity: string(sample.CO2), Reason: journal.GapSensorFault}
	if !until.Before(dayShift.End) {
		if err := tr.Gap(until, until); err != nil {
			t.Fatal(err)
		}
		done, _ := tr.TakeFinished()
		for _, s := range done {
			if s.Start.Equal(dayShift.Start) {
				out.live = s
			}
		}
	} else {
		out.live, _ = tr.Current(until)
	}
	return out
}

func summaryJSON(t testing.TB, s exposure.Summary) []byte {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newJournal(t testing.TB) *journal.Journal {
	t.Helper()
	j, err := journal.Open(filepath.Join(t.TempDir(), "journal.db"), journal.Options{Clock: clock.NewSim(dayShift.Start, 0)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func write(t testing.TB, j *journal.Journal, b journal.Batch) {
	t.Helper()
	if _, err := j.Write(b); err != nil {
		t.Fatal(err)
	}
}

// parsed is a CSV export split into its comment header and sections.
type parsed struct {
	comments []string
	sections map[string][]map[string]string
	order    []string
}

func parseCSV(t testing.TB, data []byte) parsed {
	t.Helper()
	p := parsed{sections: map[string][]map[string]string{}}
	parts := strings.Split(string(data), "\n# section: ")
	for _, line := range strings.Split(parts[0], "\n") {
		if line != "" {
			p.comments = append(p.comments, line)
		}
	}
	for _, part := range parts[1:] {
		name, body, _ := strings.Cut(part, "\n")
		r := csv.NewReader(strings.NewReader(body))
		r.Comment, r.FieldsPerRecord = '#', -1
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("section %s: %v", name, err)
		}
		if len(recs) == 0 {
			t.Fatalf("section %s has no header row", name)
		}
		rows := []map[string]string{}
		for _, rec := range recs[1:] {
			if len(rec) != len(recs[0]) {
				t.Fatalf("section %s: row %v has %d fields, header %d", name, rec, len(rec), len(recs[0]))
			}
			m := map[string]string{}
			for i, c := range recs[0] {
				m[c] = rec[i]
			}
			rows = append(rows, m)
		}
		p.sections[name] = rows
		p.order = append(p.order, name)
	}
	return p
}

func (p parsed) comment(key string) []string {
	var out []string
	for _, c := range p.comments {
		if v, ok := strings.CutPrefix(c, "# "+key+": "); ok {
			out = append(out, v)
		}
	}
	return out
}

func float(t testing.TB, row map[string]string, col string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(row[col], 64)
	if err != nil {
		t.Fatalf("column %s = %q: %v", col, row[col], err)
	}
	return f
}

func f3(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }

func run(t testing.TB, j *journal.Journal, o export.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := export.Write(&buf, j, o); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
