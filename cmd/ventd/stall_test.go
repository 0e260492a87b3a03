package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/snapshot"
)

// scratchFS makes a small ext4 file system on a loop device, as an SD card
// stands in for in the field, and returns where it is mounted. It needs
// root; outside CI a test without it is skipped with the reason, in CI it
// fails.
func scratchFS(t *testing.T) string {
	t.Helper()
	need := func(why string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the stalled-disk test needs %s", why)
		}
		t.Skipf("needs %s", why)
	}
	if os.Geteuid() != 0 {
		need("root (a loop-mounted ext4 and fsfreeze)")
	}
	for _, tool := range []string{"mkfs.ext4", "fsfreeze", "mount", "umount"} {
		if _, err := exec.LookPath(tool); err != nil {
			need(tool + " (Debian: e2fsprogs, util-linux, mount)")
		}
	}
	dir := t.TempDir()
	img, mnt := filepath.Join(dir, "sd.img"), filepath.Join(dir, "mnt")
	os.Mkdir(mnt, 0o755)
	run := func(name string, args ...string) error {
		out, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := run("truncate", "-s", "64M", img); err != nil {
		t.Fatal(err)
	}
	if err := run("mkfs.ext4", "-q", img); err != nil {
		t.Fatal(err)
	}
	if err := run("mount", "-o", "loop", img, mnt); err != nil {
		need("loop devices: " + err.Error())
	}
	t.Cleanup(func() {
		exec.Command("fsfreeze", "-u", mnt).Run()
		run("umount", mnt)
	})
	return mnt
}

func poll(addr, path string) (*http.Response, error) {
	c := http.Client{Timeout: 2 * time.Second}
	return c.Get("http://" + addr + path)
}

// TestStalledDiskStopsNothing freezes the file system under the journal
// (fsfreeze, as an SD card stalls) for 20 s of real time (VENTD_STALL_FREEZE
// sets another, e.g. 60s) while ventd runs its simulated room at 30× speed:
// the loop keeps its period, /api/state
// and /metrics answer, the journal fault alarm rises; after the thaw the
// alarm clears and no minute of the record is missing.
func TestStalledDiskStopsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for about 40 s")
	}
	freeze := 20 * time.Second
	if v := os.Getenv("VENTD_STALL_FREEZE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("VENTD_STALL_FREEZE=%q: give a duration such as 60s", v)
		}
		freeze = d
	}
	mnt := scratchFS(t)
	bin := ventdBinary(t)
	start := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	cmd, addr := startSim(t, bin, mnt, start, 30)
	var s *snapshot.Snapshot
	for s == nil || s.Time.Sub(start) < 3*time.Minute {
		s, _ = getState(addr)
		time.Sleep(50 * time.Millisecond)
	}
	if err := exec.Command("fsfreeze", "-f", mnt).Run(); err != nil {
		t.Fatal(err)
	}
	frozeAt, frozen := s.Time, time.Now()
	overruns := s.Health.LoopOverruns
	var answered, faulted int
	last := s.Time
	for time.Since(frozen) < freeze {
		st, err := getState(addr)
		if err != nil {
			t.Fatalf("/api/state with the disk frozen for %v: %v", time.Since(frozen).Round(time.Millisecond), err)
		}
		resp, err := poll(addr, "/metrics")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("/metrics with the disk frozen: %v", err)
		}
		resp.Body.Close()
		if !st.Time.After(last) {
			t.Fatalf("the loop stopped with the disk frozen: still at %v after %v", st.Time.Sub(start), time.Since(frozen).Round(time.Millisecond))
		}
		last = st.Time
		answered++
		for _, a := range st.Alarms.Alarms {
			if a.RuleID == alarm.JournalRule {
				faulted++
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	st, _ := getState(addr)
	t.Logf("disk frozen for %v: %d answers, simulated time ran %v, loop overruns %d → %d, journal fault in %d answers",
		time.Since(frozen).Round(time.Second), answered, st.Time.Sub(frozeAt).Round(time.Second), overruns, st.Health.LoopOverruns, faulted)
	if st.Health.LoopOverruns != overruns {
		t.Errorf("the loop overran %d times while the disk was frozen", st.Health.LoopOverruns-overruns)
	}
	if faulted == 0 || st.Health.JournalOK {
		t.Errorf("no journal fault while the disk was frozen (health %+v)", st.Health)
	}
	if err := exec.Command("fsfreeze", "-u", mnt).Run(); err != nil {
		t.Fatal(err)
	}
	thawed := time.Now()
	for {
		st, err := getState(addr)
		if err == nil && st.Health.JournalOK && !hasRule(st, alarm.JournalRule) {
			t.Logf("journal writing again %v after the thaw", time.Since(thawed).Round(time.Millisecond))
			break
		}
		if time.Since(thawed) > 30*time.Second {
			t.Fatalf("30 s after the thaw the journal fault is still there: %+v", st.Health)
		}
		time.Sleep(100 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	j, err := journal.OpenReadOnly(filepath.Join(mnt, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	ms, err := j.Minutes(time.Time{}, time.Time{}, "staff", "pm25")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(ms); i++ {
		if d := ms[i].Start.Sub(ms[i-1].Start); d != time.Minute {
			t.Errorf("minutes %s and %s of the record are %v apart: lost across the stall", ms[i-1].Start.Format("15:04"), ms[i].Start.Format("15:04"), d)
		}
	}
	if len(ms) < 10 || !ms[len(ms)-1].Start.After(frozeAt.Add(5*time.Minute)) {
		t.Errorf("%d minutes recorded, the last at %v: the stall's minutes are missing", len(ms), ms[len(ms)-1].Start)
	}
}

func hasRule(s *snapshot.Snapshot, id alarm.RuleID) bool {
	for _, a := range s.Alarms.Alarms {
		if a.RuleID == id {
			return true
		}
	}
	return false
}
