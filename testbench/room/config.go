package room

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ventd/ventd/testbench/air"
)

// ZoneKind says what a zone is for.
type ZoneKind string

// The zone kinds.
const (
	// Booth is where people smoke. Its exhaust fan draws transfer air in
	// from its neighbouring staff zone, so the booth sits at negative
	// pressure.
	Booth ZoneKind = "booth"
	// Staff is where staff breathe; it has its own general ventilation.
	Staff ZoneKind = "staff"
)

// Outdoor is the name that stands for the outside in DoorConfig.Between
// (a street door); no zone may take it.
const Outdoor = "outdoor"

// Deposition is the first-order loss of particles to surfaces, per hour,
// by size band. Larger particles settle faster.
type Deposition struct {
	PM1  float64 // particles below 1 µm
	PM25 float64 // 1–2.5 µm
	PM4  float64 // 2.5–4 µm
	PM10 float64 // 4–10 µm
}

// TypicalDeposition is the order of magnitude measured in furnished rooms:
// fine particles settle at about 0.1 per hour, 10 µm ones at a few per hour.
func TypicalDeposition() Deposition {
	return Deposition{PM1: 0.1, PM25: 0.4, PM4: 1.0, PM10: 2.5}
}

// ZoneConfig describes one well-mixed zone.
type ZoneConfig struct {
	Name string
	Kind ZoneKind
	// VolumeM3 is the air volume of the zone.
	VolumeM3 float64
	// GeneralVentilationM3h is outdoor air supplied to the zone and the same
	// flow exhausted from it (a staff area's own ventilation).
	GeneralVentilationM3h float64
	// LeakageM3h is air exchanged both ways with Neighbour through gaps
	// (with outdoors when a staff zone has no Neighbour).
	LeakageM3h float64
	// Neighbour is the staff zone a booth takes its transfer air from and
	// leaks to. Required for a booth; optional for a staff zone.
	Neighbour string
	// DepositionPerHour is the particle loss rate to surfaces.
	DepositionPerHour Deposition
	// TemperatureC and HumidityRH are the zone's air with nobody in it;
	// occupants add a little of both. Both zero: 21 °C and 45 %RH.
	TemperatureC, HumidityRH float64
}

// FanConfig describes one exhaust fan.
type FanConfig struct {
	Name string
	// Zones are the booths the fan exhausts; its flow divides equally
	// between them, as balanced ducts would.
	Zones []string
	// MaxFlowM3h is the flow at full duty.
	MaxFlowM3h float64
	// MaxRPM is the tachometer reading at full duty; 0 means the fan has no
	// tachometer.
	MaxRPM float64
	// SpinUp is the time constant with which the fan wheel follows its duty;
	// 0 means 3 s, typical of a 120 mm to 250 mm fan.
	SpinUp time.Duration
}

// DoorConfig describes a door between two zones, or a zone and outdoors.
type DoorConfig struct {
	Name    string
	Between [2]string
	// OpenExchangeM3h is the air exchanged both ways while the door is open.
	OpenExchangeM3h float64
	// Open is the door's state at the start.
	Open bool
}

// Config is a room: its zones, fans and doors and the outdoor air.
type Config struct {
	Zones []ZoneConfig
	Fans  []FanConfig
	Doors []DoorConfig
	// Outdoor is the air outside; zones start with it. Its temperature and
	// humidity do not reach the zones, which keep their own.
	Outdoor air.State
}

// Default is one 4 m³ booth with a 300 m³/h exhaust fan (75 air changes an
// hour, a purge to 1% in under 4 min) beside a 60 m³ staff area with 4 air
// changes an hour of general ventilation, a door between them and ordinary
// urban outdoor air.
func Default() Config {
	return Config{
		Zones: []ZoneConfig{
			{Name: "booth", Kind: Booth, VolumeM3: 4, LeakageM3h: 10, Neighbour: "staff",
				DepositionPerHour: TypicalDeposition()},
			{Name: "staff", Kind: Staff, VolumeM3: 60, GeneralVentilationM3h: 240,
				DepositionPerHour: TypicalDeposition()},
		},
		Fans: []FanConfig{
			{Name: "booth-exhaust", Zones: []string{"booth"}, MaxFlowM3h: 300, MaxRPM: 3000},
		},
		Doors: []DoorConfig{
			{Name: "booth-door", Between: [2]string{"booth", "staff"}, OpenExchangeM3h: 150},
		},
		Outdoor: air.State{PM1: 6, PM25: 8, PM4: 9.5, PM10: 13, CO2: 420, VOC: 30, NOx: 10,
			Temperature: 15, Humidity: 60},
	}
}

