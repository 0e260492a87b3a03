package control

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/sample"
)

// script is a day in miniature that touches every part of the law: clean
// air, strong smoke, a weak pipe, a booth sensor that goes quiet, a staff
// sensor fault, smoke reaching the staff, a purge and a staff sensor
// reading far too high, all with a pressure sensor on the booth.
func script(t *testing.T, cfg *config.Config) []Decision {
	t.Helper()
	cfg.Sensors = append(cfg.Sensors, config.Sensor{Name: "booth-dp", Type: config.SDP810, Bus: "sim0", Zone: "booth", Address: 0x25})
	p, err := ParamsFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, p)
	w.period = cfg.Control.Period
	w.noise = 0.3
	w.fullPa = -30 // −7 Pa at 48 % duty
	w.run(10 * time.Minute)
	w.session(3, 3*time.Minute)
	w.run(7 * time.Minute)
	w.session(0.3, 3*time.Minute) // 1.25 µg/m³ a second: under the strong threshold
	w.run(5 * time.Minute)
	w.boothStale = true // the booth's samples stop for 15 s
	w.run(15 * time.Second)
	w.boothStale = false
	w.run(4 * time.Minute)
	w.staffQuality = sample.Fault
	w.run(2 * time.Minute)
	w.staffQuality = sample.Good
	w.leak = 60 // the booth door's seal fails: smoke reaches the staff
	w.session(3, 3*time.Minute)
	w.run(10 * time.Minute)
	w.law.Purge("")
	w.source = 1000 / 60.0
	w.run(time.Minute)
	w.source = 0
	w.run(3 * time.Minute)
	// The staff sensor reads 40 µg/m³ high, more than any sensor error:
	// the booth's clean air is taken too high, and only the strong-smoke
	// detector, which needs no clean air, sees the next session at once.
	w.staffOff = 40
	w.run(5 * time.Minute)
	w.session(3, 2*time.Minute)
	w.run(3 * time.Minute)
	return w.trace
}

// same compares two traces by what a fan and a person see: duty, mode and
// reason (Level may be NaN, which DeepEqual never finds equal).
func same(a, b []Decision) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Duty != b[i].Duty || a[i].Mode != b[i].Mode || a[i].Reason != b[i].Reason || a[i].SecondsToEntry != b[i].SecondsToEntry {
			return false
		}
	}
	return true
}

// Every control key, and the other settings the law takes from the config,
// changes what the law does when changed, valid zeros included: nothing
// configured is dropped on the way (config.Control → ParamsFor → Room).
func TestEveryControlKeyChangesTheLaw(t *testing.T) {
	base := script(t, config.Sim())
	if !same(base, script(t, config.Sim())) {
		t.Fatal("the script does not repeat itself")
	}
	tested := map[string]bool{}
	for _, c := range []struct {
		key  string
		edit func(*config.Control)
	}{
		{"period", func(k *config.Control) { k.Period = 2 * time.Second }},
		{"rise_rate_ugm3_per_s", func(k *config.Control) { k.RiseRate = 20 }},
		{"rise_window", func(k *config.Control) { k.RiseWindow = 30 * time.Second }},
		{"session_excess_ugm3", func(k *config.Control) { k.SessionExcess = 40 }},
		{"run_on", func(k *config.Control) { k.RunOn = 2 * time.Minute }},
		{"booth_full_excess_ugm3", func(k *config.Control) { k.BoothFullExcess = 20 }},
		{"staff_margin_ugm3", func(k *config.Control) { k.StaffMargin = 3 }},
		{"staff_full_excess_ugm3", func(k *config.Control) { k.StaffFullExcess = 30 }},
		{"staff_full_usual", func(k *config.Control) { k.StaffFullUsual = 0 }},
		{"staff_margin_percent", func(k *config.Control) { k.StaffMarginPercent = 0 }},
		{"staff_clear_time", func(k *config.Control) { k.StaffClearTime = time.Minute }},
		{"staff_blind_duty_percent", func(k *config.Control) { k.StaffBlindDutyPercent = 0 }},
		{"ramp_down_percent_per_min", func(k *config.Control) { k.RampDown = 100 }},
		{"clean_air_learn", func(k *config.Control) { k.CleanAirLearn = time.Minute }},
		{"max_sample_age", func(k *config.Control) { k.MaxSampleAge = 20 * time.Second }},
		{"pressure_gain_percent_per_pa_min", func(k *config.Control) { k.PressureGain = 0 }},
		{"pressure_margin_pa", func(k *config.Control) { k.PressureMargin = 0 }},
	} {
		tested[c.key] = true
		t.Run(c.key, func(t *testing.T) {
			cfg := config.Sim()
			c.edit(&cfg.Control)
			if err := validControl(cfg); err != nil {
				t.Fatalf("the edit is not a valid config: %v", err)
			}
			if got := script(t, cfg); same(got, base) {
				t.Errorf("control.%s changed, the law did the same", c.key)
			}
		})
	}
	// The table covers every key a file may set.
	for _, f := range reflect.VisibleFields(reflect.TypeOf(config.Control{})) {
		key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !tested[key] && key != "target_pm25_ugm3" { // refused, see config
			t.Errorf("control.%s is not in the table", key)
		}
	}
	// And the settings from other sections the law uses.
	for name, edit := range map[string]func(*config.Config){
		"thresholds.entry_pm25_ugm3": func(c *config.Config) { c.Thresholds.EntryPM25 = 15 },
		"alarms.booth_pressure_pa":   func(c *config.Config) { c.Alarms.BoothPressurePa = -10 },
		"fans[0].min_duty":           func(c *config.Config) { c.Fans[0].MinDuty = 0 },
		"fans[0].max_duty":           func(c *config.Config) { c.Fans[0].MaxDuty = 80 },
		"fans[0].safe_duty":          func(c *config.Config) { c.Fans[0].SafeDuty = 90 },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := config.Sim()
			edit(cfg)
			if got := script(t, cfg); same(got, base) {
				t.Errorf("%s changed, the law did the same", name)
			}
		})
	}
}

// validControl runs the config's own validation on cfg, through its YAML.
func validControl(cfg *config.Config) error {
	k := cfg.Control
	y := fmt.Sprintf("control: {period: %s, rise_rate_ugm3_per_s: %g, rise_window: %s, session_excess_ugm3: %g, run_on: %s, "+
		"booth_full_excess_ugm3: %g, staff_margin_ugm3: %g, staff_full_excess_ugm3: %g, staff_full_usual: %g, staff_clear_time: %s, "+
		"staff_margin_percent: %g, staff_blind_duty_percent: %g, ramp_down_percent_per_min: %g, clean_air_learn: %s, max_sample_age: %s, "+
		"pressure_gain_percent_per_pa_min: %g, pressure_margin_pa: %g}\n",
		k.Period, k.RiseRate, k.RiseWindow, k.SessionExcess, k.RunOn, k.BoothFullExcess, k.StaffMargin, k.StaffFullExcess,
		k.StaffFullUsual, k.StaffClearTime, k.StaffMarginPercent, k.StaffBlindDutyPercent, k.RampDown, k.CleanAirLearn, k.MaxSampleAge, k.PressureGain, k.PressureMargin)
	sim, err := os.ReadFile("../config/sim.yaml")
	if err != nil {
		return err
	}
	_, err = config.Parse(append(sim, y...), "sim.yaml+control")
	return err
}
