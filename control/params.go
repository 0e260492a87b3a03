package control

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/sample"
)

// Params is everything the room's law is given: the room's layout (booths,
// staff zones, fans and which sensors sit where) and the tuning. ParamsFor
// builds it from a config; nothing else does, so the daemon, ventbench and
// the tests run the law a site configured.
type Params struct {
	Booths []Booth
	Staff  []Staff
	Fans   []FanSpec
	// Outdoor are the PM2.5 sensors of the air the room takes in (zones of
	// kind outdoor), if any.
	Outdoor []string
	Tuning
}

// Booth is one booth zone and its sensors.
type Booth struct {
	Zone     string
	VolumeM3 float64
	PM       []string // PM2.5 sensors (at least one)
	Pressure []string // differential pressure sensors, if any
}

// Staff is one staff zone and its PM2.5 sensors.
type Staff struct {
	Zone     string
	VolumeM3 float64
	PM       []string
}

// FanSpec is one fan: the booths it exhausts (indexes into Params.Booths),
// its duty range (fractions 0..1) and its size, which say how much air a
// duty moves and what it costs.
type FanSpec struct {
	Name                    string
	Booths                  []int
	MinDuty, MaxDuty        float64
	SafeDuty                float64
	MaxFlowM3h, RatedPowerW float64
	// PressureTarget (Pa, negative): with a pressure sensor, the booths
	// are held at least this negative.
	PressureTarget float64
	// OnOff is a fan on a relay: off below SwitchDuty, full at or above
	// it, nothing between. MinOn is how long the relay holds it on once
	// switched on (relay.min_switch_time), whatever it is asked.
	OnOff bool
	MinOn time.Duration
}

// SwitchDuty is the duty at and above which a fan on a relay is on, as
// the relay driver is set (config.RelayOnDuty).
const SwitchDuty = config.RelayOnDuty / 100.0

// air is the share of its rated flow the fan moves at duty.
func (f FanSpec) air(duty float64) float64 {
	if !f.OnOff {
		return duty
	}
	if duty >= SwitchDuty {
		return 1
	}
	return 0
}

// Tuning is the law's settings in its own units (fractions of duty, µg/m³,
// durations). Each field is a `control:` key; config.Control documents
// them and holds the defaults.
type Tuning struct {
	RiseRate        float64 // µg/m³ per s
	RiseWindow      time.Duration
	SessionExcess   float64 // µg/m³
	RunOn           time.Duration
	BoothFullExcess float64 // µg/m³
	StaffMargin     float64 // µg/m³
	// StaffMarginShare is the part of the staff area's clean air added to
	// the margin: the outdoor air the fans pull in is that much dirtier
	// than the staff area's own clean air, where particles settle.
	StaffMarginShare float64
	StaffFullExcess  float64 // µg/m³
	// StaffFullUsual (a multiple; 0: off) moves StaffFullExcess with the
	// staff area's usual excess (staffFullExcess).
	StaffFullUsual float64
	StaffClearTime time.Duration
	StaffBlindDuty float64 // fraction
	RampDown       float64 // fraction of duty per minute
	CleanAirLearn  time.Duration
	MaxAge         time.Duration
	PressureGain   float64 // fraction of duty per Pa per minute
	// Entry is the booth PM2.5 below which responders may enter
	// (thresholds.entry_pm25_ugm3); a purge ends there.
	Entry float64
}

// ParamsFor turns a config into the law's parameters: the one place where
// config keys become settings (percent to fractions, the pressure target
// from the containment alarm level). Every value is taken as configured.
func ParamsFor(cfg *config.Config) (Params, error) {
	k := cfg.Control
	p := Params{Tuning: Tuning{
		RiseRate: k.RiseRate, RiseWindow: k.RiseWindow, SessionExcess: k.SessionExcess, RunOn: k.RunOn,
		BoothFullExcess: k.BoothFullExcess, StaffMargin: k.StaffMargin, StaffMarginShare: k.StaffMarginPercent / 100, StaffFullExcess: k.StaffFullExcess,
		StaffFullUsual: k.StaffFullUsual,
		StaffClearTime: k.StaffClearTime, StaffBlindDuty: k.StaffBlindDutyPercent / 100,
		RampDown: k.RampDown / 100, CleanAirLearn: k.CleanAirLearn, MaxAge: k.MaxSampleAge,
		PressureGain: k.PressureGain / 100, Entry: cfg.Thresholds.EntryPM25,
	}}
	booth, outdoor := map[string]int{}, map[string]bool{}
	for _, z := range cfg.Zones {
		switch z.Kind {
		case config.Booth:
			booth[z.Name] = len(p.Booths)
			p.Booths = append(p.Booths, Booth{Zone: z.Name, VolumeM3: z.VolumeM3})
		case config.Staff:
			p.Staff = append(p.Staff, Staff{Zone: z.Name, VolumeM3: z.VolumeM3})
		case config.Outdoor:
			outdoor[z.Name] = true
		}
	}
	for _, s := range cfg.Sensors {
		i, isBooth := booth[s.Zone]
		switch {
		case isBooth && s.Type.Measures(sample.PM25):
			p.Booths[i].PM = append(p.Booths[i].PM, s.Name)
		case isBooth && s.Type.IsPressure():
			p.Booths[i].Pressure = append(p.Booths[i].Pressure, s.Name)
		case s.Type.Measures(sample.PM25) && outdoor[s.Zone]:
			p.Outdoor = append(p.Outdoor, s.Name)
		case s.Type.Measures(sample.PM25):
			for j := range p.Staff {
				if p.Staff[j].Zone == s.Zone {
					p.Staff[j].PM = append(p.Staff[j].PM, s.Name)
				}
			}
		}
	}
	for _, f := range cfg.Fans {
		fs := FanSpec{Name: f.Name, MinDuty: f.MinDuty / 100, MaxDuty: f.MaxDuty / 100, SafeDuty: f.SafeDuty / 100,
			MaxFlowM3h: f.MaxFlowM3H, RatedPowerW: f.RatedPowerW,
			PressureTarget: cfg.Alarms.BoothPressurePa - config.PressureHysteresisPa - k.PressureMargin}
		if f.Backend == config.BackendRelay && f.Relay != nil {
			fs.OnOff, fs.MinOn = true, max(f.Relay.Hold(), 0)
		}
		for _, z := range f.Zones {
			if i, ok := booth[z]; ok {
				fs.Booths = append(fs.Booths, i)
			}
		}
		p.Fans = append(p.Fans, fs)
	}
	if err := p.Validate(); err != nil {
		return Params{}, err
	}
	return p, nil
}

