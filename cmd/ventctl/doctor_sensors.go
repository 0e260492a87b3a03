package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/drivers/scd4x"
	"github.com/ventd/ventd/drivers/sdp8xx"
	"github.com/ventd/ventd/drivers/sen5x"
	"github.com/ventd/ventd/drivers/sgp4x"
	"github.com/ventd/ventd/drivers/sps30"
	"github.com/ventd/ventd/snapshot"
)

// sensorsFromDaemon asks the running ventd how its sensors are: probing
// the bus beside it would corrupt its transfers.
func (d *doctor) sensorsFromDaemon(url string) {
	if url == "" {
		host, port, err := net.SplitHostPort(d.cfg.Listen)
		if err != nil {
			d.warn("sensors", "cannot tell from listen "+d.cfg.Listen, "")
			return
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		url = "http://" + net.JoinHostPort(host, port) + "/api/state"
	}
	ctx, cancel := context.WithTimeout(d.ctx, 5*time.Second)
	defer cancel()
	var s snapshot.Snapshot
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("%s", resp.Status)
		} else {
			err = json.NewDecoder(resp.Body).Decode(&s)
		}
	}
	if err != nil {
		d.warn("sensors", fmt.Sprintf("ventd runs, but %s does not answer: %v", url, err), "retry in a few seconds; give -state-url if ventd listens elsewhere")
		return
	}
	for _, sc := range d.cfg.Sensors {
		var got *snapshot.Sensor
		for i := range s.Sensors {
			if s.Sensors[i].Name == sc.Name {
				got = &s.Sensors[i]
			}
		}
		what := fmt.Sprintf("%s (%s at %s on bus %s)", sc.Name, sc.Type, sc.Address, sc.Bus)
		switch {
		case got == nil:
			d.warn("sensors", what+": ventd does not report it", "does the running ventd use this config? sudo systemctl restart ventd")
		case got.Up:
			d.ok("sensors", fmt.Sprintf("%s answers, serial %s (from ventd)", what, got.Serial))
		default:
			d.fail("sensors", fmt.Sprintf("%s does not answer ventd: %s", what, got.Error), "check its cable, power and address; ventctl scan -bus "+sc.Bus+" (after sudo systemctl stop ventd) shows what answers")
		}
	}
}

// sensorsProbed opens each configured sensor's bus (the Pi's, or the
// simulated room's) and identifies the sensor with its own driver.
func (d *doctor) sensorsProbed(e env, cfgPath string, sim bool) {
	if cfgPath != "" {
		cfgPath = d.path(cfgPath)
	}
	b, err := openBench(e.context(), e, "doctor", cfgPath, sim, true, "")
	if err != nil {
		d.fail("sensors", fmt.Sprintf("cannot open the hardware: %v", err), "")
		return
	}
	defer b.close()
	for _, sc := range d.cfg.Sensors {
		what := fmt.Sprintf("%s (%s at %s on bus %s)", sc.Name, sc.Type, sc.Address, sc.Bus)
		bus, err := b.hw.Bus(sc)
		if err != nil {
			d.fail("sensors", fmt.Sprintf("%s: bus: %v", what, err), "")
			continue
		}
		part, serial, err := identify(sc, bus, b.clk)
		if err != nil {
			fix := "check its cable (SDA, SCL, 3.3 V or 5 V, GND), its power and its address; ventctl scan -bus " + sc.Bus + " shows what answers"
			if hint := d.elsewhere(b, sc); hint != "" {
				fix = hint
			}
			d.fail("sensors", fmt.Sprintf("%s does not answer: %v", what, err), fix)
			continue
		}
		d.ok("sensors", fmt.Sprintf("%s answers: %s, serial %s", what, part, serial))
	}
}

// elsewhere looks for a sensor that does not answer on its own bus at its
// address on the config's other buses, where no configured sensor sits:
// after a loose cable, the commonest wiring mistake is a sensor on the
// other bus's header pins (bus 1's for bus 3's). It says what to do, or
// "" when nothing answers there.
func (d *doctor) elsewhere(b *bench, sc config.Sensor) string {
	if sc.Mux != nil {
		return ""
	}
	taken := map[string]bool{}
	for _, o := range d.cfg.Sensors {
		taken[o.Bus+"/"+o.Address.String()] = true
	}
	tried := map[string]bool{sc.Bus: true}
	for _, o := range d.cfg.Sensors {
		if tried[o.Bus] || taken[o.Bus+"/"+sc.Address.String()] {
			tried[o.Bus] = true
			continue
		}
		tried[o.Bus] = true
		alt := sc
		alt.Bus = o.Bus
		bus, err := b.hw.Bus(alt)
		if err != nil {
			continue
		}
		if part, _, err := identify(alt, bus, b.clk); err == nil {
			return fmt.Sprintf("an %s answers at %s on bus %s, where the config has no sensor: if it is this one, its wires are on bus %s's pins: move them, or write bus: %q for %s", part, sc.Address, o.Bus, o.Bus, o.Bus, sc.Name)
		}
	}
	return ""
}

// identify opens a sensor with its driver, which reads its product id and
// serial number, and leaves it idle. An SCD4x or SDP left measuring is
// stopped; ventd starts it again.
func identify(sc config.Sensor, bus i2c.Bus, clk clock.Clock) (part, serial string, err error) {
	addr := uint16(sc.Address)
	switch sc.Type {
	case config.SPS30:
		dev, err := sps30.New(bus, &sps30.Opts{Addr: addr, Clock: clk})
		if err != nil {
			return "", "", err
		}
		s, err := dev.Serial()
		return "SPS30", s, err
	case config.SEN54, config.SEN55:
		dev, err := sen5x.New(bus, &sen5x.Opts{Addr: addr, Clock: clk})
		if err != nil {
			return "", "", err
		}
		if want := strings.ToUpper(string(sc.Type)); dev.Variant().String() != want {
			return "", "", fmt.Errorf("it is a %s, the config says %s: change its type", dev.Variant(), sc.Type)
		}
		return dev.Variant().String(), dev.Serial(), nil
	case config.SCD40, config.SCD41:
		dev, err := scd4x.New(bus, &scd4x.Opts{Addr: addr, Clock: clk})
		if err != nil {
			return "", "", err
		}
		s, err := dev.Serial()
		return "SCD4x", fmt.Sprintf("%012x", s), err
	case config.SGP40, config.SGP41:
		dev, err := sgp4x.New(bus, &sgp4x.Opts{Addr: addr, Clock: clk})
		if err != nil {
			return "", "", err
		}
		if want := strings.ToUpper(string(sc.Type)); dev.Variant().String() != want {
			return "", "", fmt.Errorf("it is an %s, the config says %s: change its type", dev.Variant(), sc.Type)
		}
		s, err := dev.Serial()
		return dev.Variant().String(), fmt.Sprintf("%012x", s), err
	case config.SDP810, config.SDP31:
		dev, err := sdp8xx.New(bus, &sdp8xx.Opts{Addr: addr, Clock: clk})
		if err != nil {
			return "", "", err
		}
		return dev.Product(), fmt.Sprintf("%016x", dev.Serial()), nil
	}
	return "", "", fmt.Errorf("ventctl doctor does not know sensor type %q", sc.Type)
}
