// Package fan drives ventd's extraction fans: one Output interface ("set
// this fan to a duty") over four kinds of hardware, and a Tachometer that
// reads a fan's speed so a stalled fan raises an alarm.
//
// Outputs take a duty from 0 (off) to 1 (full). Mapping the demand onto a
// fan's usable range (its minimum start duty, a cap) belongs to the
// controller, not here. Halt leaves every fan at its last duty: the daemon
// sets the safe duty (full) first, and the fans must keep extracting after
// ventd exits or crashes. An Output is driven by one goroutine, the
// control loop; a PCA9685Chip's channels may be driven from several.
//
// # Wiring
//
// 4-wire PWM fans (Intel's 4-wire fan specification: 25 kHz, open-drain
// PWM input pulled up inside the fan, tach output open-collector with two
// pulses a turn). Drive the PWM input from a Pi PWM pin (GPIO12/13 or
// 18/19) through an NPN transistor or MOSFET to ground, with Invert set
// because the transistor inverts; use the kernel's PWM through NewSysfsPWM
// after adding dtoverlay=pwm-2chan to /boot/firmware/config.txt, which an
// unprivileged user in the gpio group can drive. With the transistor, a Pi
// that is off or a pin left undriven lets the fan's pull-up ask for full
// speed, the safe direction. Tach: connect to a
// GPIO input with the Pi's 3.3 V pull-up (NewTach enables it), never a
// pull-up to the fan's 12 V.
//
// EC fans with a 0–10 V control input. Feed a PWM-to-voltage converter
// module (typically 1–3 kHz PWM in, 0–10 V out) from the kernel PWM or
// from a PCA9685 channel at its default 1 kHz. Many EC fans run at full
// speed with the control input open; check, and prefer that behaviour for
// extraction.
//
// Many fans: a PCA9685 16-channel PWM board on I2C (NewPCA9685Chip, then
// Output per channel). Its oscillator reaches 24 Hz to 1526 Hz, so it
// suits the 0–10 V converters but not 25 kHz fans. This package writes
// the chip's registers itself; see PCA9685Chip for why not periph's
// pca9685 package.
//
// On/off fans: a relay board on a GPIO (NewRelay), on at or above a duty
// threshold, with a minimum time between switches to spare the contacts.
// A fan on the normally-closed contact keeps running when the Pi is off;
// set ActiveLow to whatever level then means "on".
//
// References: NXP PCA9685 product data sheet (Rev. 4, 16 April 2015);
// Intel "4-Wire Pulse Width Modulation (PWM) Controlled Fans" specification
// (Rev. 1.3, 2005); Linux Documentation/driver-api/pwm.rst (sysfs interface).
package fan
