package daemon

// A slow or hung I2C bus on a Pi: the simulated bus's stuck fault fails at
// once, but on a Pi every transfer on a bus held low waits for the
// kernel's timeout (about 1 s on i2c-bcm2835) before ETIMEDOUT. These
// tests wrap simulated buses in that behaviour, on the simulated clock,
// and look at what the rest of the room gets meanwhile.

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/physic"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/drivers/fan"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/room"
	"github.com/ventd/ventd/testbench/scenario"
)

// busMode is how a wrapped bus behaves.
type busMode int

const (
	busOK      busMode = iota
	busTimeout         // SCL held low: every transfer waits delay, then ETIMEDOUT
	busSlow            // a half-dead sensor: every transfer waits delay, then succeeds
)

// slowBus is a bus with a Pi's timing in trouble.
type slowBus struct {
	i2c.Bus
	clk   clock.Clock
	mu    *sync.Mutex
	mode  *busMode
	delay time.Duration
	tx    *int
}

func (b slowBus) Tx(addr uint16, w, r []byte) error {
	b.mu.Lock()
	m := *b.mode
	*b.tx++
	b.mu.Unlock()
	switch m {
	case busTimeout:
		b.clk.Sleep(b.delay)
		return fmt.Errorf("i2c: transfer to 0x%02x: %w", addr, syscall.ETIMEDOUT)
	case busSlow:
		b.clk.Sleep(b.delay)
	}
	return b.Bus.Tx(addr, w, r)
}

func (b slowBus) SetSpeed(f physic.Frequency) error { return b.Bus.SetSpeed(f) }

// slowHW is the rig with one bus wrapped.
type slowHW struct {
	rig   *testbench.Rig
	clk   clock.Clock
	which string
	mu    sync.Mutex
	mode  busMode
	delay time.Duration
	tx    int
}

func (h *slowHW) Bus(s config.Sensor) (i2c.Bus, error) {
	b, err := h.rig.Bus(s)
	if err != nil || (h.which != "*" && s.Bus != h.which) {
		return b, err
	}
	return slowBus{Bus: b, clk: h.clk, mu: &h.mu, mode: &h.mode, delay: h.delay, tx: &h.tx}, nil
}
func (h *slowHW) Fan(f config.Fan) (fan.Output, error)      { return h.rig.Fan(f) }
func (h *slowHW) Tach(f config.Fan) (fan.Tachometer, error) { return h.rig.Tach(f) }
func (h *slowHW) set(m busMode) {
	h.mu.Lock()
	h.mode = m
	h.mu.Unlock()
}

// slowBusHarness runs booths-2.yaml with bus `which` wrapped.
func slowBusHarness(t *testing.T, which string, delay time.Duration) (*harness, *slowHW) {
	return slowBusRoom(t, "../testbench/rooms/booths-2.yaml", which, delay)
}

func slowBusRoom(t *testing.T, file, which string, delay time.Duration) (*harness, *slowHW) {
	t.Helper()
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewSim(t0, 0)
	rig, err := testbench.NewRig(cfg, clk, &scenario.Scenario{Name: "empty", Duration: 24 * time.Hour}, testbench.RigOpts{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	hw := &slowHW{rig: rig, clk: clk, which: which, delay: delay}
	dir := t.TempDir()
	d, err := New(Options{Config: cfg, Clock: clk, Hardware: hw, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), StateDir: dir, Sim: true})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, clk: clk, rig: rig, d: d, dir: dir}, hw
}

// loop runs the loop exactly as Run paces it, for d of simulated time, and
// returns each period's length (the time between two heartbeats).
func (h *harness) loop(d time.Duration) []time.Duration {
	period := h.d.period
	next := h.clk.Now()
	end := next.Add(d)
	var lens []time.Duration
	last := h.clk.Now()
	for h.clk.Now().Before(end) {
		h.d.step(next)
		beat := h.d.LastPeriod()
		lens = append(lens, beat.Sub(last))
		last = beat
		next = next.Add(period)
		now := h.clk.Now()
		if behind := now.Sub(next); behind > period {
			h.d.overruns++
			next = now
		}
		h.clk.Sleep(next.Sub(now))
	}
	return lens
}

func maxDur(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}

// A hung bus (booth1's sensors, every transfer waiting 1 s for the
// timeout) held up the whole loop: periods of 4-8 s, and smoke in booth2,
// on a healthy bus of its own, reached full extraction after 5.1 s.
func TestHungBusHoldsUpNoOtherBooth(t *testing.T) {
	h, hw := slowBusHarness(t, "sim1", time.Second)
	defer h.d.Close()
	h.loop(10 * time.Minute)
	hw.set(busTimeout)
	lens := h.loop(2 * time.Minute)
	if m := maxDur(lens[5:]); m > 2500*time.Millisecond {
		t.Errorf("booth1's bus hung: periods up to %v, want one timeout's wait at most (≈2 s)", m)
	}
	if f := h.d.fans[0].last; f.Mode != control.ModeSafe {
		t.Errorf("booth1's bus hung: its fan is %s %.2f, want safe", f.Mode, f.Duty)
	}
	h.rig.Room.StartSession("booth2", room.Session{PM25MgPerMin: 40, Duration: 3 * time.Minute})
	start := h.clk.Now()
	for h.clk.Now().Sub(start) < time.Minute {
		h.loop(time.Second)
		if f := h.d.fans[1].last; f.Duty >= 0.99 {
			if took := h.clk.Now().Sub(start); took > 4*time.Second {
				t.Errorf("booth2, on a healthy bus, at full %v after its smoke began, want within a sample and a timeout's wait", took)
			}
			return
		}
	}
	t.Errorf("booth2 not at full a minute after its smoke began (%+v)", h.d.fans[1].last)
}

