// Package i2cclear frees an I2C bus that a device holds stuck, with the
// bus clear of the I2C specification: NXP UM10204 "I2C-bus specification
// and user manual", Rev. 7.0, section 3.1.16 "Bus clear": "If the data line
// (SDA) is stuck LOW, the controller should send nine clock pulses. The
// device that held the bus LOW should release it sometime within those
// nine clocks." A STOP condition then puts every device's state machine
// back to idle. A device that still holds SDA, or one that holds SCL, needs
// a power cycle.
//
// A device gets stuck this way when the master stops in the middle of a
// byte the device is sending (a brown-out, a killed process, a glitch on a
// long cable): it waits, driving SDA low, for clock pulses that never come,
// and every later transfer on the bus fails. It is the third step of
// ventd's I2C escalation, after a retry and a re-initialisation of the
// sensor and before the sensor is marked faulty (DESIGN.md).
//
// # Where the host allows it
//
// The clear drives the bus's two pins as GPIOs, so they must be switched
// from their I2C function and back, with no transfer in flight meanwhile
// (ventd's loop owns the bus, so it clears between transfers).
//
//   - Raspberry Pi 1 to 4 and Zero (BCM283x/BCM2711): periph's bcm283x
//     driver switches a pin's function through /dev/gpiomem, which the
//     gpio group may open; ClearPins does the switch and restores the I2C
//     function after. Bus 1 is GPIO3 (SCL) and GPIO2 (SDA); see PiPins
//     for the others.
//   - Raspberry Pi 5: its header pins belong to the RP1 chip, which periph
//     (v3.8) drives through the kernel's GPIO character device only, and
//     that cannot switch a pin back to its I2C function. ClearPins fails
//     with ErrNoPinControl there; the escalation goes from re-init to a
//     fault, and a power cycle of the sensor clears the bus.
//   - Any host where the pins are plain GPIOs already (a bit-banged
//     i2c-gpio bus): call Clear on them directly.
//
// testbench/i2csim's Bus models a device that holds SDA and exposes the
// bus's lines as pins, so the same code clears a simulated bus.
package i2cclear
