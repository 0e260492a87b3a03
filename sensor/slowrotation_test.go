package sensor

import (
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/physic"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/scd41sim"
	"github.com/ventd/ventd/testbench/sgp41sim"
	"github.com/ventd/ventd/testbench/sps30sim"
)

// stretchBus delays every transfer to the addresses in slow by delay (a
// half-dead sensor stretching the clock), the others answering at once.
type stretchBus struct {
	*i2csim.Bus
	clk   clock.Clock
	slow  map[uint16]bool
	delay time.Duration
}

func (b *stretchBus) Tx(addr uint16, w, r []byte) error {
	if b.slow[addr] {
		b.clk.Sleep(b.delay)
	}
	return b.Bus.Tx(addr, w, r)
}
func (b *stretchBus) SetSpeed(f physic.Frequency) error { return b.Bus.SetSpeed(f) }

// threeOnOneBus is an SCD41, an SPS30 and an SGP41 on one bus, in that
// order in the config.
func threeOnOneBus(t *testing.T) (*clock.Sim, *stretchBus, *Set) {
	t.Helper()
	clk := clock.NewSim(t0, 0)
	bus := i2csim.New("sim", clk.Sleep)
	a := air.Clean
	a.PM25, a.CO2 = 12, 620
	bus.Attach(0x62, scd41sim.New(clk, air.Fixed(a), scd41sim.Opts{Seed: 2}))
	bus.Attach(0x69, sps30sim.New(clk, air.Fixed(a), sps30sim.Opts{Seed: 1}))
	bus.Attach(0x59, sgp41sim.New(clk, air.Fixed(a), sgp41sim.Opts{Seed: 3}))
	sb := &stretchBus{Bus: bus, clk: clk, slow: map[uint16]bool{}, delay: 600 * time.Millisecond}
	cfgs := []config.Sensor{
		{Name: "co2", Type: config.SCD41, Bus: "sim", Address: 0x62, Zone: "staff", StaleAfter: 15 * time.Second},
		{Name: "pm", Type: config.SPS30, Bus: "sim", Address: 0x69, Zone: "staff", PMCalibration: 1, StaleAfter: 3 * time.Second},
		{Name: "voc", Type: config.SGP41, Bus: "sim", Address: 0x59, Zone: "staff", StaleAfter: 3 * time.Second},
	}
	set, err := New(cfgs, func(config.Sensor) (i2c.Bus, error) { return sb, nil },
		Opts{Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return clk, sb, set
}

// period runs one loop period as daemon.step does: Update, the decisions,
// UpdateSlow, then sleeps to the next second (or not at all when late).
func period(clk *clock.Sim, set *Set) {
	next := clk.Now().Add(time.Second)
	set.Update(clk.Now)
	set.UpdateSlow(clk.Now)
	if d := next.Sub(clk.Now()); d > 0 {
		clk.Sleep(d)
	}
}

// One slow sensor (the SCD41 stretching the clock; its reads succeed) on a
// bus shared with two healthy ones. The bus is marked slow by the SCD41's
// read in Update, which skips the rest of the bus; UpdateSlow then reads
// the SPS30 (its turn), which is quick, so the bus is unmarked; the next
// Update reads the SCD41 first again... The SGP41, third on the bus, is
// never read again: starved for good although it works.
func TestSlowSensorStarvesNoOtherOnItsBus(t *testing.T) {
	clk, sb, set := threeOnOneBus(t)
	for i := 0; i < 120; i++ {
		period(clk, set)
	}
	voc := set.Get("voc")
	before := voc.lastSuccess
	if before.IsZero() {
		t.Fatal("the SGP41 never read while the bus was healthy")
	}
	sb.slow[0x62] = true
	for i := 0; i < 120; i++ {
		period(clk, set)
	}
	if age := clk.Now().Sub(voc.lastSuccess); age > 30*time.Second {
		t.Errorf("SGP41 on a bus with one slow SCD41: last read %v ago (2 min of periods), want it read in turn", age.Round(time.Second))
	}
	if f := voc.Faults(clk.Now(), 0); f.Stale {
		t.Errorf("SGP41, a working sensor, is stale: %+v", f)
	}
	// Fail-safe of what it shows meanwhile: a reading older than its
	// stale time must not say it is good (the status page and
	// ventd_reading_good go by the quality).
	for _, smp := range voc.Samples() {
		if age := clk.Now().Sub(smp.Time); smp.Quality == sample.Good && age > 3*time.Second {
			t.Errorf("%s %s: quality good at %v old (stale after 3s)", smp.Sensor, smp.Quantity, age.Round(time.Second))
		}
	}
}

// A forced recalibration's wait steps send nothing, so a calibrating SCD41
// on a hung bus "answers in time" whenever its turn comes: the bus is
// unmarked, and the next Update waits on the hung bus before the decisions
// (the fans), which is what marking it was to prevent.
func TestCalibratingSensorDoesNotClearASlowBus(t *testing.T) {
	clk, sb, set := threeOnOneBus(t)
	for i := 0; i < 240; i++ { // the datasheet's 3 min in steady air
		period(clk, set)
	}
	co2 := set.Get("co2")
	if err := co2.Recalibrate(clk.Now(), 420, record.Actor{Name: "tech"}, "", func(int, error) {}); err != nil {
		t.Fatal(err)
	}
	// The bus goes slow right after the first step (stop) is due.
	sb.slow[0x62], sb.slow[0x69], sb.slow[0x59] = true, true, true
	sb.delay = time.Second
	slowUpdates := 0
	for i := 0; i < 30; i++ {
		before := clk.Now()
		set.Update(clk.Now)
		if clk.Now().Sub(before) >= SlowRead {
			slowUpdates++
		}
		set.UpdateSlow(clk.Now)
		clk.Sleep(100 * time.Millisecond) // the period's rest
	}
	// The first Update finds the bus slow; after that only UpdateSlow may
	// wait on it.
	if slowUpdates > 1 {
		t.Errorf("%d of 30 Updates waited on the hung bus (before the fans' decisions), want 1", slowUpdates)
	}
}

// An SCD41 whose open fails quickly after the datasheet's 500 ms stop
// (its serial number reads corrupt, a sensor after a brown-out): nothing
// on the bus is slow, but the open "took" SlowRead and the whole bus is
// called slow or hung, its healthy sensors read one a period in turn (and
// the SGP41 behind them, as above, never).
func TestFailedSCD4xOpenIsNotASlowBus(t *testing.T) {
	clk, sb, set := threeOnOneBus(t)
	sb.Bus.Inject(0x62, i2csim.Fault{Kind: i2csim.FaultCorrupt})
	for i := 0; i < 60; i++ {
		period(clk, set)
	}
	if len(set.slow) != 0 {
		t.Errorf("buses called slow: %v; no transfer on the bus took more than a few ms", set.slow)
	}
	for _, name := range []string{"pm", "voc"} {
		s := set.Get(name)
		if age := clk.Now().Sub(s.lastSuccess); s.lastSuccess.IsZero() || age > 5*time.Second {
			t.Errorf("%s, healthy, beside an SCD41 that fails to start: last read %v ago (ever: %v)", name, age.Round(time.Second), !s.lastSuccess.IsZero())
		}
	}
}

// A slow bus whose reads all succeed (every transfer 600 ms): its sensors
// are read one a period in turn, and in between their readings age with
// quality good, so the status page (quality === 'good') and
// ventd_reading_good show a reading minutes old as a measurement.
func TestSkippedSensorsReadingIsNotGood(t *testing.T) {
	clk, sb, set := threeOnOneBus(t)
	for i := 0; i < 120; i++ {
		period(clk, set)
	}
	sb.slow[0x62], sb.slow[0x69], sb.slow[0x59] = true, true, true
	worst := map[string]time.Duration{}
	for i := 0; i < 60; i++ {
		// As the loop does: Update, then the record (publish) is made,
		// then UpdateSlow.
		next := clk.Now().Add(time.Second)
		set.Update(clk.Now)
		for _, s := range set.All() {
			for _, smp := range s.Samples() {
				if age := clk.Now().Sub(smp.Time); smp.Quality == sample.Good && age > s.Config().StaleAfter && age > worst[s.Name()] {
					worst[s.Name()] = age
				}
			}
		}
		set.UpdateSlow(clk.Now)
		if d := next.Sub(clk.Now()); d > 0 {
			clk.Sleep(d)
		}
	}
	for n, age := range worst {
		t.Errorf("%s: a reading %v old still has quality good (stale after %v)", n, age.Round(time.Second), set.Get(n).Config().StaleAfter)
	}
}

var _ = errors.New
var _ = sample.CO2
