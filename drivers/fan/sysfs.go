package fan

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"periph.io/x/conn/v3/physic"

	"github.com/ventd/ventd/clock"
)

// DefaultSysfsRoot is where the kernel lists its PWM chips.
const DefaultSysfsRoot = "/sys/class/pwm"

// DefaultFrequency is the PWM frequency of 4-wire fans (Intel's 4-wire
// fan specification: 21 to 28 kHz, 25 kHz nominal), above hearing.
const DefaultFrequency = 25 * physic.KiloHertz

// exportWait is how long udev gets to create and chmod pwmN/ after export.
const (
	exportWait = time.Second
	exportPoll = 10 * time.Millisecond
)

// SysfsPWMOpts configures a channel of a kernel PWM chip.
type SysfsPWMOpts struct {
	Root      string           // default DefaultSysfsRoot; tests use a temporary directory
	Chip      int              // N of pwmchipN
	Channel   int              // M of pwmM, below the chip's npwm
	Frequency physic.Frequency // default DefaultFrequency
	Invert    bool             // the wiring inverts the signal (open-collector transistor)
	Clock     clock.Clock      // default clock.Real{}; waits for udev after export

	// kernel, when set by a test, sees every attribute write before it
	// lands and can refuse it as the kernel would (EINVAL, EBUSY).
	kernel func(path, value string) error
}

// SysfsPWM is a fan on a channel of the kernel's PWM subsystem
// (/sys/class/pwm), which an unprivileged user in the gpio group can drive.
type SysfsPWM struct {
	name    string
	dir     string // .../pwmchipN/pwmM
	period  int64  // ns
	invert  bool
	enabled bool
	halted  bool
	kernel  func(path, value string) error
}

