package export_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/sample"
)

// day is the journal of the simulated day shift: zone "staff" with the
// live summary the tracker computed from 1 s data, and zone "mirror" with
// the same minutes and gap but a shift row without a summary, which the
// export rebuilds from the minutes. Plus one of every other record.
func day(t testing.TB, until time.Time) (*journal.Journal, simulated) {
	t.Helper()
	j := newJournal(t)
	sim := simulate(t, "staff", until)
	b := journal.Batch{Meta: map[string]string{"site": "Hope", "room": "Room 1", "sensor.scd41-staff.serial": "0x2A41F"}}
	for _, zone := range []string{"staff", "mirror"} {
		for _, m := range sim.minutes {
			m.Zone = zone
			b.Minutes = append(b.Minutes, m)
		}
		g := sim.gap
		g.Zone = zone
		b.Gaps = append(b.Gaps, g)
	}
	finished := !until.Before(dayShift.End)
	b.Shifts = []journal.Shift{
		{Zone: "staff", Quantity: "co2", Start: dayShift.Start, End: dayShift.End, Finished: finished, Summary: summaryJSON(t, sim.live)},
		{Zone: "mirror", Quantity: "co2", Start: dayShift.Start, End: dayShift.End, Finished: finished},
	}
	at := dayShift.Start.Add(3 * time.Hour).UTC()
	b.Events = []journal.Event{
		{ID: 1, AlarmID: 1, Rule: "staff-co2", Kind: "raised", Level: "alarm", Subject: "staff", Quantity: "co2", Time: at.Add(31 * time.Second),
			Value: 2600, Threshold: 1500, Message: "CO2 2600 ppm > 1500, \"ventilate\""},
		{ID: 2, AlarmID: 2, Rule: "sensor", Kind: "raised", Level: "fault", Subject: "scd41-staff", Time: fault[0].UTC(),
			Value: math.NaN(), Threshold: math.NaN(), Message: "no data,\nsensor not answering"},
	}
	b.Acks = []journal.Ack{{AlarmID: 1, Time: at.Add(2 * time.Minute), Who: "kim", Note: "opened the door"}}
	b.Calibrations = []journal.Calibration{{Time: dayShift.Start.Add(time.Minute).UTC(), Sensor: "scd41-staff", Serial: "0x2A41F",
		Kind: journal.CalFRC, Reference: 420, Correction: -12, Who: "tech", Note: "fresh air"}}
	b.ConfigChanges = []journal.ConfigChange{{Time: dayShift.Start.UTC(), Hash: "abc123", Summary: "site \"Hope\""}}
	b.ClockStatus = []journal.ClockStatus{{Time: dayShift.Start.UTC(), Synchronized: true, Source: "chrony", Note: "synced"}}
	uid := uint32(1001)
	b.Actions = []journal.Action{
		{Time: at.Add(2 * time.Minute), Kind: "acknowledge", Target: "1", Who: "kim", Via: "socket", UID: &uid, Peer: "pid 4242",
			Note: "opened the door", Result: "acknowledged alarm 1"},
		{Time: at.Add(3 * time.Minute), Kind: "purge", Target: "booth-1", Who: "=cmd", Via: "page", Peer: "10.0.0.7:5123",
			Result: "", Error: "wrong PIN"},
	}
	b.Ventilation = []journal.Ventilation{{Time: at.Add(10 * time.Minute), Zone: "booth-1", ACH: 61.25, NominalACH: 120, Share: 61.25 / 120, Observations: 3}}
	write(t, j, b)
	return j, sim
}

func dayOptions(t testing.TB, format string) export.Options {
	from, to, err := export.ParseWindow("2026-03-03", "2026-03-03", vancouver)
	if err != nil {
		t.Fatal(err)
	}
	return export.Options{From: from, To: to, Format: format, Location: vancouver, Now: dayShift.End.Add(time.Hour),
		Config: cfg, Software: "ventd test"}
}

