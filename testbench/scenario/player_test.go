package scenario

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/room"
)

var t0 = time.Date(2025, 3, 3, 8, 0, 0, 0, time.UTC)

// recorder is a Target that writes down each call with the simulated time
// the player advanced it to.
type recorder struct {
	now   time.Time
	calls []string
}

var errNoSensor = errors.New("no such sensor")

func (r *recorder) AdvanceTo(t time.Time) { r.now = t }
func (r *recorder) log(format string, a ...any) {
	r.calls = append(r.calls, r.now.Sub(t0).String()+" "+fmt.Sprintf(format, a...))
}
func (r *recorder) SetOccupants(z string, n int) { r.log("occupants %s %d", z, n) }
func (r *recorder) StartSession(z string, s room.Session) {
	r.log("session %s %g for %v", z, s.PM25MgPerMin, s.Duration)
}
func (r *recorder) StopSession(z string)            { r.log("stop %s", z) }
func (r *recorder) SetDoor(n string, open bool)     { r.log("door %s %v", n, open) }
func (r *recorder) SetFanStalled(f string, st bool) { r.log("stall %s %v", f, st) }
func (r *recorder) SetFanFlow(f string, share float64) error {
	r.log("flow %s %g", f, share)
	return nil
}
func (r *recorder) SetOutdoor(s air.State) { r.log("outdoor pm1 %g pm25 %g", s.PM1, s.PM25) }
func (r *recorder) SensorFault(s, k string, on bool) error {
	r.log("sensor %s %s %v", s, k, on)
	if s != "booth-pm" {
		return errNoSensor
	}
	return nil
}

func (r *recorder) SensorDrift(d Drift) error {
	r.log("drift %s %g %g over %v", d.Sensor, d.OffsetUgm3, d.Percent, d.Over)
	return nil
}

