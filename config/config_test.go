package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestExampleParses(t *testing.T) {
	c, err := Load("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Site != "Example OPS" || c.Listen != ":8080" || c.StateDir != "/var/lib/ventd" {
		t.Errorf("top level: %q %q %q", c.Site, c.Listen, c.StateDir)
	}
	if n := len(c.ZonesOf(Booth)); n != 1 {
		t.Errorf("%d booths, want 1", n)
	}
	var names []string
	for _, s := range c.SensorsIn("booth") {
		names = append(names, s.Name+"@"+s.Bus+"/"+s.Address.String())
	}
	for _, s := range c.SensorsIn("staff") {
		names = append(names, s.Name+"@"+s.Bus+"/"+s.Address.String())
	}
	want := "booth-pm@1/0x69 booth-voc@1/0x59 staff-pm@3/0x69 staff-co2@3/0x62"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("sensors: %s, want %s", got, want)
	}
	fans := c.FansFor("booth")
	if len(fans) != 1 {
		t.Fatalf("%d fans for the booth, want 1", len(fans))
	}
	f := fans[0]
	if f.Backend != BackendSysfsPWM || *f.SysfsPWM != (SysfsPWMOutput{Chip: 0, Channel: 0, FrequencyHz: 25000, Invert: true}) {
		t.Errorf("fan output: %s %+v", f.Backend, f.SysfsPWM)
	}
	if f.Tach == nil || *f.Tach != (Tach{Pin: "GPIO6", PulsesPerRev: 2}) {
		t.Errorf("tach: %+v", f.Tach)
	}
	if f.MinDuty != 25 || f.MaxDuty != 100 || f.SafeDuty != 100 {
		t.Errorf("duties %g %g %g", f.MinDuty, f.MaxDuty, f.SafeDuty)
	}
	// The example writes the defaults out: it must agree with them.
	if c.Thresholds != DefaultThresholds() || c.Control != DefaultControl() {
		t.Errorf("example's thresholds/control differ from the defaults:\n%+v\n%+v", c.Thresholds, c.Control)
	}
}