func shiftRow(t testing.TB, p parsed, zone string, start time.Time) map[string]string {
	t.Helper()
	for _, r := range p.sections["shifts"] {
		if r["zone"] == zone && r["start"] == start.UTC().Format(time.RFC3339) {
			return r
		}
	}
	t.Fatalf("no %s shift from %v in %v", zone, start, p.sections["shifts"])
	return nil
}

// TestCSVShiftAgainstMinutes is the acceptance test: the CSV export of a
// simulated shift, parsed back, agrees with an independent computation
// from the minute series in the same file.
func TestCSVShiftAgainstMinutes(t *testing.T) {
	j, sim := day(t, dayShift.End)
	p := parseCSV(t, run(t, j, dayOptions(t, "csv")))
	if want := []string{"shifts", "minutes", "gaps", "events", "acks", "calibrations", "config_changes", "clock_status", "actions", "ventilation"}; !reflect.DeepEqual(p.order, want) {
		t.Errorf("sections %v, want %v", p.order, want)
	}
	for key, want := range map[string]string{"site": "Hope", "room": "Room 1", "sensor": "scd41-staff serial 0x2A41F",
		"software": "ventd test", "generated": "2026-03-04T04:00:00Z"} {
		if got := p.comment(key); len(got) != 1 || got[0] != want {
			t.Errorf("# %s: %v, want %q", key, got, want)
		}
	}

	// The independent computation, from the minute rows of the file.
	elapsed := dayShift.End.Sub(dayShift.Start).Seconds()
	var ct, covered float64
	for _, m := range p.sections["minutes"] {
		start, _ := time.Parse(time.RFC3339, m["start"])
		if m["zone"] == "staff" && !start.Before(dayShift.Start) && start.Before(dayShift.End) {
			ct += float(t, m, "mean") * float(t, m, "covered_s")
			covered += float(t, m, "covered_s")
		}
	}
	twa := ct / (8 * 3600)
	if covered != elapsed-(20*60+30) {
		t.Fatalf("minutes cover %v s of the shift, want all but the 20 min 30 s fault", covered)
	}
	live, rebuilt := shiftRow(t, p, "staff", dayShift.Start), shiftRow(t, p, "mirror", dayShift.Start)
	t.Logf("independent: TWA %.3f ppm, covered %.0f s; live row TWA %s STEL peak %s; minutes row TWA %s STEL peak %s",
		twa, covered, live["twa_osha"], live["stel_peak"], rebuilt["twa_osha"], rebuilt["stel_peak"])
	for _, r := range []map[string]string{live, rebuilt} {
		for col, want := range map[string]float64{"twa_osha": twa, "covered_s": covered, "coverage_pct": 100 * covered / elapsed,
			"gap_total_s": elapsed - covered, "elapsed_s": elapsed, "length_h": 12, "adjusted_twa_limit": 500} {
			if got := float(t, r, col); math.Abs(got-want) > 0.002 {
				t.Errorf("%s %s: %s = %v, independent computation %.4f", r["source"], r["zone"], col, got, want)
			}
		}
		for col, want := range map[string]string{"start_local": "2026-03-03T07:00:00-08:00", "reduction_factor": "0.5000",
			"limit_twa": "1000.000", "limit_stel": "2000.000", "limit_alarm": "1500.000", "finished": "true",
			"twa_over_limit": "true", "unit": "ppm", "quantity": "co2"} {
			if r[col] != want {
				t.Errorf("%s %s: %s = %q, want %q", r["source"], r["zone"], col, r[col], want)
			}
		}
	}
	// The live row shows the daemon's own figures, digit for digit.
	s := sim.live
	for col, want := range map[string]string{"source": "live", "twa_osha": f3(s.TWA), "stel_peak": f3(float64(s.STELPeak)),
		"time_over_alarm_s": f3(s.TimeOverAlarm.Std().Seconds()), "time_stel_over_limit_s": f3(s.TimeOverSTEL.Std().Seconds()),
		"coverage_pct": f3(s.Coverage), "mean_covered": f3(float64(s.MeanCovered)), "stel_peak_is_lower_bound": "false",
		"excursions_above_stel": "1", "stel_over_limit": "true"} {
		if live[col] != want {
			t.Errorf("live row %s = %q, the tracker said %q", col, live[col], want)
		}
	}
	// The rebuilt row says where it comes from, and its STEL peak, from
	// minute means, does not exceed the live one.
	if rebuilt["source"] != "minutes" || rebuilt["stel_peak_is_lower_bound"] != "true" || !strings.Contains(rebuilt["note"], "lower bound") {
		t.Errorf("rebuilt row: source %q, lower bound %q, note %q", rebuilt["source"], rebuilt["stel_peak_is_lower_bound"], rebuilt["note"])
	}
	if float(t, rebuilt, "stel_peak") > float(t, live, "stel_peak")+1e-9 {
		t.Errorf("STEL peak from minutes %s above the live %s: it must be a lower bound", rebuilt["stel_peak"], live["stel_peak"])
	}

	// The other sections, with CSV quoting intact.
	if g := p.sections["gaps"]; len(g) != 2 || g[0]["length_s"] != "1230.000" || g[0]["reason"] != "sensor_fault" {
		t.Errorf("gaps: %v", g)
	}
	ev := p.sections["events"]
	if len(ev) != 2 || ev[0]["message"] != "CO2 2600 ppm > 1500, \"ventilate\"" || ev[1]["value"] != "" || ev[1]["message"] != "no data,\nsensor not answering" {
		t.Errorf("events: %v", ev)
	}
	if a := p.sections["acks"]; len(a) != 1 || a[0]["who"] != "kim" {
		t.Errorf("acks: %v", a)
	}
	if c := p.sections["calibrations"]; len(c) != 1 || c[0]["reference"] != "420.000" || c[0]["correction"] != "-12.000" {
		t.Errorf("calibrations: %v", c)
	}
	if len(p.sections["config_changes"]) != 1 || len(p.sections["clock_status"]) != 1 {
		t.Errorf("config changes %v, clock status %v", p.sections["config_changes"], p.sections["clock_status"])
	}
	// Who did what, with the kernel's uid where there was one; a name
	// typed as a formula stays text.
	if a := p.sections["actions"]; len(a) != 2 || a[0]["who"] != "kim" || a[0]["uid"] != "1001" || a[0]["kind"] != "acknowledge" ||
		a[1]["uid"] != "" || a[1]["who"] != "'=cmd" || a[1]["error"] != "wrong PIN" {
		t.Errorf("actions: %v", a)
	}
}

