package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// files checks the files ventd reads when it starts: its config and the
// MQTT files the config names. The service's user must be able to read
// each (ventd stops at start otherwise, and doctor, run with sudo, reads
// them all the same); one holding a secret must not be readable by every
// user of the Pi.
func (d *doctor) files(cfgPath string) {
	if !filepath.IsAbs(cfgPath) {
		return // a file tried by hand, not the service's
	}
	pin := d.cfg != nil && d.cfg.Page.PINHash != ""
	d.file("config", cfgPath, pin, "the staff PIN's hash (page.pin_hash): a 6-digit PIN is searched from it in hours")
	if d.cfg == nil || d.cfg.MQTT == nil {
		return
	}
	m := d.cfg.MQTT
	d.file("mqtt", m.PasswordFile, true, "the broker password")
	d.file("mqtt", m.KeyFile, true, "the client certificate's private key")
	d.file("mqtt", m.CertFile, false, "")
	d.file("mqtt", m.CAFile, false, "")
}

// file checks one file the service reads; secret says what it holds
// when that must stay from other users.
func (d *doctor) file(what, p string, isSecret bool, secret string) {
	if p == "" {
		return
	}
	const fix = "sudo chgrp ventd %s && sudo chmod 0640 %s"
	for _, dir := range []string{"/home", "/root", "/run/user"} {
		if strings.HasPrefix(filepath.Clean(p)+"/", dir+"/") {
			d.fail(what, fmt.Sprintf("%s is under %s, which the service cannot see (ProtectHome=yes)", p, dir),
				fmt.Sprintf("move it to /etc/ventd/, then: "+fix, p, p))
			return
		}
	}
	fi, err := os.Stat(d.path(p))
	if errors.Is(err, os.ErrNotExist) {
		d.fail(what, p+" does not exist: ventd stops at start", "create it, then: "+fmt.Sprintf(fix, p, p))
		return
	}
	var st *syscall.Stat_t
	if err == nil {
		st, _ = fi.Sys().(*syscall.Stat_t)
	}
	if st == nil {
		d.fail(what, fmt.Sprintf("cannot check %s: %v", p, err), "run ventctl doctor with sudo")
		return
	}
	owner := fmt.Sprintf("%s:%s %04o", d.nameOf("/etc/passwd", int(st.Uid)), d.nameOf("/etc/group", int(st.Gid)), fi.Mode().Perm())
	if _, ok := readAccounts(d.path("/etc/passwd"))[d.user]; !ok {
		// "readable by ventd" would be said of a user that is not there.
		d.fail(what, fmt.Sprintf("%s (%s): no user %s in /etc/passwd to read it", p, owner, d.user), "install the ventd package, which creates the user")
		return
	}
	if !d.canRead(fi.Mode().Perm(), int(st.Uid), int(st.Gid)) {
		d.fail(what, fmt.Sprintf("%s is not readable by %s (%s): ventd stops at start with \"permission denied\"", p, d.user, owner), fmt.Sprintf(fix, p, p))
		return
	}
	if isSecret && fi.Mode().Perm()&0o004 != 0 {
		d.warn(what, fmt.Sprintf("%s is readable by every user of this Pi (%s), and it holds %s", p, owner, secret), fmt.Sprintf(fix, p, p))
		return
	}
	d.ok(what, fmt.Sprintf("%s readable by %s (%s)", p, d.user, owner))
}

// canRead reports whether the service's user may read a file of the
// given mode and owners, as the kernel decides: the owner's bits for its
// owner, the group's for a member of its group, the others' for the rest.
func (d *doctor) canRead(mode os.FileMode, uid, gid int) bool {
	u, ok := readAccounts(d.path("/etc/passwd"))[d.user]
	if !ok {
		return true // said by the accounts check
	}
	if n, _ := strconv.Atoi(u[2]); n == 0 {
		return true
	} else if n == uid {
		return mode&0o400 != 0
	}
	for _, g := range readAccounts(d.path("/etc/group")) {
		if n, err := strconv.Atoi(g[2]); err == nil && n == gid && member(g, u, d.user) {
			return mode&0o040 != 0
		}
	}
	return mode&0o004 != 0
}

// nameOf is the account name of id in /etc/passwd or /etc/group under
// -root, or the id itself.
func (d *doctor) nameOf(file string, id int) string {
	b, _ := os.ReadFile(d.path(file))
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Split(l, ":"); len(f) >= 4 && f[2] == strconv.Itoa(id) {
			return f[0] // the first, as ls names it
		}
	}
	return strconv.Itoa(id)
}

// timeZone compares the zone the shifts follow with this Pi's own. The
// example config names America/Vancouver; a site elsewhere that keeps it
// gets shift boundaries, and the report's times, hours off, and nothing
// else would say so.
func (d *doctor) timeZone(now time.Time) {
	if d.cfg == nil {
		return
	}
	tz := d.cfg.Shifts.TimeZone
	pi := d.localZone()
	switch {
	case tz == "Local" && pi != "":
		d.ok("time zone", "shifts follow this Pi's zone, "+pi)
	case tz == "Local":
		d.ok("time zone", "shifts follow this Pi's zone (/etc/localtime)")
	case pi == "":
		d.ok("time zone", "shifts follow "+tz+" (shifts.time_zone)")
	default:
		cfgLoc, err1 := time.LoadLocation(tz)
		piLoc, err2 := time.LoadLocation(pi)
		if err1 != nil || err2 != nil {
			d.ok("time zone", "shifts follow "+tz+" (shifts.time_zone)")
			return
		}
		_, off := now.In(cfgLoc).Zone()
		_, piOff := now.In(piLoc).Zone()
		if off == piOff {
			d.ok("time zone", fmt.Sprintf("shifts follow %s; this Pi's zone is %s", tz, pi))
			return
		}
		d.warn("time zone", fmt.Sprintf("shifts follow %s (shifts.time_zone, now UTC%s) but this Pi's zone is %s (UTC%s): shift boundaries and the report's times are %s's", tz, utcOffset(off), pi, utcOffset(piOff), tz),
			fmt.Sprintf("if the site is not in %s, set shifts.time_zone to the site's zone (timedatectl list-timezones) or to Local, and the Pi's with sudo timedatectl set-timezone", tz))
	}
}

// localZone is this system's IANA zone name from the /etc/localtime link,
// or /etc/timezone; "" when neither names one.
func (d *doctor) localZone() string {
	if p, err := os.Readlink(d.path("/etc/localtime")); err == nil {
		if i := strings.LastIndex(p, "zoneinfo/"); i >= 0 {
			return p[i+len("zoneinfo/"):]
		}
	}
	b, _ := os.ReadFile(d.path("/etc/timezone"))
	return strings.TrimSpace(string(b))
}

// utcOffset writes a zone offset in seconds as +HH:MM.
func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	return fmt.Sprintf("%s%02d:%02d", sign, sec/3600, sec%3600/60)
}
