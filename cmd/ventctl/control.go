package main

import (
	"flag"
	"fmt"
	"os/user"
	"strings"

	"github.com/ventd/ventd/ctlsock"
)

// socketFlags are the flags every command through the control socket
// takes.
type socketFlags struct {
	socket, who string
}

func (s *socketFlags) add(fl *flag.FlagSet, e env) {
	fl.StringVar(&s.socket, "socket", ctlsock.DefaultPath, "ventd's control socket `path` (ventd -control-socket)")
	fl.StringVar(&s.who, "who", invoker(e), "`name` recorded as having done it: your login name, or $SUDO_USER under sudo, unless given")
}

// invoker is the person at the shell: under sudo, who ran sudo.
func invoker(e env) string {
	for _, k := range []string{"SUDO_USER", "USER"} {
		if v := e.env(k); v != "" {
			return v
		}
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}

// check says what is missing before anything is sent.
func (s *socketFlags) check(cmd string) error {
	if strings.TrimSpace(s.who) == "" {
		return fmt.Errorf("ventctl %s: say who you are with -who NAME: every action is recorded with a name", cmd)
	}
	if s.socket == "" {
		return fmt.Errorf("ventctl %s: -socket is empty: give ventd's control socket path (default %s)", cmd, ctlsock.DefaultPath)
	}
	return nil
}

func runPurge(args []string, e env) int {
	fl := flag.NewFlagSet("ventctl purge", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	var s socketFlags
	s.add(fl, e)
	zone := fl.String("zone", "", "`zone` (booth) to purge; default every booth")
	cancel := fl.Bool("cancel", false, "end a purge early instead of starting one")
	reason := fl.String("reason", "", "why (kept in the journal), e.g. \"overdose in booth 2\"")
	if code, ok := parse(fl, args); !ok {
		return code
	}
	if err := s.check("purge"); err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUsage
	}
	cl := ctlsock.Dial(s.socket)
	var res string
	var err error
	if *cancel {
		res, err = cl.CancelPurge(e.context(), *zone, s.who)
	} else {
		res, err = cl.Purge(e.context(), *zone, s.who, *reason)
	}
	if err != nil {
		return failed(e, "purge", err)
	}
	fmt.Fprintf(e.stdout, "%s (journaled as done by %s)\n", res, s.who)
	return exitOK
}

func runAck(args []string, e env) int {
	fl := flag.NewFlagSet("ventctl ack", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	var s socketFlags
	s.add(fl, e)
	id := fl.Uint64("id", 0, "the alarm's `id` (/api/state lists the active alarms)")
	all := fl.Bool("all", false, "acknowledge every active alarm")
	note := fl.String("note", "", "a `note` kept with the acknowledgement (what was done)")
	if code, ok := parse(fl, args); !ok {
		return code
	}
	if (*id == 0) == !*all {
		fmt.Fprintln(e.stderr, "ventctl ack: give -id N (an active alarm's id, from /api/state) or -all, one of them")
		return exitUsage
	}
	if err := s.check("ack"); err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUsage
	}
	res, err := ctlsock.Dial(s.socket).Acknowledge(e.context(), *id, s.who, *note)
	if err != nil {
		return failed(e, "ack", err)
	}
	fmt.Fprintf(e.stdout, "%s, as %s\n", res, s.who)
	return exitOK
}

// kindFirst moves kind to the front of args when it comes after flags
// (ventctl calibrate -socket S co2 ...), as people type it; a word that
// is a flag's value (-sensor co2) stays. valued names the flags that take
// a value.
func kindFirst(args []string, kind string, valued map[string]bool) []string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == kind {
			if i == 0 {
				return args
			}
			return append(append([]string{kind}, args[:i]...), args[i+1:]...)
		}
		if !strings.HasPrefix(a, "-") || a == "--" {
			return args // a word that is not the kind: said as before
		}
		if name := strings.TrimLeft(a, "-"); !strings.Contains(name, "=") && valued[name] {
			i++ // its value is the next word
		}
	}
	return args
}

func runCalibrate(args []string, e env) int {
	const usage = "ventctl calibrate: say what to calibrate: ventctl calibrate co2 -sensor NAME -ppm 420 (CO2 sensors are the ones that take a calibration)"
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		args = []string{"co2", "-help"} // the one kind there is: its flags
	}
	args = kindFirst(args, "co2", map[string]bool{"socket": true, "who": true, "sensor": true, "ppm": true, "note": true})
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(e.stderr, usage)
		return exitUsage
	}
	if args[0] != "co2" {
		fmt.Fprintf(e.stderr, "ventctl calibrate %s: only co2 can be calibrated: ventctl calibrate co2 -sensor NAME -ppm 420\n", args[0])
		return exitUsage
	}
	fl := flag.NewFlagSet("ventctl calibrate co2", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	var s socketFlags
	s.add(fl, e)
	sensor := fl.String("sensor", "", "the CO2 sensor's `name` in the configuration")
	ppm := fl.Int("ppm", 0, "the CO2 `ppm` of the air the sensor sits in now: about 420 outdoors, or a reference instrument's reading")
	note := fl.String("note", "", "a `note` kept with the calibration (how the reference was taken)")
	force := fl.Bool("force", false, "recalibrate even when the reference is more than 400 ppm from what the sensor reads (a reference instrument says so)")
	if code, ok := parse(fl, args[1:]); !ok {
		return code
	}
	switch {
	case *sensor == "":
		fmt.Fprintln(e.stderr, "ventctl calibrate co2: give -sensor NAME, the CO2 sensor's name in the configuration")
		return exitUsage
	case *ppm == 0:
		fmt.Fprintln(e.stderr, "ventctl calibrate co2: give -ppm N, the CO2 of the air the sensor sits in (about 420 outdoors); let it measure 3 minutes in that steady air first")
		return exitUsage
	case *ppm < ctlsock.MinReferencePPM || *ppm > ctlsock.MaxReferencePPM:
		fmt.Fprintf(e.stderr, "ventctl calibrate co2: -ppm %d: give the CO2 of the air the sensor sits in now, %d to %d ppm (outdoor air is about 420)\n", *ppm, ctlsock.MinReferencePPM, ctlsock.MaxReferencePPM)
		return exitUsage
	}
	if err := s.check("calibrate"); err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUsage
	}
	corr, err := ctlsock.Dial(s.socket).Calibrate(e.context(), *sensor, *ppm, *force, s.who, *note)
	if err != nil {
		return failed(e, "calibrate", err)
	}
	fmt.Fprintf(e.stdout, "%s recalibrated to %d ppm: the sensor corrected itself by %+d ppm; journaled as done by %s\n", *sensor, *ppm, corr, s.who)
	return exitOK
}

// failed prints the daemon's (or the connection's) error.
func failed(e env, cmd string, err error) int {
	fmt.Fprintf(e.stderr, "ventctl %s: %v\n", cmd, err)
	return exitFail
}
