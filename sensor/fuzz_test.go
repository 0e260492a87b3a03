package sensor

import (
	"io"
	"log/slog"
	"math"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/testbench"
)

// fuzzRoom has one sensor of each kind ventd reads: an SEN55 and an
// SDP810 in the booth, an SPS30, SCD41 and SGP41 in the staff area.
const fuzzRoom = `site: Fuzz
room: Room 1
zones:
  - {name: booth, kind: booth, volume_m3: 4}
  - {name: staff, kind: staff, volume_m3: 60}
sensors:
  - {name: booth-pm, type: sen55, bus: sim1, zone: booth}
  - {name: booth-dp, type: sdp810, bus: sim1, zone: booth}
  - {name: staff-pm, type: sps30, bus: sim0, zone: staff}
  - {name: staff-co2, type: scd41, bus: sim0, zone: staff}
  - {name: staff-voc, type: sgp41, bus: sim0, zone: staff}
fans:
  - {name: booth-fan, zones: [booth], backend: sim, max_flow_m3h: 300, rated_power_w: 45, min_duty: 25}
`

// garbler passes transfers to a simulated bus and, while on, replaces
// every byte a sensor sends with the fuzzer's, with their CRCs mended
// when mend is set, so the garbage reaches the decoders: what a failing
// sensor, a noisy cable or a foreign device at the address could send.
type garbler struct {
	i2c.Bus
	mu   sync.Mutex
	on   bool
	mend bool
	data []byte
	at   int
}

func (g *garbler) Tx(addr uint16, w, r []byte) error {
	err := g.Bus.Tx(addr, w, r)
	g.mu.Lock()
	defer g.mu.Unlock()
	if err != nil || !g.on || len(r) == 0 {
		return err
	}
	for i := range r {
		r[i] = g.data[g.at%len(g.data)]
		g.at++
	}
	if g.mend {
		for i := 0; i+2 < len(r); i += 3 {
			r[i+2] = sensirion.CRC8(r[i : i+2])
		}
	}
	return nil
}

func (g *garbler) set(on bool) {
	g.mu.Lock()
	g.on = on
	g.mu.Unlock()
}

// FuzzSensorFrames sends the sensors garbage, with good CRCs and bad, for
// a minute, from their start or once they read. Whatever comes, no
// reading is taken as good air unless it is a finite number in the
// sensor's range (above the range only as smoke, at most ten times it),
// and once the garbage stops every sensor reads good air again within
// five minutes: garbage is never a measurement, and loses the sensor
// for no longer than it lasts.
func FuzzSensorFrames(f *testing.F) {
	f.Add([]byte{0x00}, true, false)
	f.Add([]byte{0xff}, true, true)
	f.Add([]byte{0x7f, 0xc0, 0x00, 0x00}, true, true) // float NaN with good CRCs
	f.Add([]byte{0x7f, 0x80, 0x00, 0x00}, true, true) // +Inf
	f.Add([]byte{0xff, 0xff, 0xac}, false, true)      // 0xFFFF with its CRC: "no value"
	f.Add([]byte{0x44, 0x7a, 0x00, 0x00, 0x80, 0x00}, true, false)
	f.Add([]byte("sensirion"), false, true)
	f.Fuzz(func(t *testing.T, data []byte, mend, fromStart bool) {
		if len(data) == 0 {
			return
		}
		cfg, err := config.Parse([]byte(fuzzRoom), "fuzz.yaml")
		if err != nil {
			t.Fatal(err)
		}
		clk := clock.NewSim(t0, 0)
		rig, err := testbench.NewRig(cfg, clk, nil, testbench.RigOpts{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		g := map[string]*garbler{}
		for _, s := range cfg.Sensors {
			if g[s.Bus] == nil {
				b, err := rig.Bus(s)
				if err != nil {
					t.Fatal(err)
				}
				g[s.Bus] = &garbler{Bus: b, mend: mend, data: data}
			}
		}
		open := func(s config.Sensor) (i2c.Bus, error) { return g[s.Bus], nil }
		set, err := New(cfg.Sensors, open, Opts{Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), StuckAfter: 30 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		defer set.Close()
		garble := func(on bool) {
			for _, b := range g {
				b.set(on)
			}
		}
		run := func(d time.Duration, check func(*Sensor, sample.Sample)) {
			for end := clk.Now().Add(d); clk.Now().Before(end); {
				next := clk.Now().Add(time.Second)
				set.Update(clk.Now)
				set.UpdateSlow(clk.Now)
				for _, s := range set.All() {
					s.Faults(clk.Now(), 10*time.Second)
					s.Health()
					for _, smp := range s.Samples() {
						check(s, smp)
					}
				}
				clk.Sleep(next.Sub(clk.Now()))
			}
		}
		sane := func(s *Sensor, smp sample.Sample) {
			switch {
			case smp.Quality == sample.Good && (math.IsNaN(smp.Value) || math.IsInf(smp.Value, 0) || smp.Value < lowest[smp.Quantity]):
				t.Fatalf("%s: %s taken as good at %v from garbage", s.cfg.Name, smp.Quantity, smp.Value)
			case smp.AboveRange() && !(smp.Value > 0 && smp.Value <= 10*1000):
				t.Fatalf("%s: %s taken as smoke above the range at %v from garbage", s.cfg.Name, smp.Quantity, smp.Value)
			}
		}
		if fromStart {
			garble(true) // a sensor that sends garbage from power-up
		} else {
			run(30*time.Second, sane)
			garble(true)
		}
		run(time.Minute, sane)
		garble(false)
		run(5*time.Minute, sane)
		for _, s := range set.All() {
			if h := s.Health(); !h.Up || len(s.Samples()) == 0 {
				t.Errorf("%s: not reading 5 min after the garbage stopped: %+v", s.cfg.Name, h)
			}
			for _, smp := range s.Samples() {
				if smp.Quality != sample.Good && smp.Quality != sample.Warmup {
					t.Errorf("%s: %s still %s (%v) 5 min after the garbage stopped", s.cfg.Name, smp.Quantity, smp.Quality, smp.Err)
				}
			}
		}
	})
}

// lowest is the least a good reading of each quantity can be; the
// others are checked only to be finite.
var lowest = map[sample.Quantity]float64{
	sample.PM1: 0, sample.PM25: 0, sample.PM4: 0, sample.PM10: 0,
	sample.Humidity: 0, sample.Temperature: -40, sample.Pressure: -500,
	sample.CO2: 0, sample.VOCIndex: 1, sample.NOxIndex: 1,
}
