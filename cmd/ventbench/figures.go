package main

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench/room"
	"github.com/ventd/ventd/testbench/scenario"
)

// Result is what one run of one scenario with one controller measured.
//
// The staff and booth figures are computed from the sensors as the daemon
// read them (the staff zone's SPS30 through the exposure tracker, the
// booth's SPS30): what an auditor would be shown. The true_* figures are
// the room model's air, which no sensor error, noise or lag touches.
type Result struct {
	Scenario   string  `json:"scenario"`
	Group      string  `json:"group"`
	Controller string  `json:"controller"`
	Family     string  `json:"family"`
	Seed       uint64  `json:"seed"`
	SimHours   float64 `json:"sim_hours"`

	// Staff PM2.5 over the scenario as one shift, by exposure.Tracker:
	// the highest 15 min TWA, the OSHA 8 h TWA E = Σ CᵢTᵢ / 8 h, the mean
	// over the measured time and the share of the time measured.
	StaffSTELPeak   exposure.Conc `json:"staff_pm25_stel_peak_ugm3"`
	StaffTWA        float64       `json:"staff_pm25_twa_ugm3"`
	StaffMean       exposure.Conc `json:"staff_pm25_mean_ugm3"`
	StaffCoverage   float64       `json:"staff_pm25_coverage_pct"`
	BoothPeak       exposure.Conc `json:"booth_pm25_peak_ugm3"`
	StaffOverAlarm  float64       `json:"staff_minutes_over_alarm"`
	EnergyKWh       float64       `json:"fan_energy_kwh"`
	DutyChangesPerH float64       `json:"duty_changes_per_hour"`
	// DutyTravelPerH is the total movement of the duty per hour, in fan
	// ranges: slow ramps count here, not in DutyChangesPerH.
	DutyTravelPerH float64   `json:"duty_travel_per_hour"`
	Entry          EntryTime `json:"seconds_to_safe_entry"`
	// SafeAfterFault is the longest time from a booth sensor fault to
	// every fan serving the booth at its safe duty; null without faults.
	SafeAfterFault exposure.Conc  `json:"seconds_to_safe_duty_after_fault"`
	Sessions       SessionFigures `json:"sessions"`

	TrueStaffSTELPeak exposure.Conc `json:"true_staff_pm25_stel_peak_ugm3"`
	TrueStaffTWA      float64       `json:"true_staff_pm25_twa_ugm3"`
	TrueBoothPeak     float64       `json:"true_booth_pm25_peak_ugm3"`

	WallSeconds float64 `json:"wall_seconds"`
	// Cached marks a baseline's result taken from -cache, not run now.
	Cached bool `json:"cached,omitempty"`
}

// EntryTime is the time from the end of each session until the booth
// sensor reads below the entry threshold, before the next session starts.
type EntryTime struct {
	Mean exposure.Conc `json:"mean"` // null when no session was measured
	Max  exposure.Conc `json:"max"`
	// Sessions measured; Unresolved never fell below the threshold before
	// the next session or the end of the scenario (not in Mean or Max).
	Sessions   int `json:"sessions"`
	Unresolved int `json:"unresolved"`
}

// figures accumulates a Result from the daemon's snapshots.
type figures struct {
	start, end time.Time
	entryLevel float64
	boothZones map[string]bool
	boothIdx   map[string]int // boothIndex of the booth zones
	staffPM    string         // the staff zone's PM sensor the exposure is read from
	staff      *exposure.Tracker
	lastStaff  time.Time
	boothPeak  float64

	fans       map[string]*fanFig
	prev       time.Time
	energyWh   float64
	changes    int
	travel     float64
	windows    []entryWindow
	entries    entryWatch
	faults     []faultWatch
	truth      *truth
	fanZones   map[string][]string
	safeDuties map[string]float64
	sessions   *sessionFigs
	booth      boothAir
}

// boothAir is the booths' latest good PM2.5 of one period, by the booth's
// place in the sorted list of booth zones (boothIndex): filled afresh
// every period, so a slice and not a map (clearing, filling and reading a
// map every period was over 1 % of a bench's CPU).
type boothAir struct {
	value []float64
	seen  []bool
}

