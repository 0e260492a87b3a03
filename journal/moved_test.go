package journal

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
)

// A state directory deleted under the running daemon (a careless cleanup)
// failed every write with SQLite's "readonly database" for good: the
// recorder only reopened a journal it had never opened, so records stayed
// in memory, to be lost at the next stop, even after the directory was
// back. Now it notices the file is gone and opens its path again.
func TestDeletedJournalIsOpenedAgain(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "journal.db")
	sim := clock.NewSim(t0, 0)
	opts := Options{Clock: sim, NoSync: true}
	j, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	r := NewRecorder(j, RecorderOpts{Log: slog.New(slog.NewTextHandler(&logs, nil)),
		Reopen: func() (*Journal, error) { return Open(path, opts) }})
	t.Cleanup(func() { r.Close(sim.Now()) })
	minute := func(m int) {
		at := t0.Add(time.Duration(m) * time.Minute)
		sim.Advance(at.Sub(sim.Now()))
		r.Receive(&record.Period{Time: at, Minutes: []record.Minute{{Start: at.Add(-time.Minute), Zone: "staff", Quantity: sample.CO2, Mean: 420, Max: 430, Count: 60, CoveredSeconds: 60}}})
	}
	for m := 1; m <= 3; m++ {
		minute(m)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	for m := 4; m <= 6; m++ {
		minute(m)
	}
	if r.Fault() == nil {
		t.Fatal("no fault with the journal deleted")
	}
	if !strings.Contains(logs.String(), "deleted or moved") {
		t.Errorf("the log does not say the journal was deleted:\n%s", logs.String())
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for m := 7; m <= 9; m++ {
		minute(m)
	}
	if err := r.Fault(); err != nil {
		t.Fatalf("still failing with the directory back: %v", err)
	}
	back, err := OpenReadOnly(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	ms, err := back.Minutes(t0, t0.Add(time.Hour), "staff", "co2")
	if err != nil {
		t.Fatal(err)
	}
	// The minutes held while the file was gone are written to the new one.
	if len(ms) < 5 {
		t.Errorf("%d minutes in the fresh journal, want those from the deletion on (5 or more)", len(ms))
	}
}
