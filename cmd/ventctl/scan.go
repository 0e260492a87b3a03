package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/ctlsock"
)

// runScan probes one I2C bus (or every simulated bus) and prints what
// answers, with ids and serials, next to what the config expects there.
func runScan(args []string, e env) int {
	fl := flag.NewFlagSet("ventctl scan", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	busName := fl.String("bus", "", "I2C `bus` to scan: 1 is the Pi's header pins, 3-6 the Pi 4/5's extra buses (default 1; with -sim every simulated bus)")
	sim := fl.Bool("sim", false, "scan the simulated room's buses instead of the hardware")
	cfgPath := fl.String("config", "", "ventd's configuration `file`, to show which configured sensor each address is (with -sim: the room to simulate)")
	identify := fl.Bool("identify", true, "read each known part's id and serial; false probes with one-byte reads only, sending no command (for a bus with parts that share Sensirion addresses, such as an MCP4725 DAC at 0x62)")
	socket := fl.String("socket", ctlsock.DefaultPath, "ventd's control socket `path`: scan refuses while ventd answers there ('' skips the check)")
	if code, ok := parse(fl, args); !ok {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintln(e.stderr, "ventctl scan:", err)
		return exitFail
	}
	b, err := openBench(e.context(), e, "scan", *cfgPath, *sim, false, *socket)
	if err != nil {
		return fail(err)
	}
	defer b.close()
	names := []string{*busName}
	if *busName == "" {
		names = []string{"1"}
		if *sim {
			names = simBuses(b.cfg)
		}
	}
	missing := 0
	for i, name := range names {
		bus, err := b.hw.Bus(config.Sensor{Name: "scan", Bus: name})
		if err != nil {
			if *sim {
				err = fmt.Errorf("%w (the simulated room's buses: %s)", err, strings.Join(simBuses(b.cfg), ", "))
			}
			return fail(err)
		}
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		missing += printScan(e.stdout, name, bus, probeBus(bus, b.clk.Sleep, *identify), b.cfg, *identify)
	}
	if missing > 0 {
		// A script (or doctor's caller) tells a bus with a configured
		// part missing from a good one by the exit code alone.
		fmt.Fprintf(e.stderr, "ventctl scan: %d configured part(s) did not answer\n", missing)
		return exitFail
	}
	return exitOK
}

// simBuses lists the buses of the config's sensors, as the rig builds them.
func simBuses(cfg *config.Config) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range cfg.Sensors {
		if !seen[s.Bus] {
			seen[s.Bus] = true
			out = append(out, s.Bus)
		}
	}
	sort.Strings(out)
	return out
}

// printScan prints the table for one bus, then the configured parts that
// did not answer, and returns how many are missing. Without identify, a
// Sensirion sensor that refused the bare read is not called missing: it
// may well be there.
func printScan(w io.Writer, name string, bus i2c.Bus, fs []found, cfg *config.Config, identify bool) (missing int) {
	sensirion := map[uint16]bool{}
	expect := map[uint16][]string{}
	var behindMux []string
	if cfg != nil {
		for _, s := range cfg.Sensors {
			switch {
			case s.Bus != name:
			case s.Mux != nil:
				behindMux = append(behindMux, fmt.Sprintf("%s (%s at %s, mux %s channel %d)", s.Name, s.Type, s.Address, s.Mux.Address, s.Mux.Channel))
				expect[uint16(s.Mux.Address)] = appendOnce(expect[uint16(s.Mux.Address)], "mux of "+s.Name)
			default:
				expect[uint16(s.Address)] = append(expect[uint16(s.Address)], fmt.Sprintf("%s (%s)", s.Name, s.Type))
				sensirion[uint16(s.Address)] = true
			}
		}
		for _, f := range cfg.Fans {
			if p := f.PCA9685; p != nil && p.Bus == name {
				expect[uint16(p.Address)] = appendOnce(expect[uint16(p.Address)], "PWM board of "+f.Name)
			}
		}
	}
	fmt.Fprintf(w, "I2C bus %s (%s):\n", name, bus)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  address\tpart\tserial\tconfigured\tnote")
	answered := map[uint16]bool{}
	for _, f := range fs {
		answered[f.addr] = true
		fmt.Fprintf(tw, "  0x%02x\t%s\t%s\t%s\t%s\n", f.addr, f.part, dash(f.serial), dash(strings.Join(expect[f.addr], ", ")), f.note)
	}
	tw.Flush()
	fmt.Fprintf(w, "  %d address(es) answered.\n", len(fs))
	var addrs []int
	for a := range expect {
		if !answered[a] {
			addrs = append(addrs, int(a))
		}
	}
	sort.Ints(addrs)
	for _, a := range addrs {
		if !identify && sensirion[uint16(a)] {
			fmt.Fprintf(w, "  not seen at 0x%02x: %s: no answer to a bare read, which a Sensirion sensor may refuse; without -identify=false the scan asks its id\n", a, strings.Join(expect[uint16(a)], ", "))
			continue
		}
		fmt.Fprintf(w, "  MISSING at 0x%02x: %s: no answer; check its cable, power and address\n", a, strings.Join(expect[uint16(a)], ", "))
		missing++
	}
	for _, m := range behindMux {
		fmt.Fprintf(w, "  not scanned, behind a mux: %s (scanning through a mux would switch its channels)\n", m)
	}
	return missing
}

func appendOnce(l []string, s string) []string {
	for _, v := range l {
		if v == s {
			return l
		}
	}
	return append(l, s)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
