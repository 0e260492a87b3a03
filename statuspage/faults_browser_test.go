package statuspage

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
)

// noControl refuses every action: these pages are looked at, not used.
type noControl struct{}

func (noControl) Purge(context.Context, string, record.Actor, string) (string, error) {
	return "", context.Canceled
}
func (noControl) CancelPurge(context.Context, string, record.Actor) (string, error) {
	return "", context.Canceled
}
func (noControl) Acknowledge(context.Context, uint64, record.Actor, string) (string, error) {
	return "", context.Canceled
}

// quietRecord is the simulated room's record with clean air, every sensor
// up and the fan at its minimum under normal control.
func quietRecord(cfg *config.Config, n uint64, now time.Time) *record.Period {
	p := &record.Period{Number: n, Time: now, Covers: 1, Site: cfg.Site, Room: cfg.Room, Config: cfg,
		Health: record.Health{Started: now.Add(-time.Hour), ClockSynchronized: true, JournalOK: true}}
	for _, s := range cfg.Sensors {
		for _, q := range []sample.Quantity{sample.PM1, sample.PM25, sample.PM4, sample.PM10, sample.CO2, sample.VOCIndex, sample.NOxIndex} {
			if !s.Type.Measures(q) {
				continue
			}
			v := map[sample.Quantity]float64{sample.CO2: 460, sample.VOCIndex: 100, sample.NOxIndex: 1}[q]
			if v == 0 {
				v = 6
			}
			p.Readings = append(p.Readings, sample.Sample{Sensor: s.Name, Zone: s.Zone, Quantity: q, Value: v, Time: now, Quality: sample.Good})
		}
		p.Sensors = append(p.Sensors, record.Sensor{SensorID: &record.SensorID{Name: s.Name, Type: s.Type, Zone: s.Zone}, Up: true, LastSuccess: now})
	}
	for _, f := range cfg.Fans {
		p.Fans = append(p.Fans, record.Fan{Name: f.Name, Zones: f.Zones, Duty: 0.25, Mode: control.ModeNormal, Reason: "clean air: minimum"})
	}
	for _, z := range cfg.ZonesOf(config.Booth) {
		p.Booths = append(p.Booths, record.Booth{Zone: z.Name, Trusted: true})
	}
	p.Alarms = alarm.Summary{Time: now, Subjects: map[string]alarm.Level{}}
	return p
}

// withAlarms sets the record's alarms as the engine would summarise them.
func withAlarms(p *record.Period, as ...alarm.Alarm) {
	p.Alarms.Alarms = as
	for _, a := range as {
		p.Alarms.Highest = max(p.Alarms.Highest, a.Level)
		p.Alarms.Subjects[a.Subject] = max(p.Alarms.Subjects[a.Subject], a.Level)
		if !a.Acked {
			p.Alarms.Unacked++
		}
	}
}

// fedPage is the page on its own, with no daemon behind it: it gets a
// quietRecord every 200 ms, changed by the latest show, except while
// paused is set (ventd away, its connections open).
type fedPage struct {
	url     string
	addr    string // host:port
	current atomic.Pointer[func(*record.Period)]
	paused  atomic.Bool
}

// show changes every record from now on with f.
func (f *fedPage) show(fn func(*record.Period)) { f.current.Store(&fn) }