// at is booth i's reading, and whether it had one; i is -1 for a zone
// that is no booth.
func (b *boothAir) at(i int) (float64, bool) {
	if i < 0 {
		return 0, false
	}
	return b.value[i], b.seen[i]
}

// boothIndex maps each booth zone to its place in the sorted list of them.
func boothIndex(booths []string) map[string]int {
	idx := make(map[string]int, len(booths))
	for i, z := range booths {
		idx[z] = i
	}
	return idx
}

// indexOf is zone's place in idx, -1 when it is no booth.
func indexOf(idx map[string]int, zone string) int {
	if i, ok := idx[zone]; ok {
		return i
	}
	return -1
}

type fanFig struct {
	powerW, rng float64
	duty        float64
	seen        bool
}

// entryWindow is the time after one session in which the booth should
// become safe to enter.
type entryWindow struct {
	zone       string
	booth      int // zone's boothIndex, -1 if none
	from, till time.Time
	done       bool
	seconds    float64
}

type faultWatch struct {
	at      time.Time
	zone    string
	seconds float64 // NaN until the fans are safe
}

func newFigures(cfg *config.Config, rc room.Config, sc *scenario.Scenario, start, end time.Time) (*figures, error) {
	f := &figures{start: start, end: end, entryLevel: cfg.Thresholds.EntryPM25, boothZones: map[string]bool{},
		fans: map[string]*fanFig{}, fanZones: map[string][]string{}, safeDuties: map[string]float64{}, boothPeak: math.NaN()}
	for _, z := range cfg.ZonesOf(config.Booth) {
		f.boothZones[z.Name] = true
	}
	var staffZone string
	for _, z := range cfg.ZonesOf(config.Staff) {
		for _, s := range cfg.SensorsIn(z.Name) {
			if s.Type.Measures(sample.PM25) && f.staffPM == "" {
				f.staffPM, staffZone = s.Name, z.Name
			}
		}
	}
	if f.staffPM == "" {
		return nil, fmt.Errorf("the config has no PM2.5 sensor (sps30) in a staff zone; there is no staff exposure to measure")
	}
	tracker := func() (*exposure.Tracker, error) {
		length := min(end.Sub(start), 24*time.Hour-time.Second).Truncate(time.Second)
		return exposure.New(exposure.Opts{Quantity: sample.PM25, Zone: staffZone,
			Limits:   exposure.Limits{Alarm: cfg.Thresholds.PM25.Alarm, Source: "ventd config thresholds.pm25_ugm3.alarm"},
			Schedule: exposure.Schedule{Starts: []time.Duration{start.Sub(start.Truncate(24 * time.Hour))}, Length: length, Location: time.UTC}})
	}
	var err error
	if f.staff, err = tracker(); err != nil {
		return nil, err
	}
	f.truth = &truth{staffZone: staffZone, booths: slices.Sorted(maps.Keys(f.boothZones)), end: end}
	if f.truth.staff, err = tracker(); err != nil {
		return nil, err
	}
	for _, fc := range cfg.Fans {
		rng := (fc.MaxDuty - fc.MinDuty) / 100
		if rng <= 0 {
			rng = 1
		}
		f.fans[fc.Name] = &fanFig{powerW: fc.RatedPowerW, rng: rng}
		f.fanZones[fc.Name] = fc.Zones
		f.safeDuties[fc.Name] = fc.SafeDuty / 100
	}
	idx := boothIndex(f.truth.booths)
	f.booth = boothAir{value: make([]float64, len(idx)), seen: make([]bool, len(idx))}
	f.boothIdx = idx
	f.windows = entryWindows(sc, start, end)
	for i := range f.windows {
		f.windows[i].booth = indexOf(idx, f.windows[i].zone)
	}
	f.entries = newEntryWatch(f.windows)
	f.sessions = newSessionFigs(cfg, rc, sc, start, end, idx)
	sensorZone := map[string]string{}
	for _, s := range cfg.Sensors {
		sensorZone[s.Name] = s.Zone
	}
	for _, e := range sc.Events {
		sf := e.SensorFault
		if sf == nil || sf.Clear || !f.boothZones[sensorZone[sf.Sensor]] || start.Add(e.At).After(end) {
			continue
		}
		if sf.Kind == scenario.FaultDisconnect || sf.Kind == scenario.FaultNACK || sf.Kind == scenario.FaultCorrupt {
			f.faults = append(f.faults, faultWatch{at: start.Add(e.At), zone: sensorZone[sf.Sensor], seconds: math.NaN()})
		}
	}
	return f, nil
}

