package sgp4x_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/i2ctrace"
	"github.com/ventd/ventd/drivers/sgp4x"
)

// The SGP40 datasheet's own frames: measure_raw without humidity
// compensation is 0x26 0F 80 00 A2 66 66 93 (Table 9, default words from
// Table 10), and a passed self-test answers 0xD4 00 with its CRC.
const sgp40Transcript = `
# New with Opts.Variant = SGP40 reads the serial number (0x3682).
0x59 w=3682
0x59 r=00008112343756787d
# sgp40_measure_raw, compensation off: SRAW 0x6978 = 27000.
0x59 w=260f8000a2666693
0x59 r=697856
# sgp40_measure_test: all tests passed.
0x59 w=280e
0x59 r=d400c6
# sgp4x_turn_heater_off.
0x59 w=3615
`

// An SGP41 found by its feature set, measured with an SCD4x's 45 %RH and
// 21 °C (0x7333, 0x608C), then self-tested with a failed NOx pixel.
const sgp41Transcript = `
0x59 w=202f
0x59 r=0040bc
0x59 w=3682
0x59 r=00008112343756787d
0x59 w=2619733301608cd3
0x59 r=65909a3e8024
0x59 w=280e
0x59 r=0002e3
`

func TestTranscriptSGP40(t *testing.T) {
	ops, err := i2ctrace.ReadTranscript(strings.NewReader(sgp40Transcript), "sgp40")
	if err != nil {
		t.Fatal(err)
	}
	bus := i2ctrace.Playback(ops)
	d, err := sgp4x.New(bus, &sgp4x.Opts{Clock: clock.NewSim(t0, 0), Variant: sgp4x.SGP40})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := d.MeasureRaw(sgp4x.DefaultRH, sgp4x.DefaultTempC)
	if err != nil || raw != (sgp4x.Raw{VOC: 27000}) {
		t.Fatalf("MeasureRaw = %+v, %v", raw, err)
	}
	if err := d.SelfTest(); err != nil {
		t.Fatal(err)
	}
	if err := d.HeaterOff(); err != nil {
		t.Fatal(err)
	}
	if err := bus.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestTranscriptSGP41(t *testing.T) {
	ops, err := i2ctrace.ReadTranscript(strings.NewReader(sgp41Transcript), "sgp41")
	if err != nil {
		t.Fatal(err)
	}
	bus := i2ctrace.Playback(ops)
	clk := clock.NewSim(t0, 0)
	d, err := sgp4x.New(bus, &sgp4x.Opts{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if d.Variant() != sgp4x.SGP41 {
		t.Fatalf("detected %v", d.Variant())
	}
	start := clk.Now()
	raw, err := d.MeasureRaw(45, 21)
	if err != nil || raw != (sgp4x.Raw{VOC: 26000, NOx: 16000}) {
		t.Fatalf("MeasureRaw = %+v, %v", raw, err)
	}
	if got := clk.Now().Sub(start); got != 50*time.Millisecond {
		t.Errorf("waited %v for measure_raw_signals, the datasheet says 50 ms", got)
	}
	if err := d.SelfTest(); err == nil || !strings.Contains(err.Error(), "NOx pixel (result 0x0002)") {
		t.Fatalf("SelfTest = %v", err)
	}
	if err := bus.Close(); err != nil {
		t.Fatal(err)
	}
}
