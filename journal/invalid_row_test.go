package journal

import (
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
)

// One row the journal refuses (here a minute whose mean overflowed to
// +Inf, as pm_calibration: 1e306 gave before the config refused it) made
// the recorder drop the whole pending batch: every other zone's minutes,
// the alarm transitions and the purge recorded with it, with one log line
// and no journal fault. The record of truth should lose only the row it
// cannot hold (as a gap, so the minute reads as unsampled), and say so.
func TestOneInvalidRowLosesOnlyItself(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	j, err := Open(path, Options{Clock: clock.NewSim(t0, 0), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	r := NewRecorder(j, RecorderOpts{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	at := t0.Add(time.Minute)
	r.Receive(&record.Period{
		Time: at,
		Minutes: []record.Minute{
			{Start: t0, Zone: "booth", Quantity: sample.PM25, Mean: math.Inf(1), Max: math.Inf(1), Count: 60, CoveredSeconds: 60},
			{Start: t0, Zone: "staff", Quantity: sample.PM25, Mean: 12, Max: 14, Count: 60, CoveredSeconds: 60},
		},
		Transitions: []alarm.Event{{ID: 1, AlarmID: 1, RuleID: "staff/pm25/warning", Kind: alarm.Raised, Level: alarm.LevelWarning, Subject: "staff", Quantity: sample.PM25, Time: at, Value: 40, Threshold: 35}},
		Actions:     []record.Action{{Time: at, Kind: record.ActPurge, Target: "booth", By: record.Actor{Name: "Sam", Via: "socket"}}},
	})
	r.Close(at.Add(time.Second))
	if j, err = Open(path, Options{Clock: clock.NewSim(t0, 0), NoSync: true}); err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	ms, _ := j.Minutes(time.Time{}, time.Time{}, "staff", "")
	evs, _ := j.Events(time.Time{}, time.Time{})
	acts, _ := j.Actions(time.Time{}, time.Time{})
	if len(ms) != 1 || len(evs) != 1 || len(acts) != 1 {
		t.Errorf("after one invalid booth minute: %d staff minutes, %d events, %d actions kept; want 1 of each", len(ms), len(evs), len(acts))
	}
}
