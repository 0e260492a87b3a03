package main

// A technician's walk through ventctl: what it found, each test naming
// the defect it showed.

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ventd/ventd/ctlsock"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/statelock"
)

// ventd runs, but its control socket could not be used by this technician
// (not yet in group ventd: "permission denied"; here a socket that answers
// something unreadable, since a root test cannot be denied). doctor then
// cannot tell whether ventd runs, and probes every configured sensor on the
// bus itself: beside a running ventd that corrupts its transfers and stops
// the SCD4x it is reading (identify leaves an SCD4x idle). On a Pi the same
// branch opens /dev/i2c-N (shown with `setpriv --reuid=nobody ventctl
// doctor` in the report). It should probe only when nothing answers.
func TestTechnicianDoctorProbesTheBusWhenItCannotTellVentdRuns(t *testing.T) {
	in := newInstall(t, "sim.yaml")
	in.mkdir("/run/ventd", 0o750)
	ln, err := net.Listen("unix", in.path(ctlsock.DefaultPath))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "busy", http.StatusServiceUnavailable)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	probed := false
	code, out := in.doctor(env{sim: func(*simRoom) { probed = true }}, "-sim")
	t.Logf("exit %d\n%s", code, out)
	if probed || strings.Contains(out, "answers: SPS30") {
		t.Errorf("doctor could not tell whether ventd runs, yet probed the sensors' bus itself (the hardware path opens /dev/i2c-N beside ventd)")
	}
}

// A report or export made with another site's configuration (or the same
// site's with a changed time zone) silently relabels the journal's shifts in
// that configuration's time zone and selects days and -shift by it: no word
// that the journal says another site, room and zone.
func TestTechnicianRecordsWithAnotherSitesConfigSayNothing(t *testing.T) {
	dir, j := stateDir(t) // site "Example OPS", shifts kept in America/Vancouver
	if err := j.SetMeta(journal.TimeZoneKey, "America/Vancouver"); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other.yaml")
	sim, err := os.ReadFile(simConfig()) // site "Simulated OPS", time_zone UTC
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, sim, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, errOut := ventctl(t, "export", "-state-dir", dir, "-config", other, "-format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(stdout, "# time_zone: UTC") {
		t.Logf("time zone line: %q", stdout[strings.Index(stdout, "# time_zone"):][:40])
	}
	if !strings.Contains(errOut, "Example OPS") && !strings.Contains(errOut, "America/Vancouver") {
		t.Errorf("export with a configuration of site %q (UTC) on a journal of site %q (America/Vancouver): no warning; stderr %q; the shifts now read %s",
			"Simulated OPS", "Example OPS", errOut, shiftLine(t, stdout)[:120])
	}
}

// `ventctl read -n 1` (a quick look) with an SCD41 configured exits 1 and
// prints nothing on stderr: the SCD41's first measurement (5 s) is not in
// by the first round, and the exit status counts it as failed. A technician
// sees "waiting for its first measurement" and an unexplained failure.
func TestTechnicianReadOneRoundFailsWithoutSayingWhy(t *testing.T) {
	code, out, errOut, _ := simCmd(t, "read", "-sim", "-n", "1")
	if code != exitOK && strings.TrimSpace(errOut) == "" {
		t.Errorf("read -sim -n 1: exit %d with nothing on stderr; stdout:\n%s", code, out)
	}
}

// A report for days the journal does not hold (a typo in the year) is
// written, exit 0, stamped "Record integrity: VERIFIED" over 0 rows, and
// nothing on stderr says the window missed the journal.
func TestTechnicianReportOfAnEmptyWindowSaysNothing(t *testing.T) {
	dir, _ := stateDir(t) // holds 2026-03-03
	out := filepath.Join(t.TempDir(), "r.html")
	code, _, errOut := ventctl(t, "report", "-state-dir", dir, "-from", "2025-03-03", "-to", "2025-03-03", "-o", out)
	body, _ := os.ReadFile(out)
	t.Logf("exit %d stderr %q", code, errOut)
	warned := strings.TrimSpace(strings.ReplaceAll(errOut, "ventctl report: wrote "+out, ""))
	if code == exitOK && !strings.Contains(warned, "\n") && !strings.Contains(warned, "journal") {
		t.Errorf("report of a window outside the journal: exit %d, stderr %q; the file says VERIFIED: %v",
			code, errOut, strings.Contains(string(body), "VERIFIED"))
	}
}

// `ventctl` with no command printed the usage and exited 0, as `ventctl
// help` does: a script that forgot the command passed.
func TestTechnicianNoCommandExitsZero(t *testing.T) {
	if code, _, _ := ventctl(t); code != exitUsage {
		t.Errorf("ventctl with no command: exit %d, want %d (usage)", code, exitUsage)
	}
}

// ventctl fan on the hardware checked only ventd's socket: a ventd that
// systemd started meanwhile, or a second ventctl, drove the same fans. It
// takes the state directory's lock as ventd does.
func TestTechnicianFanTakesTheStateDirectory(t *testing.T) {
	dir := t.TempDir()
	held, err := statelock.Lock(dir, "ventd")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	sim, err := os.ReadFile(simConfig())
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "ventd.yaml")
	if err := os.WriteFile(cfg, append(sim, []byte("\nstate_dir: "+dir+"\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := ventctl(t, "fan", "-config", cfg, "-socket", "", "-fan", "booth-exhaust", "-duty", "50", "-for", "1s")
	if code == exitOK || !strings.Contains(errOut, "is using the state directory") {
		t.Errorf("ventctl fan while ventd holds the state directory: exit %d, %q", code, errOut)
	}
}
