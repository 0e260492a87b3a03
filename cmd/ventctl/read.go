package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/ctlsock"
	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/sample"
)

// liveSensor is one configured sensor in a live read.
type liveSensor struct {
	cfg    config.Sensor
	dev    live
	opened bool
	serial string
	fields []field
	at     time.Time // of fields
	err    error     // of the last open or poll
	good   int       // readings so far
}

// runRead opens every configured sensor with ventd's drivers and prints
// its readings each period.
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

	var sensors []*liveSensor
	every := time.Second
	for _, sc := range b.cfg.Sensors {
		dev, err := newLive(sc)
		if err != nil {
			fmt.Fprintf(e.stderr, "ventctl read: sensor %s: %v\n", sc.Name, err)
			return exitFail
		}
		sensors = append(sensors, &liveSensor{cfg: sc, dev: dev})
		// Print when the slowest sensor has something new.
		every = max(every, sc.Type.Period())
	}
	defer func() {
		for _, s := range sensors {
			if s.opened {
				s.dev.halt() // idle, as ventd's own stop leaves them
			}
		}
	}()
	fmt.Fprintf(e.stdout, "reading %d sensor(s) every %s, %d time(s)%s; values as ventd uses them (pm_calibration and co2_offset_ppm applied)\n",
		len(sensors), every, *n, map[bool]string{true: " on the simulated room", false: " (Ctrl-C stops)"}[*sim])
	env := roomEnv{}
	poll := func() {
		b.advance()
		for _, s := range sensors {
			s.poll(b, env)
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
		printRound(e, b.clk.Now(), sensors)
	}
	for _, s := range sensors {
		if s.good == 0 {
			return exitFail
		}
	}
	return exitOK
}

// poll opens the sensor if it is not open yet, and reads it.
func (s *liveSensor) poll(b *bench, env roomEnv) {
	if !s.opened {
		bus, err := b.hw.Bus(s.cfg)
		if err == nil {
			s.serial, err = s.dev.open(bus, uint16(s.cfg.Address), b.clk)
		}
		if err != nil {
			s.err = err
			return
		}
		s.opened, s.err = true, nil
	}
	f, err := s.dev.poll(b.clk.Now(), env)
	switch {
	case errors.Is(err, sensirion.ErrNotReady):
	case err != nil:
		s.err = err
	default:
		s.fields, s.at, s.err = f, b.clk.Now(), nil
		s.good++
	}
}

var labels = map[sample.Quantity]string{
	sample.PM1: "PM1.0", sample.PM25: "PM2.5", sample.PM4: "PM4.0", sample.PM10: "PM10",
	sample.CO2: "CO2", sample.Temperature: "T", sample.Humidity: "RH",
	sample.VOCIndex: "VOC index", sample.NOxIndex: "NOx index", sample.Pressure: "Δp",
}

func printRound(e env, now time.Time, sensors []*liveSensor) {
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, s := range sensors {
		var vals []string
		for _, f := range s.fields {
			if f.note != "" {
				vals = append(vals, labels[f.q]+" "+f.note)
				continue
			}
			vals = append(vals, fmt.Sprintf("%s %.1f %s", labels[f.q], f.v, f.q.Unit()))
		}
		line := strings.Join(vals, "  ")
		switch {
		case s.err != nil && len(vals) > 0:
			line += fmt.Sprintf("  (from %s ago; now failing: %v)", now.Sub(s.at).Round(time.Second), s.err)
		case s.err != nil:
			line = "ERROR " + s.err.Error()
		case len(vals) == 0:
			line = fmt.Sprintf("waiting for its first measurement (every %s)", s.cfg.Type.Period())
		case now.Sub(s.at) > 2*s.cfg.Type.Period():
			line += fmt.Sprintf("  (no new reading for %s)", now.Sub(s.at).Round(time.Second))
		}
		where := fmt.Sprintf("%s %s", s.cfg.Bus, s.cfg.Address)
		if s.cfg.Mux != nil {
			where += fmt.Sprintf(" mux %s.%d", s.cfg.Mux.Address, s.cfg.Mux.Channel)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", now.Format("15:04:05"), s.cfg.Name, s.cfg.Type, where, dash(s.serial), line)
	}
	tw.Flush()
}
