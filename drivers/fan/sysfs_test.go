package fan

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"periph.io/x/conn/v3/physic"

	"github.com/ventd/ventd/clock"
)

// fakeChip makes root/pwmchipN as the kernel lists a chip.
func fakeChip(t testing.TB, root string, chip, npwm int) string {
	t.Helper()
	dir := filepath.Join(root, fmt.Sprintf("pwmchip%d", chip))
	mkfiles(t, dir, map[string]string{"npwm": strconv.Itoa(npwm), "export": "", "unexport": ""})
	return dir
}

// fakeChannel makes chipDir/pwmM as an export creates it.
func fakeChannel(t testing.TB, chipDir string, ch int, period, duty int64, enable int) {
	t.Helper()
	mkfiles(t, filepath.Join(chipDir, fmt.Sprintf("pwm%d", ch)), map[string]string{
		"period": strconv.FormatInt(period, 10), "duty_cycle": strconv.FormatInt(duty, 10),
		"enable": strconv.Itoa(enable), "polarity": "normal",
	})
}

func mkfiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, v := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(v+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func attr(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// kernel enforces the PWM core's rule that duty_cycle never exceeds period,
// and logs the writes in order.
type kernel struct {
	mu  sync.Mutex
	log []string
}

func (k *kernel) write(path, value string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	dir, name := filepath.Dir(path), filepath.Base(path)
	k.log = append(k.log, name+"="+value)
	v, _ := strconv.ParseInt(value, 10, 64)
	read := func(a string) int64 {
		b, _ := os.ReadFile(filepath.Join(dir, a))
		n, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		return n
	}
	switch name {
	case "duty_cycle":
		if v > read("period") {
			return syscall.EINVAL
		}
	case "period":
		if read("duty_cycle") > v {
			return syscall.EINVAL
		}
	}
	return nil
}

// udevClock is simulated time whose sleeps let the test play udev.
type udevClock struct {
	*clock.Sim
	slept time.Duration
	at    func(slept time.Duration)
}

func (c *udevClock) Sleep(d time.Duration) {
	c.Sim.Sleep(d)
	c.slept += d
	if c.at != nil {
		c.at(c.slept)
	}
}

func simClock() *clock.Sim { return clock.NewSim(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), 0) }

func TestSysfsNoChips(t *testing.T) {
	_, err := NewSysfsPWM(SysfsPWMOpts{Root: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "dtoverlay=pwm-2chan") || !strings.HasPrefix(err.Error(), "fan pwmchip0/pwm0: ") {
		t.Errorf("got %v, want the overlay hint under the output's name", err)
	}
}

func TestSysfsNoSuchChip(t *testing.T) {
	root := t.TempDir()
	fakeChip(t, root, 2, 2)
	fakeChip(t, root, 0, 2)
	_, err := NewSysfsPWM(SysfsPWMOpts{Root: root, Chip: 1})
	want := `fan pwmchip1/pwm0: no such PWM chip "pwmchip1" (found: pwmchip0, pwmchip2)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func TestSysfsChannelOutOfRange(t *testing.T) {
	root := t.TempDir()
	fakeChip(t, root, 0, 2)
	_, err := NewSysfsPWM(SysfsPWMOpts{Root: root, Channel: 2})
	if err == nil || !strings.Contains(err.Error(), "channel 2 out of range: pwmchip0 has 2 channels (0 to 1)") {
		t.Errorf("got %v", err)
	}
}

func TestSysfsExportWaitsForUdev(t *testing.T) {
	root := t.TempDir()
	chip := fakeChip(t, root, 0, 2)
	clk := &udevClock{Sim: simClock()}
	clk.at = func(slept time.Duration) {
		// The kernel makes the directory at once; udev's chmod comes later.
		switch {
		case slept == 200*time.Millisecond:
			if attr(t, filepath.Join(chip, "export")) != "1" {
				t.Errorf("export holds %q, want 1", attr(t, filepath.Join(chip, "export")))
			}
			os.Mkdir(filepath.Join(chip, "pwm1"), 0o755)
		case slept == 300*time.Millisecond:
			fakeChannel(t, chip, 1, 0, 0, 0)
		}
	}
	k := &kernel{}
	p, err := NewSysfsPWM(SysfsPWMOpts{Root: root, Channel: 1, Clock: clk, kernel: k.write})
	if err != nil {
		t.Fatal(err)
	}
	if clk.slept != 300*time.Millisecond {
		t.Errorf("waited %s on the clock, want 300ms (until the attributes appeared)", clk.slept)
	}
	if got := attr(t, filepath.Join(chip, "pwm1", "period")); got != "40000" {
		t.Errorf("period %s ns, want 40000 (25 kHz)", got)
	}
	if got := attr(t, filepath.Join(chip, "pwm1", "enable")); got != "0" {
		t.Errorf("enable %s before the first SetDuty, want 0", got)
	}
	if err := p.SetDuty(0.3); err != nil {
		t.Fatal(err)
	}
	if got := attr(t, filepath.Join(chip, "pwm1", "duty_cycle")); got != "12000" {
		t.Errorf("duty_cycle %s, want 12000", got)
	}
	if got := attr(t, filepath.Join(chip, "pwm1", "enable")); got != "1" {
		t.Errorf("enable %s after SetDuty, want 1", got)
	}
	want := "export=1 period=40000 duty_cycle=12000 enable=1"
	if got := strings.Join(k.log, " "); got != want {
		t.Errorf("writes %s\nwant   %s", got, want)
	}
}

func TestSysfsExportTimeout(t *testing.T) {
	root := t.TempDir()
	fakeChip(t, root, 0, 2)
	clk := &udevClock{Sim: simClock()}
	_, err := NewSysfsPWM(SysfsPWMOpts{Root: root, Clock: clk})
	if err == nil || !strings.Contains(err.Error(), "did not appear within 1s of export") {
		t.Errorf("got %v", err)
	}
	if clk.slept < time.Second || clk.slept > time.Second+exportPoll {
		t.Errorf("gave up after %s on the clock, want about 1s", clk.slept)
	}
}

func TestSysfsPermissionDenied(t *testing.T) {
	root := t.TempDir()
	fakeChip(t, root, 0, 2)
	deny := func(path, value string) error { return syscall.EACCES }
	_, err := NewSysfsPWM(SysfsPWMOpts{Root: root, Clock: simClock(), kernel: deny})
	if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), "gpio group") {
		t.Errorf("got %v, want a permission error naming the gpio group", err)
	}
	if strings.Count(err.Error(), "gpio group") != 1 {
		t.Errorf("hint repeated: %v", err)
	}
}

func TestSysfsPeriodChangeKeepsDutyBelowPeriod(t *testing.T) {
	for _, tc := range []struct {
		name              string
		period, duty      int64
		wantDuty, wantLog string
	}{
		// 10 kHz at 80% to 25 kHz: lower the duty first.
		{"shorter", 100000, 80000, "32000", "duty_cycle=32000 period=40000"},
		// 50 kHz at 50% to 25 kHz: lengthen the period first.
		{"longer", 20000, 10000, "20000", "period=40000 duty_cycle=20000"},
		{"unchanged", 40000, 30000, "30000", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			chip := fakeChip(t, root, 0, 2)
			fakeChannel(t, chip, 0, tc.period, tc.duty, 1)
			k := &kernel{}
			if _, err := NewSysfsPWM(SysfsPWMOpts{Root: root, kernel: k.write}); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(k.log, " "); got != tc.wantLog {
				t.Errorf("writes %q, want %q", got, tc.wantLog)
			}
			dir := filepath.Join(chip, "pwm0")
			if got := attr(t, filepath.Join(dir, "duty_cycle")); got != tc.wantDuty {
				t.Errorf("duty_cycle %s, want %s (the fan keeps its fraction)", got, tc.wantDuty)
			}
			if got := attr(t, filepath.Join(dir, "period")); got != "40000" {
				t.Errorf("period %s, want 40000", got)
			}
		})
	}
}

func TestSysfsPeriodRefused(t *testing.T) {
	root := t.TempDir()
	chip := fakeChip(t, root, 0, 2)
	fakeChannel(t, chip, 0, 0, 0, 0)
	refuse := func(path, value string) error {
		if filepath.Base(path) == "period" {
			return syscall.EINVAL
		}
		return nil
	}
	_, err := NewSysfsPWM(SysfsPWMOpts{Root: root, Frequency: 100 * physic.MegaHertz, kernel: refuse})
	if !errors.Is(err, syscall.EINVAL) || !strings.Contains(err.Error(), "refused period 10 ns") {
		t.Errorf("got %v", err)
	}
}

func TestSysfsSetDuty(t *testing.T) {
	root := t.TempDir()
	chip := fakeChip(t, root, 0, 2)
	fakeChannel(t, chip, 0, 40000, 0, 0)
	duty := filepath.Join(chip, "pwm0", "duty_cycle")
	p, err := NewSysfsPWM(SysfsPWMOpts{Root: root, Invert: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.String() != "pwmchip0/pwm0" {
		t.Errorf("String() = %q", p.String())
	}
	for _, tc := range []struct {
		duty float64
		want string
	}{{0, "40000"}, {1, "0"}, {0.25, "30000"}} {
		if err := p.SetDuty(tc.duty); err != nil {
			t.Fatal(err)
		}
		if got := attr(t, duty); got != tc.want {
			t.Errorf("inverted SetDuty(%g): duty_cycle %s, want %s", tc.duty, got, tc.want)
		}
	}
	for _, bad := range []float64{-0.1, 1.01} {
		if err := p.SetDuty(bad); !errors.Is(err, ErrDuty) || !strings.HasPrefix(err.Error(), "fan pwmchip0/pwm0: ") {
			t.Errorf("SetDuty(%g): %v, want ErrDuty under the output's name", bad, err)
		}
	}
	if err := p.Halt(); err != nil {
		t.Fatal(err)
	}
	if got := attr(t, filepath.Join(chip, "pwm0", "enable")); got != "1" || attr(t, duty) != "30000" {
		t.Errorf("after Halt: enable %s duty %s, want the fan left running at its last duty", got, attr(t, duty))
	}
	if err := p.SetDuty(1); !errors.Is(err, ErrHalted) {
		t.Errorf("SetDuty after Halt: %v, want ErrHalted", err)
	}
}

func TestExplainPermission(t *testing.T) {
	err := explain(&fs.PathError{Op: "open", Path: "/sys/class/pwm/pwmchip0/export", Err: syscall.EACCES})
	if !errors.Is(err, syscall.EACCES) || !strings.Contains(err.Error(), "udev rule") {
		t.Errorf("got %v", err)
	}
	if explain(err) != err {
		t.Error("explain wrapped an explained error again")
	}
}
