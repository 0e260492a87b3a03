package journal

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestEventsAfterReadsBackInSequence(t *testing.T) {
	j := open(t, Options{})
	ev := func(id, alarm uint64, kind string, at time.Duration) Event {
		return Event{ID: id, AlarmID: alarm, Rule: "staff/pm25/warning", Kind: kind, Level: "warning", Subject: "staff",
			Quantity: "pm25", Time: t0.Add(at), Value: 40, Threshold: 35, Message: "staff PM2.5"}
	}
	// Written in two batches, out of order within the first: ids order the read.
	write(t, j, Batch{Events: []Event{ev(3, 2, "raised", 2*time.Second), ev(1, 1, "raised", 0), ev(2, 1, "cleared", time.Second)}})
	ack := ev(4, 2, "acknowledged", 3*time.Second)
	ack.Value = math.NaN()
	write(t, j, Batch{Events: []Event{ack}, Acks: []Ack{{AlarmID: 2, Time: t0.Add(3 * time.Second), Who: "Sam", Note: "checked the booth"}}})

	sh, err := OpenShared(j.Path(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sh.Close()
	all, err := sh.EventsAfter(0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, e := range all {
		ids = append(ids, e.ID)
	}
	if len(all) != 4 || ids[0] != 1 || ids[3] != 4 {
		t.Fatalf("EventsAfter(0) ids %v, want 1 2 3 4", ids)
	}
	if a := all[3]; a.Kind != "acknowledged" || a.Who != "Sam" || a.Note != "checked the booth" || !math.IsNaN(a.Value) {
		t.Errorf("acknowledgement read back as %+v", a)
	}
	if r := all[2]; r.Who != "" || r.Value != 40 || !r.Time.Equal(t0.Add(2*time.Second)) || r.Message != "staff PM2.5" {
		t.Errorf("raise read back as %+v", r)
	}
	page, err := sh.EventsAfter(1, 2)
	if err != nil || len(page) != 2 || page[0].ID != 2 || page[1].ID != 3 {
		t.Errorf("EventsAfter(1, 2) = %+v, %v; want ids 2 and 3", page, err)
	}
	if none, err := sh.EventsAfter(4, 10); err != nil || len(none) != 0 {
		t.Errorf("EventsAfter(4) = %+v, %v; want none", none, err)
	}
	// The shared connection keeps its own meta beside the daemon's.
	if err := sh.SetMeta("mqtt.delivered_seq", "3"); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := j.Meta("mqtt.delivered_seq"); err != nil || !ok || v != "3" {
		t.Errorf("meta through the daemon's connection: %q %v %v", v, ok, err)
	}
}

func TestOpenSharedRefusesWhatOpenDidNotPrepare(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenShared(filepath.Join(dir, "journal.db"), Options{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenShared of a missing file: %v", err)
	}
	if _, err := OpenShared(filepath.Join(dir, "none", "journal.db"), Options{}); err == nil || !strings.Contains(err.Error(), "create it") {
		t.Errorf("OpenShared in a missing directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "journal.db")); err == nil {
		t.Error("OpenShared created a journal file")
	}
	if err := os.WriteFile(filepath.Join(dir, "other.db"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenShared(filepath.Join(dir, "other.db"), Options{}); err == nil || !strings.Contains(err.Error(), "not a ventd journal") {
		t.Errorf("OpenShared of an empty file: %v", err)
	}
}
