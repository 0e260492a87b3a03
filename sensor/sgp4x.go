package sensor

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/gasindex"
	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/drivers/sgp4x"
	"github.com/ventd/ventd/sample"
)

// conditioning is how long the SGP41 heats its NOx pixel after power-up
// (datasheet: 10 s, never longer).
const conditioning = 10 * time.Second

// sgp4xDevice is an SGP40/SGP41 with Sensirion's gas index algorithm,
// humidity compensated from the zone's SCD4x. The index learns the room's
// usual air over 12 hours; its state is kept across restarts.
type sgp4xDevice struct {
	name    string
	clk     clock.Clock
	zone    string
	env     *environment
	log     *slog.Logger
	variant sgp4x.Variant
	dev     *sgp4x.Dev
	ser     string
	started time.Time
	voc     *gasindex.Algorithm
	nox     *gasindex.Algorithm
	// measured is when the gas index last took a measurement.
	measured time.Time
	// gap is the shortest time between two measurements: half a period
	// short of the interval, for the periods' jitter.
	gap time.Duration
}

// newSGP4x reads the sensor every period (1 s at least) and tells the gas
// index algorithm so: it filters and learns by its sampling interval, and
// fed every 5 s as if each second, its start-up blackout lasted 4 min and
// its 12 h of learning 60 h (0.5 s periods: twice as fast).
func newSGP4x(name, zone string, v sgp4x.Variant, clk clock.Clock, env *environment, log *slog.Logger, period time.Duration) *sgp4xDevice {
	if period <= 0 {
		period = time.Second
	}
	// Below 1 s the index measures every n-th period, n periods apart:
	// that is its interval (0.8 s periods: 1.6 s, not 1 s).
	n := (time.Second + period - 1) / period
	interval := time.Duration(n) * period
	return &sgp4xDevice{name: name, zone: zone, variant: v, clk: clk, env: env, log: log,
		voc: gasindex.NewVOC(interval), nox: gasindex.NewNOx(interval),
		gap: interval - period/2}
}

// learnedKey holds a gas index sensor's learned state, so a restart does
// not re-learn the room's usual air for 12 hours (and report nothing for
// its first minute).
func (g *sgp4xDevice) learnedKey() string { return "sensor." + g.name + ".gasindex" }

// keptGasIndex is what keepTo saves: the JSON of the map restore reads,
// {"nox": ..., "voc": ...} (a map's keys are written sorted, a struct's
// fields in order), made without a map.
type keptGasIndex struct {
	NOx *gasindex.State `json:"nox,omitempty"` // an SGP41's
	VOC gasindex.State  `json:"voc"`
}

func (g *sgp4xDevice) keepTo(out map[string]string) {
	k := keptGasIndex{VOC: g.voc.State()}
	if g.variant == sgp4x.SGP41 {
		nox := g.nox.State()
		k.NOx = &nox
	}
	b, err := json.Marshal(&k)
	if err != nil {
		return
	}
	out[g.learnedKey()] = string(b)
}

func (g *sgp4xDevice) restore(saved func(string) (string, bool)) {
	v, ok := saved(g.learnedKey())
	if !ok {
		return
	}
	var m map[string]gasindex.State
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		g.log.Warn("ignoring the saved VOC index state; the index re-learns (about 12 h)", "err", err)
		return
	}
	for name, a := range map[string]*gasindex.Algorithm{"voc": g.voc, "nox": g.nox} {
		if st, ok := m[name]; ok {
			if err := a.SetState(st); err != nil {
				g.log.Warn("saved gas index state not usable; re-learning", "algorithm", name, "err", err)
			}
		}
	}
}

// setLearning freezes learning during known emission events, so a room
// where people smoke all day does not learn smoke as its usual air.
func (g *sgp4xDevice) setLearning(on bool) {
	g.voc.SetLearning(on)
	g.nox.SetLearning(on)
}

func (g *sgp4xDevice) open(bus i2c.Bus, addr uint16) error {
	dev, err := sgp4x.New(bus, &sgp4x.Opts{Addr: addr, Clock: g.clk, Variant: g.variant})
	if err != nil {
		return err
	}
	if ser, err := dev.Serial(); err == nil {
		g.ser = fmt.Sprintf("%012x", ser)
	}
	g.dev, g.started = dev, time.Time{}
	return nil
}

func (g *sgp4xDevice) poll(now time.Time, dst []value) ([]value, error) {
	t, rh := g.env.get(g.zone, now)
	if g.started.IsZero() {
		g.started = now
	}
	if g.variant == sgp4x.SGP41 && clock.Sub(now, g.started) < conditioning-time.Second {
		if _, err := g.dev.Condition(rh, t); err != nil {
			return nil, err
		}
		return append(dst, value{q: sample.VOCIndex, quality: sample.Warmup}, value{q: sample.NOxIndex, quality: sample.Warmup}), nil
	}
	if !g.measured.IsZero() && clock.Sub(now, g.measured) < g.gap && now.After(g.measured) {
		return nil, sensirion.ErrNotReady
	}
	raw, err := g.dev.MeasureRaw(rh, t)
	if err != nil {
		return nil, err
	}
	g.measured = now
	out := append(dst, index(sample.VOCIndex, g.voc.Process(int32(raw.VOC))))
	if g.variant == sgp4x.SGP41 {
		out = append(out, index(sample.NOxIndex, g.nox.Process(int32(raw.NOx))))
	}
	return out, nil
}

// index turns a gas index into a value: 0 is the algorithm's start-up
// blackout, not clean air.
func index(q sample.Quantity, v int32) value {
	if v == 0 {
		return value{q: q, quality: sample.Warmup}
	}
	return checkRange(q, float64(v), 1, 500)
}

func (g *sgp4xDevice) halt() error {
	if g.dev == nil {
		return nil
	}
	return g.dev.Halt()
}

func (g *sgp4xDevice) serial() string { return g.ser }
