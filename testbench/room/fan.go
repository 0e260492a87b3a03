package room

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// ErrNoTachometer is returned by RPM for a fan configured without one
// (MaxRPM 0).
var ErrNoTachometer = errors.New("fan has no tachometer")

// Fan is a simulated exhaust fan: a fan output the control loop drives and
// a tachometer it can read. Its airflow follows the wheel speed, which
// follows the duty with a spin-up lag.
type Fan struct {
	room    *Room
	cfg     FanConfig
	zones   []int
	spinUp  time.Duration
	duty    float64
	speed   float64 // wheel speed, fraction of full
	stalled bool
}

// target is the speed the wheel is heading for.
func (f *Fan) target() float64 {
	if f.stalled {
		return 0
	}
	return f.duty
}

// SetDuty sets the fan's duty, 0 (off) to 1 (full).
func (f *Fan) SetDuty(duty float64) error {
	if !(duty >= 0 && duty <= 1) {
		return fmt.Errorf("%s: duty %g out of range; want 0 to 1", f, duty)
	}
	f.room.mu.Lock()
	defer f.room.mu.Unlock()
	if f.duty != duty {
		f.duty = duty
		f.room.dirty = true
	}
	return nil
}

// Duty returns the duty last set.
func (f *Fan) Duty() float64 {
	f.room.mu.Lock()
	defer f.room.mu.Unlock()
	return f.duty
}

// RPM reads the tachometer: the wheel speed times MaxRPM, zero while the
// fan is stalled. It reads the wheel at the room's current time.
func (f *Fan) RPM() (float64, error) {
	if f.cfg.MaxRPM == 0 {
		return 0, fmt.Errorf("%s: %w", f, ErrNoTachometer)
	}
	f.room.mu.Lock()
	defer f.room.mu.Unlock()
	if f.stalled {
		return 0, nil
	}
	return math.Round(f.speed*f.cfg.MaxRPM*10) / 10, nil
}

// AirflowM3h is the air the fan moves now, for tests and status lines.
func (f *Fan) AirflowM3h() float64 {
	f.room.mu.Lock()
	defer f.room.mu.Unlock()
	if f.stalled {
		return 0
	}
	return f.speed * f.cfg.MaxFlowM3h
}

// SetStalled jams or frees the fan, as Room.SetFanStalled.
func (f *Fan) SetStalled(stalled bool) { f.room.SetFanStalled(f.cfg.Name, stalled) }

// Halt releases the fan's control input. A 4-wire fan with no PWM signal
// runs at full speed, which is also the safe state for extraction, so the
// simulated fan goes to full duty.
func (f *Fan) Halt() error { return f.SetDuty(1) }

// String names the fan.
func (f *Fan) String() string { return "simfan(" + f.cfg.Name + ")" }
