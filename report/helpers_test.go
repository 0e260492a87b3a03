package report_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/sample"
)

var (
	vancouver, _ = time.LoadLocation("America/Vancouver")
	first        = time.Date(2026, 3, 2, 7, 0, 0, 0, vancouver)
)

// level is a room's air at t: a quiet baseline, a session's plume every
// 90 min (in the booth; a tenth of it reaches the staff area), CO2 that
// follows the people in it.
func level(zone string, q sample.Quantity, t time.Time) float64 {
	m := float64(t.Sub(first)/time.Minute) + 0.5
	plume := 0.0
	if k := math.Mod(m, 90); k < 20 {
		plume = 300 * math.Exp(-k/4)
	}
	if zone == "staff" {
		plume /= 10
	}
	switch q {
	case sample.CO2:
		return 620 + 180*math.Sin(m/200)
	case sample.PM10:
		return 9 + 1.1*plume
	}
	return 6 + plume
}

// month writes days of a room's record into a new journal, as the daemon
// would: a minute a batch for the first hour (so the chain has links of
// its normal size), then an hour a batch; each finished shift's summary
// (plain sums of the same minutes: the report prints, it does not check,
// them); a 7 min sensor outage in the staff area every day; an alarm
// raised, acknowledged and cleared every day; one calibration, one
// configuration and the clock's status.
func month(t testing.TB, days int) *journal.Journal {
	t.Helper()
	j, err := journal.Open(filepath.Join(t.TempDir(), "journal.db"), journal.Options{Clock: clock.NewSim(first, 0), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	writeMonth(t, j, days)
	return j
}

type shiftSums struct {
	sum, covered, peak float64
	peakAt             time.Time
}

func writeMonth(t testing.TB, j *journal.Journal, days int) {
	series := []struct {
		zone string
		q    sample.Quantity
	}{{"staff", sample.CO2}, {"staff", sample.PM25}, {"staff", sample.PM10}, {"booth", sample.PM25}, {"booth", sample.PM10}}
	sums := make([]shiftSums, len(series))
	b := journal.Batch{
		Meta: map[string]string{"site": "Hope to Health", "room": "Inhalation room 1",
			"sensor.staff-co2.serial": "2A41F0", "sensor.staff-pm.serial": "8C1D22", "sensor.booth-pm.serial": "8C1D31"},
		ConfigChanges: []journal.ConfigChange{{Time: first, Hash: "5d41402abc4b2a76b9719d911017c592", Summary: "site config"}},
		ClockStatus:   []journal.ClockStatus{{Time: first, Synchronized: true, Source: "chrony", Note: "synchronised"}},
		Calibrations: []journal.Calibration{{Time: first.Add(26 * time.Hour), Sensor: "staff-co2", Serial: "2A41F0", Kind: journal.CalFRC,
			Reference: 420, Correction: -35, Who: "Sam Okafor", Note: "outdoor air"}},
	}
	flush := func() {
		if _, err := j.Write(b); err != nil {
			t.Fatal(err)
		}
		b = journal.Batch{}
	}
	end := first.Add(time.Duration(days) * 24 * time.Hour)
	var id uint64
	for at := first; at.Before(end); at = at.Add(time.Minute) {
		inDay := at.Sub(first) % (24 * time.Hour)
		shiftStart := at.Add(-(at.Sub(first) % (12 * time.Hour)))
		for i, s := range series {
			if s.zone == "staff" && s.q != sample.CO2 && inDay >= 4*time.Hour && inDay < 4*time.Hour+7*time.Minute {
				if inDay == 4*time.Hour {
					b.Gaps = append(b.Gaps, journal.Gap{Start: at, End: at.Add(7 * time.Minute), Zone: s.zone, Quantity: string(s.q), Reason: journal.GapSensorFault})
				}
				continue
			}
			v := level(s.zone, s.q, at)
			b.Minutes = append(b.Minutes, journal.Minute{Start: at.UTC(), Zone: s.zone, Quantity: string(s.q), Mean: v, Max: v * 1.2, Count: 60, CoveredSeconds: 60})
			ss := &sums[i]
			ss.sum, ss.covered = ss.sum+v*60, ss.covered+60
			if v > ss.peak {
				ss.peak, ss.peakAt = v, at
			}
		}
		if next := at.Add(time.Minute); next.Sub(first)%(12*time.Hour) == 0 { // a shift ends
			for i, s := range series {
				b.Shifts = append(b.Shifts, shiftRow(t, s.zone, s.q, shiftStart, sums[i]))
				sums[i] = shiftSums{}
			}
		}
		if inDay == 3*time.Hour {
			id++
			raised := at.Add(20 * time.Second)
			b.Events = append(b.Events,
				journal.Event{ID: 3*id - 2, AlarmID: id, Rule: "staff/pm25/alarm", Kind: "raised", Level: "alarm", Subject: "staff", Quantity: "pm25",
					Time: raised, Value: 131.2, Threshold: 125.5, Message: "PM2.5 131.2 µg/m³ over 125.5"},
				journal.Event{ID: 3*id - 1, AlarmID: id, Rule: "staff/pm25/alarm", Kind: "acknowledged", Level: "alarm", Subject: "staff", Quantity: "pm25",
					Time: raised.Add(3 * time.Minute), Value: math.NaN(), Threshold: math.NaN(), Message: "acknowledged"},
				journal.Event{ID: 3 * id, AlarmID: id, Rule: "staff/pm25/alarm", Kind: "cleared", Level: "alarm", Subject: "staff", Quantity: "pm25",
					Time: raised.Add(9 * time.Minute), Value: 40, Threshold: 125.5, Message: "cleared"})
			b.Acks = append(b.Acks, journal.Ack{AlarmID: id, Time: raised.Add(3 * time.Minute), Who: "Dana Reyes", Note: "door closed"})
		}
		if inDay == 2*time.Hour { // the booth clears after a session: three intervals measured
			for k, ach := range []float64{50, 60, 55} {
				b.Ventilation = append(b.Ventilation, journal.Ventilation{Time: at.Add(time.Duration(15*k) * time.Second), Zone: "booth",
					ACH: ach, NominalACH: 100, Share: ach / 100, Observations: int(id)*3 + k + 1})
			}
		}
		if at.Sub(first) < time.Hour || inDay%time.Hour == time.Hour-time.Minute {
			flush()
		}
	}
	flush()
}

// shiftRow is a finished shift's summary from its sums.
func shiftRow(t testing.TB, zone string, q sample.Quantity, start time.Time, s shiftSums) journal.Shift {
	t.Helper()
	lim, _ := exposure.DefaultLimits(q)
	length := 12 * time.Hour
	rf := exposure.ReductionFactor(length)
	covered := time.Duration(s.covered) * time.Second
	sum := exposure.Summary{Quantity: q, Unit: q.Unit(), Zone: zone, Start: start, End: start.Add(length), Length: exposure.Duration(length),
		Until: start.Add(length), Finished: true, Complete: covered == length,
		TWA: s.sum / (8 * 3600), MeanCovered: exposure.Conc(s.sum / s.covered), Limits: lim, ReductionFactor: rf, AdjustedTWALimit: rf * lim.TWA,
		STELPeak: exposure.Conc(s.peak), STELPeakAt: s.peakAt, Elapsed: exposure.Duration(length), Covered: exposure.Duration(covered),
		Coverage: 100 * s.covered / length.Seconds(), GapTotal: exposure.Duration(length - covered)}
	if covered < length {
		sum.Gaps = []exposure.Gap{{Start: start.Add(-start.Sub(first)%(24*time.Hour) + 4*time.Hour), Length: exposure.Duration(length - covered)}}
	}
	js, err := json.Marshal(sum)
	if err != nil {
		t.Fatal(err)
	}
	return journal.Shift{Zone: zone, Quantity: string(q), Start: start, End: start.Add(length), Finished: true, Summary: js}
}

var (
	sharedOnce sync.Once
	sharedPath string
)

// shared opens, read-only, a journal of a day written once for the
// package's tests (under the race detector writing it is the slow part).
func shared(t *testing.T) *journal.Journal {
	t.Helper()
	sharedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "report-test-")
		if err != nil {
			t.Fatal(err)
		}
		sharedPath = filepath.Join(dir, "journal.db")
		j, err := journal.Open(sharedPath, journal.Options{Clock: clock.NewSim(first, 0), NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		writeMonth(t, j, 1)
		j.Close()
	})
	j, err := journal.OpenReadOnly(sharedPath, journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedPath != "" {
		os.RemoveAll(filepath.Dir(sharedPath))
	}
	os.Exit(code)
}
