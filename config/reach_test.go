package config

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// A level no sensor can ever report is a level that never sounds: a PM
// alarm at 1e301 µg/m³ (or 125500, mg/m³ typed as µg/m³ twice) is a room
// with no PM alarm, and with entry_pm25_ugm3 below it but above anything
// an SPS30 reads, every booth shows safe to enter and every purge is
// refused as "no purge needed". Each is refused, naming what the sensor
// reads to.
func TestThresholdsASensorCanReach(t *testing.T) {
	for _, c := range []struct {
		name, add, path, want string
	}{
		{"PM2.5 alarm beyond any reading", "thresholds:\n  pm25_ugm3: {warning: 35, alarm: 1e301}\n", "thresholds.pm25_ugm3.alarm", "must be at most 10000 µg/m³"},
		{"PM2.5 in the wrong unit", "thresholds:\n  pm25_ugm3: {warning: 35000, alarm: 125500}\n  entry_pm25_ugm3: 30000\n", "thresholds.pm25_ugm3.warning", "must be at most 10000 µg/m³"},
		{"CO2 beyond an SCD4x", "thresholds:\n  co2_ppm: {warning: 1000, alarm: 50000}\n", "thresholds.co2_ppm.alarm", "must be at most 40000 ppm"},
		{"VOC index beyond 500", "thresholds:\n  voc_index: {warning: 200, alarm: 600}\n", "thresholds.voc_index.alarm", "must be at most 500"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantOneError(t, base+c.add, 23, c.path, c.want)
		})
	}
	// The levels a site may well set still pass.
	if _, err := Parse([]byte(base+"thresholds:\n  pm25_ugm3: {warning: 500, alarm: 2000}\n  co2_ppm: {warning: 5000, alarm: 30000}\n  voc_index: {warning: 400, alarm: 500}\n"), "test.yaml"); err != nil {
		t.Errorf("levels within the sensors' reach: %v", err)
	}
}

// pm_calibration multiplies every PM reading: a factor of 1e306 made the
// booth read +Inf µg/m³ as good air, /api/state answered 200 with an empty
// body (JSON has no Inf), and the journal refused and dropped each
// minute's whole batch, every sensor's minutes with it. Only a warning
// was given. A factor that large is refused; one that small hides smoke
// (1e-300 reads every booth as clean air) and is warned of.
func TestPMCalibrationIsBounded(t *testing.T) {
	data, err := os.ReadFile("sim.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sim := string(data)
	from := "{name: booth-pm, type: sps30, bus: sim0, zone: booth}"
	to := func(f string) string {
		return strings.Replace(sim, from, "{name: booth-pm, type: sps30, bus: sim0, zone: booth, pm_calibration: "+f+"}", 1)
	}
	_, err = Parse([]byte(to("1e306")), "sim.yaml")
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Path != "sensors[0].pm_calibration" || !strings.Contains(errs[0].Msg, "must be at most 100") {
		t.Errorf("pm_calibration 1e306: %v; want one error on sensors[0].pm_calibration, at most 100", err)
	}
	checkOneWarning(t, "PM factor of 1e-300", to("1e-300"), "sensors[0].pm_calibration", "hides smoke")
}

// Home Assistant gets one "fault" entity per sensor and per fan, and the
// alarm summary one subject per zone, sensor, fan and the journal, all
// keyed by name alone. A fan named like a sensor took the sensor's fault
// entity (the second discovery config replaced the first) and each
// lit the other's; a sensor named "journal" took the journal's; a sensor
// named like its zone lit the zone's safety alarm on a sensor fault.
// Names within one list are checked (TestNamesAlikeWarned); across lists
// they were not. Each is warned of, naming both.
func TestNamesSharedAcrossListsWarned(t *testing.T) {
	data, err := os.ReadFile("sim.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sim := string(data)
	for _, c := range []struct {
		name, from, to, path, want string
	}{
		{"a fan named like a sensor", "  - name: booth-exhaust", "  - name: booth-pm", "fans[0].name", `"booth-pm" is also the name of sensors[0]`},
		{"alike in case and punctuation", "  - name: booth-exhaust", "  - name: Booth_PM", "fans[0].name", `"Booth_PM" is also the name of sensors[0] ("booth-pm")`},
		{"a sensor named journal", "{name: booth-voc,", "{name: journal,", "sensors[1].name", `"journal" is the name ventd gives its journal's alarms`},
		{"a sensor named like its zone", "{name: staff-pm,", "{name: staff,", "sensors[2].name", `"staff" is also the name of zones[1]`},
	} {
		edited := strings.Replace(sim, c.from, c.to, 1)
		if edited == sim {
			t.Fatalf("%s: sim.yaml has no %q", c.name, c.from)
		}
		checkOneWarning(t, c.name, edited, c.path, c.want)
	}
}

// A zone named journal: its alarm entity in Home Assistant and its
// subject in the alarm summary are lit by the journal's faults.
func TestZoneNamedJournalWarned(t *testing.T) {
	data, err := os.ReadFile("sim.yaml")
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.NewReplacer("{name: staff, kind", "{name: journal, kind", "zone: staff}", "zone: journal}").Replace(string(data))
	checkOneWarning(t, "a zone named journal", edited, "zones[1].name", `"journal" is the name ventd gives its journal's alarms`)
}