// TestSpanWidenedToWholeShifts asks for one hour in the middle of the
// shift and gets the whole shift, with every minute of it.
func TestSpanWidenedToWholeShifts(t *testing.T) {
	j, _ := day(t, dayShift.End)
	o := dayOptions(t, "csv")
	o.From, o.To = dayShift.Start.Add(5*time.Hour), dayShift.Start.Add(6*time.Hour)
	p := parseCSV(t, run(t, j, o))
	if n := len(p.sections["shifts"]); n != 2 {
		t.Errorf("%d shifts, want the day shift of staff and mirror", n)
	}
	ms := p.sections["minutes"]
	if want := 2 * (720 - 20); len(ms) != want {
		t.Errorf("%d minutes, want %d: the whole shift for both zones", len(ms), want)
	}
	if ms[0]["start"] != "2026-03-03T15:00:00Z" || ms[len(ms)-1]["start"] != "2026-03-04T02:59:00Z" {
		t.Errorf("minutes from %s to %s, want the shift's 15:00Z to 02:59Z", ms[0]["start"], ms[len(ms)-1]["start"])
	}
	if span := p.comment("span"); len(span) != 1 || !strings.HasPrefix(span[0], "2026-03-03T15:00:00Z") {
		t.Errorf("# span: %v", span)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	j, sim := day(t, dayShift.End)
	data := run(t, j, dayOptions(t, "json"))
	var doc export.Document
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("the JSON export does not decode: %v\n%s", err, data[:min(len(data), 2000)])
	}
	if doc.Site != "Hope" || doc.Room != "Room 1" || !reflect.DeepEqual(doc.Sensors, []export.Sensor{{Name: "scd41-staff", Serial: "0x2A41F"}}) ||
		doc.TimeZone != "America/Vancouver" || doc.Schema != journal.SchemaVersion {
		t.Errorf("header: %+v", doc.Header)
	}
	var live *export.Shift
	for i, s := range doc.Shifts {
		if s.Zone == "staff" && s.Start.Equal(dayShift.Start) {
			live = &doc.Shifts[i]
		}
	}
	if live == nil || live.Source != export.SourceLive || live.TWA != sim.live.TWA || live.STELPeak != sim.live.STELPeak ||
		live.Coverage != sim.live.Coverage || live.AboveSTEL.Count != sim.live.AboveSTEL.Count {
		t.Fatalf("live shift after a round trip: %+v\nwant %+v", live, sim.live)
	}
	want, _ := j.Minutes(*doc.Window.SpanFrom, *doc.Window.SpanTo, "", "")
	if len(doc.Minutes) != len(want) || doc.Minutes[0].Mean != want[0].Mean || !doc.Minutes[0].Start.Equal(want[0].Start) {
		t.Errorf("%d minutes, want %d; first %+v, want %+v", len(doc.Minutes), len(want), doc.Minutes[0], want[0])
	}
	if len(doc.Ventilation) != 1 || doc.Ventilation[0].ACH != 61.25 || doc.Ventilation[0].Zone != "booth-1" {
		t.Errorf("ventilation: %+v, want the one booth-1 measurement", doc.Ventilation)
	}
	if len(doc.Events) != 2 || !math.IsNaN(float64(doc.Events[1].Value)) || doc.Events[0].Value != 2600 {
		t.Errorf("events: %+v; want the fault's value null (NaN)", doc.Events)
	}
	// The same records as the CSV, section for section.
	p := parseCSV(t, run(t, j, dayOptions(t, "csv")))
	for name, n := range map[string]int{"shifts": len(doc.Shifts), "minutes": len(doc.Minutes), "gaps": len(doc.Gaps),
		"events": len(doc.Events), "acks": len(doc.Acks), "calibrations": len(doc.Calibrations),
		"config_changes": len(doc.ConfigChanges), "clock_status": len(doc.ClockStatus), "actions": len(doc.Actions),
		"ventilation": len(doc.Ventilation)} {
		if len(p.sections[name]) != n {
			t.Errorf("%s: %d in CSV, %d in JSON", name, len(p.sections[name]), n)
		}
	}
	if v := p.sections["ventilation"]; len(v) != 1 || v[0]["ach"] != "61.250" || v[0]["share"] != "0.510" || v[0]["observations"] != "3" {
		t.Errorf("ventilation in CSV: %v", v)
	}
}

