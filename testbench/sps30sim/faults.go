package sps30sim

import "time"

// SetFanFailure blocks (true) or frees the fan. A blocked fan stops the
// airflow, so the readings sink towards zero, and after two checks the
// status register shows the fan failure and the fan speed warning.
func (d *Device) SetFanFailure(on bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.advance(d.clk.Now())
	d.fanFail = on
}

// SetLaserFailure makes the laser current go out of range (true): the
// sensor sees no scattered light, reports zeros, and after two checks sets
// the laser bit, which clears itself once the laser recovers.
func (d *Device) SetLaserFailure(on bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.advance(d.clk.Now())
	d.laserFail = on
}

// SetStuck makes the sensor keep reporting its last values while still
// flagging them as new, as a hung signal chain does.
func (d *Device) SetStuck(on bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.advance(d.clk.Now())
	d.stuck = on
}

// Cleaning reports whether a fan cleaning is running, for tests.
func (d *Device) Cleaning() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.clk.Now()
	d.advance(now)
	return d.mode == modeMeasuring && now.Before(d.cleanUntil)
}

// PowerCycle cuts and restores power (a brown-out): the SPS30 comes back
// in idle mode, its status register cleared and its auto-clean interval
// back to the default.
func (d *Device) PowerCycle() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.mode = modeIdle
	d.ready, d.haveValue = false, false
	d.status = 0
	d.pending = nil
	d.autoClean = autoCleanDefault
	d.autoCleanRead = autoCleanDefault
	d.busyUntil = d.clk.Now().Add(50 * time.Millisecond)
}

// SetIdleDataReadyZero makes Read Data-Ready Flag answer 0 (ACK) in idle
// mode instead of NACKing, as some firmware does.
func (d *Device) SetIdleDataReadyZero(on bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.idleReadyZero = on
}
