package daemon

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/metrics"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/scenario"
)

// withOutdoor adds to cfg the air the room takes in: a zone of kind
// outdoor ("outside") with an SPS30 and an SCD41 on a bus of their own,
// set up as the staff area's (a copy of them, renamed).
func withOutdoor(cfg *config.Config) *config.Config {
	cfg.Zones = append(cfg.Zones, config.Zone{Name: "outside", Kind: config.Outdoor})
	for _, s := range slices.Clone(cfg.Sensors) {
		if s.Zone == "staff" && (s.Type == config.SPS30 || s.Type == config.SCD41) {
			s.Name, s.Zone, s.Bus = "outdoor-"+strings.TrimPrefix(s.Name, "staff-"), "outside", "sim2"
			cfg.Sensors = append(cfg.Sensors, s)
		}
	}
	return cfg
}

func outdoorHarness(t *testing.T) *harness {
	t.Helper()
	return rigHarness(t, withOutdoor(config.Sim()), t.TempDir(), t0, testbench.RigOpts{Seed: 7})
}

func reading(s *snapshot.Snapshot, sensor string, q sample.Quantity) (snapshot.Reading, bool) {
	for _, r := range s.Readings {
		if r.Sensor == sensor && r.Quantity == q {
			return r, true
		}
	}
	return snapshot.Reading{}, false
}