// TestOldJournal exports minutes with no shift rows at all, as a journal
// from before ventd stored summaries: with the configuration the shifts
// are rebuilt on its schedule; without, the file says what to do.
func TestOldJournal(t *testing.T) {
	j := newJournal(t)
	sim := simulate(t, "staff", dayShift.End)
	write(t, j, journal.Batch{Minutes: sim.minutes, Gaps: []journal.Gap{sim.gap}})

	p := parseCSV(t, run(t, j, dayOptions(t, "csv")))
	r := shiftRow(t, p, "staff", dayShift.Start)
	if r["source"] != "minutes" || math.Abs(float(t, r, "twa_osha")-sim.live.TWA) > 0.01 || r["coverage_pct"] != f3(sim.live.Coverage) {
		t.Errorf("rebuilt on the configured schedule: %v; live TWA %.3f coverage %.3f", r, sim.live.TWA, sim.live.Coverage)
	}
	// The night shift before holds the 15 min of warm-up data: listed,
	// with its poor coverage for all to see.
	night := shiftRow(t, p, "staff", dayShift.Start.Add(-12*time.Hour))
	if got := float(t, night, "coverage_pct"); math.Abs(got-100*15.0/720) > 0.001 {
		t.Errorf("night shift coverage %v%%, want 15 min of 12 h", got)
	}

	o := dayOptions(t, "csv")
	o.Config = nil
	p = parseCSV(t, run(t, j, o))
	notes := strings.Join(p.comment("note"), "\n")
	if len(p.sections["shifts"]) != 0 || !strings.Contains(notes, "-config FILE") {
		t.Errorf("without a configuration: %d shifts, notes %q; want none and a note saying to give -config", len(p.sections["shifts"]), notes)
	}
	if p.comment("time_zone")[0] != "America/Vancouver (the start_local column)" {
		t.Errorf("time zone %v", p.comment("time_zone"))
	}
}

