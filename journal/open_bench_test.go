package journal

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// yearJournal returns the path of a journal holding a year of minutes for
// 2 zones × 9 quantities (9.5 million rows, about 0.7 GB), written an
// hour a Write (8,760 links), with each day's finished shifts. Building it
// takes minutes, so it is built once and kept in the system's temporary
// directory, named for the schema; delete it to build it again.
func yearJournal(b *testing.B) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("ventd-bench-year-schema%d.db", SchemaVersion))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	b.Logf("building a year's journal in %s (once; minutes)", path)
	dir, err := os.MkdirTemp(os.TempDir(), "ventd-bench-year-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	building := filepath.Join(dir, "journal.db")
	j, err := Open(building, Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	zones := []string{"booth", "staff"}
	for h := range 365 * 24 {
		at := t0.Add(time.Duration(h) * time.Hour)
		batch := Batch{Minutes: minutes(at, 60, zones, benchQuantities)}
		if h%24 == 23 {
			for _, z := range zones {
				for _, q := range benchQuantities {
					batch.Shifts = append(batch.Shifts, Shift{Zone: z, Quantity: q, Start: at.Add(-23 * time.Hour), End: at.Add(time.Hour),
						Finished: true, Summary: []byte(`{"twa_osha":12.5,"stel_max":40.25,"covered_s":86400}`)})
				}
			}
		}
		write(b, j, batch)
	}
	if err := j.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(building, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkOpenYear opens a journal holding a year of minutes, as the
// daemon does at start (the fans are at their safe duty meanwhile), and
// runs the integrity check the recorder runs once it has started, off the
// control loop. The file is in the page cache: a Pi reading it from its SD
// card takes longer, by the card's read speed.
func BenchmarkOpenYear(b *testing.B) {
	path := yearJournal(b)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("open", func(b *testing.B) {
		for b.Loop() {
			j, err := Open(path, Options{})
			if err != nil {
				b.Fatal(err)
			}
			j.Close()
		}
		b.ReportMetric(float64(fi.Size())/1e6, "MB")
	})
	// What the daemon reads at start to carry on: the last minute, the
	// rolling windows' minutes and the shift, the booths' ventilation,
	// the alarm sequence.
	b.Run("open and restore", func(b *testing.B) {
		for b.Loop() {
			j, err := Open(path, Options{})
			if err != nil {
				b.Fatal(err)
			}
			last, err := j.LastMinute()
			if err != nil || last.IsZero() {
				b.Fatal(last, err)
			}
			ms, err := j.Minutes(last.Add(-8*time.Hour-15*time.Minute), last.Add(time.Minute), "", "")
			if err != nil || len(ms) != (8*60+16)*18 {
				b.Fatal(len(ms), err)
			}
			if _, err := j.Shifts(last.Add(-12*time.Hour), last.Add(time.Minute)); err != nil {
				b.Fatal(err)
			}
			if _, err := j.LastVentilation(); err != nil {
				b.Fatal(err)
			}
			if _, err := j.LastEventID(); err != nil {
				b.Fatal(err)
			}
			j.Close()
		}
	})
	b.Run("check", func(b *testing.B) {
		j, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer j.Close()
		for b.Loop() {
			if err := j.Check(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(fi.Size())/1e6, "MB")
	})
}
