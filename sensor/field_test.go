package sensor

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/sps30sim"
)

// The tests here are parts misbehaving as they do in the field: a fan
// or laser that fails, frames corrupt or impossible with valid CRCs, a
// part that resets and comes back idle.

// smokyPM is a booth with one SPS30 in 300 µg/m³ of smoke.
func smokyPM(t *testing.T) *rig {
	t.Helper()
	return smokyPMWith(t, sps30sim.Opts{Seed: 1}, io.Discard)
}

// smokyPMWith is smokyPM with the SPS30's options and the log's writer.
func smokyPMWith(t *testing.T, opts sps30sim.Opts, log io.Writer) *rig {
	t.Helper()
	clk := clock.NewSim(t0, 0)
	bus := i2csim.New("sim", clk.Sleep)
	a := air.Clean
	a.PM1, a.PM25, a.PM4, a.PM10 = 250, 300, 310, 320
	pm := sps30sim.New(clk, air.Fixed(a), opts)
	bus.Attach(0x69, pm)
	set, err := New([]config.Sensor{{Name: "pm", Type: config.SPS30, Bus: "sim", Address: 0x69, Zone: "booth", PMCalibration: 1, StaleAfter: 3 * time.Second}},
		func(config.Sensor) (i2c.Bus, error) { return bus, nil }, Opts{Clock: clk, Log: slog.New(slog.NewTextHandler(log, nil)), StuckAfter: 30 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{clk: clk, bus: bus, pm: pm, set: set}
}

// watch updates the sensors a second at a time for d and counts the
// periods in which sensor name's q was not good.
func (r *rig) watch(d time.Duration, name string, q sample.Quantity) (bad, total int) {
	for end := r.clk.Now().Add(d); r.clk.Now().Before(end); {
		next := r.clk.Now().Add(time.Second)
		r.set.Update(r.clk.Now)
		total++
		if r.set.Get(name).Sample(q).Quality != sample.Good {
			bad++
		}
		r.clk.Sleep(next.Sub(r.clk.Now()))
	}
	return bad, total
}

// A blocked fan or a failed laser reads near zero in any smoke. The
// SPS30 says so in its status register; ventd read it every 10 s, but
// the retry after the status error read the values anyway, so the booth
// passed for clean air in every period: 60 of 60 good, PM2.5 0.1 in 300.
func TestSPS30FanOrLaserFailureIsAFault(t *testing.T) {
	for _, which := range []string{"fan", "laser"} {
		r := smokyPM(t)
		r.run(30 * time.Second)
		if which == "fan" {
			r.pm.SetFanFailure(true)
		} else {
			r.pm.SetLaserFailure(true)
		}
		r.run(20 * time.Second)
		bad, total := r.watch(time.Minute, "pm", sample.PM25)
		s := r.set.Get("pm")
		f, h := s.Faults(r.clk.Now(), 10*time.Second), s.Health()
		if bad != total {
			t.Errorf("%s failure: %d of %d periods good in 300 µg/m³ of smoke (last %+v)", which, total-bad, total, s.Sample(sample.PM25))
		}
		if !f.Device || h.Up || h.Error == "" || len(h.Status) == 0 {
			t.Errorf("%s failure: faults %+v, health up %v error %q status %v: want a device fault, down, saying why", which, f, h.Up, h.Error, h.Status)
		}

		// Freed again (lint blown out, the laser cooled): the fan bit is
		// sticky in the part, so ventd must clear it to see the recovery.
		if which == "fan" {
			r.pm.SetFanFailure(false)
		} else {
			r.pm.SetLaserFailure(false)
		}
		r.run(30 * time.Second)
		if bad, total := r.watch(10*time.Minute, "pm", sample.PM25); bad > 0 {
			t.Errorf("%s freed: still %d of %d periods not good (%+v)", which, bad, total, s.Sample(sample.PM25))
		}
		if f := s.Faults(r.clk.Now(), 10*time.Second); f.Device {
			t.Errorf("%s freed: device fault still raised", which)
		}
	}
}

// An SPS30 with firmware before 2.2 has no status register (datasheet,
// March 2020) and refuses its commands. ventd asked for it every 10 s
// regardless: a failed read each time, counted against a sensor that
// works.
func TestSPS30WithoutStatusRegisterReads(t *testing.T) {
	for _, fw := range [][2]byte{{2, 0}, {2, 1}} {
		var log strings.Builder
		r := smokyPMWith(t, sps30sim.Opts{Seed: 1, Firmware: fw}, &log)
		r.run(10 * time.Second)
		bad, total := r.watch(10*time.Minute, "pm", sample.PM25)
		h := r.set.Get("pm").Health()
		if bad > 0 || !h.Up || h.Errors[KindNACK] > 0 || h.Error != "" {
			t.Errorf("firmware %d.%d: %d of %d periods not good, up %v, errors %v %q: want every reading and no error", fw[0], fw[1], bad, total, h.Up, h.Errors, h.Error)
		}
		if n := strings.Count(log.String(), "no status register"); n != 1 {
			t.Errorf("firmware %d.%d: said %d times that the sensor has no status register, want once; log:\n%s", fw[0], fw[1], n, log.String())
		}
	}
	// From 2.2 a refused status read is a failed read, as before, and
	// the status register is still read afterwards.
	r := smokyPM(t)
	refusing := &refuseStatus{Device: r.pm, n: 1}
	r.bus.Attach(0x69, refusing)
	r.run(10 * time.Minute)
	h := r.set.Get("pm").Health()
	if h.Errors[KindNACK] != 1 || refusing.reads < 50 {
		t.Errorf("firmware 2.2, one status read refused: %d NACKs counted (want 1), %d status reads in 10 min after it (want one every 10 s)", h.Errors[KindNACK], refusing.reads)
	}
}

// refuseStatus NACKs the first n reads of an SPS30's status register and
// counts those it lets through.
type refuseStatus struct {
	i2csim.Device
	n, reads int
}

func (d *refuseStatus) Write(b []byte) error {
	if len(b) >= 2 && uint16(b[0])<<8|uint16(b[1]) == 0xD206 {
		if d.n > 0 {
			d.n--
			return i2csim.NACK("refused for the test")
		}
		d.reads++
	}
	return d.Device.Write(b)
}

// rewrite changes the answers to one command as they leave a simulated
// device: a corrupt byte, or garbage with valid CRCs.
type rewrite struct {
	i2csim.Device
	cmd, last uint16
	change    func(answer []byte) // nil: none yet
}

func (w *rewrite) Write(b []byte) error {
	if len(b) >= 2 {
		w.last = uint16(b[0])<<8 | uint16(b[1])
	}
	return w.Device.Write(b)
}

func (w *rewrite) Read(r []byte) error {
	if err := w.Device.Read(r); err != nil {
		return err
	}
	if w.change != nil && w.last == w.cmd {
		w.change(r)
	}
	return nil
}

// corruptEvery flips a bit of byte at (a CRC) in every nth answer.
func corruptEvery(n, at int) func([]byte) {
	i := 0
	return func(r []byte) {
		if i++; i%n == 0 {
			r[at] ^= 0x01
		}
	}
}

// validWords replaces an answer's words with f's, each with a valid CRC.
func validWords(f func(orig []uint16) []uint16) func([]byte) {
	return func(r []byte) {
		if orig, err := sensirion.DecodeWords(r); err == nil {
			copy(r, sensirion.EncodeWords(nil, f(orig)...))
		}
	}
}

// A corrupt values frame takes the data-ready flag with it, so the retry
// found nothing new and the period counted as merely stale: every frame
// corrupt for 10 minutes raised no CRC fault, left the sensor "up" with
// no error, and never escalated (reopen, bus clear).
func TestCorruptFramesCountAsFailures(t *testing.T) {
	r := smokyPM(t)
	c := &rewrite{Device: r.pm, cmd: 0x0300}
	r.bus.Attach(0x69, c)
	r.run(20 * time.Second)
	c.change = corruptEvery(1, 3*3+2) // the third word's CRC
	bad, total := r.watch(10*time.Minute, "pm", sample.PM25)
	s := r.set.Get("pm")
	f, h := s.Faults(r.clk.Now(), 10*time.Second), s.Health()
	if bad < total-5 || !f.CRC || h.Up || h.Error == "" {
		t.Errorf("every frame corrupt: %d of %d periods not good, faults %+v, up %v, error %q: want faulty, a CRC fault, down, saying why",
			bad, total, f, h.Up, h.Error)
	}

	// One frame in three (a cable going bad): the retry carries each, the
	// data stay good, but the rate is the CRC fault.
	r = smokyPM(t)
	c = &rewrite{Device: r.pm, cmd: 0x0300}
	r.bus.Attach(0x69, c)
	r.run(20 * time.Second)
	c.change = corruptEvery(3, 3*3+2)
	r.run(10 * time.Minute)
	for range 3 { // the periods between corrupt frames too
		r.run(time.Second)
		if f := r.set.Get("pm").Faults(r.clk.Now(), 10*time.Second); !f.CRC {
			t.Errorf("one frame in three corrupt for 10 minutes: faults %+v, want the CRC fault", f)
		}
	}

	// One frame in a hundred: the retry and the last good values carry
	// it, and nothing is raised.
	r = smokyPM(t)
	c = &rewrite{Device: r.pm, cmd: 0x0300}
	r.bus.Attach(0x69, c)
	r.run(20 * time.Second)
	c.change = corruptEvery(100, 3*3+2)
	bad, total = r.watch(10*time.Minute+30*time.Second, "pm", sample.PM25)
	if f := r.set.Get("pm").Faults(r.clk.Now(), 10*time.Second); bad > 0 || f.CRC {
		t.Errorf("one frame in 100 corrupt: %d of %d periods not good, faults %+v 30 s after the last: want none", bad, total, f)
	}
}

// Values no particle sensor gives (NaN, infinite, negative) fail the frame
// in the driver; they were counted as "other" errors and showed as stale
// air, never as the range fault that tells a technician to replace it.
func TestSPS30ImpossibleValuesAreOutOfRange(t *testing.T) {
	for _, c := range []struct {
		name   string
		hi, lo uint16
	}{{"NaN", 0x7fc0, 0}, {"+Inf", 0x7f80, 0}, {"-1", 0xbf80, 0}, {"all ones", 0xffff, 0xffff}} {
		r := smokyPM(t)
		tp := &rewrite{Device: r.pm, cmd: 0x0300}
		r.bus.Attach(0x69, tp)
		r.run(20 * time.Second)
		tp.change = validWords(func(o []uint16) []uint16 { o[2], o[3] = c.hi, c.lo; return o })
		r.run(30 * time.Second)
		s := r.set.Get("pm")
		if smp, f := s.Sample(sample.PM25), s.Faults(r.clk.Now(), 10*time.Second); smp.Quality == sample.Good || !f.OutOfRange {
			t.Errorf("PM2.5 %s: %v %v, faults %+v: want not good and a range fault", c.name, smp.Quality, smp.Err, f)
		}
	}
}

// An SCD4x that answers 0 ppm (or a frame of zeros, which reads -45 °C)
// with valid CRCs: 0 ppm was recorded as the cleanest air there is.
func TestSCD41ImpossibleFrames(t *testing.T) {
	all := []sample.Quantity{sample.CO2, sample.Temperature, sample.Humidity}
	for _, c := range []struct {
		name  string
		words []uint16
		bad   []sample.Quantity // what must not pass as good
	}{
		{"CO2 0", []uint16{0, 0x6666, 0x8000}, all[:1]},
		{"all zero", []uint16{0, 0, 0}, all},
		{"CO2 65535", []uint16{0xffff, 0x6666, 0x8000}, all[:1]},
		{"all ones", []uint16{0xffff, 0xffff, 0xffff}, all},
	} {
		r := newRig(t, 0)
		tp := &rewrite{Device: r.co2, cmd: 0xec05}
		r.bus.Attach(0x62, tp)
		r.run(30 * time.Second)
		tp.change = validWords(func([]uint16) []uint16 { return c.words })
		r.run(30 * time.Second)
		s := r.set.Get("co2")
		for _, q := range c.bad {
			if smp := s.Sample(q); smp.Quality == sample.Good {
				t.Errorf("%s: %s %g accepted as good", c.name, q, smp.Value)
			}
		}
		if f := s.Faults(r.clk.Now(), 10*time.Second); !f.OutOfRange {
			t.Errorf("%s: no range fault (%+v)", c.name, f)
		}
	}
}

// A brown-out puts an SPS30 back in idle. Where its data-ready flag then
// reads 0 rather than refusing the command (Sensirion say it "has no
// meaning" outside measuring), the sensor layer saw "not ready" forever:
// stale, never restarted.
func TestSilentSPS30IsRestarted(t *testing.T) {
	for _, idleAnswersZero := range []bool{false, true} {
		r := newRig(t, 0)
		r.pm.SetIdleDataReadyZero(idleAnswersZero)
		r.run(30 * time.Second)
		r.pm.PowerCycle()
		r.run(2 * time.Minute)
		if s := r.pm25(); s.Quality != sample.Good {
			t.Errorf("idle data-ready answers 0: %v: 2 min after a power cycle PM2.5 is %v (%v)", idleAnswersZero, s.Quality, s.Err)
		}
	}
}