// TestRunningShift exports in the middle of the shift: the live row is
// the daemon's last write, the rebuilt one runs up to Now.
func TestRunningShift(t *testing.T) {
	now := dayShift.Start.Add(6 * time.Hour)
	j, sim := day(t, now)
	o := dayOptions(t, "csv")
	o.Now = now
	p := parseCSV(t, run(t, j, o))
	live, rebuilt := shiftRow(t, p, "staff", dayShift.Start), shiftRow(t, p, "mirror", dayShift.Start)
	for _, r := range []map[string]string{live, rebuilt} {
		if r["finished"] != "false" || r["until"] != now.UTC().Format(time.RFC3339) || !strings.Contains(r["note"], "running") {
			t.Errorf("%s row: finished %s, until %s, note %q; want a running shift up to %v", r["source"], r["finished"], r["until"], r["note"], now.UTC())
		}
	}
	if live["twa_osha"] != f3(sim.live.TWA) || math.Abs(float(t, rebuilt, "twa_osha")-sim.live.TWA) > 0.01 {
		t.Errorf("running TWA: live %s, rebuilt %s, tracker %.3f", live["twa_osha"], rebuilt["twa_osha"], sim.live.TWA)
	}
}

func TestParseWindow(t *testing.T) {
	from, to, err := export.ParseWindow("2026-03-08", "2026-03-08", vancouver)
	if err != nil || to.Sub(from) != 23*time.Hour || from.Hour() != 0 {
		t.Errorf("the spring-forward day: %v to %v (%v), %v; want 23 h from local midnight", from, to, to.Sub(from), err)
	}
	if from, to, err := export.ParseWindow("", "", vancouver); !from.IsZero() || !to.IsZero() || err != nil {
		t.Errorf("no dates: %v, %v, %v; want the whole journal", from, to, err)
	}
	for _, c := range []struct{ from, to, want string }{
		{"2026-3-5", "", `from date "2026-3-5" is not a date: write it YYYY-MM-DD`},
		{"", "yesterday", `to date "yesterday" is not a date`},
		{"2026-03-05", "2026-03-01", "from 2026-03-05 is after to 2026-03-01"},
		{"0001-01-01", "9999-12-31", "from date 0001-01-01 is outside the dates ventd's records can hold, 1970-01-01 to 9998-12-31: give a date in that range"},
		{"", "9999-12-31", "to date 9999-12-31 is outside the dates ventd's records can hold, 1970-01-01 to 9998-12-31: give a date in that range"},
	} {
		if _, _, err := export.ParseWindow(c.from, c.to, vancouver); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseWindow(%q, %q) = %v, want %q", c.from, c.to, err, c.want)
		}
	}
}

// The widest window ParseWindow gives exports in every format, in the
// time zones furthest from UTC (issue 14: 0001-01-01 to 9999-12-31 gave
// a 500 with Go's error for a year it cannot write).
func TestWidestWindow(t *testing.T) {
	j, _ := day(t, dayShift.End)
	// The earliest start in UTC is in the zone furthest east, the latest
	// end in the one furthest west.
	for zone, f := range map[string]string{"Pacific/Kiritimati": "csv", "Etc/GMT+12": "json"} {
		loc := mustLoad(zone)
		from, to, err := export.ParseWindow(export.FirstDate, export.LastDate, loc)
		if err != nil {
			t.Fatal(err)
		}
		out := run(t, j, export.Options{From: from, To: to, Format: f, Location: loc, Now: dayShift.End})
		if f == "json" {
			var doc export.Document
			if err := json.Unmarshal(out, &doc); err != nil || len(doc.Minutes) == 0 {
				t.Errorf("%s %s: %v, %d minutes", zone, f, err, len(doc.Minutes))
			}
		}
	}
	_, err := writeErr(j, export.Options{To: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), Now: dayShift.End})
	if err == nil || !strings.Contains(err.Error(), "outside the times an export covers") {
		t.Errorf("Options.To in 9999-12-31: %v", err)
	}
}

