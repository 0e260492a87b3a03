package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/sample"
)

var (
	vancouver, _ = time.LoadLocation("America/Vancouver")
	shiftStart   = time.Date(2026, 3, 3, 7, 0, 0, 0, vancouver)
	shiftEnd     = shiftStart.Add(12 * time.Hour)
	genTime      = time.Date(2026, 3, 4, 9, 30, 0, 0, time.UTC)
)

// ventctl runs the command line in-process.
func ventctl(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, env{stdout: &o, stderr: &e, now: func() time.Time { return genTime }})
	return code, o.String(), e.String()
}

// stateDir makes a state directory whose journal holds one 12 h day shift
// of CO2 minutes at 900 ppm, with a 30 min gap, and the live summary.
func stateDir(t *testing.T) (dir string, j *journal.Journal) {
	t.Helper()
	dir = t.TempDir()
	j, err := journal.Open(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	tr, err := exposure.New(exposure.Opts{Quantity: sample.CO2, Zone: "staff", Schedule: exposure.Schedule{
		Starts: []time.Duration{7 * time.Hour, 19 * time.Hour}, Length: 12 * time.Hour, Location: vancouver}})
	if err != nil {
		t.Fatal(err)
	}
	b := journal.Batch{Meta: map[string]string{"site": "Example OPS", "room": "Inhalation room 1", "sensor.scd41-staff.serial": "SN42"}}
	for at := shiftStart; at.Before(shiftEnd); at = at.Add(time.Minute) {
		if d := at.Sub(shiftStart); d >= 2*time.Hour && d < 2*time.Hour+30*time.Minute {
			continue
		}
		b.Minutes = append(b.Minutes, journal.Minute{Start: at.UTC(), Zone: "staff", Quantity: "co2", Mean: 900, Max: 950, Count: 12, CoveredSeconds: 60})
		if err := tr.AddInterval(at, time.Minute, 900); err != nil {
			t.Fatal(err)
		}
	}
	tr.Gap(shiftEnd, shiftEnd)
	done, _ := tr.TakeFinished()
	sum, _ := json.Marshal(done[0])
	b.Shifts = []journal.Shift{{Zone: "staff", Quantity: "co2", Start: shiftStart, End: shiftEnd, Finished: true, Summary: sum}}
	b.Gaps = []journal.Gap{{Start: shiftStart.Add(2 * time.Hour), End: shiftStart.Add(150 * time.Minute), Reason: journal.GapDaemonDown}}
	if _, err := j.Write(b); err != nil {
		t.Fatal(err)
	}
	return dir, j
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}} {
		code, out, _ := ventctl(t, args...)
		if code != 0 || !strings.Contains(out, "ventctl export -state-dir DIR") || !strings.Contains(out, "check-config") {
			t.Errorf("ventctl %v: exit %d, %q; want the usage listing export and check-config", args, code, out)
		}
	}
	// Every command lists its flags with -help, calibrate too (its one
	// kind's flags).
	for _, cmd := range []string{"scan", "read", "fan", "purge", "ack", "calibrate", "export", "report", "verify", "check-config", "doctor"} {
		code, _, errOut := ventctl(t, cmd, "-help")
		if code != 0 || !strings.Contains(errOut, "  -") {
			t.Errorf("ventctl %s -help: exit %d, %q; want its flags", cmd, code, errOut)
		}
	}
	// -config's help names the example where a Pi has it: the package's
	// copy (a Pi has no source tree with config/example.yaml).
	if _, _, errOut := ventctl(t, "check-config", "-help"); !strings.Contains(errOut, "/usr/share/ventd/example.yaml, or config/example.yaml in a source checkout") {
		t.Errorf("ventctl check-config -help: %q; want the installed example named", errOut)
	}
	code, out, errOut := ventctl(t, "frobnicate")
	if code != 2 || out != "" || !strings.Contains(errOut, `unknown command "frobnicate"`) || !strings.Contains(errOut, "usage: ventctl") {
		t.Errorf("unknown command: exit %d, stderr %q", code, errOut)
	}
}

