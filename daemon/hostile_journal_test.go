package daemon

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/journal"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/room"
)

// hostileBase runs ventd 40 min into the 07:00 shift with a staff session
// and stops it cleanly: a journal as a site has it.
func hostileBase(t *testing.T) (dir string, stopped time.Time) {
	t.Helper()
	dir = t.TempDir()
	h := newHarness(t, dir, t0)
	h.run(5 * time.Minute)
	h.rig.Room.StartSession("staff", room.TypicalSession(2, 10*time.Minute))
	s := h.run(35 * time.Minute)
	h.d.shutdown()
	return dir, s.Time
}

// tamper runs SQL on the stopped journal as someone with sqlite3 would.
func tamper(t *testing.T, dir string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// restartControls restarts ventd on dir and checks it controls the fans at
// once and serves /api/state.
func restartControls(t *testing.T, dir string, at time.Time) (*harness, *testbench.LogBuffer) {
	t.Helper()
	done := make(chan struct{})
	var h *harness
	var logs *testbench.LogBuffer
	go func() {
		defer close(done)
		h, logs = newLogHarness(t, dir, at)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("ventd did not start within 20 s of wall time on the tampered journal (the loop, and so fan control, waits)")
	}
	if h == nil {
		t.FailNow()
	}
	h.run(10 * time.Second)
	h.rig.Room.StartSession("booth", room.TypicalSession(3, 3*time.Minute))
	s := h.run(15 * time.Second)
	if f := s.Fans[0]; f.Duty != 1 {
		t.Errorf("after the restart the booth fan did not answer smoke: %+v", f)
	}
	if _, err := json.Marshal(s); err != nil {
		t.Errorf("/api/state cannot be encoded after the restart: %v", err)
	}
	return h, logs
}

func TestHostileBaselineTiming(t *testing.T) {
	start := time.Now()
	dir, at := hostileBase(t)
	t.Logf("base in %v", time.Since(start))
	h, _ := restartControls(t, dir, at.Add(5*time.Minute))
	h.d.shutdown()
	t.Logf("total %v", time.Since(start))
}

// staffShift is the staff PM2.5 running shift as /api/state shows it.
func staffShiftUntil(h *harness) (until time.Time, twa float64) {
	s := h.snapshot()
	for _, e := range s.Exposure {
		if e.Zone == "staff" && string(e.Quantity) == "pm25" && e.Shift != nil {
			return e.Shift.Until, e.Shift.TWA
		}
	}
	return time.Time{}, -1
}

// minutesAfter counts the staff PM2.5 minutes journaled from at on.
func minutesAfter(t *testing.T, dir string, at time.Time) int {
	t.Helper()
	j, err := journal.OpenReadOnly(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	ms, err := j.Minutes(at, at.Add(24*time.Hour), "staff", "pm25")
	if err != nil {
		t.Fatal(err)
	}
	return len(ms)
}

// One minute row stamped in the far future (a Pi whose clock once read
// 2099, or an edit) must not stop the exposure record for good.
func TestHostileFutureMinuteStopsTheRecord(t *testing.T) {
	dir, at := hostileBase(t)
	future := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	tamper(t, dir, fmt.Sprintf(`INSERT INTO minutes (start_ms, series, mean, maximum, count, covered_s)
		SELECT %d, series, mean, maximum, count, covered_s FROM minutes ORDER BY start_ms DESC LIMIT 1`, future))
	restart := at.Add(5 * time.Minute)
	h, logs := restartControls(t, dir, restart)
	h.run(30 * time.Minute)
	until, _ := staffShiftUntil(h)
	h.d.shutdown()
	if n := minutesAfter(t, dir, restart); n < 25 {
		t.Errorf("%d staff PM2.5 minutes journaled in the 30 min after the restart: the exposure record stopped (want ~30)\n%s", n, logs)
	}
	if until.Before(restart.Add(20 * time.Minute)) {
		t.Errorf("the running shift's summary is accounted up to %v only, 30 min after a restart at %v", until, restart)
	}
}

// A minute's covered seconds past 60 (an edit, an older writer) must not
// move the shift's accounting into the future, nor hold up the start.
func TestHostileHugeCoveredSeconds(t *testing.T) {
	for _, covered := range []string{"1e6", "1e8"} {
		t.Run(covered, func(t *testing.T) {
			dir, at := hostileBase(t)
			tamper(t, dir, `UPDATE minutes SET covered_s = `+covered+` WHERE start_ms = (SELECT max(start_ms) FROM minutes)`)
			restart := at.Add(5 * time.Minute)
			began := time.Now()
			h, logs := restartControls(t, dir, restart)
			t.Logf("start took %v of wall time", time.Since(began))
			h.run(30 * time.Minute)
			until, _ := staffShiftUntil(h)
			h.d.shutdown()
			if until.After(restart.Add(time.Hour)) || until.Before(restart.Add(20*time.Minute)) {
				t.Errorf("running shift accounted up to %v, 30 min after a restart at %v\n%s", until, restart, tail(logs.String(), 1500))
			}
		})
	}
}

// A running shift's summary edited to absurd figures is taken as it is.
func TestHostileShiftSummaryFigures(t *testing.T) {
	for _, c := range []struct{ name, set string }{
		{"twa_huge", `json_set(summary, '$.twa_osha', 1e308)`},
		{"twa_negative", `json_set(summary, '$.twa_osha', -50)`},
		{"covered_negative", `json_set(summary, '$.covered_s', -36000)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir, at := hostileBase(t)
			tamper(t, dir, `UPDATE shifts SET summary = `+c.set+` WHERE finished = 0`)
			h, _ := restartControls(t, dir, at.Add(5*time.Minute))
			h.run(2 * time.Minute)
			s := h.snapshot()
			if _, err := json.Marshal(s); err != nil {
				t.Errorf("/api/state does not encode: %v", err)
			}
			for _, e := range s.Exposure {
				if sh := e.Shift; sh != nil && (math.IsInf(sh.TWA, 0) || math.IsNaN(sh.TWA) || sh.TWA < 0 || sh.Coverage < 0 || sh.Coverage > 100.01) {
					t.Errorf("%s %s shift after restart: TWA %v coverage %v%%: a summary with impossible figures was resumed as is", e.Zone, e.Quantity, sh.TWA, sh.Coverage)
				}
			}
			h.d.shutdown()
		})
	}
}

// A running shift's summary whose until lies in the future is no schedule
// change: the shift must go on being recorded.
func TestHostileShiftSummaryUntilFuture(t *testing.T) {
	dir, at := hostileBase(t)
	tamper(t, dir, `UPDATE shifts SET summary = json_set(summary, '$.until', '9999-01-01T00:00:00Z') WHERE finished = 0 AND zone = 'staff' AND quantity = 'pm25'`)
	restart := at.Add(5 * time.Minute)
	h, logs := restartControls(t, dir, restart)
	h.run(30 * time.Minute)
	until, _ := staffShiftUntil(h)
	h.d.shutdown()
	if until.Before(restart.Add(20 * time.Minute)) {
		t.Errorf("staff PM2.5 running shift accounted up to %v, 30 min after the restart at %v", until, restart)
	}
	if strings.Contains(logs.String(), "schedule changed") {
		t.Errorf("the log says the schedule changed; it did not (a summary's until lay in the future):\n%s", logs)
	}
	j, _ := journal.OpenReadOnly(filepath.Join(dir, "journal.db"), journal.Options{})
	defer j.Close()
	shs, _ := j.Shifts(t0, t0.Add(time.Hour))
	for _, sh := range shs {
		if sh.Zone == "staff" && sh.Quantity == "pm25" && sh.Finished {
			t.Errorf("the running 07:00 shift was sealed as finished at the restart: %+v", sh.Start)
		}
	}
}

// alarms.next_id at the top of uint64: every alarm event after the
// restart must still reach the journal.
func TestHostileNextAlarmIDMax(t *testing.T) {
	for _, v := range []string{"18446744073709551615", "9223372036854775808"} {
		t.Run(v, func(t *testing.T) {
			dir, at := hostileBase(t)
			tamper(t, dir, `UPDATE meta SET value = '`+v+`' WHERE key = 'alarms.next_id'`)
			restart := at.Add(5 * time.Minute)
			h, logs := restartControls(t, dir, restart)
			h.rig.Room.StartSession("staff", room.TypicalSession(3, 10*time.Minute))
			h.run(20 * time.Minute)
			live := len(h.snapshot().Events)
			h.d.shutdown()
			j, _ := journal.OpenReadOnly(filepath.Join(dir, "journal.db"), journal.Options{})
			defer j.Close()
			evs, _ := j.Events(restart, restart.Add(time.Hour))
			if live > 0 && len(evs) == 0 {
				t.Errorf("%d alarm transitions shown after the restart, none in the journal\n%s", live, logs)
			}
			for _, e := range evs {
				if e.ID == 0 {
					t.Errorf("event with id 0: %+v", e)
				}
			}
		})
	}
}

// A crash with the sequence near the top: the crash skip must not wrap
// round to numbers already given.
func TestHostileNextAlarmIDWrapsAfterCrash(t *testing.T) {
	dir, at := hostileBase(t)
	tamper(t, dir, `UPDATE meta SET value = '18446744073709551000' WHERE key = 'alarms.next_id'`,
		`UPDATE meta SET value = '0' WHERE key = 'daemon.clean_stop'`,
		`INSERT INTO events (id, alarm_id, time_ms, rule, kind, level, subject, quantity, message) VALUES (5, 5, `+fmt.Sprint(t0.UnixMilli())+`, 'x', 'raised', 'warning', 's', 'q', 'm')`)
	h, _ := restartControls(t, dir, at.Add(5*time.Minute))
	defer h.d.shutdown()
	if n := h.d.alarms.eng.NextID(); n < 1000 || n > math.MaxInt64 {
		t.Errorf("next alarm id after the restart: %d (wrapped round, or above what the journal accepts)", n)
	}
}

// Garbage in alarms.active: latched alarms are lost; the log must say so.
func TestHostileActiveAlarmsGarbage(t *testing.T) {
	dir, at := hostileBase(t)
	tamper(t, dir, `UPDATE meta SET value = '[{"id": "x"' WHERE key = 'alarms.active'`)
	_, logs := restartControls(t, dir, at.Add(5*time.Minute))
	if !strings.Contains(logs.String(), "alarms.active") && !strings.Contains(logs.String(), "alarms could not be restored") && !strings.Contains(logs.String(), "active alarms") {
		t.Errorf("the saved active alarms did not parse and the log says nothing:\n%s", logs)
	}
}

// A booth's ventilation share edited (or written by a broken build) to
// 1000: the entry estimate must not tell staff the booth is clear.
func TestHostileVentilationShareHuge(t *testing.T) {
	dir, at := hostileBase(t)
	tamper(t, dir, fmt.Sprintf(`INSERT INTO ventilation (time_ms, zone, ach, nominal_ach, share, observations) VALUES (%d, 'booth', 60000, 60, 1000, 5)`, at.Add(-time.Minute).UnixMilli()))
	h, logs := restartControls(t, dir, at.Add(5*time.Minute))
	defer h.d.shutdown()
	for _, b := range h.snapshot().Booths {
		if b.Measured != nil && b.Measured.Share > 10 {
			t.Errorf("booth %s restored with share %v (the fans' rated air ×%v): an impossible measurement taken as is\n%s", b.Zone, b.Measured.Share, b.Measured.Share, logs)
		}
	}
}

// A table gone (an older tool, a bad edit): ventd must keep the record
// somewhere, not hold it in memory and fail each minute for good.
func TestHostileMissingTable(t *testing.T) {
	dir, at := hostileBase(t)
	tamper(t, dir, `DROP TABLE gaps`)
	restart := at.Add(5 * time.Minute)
	h, logs := restartControls(t, dir, restart)
	s := h.run(30 * time.Minute)
	_, _, fault := hasAlarm(s, alarm.JournalRule)
	h.d.shutdown()
	if n := minutesAfter(t, dir, restart); n < 25 {
		t.Errorf("%d minutes journaled in the 30 min after the restart (journal fault alarm %v); journal health %q\n%s", n, fault, s.Health.JournalError, tail(logs.String(), 3000))
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// journal.db a directory: the log must not send the technician to chmod.
func TestHostileJournalIsADirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "journal.db"), 0o755); err != nil {
		t.Fatal(err)
	}
	h, logs := restartControls(t, dir, t0)
	s := h.run(2 * time.Minute)
	h.d.shutdown()
	if _, _, ok := hasAlarm(s, alarm.JournalRule); !ok {
		t.Errorf("no journal fault alarm")
	}
	if !strings.Contains(s.Health.JournalError, "directory") || strings.Contains(s.Health.JournalError, "chmod") {
		t.Errorf("journal error shown: %q; want it to say journal.db is a directory (move it aside), not to chmod it\n%s", s.Health.JournalError, tail(logs.String(), 2000))
	}
}

// 4 KiB flipped in the middle of the journal (a failing SD card): ventd
// starts, replaces the journal with an alarm, and the shift carries on.
func TestHostileFlippedPage(t *testing.T) {
	dir, at := hostileBase(t)
	p := filepath.Join(dir, "journal.db")
	b, _ := os.ReadFile(p)
	for i := len(b)/2 - 2048; i < len(b)/2+2048; i++ {
		b[i] ^= 0x5a
	}
	os.WriteFile(p, b, 0o644)
	h, logs := restartControls(t, dir, at.Add(5*time.Minute))
	s := h.run(5 * time.Minute)
	_, twa := staffShiftUntil(h)
	_, _, replaced := hasAlarm(s, alarm.JournalReplacedRule)
	h.d.shutdown()
	t.Logf("journal %d bytes; replaced alarm %v; staff TWA %v", len(b), replaced, twa)
	if !replaced {
		t.Errorf("no journal/replaced alarm after 5 min on a damaged journal\n%s", tail(logs.String(), 2000))
	}
	if twa < 1 {
		t.Errorf("staff PM2.5 shift TWA %v after the restart: the shift's figures were lost", twa)
	}
}

// A minute a year ahead (the clock once read next year): the record then
// waits a year. The start must at least not stop recording for good.
func TestHostileMinuteNextYear(t *testing.T) {
	dir, at := hostileBase(t)
	future := at.AddDate(1, 0, 0).Truncate(time.Minute).UnixMilli()
	tamper(t, dir, fmt.Sprintf(`INSERT INTO minutes (start_ms, series, mean, maximum, count, covered_s)
		SELECT %d, series, mean, maximum, count, covered_s FROM minutes ORDER BY start_ms DESC LIMIT 1`, future))
	restart := at.Add(5 * time.Minute)
	began := time.Now()
	h, logs := restartControls(t, dir, restart)
	t.Logf("start took %v", time.Since(began))
	h.run(30 * time.Minute)
	h.d.shutdown()
	if n := minutesAfter(t, dir, restart); n < 25 || n > 40 {
		t.Errorf("%d staff PM2.5 minutes journaled in the 30 min after the restart (want ~30): one minute stamped a year ahead stops the exposure record for a year\n%s", n, tail(logs.String(), 1200))
	}
}

// A second running-shift row for the same zone and pollutant one minute
// later (an edit, a duplicate): no schedule change, and no shift row made.
func TestHostileOverlappingShiftRow(t *testing.T) {
	dir, at := hostileBase(t)
	tamper(t, dir, `INSERT INTO shifts (zone, quantity, start_ms, end_ms, finished, summary)
		SELECT zone, quantity, start_ms + 60000, end_ms + 60000, 0, json_set(summary, '$.start', '2026-03-02T07:01:00Z') FROM shifts WHERE finished = 0 AND zone = 'staff' AND quantity = 'pm25'`)
	h, logs := restartControls(t, dir, at.Add(5*time.Minute))
	h.run(5 * time.Minute)
	h.d.shutdown()
	if strings.Contains(logs.String(), "schedule changed") {
		t.Errorf("a duplicate shift row is taken for a schedule change:\n%s", tail(logs.String(), 1500))
	}
}