// NewSysfsPWM exports the channel if needed, waits for udev to make it
// writable and sets its period. It does not change the duty or enable the
// output, so a fan left running by a previous ventd keeps running until the
// first SetDuty (if the period changes, the duty is rescaled to keep its
// fraction).
func NewSysfsPWM(opts SysfsPWMOpts) (*SysfsPWM, error) {
	if opts.Root == "" {
		opts.Root = DefaultSysfsRoot
	}
	if opts.Frequency == 0 {
		opts.Frequency = DefaultFrequency
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	p := &SysfsPWM{
		name:   fmt.Sprintf("pwmchip%d/pwm%d", opts.Chip, opts.Channel),
		invert: opts.Invert,
		kernel: opts.kernel,
	}
	if opts.Frequency < 0 {
		return nil, fanError(p.name, fmt.Errorf("invalid frequency %s: want a positive frequency such as 25kHz", opts.Frequency))
	}
	p.period = opts.Frequency.Period().Nanoseconds()
	if p.period <= 0 {
		return nil, fanError(p.name, fmt.Errorf("frequency %s is too high: its period is under 1 ns", opts.Frequency))
	}
	chipDir := filepath.Join(opts.Root, fmt.Sprintf("pwmchip%d", opts.Chip))
	if err := findChip(opts.Root, chipDir); err != nil {
		return nil, fanError(p.name, err)
	}
	n, err := readInt(filepath.Join(chipDir, "npwm"))
	if err != nil {
		return nil, fanError(p.name, err)
	}
	if opts.Channel < 0 || int64(opts.Channel) >= n {
		return nil, fanError(p.name, fmt.Errorf("channel %d out of range: pwmchip%d has %d channels (0 to %d)", opts.Channel, opts.Chip, n, n-1))
	}
	p.dir = filepath.Join(chipDir, fmt.Sprintf("pwm%d", opts.Channel))
	if err := p.export(chipDir, opts.Channel, opts.Clock); err != nil {
		return nil, fanError(p.name, err)
	}
	if err := p.setPeriod(); err != nil {
		return nil, fanError(p.name, err)
	}
	en, err := readInt(filepath.Join(p.dir, "enable"))
	if err != nil {
		return nil, fanError(p.name, err)
	}
	p.enabled = en == 1
	return p, nil
}

// String returns "pwmchipN/pwmM".
func (p *SysfsPWM) String() string { return p.name }

// SetDuty writes the duty cycle and enables the output on first use.
func (p *SysfsPWM) SetDuty(duty float64) error {
	if p.halted {
		return fanError(p.name, ErrHalted)
	}
	if err := checkDuty(duty); err != nil {
		return fanError(p.name, err)
	}
	ns := int64(math.Round(level(duty, p.invert) * float64(p.period)))
	if err := p.write("duty_cycle", ns); err != nil {
		return fanError(p.name, err)
	}
	if !p.enabled {
		if err := p.write("enable", 1); err != nil {
			return fanError(p.name, err)
		}
		p.enabled = true
	}
	return nil
}

// Halt stops using the channel. It does not disable or unexport it: either
// may stop the fan, and the fan must keep its safe duty after ventd exits.
func (p *SysfsPWM) Halt() error {
	p.halted = true
	return nil
}

// findChip checks that chipDir exists and otherwise says which chips do.
func findChip(root, chipDir string) error {
	if _, err := os.Stat(chipDir); err == nil {
		return nil
	}
	chips, _ := filepath.Glob(filepath.Join(root, "pwmchip*"))
	if len(chips) == 0 {
		return fmt.Errorf("no PWM chips under %s: the pwm overlay is missing: add dtoverlay=pwm-2chan to /boot/firmware/config.txt and reboot", root)
	}
	names := make([]string, len(chips))
	for i, c := range chips {
		names[i] = filepath.Base(c)
	}
	sort.Strings(names)
	return fmt.Errorf("no such PWM chip %q (found: %s)", filepath.Base(chipDir), strings.Join(names, ", "))
}

// export makes pwmM appear and waits until udev has let us write to it.
func (p *SysfsPWM) export(chipDir string, channel int, clk clock.Clock) error {
	if _, err := os.Stat(p.dir); errors.Is(err, fs.ErrNotExist) {
		err := p.writeFile(filepath.Join(chipDir, "export"), strconv.Itoa(channel))
		// EBUSY: exported meanwhile (another process) or claimed by a
		// kernel driver; the wait below tells which.
		if err != nil && !errors.Is(err, syscall.EBUSY) {
			return fmt.Errorf("export: %w", explain(err))
		}
	}
	// udev creates the attributes root-owned, then chgrp/chmods them: poll.
	var last error
	for waited := time.Duration(0); ; waited += exportPoll {
		if last = writable(p.dir); last == nil {
			return nil
		}
		if waited >= exportWait {
			break
		}
		clk.Sleep(exportPoll)
	}
	if errors.Is(last, fs.ErrNotExist) {
		return fmt.Errorf("%s did not appear within %s of export: is the channel claimed by another driver (check dmesg)?", p.dir, exportWait)
	}
	return fmt.Errorf("%s not writable %s after export: %w", p.dir, exportWait, explain(last))
}

// writable checks the attributes we write can be opened for writing.
func writable(dir string) error {
	for _, a := range []string{"period", "duty_cycle", "enable"} {
		f, err := os.OpenFile(filepath.Join(dir, a), os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		f.Close()
	}
	return nil
}

// setPeriod sets the period, keeping duty_cycle ≤ period at every step
// because the kernel refuses anything else.
func (p *SysfsPWM) setPeriod() error {
	cur, err := readInt(filepath.Join(p.dir, "period"))
	if err != nil {
		return err
	}
	if cur == p.period {
		return nil
	}
	duty, err := readInt(filepath.Join(p.dir, "duty_cycle"))
	if err != nil {
		return err
	}
	// Keep the fraction a previous run left so the fan keeps its speed.
	var scaled int64
	if cur > 0 {
		scaled = int64(math.Round(float64(duty) * float64(p.period) / float64(cur)))
		scaled = min(scaled, p.period)
	}
	if duty > p.period {
		if err := p.write("duty_cycle", scaled); err != nil {
			return err
		}
	}
	if err := p.write("period", p.period); err != nil {
		if errors.Is(err, syscall.EINVAL) {
			return fmt.Errorf("the chip refused period %d ns: choose a frequency it supports: %w", p.period, err)
		}
		return err
	}
	if duty <= p.period && duty != scaled {
		return p.write("duty_cycle", scaled)
	}
	return nil
}

func (p *SysfsPWM) write(attr string, v int64) error {
	return p.writeFile(filepath.Join(p.dir, attr), strconv.FormatInt(v, 10))
}

// writeFile writes one sysfs attribute. It never creates the file: a
// missing attribute is an error, not a new regular file.
func (p *SysfsPWM) writeFile(path, value string) error {
	if p.kernel != nil {
		if err := p.kernel(path, value); err != nil {
			return explain(&fs.PathError{Op: "write", Path: path, Err: err})
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return explain(err)
	}
	_, err = f.WriteString(value + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return explain(err)
}

func readInt(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, explain(err)
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// explain adds what a technician does about a permission error, once.
func explain(err error) error {
	var pe *permissionError
	if err == nil || !errors.Is(err, fs.ErrPermission) || errors.As(err, &pe) {
		return err
	}
	return &permissionError{err}
}

// permissionError is a permission error with its remedy.
type permissionError struct{ err error }

func (e *permissionError) Error() string {
	return e.err.Error() + ": add the user to the gpio group (sudo usermod -aG gpio USER) or a udev rule giving that group write access to /sys/class/pwm"
}

func (e *permissionError) Unwrap() error { return e.err }
