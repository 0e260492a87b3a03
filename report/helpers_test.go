package report_test

import (
	"encoding/json"
	"math"
	"path/filepath"
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
	schedule     = exposure.Schedule{Starts: []time.Duration{7 * time.Hour, 19 * time.Hour}, Length: 12 * time.Hour, Location: vancouver}
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
// its normal size), then an hour a batch; each shift's live summary from a
// tracker fed the same minutes; a 7 min sensor outage in the staff area
// every day; an alarm raised, acknowledged and cleared every day; one
// calibration, one configuration and the clock's status.
func month(t testing.TB, days int) *journal.Journal {
	t.Helper()
	j, err := journal.Open(filepath.Join(t.TempDir(), "journal.db"), journal.Options{Clock: clock.NewSim(first, 0)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	series := []struct {
		zone string
		q    sample.Quantity
	}{{"staff", sample.CO2}, {"staff", sample.PM25}, {"staff", sample.PM10}, {"booth", sample.PM25}, {"booth", sample.PM10}}
	trs := make([]*exposure.Tracker, len(series))
	for i, s := range series {
		if trs[i], err = exposure.New(exposure.Opts{Quantity: s.q, Zone: s.zone, Schedule: schedule}); err != nil {
			t.Fatal(err)
		}
	}
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
		day := at.Sub(first) / (24 * time.Hour)
		inDay := at.Sub(first) % (24 * time.Hour)
		for i, s := range series {
			if s.zone == "staff" && s.q != sample.CO2 && inDay >= 4*time.Hour && inDay < 4*time.Hour+7*time.Minute {
				trs[i].Gap(at, at.Add(time.Minute))
				if inDay == 4*time.Hour {
					b.Gaps = append(b.Gaps, journal.Gap{Start: at, End: at.Add(7 * time.Minute), Zone: s.zone, Quantity: string(s.q), Reason: journal.GapSensorFault})
				}
				continue
			}
			v := level(s.zone, s.q, at)
			b.Minutes = append(b.Minutes, journal.Minute{Start: at.UTC(), Zone: s.zone, Quantity: string(s.q), Mean: v, Max: v * 1.2, Count: 60, CoveredSeconds: 60})
			if err := trs[i].AddInterval(at, time.Minute, v); err != nil {
				t.Fatal(err)
			}
			done, _ := trs[i].TakeFinished()
			for _, sum := range done {
				js, _ := json.Marshal(sum)
				b.Shifts = append(b.Shifts, journal.Shift{Zone: s.zone, Quantity: string(s.q), Start: sum.Start, End: sum.End, Finished: true, Summary: js})
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
		if at.Sub(first) < time.Hour || inDay%time.Hour == time.Hour-time.Minute || day == 0 && at.Add(time.Minute).Equal(end) {
			flush()
		}
	}
	flush()
	return j
}
