package journal

import (
	"bytes"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestOpenReadOnlyChangesNothing opens a schema 1 journal read-only: it
// reads as schema 1, refuses writes, and leaves the file byte for byte.
func TestOpenReadOnlyChangesNothing(t *testing.T) {
	path := writeV1(t)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	j, err := OpenReadOnly(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if j.Version() != 1 {
		t.Errorf("Version() = %d, want 1: a reader must not migrate", j.Version())
	}
	if ss, err := j.Shifts(time.Time{}, time.Time{}); ss != nil || err != nil {
		t.Errorf("Shifts on schema 1 = %v, %v; want none", ss, err)
	}
	if ms, err := j.Minutes(time.Time{}, time.Time{}, "", ""); err != nil || len(ms) != 1 {
		t.Errorf("Minutes = %v, %v", ms, err)
	}
	for what, err := range map[string]error{
		"Write":   func() error { _, err := j.Write(Batch{Gaps: []Gap{{Start: t0, End: t0, Reason: "x"}}}); return err }(),
		"SetMeta": j.SetMeta("site", "x"),
		"Prune":   func() error { _, err := j.Prune(t0); return err }(),
	} {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s on a read-only journal: %v, want ErrReadOnly", what, err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("the database file changed under a read-only open")
	}
	// No -wal or -shm either: made by root, they would lock ventd out.
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + suffix); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a read-only open left %s behind (%v)", filepath.Base(path+suffix), err)
		}
	}
}

func TestOpenReadOnlyErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "journal.db")
	if _, err := OpenReadOnly(missing, Options{}); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: %v, want fs.ErrNotExist naming %s", err, missing)
	}
	if _, err := OpenReadOnly(dir, Options{}); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("a directory: %v, want it to say so", err)
	}
	other := filepath.Join(dir, "other.db")
	db, _ := sql.Open("sqlite", "file:"+other)
	db.Exec(`CREATE TABLE t (x)`)
	db.Close()
	if _, err := OpenReadOnly(other, Options{}); err == nil || !strings.Contains(err.Error(), "not a ventd journal") {
		t.Errorf("another SQLite file: %v, want \"not a ventd journal\"", err)
	}
	newer := writeV1(t)
	db, _ = sql.Open("sqlite", "file:"+newer)
	db.Exec(`UPDATE schema_version SET version = 99`)
	db.Close()
	if _, err := OpenReadOnly(newer, Options{}); !errors.Is(err, ErrNewerSchema) {
		t.Errorf("schema 99: %v, want ErrNewerSchema", err)
	}
}

// TestReaderBesideWriter reads a journal the daemon keeps writing: the
// reader sees each commit, and a View sees one state throughout.
func TestReaderBesideWriter(t *testing.T) {
	w := open(t, Options{})
	write(t, w, Batch{Minutes: minutes(t0, 10, []string{"staff"}, []string{"co2"}), Meta: map[string]string{"site": "Hope"}})
	r, err := OpenReadOnly(w.Path(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	count := func(j *Journal) int {
		ms, err := j.Minutes(time.Time{}, time.Time{}, "", "")
		if err != nil {
			t.Fatal(err)
		}
		return len(ms)
	}
	if n := count(r); n != 10 {
		t.Fatalf("reader sees %d minutes, want 10", n)
	}
	committed := make(chan struct{})
	err = r.View(func(v *Journal) error {
		n1 := count(v)
		// The writer (on its own goroutine in the daemon) waits for the
		// View to end before it commits.
		go func() {
			write(t, w, Batch{Minutes: minutes(t0.Add(10*time.Minute), 5, []string{"staff"}, []string{"co2"})})
			close(committed)
		}()
		time.Sleep(50 * time.Millisecond)
		if n2 := count(v); n2 != n1 {
			t.Errorf("inside a View: %d minutes, then %d while a commit waits; want one state", n1, n2)
		}
		if err := v.Close(); err == nil {
			t.Error("Close on a View succeeded; it must refuse")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	<-committed
	if n := count(r); n != 15 {
		t.Errorf("after the View: %d minutes, want 15", n)
	}
	// The writer goes on, and can still check its file.
	write(t, w, Batch{Minutes: minutes(t0.Add(15*time.Minute), 1, []string{"staff"}, []string{"co2"})})
	if got := pragma(t, w, "quick_check"); got != "ok" {
		t.Errorf("quick_check after reading beside the writer: %s", got)
	}
}

func TestMetaPrefix(t *testing.T) {
	j := open(t, Options{})
	write(t, j, Batch{Minutes: minutes(t0, 1, []string{"staff"}, []string{"co2"}), Meta: map[string]string{
		"site": "Hope", "sensor.sps30-staff.serial": "A1", "sensor.scd41.serial": "B2", "sensorial": "no"}})
	got, err := j.MetaPrefix("sensor.")
	want := map[string]string{"sensor.sps30-staff.serial": "A1", "sensor.scd41.serial": "B2"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("MetaPrefix(sensor.) = %v, %v; want %v", got, err, want)
	}
	all, _ := j.MetaPrefix("")
	for k := range all {
		if strings.HasPrefix(k, metaPrefix) {
			t.Errorf("MetaPrefix(\"\") returned the journal's own key %q", k)
		}
	}
}

func TestEachMinuteOrderAndStop(t *testing.T) {
	j := open(t, Options{})
	// Series ids in the order booth/pm, staff/co2, booth/co2: rows come
	// by id and must be handed on by name.
	write(t, j, Batch{Minutes: minutes(t0, 3, []string{"staff"}, []string{"pm25"})})
	write(t, j, Batch{Minutes: minutes(t0, 3, []string{"booth"}, []string{"pm25", "co2"})})
	var got []string
	err := j.EachMinute(time.Time{}, time.Time{}, "", "", func(m Minute) error {
		got = append(got, m.Start.Format("04")+" "+m.Zone+" "+m.Quantity)
		return nil
	})
	want := []string{"00 booth co2", "00 booth pm25", "00 staff pm25", "01 booth co2", "01 booth pm25", "01 staff pm25",
		"02 booth co2", "02 booth pm25", "02 staff pm25"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("EachMinute order %v, %v; want %v", got, err, want)
	}
	series, err := j.Series()
	if want := []Series{{"booth", "co2"}, {"booth", "pm25"}, {"staff", "pm25"}}; err != nil || !reflect.DeepEqual(series, want) {
		t.Errorf("Series() = %v, %v; want %v", series, err, want)
	}
	stop := errors.New("enough")
	n := 0
	err = j.EachMinute(time.Time{}, time.Time{}, "", "", func(Minute) error {
		n++
		if n == 4 {
			return stop
		}
		return nil
	})
	if err != stop || n != 4 {
		t.Errorf("stopping after 4: %d calls, %v; want 4 and fn's error as is", n, err)
	}
}
