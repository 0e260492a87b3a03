package main

import (
	"cmp"
	"encoding/json"
	"math"
	"slices"
)

// Report is everything a ventbench run measured: -json prints it whole.
type Report struct {
	Seeds []uint64 `json:"seeds"`
	// WallSeconds is how long the runs took; SimHours how much simulated
	// time they covered (every run, warm-up left out).
	WallSeconds           float64 `json:"wall_seconds"`
	SimHours              float64 `json:"sim_hours"`
	SimHoursPerWallSecond float64 `json:"sim_hours_per_wall_second"`
	Parallel              int     `json:"parallel"`
	// CachedRuns were baselines' runs reused from -cache, not run now;
	// the wall time and speed are those of the runs done now.
	CachedRuns int              `json:"cached_runs"`
	Scenarios  []ScenarioReport `json:"scenarios"`
	// RunCount is how many runs the report covers; Runs lists them
	// (left out with -runs=false, as in the committed record).
	RunCount int      `json:"run_count"`
	Runs     []Result `json:"runs,omitempty"`
}

// Stat is one figure over the seeds: its mean, lowest and highest, and the
// spread between them. A difference counts as a win only where it exceeds
// its spread.
type Stat struct {
	Mean   float64 `json:"mean"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Spread float64 `json:"spread"`
	// N is how many seeds had the figure (NaN figures are left out).
	N int `json:"n"`
}

func stat(vs []float64) Stat {
	s := Stat{Mean: math.NaN(), Min: math.NaN(), Max: math.NaN(), Spread: math.NaN()}
	var sum float64
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		if s.N == 0 || v < s.Min {
			s.Min = v
		}
		if s.N == 0 || v > s.Max {
			s.Max = v
		}
		sum += v
		s.N++
	}
	if s.N > 0 {
		s.Mean, s.Spread = sum/float64(s.N), s.Max-s.Min
	}
	return s
}

// Figures are one controller's main figures on one scenario, over seeds.
type Figures struct {
	Controller string `json:"controller"`
	Family     string `json:"family"`
	STEL       Stat   `json:"staff_pm25_stel_peak_ugm3"`
	TWA        Stat   `json:"staff_pm25_twa_ugm3"`
	EnergyKWh  Stat   `json:"fan_energy_kwh"`
	ChangesPH  Stat   `json:"duty_changes_per_hour"`
	TravelPH   Stat   `json:"duty_travel_per_hour"`
}

// ScenarioReport is ventd on one scenario, against the bounds, the
// frontier of the baselines and the goals.
type ScenarioReport struct {
	Scenario string `json:"scenario"`
	Group    string `json:"group"`
	// Busy: sessions filled 10 % of the day or more (the energy budget
	// is then 0.5, else 0.25).
	Busy         bool      `json:"busy"`
	SessionShare float64   `json:"session_share"`
	Figures      []Figures `json:"figures"`
	// Bounds says what the ratios are measured against (see Ratios).
	Bounds Bounds `json:"bounds"`
	Ratios Ratios `json:"ratios"`
	// Frontier compares ventd with the baselines' frontier in (energy,
	// STEL) and (energy, TWA).
	FrontierSTEL Frontier `json:"frontier_stel"`
	FrontierTWA  Frontier `json:"frontier_twa"`
	// VsOnOff is ventd minus the on/off switch at the warning level
	// (35 µg/m³), the controller most sites have: positive is ventd
	// higher (worse for exposure, costlier for energy).
	VsOnOff *Versus `json:"vs_onoff35,omitempty"`
	// Reachable is the cheapest baseline that met both exposure goals:
	// what the energy goal asks of ventd against what a simple controller
	// needs for the same exposure. Nil when the exposure ratios mean
	// nothing (bounds inverted or too close).
	Reachable *Reachable `json:"cheapest_baseline_meeting_exposure,omitempty"`
	Goals     []Goal     `json:"goals"`
}

// Reachable is one baseline's ratios (worst seed), the cheapest whose STEL
// and TWA ratios were both within the goal on every seed. Full always
// qualifies, so a scenario where it is the answer is one where no simple
// controller reaches the exposure goals for less than full's energy.
type Reachable struct {
	Controller string  `json:"controller"`
	Energy     float64 `json:"energy_ratio"`
	STEL       float64 `json:"stel_ratio"`
	TWA        float64 `json:"twa_ratio"`
}

// Bounds are the bounds of a scenario. "full" runs every fan at its
// maximum all day. "min" runs them at their minimum but keeps the guard
// every law shares (full while a booth sensor fails or reads over range):
// the cheapest controller the safety rules allow, and so not the physical
// minimum, which is "min-nominal", the fan at its minimum whatever
// happens. Every ratio uses min; the *_nominal ratios use min-nominal and
// are shown for reference. Inverted marks a figure where full leaves the
// staff more exposed than min (smoky outdoor air): no ratio between such
// bounds reads as a pass.
type Bounds struct {
	FullSTEL, MinSTEL, MinNominalSTEL Stat `json:"-"`
	InvertedSTEL                      bool `json:"inverted_stel"`
	InvertedTWA                       bool `json:"inverted_twa"`
	// Gap is min − full for STEL and TWA (µg/m³); a ratio needs 1 or more.
	GapSTEL float64 `json:"gap_stel_ugm3"`
	GapTWA  float64 `json:"gap_twa_ugm3"`
}

// Ratios place ventd between the bounds, per seed: exposure (ventd −
// full)/(min − full) (0 = as clean as full all day, 1 = as min), energy
// (ventd − min)/(full − min) (0 = as cheap as min). The *_nominal
// variants use min-nominal instead of min.
type Ratios struct {
	STEL              Stat `json:"stel"`
	TWA               Stat `json:"twa"`
	Energy            Stat `json:"energy"`
	STELNominal       Stat `json:"stel_vs_min_nominal"`
	TWANominal        Stat `json:"twa_vs_min_nominal"`
	EnergyNominal     Stat `json:"energy_vs_min_nominal"`
	ExposureRatiosSet bool `json:"exposure_ratios_meaningful"`
}

// Frontier is the lower envelope the baselines trace in (energy, exposure):
// the points no other baseline beats on both, joined by straight lines.
// AtVentd is the envelope at ventd's own energy (per seed), Margin the
// envelope minus ventd (positive: ventd is below). Verdict: "below" when
// the margin is positive on every seed and its mean exceeds its spread,
// "above" when negative likewise, "tie" otherwise; "cheaper" when ventd
// used less energy than every baseline (then Margin is against the
// cheapest one).
type Frontier struct {
	Points  []FrontierPoint `json:"points"`
	Ventd   Stat            `json:"ventd"`
	AtVentd Stat            `json:"at_ventd_energy"`
	// AtVentdRatio is AtVentd as an exposure ratio, per seed: 0 when the
	// baselines already reach full's exposure at ventd's energy, where
	// no controller can be below them.
	AtVentdRatio Stat   `json:"at_ventd_energy_ratio"`
	Margin       Stat   `json:"margin"`
	Verdict      string `json:"verdict"`
}

// FrontierPoint is one baseline on the envelope (means over seeds).
type FrontierPoint struct {
	Controller string  `json:"controller"`
	EnergyKWh  float64 `json:"fan_energy_kwh"`
	Value      float64 `json:"value_ugm3"`
}

// Versus is ventd minus another controller, per seed.
type Versus struct {
	Controller string `json:"controller"`
	STEL       Stat   `json:"stel_ugm3"`
	TWA        Stat   `json:"twa_ugm3"`
	EnergyKWh  Stat   `json:"fan_energy_kwh"`
	ChangesPH  Stat   `json:"duty_changes_per_hour"`
	TravelPH   Stat   `json:"duty_travel_per_hour"`
}

// Goal is one of the goals on one scenario.
type Goal struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Limit float64 `json:"limit"`
	// Result is pass, FAIL or n/a; Note says why when it is not plain.
	Result string `json:"result"`
	Note   string `json:"note,omitempty"`
}

// byRun indexes results by controller, then seed.
type byRun map[string]map[uint64]Result

func (b byRun) values(ctl string, seeds []uint64, f func(Result) float64) []float64 {
	var out []float64
	for _, s := range seeds {
		if r, ok := b[ctl][s]; ok {
			out = append(out, f(r))
		} else {
			out = append(out, math.NaN())
		}
	}
	return out
}

// frontierAt is the envelope of pts (energy, value) at energy e: pts are
// made efficient (each cheaper one must be worse), then interpolated.
// below reports e under the cheapest point, where the value is the
// cheapest point's.
func frontierAt(pts []FrontierPoint, e float64) (v float64, below bool) {
	env := envelope(pts)
	if len(env) == 0 {
		return math.NaN(), false
	}
	if e < env[0].EnergyKWh {
		return env[0].Value, true
	}
	for i := 1; i < len(env); i++ {
		a, b := env[i-1], env[i]
		if e <= b.EnergyKWh {
			f := (e - a.EnergyKWh) / (b.EnergyKWh - a.EnergyKWh)
			return a.Value + f*(b.Value-a.Value), false
		}
	}
	return env[len(env)-1].Value, false
}

// envelope returns the efficient points in order of energy: each has a
// lower value than every cheaper point.
func envelope(pts []FrontierPoint) []FrontierPoint {
	s := slices.Clone(pts)
	slices.SortFunc(s, func(a, b FrontierPoint) int {
		if a.EnergyKWh != b.EnergyKWh {
			return cmp.Compare(a.EnergyKWh, b.EnergyKWh)
		}
		return cmp.Compare(a.Value, b.Value)
	})
	var env []FrontierPoint
	for _, p := range s {
		if math.IsNaN(p.Value + p.EnergyKWh) {
			continue
		}
		if len(env) == 0 || p.Value < env[len(env)-1].Value {
			if len(env) > 0 && p.EnergyKWh == env[len(env)-1].EnergyKWh {
				env[len(env)-1] = p
				continue
			}
			env = append(env, p)
		}
	}
	return env
}

// jsonNum is a figure that may be unknown (NaN), written to JSON as null.
type jsonNum float64

func (n jsonNum) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(n)) || math.IsInf(float64(n), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(n))
}

func (n *jsonNum) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = jsonNum(math.NaN())
		return nil
	}
	var f float64
	err := json.Unmarshal(b, &f)
	*n = jsonNum(f)
	return err
}

type statJSON struct {
	Mean   jsonNum `json:"mean"`
	Min    jsonNum `json:"min"`
	Max    jsonNum `json:"max"`
	Spread jsonNum `json:"spread"`
	N      int     `json:"n"`
}

// MarshalJSON writes an unknown figure's fields as null.
func (s Stat) MarshalJSON() ([]byte, error) {
	return json.Marshal(statJSON{jsonNum(s.Mean), jsonNum(s.Min), jsonNum(s.Max), jsonNum(s.Spread), s.N})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (s *Stat) UnmarshalJSON(b []byte) error {
	var v statJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Stat{Mean: float64(v.Mean), Min: float64(v.Min), Max: float64(v.Max), Spread: float64(v.Spread), N: v.N}
	return nil
}

// MarshalJSON writes an unmeasured goal's value as null.
func (g Goal) MarshalJSON() ([]byte, error) {
	type plain Goal
	return json.Marshal(struct {
		plain
		Value jsonNum `json:"value"`
		Limit jsonNum `json:"limit"`
	}{plain(g), jsonNum(g.Value), jsonNum(g.Limit)})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (g *Goal) UnmarshalJSON(b []byte) error {
	type plain Goal
	var v struct {
		plain
		Value jsonNum `json:"value"`
		Limit jsonNum `json:"limit"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*g = Goal(v.plain)
	g.Value, g.Limit = float64(v.Value), float64(v.Limit)
	return nil
}