// entryWatch finds the entry windows a period may end: those begun by the
// latest period's time and not yet done, instead of looking at every
// session's window every period (a day of sessions has dozens). Each
// window's own test is as before, so a period ends the windows it did.
type entryWatch struct {
	order []int // the windows by start, ties in list order
	next  int   // order[next:] have not begun by any period yet
	open  []int // begun and not done
}

func newEntryWatch(ws []entryWindow) entryWatch {
	order := make([]int, len(ws))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return ws[a].from.Compare(ws[b].from) })
	return entryWatch{order: order}
}

// end ends, at t, the windows of ws that t is in whose booth reads below
// the entry level (clean).
func (e *entryWatch) end(ws []entryWindow, t time.Time, clean func(booth int) bool) {
	for e.next < len(e.order) && !t.Before(ws[e.order[e.next]].from) {
		e.open = append(e.open, e.order[e.next])
		e.next++
	}
	for k := 0; k < len(e.open); {
		w := &ws[e.open[k]]
		if !t.Before(w.from) && t.Before(w.till) && clean(w.booth) {
			w.done, w.seconds = true, t.Sub(w.from).Seconds()
			e.open = slices.Delete(e.open, k, k+1)
			continue
		}
		k++
	}
}

// entryWindows lists, for each session, the time from its end to the next
// session in the same booth (or the end of the run). A session replaced
// by the next before it ends has no window.
func entryWindows(sc *scenario.Scenario, start, end time.Time) []entryWindow {
	type span struct {
		zone       string
		from, till time.Time
	}
	var ss []span
	for _, e := range sc.Events {
		if s := e.Session; s != nil {
			ss = append(ss, span{s.Zone, start.Add(e.At), start.Add(e.At + s.Duration)})
		}
	}
	slices.SortStableFunc(ss, func(a, b span) int { return a.from.Compare(b.from) })
	var ws []entryWindow
	for i, s := range ss {
		till := end
		for _, n := range ss[i+1:] {
			if n.zone == s.zone {
				till = n.from
				break
			}
		}
		if s.till.Before(till) {
			ws = append(ws, entryWindow{zone: s.zone, from: s.till, till: till})
		}
	}
	return ws
}

func (f *figures) add(s *snapshot.Snapshot) {
	// The booths' latest PM2.5 this period; one for every period,
	// emptied (sessions.add reads it and keeps nothing).
	booth := &f.booth
	clear(booth.seen)
	for _, r := range s.Readings {
		if !figureReading(r.Quantity, r.Quality) {
			continue
		}
		if r.Sensor == f.staffPM && r.Time.After(f.lastStaff) && !r.Time.Before(f.start) {
			if err := f.staff.Add(r.Time, r.Value); err == nil {
				f.lastStaff = r.Time
			}
		}
		if i, ok := f.boothIdx[r.Zone]; ok {
			if math.IsNaN(f.boothPeak) || r.Value > f.boothPeak {
				f.boothPeak = r.Value
			}
			if v, ok := booth.at(i); (!ok || r.Value > v) && !r.Time.Before(s.Time.Add(-2*time.Second)) {
				booth.value[i], booth.seen[i] = r.Value, true
			}
		}
	}
	f.sessions.add(s, booth)
	f.entries.end(f.windows, s.Time, func(b int) bool { v, ok := booth.at(b); return ok && v < f.entryLevel })
	dt := s.Time.Sub(f.prev).Hours()
	for _, fs := range s.Fans {
		ff := f.fans[fs.Name]
		if ff == nil {
			continue
		}
		if ff.seen {
			f.energyWh += ff.powerW * math.Pow(ff.duty, 3) * dt
			delta := math.Abs(fs.Duty - ff.duty)
			if delta > 0.05*ff.rng {
				f.changes++
			}
			f.travel += delta / ff.rng
		}
		ff.duty, ff.seen = fs.Duty, true
	}
	for i := range f.faults {
		w := &f.faults[i]
		if !math.IsNaN(w.seconds) || s.Time.Before(w.at) {
			continue
		}
		safe := true
		for _, fs := range s.Fans {
			if slices.Contains(f.fanZones[fs.Name], w.zone) && (fs.Mode != "safe" || fs.Duty < f.safeDuties[fs.Name]-1e-9) {
				safe = false
			}
		}
		if safe {
			w.seconds = s.Time.Sub(w.at).Seconds()
		}
	}
	f.prev = s.Time
}

