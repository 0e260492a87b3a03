package room

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ventd/ventd/drivers/fan"
)

// ErrNoTachometer is returned by RPM for a fan configured without one
// (MaxRPM 0).
var ErrNoTachometer = errors.New("fan has no tachometer")

// Fan is a simulated exhaust fan: a fan.Output the control loop drives and
// a fan.Tachometer it can read, keeping those interfaces' contracts (their
// sentinel errors included). Its airflow follows the wheel speed, which
// follows the duty with a spin-up lag.
type Fan struct {
	room    *Room
	cfg     FanConfig
	zones   []int
	spinUp  time.Duration
	spin    decays // the wheel's lag's decay by step length
	duty    float64
	speed   float64 // wheel speed, fraction of full
	stalled bool
	// flow is the share of its rated air the fan moves at a given speed:
	// 1, less behind a clogged filter, a crushed or loose duct, a shut
	// damper. The wheel turns as before, so the tachometer reads as
	// before: only the air says it.
	flow   float64
	halted bool
	// noTach and noSignal are RPM's errors, made once (see newFan): a
	// tachometer is read every second.
	noTach, noSignal error
}

func newFan(r *Room, fc FanConfig) *Fan {
	f := &Fan{room: r, cfg: fc, duty: 1, speed: 1, flow: 1, spinUp: fc.SpinUp}
	f.noTach = fmt.Errorf("%s: %w", f, ErrNoTachometer)
	f.noSignal = fmt.Errorf("%s: %w: the fan is stalled or stopped", f, fan.ErrNoSignal)
	return f
}

// target is the speed the wheel is heading for.
func (f *Fan) target() float64 {
	if f.stalled {
		return 0
	}
	return f.duty
}

// SetDuty sets the fan's duty, 0 (off) to 1 (full). Out of range is an
// error wrapping fan.ErrDuty; after Halt, fan.ErrHalted.
func (f *Fan) SetDuty(duty float64) error {
	if !(duty >= 0 && duty <= 1) {
		return fmt.Errorf("%s: duty %g: %w", f, duty, fan.ErrDuty)
	}
	f.room.mu.Lock()
	defer f.room.mu.Unlock()
	if f.halted {
		return fmt.Errorf("%s: %w", f, fan.ErrHalted)
	}
	// The flows follow the wheel, which starts turning in the next step.
	f.duty = duty
	return nil
}

// Duty returns the duty last set.
func (f *Fan) Duty() float64 {
	f.room.mu.Lock()
	defer f.room.mu.Unlock()
	return f.duty
}

// RPM reads the tachometer: the wheel speed times MaxRPM, at the room's
// current time. A wheel that is not turning (stalled, or off and spun
// down) sends no pulses, so RPM then returns 0 and an error wrapping
// fan.ErrNoSignal, as the real tachometer does.
func (f *Fan) RPM() (float64, error) {
	if f.cfg.MaxRPM == 0 {
		return 0, f.noTach
	}
	f.room.mu.Lock()
	defer f.room.mu.Unlock()
	rpm := math.Round(f.speed*f.cfg.MaxRPM*10) / 10
	if f.stalled || rpm < 1 {
		return 0, f.noSignal
	}
	return rpm, nil
}

// AirflowM3h is the air the fan moves now, for tests and status lines.
func (f *Fan) AirflowM3h() float64 {
	f.room.mu.Lock()
	defer f.room.mu.Unlock()
	if f.stalled {
		return 0
	}
	return f.speed * f.flow * f.cfg.MaxFlowM3h
}

// SetStalled jams or frees the fan, as Room.SetFanStalled.
func (f *Fan) SetStalled(stalled bool) { f.room.SetFanStalled(f.cfg.Name, stalled) }

// SetFlow sets the share of its rated air the fan moves, as
// Room.SetFanFlow.
func (f *Fan) SetFlow(share float64) error { return f.room.SetFanFlow(f.cfg.Name, share) }

// Halt releases the output and, as fan.Output requires, leaves the fan
// running at its last duty (the daemon sets the safe duty first). Later
// SetDuty calls fail with fan.ErrHalted.
func (f *Fan) Halt() error {
	f.room.mu.Lock()
	defer f.room.mu.Unlock()
	f.halted = true
	return nil
}

// String names the fan.
func (f *Fan) String() string { return "simfan(" + f.cfg.Name + ")" }
