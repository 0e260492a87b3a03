package room

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	fanout "github.com/ventd/ventd/drivers/fan"
	"github.com/ventd/ventd/testbench/air"
)

var t0 = time.Date(2025, 3, 3, 8, 0, 0, 0, time.UTC)

func mustNew(t testing.TB, cfg Config) *Room {
	t.Helper()
	r, err := New(cfg, t0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func state(t testing.TB, r *Room, zone string) air.State {
	t.Helper()
	s, err := r.State(zone)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func near(t testing.TB, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.6g, want %.6g ± %.3g", what, got, want, tol)
	}
}

// oneZone is a single ventilated room with no deposition and clean outdoor
// air except for CO2.
func oneZone(volume, ventilation float64, dep Deposition) Config {
	return Config{
		Zones: []ZoneConfig{{Name: "room", Kind: Staff, VolumeM3: volume,
			GeneralVentilationM3h: ventilation, DepositionPerHour: dep}},
		Outdoor: air.State{CO2: 420},
	}
}

func TestSteadyStateOneZone(t *testing.T) {
	// C = C_out + G/Q.
	r := mustNew(t, oneZone(50, 100, Deposition{}))
	r.StartSession("room", Session{PM25MgPerMin: 2, CO2LPerS: 0.01})
	r.SetOccupants("room", 3)
	r.AdvanceTo(t0.Add(20 * time.Hour)) // 40 time constants
	s := state(t, r, "room")
	g := 2.0 * 1000 * 60 // µg/h
	near(t, "PM2.5", s.PM25, g/100, 1e-6)
	near(t, "PM1", s.PM1, smokePM1*g/100, 1e-6)
	near(t, "PM10", s.PM10, smokePM10*g/100, 1e-6)
	co2 := (0.01 + 3*CO2PerPersonLPerS) * 3.6e6 // ppm·m³/h
	near(t, "CO2", s.CO2, 420+co2/100, 1e-6)
	near(t, "temperature", s.Temperature, 21+4*degCPerPerson, 1e-6)
}

func TestDecayTimeConstant(t *testing.T) {
	// With outdoor PM at zero, a pulse decays as e^{-t/τ}, τ = V/(Q + kV).
	const v, q, k = 30.0, 60.0, 0.5
	dep := Deposition{PM1: k, PM25: k, PM4: k, PM10: k}
	r := mustNew(t, oneZone(v, q, dep))
	r.StartSession("room", Session{PM25MgPerMin: 5, Duration: 10 * time.Minute})
	start := t0.Add(10 * time.Minute)
	r.AdvanceTo(start)
	c0 := state(t, r, "room")
	if c0.PM25 < 100 {
		t.Fatalf("PM2.5 after the session = %g, want a clear pulse", c0.PM25)
	}
	tau := time.Duration(v / (q + k*v) * float64(time.Hour))
	for n := 1; n <= 3; n++ {
		r.AdvanceTo(start.Add(time.Duration(n) * tau))
		c := state(t, r, "room")
		want := math.Exp(-float64(n))
		near(t, "PM2.5 ratio at "+string(rune('0'+n))+"τ", c.PM25/c0.PM25, want, 1e-9)
		near(t, "PM10 ratio", c.PM10/c0.PM10, want, 1e-9)
		// CO2 does not deposit: its excess decays with V/Q alone.
		wantCO2 := (c0.CO2 - 420) * math.Exp(-float64(n)*tau.Hours()*q/v)
		near(t, "CO2 excess", c.CO2-420, wantCO2, 1e-9)
	}
}

func TestTwoZoneMassConservation(t *testing.T) {
	// A closed room (no ventilation, no deposition): what the session emits
	// stays, spread over both zones, whatever the doors and leaks do.
	cfg := Config{
		Zones: []ZoneConfig{
			{Name: "booth", Kind: Booth, VolumeM3: 4, LeakageM3h: 10, Neighbour: "staff"},
			{Name: "staff", Kind: Staff, VolumeM3: 60},
		},
		Doors: []DoorConfig{{Name: "d", Between: [2]string{"booth", "staff"}, OpenExchangeM3h: 100}},
	}
	r := mustNew(t, cfg)
	r.StartSession("booth", Session{PM25MgPerMin: 3, VOCMgPerMin: 1, Duration: 5 * time.Minute})
	mass := func() (pm, voc float64) {
		b, s := state(t, r, "booth"), state(t, r, "staff")
		return 4*b.PM10 + 60*s.PM10, 4*b.VOC + 60*s.VOC
	}
	emittedPM := 3 * smokePM10 * 1000 * 5 // µg over 5 min
	emittedVOC := 1000 * 5 / ugPerPPBVOC  // ppb·m³
	for i, at := range []time.Duration{2 * time.Minute, 5 * time.Minute, 17 * time.Minute, 3 * time.Hour} {
		if i == 2 {
			r.SetDoor("d", true)
		}
		r.AdvanceTo(t0.Add(at))
		pm, voc := mass()
		frac := min(at, 5*time.Minute).Minutes() / 5
		near(t, "PM mass at "+at.String(), pm, emittedPM*frac, 1e-6*emittedPM)
		near(t, "VOC amount at "+at.String(), voc, emittedVOC*frac, 1e-6*emittedVOC)
	}
	b, s := state(t, r, "booth"), state(t, r, "staff")
	near(t, "booth PM2.5 after mixing", b.PM25, s.PM25, 1e-6*s.PM25)
}

// purgeRoom is a booth of volume v with an exhaust fan of flow q, beside a
// staff area so well ventilated it stays at the clean outdoor air.
func purgeRoom(v, q float64) Config {
	return Config{
		Zones: []ZoneConfig{
			{Name: "booth", Kind: Booth, VolumeM3: v, Neighbour: "staff"},
			{Name: "staff", Kind: Staff, VolumeM3: 1000, GeneralVentilationM3h: 1e7},
		},
		Fans: []FanConfig{{Name: "fan", Zones: []string{"booth"}, MaxFlowM3h: q, MaxRPM: 2000,
			SpinUp: time.Millisecond}},
	}
}

func TestPurgeRuleOfThumb(t *testing.T) {
	// 60 air changes an hour take a well-mixed booth to 1% in 4.6 min.
	r := mustNew(t, purgeRoom(5, 300))
	r.SetFanStalled("fan", true)
	r.StartSession("booth", Session{PM25MgPerMin: 4, Duration: 3 * time.Minute})
	r.AdvanceTo(t0.Add(3 * time.Minute))
	c0 := state(t, r, "booth").PM25
	r.SetFanStalled("fan", false)
	r.AdvanceTo(t0.Add(3*time.Minute + 276*time.Second))
	ratio := state(t, r, "booth").PM25 / c0
	near(t, "fraction left after 4.6 min at 60 ACH", ratio, 0.01, 0.0002)
}

func TestFanStallStopsExhaust(t *testing.T) {
	r := mustNew(t, Default())
	fan := r.Fan("booth-exhaust")
	r.StartSession("booth", Session{PM25MgPerMin: 3})
	r.AdvanceTo(t0.Add(30 * time.Minute))
	running := state(t, r, "booth").PM25
	if rpm, err := fan.RPM(); err != nil || rpm != 3000 {
		t.Fatalf("RPM at full duty = %v, %v; want 3000", rpm, err)
	}
	// At 300 m³/h the booth holds about 3 mg/min / 5 m³/min on top of
	// the staff air.
	near(t, "booth PM2.5 with the fan running", running, 600, 60)

	fan.SetStalled(true)
	if rpm, err := fan.RPM(); rpm != 0 || !errors.Is(err, fanout.ErrNoSignal) {
		t.Errorf("stalled RPM = %v, %v; want 0 and no tach signal", rpm, err)
	}
	if q := fan.AirflowM3h(); q != 0 {
		t.Errorf("stalled airflow = %v m³/h, want 0", q)
	}
	r.AdvanceTo(t0.Add(40 * time.Minute))
	stalled := state(t, r, "booth").PM25
	if stalled < 5*running {
		t.Errorf("booth PM2.5 10 min after a stall = %.0f, want far above %.0f", stalled, running)
	}
	if fan.Duty() != 1 {
		t.Errorf("stall changed the duty to %v", fan.Duty())
	}
}

func TestFanDutyAndTachometer(t *testing.T) {
	r := mustNew(t, Default())
	fan := r.Fan("booth-exhaust")
	var _ fanout.Output = fan
	var _ fanout.Tachometer = fan
	for _, bad := range []float64{-0.1, 1.01, math.NaN()} {
		err := fan.SetDuty(bad)
		if !errors.Is(err, fanout.ErrDuty) || !strings.Contains(err.Error(), "booth-exhaust") {
			t.Errorf("SetDuty(%v) = %v, want ErrDuty naming the fan", bad, err)
		}
	}
	if err := fan.SetDuty(0.5); err != nil {
		t.Fatal(err)
	}
	r.AdvanceTo(t0.Add(3 * time.Second)) // one spin-up time constant
	rpm, _ := fan.RPM()
	near(t, "RPM one time constant after 1 → 0.5", rpm, 1500+1500*math.Exp(-1), 2)
	r.AdvanceTo(t0.Add(time.Minute))
	rpm, _ = fan.RPM()
	near(t, "settled RPM", rpm, 1500, 0)
	near(t, "airflow", fan.AirflowM3h(), 150, 0)

	if err := fan.Halt(); err != nil || fan.Duty() != 0.5 {
		t.Errorf("after Halt duty = %v (%v); want the last duty, 0.5", fan.Duty(), err)
	}
	if err := fan.SetDuty(1); !errors.Is(err, fanout.ErrHalted) {
		t.Errorf("SetDuty after Halt = %v, want ErrHalted", err)
	}
	r.AdvanceTo(t0.Add(time.Hour))
	if rpm, _ := fan.RPM(); rpm != 1500 {
		t.Errorf("halted fan RPM = %v, want it still at 1500", rpm)
	}

	// Off and spun down: no pulses.
	r2 := mustNew(t, Default())
	_ = r2.Fan("booth-exhaust").SetDuty(0)
	r2.AdvanceTo(t0.Add(time.Minute))
	if rpm, err := r2.Fan("booth-exhaust").RPM(); rpm != 0 || !errors.Is(err, fanout.ErrNoSignal) {
		t.Errorf("stopped fan RPM = %v, %v; want 0 and no tach signal", rpm, err)
	}
	if fan.String() != "simfan(booth-exhaust)" {
		t.Errorf("String() = %q", fan.String())
	}
	if r.Fan("nope") != nil {
		t.Error("Fan of an unknown name is not nil")
	}

	cfg := Default()
	cfg.Fans[0].MaxRPM = 0
	if _, err := mustNew(t, cfg).Fan("booth-exhaust").RPM(); err == nil {
		t.Error("RPM of a fan without tachometer: no error")
	}
}

func TestOccupantsCO2(t *testing.T) {
	r := mustNew(t, Default())
	r.SetOccupants("staff", 2)
	src := r.Zone("staff")
	s := src.Air(t0.Add(4 * time.Hour))
	// 2 × 18 000 ppm·m³/h over 240 m³/h of ventilation plus the fan's
	// 300 m³/h of make-up air.
	near(t, "staff CO2", s.CO2, 420+2*18000.0/540, 0.5)
	if !r.Now().Equal(t0.Add(4 * time.Hour)) {
		t.Errorf("Air(t) left the room at %v", r.Now())
	}
	// Asking for an earlier time returns the present, never the past.
	if again := src.Air(t0); again != s {
		t.Errorf("Air(earlier) = %+v, want %+v", again, s)
	}
	if r.Zone("nope") != nil {
		t.Error("Zone of an unknown name is not nil")
	}
	if _, err := r.State("nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("State(unknown) error = %v", err)
	}
}

func TestOutdoorAirEntersStaffArea(t *testing.T) {
	r := mustNew(t, Default())
	r.SetOutdoor(air.State{PM1: 30, PM25: 40, PM4: 42, PM10: 50, CO2: 420})
	r.AdvanceTo(t0.Add(3 * time.Hour))
	s := state(t, r, "staff")
	// Ventilation and make-up air: 540 m³/h into 60 m³; fine particles
	// deposit a little, so indoors sits just below outdoors.
	if s.PM25 < 35 || s.PM25 >= 40 {
		t.Errorf("staff PM2.5 = %.1f with 40 outdoors, want just below", s.PM25)
	}
}

func TestConfigErrorsListed(t *testing.T) {
	cfg := Default()
	cfg.Zones[0].VolumeM3 = 0
	cfg.Zones[0].Neighbour = "lobby"
	cfg.Fans[0].Zones = []string{"staff"}
	cfg.Doors[0].Between = [2]string{"booth", "booth"}
	cfg.Outdoor.PM1 = 100
	_, err := New(cfg, t0)
	if err == nil {
		t.Fatal("New accepted a broken config")
	}
	for _, want := range []string{
		`zone 0 "booth": VolumeM3 must be above 0`,
		`Neighbour "lobby" is not a zone`,
		`fan 0 "booth-exhaust": zone "staff" is not a booth`,
		`names "booth" twice`,
		`PM1 ≤ PM2.5`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if err := (&Config{}).Validate(); err == nil {
		t.Error("empty config is valid")
	}
}

func BenchmarkAdvance8h(b *testing.B) {
	// A shift as the daemon sees it: both zones polled every second, a
	// session every 20 min and the fan duty following it.
	for b.Loop() {
		r := mustNew(b, Default())
		booth, staff := r.Zone("booth"), r.Zone("staff")
		fan := r.Fan("booth-exhaust")
		r.SetOccupants("staff", 2)
		for s := 0; s < 8*3600; s++ {
			at := t0.Add(time.Duration(s) * time.Second)
			if s%1200 == 0 {
				r.StartSession("booth", TypicalSession(3, 4*time.Minute))
				_ = fan.SetDuty(1)
			}
			if s%1200 == 600 {
				_ = fan.SetDuty(0.3)
			}
			booth.Air(at)
			staff.Air(at)
		}
	}
}

func TestFanFlowShare(t *testing.T) {
	// A clogged filter halves the air: 30 air changes an hour leave
	// e^(−30·276/3600) ≈ 10 % where 60 left 1 %, while the wheel turns
	// and the tachometer reads as before.
	r := mustNew(t, purgeRoom(5, 300))
	fan := r.Fan("fan")
	r.AdvanceTo(t0.Add(time.Minute))
	fullPa := r.BoothPressure("booth", t0.Add(time.Minute))
	r.SetFanStalled("fan", true)
	r.StartSession("booth", Session{PM25MgPerMin: 4, Duration: 3 * time.Minute})
	r.AdvanceTo(t0.Add(4 * time.Minute))
	c0 := state(t, r, "booth").PM25
	if err := fan.SetFlow(0.5); err != nil {
		t.Fatal(err)
	}
	r.SetFanStalled("fan", false)
	r.AdvanceTo(t0.Add(4*time.Minute + 276*time.Second))
	near(t, "fraction left after 4.6 min at half the air", state(t, r, "booth").PM25/c0, math.Exp(-30*276.0/3600), 0.002)
	if rpm, err := fan.RPM(); err != nil || rpm != 2000 {
		t.Errorf("RPM behind a clogged filter = %v, %v; want 2000, as before", rpm, err)
	}
	near(t, "airflow at half the air", fan.AirflowM3h(), 150, 1e-9)
	if pa := r.BoothPressure("booth", t0.Add(9*time.Minute)); !(pa > fullPa) {
		t.Errorf("booth pressure at half the air %.2f Pa, at full air %.2f Pa; want it less negative", pa, fullPa)
	}

	if err := fan.SetFlow(1); err != nil {
		t.Fatal(err)
	}
	near(t, "airflow mended", fan.AirflowM3h(), 300, 1e-9)
	for _, bad := range []float64{-0.1, 1.5, math.NaN()} {
		if err := r.SetFanFlow("fan", bad); err == nil || !strings.Contains(err.Error(), "want 0 to 1") {
			t.Errorf("SetFanFlow(%g) = %v; want an error saying 0 to 1", bad, err)
		}
	}
	if err := r.SetFanFlow("nope", 0.5); err == nil || !strings.Contains(err.Error(), `no fan "nope" (fans: [fan])`) {
		t.Errorf("SetFanFlow of an unknown fan = %v; want it named with the fans there are", err)
	}
}
