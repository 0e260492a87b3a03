package journal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// truncatedJournal writes two days of minutes for five series, an hour a
// batch, with a finished shift every 12 h, closes the file and cuts its
// last tenth off: a card that lost its last writes, a copy made on a full
// disk. It returns the path and the minutes written.
func truncatedJournal(t *testing.T) (string, int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "journal.db")
	j, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for h := 0; h < 48; h++ {
		var b Batch
		for m := 0; m < 60; m++ {
			at := t0.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
			for _, q := range []string{"pm25", "pm10", "co2", "temperature", "humidity"} {
				b.Minutes = append(b.Minutes, Minute{Start: at, Zone: "staff", Quantity: q, Mean: float64(m), Max: float64(m + 1), Count: 60, CoveredSeconds: 60})
				n++
			}
		}
		if h%12 == 11 {
			start := t0.Add(time.Duration(h-11) * time.Hour)
			b.Shifts = []Shift{{Zone: "staff", Quantity: "pm25", Start: start, End: start.Add(12 * time.Hour), Finished: true, Summary: []byte(`{"twa_osha": 1}`)}}
		}
		if _, err := j.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, fi.Size()*9/10); err != nil {
		t.Fatal(err)
	}
	return path, n
}

// A journal cut short was "database disk image is malformed" and nothing
// more, at every open: not where, not how, and nothing in it read. Now the
// error says the file is truncated and by how much, a reader reads what
// its remaining pages hold, and Salvage copies that into a whole file.
func TestTruncatedJournalSaysSoAndIsSalvaged(t *testing.T) {
	path, written := truncatedJournal(t)

	_, err := Open(path, Options{})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "the file is truncated") ||
		!strings.Contains(err.Error(), "bytes its header gives") {
		t.Fatalf("Open of a truncated journal: %v; want ErrCorrupt naming the file and saying it is truncated, and by how much", err)
	}
	if tr, ok := Truncated(path); !ok || tr.Want <= tr.Size || tr.Pages == 0 {
		t.Errorf("Truncated: %+v %v", tr, ok)
	}

	r, err := OpenReadOnly(path, Options{})
	if err != nil {
		t.Fatalf("OpenReadOnly of a truncated journal reads nothing: %v", err)
	}
	if _, ok := r.Truncation(); !ok {
		t.Errorf("OpenReadOnly does not say the file is truncated")
	}
	if err := r.Check(); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("Check of a truncated journal: %v", err)
	}
	early, err := r.Minutes(t0, t0.Add(time.Hour), "staff", "pm25")
	if err != nil || len(early) != 60 {
		t.Errorf("the first hour's minutes, on pages the cut left: %d, %v", len(early), err)
	}
	r.Close()

	out := filepath.Join(t.TempDir(), "salvaged.db")
	got, err := Salvage(path, out)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Lost() {
		t.Errorf("Salvage says nothing was lost from a file missing a tenth of its pages: %+v", got)
	}
	minutes := 0
	for _, tb := range got.Tables {
		if tb.Name == "minutes" {
			minutes = tb.Rows
		}
	}
	if minutes < written/2 || minutes >= written {
		t.Errorf("salvaged %d of %d minutes from a file missing its last tenth", minutes, written)
	}
	s, err := OpenReadOnly(out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Errorf("the salvaged file fails SQLite's check: %v", err)
	}
	if from, ok := s.SalvagedFrom(); !ok || !strings.Contains(from, "truncated") {
		t.Errorf("the salvaged file does not say what it was salvaged from: %q %v", from, ok)
	}
	ms, err := s.Minutes(time.Time{}, time.Time{}, "", "")
	if err != nil || len(ms) != minutes {
		t.Errorf("the salvaged file reads %d minutes (%v), %d copied", len(ms), err, minutes)
	}
	v, err := s.Verify(VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v.OK() {
		t.Errorf("verify of the salvaged file finds nothing missing")
	}
	if _, err := Salvage(path, out); err == nil {
		t.Errorf("Salvage over an existing file did not refuse")
	}
}
