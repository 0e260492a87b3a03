package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/daemon"
	"github.com/ventd/ventd/drivers/scd4x"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/i2csim"
)

// simCmd runs ventctl with a hook that keeps the simulated room it builds.
func simCmd(t *testing.T, args ...string) (code int, stdout, stderr string, room *simRoom) {
	t.Helper()
	var o, e strings.Builder
	env := env{stdout: &o, stderr: &e, now: func() time.Time { return genTime }, sim: func(r *simRoom) { room = r }}
	code = run(args, env)
	return code, o.String(), e.String(), room
}

// row finds the scan table's row for addr on bus.
func row(t *testing.T, out, bus, addr string) string {
	t.Helper()
	_, after, ok := strings.Cut(out, "I2C bus "+bus+" ")
	if !ok {
		t.Fatalf("no table for bus %s in\n%s", bus, out)
	}
	after, _, _ = strings.Cut(after, "answered.")
	for _, l := range strings.Split(after, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), addr+" ") {
			return l
		}
	}
	t.Errorf("bus %s: no row for %s in\n%s", bus, addr, out)
	return ""
}

func TestScanSim(t *testing.T) {
	code, out, errOut, _ := simCmd(t, "scan", "-sim")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, c := range []struct{ bus, addr, part, cfg string }{
		{"sim0", "0x59", "SGP41", "booth-voc (sgp41)"},
		{"sim0", "0x69", "SPS30", "booth-pm (sps30)"},
		{"sim1", "0x69", "SPS30", "staff-pm (sps30)"},
		// The twin answers get_sensor_variant (firmware of datasheet 1.5
		// and later), so the scan names the variant; an older unit is "SCD4x".
		{"sim1", "0x62", "SCD41", "staff-co2 (scd41)"},
	} {
		f := strings.Fields(row(t, out, c.bus, c.addr))
		if len(f) < 4 || f[1] != c.part || !regexp.MustCompile(`^[0-9A-Fa-f]{12,16}$`).MatchString(f[2]) || !strings.Contains(strings.Join(f[3:], " "), c.cfg) {
			t.Errorf("bus %s %s: row %q; want %s with a serial, configured as %s", c.bus, c.addr, f, c.part, c.cfg)
		}
	}
	if n := strings.Count(out, "2 address(es) answered."); n != 2 {
		t.Errorf("want two devices on each bus, nothing else:\n%s", out)
	}

	// One bus; an unknown part; a configured sensor gone.
	code, out, _, _ = simCmd(t, "scan", "-sim", "-bus", "sim0")
	if code != 0 || strings.Contains(out, "sim1") || !strings.Contains(out, "SGP41") {
		t.Errorf("-bus sim0: exit %d\n%s", code, out)
	}
	if code, _, errOut, _ := simCmd(t, "scan", "-sim", "-bus", "sim7"); code != 1 || !strings.Contains(errOut, `no simulated I2C bus "sim7"`) || !strings.Contains(errOut, "sim0, sim1") {
		t.Errorf("-bus sim7: exit %d, %q", code, errOut)
	}
}

// memory is a part ventd does not know that answers reads.
type memory struct{}

func (memory) Write([]byte) error  { return nil }
func (memory) Read(r []byte) error { return nil }

func TestScanFindsUnknownAndMissing(t *testing.T) {
	var o, e strings.Builder
	env := env{stdout: &o, stderr: &e, now: func() time.Time { return genTime }, sim: func(r *simRoom) {
		b := r.Rig.SimBus("sim1")
		b.Attach(0x50, memory{})
		b.Disconnect(0x62)
	}}
	// A configured part missing is a failed scan, for a script to see.
	if code := run([]string{"scan", "-sim", "-bus", "sim1"}, env); code != exitFail || !strings.Contains(e.String(), "ventctl scan: 1 configured part(s) did not answer") {
		t.Fatalf("exit %d, want %d: %s", code, exitFail, e.String())
	}
	out := o.String()
	if r := row(t, out, "sim1", "0x50"); !strings.Contains(r, "?") || !strings.Contains(r, "not a part ventd knows") {
		t.Errorf("unknown part row %q", r)
	}
	if !strings.Contains(out, "MISSING at 0x62: staff-co2 (scd41): no answer") {
		t.Errorf("the disconnected SCD41 is not reported missing:\n%s", out)
	}

	// -identify=false sends no command: the Sensirion sensors, which
	// refuse a bare read, do not show; the memory does.
	o.Reset()
	if code := run([]string{"scan", "-sim", "-bus", "sim1", "-identify=false"}, env); code != 0 {
		t.Fatal(e.String())
	}
	if out := o.String(); !strings.Contains(out, "1 address(es) answered.") || !strings.Contains(out, "0x50") {
		t.Errorf("-identify=false:\n%s", out)
	}
	// The SPS30 there is not called missing: it refused a bare read.
	if out := o.String(); strings.Contains(out, "MISSING at 0x69") || !strings.Contains(out, "not seen at 0x69: staff-pm (sps30): no answer to a bare read") {
		t.Errorf("-identify=false calls a sensor that refused a bare read missing:\n%s", out)
	}
}

