package scd4x_test

import (
	"math"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/i2ctrace"
	"github.com/ventd/ventd/drivers/scd4x"
)

// TestDatasheetTranscript replays the datasheet's own command examples:
// the driver must send exactly those bytes and decode those answers.
func TestDatasheetTranscript(t *testing.T) {
	ops, err := i2ctrace.LoadTranscript("testdata/datasheet.txt")
	if err != nil {
		t.Fatal(err)
	}
	bus := i2ctrace.Playback(ops)
	clk := clock.NewSim(time.Unix(0, 0), 0)
	d, err := scd4x.New(bus, &scd4x.Opts{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if s := d.String(); s != "scd4x{playback, 0x62, serial 273325796834238}" {
		t.Errorf("String() = %q", s)
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	var r scd4x.Reading
	if err := d.Sense(&r); err != nil {
		t.Fatal(err)
	}
	if r.CO2 != 500 || math.Abs(r.Temperature-25) > 0.01 || math.Abs(r.Humidity-37) > 0.01 {
		t.Errorf("reading = %+v, want 500 ppm, 25 °C, 37 %%RH", r)
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"set ambient pressure", func() error { return d.SetAmbientPressure(98700) }},
		{"stop", d.Stop},
		{"forced recalibration", func() error {
			c, err := d.ForcedRecalibration(480)
			if err == nil && c != -50 {
				t.Errorf("FRC correction = %d, want -50", c)
			}
			return err
		}},
		{"set temperature offset", func() error { return d.SetTemperatureOffset(5.4) }},
		{"temperature offset", func() error {
			c, err := d.TemperatureOffset()
			if err == nil && math.Abs(c-6.2) > 0.001 {
				t.Errorf("offset = %v °C, want 6.2", c)
			}
			return err
		}},
		{"set altitude", func() error { return d.SetAltitude(1950) }},
		{"set ASC", func() error { return d.SetASC(true) }},
		{"ASC", func() error {
			on, err := d.ASC()
			if err == nil && on {
				t.Error("ASC reads enabled, the answer 0x0000 means disabled")
			}
			return err
		}},
		{"self test", d.SelfTest},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	if err := bus.Close(); err != nil {
		t.Fatalf("transcript not fully replayed: %v", err)
	}
}
