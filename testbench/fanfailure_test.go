package testbench_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/drivers/sen5x"
	"github.com/ventd/ventd/testbench"
)

// A scenario's fan_failure fails a SEN5x's fan as it does an SPS30's: the
// rig refused it ("not an SPS30") though the twin has the fault. The
// sensor's status register then says so. A sensor with no fan is refused,
// saying which have one.
func TestFanFailureReachesASEN5x(t *testing.T) {
	cfg := config.Sim()
	for i, s := range cfg.Sensors {
		if s.Name == "booth-pm" {
			cfg.Sensors[i].Type = config.SEN55
		}
	}
	clk := clock.NewSim(time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC), 0)
	rig, err := testbench.NewRig(cfg, clk, nil, testbench.RigOpts{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := rig.SensorFault("booth-pm", "fan_failure", true); err != nil {
		t.Fatalf("fan_failure on a SEN55: %v", err)
	}
	if err := rig.SensorFault("staff-co2", "fan_failure", true); err == nil || !strings.Contains(err.Error(), "has no fan") {
		t.Errorf("fan_failure on an SCD41: %v, want refused", err)
	}
	var booth config.Sensor
	for _, s := range cfg.Sensors {
		if s.Name == "booth-pm" {
			booth = s
		}
	}
	bus, err := rig.Bus(booth)
	if err != nil {
		t.Fatal(err)
	}
	dev, err := sen5x.New(bus, &sen5x.Opts{Addr: uint16(booth.Address), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if err := dev.Start(); err != nil {
		t.Fatal(err)
	}
	clk.Sleep(15 * time.Second)
	st, err := dev.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st&sen5x.FanFailure == 0 {
		t.Errorf("status %v after the fan failed, want the fan failure bit", st)
	}
}