func (f *figures) finish(r *Result) {
	for _, ff := range f.fans {
		if ff.seen {
			f.energyWh += ff.powerW * math.Pow(ff.duty, 3) * f.end.Sub(f.prev).Hours()
		}
	}
	hours := f.end.Sub(f.start).Hours()
	r.EnergyKWh = f.energyWh / 1000
	r.DutyChangesPerH = float64(f.changes) / hours
	r.DutyTravelPerH = f.travel / hours
	r.BoothPeak = exposure.Conc(f.boothPeak)
	sum := summary(f.staff, f.start, f.end)
	r.StaffSTELPeak, r.StaffTWA, r.StaffMean = sum.STELPeak, sum.TWA, sum.MeanCovered
	r.StaffCoverage, r.StaffOverAlarm = sum.Coverage, sum.TimeOverAlarm.Std().Minutes()
	tsum := summary(f.truth.staff, f.start, f.end)
	r.TrueStaffSTELPeak, r.TrueStaffTWA, r.TrueBoothPeak = tsum.STELPeak, tsum.TWA, f.truth.boothPeak

	var total, worst float64
	for _, w := range f.windows {
		if !w.from.Before(f.end) {
			continue
		}
		if !w.done {
			r.Entry.Unresolved++
			continue
		}
		r.Entry.Sessions++
		total += w.seconds
		worst = max(worst, w.seconds)
	}
	r.Entry.Mean, r.Entry.Max = exposure.Unknown, exposure.Unknown
	if r.Entry.Sessions > 0 {
		r.Entry.Mean, r.Entry.Max = exposure.Conc(total/float64(r.Entry.Sessions)), exposure.Conc(worst)
	}
	r.Sessions = f.sessions.finish(f.end)
	r.SafeAfterFault = exposure.Unknown
	if len(f.faults) > 0 {
		slowest := 0.0
		for _, w := range f.faults {
			// NaN (never safe) wins and is reported as null.
			if math.IsNaN(w.seconds) || w.seconds > slowest {
				slowest = w.seconds
			}
		}
		r.SafeAfterFault = exposure.Conc(slowest)
	}
}

// summary closes the tracker's shift at end and returns its record.
func summary(t *exposure.Tracker, start, end time.Time) exposure.Summary {
	if err := t.Gap(end, end); err == nil {
		done, _ := t.TakeFinished()
		for _, s := range done {
			if s.Start.Equal(start) {
				return s
			}
		}
	}
	s, _ := t.Current(end.Add(-time.Nanosecond))
	return s
}

// truth follows the room model's true air at the times the room reached.
type truth struct {
	staffZone string
	booths    []string // the booth zones, sorted
	end       time.Time
	staff     *exposure.Tracker
	last      time.Time
	boothPeak float64
}

func (t *truth) observe(rm *room.Room) {
	now := rm.Now()
	if clock.Sub(now, t.last) < time.Second || !now.Before(t.end) {
		return
	}
	t.last = now
	if st, err := rm.State(t.staffZone); err == nil {
		t.staff.Add(now, st.PM25)
	}
	for _, z := range t.booths {
		if st, err := rm.State(z); err == nil {
			t.boothPeak = max(t.boothPeak, st.PM25)
		}
	}
}
