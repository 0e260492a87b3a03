package daemon

import (
	"math"
	"time"

	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/snapshot"
)

// modeRank orders modes by urgency for the room's overall mode.
var modeRank = map[control.Mode]int{control.ModeNormal: 0, control.ModeBoost: 1, control.ModePurge: 2, control.ModeSafe: 3}

// buildSnapshot copies the loop's state into a new immutable snapshot.
func (d *Daemon) buildSnapshot(now time.Time) *snapshot.Snapshot {
	s := &snapshot.Snapshot{
		Site: d.cfg.Site, Room: d.cfg.Room, Time: now, Sim: d.sim,
		Mode:     string(control.ModeNormal),
		Readings: make([]snapshot.Reading, 0, 4*len(d.sensors)),
		Sensors:  make([]snapshot.Sensor, 0, len(d.sensors)),
		Fans:     make([]snapshot.Fan, 0, len(d.fans)),
	}
	for _, sn := range d.sensors {
		for _, smp := range sn.samples() {
			r := snapshot.Reading{
				Sensor: smp.Sensor, Zone: smp.Zone, Quantity: string(smp.Quantity),
				Value: round(smp.Value, 2), Unit: smp.Quantity.Unit(), Time: smp.Time,
				AgeSeconds: now.Sub(smp.Time).Seconds(), Quality: smp.Quality.String(),
			}
			if smp.Err != nil {
				r.Error = smp.Err.Error()
			}
			s.Readings = append(s.Readings, r)
		}
		s.Sensors = append(s.Sensors, sn.snapshot())
	}
	worst := control.ModeNormal
	for _, f := range d.fans {
		fs := snapshot.Fan{
			Name: f.cfg.Name, Zones: f.cfg.Zones, Duty: round(f.last.Duty, 4),
			Mode: string(f.last.Mode), Reason: f.last.Reason, RPM: f.rpm,
			SecondsToEntry: f.last.SecondsToEntry,
		}
		if f.err != nil {
			fs.Error = f.err.Error()
		}
		if modeRank[f.last.Mode] > modeRank[worst] {
			worst = f.last.Mode
		}
		s.Fans = append(s.Fans, fs)
	}
	s.Mode = string(worst)
	s.Exposure = make([]exposure.Snapshot, 0, len(d.expo))
	for _, e := range d.expo {
		s.Exposure = append(s.Exposure, e.snap)
	}
	for _, z := range d.cfg.Zones {
		var shifts []*exposure.Summary
		for _, e := range d.expo {
			if e.zone == z.Name {
				shifts = append(shifts, e.snap.Shift)
			}
		}
		if em, n := exposure.MixtureOf(shifts...); n > 0 {
			s.Mixture = append(s.Mixture, snapshot.Mixture{Zone: z.Name, Index: em, Pollutants: n})
		}
	}
	s.Health = snapshot.Health{Started: d.started, ClockSynchronized: d.clockOK != nil && *d.clockOK,
		JournalOK: true, LoopOverruns: d.overruns}
	if err := d.rec.fault(); err != nil {
		s.Health.JournalOK, s.Health.JournalError = false, err.Error()
	}
	s.Alarms = d.alarms.eng.Summary(now)
	s.Events = append([]alarm.Event(nil), d.alarms.recent...)
	if st, ok := d.hw.(Stepper); ok {
		s.Scenario = st.Active()
	}
	return s
}

// round keeps the digits a reading can carry: sensors report float32, and
// 4.670733451843262 µg/m³ claims precision nobody has.
func round(v float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(v*p) / p
}