// The mux alternative in example.yaml, uncommented in place of bus 3.
func TestExampleMuxAlternativeParses(t *testing.T) {
	data, err := os.ReadFile("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	start := strings.Index(s, "  # Staff area, on bus 3")
	alt := strings.Index(s, "  # - name: staff-pm")
	end := strings.Index(s, "\nfans:")
	if start < 0 || alt < 0 || end < 0 {
		t.Fatal("example.yaml no longer has the staff sections this test edits")
	}
	s = s[:start] + strings.ReplaceAll(s[alt:end], "  # ", "  ") + s[end:]
	s = strings.Replace(s, "    # mux:", "    mux:", 1)
	c, err := Parse([]byte(s), "example-mux.yaml")
	if err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	for _, sn := range c.SensorsIn("staff") {
		if sn.Bus != "1" || sn.Mux == nil || *sn.Mux != (Mux{Address: 0x70, Channel: 1}) {
			t.Errorf("%s: bus %s mux %+v", sn.Name, sn.Bus, sn.Mux)
		}
	}
	if m := c.Sensors[0].Mux; m == nil || m.Channel != 0 {
		t.Errorf("booth-pm mux %+v", m)
	}
}

func TestSimParses(t *testing.T) {
	c := Sim()
	for _, s := range c.Sensors {
		if !strings.HasPrefix(s.Bus, "sim") {
			t.Errorf("sensor %s on bus %q, want a simulated bus", s.Name, s.Bus)
		}
	}
	for _, f := range c.Fans {
		if f.Backend != BackendSim {
			t.Errorf("fan %s backend %s, want sim", f.Name, f.Backend)
		}
	}
	// Each call is a fresh copy a caller may change.
	c.Sensors[0].Name = "changed"
	if Sim().Sensors[0].Name == "changed" {
		t.Error("Sim returns shared state")
	}
}

func TestDefaults(t *testing.T) {
	c, err := Parse([]byte(base+`  - name: relay-fan
    zones: [booth]
    backend: relay
    relay: {pin: GPIO17}
    tach: {pin: GPIO6}
    max_flow_m3h: 100
    rated_power_w: 20
  - name: board
    zones: [booth]
    backend: pca9685
    pca9685: {bus: 1, channel: 0}
    max_flow_m3h: 100
    rated_power_w: 20
    max_duty: 80
`), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != DefaultListen || c.StateDir != DefaultStateDir {
		t.Errorf("listen %q state_dir %q", c.Listen, c.StateDir)
	}
	pm, co2 := c.Sensors[0], c.Sensors[1]
	if pm.Address != 0x69 || pm.PMCalibration != 1 || pm.StaleAfter != 3*time.Second || pm.Mux != nil {
		t.Errorf("sps30 defaults: %+v", pm)
	}
	if co2.Address != 0x62 || co2.StaleAfter != 15*time.Second || co2.CO2OffsetPPM != 0 {
		t.Errorf("scd41 defaults: %+v", co2)
	}
	pwm, relay, board := c.Fans[0], c.Fans[1], c.Fans[2]
	if pwm.SysfsPWM.FrequencyHz != 25000 || pwm.SysfsPWM.Invert || pwm.MinDuty != 0 || pwm.MaxDuty != 100 || pwm.SafeDuty != 100 || pwm.Tach != nil {
		t.Errorf("sysfs_pwm fan defaults: %+v %+v", pwm, pwm.SysfsPWM)
	}
	if relay.Relay.MinSwitchTime != 30*time.Second || relay.Relay.ActiveLow || relay.Tach.PulsesPerRev != 2 {
		t.Errorf("relay fan defaults: %+v %+v", relay.Relay, relay.Tach)
	}
	// safe_duty stays full even when max_duty is held down.
	if board.PCA9685.Address != 0x40 || board.PCA9685.FrequencyHz != 1000 || board.PCA9685.Bus != "1" || board.SafeDuty != 100 {
		t.Errorf("pca9685 fan defaults: %+v %+v", board, board.PCA9685)
	}
	if c.Thresholds != DefaultThresholds() || c.Control != DefaultControl() {
		t.Errorf("thresholds %+v control %+v", c.Thresholds, c.Control)
	}
}

// A key written out is kept, even where it equals zero or a default
// differs.
func TestExplicitValuesKept(t *testing.T) {
	c, err := Parse([]byte(edit(9, "    bus: \"1\"\n    address: 105\n    pm_calibration: 0.45\n    stale_after: 1s",
		21, "    rated_power_w: 45\n    safe_duty: 0\n    allow_fan_off_on_sensor_fault: true")+`thresholds:
  pm25_ugm3: {alarm: 50}
control: {run_on: 0s, period: 500ms, staff_blind_duty_percent: 0, pressure_gain_percent_per_pa_min: 0, staff_margin_ugm3: 0, pressure_margin_pa: 0}
`), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := c.Sensors[0]
	if s.Address != 105 || s.PMCalibration != 0.45 || s.StaleAfter != time.Second {
		t.Errorf("sensor %+v", s)
	}
	if c.Fans[0].SafeDuty != 0 {
		t.Errorf("safe_duty %g, want the 0 written", c.Fans[0].SafeDuty)
	}
	k := c.Control
	if c.Thresholds.PM25 != (Level{Warning: 35, Alarm: 50}) || k.RunOn != 0 || k.Period != 500*time.Millisecond ||
		k.StaffBlindDutyPercent != 0 || k.PressureGain != 0 || k.StaffMargin != 0 || k.PressureMargin != 0 || k.RiseRate != 2 {
		t.Errorf("thresholds %+v control %+v", c.Thresholds.PM25, c.Control)
	}
}

func TestHelpers(t *testing.T) {
	c := Sim()
	if z := c.Zone("staff"); z == nil || z.Kind != Staff {
		t.Errorf("Zone(staff) = %+v", z)
	}
	if z := c.Zone("nowhere"); z != nil {
		t.Errorf("Zone(nowhere) = %+v", z)
	}
	if got := len(c.SensorsIn("staff")); got != 2 {
		t.Errorf("SensorsIn(staff): %d sensors, want 2", got)
	}
	if got := len(c.FansFor("staff")); got != 0 {
		t.Errorf("FansFor(staff): %d fans, want 0", got)
	}
	// The helpers point into the Config, not at copies.
	c.SensorsIn("booth")[0].PMCalibration = 0.5
	if c.Sensors[0].PMCalibration != 0.5 {
		t.Error("SensorsIn returned a copy")
	}
}

// Anchors and merge keys let a room with many booths repeat a fan.
func TestMergeKeys(t *testing.T) {
	c, err := Parse([]byte(edit(16, "  - &fan\n    name: exhaust")+`  - <<: *fan
    name: exhaust2
    sysfs_pwm: {chip: 0, channel: 1}
`), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Fans) != 2 || c.Fans[1].Name != "exhaust2" || c.Fans[1].MaxFlowM3H != 300 || c.Fans[1].SysfsPWM.Channel != 1 {
		t.Errorf("fans %+v", c.Fans)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	c, err := Load("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "address: 0x69") {
		t.Errorf("addresses not in hex:\n%s", out)
	}
	back, err := Parse(out, "marshalled.yaml")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !reflect.DeepEqual(c, back) {
		t.Errorf("round trip differs:\n%+v\n%+v", c, back)
	}
}

func TestLoadErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "ventd.yaml")
	_, err := Load(missing)
	var errs Errors
	switch {
	case err == nil:
		t.Fatal("Load of a missing file succeeded")
	case !errors.Is(err, fs.ErrNotExist):
		t.Errorf("missing file: %v does not wrap fs.ErrNotExist", err)
	case errors.As(err, &errs):
		t.Errorf("missing file reported as config.Errors: %v", err)
	case !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "-config takes the path") ||
		!strings.Contains(err.Error(), "a commented one to start from is /usr/share/ventd/example.yaml, or config/example.yaml in a source checkout"):
		// The Pi has no config/example.yaml: the package's copy first.
		t.Errorf("missing file: %v", err)
	}

	// Root reads any file, so the error is made: a config only root can
	// read stopped the service (user ventd) with no word of what to do.
	denied := readError("/etc/ventd/ventd.yaml", &fs.PathError{Op: "open", Path: "/etc/ventd/ventd.yaml", Err: syscall.EACCES})
	if !errors.Is(denied, fs.ErrPermission) || !strings.Contains(denied.Error(), "sudo chgrp ventd /etc/ventd/ventd.yaml && sudo chmod 0640 /etc/ventd/ventd.yaml") {
		t.Errorf("unreadable file: %v", denied)
	}

	if _, err := Load(t.TempDir()); err == nil || errors.As(err, &errs) || !strings.Contains(err.Error(), "-config") {
		t.Errorf("directory: %v", err)
	}

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte(edit(18, "    backend: fan")), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(bad)
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].File != bad || errs[0].Line != 18 {
		t.Errorf("bad file: %#v", err)
	}
}

func BenchmarkParseExample(b *testing.B) {
	data, err := os.ReadFile("example.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, "example.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}