func parse(t *testing.T, src string) *Scenario {
	t.Helper()
	s, err := Parse([]byte(src), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPlayerAppliesEventsInOrderOnTime(t *testing.T) {
	rec := &recorder{}
	p := NewPlayer(parse(t, busy), rec, t0, nil)
	var active []string
	// Step coarsely: the player still lands each event on its own time.
	for at := time.Duration(0); at <= 5*time.Hour; at += 6 * time.Minute {
		if err := p.Step(t0.Add(at)); err != nil {
			t.Fatal(err)
		}
		if at == 12*time.Minute || at == 66*time.Minute {
			for _, a := range p.Active() {
				active = append(active, at.String()+": "+a.String())
			}
		}
	}
	want := []string{
		"0s occupants staff 2",
		"10m0s session booth 3 for 4m0s",
		"30m0s door booth-door true",
		"32m0s door booth-door false",
		"1h0m0s stall booth-exhaust true",
		"1h10m0s stall booth-exhaust false",
		"2h0m0s sensor booth-pm disconnect true",
		"2h5m0s sensor booth-pm disconnect false",
		"3h0m0s outdoor pm1 30 pm25 40", // PM1 scales with PM2.5 from 6/8
		"3h10m0s session booth 1 for 2m0s",
	}
	if got := strings.Join(rec.calls, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	wantActive := []string{
		"12m0s: session in booth (3.0 mg/min PM2.5) until 08:14:00",
		"1h6m0s: fan booth-exhaust stalled until 09:10:00",
	}
	if strings.Join(active, "\n") != strings.Join(wantActive, "\n") {
		t.Errorf("Active:\n%s\nwant:\n%s", strings.Join(active, "\n"), strings.Join(wantActive, "\n"))
	}
	if !p.Done() || len(p.Active()) != 0 {
		t.Errorf("after the end: done %v, active %v", p.Done(), p.Active())
	}
}

func TestPlayerForRestoresAndSameInstantOrder(t *testing.T) {
	src := `duration: 1h
events:
  - {at: 0s, occupants: {zone: staff, count: 2}}
  - {at: 10m, occupants: {zone: staff, count: 5, for: 5m}}
  - {at: 20m, door: {name: d, open: true, for: 5m}}
  - {at: 25m, door: {name: d, open: true}}
  - {at: 30m, outdoor: {co2: 800, for: 10m}}
  - {at: 50m, sensor_fault: {sensor: nope, kind: stuck}}
`
	rec := &recorder{}
	p := NewPlayer(parse(t, src), rec, t0, &PlayerOpts{Outdoor: air.State{PM1: 1, PM25: 2, CO2: 400}})
	if err := p.Step(t0.Add(45 * time.Minute)); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"0s occupants staff 2",
		"10m0s occupants staff 5",
		"15m0s occupants staff 2",
		"20m0s door d true",
		"25m0s door d false", // the end of the first opening comes first...
		"25m0s door d true",  // ...so the second leaves it open
		"30m0s outdoor pm1 1 pm25 2",
		"40m0s outdoor pm1 1 pm25 2",
	}
	if got := strings.Join(rec.calls, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if a := p.Active(); len(a) != 1 || a[0].String() != "door d open" {
		t.Errorf("Active = %v, want the door open with no end", a)
	}
	if p.Outdoor().CO2 != 400 {
		t.Errorf("outdoor CO2 after the episode = %v, want 400 again", p.Outdoor().CO2)
	}
	err := p.Step(t0.Add(time.Hour))
	if !errors.Is(err, errNoSensor) || !strings.Contains(err.Error(), "line 8: sensor_fault at 50m0s") {
		t.Errorf("target's fault error = %v, want it wrapped with the line", err)
	}
}

func TestPlayerLoop(t *testing.T) {
	src := `duration: 1h
events:
  - {at: 0s, occupants: {zone: staff, count: 1, for: 30m}}
`
	rec := &recorder{}
	p := NewPlayer(parse(t, src), rec, t0, &PlayerOpts{Loop: true})
	_ = p.Step(t0.Add(-time.Minute)) // before the start: nothing
	for at := time.Duration(0); at <= 150*time.Minute; at += 10 * time.Minute {
		_ = p.Step(t0.Add(at))
	}
	want := "0s occupants staff 1\n30m0s occupants staff 0\n1h0m0s occupants staff 1\n" +
		"1h30m0s occupants staff 0\n2h0m0s occupants staff 1\n2h30m0s occupants staff 0"
	if got := strings.Join(rec.calls, "\n"); got != want {
		t.Errorf("looped calls:\n%s\nwant:\n%s", got, want)
	}
	if p.Done() {
		t.Error("a looping player is done")
	}
}

func TestDefaultScenario(t *testing.T) {
	s := Default()
	if err := s.Validate(room.Default(), nil); err != nil {
		t.Fatalf("the default scenario does not fit the default room:\n%v", err)
	}
	if s.Duration < 3*time.Hour {
		t.Errorf("default runs %v, want a few hours", s.Duration)
	}
	var last time.Duration = -1
	doors := 0
	for _, e := range s.Events {
		if e.Door != nil {
			doors++
		}
		if e.Session == nil {
			continue
		}
		if d := e.Session.Duration; d < 2*time.Minute || d > 5*time.Minute {
			t.Errorf("line %d: session of %v, want 2–5 min", e.Line, d)
		}
		if r := e.Session.PM25MgPerMin; r < 1 || r > 5 {
			t.Errorf("line %d: %g mg/min, want the 1–5 mg/min estimate", e.Line, r)
		}
		// Every 10–30 min, with one longer quiet spell.
		if gap := e.At - last; last >= 0 && gap < 10*time.Minute {
			t.Errorf("line %d: session %v after the last, want at least 10 min", e.Line, gap)
		}
		last = e.At
	}
	if doors == 0 {
		t.Error("the default scenario never opens a door")
	}
	if !strings.Contains(string(DefaultYAML()), "name: default-day") {
		t.Error("DefaultYAML does not return the built-in text")
	}
}

// roomTarget is the room with the sensor faults the daemon would add.
type roomTarget struct{ *room.Room }

func (roomTarget) SensorFault(string, string, bool) error { return nil }
func (roomTarget) SensorDrift(Drift) error                { return nil }

func TestDefaultScenarioInDefaultRoom(t *testing.T) {
	r, err := room.New(room.Default(), t0)
	if err != nil {
		t.Fatal(err)
	}
	p := NewPlayer(Default(), roomTarget{r}, t0, nil)
	booth, staff := r.Zone("booth"), r.Zone("staff")
	var boothPeak, staffPeak, staffSum float64
	n := 0
	for at := time.Duration(0); at <= 4*time.Hour; at += 10 * time.Second {
		if err := p.Step(t0.Add(at)); err != nil {
			t.Fatal(err)
		}
		b, s := booth.Air(t0.Add(at)), staff.Air(t0.Add(at))
		boothPeak, staffPeak = max(boothPeak, b.PM25), max(staffPeak, s.PM25)
		staffSum += s.PM25
		n++
	}
	// Sessions fill the booth; the fan keeps the staff area's average near
	// the outdoor level, with spikes when the door is opened mid-session.
	if boothPeak < 300 {
		t.Errorf("booth PM2.5 peak %.0f µg/m³, want several hundred during sessions", boothPeak)
	}
	if mean := staffSum / float64(n); mean > 15 {
		t.Errorf("staff PM2.5 mean %.1f µg/m³, want near outdoor", mean)
	}
	if staffPeak < 20 {
		t.Errorf("staff PM2.5 peak %.1f µg/m³, want the door opening to show", staffPeak)
	}
	t.Logf("booth peak %.0f, staff peak %.1f, staff mean %.1f µg/m³", boothPeak, staffPeak, staffSum/float64(n))
}

func TestPlayerFanFlow(t *testing.T) {
	src := `duration: 4h
events:
  - {at: 10m, fan_fault: {fan: booth-exhaust, flow_percent: 40, for: 1h}}
  - {at: 2h, fan_fault: {fan: booth-exhaust, flow_percent: 70}}
  - {at: 3h, fan_fault: {fan: booth-exhaust, flow_percent: 100}}
`
	rec := &recorder{}
	p := NewPlayer(parse(t, src), rec, t0, nil)
	var active []string
	for _, at := range []time.Duration{30 * time.Minute, 90 * time.Minute, 150 * time.Minute, 4 * time.Hour} {
		if err := p.Step(t0.Add(at)); err != nil {
			t.Fatal(err)
		}
		active = append(active, at.String()+":")
		for _, a := range p.Active() {
			active = append(active, a.String())
		}
	}
	want := []string{
		"10m0s flow booth-exhaust 0.4",
		"1h10m0s flow booth-exhaust 1", // for: the filter is changed
		"2h0m0s flow booth-exhaust 0.7",
		"3h0m0s flow booth-exhaust 1",
	}
	if got := strings.Join(rec.calls, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	wantActive := []string{
		"30m0s:", "fan booth-exhaust moving 40 % of its rated air until 09:10:00",
		"1h30m0s:",
		"2h30m0s:", "fan booth-exhaust moving 70 % of its rated air",
		"4h0m0s:",
	}
	if strings.Join(active, "\n") != strings.Join(wantActive, "\n") {
		t.Errorf("Active:\n%s\nwant:\n%s", strings.Join(active, "\n"), strings.Join(wantActive, "\n"))
	}
}

// A timed fault over a standing one ends back at the standing one: a fan
// already clogged to 60 % that jams at 30 % for an hour moves 60 % again
// after it, not its full rated air.
func TestPlayerTimedFlowEndsAtTheStandingOne(t *testing.T) {
	src := `duration: 3h
events:
  - {at: 10m, fan_fault: {fan: booth-exhaust, flow_percent: 60}}
  - {at: 1h, fan_fault: {fan: booth-exhaust, flow_percent: 30, for: 1h}}
`
	rec := &recorder{}
	p := NewPlayer(parse(t, src), rec, t0, nil)
	if err := p.Step(t0.Add(3 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	want := []string{"10m0s flow booth-exhaust 0.6", "1h0m0s flow booth-exhaust 0.3", "2h0m0s flow booth-exhaust 0.6"}
	if got := strings.Join(rec.calls, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if a := p.Active(); len(a) != 1 || a[0].String() != "fan booth-exhaust moving 60 % of its rated air" {
		t.Errorf("active after the timed fault: %v; want the standing 60 %%", a)
	}
}