func writeErr(j *journal.Journal, o export.Options) ([]byte, error) {
	var buf bytes.Buffer
	err := export.Write(&buf, j, o)
	return buf.Bytes(), err
}

func TestOptionErrors(t *testing.T) {
	j := newJournal(t)
	good := export.Options{Now: dayShift.Start}
	for _, c := range []struct {
		mod  func(*export.Options)
		want string
	}{
		{func(o *export.Options) { o.Format = "xml" }, `format "xml": use csv, json or openmetrics`},
		{func(o *export.Options) { o.Now = time.Time{} }, "Options.Now is zero"},
		{func(o *export.Options) { o.From, o.To = dayShift.End, dayShift.Start }, "is not before"},
	} {
		o := good
		c.mod(&o)
		var buf bytes.Buffer
		err := export.Write(&buf, j, o)
		if err == nil || !strings.Contains(err.Error(), c.want) || buf.Len() != 0 {
			t.Errorf("Write with %+v: %v, %d bytes written; want %q and nothing written", o, err, buf.Len(), c.want)
		}
	}
	if err := export.Write(&bytes.Buffer{}, nil, good); err == nil {
		t.Error("Write with no journal succeeded")
	}
	// An empty journal exports its header and empty sections.
	p := parseCSV(t, run(t, j, good))
	if len(p.order) != 10 || len(p.sections["minutes"]) != 0 || p.comment("window")[0] != "the whole journal" {
		t.Errorf("empty journal: sections %v, window %v", p.order, p.comment("window"))
	}
}

// failAfter fails every write past n bytes, as a full disk does.
type failAfter struct{ n int }

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		return 0, errFull
	}
	return len(p), nil
}

var errFull = errorString("disk full")

type errorString string

func (e errorString) Error() string { return string(e) }

func TestWriteFails(t *testing.T) {
	j, _ := day(t, dayShift.End)
	if err := export.Write(&failAfter{n: 10 << 10}, j, dayOptions(t, "csv")); err != errFull {
		t.Errorf("Write to a failing writer: %v, want its error", err)
	}
}

