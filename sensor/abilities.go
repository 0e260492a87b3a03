package sensor

import (
	"time"

	"github.com/ventd/ventd/record"
)

// The optional abilities of a device. Sensor asks for them with a type
// assertion on these interfaces, never on a device type.

// abilities are a device's optional abilities that the loop asks for every
// period, each nil when the device lacks it: found once (abilitiesOf), as
// an assertion to an interface is a lookup in the runtime's cache, several
// a sensor a period.
type abilities struct {
	learner     learner
	quietable   quietable
	selfChecked selfChecked
	reporter    reporter
	reopener    reopener
}

func abilitiesOf(d device) abilities {
	var a abilities
	a.learner, _ = d.(learner)
	a.quietable, _ = d.(quietable)
	a.selfChecked, _ = d.(selfChecked)
	a.reporter, _ = d.(reporter)
	a.reopener, _ = d.(reopener)
	return a
}

// learner learns the room's usual air (the gas index) and must not learn
// during known emission events (klipper-sgp40 PR #13 does the same).
type learner interface {
	setLearning(on bool)
}

// quietable does maintenance (SPS30 fan cleaning) only when its zone is
// quiet: no session, no purge.
type quietable interface {
	setQuiet(quiet bool)
}

// keeper has state a restart must not lose, saved under keys of its own:
// keepTo puts it into out.
type keeper interface {
	keepTo(out map[string]string)
	restore(saved func(key string) (string, bool))
}

// selfChecked reports whether the device checks its own measuring chain
// (a status register that flags a stopped fan or a failed laser): a
// reading pinned at the bottom of its range is then clean air, not a
// signal chain that stopped. Without that check a dead laser's zero and
// particle-free air look alike, and a zero that never moves counts as
// frozen like any other reading.
type selfChecked interface {
	checksItself() bool
}

// reporter reports problems the device sees in itself.
type reporter interface {
	status() []string
}

// journaler has maintenance to journal (a fan cleaning it started).
type journaler interface {
	takeCalibrations() []record.Calibration
}

// recalibrator takes a forced recalibration to a reference, in steps that
// each send a command and return; wait is how long before the next step.
type recalibrator interface {
	recalibrateSteps(reference int) []calStep
}

// calStep is one step of a recalibration: run it, then wait before the
// next. The last step's result is the correction applied.
type calStep struct {
	run  func() (correction int, err error)
	wait time.Duration
}
