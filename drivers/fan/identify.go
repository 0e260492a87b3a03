package fan

import (
	"errors"
	"fmt"

	"periph.io/x/conn/v3/i2c"
)

// PCA9685State is what a PCA9685 shows of itself in its registers.
type PCA9685State struct {
	Asleep    bool    // MODE1 SLEEP: oscillator off, outputs off
	Prescale  uint8   // PRE_SCALE
	Frequency float64 // the PWM frequency the prescale gives on the internal 25 MHz oscillator, Hz
}

// IdentifyPCA9685 reads MODE1 and PRE_SCALE at addr for a bus scan:
// setting the register pointer changes no output. A prescale below the
// chip's minimum of 3 means this is not a PCA9685.
func IdentifyPCA9685(bus i2c.Bus, addr uint16) (PCA9685State, error) {
	var mode1, pre [1]byte
	if err := bus.Tx(addr, []byte{pcaMode1}, mode1[:]); err != nil {
		return PCA9685State{}, fmt.Errorf("pca9685: read MODE1: %w", err)
	}
	if err := bus.Tx(addr, []byte{pcaPrescale}, pre[:]); err != nil {
		return PCA9685State{}, fmt.Errorf("pca9685: read PRE_SCALE: %w", err)
	}
	if pre[0] < 3 {
		return PCA9685State{}, errors.New("pca9685: PRE_SCALE below 3: not a PCA9685")
	}
	return PCA9685State{Asleep: mode1[0]&pcaSleep != 0, Prescale: pre[0], Frequency: pcaOsc / (4096 * float64(int(pre[0])+1))}, nil
}
