package sensor

import (
	"io"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/testbench/sps30sim"
)

// TestHealthSharesTheSensorID: the records of a sensor share one SensorID
// while it reads the same, with what the configuration and the unit say;
// the serial read once the unit opens gives a new one, and the records
// made before keep theirs.
func TestHealthSharesTheSensorID(t *testing.T) {
	r := smokyPMWith(t, sps30sim.Opts{Seed: 1, Serial: "A1B2C3D4E5F6"}, io.Discard)
	s := r.set.Get("pm")
	before := s.Health()
	want := record.SensorID{Name: "pm", Type: config.SPS30, Zone: "booth", Bus: "sim", Address: "0x69"}
	if *before.SensorID != want {
		t.Fatalf("before the first read: %+v, want %+v", *before.SensorID, want)
	}
	var held []record.Sensor
	for range 5 {
		r.set.Update(r.clk.Now)
		held = append(held, s.Health())
		r.clk.Sleep(time.Second)
	}
	want.Serial = "A1B2C3D4E5F6"
	for i, h := range held {
		if *h.SensorID != want {
			t.Fatalf("period %d: %+v, want %+v", i, *h.SensorID, want)
		}
		if h.SensorID != held[0].SensorID {
			t.Errorf("period %d: a SensorID of its own for the same sensor", i)
		}
	}
	if before.SensorID == held[0].SensorID || before.Serial != "" {
		t.Errorf("the record before the unit opened shares the later SensorID or took its serial (%q)", before.Serial)
	}
}