// The figures below may be unknown (NaN: a STEL on a day shorter than its
// 15 min window, a ratio between bounds that did not separate), which
// encoding/json refuses: written as null, read back as NaN, as Goal's are.

func (b Bounds) MarshalJSON() ([]byte, error) {
	type plain Bounds
	return json.Marshal(struct {
		plain
		GapSTEL jsonNum `json:"gap_stel_ugm3"`
		GapTWA  jsonNum `json:"gap_twa_ugm3"`
	}{plain(b), jsonNum(b.GapSTEL), jsonNum(b.GapTWA)})
}

func (b *Bounds) UnmarshalJSON(data []byte) error {
	type plain Bounds
	var v struct {
		plain
		GapSTEL jsonNum `json:"gap_stel_ugm3"`
		GapTWA  jsonNum `json:"gap_twa_ugm3"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*b = Bounds(v.plain)
	b.GapSTEL, b.GapTWA = float64(v.GapSTEL), float64(v.GapTWA)
	return nil
}

func (r Reachable) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Controller string  `json:"controller"`
		Energy     jsonNum `json:"energy_ratio"`
		STEL       jsonNum `json:"stel_ratio"`
		TWA        jsonNum `json:"twa_ratio"`
	}{r.Controller, jsonNum(r.Energy), jsonNum(r.STEL), jsonNum(r.TWA)})
}

func (r *Reachable) UnmarshalJSON(data []byte) error {
	var v struct {
		Controller string  `json:"controller"`
		Energy     jsonNum `json:"energy_ratio"`
		STEL       jsonNum `json:"stel_ratio"`
		TWA        jsonNum `json:"twa_ratio"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*r = Reachable{Controller: v.Controller, Energy: float64(v.Energy), STEL: float64(v.STEL), TWA: float64(v.TWA)}
	return nil
}

func (p FrontierPoint) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Controller string  `json:"controller"`
		EnergyKWh  jsonNum `json:"fan_energy_kwh"`
		Value      jsonNum `json:"value_ugm3"`
	}{p.Controller, jsonNum(p.EnergyKWh), jsonNum(p.Value)})
}

func (p *FrontierPoint) UnmarshalJSON(data []byte) error {
	var v struct {
		Controller string  `json:"controller"`
		EnergyKWh  jsonNum `json:"fan_energy_kwh"`
		Value      jsonNum `json:"value_ugm3"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*p = FrontierPoint{Controller: v.Controller, EnergyKWh: float64(v.EnergyKWh), Value: float64(v.Value)}
	return nil
}