// Nobody works outdoors: the outdoor zone has no exposure record, in the
// record the loop publishes or in the journal an auditor reads (no shift
// summary, no gap), while its readings are published like any other
// zone's. The booth and the staff area keep theirs.
func TestOutdoorZoneHasNoExposureRecord(t *testing.T) {
	h := outdoorHarness(t)
	var zones []string
	for _, e := range h.d.expo {
		if !slices.Contains(zones, e.zone) {
			zones = append(zones, e.zone)
		}
	}
	if !slices.Equal(zones, []string{"booth", "staff"}) {
		t.Fatalf("exposure records for zones %q, want booth and staff alone", zones)
	}
	s := h.run(2 * time.Minute)
	for _, e := range s.Exposure {
		if e.Zone == "outside" {
			t.Errorf("an exposure snapshot for the outdoor zone: %+v", e)
		}
	}
	for _, m := range s.Mixture {
		if m.Zone == "outside" {
			t.Errorf("a mixture index for the outdoor zone: %+v", m)
		}
	}
	for sensor, q := range map[string]sample.Quantity{"outdoor-pm": sample.PM25, "outdoor-co2": sample.CO2} {
		if r, ok := reading(s, sensor, q); !ok || r.Zone != "outside" {
			t.Errorf("%s %s reading %+v (found %v), want one in zone outside", sensor, q, r, ok)
		}
	}
	j, err := journal.OpenReadOnly(filepath.Join(h.dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	noOutdoorRecord(t, j, s.Time)
	if ms, err := j.Minutes(time.Time{}, time.Time{}, "staff", "pm25"); err != nil || len(ms) == 0 {
		t.Errorf("the journal has no staff PM2.5 minutes (%v)", err)
	}
}

// noOutdoorRecord fails when the journal holds a shift summary or a gap of
// the outdoor zone up to now, or no shift summary of the staff area.
func noOutdoorRecord(t *testing.T, j *journal.Journal, now time.Time) {
	t.Helper()
	shifts, err := j.Shifts(t0.Add(-24*time.Hour), now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	staff := false
	for _, sh := range shifts {
		staff = staff || sh.Zone == "staff"
		if sh.Zone == "outside" {
			t.Errorf("a shift summary of the outdoor zone: %s from %s", sh.Quantity, sh.Start)
		}
	}
	if !staff {
		t.Errorf("no staff shift summary in the journal: %+v", shifts)
	}
	gaps, err := j.Gaps(t0.Add(-24*time.Hour), now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gaps {
		if g.Zone == "outside" {
			t.Errorf("a gap in the outdoor zone's (non-existent) exposure record: %+v", g)
		}
	}
}

// The outdoor air's minutes go to the journal as any zone's do, PM2.5,
// PM10 and CO2, so that an auditor can set the staff's air beside the air
// the room took in (a wildfire day), with no shift summary or gap beside
// them; a minute the outdoor sensor was away for covers only what was
// measured; the meta says the zone is the outdoor air.
func TestOutdoorMinutesJournaled(t *testing.T) {
	h := outdoorHarness(t)
	h.run(2 * time.Minute)
	out := h.rig.Room.Outdoor()
	out.PM1, out.PM25, out.PM4, out.PM10 = 120, 150, 155, 160
	h.rig.Room.SetOutdoor(out)
	// To a minute's start, then two whole minutes of smoke outdoors.
	h.run(h.clk.Now().Truncate(time.Minute).Add(time.Minute).Sub(h.clk.Now()))
	smoke := h.clk.Now().Truncate(time.Minute) // the loop's periods run a little after the second
	h.run(2 * time.Minute)
	// The outdoor SPS30 goes away for the last 40 s of the next minute.
	h.run(20 * time.Second)
	h.rig.SimBus("sim2").Disconnect(uint16(config.SPS30.DefaultAddress()))
	s := h.run(40*time.Second + time.Second)
	h.d.shutdown()

	j, err := journal.OpenReadOnly(filepath.Join(h.dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	pm, err := j.Minutes(smoke, smoke.Add(3*time.Minute), "outside", "pm25")
	if err != nil || len(pm) != 3 {
		t.Fatalf("%d outdoor PM2.5 minutes from %s (%v), want 3: %+v", len(pm), smoke, err, pm)
	}
	for _, m := range pm[:2] {
		if m.Mean < 135 || m.Mean > 165 || m.Max < m.Mean || m.CoveredSeconds != 60 || m.Count != 60 {
			t.Errorf("outdoor PM2.5 minute %+v: want a whole minute of about 150 µg/m³", m)
		}
	}
	if m := pm[2]; m.CoveredSeconds < 18 || m.CoveredSeconds > 30 || m.Mean < 135 || m.Mean > 165 {
		t.Errorf("outdoor PM2.5 minute %+v with the sensor away for its last 40 s: want about the 20 s before covered, at about 150", m)
	}
	for _, q := range []string{"pm10", "co2"} {
		if ms, err := j.Minutes(t0, s.Time, "outside", q); err != nil || len(ms) < 4 {
			t.Errorf("%d outdoor %s minutes (%v), want one a minute", len(ms), q, err)
		}
	}
	// The staff area's minutes are its own air, not the outdoor air's.
	staff, err := j.Minutes(smoke, smoke.Add(2*time.Minute), "staff", "pm25")
	if err != nil || len(staff) != 2 || staff[0].Mean > 100 {
		t.Errorf("staff PM2.5 minutes %+v (%v): want two, well below the outdoor air's", staff, err)
	}
	noOutdoorRecord(t, j, s.Time)
	if kind, _, err := j.Meta(journal.ZoneKindKey("outside")); kind != "outdoor" || err != nil {
		t.Errorf("meta %s = %q (%v), want outdoor", journal.ZoneKindKey("outside"), kind, err)
	}
	if kind, _, _ := j.Meta(journal.ZoneKindKey("staff")); kind != "staff" {
		t.Errorf("meta %s = %q, want staff", journal.ZoneKindKey("staff"), kind)
	}
	// The shift time zone too, for ventctl without the configuration.
	if tz, _, _ := j.Meta(journal.TimeZoneKey); tz == "" || tz != h.d.cfg.Shifts.TimeZone {
		t.Errorf("meta %s = %q, want the config's %q", journal.TimeZoneKey, tz, h.d.cfg.Shifts.TimeZone)
	}
}

// Smoke outdoors above the staff alarm level is no staff alarm (nor any
// alarm about the outdoor zone), while a fault of the outdoor sensor is a
// sensor fault like any other.
func TestOutdoorSmokeRaisesNoStaffAlarm(t *testing.T) {
	h := outdoorHarness(t)
	for id := range h.d.alarms.rules {
		if strings.HasPrefix(string(id), "outside/") {
			t.Errorf("rule %s for the outdoor zone", id)
		}
	}
	for _, f := range []alarm.SensorFault{alarm.FaultStale, alarm.FaultCRC, alarm.FaultRange, alarm.FaultStuck} {
		if !h.d.alarms.rules[alarm.SensorRule("outdoor-pm", f)] {
			t.Errorf("no %s fault rule for the outdoor sensor", f)
		}
	}
	h.run(time.Minute)
	// A wildfire plume arrives: 300 µg/m³ outside, well above the staff
	// alarm level (125.5). The staff area follows at its air change rate,
	// far below its own warning level in the 40 s the test waits, which
	// is longer than the alarm's 10 s on-delay.
	out := h.rig.Room.Outdoor()
	out.PM1, out.PM25, out.PM4, out.PM10 = 250, 300, 310, 320
	h.rig.Room.SetOutdoor(out)
	s := h.run(40 * time.Second)
	if r, ok := reading(s, "outdoor-pm", sample.PM25); !ok || r.Quality != sample.Good || r.Value <= 125.5 {
		t.Fatalf("outdoor PM2.5 %+v (found %v), want a good reading above 125.5", r, ok)
	}
	if r, _ := reading(s, "staff-pm", sample.PM25); r.Value >= 35 {
		t.Fatalf("staff PM2.5 %.1f: the test wants the staff area below its warning level", r.Value)
	}
	for _, a := range s.Alarms.Alarms {
		t.Errorf("alarm %s (%s) with smoke outdoors only: %s", a.RuleID, a.Level, a.Message)
	}
	h.rig.SimBus("sim2").Disconnect(uint16(config.SPS30.DefaultAddress()))
	s = h.run(30 * time.Second)
	if _, _, ok := hasAlarm(s, alarm.SensorRule("outdoor-pm", alarm.FaultStale)); !ok {
		t.Fatalf("no fault 30 s after the outdoor sensor went away: %+v", s.Alarms)
	}
}

// A purge of the outdoor air is refused, saying why and which zones can be
// purged; nothing is purged.
func TestPurgeRefusesOutdoorZone(t *testing.T) {
	h := outdoorHarness(t)
	h.run(time.Minute)
	for _, start := range []bool{true, false} {
		var err error
		h.call(func() {
			if start {
				_, err = h.d.Purge(t.Context(), "outside", tester, "smoke outside")
			} else {
				_, err = h.d.CancelPurge(t.Context(), "outside", tester)
			}
		})
		want := `zone "outside" is the outdoor air (a sensor outside or in the supply duct): ventd reads it, no fan clears it; purge a booth: booth`
		if err == nil || err.Error() != want {
			t.Errorf("purge (start %v) of the outdoor zone: %v; want %q", start, err, want)
		}
	}
	s := h.run(2 * time.Second)
	for _, f := range s.Fans {
		if f.Mode == "purge" {
			t.Errorf("fan %s purging after a refused purge", f.Name)
		}
	}
}

// What the law learned of how the staff area follows the outdoor air is in
// the record (/api/state's staff_air.outdoor, and /metrics) while the
// outdoor sensor is trusted, and gone when it is not: a figure nobody
// measures is not shown as if it were.
func TestOutdoorLinkInTheRecord(t *testing.T) {
	h := outdoorHarness(t)
	s := h.run(5 * time.Minute)
	if s.Staff == nil || s.Staff.Outdoor == nil {
		t.Fatalf("staff air %+v: want the outdoor link while the outdoor sensor reads", s.Staff)
	}
	o := *s.Staff.Outdoor
	r, _ := reading(s, "outdoor-pm", sample.PM25)
	if o.Gain <= 0 || o.Gain > 1.5 || !slices.Contains([]float64{1, 2, 4, 8}, o.GeneralACH) || o.PM25 < r.Value-5 || o.PM25 > r.Value+5 {
		t.Errorf("outdoor link %+v, outdoor reading %.1f", o, r.Value)
	}
	h.rig.SimBus("sim2").Disconnect(uint16(config.SPS30.DefaultAddress()))
	s = h.run(time.Minute)
	if s.Staff == nil || s.Staff.Outdoor != nil {
		t.Errorf("staff air %+v with the outdoor sensor gone: want no outdoor link", s.Staff)
	}
}

// When outdoor smoke clears, the room holds what it took in: the law reads
// the gap from the staff area's falling clean air and runs the fans to
// flush it (no outdoor sensor needed), the record and /metrics carry the
// gap it acts on, and once the outdoor air holds again the fans come back
// down.
func TestOutdoorSmokeClearingRunsTheFans(t *testing.T) {
	sc, err := scenario.Parse([]byte(`
name: plume clears
duration: 4h
outdoor:
  - {at: 0s, pm25: 60}
  - {at: 40m, pm25: 60}
  - {at: 1h40m, pm25: 8}
events:
  - {at: 0s, occupants: {zone: staff, count: 2}}
`), "plume clears")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Sim()
	h := dayHarness(t, cfg, sc, "", t0, testbench.RigOpts{Seed: 7, ScenarioStart: t0}, nil)
	minDuty := cfg.Fans[0].MinDuty / 100

	s := h.run(40 * time.Minute) // steady smoky air: nothing to flush
	if s.Staff == nil || s.Staff.ClearingGap > 1 || s.Fans[0].Duty > minDuty+0.05 {
		t.Fatalf("steady outdoor smoke: staff %+v, fan %+v; want no gap and the fan at its minimum", s.Staff, s.Fans[0])
	}
	most, flushed := 0.0, 0
	for range 50 {
		s = h.run(time.Minute)
		st, _ := h.d.law.Staff()
		if a := s.Staff; a != nil && math.Abs(a.ClearingGap-st.ClearingGap) > 0.005+1e-12 {
			t.Fatalf("staff_air clearing gap %v, the law's %v", a.ClearingGap, st.ClearingGap)
		}
		most = math.Max(most, s.Staff.ClearingGap)
		if strings.Contains(s.Fans[0].Reason, "clearing toward cleaner air") && s.Fans[0].Duty > 0.9 {
			flushed++
		}
	}
	// The outdoor air falls 52 µg/m³ an hour; the room, at a few air
	// changes an hour, lags it by well over 5.
	if most < 5 || flushed < 10 {
		t.Errorf("outdoor smoke clearing: largest gap %.1f µg/m³, %d minutes flushing at full; want > 5 and ≥ 10", most, flushed)
	}
	reg := prometheus.NewPedanticRegistry()
	if _, err := metrics.Register(reg, metrics.ConfigRoom(cfg, h.clk.Now), func() *snapshot.Snapshot { return s }); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, mf := range mfs {
		if mf.GetName() == "ventd_staff_pm25_clearing_gap_ugm3" && len(mf.GetMetric()) == 1 {
			found = true
			if got := mf.GetMetric()[0].GetGauge().GetValue(); got != s.Staff.ClearingGap {
				t.Errorf("ventd_staff_pm25_clearing_gap_ugm3 %v, staff_air's %v", got, s.Staff.ClearingGap)
			}
		}
	}
	if !found {
		t.Error("no ventd_staff_pm25_clearing_gap_ugm3 in /metrics")
	}
	s = h.run(90 * time.Minute) // the outdoor air has held at 8 for an hour and more
	if s.Staff.ClearingGap > 1 || s.Fans[0].Duty > minDuty+0.05 {
		t.Errorf("after the plume: staff %+v, fan %+v; want the gap gone and the fan back at its minimum", s.Staff, s.Fans[0])
	}
}
