package scd41sim

import (
	"math"
	"time"
)

// Execution times, datasheet table 9.
const (
	ms = time.Millisecond

	intervalPeriodic = 5 * time.Second
	intervalLowPower = 30 * time.Second
	// frcMinRun is how long periodic measurement must have run before a
	// forced recalibration (datasheet 3.7.1: "> 3 minutes").
	frcMinRun = 3 * time.Minute
)

func answer(words ...uint16) ([]uint16, error) { return words, nil }

// The answers to get_data_ready_status, asked every period: made once, as
// an answer is only read (Device.pending), never written.
var (
	dataReady = []uint16{0x8006} // the datasheet's example: low 11 bits non-zero
	noData    = []uint16{0x8000} // upper bits set, low 11 bits zero: drivers must mask
)

func none(*Device, time.Time, []uint16) ([]uint16, error) { return nil, nil }

func startMode(m mode, interval time.Duration) func(*Device, time.Time, []uint16) ([]uint16, error) {
	return func(d *Device, now time.Time, _ []uint16) ([]uint16, error) {
		d.mode, d.runStart, d.nextTick, d.ready = m, now, now.Add(interval), false
		d.shotAt = time.Time{}
		return nil, nil
	}
}

func singleShot(rhtOnly bool, exec time.Duration) func(*Device, time.Time, []uint16) ([]uint16, error) {
	return func(d *Device, now time.Time, _ []uint16) ([]uint16, error) {
		d.shotAt, d.shotRHT, d.ready = now.Add(exec), rhtOnly, false
		return nil, nil
	}
}

var getAmbientPressure = command{exec: ms, measure: true, readable: true,
	do: func(d *Device, _ time.Time, _ []uint16) ([]uint16, error) {
		if d.pressure == 0 {
			return answer(1013) // the datasheet's default, 101 300 Pa
		}
		return answer(d.pressure)
	}}