func newFedPage(t *testing.T, cfg *config.Config) *fedPage {
	t.Helper()
	p, err := New(Options{Config: cfg, Control: noControl{}, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	p.Register(mux)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	f := &fedPage{url: "http://" + ln.Addr().String() + "/", addr: ln.Addr().String()}
	f.show(func(*record.Period) {})
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	go func() {
		for n := uint64(1); ; n++ {
			if !f.paused.Load() {
				r := quietRecord(cfg, n, time.Now())
				(*f.current.Load())(r)
				p.Receive(r)
			}
			select {
			case <-done:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	return f
}

// The page as staff read it when something has failed, from records made
// for each case (a review found each on the simulated room):
//   - a sensor's alarm held for coming and going put the recovered booth on
//     FAULT beside "Safe to enter" for an hour, and topped the banner over
//     the fault that held;
//   - a journal fault hid a warning about the staff's air;
//   - a fan stall was called a "Sensor fault";
//   - an SPS30 reporting its own blocked fan was "not responding";
//   - a fan ventd cannot drive read "0%" under a green banner.
func TestBrowserFaultsReadRight(t *testing.T) {
	cfg := config.Sim()
	f := newFedPage(t, cfg)
	show := f.show
	since := time.Now().Add(-20 * time.Minute)
	fault := func(rule alarm.RuleID, subject, msg string, cond bool) alarm.Alarm {
		return alarm.Alarm{ID: uint64(len(msg)), RuleID: rule, Level: alarm.LevelFault, Subject: subject, Since: since, Condition: cond, Message: msg}
	}
	b := newBrowser(t)
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(f.url))
	b.waitFor("the OK banner", bannerIs("ok"), 10*time.Second)
	const card = `document.getElementById('booth:booth')`
	text := func(js string) string { return b.eval(js) }

	// A booth sensor's alarm held after it came and went, with the staff
	// CO2 sensor failing now.
	held := fault(alarm.SensorRule("booth-pm", alarm.FaultStale), "booth-pm", "sensor booth-pm: no new reading", false)
	held.Held = true
	live := fault(alarm.SensorRule("staff-co2", alarm.FaultStale), "staff-co2", "sensor staff-co2: no new reading", true)
	live.ID++
	show(func(r *record.Period) {
		for i := range r.Sensors {
			if r.Sensors[i].Name == "staff-co2" {
				r.Sensors[i].Up = false
			}
		}
		withAlarms(r, held, live)
	})
	b.waitFor("the live fault on the banner", `document.getElementById('banner-text').textContent.startsWith('sensor staff-co2')`, 10*time.Second)
	if c := text(card + `.querySelector('.chip').textContent`); c != "Clear" {
		t.Errorf("the booth whose sensor reads again, its alarm held: chip %q, want Clear", c)
	}
	if a := text(`document.getElementById('alarm-list').textContent`); !strings.Contains(a, "held because it came and went") {
		t.Errorf("the held alarm does not say why it is still listed: %q", a)
	}
	if h := text(`document.getElementById('alarms-h').textContent`); h != "Alarms (2)" {
		t.Errorf("alarms heading %q with two alarms: want the count, as the list may scroll out of sight", h)
	}
	b.shoot("faults", "held")

	// The journal failing while the staff air is at its warning level.
	show(func(r *record.Period) {
		journal := fault(alarm.JournalRule, "journal", "the exposure journal is not keeping records", true)
		warn := alarm.Alarm{ID: 77, RuleID: alarm.ZoneRule("staff", sample.PM25, alarm.CheckWarning), Level: alarm.LevelWarning, Subject: "staff",
			Quantity: sample.PM25, Since: since, Condition: true, Message: "PM2.5 in staff above the warning level 35 µg/m³ (now 80 µg/m³): ventilate"}
		r.Health.JournalOK, r.Health.JournalError = false, "disk full"
		withAlarms(r, journal, warn)
	})
	b.waitFor("the staff warning on the banner", bannerIs("warning")+` && document.getElementById('banner-text').textContent.includes('ventilate')`, 10*time.Second)

	// The booth's fan stalled.
	show(func(r *record.Period) {
		withAlarms(r, fault(alarm.FanStallRule("booth-exhaust"), "booth-exhaust", "fan booth-exhaust is not turning though it is driven", true))
	})
	b.waitFor("a fan fault named so", `document.getElementById('banner-word').textContent === 'Fan fault'`, 10*time.Second)
	if c := text(card + `.querySelector('.chip').textContent`); c != "Fan fault" {
		t.Errorf("the stalled fan's booth: chip %q, want Fan fault", c)
	}
	// Its air reads clean, but with no extraction a session there would
	// not clear: the big words say not to use it, not "Safe to enter".
	if e := text(card + `.querySelector('.entry').textContent`); e != "Do not use: fan not working" {
		t.Errorf("the stalled fan's booth in clean air reads %q, want Do not use: fan not working", e)
	}
	b.shoot("faults", "fan-stalled")

	// Turning again, its alarm over, held at its safe duty 10 min: the
	// banner says so, not that ventd cannot read the air.
	show(func(r *record.Period) {
		r.Fans[0].Duty, r.Fans[0].Mode, r.Fans[0].FanFault = 1, control.ModeSafe, true
		r.Fans[0].Reason = "fan booth-exhaust: turning again since 12:01:05 after a stall, held 10 min in case it stalls again at a lower speed: at its safe duty"
	})
	b.waitFor("the hold on the banner", `document.getElementById('banner-text').textContent.includes('turning again since')`, 10*time.Second)
	if w := text(`document.getElementById('banner-text').textContent`); strings.Contains(w, "cannot read the air") {
		t.Errorf("a fan held after a stall: banner %q", w)
	}

	// The booth's SPS30 reports its own blocked fan.
	show(func(r *record.Period) {
		for i := range r.Sensors {
			if r.Sensors[i].Name == "booth-pm" {
				r.Sensors[i].Up = false
				r.Sensors[i].Status = []string{"fan failure: fan switched on but not turning (blocked or broken)"}
			}
		}
		withAlarms(r, fault(alarm.SensorRule("booth-pm", alarm.FaultDevice), "booth-pm", "sensor booth-pm: the sensor reports a fault of its own", true))
	})
	b.waitFor("the sensor's own report", `document.getElementById('sensor-list').textContent.includes('fan failure: clean or replace it')`, 10*time.Second)
	if w := text(`document.getElementById('banner-word').textContent`); w != "Sensor fault" {
		t.Errorf("banner word %q for a sensor's own fault", w)
	}

	// A fan ventd cannot drive, before its alarm's delay.
	show(func(r *record.Period) {
		r.Fans[0].Duty, r.Fans[0].Error = 0, "fan booth-exhaust: no PWM chips under /sys/class/pwm: the pwm overlay is missing"
	})
	b.waitFor("the fan shown not controlled", card+`.querySelector('.figs').textContent.includes('not controlled')`, 10*time.Second)
	if c := text(card + `.querySelector('.chip').textContent`); c != "Fan fault" {
		t.Errorf("a fan ventd cannot drive: chip %q, want Fan fault", c)
	}
	if f := text(card + `.querySelector('.figs').textContent`); strings.Contains(f, "0%") {
		t.Errorf("a fan ventd cannot drive reads %q", f)
	}
	if e := text(card + `.querySelector('.entry').textContent`); e != "Do not use: fan not working" {
		t.Errorf("the booth of a fan ventd cannot drive reads %q, want Do not use: fan not working", e)
	}
	b.shoot("faults", "fan-not-controlled")
}

// A booth with two fans names each on its card: "100% (safe) · 0 rpm"
// beside "100% (safe) · 3000 rpm" did not say which had stopped. A booth
// with one fan keeps its card short.
func TestBrowserABoothsTwoFansAreNamed(t *testing.T) {
	cfg := config.Sim()
	mate := cfg.Fans[0]
	mate.Name = "booth-exhaust-b"
	cfg.Fans = append(cfg.Fans, mate)
	f := newFedPage(t, cfg)
	b := newBrowser(t)
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(f.url))
	const figs = `document.getElementById('booth:booth').querySelector('.figs').textContent`
	b.waitFor("both fans named", figs+`.includes('booth-exhaust 25%') && `+figs+`.includes('booth-exhaust-b 25%')`, 10*time.Second)
	b.shoot("faults", "two-fans")

	one := newFedPage(t, config.Sim())
	b.do(chromedp.Navigate(one.url))
	b.waitFor("one fan, no name", figs+`.includes('Fan25%') && !`+figs+`.includes('booth-exhaust')`, 10*time.Second)
}
