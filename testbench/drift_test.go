package testbench_test

import (
	"math"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/drivers/sps30"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/scenario"
)

// A sensor_drift event makes one sensor read the room wrong by a growing
// error, while the room's true air (what ventbench's true_* figures read)
// stays true.
func TestSensorDriftMovesOnlyTheSensor(t *testing.T) {
	sc, err := scenario.Parse([]byte(`duration: 3h
events:
  - {at: 10m, sensor_drift: {sensor: staff-pm, ugm3: 20, percent: 50, over: 1h}}
`), "drift.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Sim()
	clk := clock.NewSim(time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC), 0)
	rig, err := testbench.NewRig(cfg, clk, sc, testbench.RigOpts{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	var staff config.Sensor
	for _, s := range cfg.Sensors {
		if s.Name == "staff-pm" {
			staff = s
		}
	}
	bus, err := rig.Bus(staff)
	if err != nil {
		t.Fatal(err)
	}
	dev, err := sps30.New(bus, &sps30.Opts{Clock: clk})
	if err == nil {
		err = dev.Start()
	}
	if err != nil {
		t.Fatal(err)
	}
	read := func(at time.Duration) (reading, truth float64) {
		for clk.Now().Before(time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC).Add(at)) {
			clk.Sleep(time.Second)
			if err := rig.Step(clk.Now()); err != nil {
				t.Fatal(err)
			}
		}
		var r sps30.Reading
		if err := dev.Sense(&r); err != nil {
			t.Fatal(err)
		}
		st, _ := rig.Room.State("staff")
		return float64(r.MassPM25), st.PM25
	}
	r0, t0 := read(9 * time.Minute)
	r1, t1 := read(2 * time.Hour)
	// Before: the unit's own error (a few µg/m³). After: 1.5 × truth + 20.
	if math.Abs(r0-t0) > 3 || math.Abs(r1-(1.5*t1+20)) > 0.15*(1.5*t1+20) {
		t.Fatalf("before the drift %.1f (true %.1f), after %.1f (true %.1f, want about %.1f)", r0, t0, r1, t1, 1.5*t1+20)
	}
}