// TestScanStopsMeasuringSCD4x: an SCD4x left measuring answers no id; the
// scan stops it to read the serial, says so, and leaves it idle.
func TestScanStopsMeasuringSCD4x(t *testing.T) {
	var sim1 *i2csim.Bus
	var o, e strings.Builder
	env := env{stdout: &o, stderr: &e, now: func() time.Time { return genTime }, sim: func(r *simRoom) {
		sim1 = r.Rig.SimBus("sim1")
		d, err := scd4x.New(sim1, &scd4x.Opts{Clock: r.Clock})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Start(); err != nil {
			t.Fatal(err)
		}
	}}
	if code := run([]string{"scan", "-sim", "-bus", "sim1"}, env); code != 0 {
		t.Fatalf("exit %d: %s", code, e.String())
	}
	r := row(t, o.String(), "sim1", "0x62")
	if !strings.Contains(r, "SCD41") || !strings.Contains(r, "stopped its periodic measurement") || !strings.Contains(r, "left idle") {
		t.Errorf("row %q: want the SCD41 identified and the stop said", r)
	}
}

func TestReadSim(t *testing.T) {
	code, out, errOut, _ := simCmd(t, "read", "-sim", "-n", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	rounds := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "booth-pm") {
			rounds++
		}
	}
	if rounds != 3 {
		t.Errorf("%d rounds of booth-pm; want 3:\n%s", rounds, out)
	}
	for _, re := range []string{`staff-pm .*PM2\.5 \d+\.\d µg/m³`, `booth-pm .*PM10 \d+\.\d µg/m³`,
		`staff-co2 .*CO2 \d+\.\d ppm  T \d+\.\d °C  RH \d+\.\d %RH`, `booth-voc .*VOC index`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("no line matches %s in\n%s", re, out)
		}
	}
	if code, _, errOut, _ := simCmd(t, "read", "-sim", "-n", "0"); code != 2 || !strings.Contains(errOut, "-n 0") {
		t.Errorf("-n 0: exit %d, %q", code, errOut)
	}
	if code, _, errOut, _ := simCmd(t, "read"); code != 1 || !strings.Contains(errOut, "give -config FILE") {
		t.Errorf("no config: exit %d, %q", code, errOut)
	}
}

