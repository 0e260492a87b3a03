package statuspage

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/record"
)

// namesYAML is a room whose zone names are the page's own words: booths
// "grid", "x" and "x-h" (the card ids were 'booth-'+zone, so "grid" took
// the id of the booths' grid, and "x"'s heading that of "x-h"'s card) and
// an outdoor zone "list" ('outdoor-'+zone was the outdoor list's id).
const namesYAML = `site: Test OPS
room: Names
zones:
  - {name: grid, kind: booth, volume_m3: 4}
  - {name: x, kind: booth, volume_m3: 4}
  - {name: x-h, kind: booth, volume_m3: 4}
  - {name: staff, kind: staff, volume_m3: 60}
  - {name: list, kind: outdoor}
sensors:
  - {name: grid-pm, type: sps30, bus: sim1, zone: grid}
  - {name: x-pm, type: sps30, bus: sim2, zone: x}
  - {name: x-h-pm, type: sps30, bus: sim3, zone: x-h}
  - {name: staff-pm, type: sps30, bus: sim0, zone: staff}
  - {name: staff-co2, type: scd41, bus: sim0, zone: staff}
  - {name: out-pm, type: sps30, bus: sim9, zone: list}
fans:
  - {name: grid-fan, zones: [grid], backend: sim, max_flow_m3h: 300, rated_power_w: 45, min_duty: 25}
  - {name: x-fan, zones: [x], backend: sim, max_flow_m3h: 300, rated_power_w: 45, min_duty: 25}
  - {name: x-h-fan, zones: [x-h], backend: sim, max_flow_m3h: 300, rated_power_w: 45, min_duty: 25}
`

// A booth's name, any the config takes, cannot break the page. A booth
// called "grid" had the id of the booths' grid: the first card went
// inside itself, renderBooths threw, and renderAlarms and renderSensors
// never ran, leaving no booth card and a green "No active alarms" that
// stood for good. And a part of the page that does fail leaves the others
// drawn and says so on the banner.
func TestBrowserZoneNamesCannotBreakThePage(t *testing.T) {
	cfg, err := config.Parse([]byte(namesYAML), "room.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := newFedPage(t, cfg)
	a := staffAlarm
	a.Since = time.Now().Add(-time.Minute)
	f.show(func(r *record.Period) { withAlarms(r, a) })
	b := newBrowser(t)
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(f.url))
	b.waitFor("the alarm listed", `document.querySelectorAll('#alarm-list .alarm').length === 1`, 10*time.Second)
	got := b.eval(`(() => {
		const out = [];
		const cards = [...document.querySelectorAll('#booth-grid > .booth')];
		const names = cards.map((c) => c.querySelector('h3').textContent).join(' ');
		if (names !== 'grid x x-h') out.push('booth cards in the grid: "' + names + '"');
		for (const c of cards) {
			const entry = c.querySelector('.entry').textContent;
			if (entry !== 'Safe to enter') out.push(c.querySelector('h3').textContent + ': "' + entry + '"');
			const h = document.getElementById(c.getAttribute('aria-labelledby'));
			if (!h || !c.contains(h)) out.push(c.querySelector('h3').textContent + "'s card is labelled by another's heading");
		}
		if (!document.getElementById('booth-grid').classList.contains('booth-grid')) out.push('#booth-grid is not the grid');
		const outdoor = document.getElementById('outdoor-list');
		if (!outdoor.classList.contains('outdoor-list') || !outdoor.textContent.includes('Outdoor air')) out.push('the outdoor list: "' + outdoor.textContent + '"');
		if (!document.getElementById('sensor-list').textContent.includes('OK')) out.push('sensors: "' + document.getElementById('sensor-list').textContent + '"');
		if (!document.getElementById('broken').hidden) out.push('the page says: ' + document.getElementById('broken').textContent);
		return out.join('; ');
	})()`)
	if got != "" {
		t.Errorf("booths grid, x, x-h and outdoor air list: %s", got)
	}
	b.checkClean(f.addr)

	// The booths' part fails (here made to): the alarms and sensors are
	// still drawn, and the banner says what is missing.
	b.eval(`(() => { window.booth = () => { throw new Error('made to fail'); }; return ''; })()`)
	b.waitFor("the failure said", `!document.getElementById('broken').hidden && document.getElementById('broken').textContent.includes('the booths')`, 5*time.Second)
	next := a
	next.ID, next.Message = 6, "PM2.5 in staff above the alarm level 125.5 µg/m³ (now 400 µg/m³)"
	f.show(func(r *record.Period) { withAlarms(r, a, next) })
	b.waitFor("the new alarm listed although the booths fail", `document.querySelectorAll('#alarm-list .alarm').length === 2`, 10*time.Second)
	b.forget("made to fail")
	b.forget("console.error")
	b.checkClean(f.addr)
	if s := b.banner(); !strings.Contains(s, "ALARM") {
		t.Errorf("the banner with the booths failing: %q", s)
	}
}

