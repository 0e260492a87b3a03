package config

import (
	"os"
	"strings"
	"testing"
)

// An outdoor zone (the air the room takes in) has sensors and nothing else:
// no volume, no fan, no pressure sensor; and it must have a sensor, or it
// says nothing. Booths and staff zones still need their volume.
func TestOutdoorZone(t *testing.T) {
	outdoor := "  - {name: staff, kind: staff, volume_m3: 60}\n  - {name: outside, kind: outdoor}"
	sensor := "    zone: staff\n  - {name: outdoor-pm, type: sps30, bus: \"5\", zone: outside}"
	c, err := Parse([]byte(edit(5, outdoor, 14, sensor)), "ventd.yaml")
	if err != nil {
		t.Fatalf("a valid outdoor zone refused: %v", err)
	}
	if z := c.Zone("outside"); z == nil || z.Kind != Outdoor || len(c.ZonesOf(Outdoor)) != 1 {
		t.Fatalf("outdoor zone parsed as %+v", z)
	}
	cases := []lineCase{
		{"outdoor with a volume", edit(5, "  - {name: staff, kind: staff, volume_m3: 60}\n  - {name: outside, kind: outdoor, volume_m3: 1000}", 14, sensor),
			6, "zones[2].volume_m3", "an outdoor zone has no volume"},
		{"outdoor without a sensor", edit(5, outdoor), 6, "zones[2]", `outdoor zone "outside" has no sensor in it: add an sps30 with zone: outside`},
		{"fan on outdoor air", edit(5, outdoor, 14, sensor, 17, "    zones: [booth, outside]"), 19, "fans[0].zones[1]", `zone "outside" is an outdoor zone; fans exhaust booths`},
		{"pressure sensor outdoors", edit(5, outdoor, 14, "    zone: staff\n  - {name: dp, type: sdp810, bus: \"5\", zone: outside}"),
			16, "sensors[2].zone", `zone "outside" is an outdoor zone, but an sdp810 measures a booth's pressure`},
		{"booth without a volume", edit(4, "  - {name: booth, kind: booth}"), 4, "zones[0].volume_m3", "required key is missing: add volume_m3: followed by a number"},
		{"misspelt kind", edit(5, "  - {name: staff, kind: staff, volume_m3: 60}\n  - {name: outside, kind: outdoors}", 14, sensor),
			6, "zones[2].kind", `or outdoor (the air the room takes in) (got "outdoors"); did you mean "outdoor"?`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantOneError(t, c.data, c.line, c.path, c.msg) })
	}
}

// The outdoor zone in example.yaml, uncommented, is a valid room.
func TestExampleOutdoorAlternativeParses(t *testing.T) {
	data, err := os.ReadFile("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, block := range []string{"  # - name: outside\n  #   kind: outdoor\n",
		"  # - name: outdoor-pm\n  #   type: sps30\n  #   bus: \"6\"\n  #   zone: outside\n"} {
		if !strings.Contains(s, block) {
			t.Fatalf("example.yaml no longer has this block:\n%s", block)
		}
		s = strings.Replace(s, block, strings.ReplaceAll(block, "  # ", "  "), 1)
	}
	c, err := Parse([]byte(s), "example-outdoor.yaml")
	if err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	if sn := c.SensorsIn("outside"); len(sn) != 1 || sn[0].Name != "outdoor-pm" {
		t.Fatalf("sensors outside: %+v", sn)
	}
	// And raises no warning: its bus takes no pin the example wires.
	if w := c.Warnings(); len(w) != 0 {
		t.Errorf("warnings: %v", w)
	}
}

// An outdoor zone with only a CO2 sensor is valid, but does nothing for the
// fans: the technician is told.
func TestOutdoorWithoutPMWarned(t *testing.T) {
	data := edit(5, "  - {name: staff, kind: staff, volume_m3: 60}\n  - {name: outside, kind: outdoor}",
		14, "    zone: staff\n  - {name: staff-pm, type: sps30, bus: \"5\", zone: staff}\n  - {name: outdoor-co2, type: scd41, bus: \"4\", zone: outside}")
	c, err := Parse([]byte(data), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wantWarnings(t, c, `test.yaml:6: zones[2]: outdoor zone "outside" has no PM sensor (sps30, sen54 or sen55): its air is recorded, but the fan law reads only the outdoor PM2.5`)
}

// A tach (or button, or relay) on a pin an I2C bus in use takes: on bus 1,
// whose pins are the header's own, a mistake; on an overlay bus, a
// warning, since the overlay may have moved it. The README's outdoor
// example once put its SPS30 on bus 4 beside the wiring table's tach on
// GPIO6, bus 4's SDA.
func TestPinOnABusInUse(t *testing.T) {
	tach := "    max_flow_m3h: 300\n    tach: {pin: GPIO6}"
	data := edit(5, "  - {name: staff, kind: staff, volume_m3: 60}\n  - {name: outside, kind: outdoor}",
		14, "    zone: staff\n  - {name: staff-pm, type: sps30, bus: \"3\", zone: staff}\n  - {name: outdoor-pm, type: sps30, bus: \"4\", zone: outside}",
		20, tach)
	c, err := Parse([]byte(data), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wantWarnings(t, c, `test.yaml:24: fans[0].tach.pin: pin GPIO6 is SDA of I2C bus 4 as /usr/share/ventd/config.txt turns it on (dtoverlay=i2c4,pins_6_7,baudrate=50000), and sensors[3] (line 17) is on bus 4`)

	// Bus 6 is free of it.
	if c, err := Parse([]byte(strings.ReplaceAll(data, `bus: "4"`, `bus: "6"`)), "test.yaml"); err != nil || len(c.Warnings()) != 0 {
		t.Errorf("bus 6: %v, warnings %v", err, c.Warnings())
	}
	// Bus 1's SCL is no pin for a button.
	wantOneError(t, base+"purge_button: {pin: GPIO3, zone: booth}\n", 22, "purge_button",
		"pin GPIO3 is SCL of I2C bus 1, which sensors[0] (line 7) is on; wire it to a free pin")
}
