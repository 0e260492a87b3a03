package fan_test

import (
	"errors"
	"testing"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/physic"

	"github.com/ventd/ventd/drivers/fan"
)

func TestGPIOPWM(t *testing.T) {
	pin := &gpiotest.Pin{N: "GPIO18", Num: 18}
	o, err := fan.NewGPIOPWM(pin, fan.GPIOPWMOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if o.String() != "GPIO18" {
		t.Errorf("String() = %q", o.String())
	}
	if err := o.SetDuty(0.5); err != nil {
		t.Fatal(err)
	}
	if pin.D != gpio.DutyHalf || pin.F != 25*physic.KiloHertz {
		t.Errorf("pin at %s, %s; want 50%%, 25kHz", pin.D, pin.F)
	}
	if err := o.SetDuty(1); err != nil {
		t.Fatal(err)
	}
	if pin.D != gpio.DutyMax {
		t.Errorf("SetDuty(1): pin duty %d, want DutyMax", pin.D)
	}
	if err := o.SetDuty(2); !errors.Is(err, fan.ErrDuty) || err.Error() != "fan GPIO18: duty out of range: want 0 (off) to 1 (full): got 2" {
		t.Errorf("SetDuty(2): %v", err)
	}
	if err := o.Halt(); err != nil {
		t.Fatal(err)
	}
	if pin.D != gpio.DutyMax {
		t.Errorf("after Halt: pin duty %s, want it left at 100%%", pin.D)
	}
	if err := o.SetDuty(0); !errors.Is(err, fan.ErrHalted) {
		t.Errorf("SetDuty after Halt: %v, want ErrHalted", err)
	}
}

func TestGPIOPWMInvert(t *testing.T) {
	pin := &gpiotest.Pin{N: "GPIO12", Num: 12}
	o, err := fan.NewGPIOPWM(pin, fan.GPIOPWMOpts{Frequency: physic.KiloHertz, Invert: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.SetDuty(0.25); err != nil {
		t.Fatal(err)
	}
	if pin.D != gpio.DutyMax*3/4 || pin.F != physic.KiloHertz {
		t.Errorf("pin at %d, %s; want 75%% (inverted), 1kHz", pin.D, pin.F)
	}
}
