package config

import (
	"fmt"
	"time"

	"github.com/ventd/ventd/sample"
)

// Defaults for keys left out; the reasons are on the struct fields.
const (
	DefaultListen   = "127.0.0.1:8080"
	DefaultStateDir = "/var/lib/ventd"
)

// DefaultThresholds returns the thresholds used for keys left out of the
// thresholds section (sources on Thresholds).
func DefaultThresholds() Thresholds {
	return Thresholds{
		PM25:      Level{Warning: 35, Alarm: 125.5},
		CO2:       Level{Warning: 1000, Alarm: 5000},
		VOCIndex:  Level{Warning: 200, Alarm: 400},
		EntryPM25: 35,
	}
}

// DefaultControl returns the tuning used for keys left out of the control
// section (reasons on Control).
func DefaultControl() Control {
	return Control{
		Period:                time.Second,
		RiseRate:              2,
		RiseWindow:            5 * time.Second,
		SessionExcess:         5,
		RunOn:                 0,
		BoothFullExcess:       150,
		StaffMargin:           0,
		StaffMarginPercent:    3,
		StaffFullExcess:       6,
		StaffFullUsual:        3.5,
		StaffClearTime:        15 * time.Minute,
		StaffBlindDutyPercent: 50,
		RampDown:              50,
		CleanAirLearn:         10 * time.Minute,
		MaxSampleAge:          10 * time.Second,
		PressureGain:          2,
		PressureMargin:        1,
	}
}

// setDefaults fills in every key the file left out. A key written out,
// even as 0, is kept as written and validated as written.
func (d *decoder) setDefaults(c *Config) {
	setDefault(d, "listen", &c.Listen, DefaultListen)
	if c.AlarmOutput != nil {
		setDefault(d, "alarm_output.level", &c.AlarmOutput.Level, "alarm")
	}
	setDefault(d, "state_dir", &c.StateDir, DefaultStateDir)

	for i := range c.Sensors {
		s, p := &c.Sensors[i], fmt.Sprintf("sensors[%d]", i)
		setDefault(d, p+".address", &s.Address, s.Type.DefaultAddress())
		if s.Mux != nil {
			setDefault(d, p+".mux.address", &s.Mux.Address, Addr(0x70))
		}
		if s.Type.Measures(sample.PM25) {
			setDefault(d, p+".pm_calibration", &s.PMCalibration, 1.0)
		}
		setDefault(d, p+".stale_after", &s.StaleAfter, 3*s.Type.Period())
	}

	for i := range c.Fans {
		f, p := &c.Fans[i], fmt.Sprintf("fans[%d]", i)
		setDefault(d, p+".max_duty", &f.MaxDuty, 100.0)
		setDefault(d, p+".safe_duty", &f.SafeDuty, 100.0)
		if o := f.SysfsPWM; o != nil {
			setDefault(d, p+".sysfs_pwm.frequency_hz", &o.FrequencyHz, 25000)
		}
		if o := f.GPIOPWM; o != nil {
			setDefault(d, p+".gpio_pwm.frequency_hz", &o.FrequencyHz, 25000)
		}
		if o := f.PCA9685; o != nil {
			setDefault(d, p+".pca9685.address", &o.Address, Addr(0x40))
			setDefault(d, p+".pca9685.frequency_hz", &o.FrequencyHz, 1000)
		}
		if o := f.Relay; o != nil {
			setDefault(d, p+".relay.min_switch_time", &o.MinSwitchTime, 30*time.Second)
		}
		if o := f.Tach; o != nil {
			setDefault(d, p+".tach.pulses_per_rev", &o.PulsesPerRev, 2)
		}
	}

	t, dt := &c.Thresholds, DefaultThresholds()
	for _, l := range []struct {
		key      string
		dst, def *Level
	}{{"pm25_ugm3", &t.PM25, &dt.PM25}, {"co2_ppm", &t.CO2, &dt.CO2}, {"voc_index", &t.VOCIndex, &dt.VOCIndex}} {
		setDefault(d, "thresholds."+l.key+".warning", &l.dst.Warning, l.def.Warning)
		setDefault(d, "thresholds."+l.key+".alarm", &l.dst.Alarm, l.def.Alarm)
	}
	setDefault(d, "thresholds.entry_pm25_ugm3", &t.EntryPM25, dt.EntryPM25)

	d.setControlDefaults(&c.Control)

	d.setSectionDefaults(c)
	d.setPageDefaults(c)
	d.setMQTTDefaults(c)
}

func setDefault[T any](d *decoder, path string, dst *T, def T) {
	if !d.has(path) {
		*dst = def
	}
}

// DefaultPage returns the status page settings used for keys left out
// (reasons on Page).
func DefaultPage() Page {
	return Page{StaleAfter: 5 * time.Second, MaxClients: 128, ClientAttemptsPerMinute: 6, AttemptsPerMinute: 30}
}

func (d *decoder) setPageDefaults(c *Config) {
	p, dp := &c.Page, DefaultPage()
	setDefault(d, "page.stale_after", &p.StaleAfter, dp.StaleAfter)
	setDefault(d, "page.max_clients", &p.MaxClients, dp.MaxClients)
	setDefault(d, "page.client_attempts_per_minute", &p.ClientAttemptsPerMinute, dp.ClientAttemptsPerMinute)
	setDefault(d, "page.attempts_per_minute", &p.AttemptsPerMinute, dp.AttemptsPerMinute)
}