// TestExportEndToEnd exports the day to a file while the "daemon" keeps
// the journal open and writes to it, and checks the shift against the
// minutes in the file.
func TestExportEndToEnd(t *testing.T) {
	dir, daemon := stateDir(t)
	out := filepath.Join(t.TempDir(), "march.csv")
	code, _, errOut := ventctl(t, "export", "-state-dir", dir, "-from", "2026-03-03", "-to", "2026-03-03",
		"-config", "../../config/example.yaml", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "wrote "+out) {
		t.Errorf("stderr %q: want it to say what it wrote", errOut)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{"# site: Example OPS", "# room: Inhalation room 1", "# sensor: scd41-staff serial SN42",
		"# generated: 2026-03-04T09:30:00Z", "# software: ventd (devel) (ventctl export)", "# time_zone: America/Vancouver",
		"# section: shifts", "# section: minutes", "# section: gaps", "daemon_down"} {
		if !strings.Contains(text, want) {
			t.Errorf("the export lacks %q", want)
		}
	}
	// 11.5 h at 900 ppm over 8 h.
	row := shiftLine(t, text)
	if want := "1293.750"; !strings.Contains(row, ",live,"+want+",") || !strings.Contains(row, "2026-03-03T07:00:00-08:00") {
		t.Errorf("shift row %q: want live, TWA %s (900 ppm × 11.5 h / 8 h)", row, want)
	}
	// The daemon writes on; a reader changed nothing it needs.
	if _, err := daemon.Write(journal.Batch{Minutes: []journal.Minute{{Start: shiftEnd.UTC(), Zone: "staff", Quantity: "co2",
		Mean: 1, Max: 1, Count: 1, CoveredSeconds: 1}}}); err != nil {
		t.Fatalf("the daemon cannot write after the export: %v", err)
	}
	if v := daemon.Version(); v != journal.SchemaVersion {
		t.Errorf("schema %d", v)
	}

	// JSON to standard output, whole journal.
	code, stdout, errOut := ventctl(t, "export", "-state-dir", dir, "-format", "json")
	var doc export.Document
	if code != 0 || json.Unmarshal([]byte(stdout), &doc) != nil || len(doc.Shifts) != 1 || doc.Window.From != nil || len(doc.Minutes) != 12*60-30+1 {
		t.Errorf("json export: exit %d, %s, %d shifts, %d minutes", code, errOut, len(doc.Shifts), len(doc.Minutes))
	}
}

// The OpenMetrics export of the same shift: the dose counter's rise over
// the shift is 900 ppm × 11.5 h, the TWA × 8 h, with a sample each minute
// but the 29 inside the 30 min ventd was down (Prometheus had none there).
func TestExportOpenMetrics(t *testing.T) {
	dir, _ := stateDir(t)
	out := filepath.Join(t.TempDir(), "shift.om")
	code, _, errOut := ventctl(t, "export", "-state-dir", dir, "-config", "../../config/example.yaml", "-format", "openmetrics", "-o", out)
	data, _ := os.ReadFile(out)
	text := string(data)
	if code != 0 || !strings.HasSuffix(text, "# EOF\n") {
		t.Fatalf("exit %d, %s; %d bytes", code, errOut, len(data))
	}
	// Prometheus's increase() without extrapolation: a drop is the
	// restart at midnight UTC, counted from zero.
	var sum, prev float64
	n := 0
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, `ventd_exposure_dose_ppm_seconds_total{pollutant="co2",room="Inhalation room 1",site="Example OPS",zone="staff"}`) {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[len(f)-2], 64)
			switch {
			case n == 0:
			case v < prev:
				sum += v
			default:
				sum += v - prev
			}
			prev = v
			n++
		}
	}
	if want := 900 * 11.5 * 3600; n != 12*60+1-29 || sum != want {
		t.Errorf("%d dose samples rising by %v ppm·s; want 692 (a minute apart over the shift, none while ventd was down) rising by %v", n, sum, want)
	}
}

func shiftLine(t *testing.T, csv string) string {
	t.Helper()
	_, after, _ := strings.Cut(csv, "# section: shifts\n")
	lines := strings.Split(after, "\n")
	if len(lines) < 2 {
		t.Fatalf("no shift rows in %q", after)
	}
	return lines[1]
}

func TestExportErrors(t *testing.T) {
	dir, _ := stateDir(t)
	empty := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"-state-dir", dir, "-from", "2026-3-3"}, 2, []string{`from date "2026-3-3" is not a date`, "YYYY-MM-DD"}},
		{[]string{"-state-dir", dir, "-to", "March"}, 2, []string{`to date "March"`}},
		{[]string{"-state-dir", dir, "-from", "2026-03-05", "-to", "2026-03-01"}, 2, []string{"from 2026-03-05 is after to 2026-03-01"}},
		{[]string{"-state-dir", dir, "-format", "xml"}, 2, []string{`-format "xml": use csv, json or openmetrics`}},
		{[]string{"-state-dir", dir, "-format", "openmetrics"}, 2, []string{"-format openmetrics needs -config FILE"}},
		{[]string{"-state-dir", empty}, 1, []string{"no journal at " + filepath.Join(empty, "journal.db"), "-state-dir takes the directory holding journal.db"}},
		{[]string{"-state-dir", filepath.Join(dir, "journal.db")}, 2, []string{"is a file", "-state-dir " + dir}},
		{[]string{"-state-dir", dir, "-config", filepath.Join(empty, "none.yaml")}, 1, []string{"-config", "none.yaml"}},
		{[]string{"-state-dir", dir, "-o", filepath.Join(empty, "no", "such", "dir.csv")}, 2, []string{"-o", "there is no directory"}},
		{[]string{"-state-dir", dir, "extra"}, 2, []string{`unexpected argument "extra"`}},
		{[]string{"-bogus"}, 2, []string{"flag provided but not defined: -bogus"}},
	} {
		code, out, errOut := ventctl(t, append([]string{"export"}, c.args...)...)
		if code != c.code || out != "" {
			t.Errorf("export %v: exit %d, stdout %d bytes; want exit %d and nothing on stdout", c.args, code, len(out), c.code)
		}
		for _, w := range c.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("export %v: stderr %q lacks %q", c.args, errOut, w)
			}
		}
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("failed exports left files behind: %v", entries)
	}
}

