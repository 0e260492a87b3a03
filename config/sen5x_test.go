package config

import (
	"strings"
	"testing"

	"github.com/ventd/ventd/sample"
)

// TestSEN5xInsteadOfSPS30: a SEN55 in the booth is its PM sensor, with
// the SPS30's address and a calibration factor defaulting to 1.
func TestSEN5xInsteadOfSPS30(t *testing.T) {
	c, err := Parse([]byte(edit(8, "    type: sen55")), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := c.Sensors[0]
	if s.Address != 0x69 || s.PMCalibration != 1 || s.StaleAfter != 3*s.Type.Period() {
		t.Errorf("defaults: address %s, pm_calibration %g, stale_after %s", s.Address, s.PMCalibration, s.StaleAfter)
	}
	for _, q := range []sample.Quantity{sample.PM1, sample.PM25, sample.PM4, sample.PM10, sample.Temperature, sample.Humidity, sample.VOCIndex, sample.NOxIndex} {
		if !SEN55.Measures(q) {
			t.Errorf("sen55 does not measure %s", q)
		}
	}
	if SEN54.Measures(sample.NOxIndex) || SEN55.Measures(sample.CO2) {
		t.Error("sen54 measures NOx, or sen55 CO2")
	}
	if _, err := Parse([]byte(edit(8, "    type: sen54\n    pm_calibration: 0.5")), "test.yaml"); err != nil {
		t.Errorf("pm_calibration on a sen54: %v", err)
	}
}

// TestSEN5xBesideSPS30: both answer at 0x69, so one bus cannot hold both.
func TestSEN5xBesideSPS30(t *testing.T) {
	data := edit(11, "  - name: staff-sen", 12, "    type: sen55")
	errs := parseErrors(t, data)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "address 0x69 on bus 1 is already used by") {
		t.Fatalf("got %v, want one address clash", errs)
	}
}
