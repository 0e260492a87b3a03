package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/ctlsock"
	"github.com/ventd/ventd/drivers/i2cclear"
)

// runDoctor checks what install day gets wrong, one line per check, with
// the fix for each problem. Every file it reads is under -root, so it can
// look at an SD card mounted elsewhere (or a test's scratch root).
func runDoctor(args []string, e env) int {
	fl := flag.NewFlagSet("ventctl doctor", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	cfgPath := fl.String("config", "/etc/ventd/ventd.yaml", "ventd's configuration `file` (under -root), naming the buses, sensors and fans to check (with -sim, default the simulated room's)")
	root := fl.String("root", "/", "the system to check, as a `directory`: / for this Pi, or an SD card's root file system mounted elsewhere")
	sim := fl.Bool("sim", false, "probe the simulated room's sensors instead of the hardware (the file checks still look at -root)")
	user := fl.String("user", "ventd", "the `user` the service runs as")
	socket := fl.String("socket", ctlsock.DefaultPath, "ventd's control socket `path` (under -root)")
	stateURL := fl.String("state-url", "", "ventd's /api/state `URL` (default from the config's listen address)")
	if code, ok := parse(fl, args); !ok {
		return code
	}
	if fi, err := os.Stat(*root); err != nil || !fi.IsDir() {
		fmt.Fprintf(e.stderr, "ventctl doctor: -root %s is not a directory: give / for this Pi, or where the card's root file system is mounted (lsblk shows it)\n", *root)
		return exitUsage
	}
	d := &doctor{root: *root, user: *user, w: e.stdout, ctx: e.context()}
	d.clockSynced = d.markerSynced
	if filepath.Clean(*root) == "/" {
		d.clockSynced = kernelSynced
	}
	given := false
	fl.Visit(func(f *flag.Flag) { given = given || f.Name == "config" })
	if *sim && !given {
		*cfgPath = ""
		d.cfg = config.Sim()
		fmt.Fprintf(e.stdout, "ventctl doctor: the simulated room on %s\n", *root)
	} else {
		fmt.Fprintf(e.stdout, "ventctl doctor: %s on %s\n", *cfgPath, *root)
		var err error
		if d.cfg, err = config.Load(d.path(*cfgPath)); err != nil {
			d.fail("config", fmt.Sprintf("%s: %v", *cfgPath, err), "fix each line named; `ventd -check-config -config "+*cfgPath+"` lists them all")
		}
	}
	d.bootConfig()
	d.accounts(e.env("SUDO_USER"), e.env("USER"))
	d.files(*cfgPath)
	d.timeZone(e.now())
	// /dev, /sys and /run exist only on a running system: on an SD card
	// mounted elsewhere they are empty, and nothing there can be checked.
	if d.offline("/dev") {
		d.skip("devices", "/dev")
	} else {
		d.devices()
	}
	if d.offline("/sys") {
		d.skip("pwm", "/sys")
	} else {
		d.pwm()
	}
	running, unknown := false, false
	if d.offline("/run") {
		d.skip("clock", "/run")
		d.stateDir()
		d.skip("service", "/run")
	} else {
		d.clock()
		d.stateDir()
		running, unknown = d.service(*socket)
	}
	switch {
	case d.cfg == nil:
	case running, unknown:
		// A socket that does not answer this user (not yet in group
		// ventd) may still have ventd behind it: probing the bus beside
		// it would corrupt its transfers and stop its SCD4x. Ask its
		// /api/state instead, which needs no group.
		d.sensorsFromDaemon(*stateURL)
	case filepath.Clean(*root) != "/" && !*sim:
		// The buses this machine has are not the card's: probing them
		// would report a bench's sensors as the card's, and stop any
		// SCD4x a running ventd here is reading.
		d.report("--", "sensors", "not probed: -root names another system; run ventctl doctor on the Pi itself", "")
	default:
		d.sensorsProbed(e, *cfgPath, *sim)
	}
	fmt.Fprintf(e.stdout, "%d problem(s), %d warning(s).\n", d.fails, d.warns)
	if d.fails > 0 {
		return exitFail
	}
	return exitOK
}

// doctor holds one run's findings.
type doctor struct {
	root, user  string
	cfg         *config.Config
	w           io.Writer
	ctx         context.Context
	clockSynced func() (bool, string)
	fails       int
	warns       int
}

// path is p under -root. A relative p is taken from the current
// directory, as every other command takes it, when -root is this system.
func (d *doctor) path(p string) string {
	if !filepath.IsAbs(p) && filepath.Clean(d.root) == "/" {
		return p
	}
	return filepath.Join(d.root, p)
}

func (d *doctor) report(level, what, detail, fix string) {
	fmt.Fprintf(d.w, "  %-4s  %-14s %s\n", level, what, detail)
	if fix != "" {
		fmt.Fprintf(d.w, "  %-4s  %-14s fix: %s\n", "", "", fix)
	}
}

func (d *doctor) ok(what, detail string) { d.report("ok", what, detail, "") }

// offline reports whether dir, a directory only a running system fills,
// is missing or empty under a -root other than this system's.
func (d *doctor) offline(dir string) bool {
	if filepath.Clean(d.root) == "/" {
		return false
	}
	entries, err := os.ReadDir(d.path(dir))
	return err != nil || len(entries) == 0
}

// skip says a check cannot be made on a system that is not running.
func (d *doctor) skip(what, dir string) {
	d.report("--", what, "not checkable offline: "+dir+" is empty under -root (a card mounted elsewhere); run ventctl doctor on the Pi itself", "")
}
func (d *doctor) fail(what, detail, fix string) {
	d.fails++
	d.report("FAIL", what, detail, fix)
}
func (d *doctor) warn(what, detail, fix string) {
	d.warns++
	d.report("warn", what, detail, fix)
}

// busNumber is the kernel bus number of a config bus name ("1",
// "/dev/i2c-1"), -1 for a name that is no kernel bus (a simulated one).
func busNumber(name string) int {
	n := strings.TrimPrefix(strings.TrimPrefix(name, "/dev/"), "i2c-")
	if v, err := strconv.Atoi(n); err == nil && v >= 0 {
		return v
	}
	return -1
}

// buses lists the kernel I2C buses the config uses, in order.
func (d *doctor) buses() []int {
	var out []int
	seen := map[int]bool{}
	add := func(name string) {
		if n := busNumber(name); n >= 0 && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	if d.cfg == nil {
		add("1")
		return out
	}
	for _, s := range d.cfg.Sensors {
		add(s.Bus)
	}
	for _, f := range d.cfg.Fans {
		if f.PCA9685 != nil {
			add(f.PCA9685.Bus)
		}
	}
	return out
}

// bootConfig reads config.txt for the I2C buses, the PWM overlay, the bus
// speed and the watchdog.
func (d *doctor) bootConfig() {
	var file string
	var lines []string
	for _, p := range []string{"/boot/firmware/config.txt", "/boot/config.txt"} {
		if b, err := os.ReadFile(d.path(p)); err == nil {
			file, lines = p, strings.Split(string(b), "\n")
			break
		}
	}
	if file == "" {
		d.fail("boot config", "no /boot/firmware/config.txt (nor /boot/config.txt)", "is this Raspberry Pi OS? mount the boot partition, or give -root")
		return
	}
	params, overlays := map[string]string{}, map[string]bool{}
	model := d.piModel()
	applies, filter, filterLine := true, "", 0
	var skipped []string // lines ventd needs, under a filter this Pi does not match
	for i, l := range lines {
		l, _, _ = strings.Cut(l, "#")
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "[") {
			// A conditional section: the firmware applies what follows
			// only on a matching board, up to the next section. Lines
			// appended after a stock file's [cm5] apply to a CM5 alone.
			filter, filterLine = l, i+1
			applies = sectionApplies(l, model)
			continue
		}
		kind, val, ok := strings.Cut(l, "=")
		if !ok || (kind != "dtparam" && kind != "dtoverlay") {
			continue
		}
		if !applies {
			if ventdsLine(kind, val) {
				skipped = append(skipped, fmt.Sprintf("%s (line %d, under %s from line %d)", l, i+1, filter, filterLine))
			}
			continue
		}
		switch kind {
		case "dtparam":
			for _, p := range strings.Split(val, ",") {
				k, v, _ := strings.Cut(p, "=")
				params[k] = v
			}
		case "dtoverlay":
			name, _, _ := strings.Cut(val, ",")
			overlays[name] = true
		}
	}
	if len(skipped) > 0 {
		board := "this Pi"
		if model != "" {
			board = "this Pi (" + model + ")"
		}
		d.warn("boot config", fmt.Sprintf("%s: %d line(s) apply only to other boards, not %s: %s", file, len(skipped), board, strings.Join(skipped, "; ")),
			"put a line [all] before ventd's lines in "+file+" (the firmware applies a line only under a section that matches the board) and reboot")
	}
	on := func(k string) bool {
		v, ok := params[k]
		return ok && (v == "" || v == "on" || v == "true" || v == "1")
	}
	for _, n := range d.buses() {
		switch {
		case n == 1 && (on("i2c_arm") || on("i2c1")):
			d.ok("boot config", fmt.Sprintf("%s: I2C bus 1 on", file))
		case n == 1:
			d.fail("boot config", fmt.Sprintf("%s: I2C bus 1 (GPIO2/GPIO3) is off", file), config.BusFix(1, file))
		case overlays[fmt.Sprintf("i2c%d", n)]:
			d.ok("boot config", fmt.Sprintf("%s: I2C bus %d on", file, n))
		default:
			if _, ok := config.BootI2CBus(n); ok {
				d.fail("boot config", fmt.Sprintf("%s: I2C bus %d is not enabled", file, n), config.BusFix(n, file))
			} else {
				// Bus 0, 2, 7: the site's own overlay (i2c-gpio, a mux)
				// may make it; the device check says whether it exists.
				d.warn("boot config", fmt.Sprintf("%s: I2C bus %d is not one ventd's boot config turns on", file, n), config.BusFix(n, file))
			}
		}
	}
	if rate, err := strconv.Atoi(params["i2c_arm_baudrate"]); err != nil || rate > 50000 {
		d.warn("boot config", "I2C bus 1 runs at 100 kHz", "for sensor cables over 1 m and the Pi's clock-stretching bug add dtparam=i2c_arm_baudrate=50000 to "+file)
	}
	if d.cfg != nil && d.usesSysfsPWM() {
		if overlays["pwm-2chan"] || overlays["pwm"] {
			d.ok("boot config", file+": kernel PWM on")
		} else {
			d.fail("boot config", file+": no kernel PWM for the fans (sysfs_pwm)", "add dtoverlay=pwm-2chan to "+file+" and reboot")
		}
	}
	if !on("watchdog") {
		d.warn("boot config", "the hardware watchdog is off: a hung Pi stays hung", "add dtparam=watchdog=on to "+file+", then: sudo install -D -m 0644 /usr/share/ventd/hardware-watchdog.conf /etc/systemd/system.conf.d/ventd-watchdog.conf && sudo reboot")
	}
}

// ventdsLine reports whether a dtparam or dtoverlay line is one of those
// doctor checks (the I2C buses, their speed, the kernel PWM, the
// watchdog): a stock file's [cm5] dtoverlay=dwc2 is no concern of ventd's.
func ventdsLine(kind, val string) bool {
	name, _, _ := strings.Cut(val, ",")
	name, _, _ = strings.Cut(name, "=")
	if kind == "dtoverlay" {
		return name == "pwm" || name == "pwm-2chan" || strings.HasPrefix(name, "i2c")
	}
	return name == "i2c_arm" || name == "i2c1" || name == "i2c_arm_baudrate" || name == "watchdog"
}

// piModel is the board's name as the firmware gives it ("Raspberry Pi 4
// Model B Rev 1.4"), or "" off a Pi.
func (d *doctor) piModel() string {
	b, err := os.ReadFile(d.path("/proc/device-tree/model"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(strings.TrimRight(string(b), "\x00"))
}

// boardFilters are config.txt's model filters and the words of the
// board's model that each matches (the firmware's documentation lists
// them; [pi4] takes in the 400 and the CM4, [pi5] the 500 and the CM5).
var boardFilters = map[string][]string{
	"pi1": {"Raspberry Pi Model", "Raspberry Pi Compute Module Rev"}, "pi2": {"Raspberry Pi 2"},
	"pi3": {"Raspberry Pi 3", "Compute Module 3"}, "pi3+": {"Raspberry Pi 3 Model B Plus", "Raspberry Pi 3 Model A Plus"},
	"pi4": {"Raspberry Pi 4", "Raspberry Pi 400", "Compute Module 4"}, "pi400": {"Raspberry Pi 400"}, "cm4": {"Compute Module 4"},
	"pi5": {"Raspberry Pi 5", "Raspberry Pi 500", "Compute Module 5"}, "pi500": {"Raspberry Pi 500"}, "cm5": {"Compute Module 5"},
	"pi0": {"Raspberry Pi Zero"}, "pi0w": {"Raspberry Pi Zero W", "Raspberry Pi Zero 2 W"}, "pi02": {"Raspberry Pi Zero 2"},
}

// sectionApplies reports whether the lines under a config.txt section
// header apply on the board named model. [all] always does, [none] never;
// a model filter does when it names this board; any other filter (EDID,
// GPIO, serial number, a board ventd does not know, or an unknown board)
// is taken as not applying, so doctor warns rather than vouching for a
// line the firmware may skip.
func sectionApplies(header, model string) bool {
	for _, f := range strings.Split(strings.Trim(header, "[]"), "][") {
		f = strings.ToLower(strings.TrimSpace(f))
		if f == "all" {
			continue
		}
		words, ok := boardFilters[f]
		if !ok || model == "" || !slices.ContainsFunc(words, func(w string) bool { return strings.Contains(model, w) }) {
			return false
		}
	}
	return true
}

func (d *doctor) usesSysfsPWM() bool {
	for _, f := range d.cfg.Fans {
		if f.SysfsPWM != nil {
			return true
		}
	}
	return false
}

// accounts checks the service's user and its groups, and whether the
// person running doctor can reach the control socket.
func (d *doctor) accounts(sudoUser, user string) {
	users, groups := readAccounts(d.path("/etc/passwd")), readAccounts(d.path("/etc/group"))
	u, ok := users[d.user]
	if !ok {
		d.fail("user", fmt.Sprintf("no user %s in /etc/passwd", d.user), "install the ventd package, which creates it")
		return
	}
	for _, g := range []string{"i2c", "gpio"} {
		switch e, ok := groups[g]; {
		case !ok:
			d.fail("groups", fmt.Sprintf("no group %s", g), fmt.Sprintf("sudo groupadd --system %s, then reinstall ventd (its udev rules give %s the devices)", g, g))
		case !member(e, u, d.user):
			d.fail("groups", fmt.Sprintf("%s is not in group %s", d.user, g), fmt.Sprintf("sudo usermod -aG %s %s && sudo systemctl restart ventd", g, d.user))
		default:
			d.ok("groups", fmt.Sprintf("%s is in group %s", d.user, g))
		}
	}
	who := sudoUser
	if who == "" {
		who = user
	}
	if e, ok := groups["ventd"]; ok && who != "" && who != "root" && who != d.user && !member(e, users[who], who) {
		d.warn("groups", fmt.Sprintf("%s is not in group ventd: ventctl purge, ack, calibrate and export need it", who), fmt.Sprintf("sudo usermod -aG ventd %s, then log in again", who))
	}
}

// readAccounts maps names to the fields of /etc/passwd or /etc/group.
func readAccounts(path string) map[string][]string {
	out := map[string][]string{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fs := strings.Split(sc.Text(), ":"); len(fs) >= 4 {
			out[fs[0]] = fs
		}
	}
	return out
}

// member reports whether a user (its passwd fields) is in a group (its
// group fields), by name or as its primary group.
func member(group, user []string, name string) bool {
	if len(user) > 3 && user[3] == group[2] {
		return true
	}
	for _, m := range strings.Split(group[3], ",") {
		if m == name {
			return true
		}
	}
	return false
}

// gid returns a group's id from /etc/group, -1 if it has none.
func (d *doctor) gid(name string) int {
	if g, ok := readAccounts(d.path("/etc/group"))[name]; ok {
		if n, err := strconv.Atoi(g[2]); err == nil {
			return n
		}
	}
	return -1
}

// devices checks the I2C and GPIO device nodes: present, and usable by
// their group.
func (d *doctor) devices() {
	check := func(dev, group, fix string) {
		fi, err := os.Stat(d.path(dev))
		if errors.Is(err, os.ErrNotExist) {
			d.fail("devices", dev+" missing", fix)
			return
		}
		if err != nil {
			d.fail("devices", fmt.Sprintf("cannot check %s: %v", dev, err), "run ventctl doctor with sudo")
			return
		}
		st, _ := fi.Sys().(*syscall.Stat_t)
		if st == nil || int(st.Gid) != d.gid(group) || fi.Mode().Perm()&0o060 != 0o060 {
			d.fail("devices", fmt.Sprintf("%s is not read-write for group %s (mode %v)", dev, group, fi.Mode().Perm()),
				"the udev rules are missing: reinstall ventd (/usr/lib/udev/rules.d/60-ventd.rules), then sudo udevadm trigger")
			return
		}
		d.ok("devices", fmt.Sprintf("%s present, group %s", dev, group))
	}
	for _, n := range d.buses() {
		check(fmt.Sprintf("/dev/i2c-%d", n), "i2c", fmt.Sprintf("I2C bus %d is not enabled: see the boot config check, and reboot after changing it", n))
	}
	if d.cfg == nil || len(d.pins()) == 0 {
		return
	}
	check("/dev/gpiochip0", "gpio", "no GPIO character device: is this a Raspberry Pi?")
	// A button or tach on an I2C bus's pin takes the bus down with it.
	for _, n := range d.buses() {
		scl, sda, err := i2cclear.PiPins(n)
		if err != nil {
			continue
		}
		for _, p := range d.pins() {
			if strings.EqualFold(p, scl) || strings.EqualFold(p, sda) {
				d.fail("pins", fmt.Sprintf("%s is a pin of I2C bus %d (SCL %s, SDA %s)", p, n, scl, sda), "move that wire to a free GPIO (GPIO16, GPIO17, GPIO26, GPIO27) and change the config")
			}
		}
	}
}

// pins lists the GPIOs the config uses.
func (d *doctor) pins() []string {
	var out []string
	for _, f := range d.cfg.Fans {
		if f.Tach != nil {
			out = append(out, f.Tach.Pin)
		}
		if f.Relay != nil {
			out = append(out, f.Relay.Pin)
		}
		if f.GPIOPWM != nil {
			out = append(out, f.GPIOPWM.Pin)
		}
	}
	if b := d.cfg.PurgeButton; b != nil {
		out = append(out, b.Pin)
	}
	if a := d.cfg.AlarmOutput; a != nil {
		out = append(out, a.Pin)
	}
	return out
}

// pwm checks each sysfs_pwm fan's chip: exported by the kernel, with the
// channel, and its export file writable by group gpio.
func (d *doctor) pwm() {
	if d.cfg == nil {
		return
	}
	for _, f := range d.cfg.Fans {
		p := f.SysfsPWM
		if p == nil {
			continue
		}
		chip := fmt.Sprintf("/sys/class/pwm/pwmchip%d", p.Chip)
		b, err := os.ReadFile(d.path(chip + "/npwm"))
		n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		switch {
		case err != nil:
			d.fail("pwm", fmt.Sprintf("fan %s: %s missing", f.Name, chip), "add dtoverlay=pwm-2chan to config.txt and reboot; `ls /sys/class/pwm` shows the chips there are (a Pi 5's may have another number)")
			continue
		case p.Channel >= n:
			d.fail("pwm", fmt.Sprintf("fan %s: %s has %d channel(s), the config names channel %d", f.Name, chip, n, p.Channel), "use channel 0 (GPIO18) or 1 (GPIO19) with pwm-2chan")
			continue
		}
		fi, err := os.Stat(d.path(chip + "/export"))
		var st *syscall.Stat_t
		if err == nil {
			st, _ = fi.Sys().(*syscall.Stat_t)
		}
		if err != nil || st == nil || int(st.Gid) != d.gid("gpio") || fi.Mode().Perm()&0o020 == 0 {
			d.fail("pwm", fmt.Sprintf("fan %s: %s/export is not writable by group gpio", f.Name, chip), "the udev rules are missing: reinstall ventd, then sudo udevadm trigger --subsystem-match=pwm")
			continue
		}
		d.ok("pwm", fmt.Sprintf("fan %s: %s channel %d, group gpio", f.Name, chip, p.Channel))
	}
}

// kernelSynced asks the kernel whether the clock is synchronised, as ventd
// does before it writes the journal.
func kernelSynced() (bool, string) {
	var tx unix.Timex
	state, err := unix.Adjtimex(&tx)
	if err != nil {
		return false, "adjtimex: " + err.Error()
	}
	if state == unix.TIME_ERROR || tx.Status&unix.STA_UNSYNC != 0 {
		return false, "the kernel reports the clock unsynchronised"
	}
	return true, "the kernel reports the clock synchronised"
}

// markerSynced is the clock check of a system that is not running here:
// systemd-timesyncd's marker file.
func (d *doctor) markerSynced() (bool, string) {
	if _, err := os.Stat(d.path("/run/systemd/timesync/synchronized")); err != nil {
		return false, "no /run/systemd/timesync/synchronized"
	}
	return true, "systemd-timesyncd has synchronised the clock"
}

func (d *doctor) clock() {
	if ok, note := d.clockSynced(); ok {
		d.ok("clock", note)
	} else {
		d.fail("clock", "not synchronised ("+note+"): exposure records get wrong times", "a Pi has no battery clock: give it network time (timedatectl status; an NTP server the site network reaches in /etc/systemd/timesyncd.conf)")
	}
}

// stateDir checks the journal's directory: owned and writable by the
// service's user, with room on the card.
func (d *doctor) stateDir() {
	dir := config.DefaultStateDir
	if d.cfg != nil && d.cfg.StateDir != "" {
		dir = d.cfg.StateDir
	}
	if filepath.Clean(dir) != config.DefaultStateDir {
		// ProtectSystem=strict: the unit can write its StateDirectory and
		// nothing else, so a journal elsewhere is read-only to the service.
		d.warn("state dir", dir+" is not "+config.DefaultStateDir+": the packaged service may write only its own state directory",
			"sudo systemctl edit ventd, and add under [Service]: ReadWritePaths="+dir)
	}
	fi, err := os.Stat(d.path(dir))
	if errors.Is(err, os.ErrNotExist) {
		d.warn("state dir", dir+" does not exist yet", "systemd creates it when ventd first starts (StateDirectory=ventd); a state_dir elsewhere: sudo install -d -o ventd -g ventd -m 0750 "+dir)
		return
	}
	if err != nil {
		d.fail("state dir", fmt.Sprintf("cannot check %s: %v", dir, err), "run ventctl doctor with sudo")
		return
	}
	st, _ := fi.Sys().(*syscall.Stat_t)
	uid := -1
	if u, ok := readAccounts(d.path("/etc/passwd"))[d.user]; ok {
		uid, _ = strconv.Atoi(u[2])
	}
	if err != nil || st == nil || int(st.Uid) != uid || fi.Mode().Perm()&0o200 == 0 {
		d.fail("state dir", fmt.Sprintf("%s is not writable by %s: the exposure journal cannot be kept", dir, d.user), fmt.Sprintf("sudo chown -R %s:%s %s && sudo chmod u+rwx %s", d.user, d.user, dir, dir))
		return
	}
	var fs unix.Statfs_t
	if unix.Statfs(d.path(dir), &fs) == nil {
		if free := fs.Bavail * uint64(fs.Bsize); free < 200<<20 {
			d.warn("state dir", fmt.Sprintf("%s: %d MiB free", dir, free>>20), "the journal needs up to journal.max_size_mb (512 MiB): free space on the card")
			return
		}
	}
	d.ok("state dir", dir+" writable by "+d.user)
}

// service checks that ventd is enabled and answers on its socket, and
// reports whether it runs, or that it cannot tell.
func (d *doctor) service(socket string) (running, unknown bool) {
	if _, err := os.Lstat(d.path("/etc/systemd/system/multi-user.target.wants/ventd.service")); err != nil {
		d.warn("service", "ventd is not enabled: it will not start at boot", "sudo systemctl enable ventd")
	}
	ctx, cancel := context.WithTimeout(d.ctx, 5*time.Second)
	defer cancel()
	pid, err := ctlsock.Dial(d.path(socket)).Ping(ctx)
	switch {
	case err == nil:
		d.ok("service", fmt.Sprintf("ventd is running (pid %d); its control socket %s answers", pid, socket))
		return true, false
	case errors.Is(err, ctlsock.ErrNoDaemon):
		d.fail("service", "ventd is not running (nothing answers on "+socket+")", "sudo systemctl start ventd; if it stops again, journalctl -u ventd -e says why")
	default:
		d.fail("service", fmt.Sprintf("the control socket %s does not answer: %v", socket, err), "be root or in group ventd (sudo usermod -aG ventd $USER, then log in again)")
		return false, true
	}
	return false, false
}