func TestCheckConfig(t *testing.T) {
	code, out, _ := ventctl(t, "check-config", "-config", "../../config/example.yaml")
	if code != 0 || !strings.Contains(out, "OK: site \"Example OPS\"") {
		t.Errorf("example.yaml: exit %d, %q", code, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("site: x\nroom: y\nzones: []\nsensors: []\nfans: []\nshifts: {length: 30h}\n"), 0o644)
	code, _, errOut := ventctl(t, "check-config", "-config", bad)
	if code != 1 || !strings.Contains(errOut, "mistake(s)") || !strings.Contains(errOut, "shifts.length") {
		t.Errorf("bad config: exit %d, %q; want 1 and every mistake listed", code, errOut)
	}
	if code, _, errOut := ventctl(t, "check-config"); code != 2 || !strings.Contains(errOut, "give -config FILE") {
		t.Errorf("no -config: exit %d, %q", code, errOut)
	}
}

// Without -config the export reads days in the shift time zone ventd kept
// in the journal, not the machine's (an auditor's laptop, a Pi on UTC);
// one this machine does not know is said, and the machine's used.
func TestExportTimeZoneFromJournal(t *testing.T) {
	dir, j := stateDir(t)
	if err := j.SetMeta(journal.TimeZoneKey, "America/Vancouver"); err != nil {
		t.Fatal(err)
	}
	code, stdout, errOut := ventctl(t, "export", "-state-dir", dir, "-from", "2026-03-03", "-to", "2026-03-03", "-format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(stdout, "# time_zone: America/Vancouver") {
		t.Errorf("the export's time zone is not the journal's:\n%s", stdout[:min(len(stdout), 600)])
	}
	// The window is the site's 3 March: the whole shift, 07:00-19:00 PST.
	if row := shiftLine(t, stdout); !strings.Contains(row, "2026-03-03T07:00:00-08:00") {
		t.Errorf("shift row %q: want it on the site's clock", row)
	}

	if err := j.SetMeta(journal.TimeZoneKey, "Mars/Olympus_Mons"); err != nil {
		t.Fatal(err)
	}
	code, stdout, errOut = ventctl(t, "export", "-state-dir", dir, "-format", "csv")
	if code != 0 || !strings.Contains(errOut, `the journal's shift time zone "Mars/Olympus_Mons" is not known here`) ||
		!strings.Contains(errOut, "give -config") || !strings.Contains(stdout, "# time_zone: Local") {
		t.Errorf("an unknown zone in the journal: exit %d, stderr %q", code, errOut)
	}
}

// -o naming a directory, or a file in a directory that is not there, is
// refused before anything is made, with a file name to use instead.
func TestOutputPathChecked(t *testing.T) {
	dir, _ := stateDir(t)
	out := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "-state-dir", dir, "-o", out}, "-o " + out + " is a directory: give a file name, like -o " + filepath.Join(out, "export.csv")},
		{[]string{"export", "-state-dir", dir, "-format", "json", "-o", out}, "like -o " + filepath.Join(out, "export.json")},
		{[]string{"report", "-state-dir", dir, "-o", out}, "like -o " + filepath.Join(out, "report.pdf")},
		{[]string{"export", "-state-dir", dir, "-o", filepath.Join(out, "nope", "x.csv")}, "there is no directory " + filepath.Join(out, "nope")},
	} {
		code, _, errOut := ventctl(t, c.args...)
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("ventctl %v: exit %d, %q; want %q", c.args, code, errOut, c.want)
		}
	}
}

// An -o named for one format with -format asking for another is refused:
// x.pdf holding HTML, x.csv holding JSON.
func TestOutputNameAgreesWithFormat(t *testing.T) {
	for _, c := range []struct{ out, format string }{{"x.pdf", "html"}, {"x.HTML", "pdf"}} {
		err := nameAgrees(c.out, c.format, map[string]string{".pdf": "pdf", ".html": "html", ".htm": "html"})
		if err == nil || !strings.Contains(err.Error(), "name the file for its format") {
			t.Errorf("-o %s -format %s: %v", c.out, c.format, err)
		}
	}
	if err := nameAgrees("x.csv", "json", map[string]string{".csv": "csv", ".json": "json"}); err == nil {
		t.Error("-o x.csv -format json accepted")
	}
	for _, c := range []struct{ out, format string }{{"x.pdf", "pdf"}, {"report", "html"}, {"x.om", "openmetrics"}, {"", "pdf"}} {
		if err := nameAgrees(c.out, c.format, map[string]string{".pdf": "pdf", ".html": "html", ".csv": "csv"}); err != nil {
			t.Errorf("-o %q -format %s: %v", c.out, c.format, err)
		}
	}
}