// An export says whether its rows fit the journal's hash chain, as the
// report does: an edited minute shows as PROBLEMS in its header (an
// auditor's sweep: an export of an edited journal printed its chain head
// without a word).
func TestExportSaysItsIntegrity(t *testing.T) {
	j, _ := day(t, dayShift.End)
	p := parseCSV(t, run(t, j, dayOptions(t, "csv")))
	if got := p.comment("integrity"); len(got) != 1 || !strings.HasPrefix(got[0], "verified: the ") {
		t.Fatalf("# integrity of an untouched journal: %q", got)
	}
	db, err := sql.Open("sqlite", j.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE minutes SET mean = mean + 1 WHERE start_ms = (SELECT min(start_ms) FROM minutes) AND series = (SELECT min(series) FROM minutes)`); err != nil {
		t.Fatal(err)
	}
	p = parseCSV(t, run(t, j, dayOptions(t, "csv")))
	if got := p.comment("integrity"); len(got) != 1 || !strings.HasPrefix(got[0], "PROBLEMS: 1 rows") {
		t.Errorf("# integrity after a minute was edited: %q", got)
	}
}

// A shift cut short by a stop with no restart since stayed "running" in
// every export and report made later, months on. Once it is over it reads
// as finished where the record stops (interrupted), the rest of it a gap.
func TestStoppedShiftReadsInterruptedOnceOver(t *testing.T) {
	stop := dayShift.Start.Add(6 * time.Hour)
	j, sim := day(t, stop)
	o := dayOptions(t, "csv")
	o.Now = dayShift.End.Add(90 * 24 * time.Hour)
	p := parseCSV(t, run(t, j, o))
	live := shiftRow(t, p, "staff", dayShift.Start)
	if live["finished"] != "true" || live["complete"] != "false" || !strings.Contains(live["note"], "interrupted") ||
		live["until"] != dayShift.End.UTC().Format(time.RFC3339) {
		t.Errorf("a shift stopped at %v, exported 90 days after its end: finished %s, complete %s, until %s, note %q; want it finished at its end, incomplete, interrupted",
			stop.UTC(), live["finished"], live["complete"], live["until"], live["note"])
	}
	if live["twa_osha"] != f3(sim.live.TWA) {
		t.Errorf("the interrupted shift's TWA %s, the daemon's last write %.3f: a figure changed", live["twa_osha"], sim.live.TWA)
	}
	if cov := float(t, live, "coverage_pct"); cov > 51 {
		t.Errorf("coverage %.1f%% of a 12 h shift measured for 6 h: the rest must be a gap", cov)
	}
	// Just after its end a running ventd may not have written the end yet.
	o.Now = dayShift.End.Add(time.Minute)
	if r := shiftRow(t, parseCSV(t, run(t, j, o)), "staff", dayShift.Start); r["finished"] != "false" {
		t.Errorf("a minute after its end the shift reads finished %s: ventd may still be writing it", r["finished"])
	}
}

// The JSON export wrote a limit that does not exist (PM2.5 has no
// occupational TWA or STEL limit for drug smoke) as 0, which reads as a
// limit of zero: everything over it. It is null, as the CSV leaves the
// cell empty, and a document read back gives 0 (no limit) again.
func TestJSONNoLimitIsNull(t *testing.T) {
	j := newJournal(t)
	start := dayShift.Start.UTC()
	sum := exposure.Summary{Quantity: sample.PM25, Unit: "µg/m³", Zone: "staff", Start: start, End: start.Add(12 * time.Hour),
		Until: start.Add(12 * time.Hour), Finished: true, TWA: 4.2, MeanCovered: 8.4, ReductionFactor: 0.5,
		Limits:    exposure.Limits{Alarm: 125.5, Source: "no occupational limit <for drug smoke> & an alarm level"},
		AboveSTEL: exposure.Excursions{}, AboveTWA: exposure.Excursions{}}
	b, err := json.Marshal(sum)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Write(journal.Batch{Shifts: []journal.Shift{{Zone: "staff", Quantity: "pm25", Start: sum.Start, End: sum.End, Finished: true, Summary: b}}}); err != nil {
		t.Fatal(err)
	}
	out := string(run(t, j, dayOptions(t, "json")))
	var raw struct {
		Shifts []map[string]any `json:"shifts"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil || len(raw.Shifts) != 1 {
		t.Fatalf("%v: %.1500s", err, out)
	}
	sh := raw.Shifts[0]
	lim, _ := sh["limits"].(map[string]any)
	stel, _ := sh["excursions_above_stel"].(map[string]any)
	twa, _ := sh["excursions_above_twa"].(map[string]any)
	for what, v := range map[string]any{"limits.twa": lim["twa"], "limits.stel": lim["stel"], "adjusted_twa_limit": sh["adjusted_twa_limit"],
		"excursions_above_stel.level": stel["level"], "excursions_above_twa.level": twa["level"]} {
		if v != nil {
			t.Errorf("%s is %v for a limit that does not exist; want null", what, v)
		}
	}
	if lim["alarm"] != 125.5 || !strings.Contains(out, `<for drug smoke> &`) {
		t.Errorf("limits %v; want the alarm level 125.5 and the source as written:\n%.1500s", lim, out)
	}
	var doc export.Document
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Shifts) != 1 || doc.Shifts[0].Limits.TWA != 0 || doc.Shifts[0].Limits.Alarm != 125.5 || doc.Shifts[0].TWA != 4.2 {
		t.Errorf("read back: %+v", doc.Shifts)
	}
}