// A booth taken out of the config while the tablet stays open (ventd
// restarted or reloaded with one booth fewer) leaves the page. Its card
// stood with its last values and an enabled Purge button that could only
// be refused; a booth put back takes its place in the config's order.
func TestBrowserRemovedBoothLeavesThePage(t *testing.T) {
	parse := func(n int) *config.Config {
		cfg, err := config.Parse([]byte(roomYAML(n, testLimits)), "room.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	three, two := parse(3), parse(2)
	f := newFedPage(t, three)
	b := newBrowser(t)
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(f.url))
	const names = `[...document.querySelectorAll('#booth-grid > .booth')].map((c) => c.querySelector('h3').textContent).join(' ')`
	b.waitFor("three booths", names+` === 'booth-1 booth-2 booth-3'`, 10*time.Second)
	// Three booths, so the few-booths layout: two booths keep it.
	f.show(func(r *record.Period) { *r = *quietRecord(two, r.Number, r.Time) })
	b.waitFor("booth-3 gone", names+` === 'booth-1 booth-2'`, 10*time.Second)
	if got := b.eval(`String(document.getElementById('booth:booth-3')) + ' ' + [...document.querySelectorAll('.purge-btn')].map((e) => e.getAttribute('aria-label')).join(', ')`); got != "null Purge booth-1, Purge booth-2" {
		t.Errorf("after booth-3 left the config: %s", got)
	}
	f.show(func(r *record.Period) { *r = *quietRecord(three, r.Number, r.Time) })
	b.waitFor("booth-3 back in its place", names+` === 'booth-1 booth-2 booth-3'`, 10*time.Second)
	b.checkClean(f.addr)
}

// A booth that is not safe to enter says so first: its countdown read
// "Safe in 2:30" and "Safe in over an hour", whose first word is the one
// a responder at the door must not read first. On six booths' narrow
// cards on a 1024x600 tablet it takes two lines, as "Not safe to enter"
// does.
func TestBrowserCountdownSaysNotSafeFirst(t *testing.T) {
	cfg, err := config.Parse([]byte(roomYAML(6, testLimits)), "room.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := newFedPage(t, cfg)
	b := newBrowser(t)
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(f.url))
	const entries = `[...document.querySelectorAll('.booth .entry')].map((e) => e.textContent).join('|')`
	for _, c := range []struct {
		s    float64
		want string
	}{{150, "Not safe for 2:30"}, {5000, "Not safe for over an hour"}, {40, "Not safe for 40 s"}, {700, "Not safe for about 12 min"}} {
		f.show(func(r *record.Period) {
			for i := range r.Readings {
				if strings.HasPrefix(r.Readings[i].Zone, "booth") {
					r.Readings[i].Value = 400
				}
			}
			for i := range r.Fans {
				r.Fans[i].Duty, r.Fans[i].SecondsToEntry = 1, c.s
			}
		})
		b.waitFor(c.want, entries+` === `+quote(strings.TrimSuffix(strings.Repeat(c.want+"|", 6), "|")), 10*time.Second)
		if got := b.eval(`[...document.querySelectorAll('.booth .entry')].filter((e) => e.getBoundingClientRect().height > 2.5 * parseFloat(getComputedStyle(e).lineHeight)).length + ' of 6'`); got != "0 of 6" {
			t.Errorf("six booths reading %q at 1024x600: %s on more than two lines", c.want, got)
		}
		if got := b.fits(); got != "" {
			t.Errorf("six booths reading %q at 1024x600: %s", c.want, got)
		}
	}
	b.shot("6-booths-countdown-1024x600")
	b.checkClean(f.addr)
}
