package main

import (
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ventd/ventd/ctlsock"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/sensor"
)

// runRead opens every configured sensor through ventd's own sensor layer
// (the same drivers, calibration factors, range checks, warm-up and gas
// index) and prints its readings each period, so ventctl read and ventd
// show the same values for the same sensor.
func runRead(args []string, e env) int {
	fl := flag.NewFlagSet("ventctl read", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	cfgPath := fl.String("config", "", "ventd's configuration `file`: the sensors to read (with -sim: the room to simulate; default its built-in room)")
	sim := fl.Bool("sim", false, "read the simulated room's sensors instead of the hardware")
	n := fl.Int("n", 5, "print `COUNT` rounds of readings, then stop (Ctrl-C stops early)")
	socket := fl.String("socket", ctlsock.DefaultPath, "ventd's control socket `path`: read refuses while ventd answers there ('' skips the check)")
	if code, ok := parse(fl, args); !ok {
		return code
	}
	if *n < 1 {
		fmt.Fprintf(e.stderr, "ventctl read: -n %d: give how many rounds to print, 1 or more\n", *n)
		return exitUsage
	}
	ctx := e.context()
	b, err := openBench(ctx, e, "read", *cfgPath, *sim, true, *socket)
	if err != nil {
		fmt.Fprintln(e.stderr, "ventctl read:", err)
		return exitFail
	}
	defer b.close()
	if len(b.cfg.Sensors) == 0 {
		fmt.Fprintln(e.stderr, "ventctl read: the configuration has no sensors")
		return exitFail
	}
	// The learned VOC baseline is ventd's; a live read starts from scratch
	// (no saved state), and the stuck check needs longer than a read lasts.
	set, err := sensor.New(b.cfg.Sensors, b.hw.Bus, sensor.Opts{Clock: b.clk, Log: discard})
	if err != nil {
		fmt.Fprintln(e.stderr, "ventctl read:", err)
		return exitFail
	}
	defer set.Close() // idle, as ventd's own stop leaves them
	every := time.Second
	for _, sc := range b.cfg.Sensors {
		every = max(every, sc.Type.Period()) // print when the slowest has something new
	}
	fmt.Fprintf(e.stdout, "reading %d sensor(s) every %s, %d time(s)%s; values as ventd uses them (pm_calibration and co2_offset_ppm applied)\n",
		len(set.All()), every, *n, map[bool]string{true: " on the simulated room", false: " (Ctrl-C stops)"}[*sim])
	good := map[string]int{}
	poll := func() {
		b.advance()
		set.Update(b.clk.Now)
		// A sensor that answers counts as working even while warming up
		// (the VOC index's first minute, the SCD41's first 5 s): the exit
		// status says whether every sensor could be read.
		for _, s := range set.All() {
			if h := s.Health(); h.Up {
				// Answering, if not measuring yet (an SCD41 gives its
				// first CO2 after 5 s): the part and its wiring work.
				good[s.Name()]++
			}
		}
	}
	start := b.clk.Now()
	poll()
	for round := 1; round <= *n && ctx.Err() == nil; round++ {
		due := start.Add(time.Duration(round) * every)
		// Poll every second between prints, as the loop does: an SGP41
		// conditions and its index learns each second.
		for now := b.clk.Now(); now.Before(due) && ctx.Err() == nil; now = b.clk.Now() {
			b.clk.Sleep(min(time.Second, due.Sub(now)))
			poll()
		}
		printRound(e, b.clk.Now(), set)
	}
	var failed []string
	for _, s := range set.All() {
		if good[s.Name()] == 0 {
			failed = append(failed, s.Name())
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(e.stderr, "ventctl read: no answer from %s (see ERROR above; ventctl doctor checks the wiring and the buses)\n", strings.Join(failed, ", "))
		return exitFail
	}
	return exitOK
}

var labels = map[sample.Quantity]string{
	sample.PM1: "PM1.0", sample.PM25: "PM2.5", sample.PM4: "PM4.0", sample.PM10: "PM10",
	sample.CO2: "CO2", sample.Temperature: "T", sample.Humidity: "RH",
	sample.VOCIndex: "VOC index", sample.NOxIndex: "NOx index", sample.Pressure: "Δp",
}

func printRound(e env, now time.Time, set *sensor.Set) {
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, s := range set.All() {
		cfg, h := s.Config(), s.Health()
		var vals []string
		var at time.Time
		for _, smp := range s.Samples() {
			switch smp.Quality {
			case sample.Warmup:
				vals = append(vals, labels[smp.Quantity]+" warming up")
			case sample.OutOfRange:
				vals = append(vals, fmt.Sprintf("%s %.1f%s (out of range)", labels[smp.Quantity], smp.Value, smp.Quantity.Suffix()))
			default:
				vals = append(vals, fmt.Sprintf("%s %.1f%s", labels[smp.Quantity], smp.Value, smp.Quantity.Suffix()))
			}
			if smp.Time.After(at) {
				at = smp.Time
			}
		}
		line := strings.Join(vals, "  ")
		switch {
		case h.Error != "" && len(vals) > 0:
			line += fmt.Sprintf("  (from %s ago; now failing: %s)", now.Sub(at).Round(time.Second), h.Error)
		case h.Error != "":
			line = "ERROR " + h.Error
		case len(vals) == 0:
			line = fmt.Sprintf("waiting for its first measurement (every %s)", cfg.Type.Period())
		case now.Sub(at) > 2*cfg.Type.Period():
			line += fmt.Sprintf("  (no new reading for %s)", now.Sub(at).Round(time.Second))
		}
		where := fmt.Sprintf("%s %s", cfg.Bus, cfg.Address)
		if cfg.Mux != nil {
			where += fmt.Sprintf(" mux %s.%d", cfg.Mux.Address, cfg.Mux.Channel)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", now.Format("15:04:05"), cfg.Name, cfg.Type, where, dash(h.Serial), line)
	}
	tw.Flush()
}
