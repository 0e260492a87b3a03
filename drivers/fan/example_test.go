package fan_test

import (
	"context"
	"fmt"
	"log"

	"periph.io/x/conn/v3/gpio/gpioreg"

	"github.com/ventd/ventd/drivers/fan"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/pca9685sim"
)

// Two booth fans on one PCA9685 driving 0–10 V converters. On a Pi the bus
// comes from periph's i2creg.Open("1"); here it is the simulated bus.
func Example() {
	bus := i2csim.New("I2C1", nil)
	board := pca9685sim.New(nil)
	bus.Attach(0x40, board)

	chip, err := fan.NewPCA9685Chip(bus, fan.PCA9685ChipOpts{}) // 0x40, 1 kHz
	if err != nil {
		log.Fatal(err)
	}
	booth1, err := chip.Output(0, false)
	if err != nil {
		log.Fatal(err)
	}
	booth2, err := chip.Output(1, false)
	if err != nil {
		log.Fatal(err)
	}
	var outs = []fan.Output{booth1, booth2}
	for i, duty := range []float64{0.4, 0.75} {
		if err := outs[i].SetDuty(duty); err != nil {
			log.Fatal(err)
		}
	}
	// On the way out: safe duty first, then Halt leaves the fans there.
	for _, o := range outs {
		if err := o.SetDuty(1); err != nil {
			log.Print(err)
		}
		o.Halt()
	}
	fmt.Printf("%s at %.0f%%, %.0f Hz\n", booth1, board.Duty(0)*100, board.Frequency())
	fmt.Println(booth2.SetDuty(0.5))
	fmt.Println(booth1.SetDuty(1.2))
	// Output:
	// I2C1/pca9685@0x40/ch0 at 100%, 1017 Hz
	// fan I2C1/pca9685@0x40/ch1: output halted
	// fan I2C1/pca9685@0x40/ch0: duty out of range: want 0 (off) to 1 (full): got 1.2
}

// A 4-wire fan on the kernel's PWM (dtoverlay=pwm-2chan: GPIO18 is
// pwmchip0 channel 0) with its tach on GPIO6.
func ExampleNewSysfsPWM() {
	out, err := fan.NewSysfsPWM(fan.SysfsPWMOpts{Chip: 0, Channel: 0, Invert: true})
	if err != nil {
		log.Fatal(err) // e.g. fan pwmchip0/pwm0: no PWM chips under /sys/class/pwm: ...
	}
	defer out.Halt()
	if err := out.SetDuty(1); err != nil {
		log.Fatal(err)
	}

	tach, err := fan.NewTach(gpioreg.ByName("GPIO6"), fan.TachOpts{})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go tach.Run(ctx)
	// ... later, from the control loop:
	rpm, err := tach.RPM()
	fmt.Println(rpm, err)
}
