package config

import "time"

// Backend is how a fan is driven.
type Backend string

// Fan backends.
const (
	// BackendSysfsPWM drives a PWM channel of the kernel's /sys/class/pwm
	// (dtoverlay=pwm-2chan); works without root, unlike periph's DMA PWM.
	BackendSysfsPWM Backend = "sysfs_pwm"
	// BackendGPIOPWM drives PWM through periph's gpio package (root needed).
	BackendGPIOPWM Backend = "gpio_pwm"
	// BackendPCA9685 drives a channel of a PCA9685 16-channel PWM board.
	BackendPCA9685 Backend = "pca9685"
	// BackendRelay switches an on/off fan.
	BackendRelay Backend = "relay"
	// BackendSim is the simulated fan of the testbench.
	BackendSim Backend = "sim"
)

var backends = []Backend{BackendSysfsPWM, BackendGPIOPWM, BackendPCA9685, BackendRelay, BackendSim}

// Fan is one extraction fan. Exactly one backend block, the one named by
// Backend, is set (none for BackendSim).
type Fan struct {
	Name string `yaml:"name" cfg:"required"`
	// Zones names the booths this fan exhausts.
	Zones   []string `yaml:"zones" cfg:"required"`
	Backend Backend  `yaml:"backend" cfg:"required"`

	SysfsPWM *SysfsPWMOutput `yaml:"sysfs_pwm,omitempty"`
	GPIOPWM  *GPIOPWMOutput  `yaml:"gpio_pwm,omitempty"`
	PCA9685  *PCA9685Output  `yaml:"pca9685,omitempty"`
	Relay    *RelayOutput    `yaml:"relay,omitempty"`

	// Tach, when set, reads the fan's tachometer to detect a stall.
	Tach *Tach `yaml:"tach,omitempty"`

	// MaxFlowM3H is the flow at full duty, for air changes per hour.
	MaxFlowM3H float64 `yaml:"max_flow_m3h" cfg:"required"`
	// RatedPowerW is the power at full duty, for energy figures (power
	// follows speed³ by the affinity laws).
	RatedPowerW float64 `yaml:"rated_power_w" cfg:"required"`

	// MinDuty and MaxDuty bound the duty (percent) the control loop uses.
	// Defaults 0 and 100. Many PWM fans stop or stall below 20-30%, so
	// set MinDuty from the fan's datasheet.
	MinDuty float64 `yaml:"min_duty"`
	MaxDuty float64 `yaml:"max_duty"`
	// SafeDuty is the duty when data is missing, stale or corrupt, and on
	// shutdown. Default 100: for extraction the safe state is maximum
	// (DESIGN.md safety rules). It may exceed MaxDuty (a fan held down
	// for noise still fails to full) but not fall below MinDuty.
	SafeDuty float64 `yaml:"safe_duty"`
	// AllowFanOffOnSensorFault accepts a SafeDuty that leaves the fan off
	// or nearly off (below FailOffDuty; below RelayOnDuty for a relay) when a sensor
	// fails, goes stale or sends garbage. Default false, and such a file
	// is refused: the booth would fill with smoke while the data that
	// would show it is missing (a booth reached 7,208 µg/m³ that way).
	// Only for a fan that must not run blind, with something else that
	// clears the booth.
	AllowFanOffOnSensorFault bool `yaml:"allow_fan_off_on_sensor_fault,omitempty"`
}

// SysfsPWMOutput is /sys/class/pwm/pwmchip<Chip>/pwm<Channel>.
type SysfsPWMOutput struct {
	Chip    int `yaml:"chip" cfg:"required"`
	Channel int `yaml:"channel" cfg:"required"`
	// FrequencyHz defaults to 25000: the Intel 4-wire PWM fan
	// specification's 25 kHz (21-28 kHz allowed).
	FrequencyHz int `yaml:"frequency_hz"`
	// Invert for a driver stage (say a transistor) that inverts the signal.
	Invert bool `yaml:"invert,omitempty"`
}

// GPIOPWMOutput is PWM on a GPIO pin through periph.
type GPIOPWMOutput struct {
	// Pin as periph's gpioreg names it, GPIO18.
	Pin string `yaml:"pin" cfg:"required"`
	// FrequencyHz defaults to 25000 (Intel 4-wire PWM fan specification).
	FrequencyHz int `yaml:"frequency_hz"`
}

// PCA9685Output is one channel of a PCA9685 board.
type PCA9685Output struct {
	Bus string `yaml:"bus" cfg:"required"`
	// Address defaults to 0x40, the board with A0-A5 low.
	Address Addr `yaml:"address,omitempty"`
	Channel int  `yaml:"channel" cfg:"required"`
	// FrequencyHz defaults to 1000; the chip's prescaler spans 24-1526 Hz
	// (PCA9685 datasheet §7.3.5, 25 MHz oscillator), and periph's
	// prescale computation is off above about 1 kHz.
	FrequencyHz int `yaml:"frequency_hz"`
}

// RelayOnDuty (percent) is the duty at and above which a fan on a relay
// is on; below it the fan is off. ventd's relay driver and its law both
// go by it.
const RelayOnDuty = 50

// RelayOutput switches an on/off fan: on at a duty of RelayOnDuty or more,
// off below. ventd's law runs such a fan off or full (min_duty 0, the
// default, lets it stop).
type RelayOutput struct {
	Pin       string `yaml:"pin" cfg:"required"`
	ActiveLow bool   `yaml:"active_low,omitempty"`
	// MinSwitchTime is the shortest time the fan stays on once switched
	// on (switching on is never delayed). Default 30s: ventd's choice to
	// spare the relay contacts and the motor's start current from
	// chattering; 0 for no hold.
	MinSwitchTime time.Duration `yaml:"min_switch_time"`
}

// Hold is MinSwitchTime as ventd's relay driver takes it: its zero is the
// driver's default (30 s), so a file's explicit 0, no hold, is negative.
func (o RelayOutput) Hold() time.Duration {
	if o.MinSwitchTime == 0 {
		return -1
	}
	return o.MinSwitchTime
}

// Tach is a fan's tachometer output on a GPIO pin (open collector: it
// needs a pull-up to 3.3 V).
type Tach struct {
	Pin string `yaml:"pin" cfg:"required"`
	// PulsesPerRev defaults to 2, the Intel 4-wire fan specification.
	PulsesPerRev int `yaml:"pulses_per_rev"`
}
