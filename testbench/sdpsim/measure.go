package sdpsim

import (
	"math"
	"time"

	"github.com/ventd/ventd/drivers/sensirion"
)

// measure returns the frame a read at now gets, and starts the next
// averaging window. The caller holds the lock.
//
// The real sensor samples every 0.5 ms and, averaging till read, returns
// the mean of every sample since the previous read. Asking the source
// thousands of times a second would make a simulated day crawl, so the
// mean is taken over up to maxSamples instants spread evenly across the
// window: a room's pressure changes over seconds, not milliseconds.
func (d *Device) measure(now time.Time) []byte {
	if d.stuck && d.last != nil {
		return d.last
	}
	var p, t float64
	if d.averaging() {
		from := d.lastRead // the start, for the first read
		window := now.Sub(from)
		k := int(min(max(window/sampleEvery, 1), maxSamples))
		for i := 1; i <= k; i++ {
			pi, ti := d.src(from.Add(window * time.Duration(i) / time.Duration(k)))
			p += pi
			t += ti
		}
		p /= float64(k)
		t /= float64(k)
	} else {
		p, t = d.src(now)
	}
	d.lastRead = now

	if !d.opts.Ideal {
		p = p*(1+d.span) + d.zero
		if d.opts.Noise > 0 {
			p += d.rng.NormFloat64() * d.opts.Noise
		}
		t += d.tempOffs
	}
	d.last = sensirion.EncodeWords(make([]byte, 0, 9),
		uint16(toInt16(p*float64(d.part.Scale))),
		uint16(toInt16(t*tempScale)),
		d.part.Scale)
	return d.last
}

// averaging reports whether the running measurement averages till read.
// A triggered measurement is one sample.
func (d *Device) averaging() bool {
	return d.mode == modeContinuous && (d.cmd == cmdStartDPAvg || d.cmd == cmdStartMFAvg)
}

// toInt16 rounds v to the 16-bit output, which saturates at its ends.
func toInt16(v float64) int16 {
	switch {
	case math.IsNaN(v):
		return 0
	case v >= math.MaxInt16:
		return math.MaxInt16
	case v <= math.MinInt16:
		return math.MinInt16
	}
	return int16(math.Round(v))
}

// SetStuck makes the sensor keep answering with its last frame (true), as
// a hung signal chain does, or resume measuring (false).
func (d *Device) SetStuck(on bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stuck = on
}

// Measuring reports whether a continuous measurement is running, for tests.
func (d *Device) Measuring() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.mode == modeContinuous
}

// Asleep reports whether the sensor is in sleep mode, for tests.
func (d *Device) Asleep() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.mode == modeSleep
}

// Reads returns how many reads the sensor has answered, for tests.
func (d *Device) Reads() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.reads
}

// PowerCycle returns the sensor to the state it powers up in: idle, the
// measurement lost, as after a brown-out.
func (d *Device) PowerCycle() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.mode = modeIdle
	d.idArmed, d.pending, d.last, d.stuck = false, nil, nil, false
	d.busyUntil = time.Time{}
}