func TestFanSim(t *testing.T) {
	code, out, errOut, room := simCmd(t, "fan", "-sim", "-fan", "booth-exhaust", "-duty", "40")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := regexp.MustCompile(`(?m)^ +(\d+)s  duty 40 %  (\d+) rpm$`).FindAllStringSubmatch(out, -1)
	if len(lines) != 30 {
		t.Fatalf("%d tach lines; want one a second for the default 30 s:\n%s", len(lines), out)
	}
	// The wheel slows from its safe (full) speed toward 40 %.
	first, _ := strconv.Atoi(lines[0][2])
	last, _ := strconv.Atoi(lines[29][2])
	if !(first > last && last > 1000 && last < 1400) {
		t.Errorf("rpm %d → %d; want it falling to about 40 %% of 3000", first, last)
	}
	f := room.Rig.Room.Fan("booth-exhaust")
	if f.Duty() != 1 || !strings.Contains(out, "left at its safe duty 100 %") {
		t.Errorf("the fan ends at duty %g; want its safe duty 1:\n%s", f.Duty(), out)
	}
	if err := f.SetDuty(0.5); err == nil {
		t.Error("ventctl did not release the output (Halt)")
	}

	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-sim", "-fan", "booth-exhaust"}, 2, "give -duty PERCENT"},
		{[]string{"-sim", "-fan", "booth-exhaust", "-duty", "140"}, 2, "-duty 140"},
		{[]string{"-sim", "-duty", "50"}, 2, "give -fan NAME"},
		{[]string{"-sim", "-fan", "booth-exhaust", "-duty", "50", "-for", "0s"}, 2, "-for 0s"},
		{[]string{"-sim", "-fan", "hall", "-duty", "50"}, 1, `no fan "hall" in the configuration (its fans: booth-exhaust)`},
	} {
		code, _, errOut, _ := simCmd(t, append([]string{"fan"}, c.args...)...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("fan %v: exit %d, %q; want %d and %q", c.args, code, errOut, c.code, c.want)
		}
	}
	_, out, _, _ = simCmd(t, "fan", "-sim", "-fan", "booth-exhaust", "-duty", "10", "-for", "2s")
	if !strings.Contains(out, "below its min_duty 25 %") {
		t.Errorf("a duty below min_duty is not pointed out:\n%s", out)
	}
}

// A fan on a relay is off or full: ventctl says so, and shows what it
// runs at, not the duty asked.
func TestFanSimRelay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "relay.yaml")
	yaml := strings.Replace(string(config.SimYAML()), "backend: sim", "backend: relay\n    relay: {pin: GPIO17}", 1)
	if !strings.Contains(yaml, "relay: {pin: GPIO17}") {
		t.Fatal("sim.yaml's fan not found")
	}
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		duty, note string
		want       float64
	}{
		{"40", "a relay is off below 50 %: 40 % switches the fan off", 0},
		{"60", "a relay is off or full: 60 % switches the fan on at full", 100},
	} {
		code, out, errOut, room := simCmd(t, "fan", "-sim", "-config", path, "-fan", "booth-exhaust", "-duty", c.duty, "-for", "2s")
		if code != 0 {
			t.Fatalf("-duty %s: exit %d: %s", c.duty, code, errOut)
		}
		if !strings.Contains(out, c.note) || !strings.Contains(out, fmt.Sprintf("duty %g %%", c.want)) {
			t.Errorf("-duty %s: want %q and duty %g %% in:\n%s", c.duty, c.note, c.want, out)
		}
		if f := room.Rig.Room.Fan("booth-exhaust"); f.Duty() != 1 {
			t.Errorf("-duty %s: the relay fan ends at %g, want on (its safe duty)", c.duty, f.Duty())
		}
	}
}

// BenchmarkScan measures a full scan of a simulated bus with two sensors,
// identification included.
func BenchmarkScan(b *testing.B) {
	var room *simRoom
	run([]string{"scan", "-sim", "-bus", "sim1"}, env{stdout: io.Discard, stderr: io.Discard, now: func() time.Time { return genTime }, sim: func(r *simRoom) { room = r }})
	bus := room.Rig.SimBus("sim1")
	b.ReportAllocs()
	for b.Loop() {
		if n := len(probeBus(bus, room.Clock.Sleep, true)); n != 2 {
			b.Fatalf("%d parts found", n)
		}
	}
}

