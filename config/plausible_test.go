package config

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// Values in the wrong unit or for the wrong part pass every rule, and
// would run a controller on numbers a thousand times off: each is
// accepted with a warning that names the likely mistake. The shipped
// configs get none.
func TestUnlikelyValuesWarned(t *testing.T) {
	data, err := os.ReadFile("sim.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sim := string(data)
	for _, c := range []struct {
		name, from, to, path, want string
	}{
		{"booth in litres", "volume_m3: 4}", "volume_m3: 4000}", "zones[0].volume_m3", "a 4 m³ booth is 4000 litres"},
		{"staff in litres", "{name: staff, kind: staff, volume_m3: 60}", "{name: staff, kind: staff, volume_m3: 60000}", "zones[1].volume_m3", "a warehouse"},
		{"staff in the wrong unit", "{name: staff, kind: staff, volume_m3: 60}", "{name: staff, kind: staff, volume_m3: 0.06}", "zones[1].volume_m3", "smaller than a wardrobe"},
		{"flow beyond any fan", "max_flow_m3h: 300", "max_flow_m3h: 300000", "fans[0].max_flow_m3h", "75000 air changes an hour"},
		{"flow in a tiny unit", "max_flow_m3h: 300", "max_flow_m3h: 0.3", "fans[0].max_flow_m3h", "too few to clear smoke"},
		{"PM factor of 40", "{name: booth-pm, type: sps30, bus: sim0, zone: booth}", "{name: booth-pm, type: sps30, bus: sim0, zone: booth, pm_calibration: 40}", "sensors[0].pm_calibration", "about 0.3-1"},
		{"an SPS30 elsewhere", "{name: booth-pm, type: sps30, bus: sim0, zone: booth}", "{name: booth-pm, type: sps30, bus: sim0, zone: booth, address: 0x70}", "sensors[0].address", "answers at 0x69"},
	} {
		edited := strings.Replace(sim, c.from, c.to, 1)
		if edited == sim {
			t.Fatalf("%s: sim.yaml has no %q", c.name, c.from)
		}
		checkOneWarning(t, c.name, edited, c.path, c.want)
	}
	for _, c := range []struct{ name, add, path, want string }{
		{"PM2.5 in mg/m³", "thresholds:\n  pm25_ugm3: {warning: 0.035, alarm: 150}\n  entry_pm25_ugm3: 0.03\n", "thresholds.pm25_ugm3.warning", "not mg/m³"},
		{"CO2 below outdoor air", "thresholds:\n  co2_ppm: {warning: 10, alarm: 20}\n", "thresholds.co2_ppm.warning", "below outdoor air"},
		{"stall above full speed", "alarms:\n  fan_stall_rpm: 30000\n", "alarms.fan_stall_rpm", "read as stalled"},
	} {
		checkOneWarning(t, c.name, sim+c.add, c.path, c.want)
	}
	// A shift start the clocks skip once a year.
	noShifts := strings.Join(slices.DeleteFunc(strings.Split(sim, "\n"), func(l string) bool { return strings.HasPrefix(l, "shifts:") }), "\n")
	checkOneWarning(t, "a start in the DST gap", noShifts+"\nshifts: {time_zone: America/Vancouver, starts: [\"02:30\", \"14:30\"], length: 12h}\n",
		"shifts.starts[0]", "does not exist in America/Vancouver")
	for _, f := range []string{"sim.yaml", "example.yaml"} {
		c, err := Load(f)
		if err != nil || len(c.Warnings()) != 0 {
			t.Errorf("%s as shipped: %v, warnings %v", f, err, c.Warnings())
		}
	}
}

func checkOneWarning(t *testing.T, name, data, path, want string) {
	t.Helper()
	c, err := Parse([]byte(data), "sim.yaml")
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	ws := c.Warnings()
	if len(ws) != 1 || ws[0].Path != path || !strings.Contains(ws[0].Msg, want) {
		t.Errorf("%s: warnings %v; want one on %s saying %q", name, ws, path, want)
	}
}