var commands = map[uint16]command{
	0x21b1: {do: startMode(periodic, intervalPeriodic)},
	0x21ac: {do: startMode(lowPower, intervalLowPower)},
	0xec05: {exec: ms, measure: true, readable: true,
		do: func(d *Device, _ time.Time, _ []uint16) ([]uint16, error) {
			if !d.ready {
				return nil, nil // the read finds nothing and is NACKed
			}
			d.ready = false
			return answer(d.buf[:]...)
		}},
	0x3f86: {exec: 500 * ms, measure: true,
		do: func(d *Device, now time.Time, _ []uint16) ([]uint16, error) {
			if d.mode == periodic || d.mode == lowPower {
				d.lastRun = now.Sub(d.runStart)
			}
			d.mode, d.ready = idle, false
			return nil, nil
		}},
	0xe4b8: {exec: ms, measure: true, readable: true,
		do: func(d *Device, _ time.Time, _ []uint16) ([]uint16, error) {
			if d.ready {
				return answer(dataReady...)
			}
			return answer(noData...)
		}},
	0x241d: {args: 1, exec: ms, do: func(d *Device, _ time.Time, a []uint16) ([]uint16, error) {
		d.ram.tempOffset = a[0]
		return nil, nil
	}},
	0x2318: {exec: ms, readable: true, do: func(d *Device, _ time.Time, _ []uint16) ([]uint16, error) {
		return answer(d.ram.tempOffset)
	}},
	0x2427: {args: 1, exec: ms, do: func(d *Device, _ time.Time, a []uint16) ([]uint16, error) {
		d.ram.altitude = a[0]
		return nil, nil
	}},
	0x2322: {exec: ms, readable: true, do: func(d *Device, _ time.Time, _ []uint16) ([]uint16, error) {
		return answer(d.ram.altitude)
	}},
	0xe000: {args: 1, exec: ms, measure: true, do: func(d *Device, _ time.Time, a []uint16) ([]uint16, error) {
		d.pressure = a[0]
		return nil, nil
	}},
	0x2416: {args: 1, exec: ms, do: func(d *Device, _ time.Time, a []uint16) ([]uint16, error) {
		d.ram.asc = a[0] != 0
		return nil, nil
	}},
	0x2313: {exec: ms, readable: true, do: func(d *Device, _ time.Time, _ []uint16) ([]uint16, error) {
		if d.ram.asc {
			return answer(1)
		}
		return answer(0)
	}},
	0x362f: {args: 1, exec: 400 * ms, readable: true, do: forcedRecalibration},
	0x3615: {exec: 800 * ms, do: func(d *Device, _ time.Time, _ []uint16) ([]uint16, error) {
		d.eeprom = d.ram
		d.eepromWrites++
		return nil, nil
	}},
	0x3682: {exec: ms, readable: true, do: func(d *Device, _ time.Time, _ []uint16) ([]uint16, error) {
		s := d.opts.Serial
		return answer(uint16(s>>32), uint16(s>>16), uint16(s))
	}},
	0x3639: {exec: 10000 * ms, readable: true, do: func(d *Device, _ time.Time, _ []uint16) ([]uint16, error) {
		if d.stuck {
			return answer(0x0001)
		}
		return answer(0)
	}},
	0x3632: {exec: 1200 * ms, do: func(d *Device, _ time.Time, _ []uint16) ([]uint16, error) {
		d.ram, d.eeprom, d.pressure = factory, factory, 0
		d.frc, d.asc, d.ascRun, d.ascMin, d.ascDone = 0, 0, 0, math.Inf(1), 0
		return nil, nil
	}},
	0x3646: {exec: reinitTime, do: func(d *Device, _ time.Time, _ []uint16) ([]uint16, error) {
		d.ram = d.eeprom
		return nil, nil
	}},
	0x219d: {exec: 5000 * ms, scd41: true, do: singleShot(false, 5000*ms)},
	0x2196: {exec: 50 * ms, scd41: true, do: singleShot(true, 50*ms)},
	0x36e0: {exec: ms, do: func(d *Device, _ time.Time, _ []uint16) ([]uint16, error) {
		d.mode = asleep
		return nil, nil
	}},
	0x36f6: {exec: wakeUpTime, do: none}, // awake already: nothing to do
	// get_sensor_variant: bits 15..12, 0000 for the SCD40, 0001 for the
	// SCD41 (embedded-i2c-scd4x's scd4x_sensor_variant).
	0x202f: {exec: ms, readable: true, do: func(d *Device, _ time.Time, _ []uint16) ([]uint16, error) {
		if d.opts.SCD40 {
			return answer(0x0000)
		}
		return answer(0x1000)
	}},
	// The ASC target and periods, idle mode only, kept in RAM until
	// persist_settings; the periods are the SCD41's only.
	0x243a: {args: 1, exec: ms, do: func(d *Device, _ time.Time, a []uint16) ([]uint16, error) {
		d.ram.ascTarget = a[0]
		return nil, nil
	}},
	0x233f: {exec: ms, readable: true, do: func(d *Device, _ time.Time, _ []uint16) ([]uint16, error) {
		return answer(d.ram.ascTarget)
	}},
	0x2445: {args: 1, exec: ms, scd41: true, do: func(d *Device, _ time.Time, a []uint16) ([]uint16, error) {
		d.ram.ascInitialH = a[0]
		return nil, nil
	}},
	0x2340: {exec: ms, readable: true, scd41: true, do: func(d *Device, _ time.Time, _ []uint16) ([]uint16, error) {
		return answer(d.ram.ascInitialH)
	}},
	0x244e: {args: 1, exec: ms, scd41: true, do: func(d *Device, _ time.Time, a []uint16) ([]uint16, error) {
		d.ram.ascStandardH = a[0]
		return nil, nil
	}},
	0x234b: {exec: ms, readable: true, scd41: true, do: func(d *Device, _ time.Time, _ []uint16) ([]uint16, error) {
		return answer(d.ram.ascStandardH)
	}},
}

// wake_up and reinit keep the sensor busy 30 ms, the wait Sensirion's own
// driver (embedded-i2c-scd4x 1.2.0) leaves after each; the datasheet's
// 20 ms is too short for some parts. A command sooner is refused.
const (
	wakeUpTime = 30 * ms
	reinitTime = 30 * ms
)

// forcedRecalibration implements 0x362f: the sensor shifts its output so
// that what it reads now becomes the reference, and answers the shift plus
// 0x8000, or 0xffff when periodic measurement did not run long enough
// before to know what it reads.
func forcedRecalibration(d *Device, now time.Time, a []uint16) ([]uint16, error) {
	if d.lastRun < frcMinRun {
		return answer(0xffff)
	}
	d.updateCell(now)
	corr := math.Round(float64(a[0]) - d.co2())
	if corr < -0x7fff || corr > 0x7ffe {
		return answer(0xffff)
	}
	d.frc += corr
	return answer(uint16(int(corr) + 0x8000))
}