// ventctl read and ventd read a sensor through the same sensor layer: on
// the same simulated room (same seed, same start) they show the same
// values at the same times.
func TestReadShowsWhatVentdShows(t *testing.T) {
	code, out, errOut, _ := simCmd(t, "read", "-sim", "-n", "3")
	if code != 0 {
		t.Fatalf("read: exit %d: %s", code, errOut)
	}
	// The daemon on an identical room: config.Sim, seed 0, the same start.
	cfg := config.Sim()
	clk := clock.NewSim(genTime.Truncate(time.Second).UTC(), 0)
	rig, err := testbench.NewRig(cfg, clk, nil, testbench.RigOpts{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := daemon.New(daemon.Options{Config: cfg, Clock: clk, Hardware: rig, Log: discard, Sim: true})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{} // "15:04:05 sensor" -> PM2.5 / CO2 as ventctl prints it
	var mu sync.Mutex
	d.Attach("test", record.OutputFunc(func(p *record.Period) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range p.Readings {
			if (r.Quantity == sample.PM25 || r.Quantity == sample.CO2) && r.Quality == sample.Good {
				seen[r.Time.Format("15:04:05")+" "+r.Sensor+" "+string(r.Quantity)] = fmt.Sprintf("%.1f", r.Value)
			}
		}
	}), &record.AttachOpts{Backlog: -1})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	for clk.Now().Sub(genTime) < 20*time.Second {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	re := regexp.MustCompile(`^(\d\d:\d\d:\d\d)\s+(staff-pm|booth-pm|staff-co2)\s.*?(PM2\.5|CO2) (\d+\.\d) `)
	compared := 0
	for _, l := range strings.Split(out, "\n") {
		m := re.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		q := map[string]string{"PM2.5": "pm25", "CO2": "co2"}[m[3]]
		want, ok := seen[m[1]+" "+m[2]+" "+q]
		if !ok {
			continue // the daemon's reading at that second is older (the SCD41 reads every 5 s)
		}
		compared++
		if m[4] != want {
			t.Errorf("%s %s %s: ventctl read shows %s, ventd %s", m[1], m[2], m[3], m[4], want)
		}
	}
	if compared < 6 {
		t.Fatalf("only %d values compared:\n%s", compared, out)
	}
}

// The README's wiring puts an open-drain stage on the PWM wire, which
// inverts it; a config that does not say so makes ventd's full the fan's
// slowest and its safe duty no extraction, and -duty alone showed only
// that the speed changed. -check runs min and full and says which way
// the speed went: on the simulated room, with the example's fan wired
// as configured, and wired the other way.
func TestFanCheckFindsAnInvertedPWM(t *testing.T) {
	check := func(wired map[string]bool, cfgPath string) (int, string) {
		var o, e strings.Builder
		code := run([]string{"fan", "-sim", "-config", cfgPath, "-fan", "booth-exhaust", "-check", "-for", "15s"},
			env{stdout: &o, stderr: &e, now: func() time.Time { return genTime }, simOpts: testbench.RigOpts{WiredInverted: wired}})
		return code, o.String() + e.String()
	}
	example := "../../config/example.yaml"
	data, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "invert: true") {
		t.Error("the example config does not say invert: true, as the README's wiring (an open-drain stage) needs")
	}
	if code, out := check(nil, example); code != exitOK || !strings.Contains(out, "ok: the speed follows the duty") {
		t.Errorf("wired as configured: exit %d\n%s", code, out)
	}
	// Wired straight to the GPIO, with the example's invert: true.
	code, out := check(map[string]bool{"booth-exhaust": false}, example)
	for _, want := range []string{"FAIL: the fan ran faster at 25 % (", "the PWM reaches it inverted", "set sysfs_pwm.invert: false (now true) for fan booth-exhaust"} {
		if !strings.Contains(out, want) {
			t.Errorf("miswired: no %q in\n%s", want, out)
		}
	}
	if code != exitFail {
		t.Errorf("miswired: exit %d, want %d", code, exitFail)
	}
	if !strings.Contains(out, "left at its safe duty 100 %") {
		t.Errorf("the check does not end at the safe duty:\n%s", out)
	}
	// The same wiring, said in the config: the check agrees.
	direct := filepath.Join(t.TempDir(), "direct.yaml")
	if err := os.WriteFile(direct, []byte(strings.Replace(string(data), "invert: true", "invert: false", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := check(map[string]bool{"booth-exhaust": false}, direct); code != exitOK || !strings.Contains(out, "ok: the speed follows") {
		t.Errorf("wired as the edited config says: exit %d\n%s", code, out)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-duty", "40%", "-for", "1s"}, "duty 40 %"},
		{[]string{"-duty", "40", "-for", "20"}, "give a unit: 20s"},
		{[]string{"-duty", "40", "-for", "5 min"}, "write 5m0s"},
		{[]string{"-duty", "forty"}, "give a percentage, such as 40"},
		{[]string{"-check", "-duty", "40"}, "give -check or -duty, not both"},
	} {
		_, out, errOut, _ := simCmd(t, append([]string{"fan", "-sim", "-fan", "booth-exhaust"}, c.args...)...)
		if !strings.Contains(out+errOut, c.want) {
			t.Errorf("fan %v: no %q in\n%s%s", c.args, c.want, out, errOut)
		}
	}
}