// Smoke in the staff area while booth1's bus hangs: the staff SPS30, on a
// healthy bus, read the smoke every period, but by the time the loop had
// waited out booth1's timeouts its reading was older than its stale time:
// no staff PM2.5 alarm at 233 µg/m³ in 5 minutes, the time a gap.
func TestHungBusLeavesTheStaffAlarm(t *testing.T) {
	h, hw := slowBusHarness(t, "sim1", time.Second)
	defer h.d.Close()
	h.loop(10 * time.Minute)
	hw.set(busTimeout)
	h.loop(30 * time.Second)
	h.rig.Room.StartSession("staff", room.Session{PM25MgPerMin: 6, Duration: 5 * time.Minute})
	start := h.clk.Now()
	raised := false
	for h.clk.Now().Sub(start) < 5*time.Minute && !raised {
		h.loop(time.Second)
		for _, a := range h.d.Latest().Alarms.Alarms {
			raised = raised || a.RuleID == "staff/pm25/alarm"
		}
	}
	if !raised {
		t.Errorf("no staff PM2.5 alarm in 5 minutes of staff smoke (peak %.0f µg/m³) while booth1's bus hung", h.d.sensors.Get("staff-pm").Sample("pm25").Value)
	}
	for _, e := range h.snapshot().Exposure {
		if e.Zone == "staff" && e.Quantity == "pm25" && e.Shift != nil && e.Shift.Coverage < 95 {
			t.Errorf("staff PM2.5 shift covered %.1f %%: a healthy sensor's periods counted as gaps", e.Shift.Coverage)
		}
	}
}

// Every bus of the six-booth room hung: periods reached a minute, so the
// watchdog (pings while a period ended within 5 periods) would kill ventd
// again and again, each fan seeing a new duty once a minute.
func TestHungBusesFeedTheWatchdog(t *testing.T) {
	h, hw := slowBusRoom(t, "../testbench/rooms/booths-6.yaml", "*", time.Second)
	defer h.d.Close()
	h.loop(5 * time.Minute)
	hw.set(busTimeout)
	lens := h.loop(5 * time.Minute)
	// The first period finds each bus hung (a timeout each); later ones
	// read one slow bus each.
	if m := maxDur(lens[1:]); m > 2500*time.Millisecond {
		t.Errorf("every bus hung: periods up to %v after the first, want one timeout's wait at most", m)
	}
	for _, f := range h.d.fans {
		if f.last.Mode != control.ModeSafe {
			t.Errorf("fan %s is %s with its booth unseen, want safe", f.cfg.Name, f.last.Mode)
		}
	}
	// Each sensor is still tried now and then (it must be found when the
	// bus recovers).
	hw.set(busOK)
	h.loop(3 * time.Minute)
	for _, s := range h.snapshot().Sensors {
		if !s.Up {
			t.Errorf("3 min after the buses recovered %s is still down: %s", s.Name, s.Error)
		}
	}
}

// A slow but working bus (every transfer answered after 700 ms, a sensor
// stretching the clock) made every period 5 s long with nothing naming
// it: now its sensors say why, and the other buses' readings stay fresh.
func TestSlowBusIsNamed(t *testing.T) {
	h, hw := slowBusHarness(t, "sim1", 700*time.Millisecond)
	defer h.d.Close()
	h.loop(5 * time.Minute)
	hw.set(busSlow)
	// One read of an SPS30 is six transfers: over 4 s at this speed, so
	// periods still stretch; the other buses are read first and their
	// readings do not age meanwhile.
	lens := h.loop(3 * time.Minute)
	t.Logf("periods up to %v", maxDur(lens))
	named := 0
	for _, s := range h.snapshot().Sensors {
		if strings.HasPrefix(s.Name, "booth1-") && strings.Contains(s.Error, "slow") {
			named++
		}
		if !strings.HasPrefix(s.Name, "booth1-") && (!s.Up || s.Error != "") {
			t.Errorf("%s, on a healthy bus: up %v, %q", s.Name, s.Up, s.Error)
		}
	}
	if named == 0 {
		t.Errorf("no booth1 sensor says its bus is slow")
	}
}

// Minute rows (the journal, and what a restart rebuilds a shift from)
// added the configured period for each period, not the time it took: with
// booth1's bus slow every staff CO2 minute, measured throughout, was
// written as covering a fraction of itself.
func TestSlowPeriodsCoverTheirMinutes(t *testing.T) {
	h, hw := slowBusHarness(t, "sim1", 700*time.Millisecond)
	defer h.d.Close()
	var mu sync.Mutex
	var mins []record.Minute
	h.d.Attach("capture", record.OutputFunc(func(p *record.Period) {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range p.Minutes {
			if m.Zone == "staff" && m.Quantity == "co2" {
				mins = append(mins, m)
			}
		}
	}), nil)
	h.loop(5 * time.Minute)
	hw.set(busSlow)
	lens := h.loop(5 * time.Minute)
	h.snapshot()
	mu.Lock()
	defer mu.Unlock()
	if maxDur(lens) < 2*time.Second {
		t.Fatalf("periods up to %v: the test needs long ones", maxDur(lens))
	}
	for _, m := range mins[len(mins)-3:] {
		if m.CoveredSeconds < 55 {
			t.Errorf("staff CO2 minute %s: %d periods covering %.0f s, though every period had a good reading", m.Start.Format("15:04"), m.Count, m.CoveredSeconds)
		}
	}
}