// Validate reports every mistake in c at once.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("room: "+format, a...)) }
	if len(c.Zones) == 0 {
		bad("no zones; a room needs at least one")
	}
	kinds := map[string]ZoneKind{}
	for i, z := range c.Zones {
		where := fmt.Sprintf("zone %d %q", i, z.Name)
		switch {
		case z.Name == "":
			bad("zone %d: empty name; give every zone a name", i)
		case z.Name == Outdoor:
			bad("%s: the name %q is reserved for the outside", where, Outdoor)
		case kinds[z.Name] != "":
			bad("%s: duplicate zone name", where)
		default:
			kinds[z.Name] = z.Kind
		}
		if z.Kind != Booth && z.Kind != Staff {
			bad("%s: kind %q; want %q or %q", where, z.Kind, Booth, Staff)
		}
		if !(z.VolumeM3 > 0) || math.IsInf(z.VolumeM3, 0) {
			bad("%s: VolumeM3 must be above 0, got %g", where, z.VolumeM3)
		}
		checkRate(bad, where+": GeneralVentilationM3h", z.GeneralVentilationM3h)
		checkRate(bad, where+": LeakageM3h", z.LeakageM3h)
		d := z.DepositionPerHour
		for _, r := range []struct {
			n string
			v float64
		}{{"PM1", d.PM1}, {"PM25", d.PM25}, {"PM4", d.PM4}, {"PM10", d.PM10}} {
			checkRate(bad, where+": DepositionPerHour."+r.n, r.v)
		}
		if z.TemperatureC < -30 || z.TemperatureC > 60 || math.IsNaN(z.TemperatureC) {
			bad("%s: TemperatureC %g is not room air; want -30 to 60", where, z.TemperatureC)
		}
		if z.HumidityRH < 0 || z.HumidityRH > 100 || math.IsNaN(z.HumidityRH) {
			bad("%s: HumidityRH %g; want 0 to 100", where, z.HumidityRH)
		}
	}
	for i, z := range c.Zones {
		where := fmt.Sprintf("zone %d %q", i, z.Name)
		switch {
		case z.Neighbour == "" && z.Kind == Booth:
			bad("%s: a booth needs a Neighbour staff zone to draw transfer air from", where)
		case z.Neighbour == "":
		case z.Neighbour == z.Name:
			bad("%s: Neighbour is the zone itself", where)
		case kinds[z.Neighbour] == "":
			bad("%s: Neighbour %q is not a zone (zones: %v)", where, z.Neighbour, zoneNames(c.Zones))
		case z.Kind == Booth && kinds[z.Neighbour] != Staff:
			bad("%s: Neighbour %q is a %s; a booth draws transfer air from a staff zone", where, z.Neighbour, kinds[z.Neighbour])
		}
	}
	fans := map[string]bool{}
	for i, f := range c.Fans {
		where := fmt.Sprintf("fan %d %q", i, f.Name)
		if f.Name == "" {
			bad("fan %d: empty name", i)
		} else if fans[f.Name] {
			bad("%s: duplicate fan name", where)
		}
		fans[f.Name] = true
		if len(f.Zones) == 0 {
			bad("%s: exhausts no zones; list the booths it serves in Zones", where)
		}
		for _, zn := range f.Zones {
			if k := kinds[zn]; k != Booth {
				bad("%s: zone %q is not a booth (booths: %v)", where, zn, boothNames(c.Zones))
			}
		}
		if !(f.MaxFlowM3h > 0) || math.IsInf(f.MaxFlowM3h, 0) {
			bad("%s: MaxFlowM3h must be above 0, got %g", where, f.MaxFlowM3h)
		}
		checkRate(bad, where+": MaxRPM", f.MaxRPM)
		if f.SpinUp < 0 {
			bad("%s: SpinUp %v is negative", where, f.SpinUp)
		}
	}
	doors := map[string]bool{}
	for i, d := range c.Doors {
		where := fmt.Sprintf("door %d %q", i, d.Name)
		if d.Name == "" {
			bad("door %d: empty name", i)
		} else if doors[d.Name] {
			bad("%s: duplicate door name", where)
		}
		doors[d.Name] = true
		for _, zn := range d.Between {
			if zn != Outdoor && kinds[zn] == "" {
				bad("%s: %q is neither a zone nor %q (zones: %v)", where, zn, Outdoor, zoneNames(c.Zones))
			}
		}
		if d.Between[0] == d.Between[1] {
			bad("%s: Between names %q twice; a door joins two different places", where, d.Between[0])
		}
		checkRate(bad, where+": OpenExchangeM3h", d.OpenExchangeM3h)
	}
	if err := checkAir(c.Outdoor); err != nil {
		bad("Outdoor: %v", err)
	}
	return errors.Join(errs...)
}

// checkRate reports a flow or rate that is negative or not a number.
func checkRate(bad func(string, ...any), what string, v float64) {
	if !(v >= 0) || math.IsInf(v, 0) {
		bad("%s must be 0 or more, got %g", what, v)
	}
}

// checkAir reports air that no instrument could see: negative amounts, or
// cumulative PM fractions that shrink as the size grows.
func checkAir(s air.State) error {
	for _, v := range []float64{s.PM1, s.PM25, s.PM4, s.PM10, s.CO2, s.VOC, s.NOx} {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("concentrations must be 0 or more and finite, got %+v", s)
		}
	}
	if s.PM1 > s.PM25 || s.PM25 > s.PM4 || s.PM4 > s.PM10 {
		return fmt.Errorf("PM sizes are cumulative, want PM1 ≤ PM2.5 ≤ PM4 ≤ PM10, got %g, %g, %g, %g",
			s.PM1, s.PM25, s.PM4, s.PM10)
	}
	return nil
}

func zoneNames(zs []ZoneConfig) []string {
	var n []string
	for _, z := range zs {
		n = append(n, z.Name)
	}
	return n
}

func boothNames(zs []ZoneConfig) []string {
	var n []string
	for _, z := range zs {
		if z.Kind == Booth {
			n = append(n, z.Name)
		}
	}
	return n
}