// Validate says what is wrong with p, all at once. A config that passed
// config's validation always gives valid Params.
func (p Params) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if len(p.Booths) == 0 {
		bad("no booth: the law needs at least one")
	}
	for _, b := range p.Booths {
		if len(b.PM) == 0 {
			bad("booth %s has no PM2.5 sensor", b.Zone)
		}
		if !(b.VolumeM3 > 0) {
			bad("booth %s: volume %g m³", b.Zone, b.VolumeM3)
		}
	}
	for _, f := range p.Fans {
		in01 := func(name string, v float64) {
			if !(v >= 0 && v <= 1) {
				bad("fan %s: %s must be within 0..1 (got %g)", f.Name, name, v)
			}
		}
		in01("min duty", f.MinDuty)
		in01("max duty", f.MaxDuty)
		in01("safe duty", f.SafeDuty)
		if f.MinDuty > f.MaxDuty {
			bad("fan %s: min duty %g is above max duty %g", f.Name, f.MinDuty, f.MaxDuty)
		}
		if len(f.Booths) == 0 || slices.ContainsFunc(f.Booths, func(i int) bool { return i < 0 || i >= len(p.Booths) }) {
			bad("fan %s: serves no booth of the room", f.Name)
		}
		if !(f.MaxFlowM3h > 0) || !(f.RatedPowerW > 0) {
			bad("fan %s: max flow and rated power must be more than 0", f.Name)
		}
	}
	t := p.Tuning
	for _, v := range []struct {
		name string
		ok   bool
	}{
		{"rise rate", t.RiseRate > 0}, {"rise window", t.RiseWindow > 0}, {"session excess", t.SessionExcess > 0},
		{"run-on", t.RunOn >= 0}, {"booth full excess", t.BoothFullExcess > 0}, {"staff margin", t.StaffMargin >= 0},
		{"staff full excess", t.StaffFullExcess > 0}, {"staff full usual", t.StaffFullUsual >= 0}, {"staff clear time", t.StaffClearTime > 0},
		{"staff blind duty", t.StaffBlindDuty >= 0 && t.StaffBlindDuty <= 1}, {"ramp down", t.RampDown > 0},
		{"clean air learn", t.CleanAirLearn > 0}, {"max sample age", t.MaxAge > 0},
		{"pressure gain", t.PressureGain >= 0}, {"entry level", t.Entry > 0},
	} {
		if !v.ok || math.IsNaN(t.RiseRate+t.SessionExcess+t.BoothFullExcess+t.StaffMargin+t.StaffFullExcess+t.StaffFullUsual+t.StaffBlindDuty+t.RampDown+t.PressureGain+t.Entry) {
			bad("%s out of range: %+v", v.name, t)
			break
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("control: %w", errors.Join(errs...))
	}
	return nil
}

// sameLayout reports whether q describes the same room as p: booths, staff
// zones, fans and their sensors, which a law's state is built on.
func (p Params) sameLayout(q Params) error {
	if !reflect.DeepEqual(p.Booths, q.Booths) || !reflect.DeepEqual(p.Staff, q.Staff) || !slices.Equal(p.Outdoor, q.Outdoor) || len(p.Fans) != len(q.Fans) {
		return errors.New("control: the room's zones or sensors changed; that needs a restart")
	}
	for i := range p.Fans {
		a, b := p.Fans[i], q.Fans[i]
		if a.Name != b.Name || !slices.Equal(a.Booths, b.Booths) {
			return errors.New("control: the fans changed; that needs a restart")
		}
	}
	return nil
}
