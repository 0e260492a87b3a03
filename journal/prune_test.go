package journal

import (
	"os"
	"testing"
	"time"
)

func countRows(t testing.TB, j *Journal, table string) int {
	t.Helper()
	var n int
	if err := j.db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPruneRetention(t *testing.T) {
	const day = 24 * time.Hour
	j := open(t, Options{Retention: 5 * day})
	for d := range 10 {
		start := t0.Add(time.Duration(d) * day)
		b := dayOfMinutes(start, []string{"staff"}, []string{"co2"})
		b.Events = []Event{{ID: uint64(d + 1), AlarmID: uint64(d + 1), Time: start.Add(time.Hour)}}
		b.Acks = []Ack{{AlarmID: uint64(d + 1), Time: start.Add(2 * time.Hour), Who: "kim"}}
		b.Gaps = []Gap{{Start: start.Add(3 * time.Hour), End: start.Add(4 * time.Hour), Reason: GapSensorFault}}
		b.ClockStatus = []ClockStatus{{Time: start, Synchronized: true, Source: "chrony"}}
		b.Calibrations = []Calibration{{Time: start, Sensor: "scd41", Kind: CalFRC, Reference: 420}}
		b.ConfigChanges = []ConfigChange{{Time: start, Hash: "h"}}
		write(t, j, b)
	}
	now := t0.Add(10 * day)
	deleted, err := j.Prune(now)
	if err != nil {
		t.Fatal(err)
	}
	if want := 5*1440 + 5*4; deleted != want { // five days of minutes, events, acks, gaps, clock status
		t.Errorf("Prune deleted %d rows, want %d", deleted, want)
	}
	first, _, _ := j.Range()
	if !first.Equal(now.Add(-5 * day)) {
		t.Errorf("oldest minute after prune %v, want %v", first, now.Add(-5*day))
	}
	for table, want := range map[string]int{"minutes": 5 * 1440, "events": 5, "acks": 5, "gaps": 5, "clock_status": 5,
		"calibrations": 10, "config_changes": 10} { // the record of calibrations and configs is kept whole
		if n := countRows(t, j, table); n != want {
			t.Errorf("%s: %d rows after prune, want %d", table, n, want)
		}
	}
	if free := pragma(t, j, "freelist_count"); free != "0" {
		t.Errorf("freelist_count %s after prune, want 0: incremental vacuum did not run", free)
	}
	if n, err := j.Prune(now); n != 0 || err != nil {
		t.Errorf("second Prune: %d, %v; want nothing to do", n, err)
	}
}

// TestPruneKeepsFileBounded simulates more than the retention of minutes
// for 2 zones × 4 quantities, pruning every few days as the daemon does,
// and checks the file stops growing once retention is reached.
func TestPruneKeepsFileBounded(t *testing.T) {
	days, retention, every := 410, 400, 5
	if raceEnabled || testing.Short() {
		days, retention, every = 7, 4, 1
	}
	const day = 24 * time.Hour
	j := open(t, Options{Retention: time.Duration(retention) * day})
	zones, qs := []string{"booth", "staff"}, []string{"pm2.5", "pm10", "co2", "voc"}
	var atRetention, largest int64
	for d := range days {
		start := t0.Add(time.Duration(d) * day)
		write(t, j, dayOfMinutes(start, zones, qs))
		if (d+1)%every != 0 {
			continue
		}
		if _, err := j.Prune(start.Add(day)); err != nil {
			t.Fatal(err)
		}
		size := fileSize(t, j.Path())
		switch {
		case d+1 == retention:
			atRetention = size
		case d+1 > retention:
			largest = max(largest, size)
		}
	}
	t.Logf("%d days, %d series: %.1f MB at %d days of retention, at most %.1f MB after (%.0f kB/day)",
		days, len(zones)*len(qs), float64(atRetention)/1e6, retention, float64(largest)/1e6, float64(atRetention)/float64(retention)/1e3)
	if largest > atRetention*21/20 {
		t.Errorf("file grew past retention: %d bytes at %d days, up to %d after", atRetention, retention, largest)
	}
	if n, want := countRows(t, j, "minutes"), retention*1440*len(zones)*len(qs); n != want {
		t.Errorf("%d minutes kept, want %d (%d days)", n, want, retention)
	}
}

// fileSize is the database and its WAL on disk.
func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	var total int64
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if err == nil {
			total += fi.Size()
		}
	}
	return total
}

func TestPruneMaxSize(t *testing.T) {
	const limit = 1 << 20
	j := open(t, Options{MaxSizeBytes: limit})
	zones, qs := []string{"booth", "staff"}, []string{"pm2.5", "co2"}
	for d := range 5 {
		write(t, j, dayOfMinutes(t0.Add(time.Duration(d)*24*time.Hour), zones, qs))
	}
	write(t, j, Batch{Events: []Event{{ID: 1, Time: t0}}})
	before, _ := j.Size()
	deleted, err := j.Prune(t0.Add(5 * 24 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	after, _ := j.Size()
	if before <= limit || after > limit || fileSize(t, j.Path()) > limit {
		t.Errorf("size %d before, %d after, %d on disk; want over %d before and at most that after", before, after, fileSize(t, j.Path()), limit)
	}
	first, last, _ := j.Range()
	if deleted == 0 || !last.Equal(t0.Add(5*24*time.Hour-time.Minute)) || !first.After(t0) {
		t.Errorf("deleted %d, range now %v–%v: want the oldest minutes gone and the newest kept", deleted, first, last)
	}
	if countRows(t, j, "events") != 1 {
		t.Error("the size cap deleted an event; it may only delete minutes")
	}
}
