package sps30

import (
	"fmt"
	"math"
	"time"
)

// CleanFan runs the fan at full speed for 10 s to blow out dust. The sensor
// must be measuring; during the cleaning it makes no new measurements, so
// Sense returns ErrNotReady until it is over.
func (d *Dev) CleanFan() error {
	return d.write("start fan cleaning", cmdFanClean, execShort)
}

// AutoCleanInterval returns how often the sensor cleans its fan by itself
// (0: never). The sensor counts from its last power-up or reset, so a
// sensor that is power-cycled more often than this never cleans: keep the
// run time yourself and call CleanFan when it is due.
func (d *Dev) AutoCleanInterval() (time.Duration, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	w, err := d.c.Read(cmdAutoClean, execShort, 2)
	if err != nil {
		return 0, fmt.Errorf("sps30: read auto-cleaning interval: %w", err)
	}
	return time.Duration(uint32(w[0])<<16|uint32(w[1])) * time.Second, nil
}

// MaxAutoCleanInterval is the longest interval the sensor can store.
const MaxAutoCleanInterval = math.MaxUint32 * time.Second

// SetAutoCleanInterval sets how often the sensor cleans its fan by itself,
// in whole seconds; 0 turns automatic cleaning off. The sensor keeps it
// across power cycles. Firmware before 2.2 goes on reporting the old
// interval until the next reset.
func (d *Dev) SetAutoCleanInterval(interval time.Duration) error {
	if interval < 0 || interval > MaxAutoCleanInterval || interval%time.Second != 0 {
		return fmt.Errorf("sps30: set auto-cleaning interval %v: want whole seconds from 0 (off) to %d s (the datasheet default is 168h = 604800 s)", interval, uint32(math.MaxUint32))
	}
	s := uint32(interval / time.Second)
	return d.write("set auto-cleaning interval", cmdAutoClean, execAutoCleanWrite, uint16(s>>16), uint16(s))
}

// Status reads the device status register.
func (d *Dev) Status() (Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	w, err := d.c.Read(cmdReadStatus, 0, 2)
	if err != nil {
		return 0, fmt.Errorf("sps30: read device status register: %w", err)
	}
	return Status(uint32(w[0])<<16 | uint32(w[1])), nil
}

// ClearStatus clears the device status register; a fault still present is
// flagged again within two seconds of measuring.
func (d *Dev) ClearStatus() error {
	return d.write("clear device status register", cmdClearStatus, execShort)
}

// Serial reads the sensor's serial number.
func (d *Dev) Serial() (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, err := d.readASCII(cmdSerial, 0, 16)
	if err != nil {
		return "", fmt.Errorf("sps30: read serial number: %w", err)
	}
	return s, nil
}

// ProductType reads the product type; an SPS30 answers "00080000".
func (d *Dev) ProductType() (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, err := d.readASCII(cmdProductType, 0, 4)
	if err != nil {
		return "", fmt.Errorf("sps30: read product type: %w", err)
	}
	return s, nil
}

// Version is a firmware version.
type Version struct{ Major, Minor uint8 }

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// FirmwareVersion reads the firmware version. Sleep needs 2.0 or later,
// the device status register 2.2 or later (datasheet, March 2020).
func (d *Dev) FirmwareVersion() (Version, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	w, err := d.c.Read(cmdVersion, 0, 1)
	if err != nil {
		return Version{}, fmt.Errorf("sps30: read version: %w", err)
	}
	return Version{Major: uint8(w[0] >> 8), Minor: uint8(w[0])}, nil
}

// Reset restarts the sensor as a power cycle does: it comes back idle, with
// its status register cleared and its auto-cleaning count restarted.
func (d *Dev) Reset() error {
	return d.write("reset", cmdReset, execReset)
}

// Sleep puts an idle sensor into sleep mode, where it draws least power and
// its I2C interface is off. Stop it first if it is measuring.
func (d *Dev) Sleep() error {
	return d.write("sleep", cmdSleep, execShort)
}

// WakeUp brings a sleeping sensor back to idle mode.
func (d *Dev) WakeUp() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.wakeUp(); err != nil {
		return fmt.Errorf("sps30: wake-up: %w", err)
	}
	return nil
}

// wakeUp is the datasheet's wake-up sequence: in sleep mode the interface
// is off, and the low pulses of a first transfer switch it on for 100 ms
// without an acknowledge; a Wake-up command inside that window then wakes
// the sensor. Sending Wake-up twice does both, and is harmless when the
// sensor is already idle. The first is usually refused, and the interface
// it switched on is given execWakeUp before the second, as Sensirion's
// driver does: sent at once, the second can find it still off.
func (d *Dev) wakeUp() error {
	if d.c.Write(cmdWakeUp, execWakeUp) != nil { // expected to fail if asleep
		d.clk.Sleep(execWakeUp)
	}
	return d.c.Write(cmdWakeUp, execWakeUp)
}
