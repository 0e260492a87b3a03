package statuspage

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/testbench"
)

// A test room's day: a booth session (values change), a staff-area
// session heavy enough to raise the PM2.5 alarm, and the long quiet after.
func dayYAML(booths ...string) string {
	s := "name: page-day\nduration: 4h\nevents:\n  - {at: 0s, occupants: {zone: staff, count: 2}}\n"
	for i, b := range booths {
		s += fmt.Sprintf("  - {at: %ds, session: {zone: %s, duration: 3m, pm25_mg_per_min: 3}}\n", 60+30*i, b)
	}
	return s + "  - {at: 5m, session: {zone: staff, duration: 1m30s, pm25_mg_per_min: 8}}\n"
}

// Limits in the test rooms: a staff warning that clears within the
// test's half hour, and PM2.5 exposure limits so the page shows STEL and
// TWA as fractions (high enough that the staff session raises no STEL
// alarm).
const testLimits = "thresholds: {pm25_ugm3: {warning: 80, alarm: 125.5}}\n"

func at(d time.Duration) time.Time { return simStart.Add(d) }

// The page on ventd with one booth, through a simulated shift: OK, a
// session, a purge (wrong PIN, then right), an alarm acknowledged from the
// page, the all-clear, ventd stopping and coming back.
func TestBrowserOneBooth(t *testing.T) {
	b := newBrowser(t)
	dir := t.TempDir()
	yml := roomYAML(1, testLimits)
	r := startRoom(t, yml, roomOpts{stateDir: dir, scenario: dayYAML("booth")})
	const card = `document.getElementById('booth:booth')`

	// OK: the page loads with nothing but ventd, and says so in words.
	r.pacer.runTo(t, r, at(40*time.Second))
	r.pacer.pace(1)
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(r.url("/")))
	b.waitFor("the OK banner", bannerIs("ok"), 10*time.Second)
	if w := b.eval(`document.getElementById('banner-word').textContent`); w != "Air OK" {
		t.Errorf("banner word %q, want Air OK", w)
	}
	b.waitFor("safe to enter", card+`.querySelector('.entry').textContent === 'Safe to enter'`, 5*time.Second)
	if f := b.fits(); f != "" {
		t.Errorf("one booth at 1024x600: %s", f)
	}
	before := b.eval(card + `.querySelector('.figs dd').textContent`)
	if b.eval(`String(document.getElementById('outdoor-list').hidden)`) != "true" {
		t.Error("an outdoor air item in a room that has no outdoor zone")
	}
	b.axeCheck("ok")
	b.shoot("1-booth", "ok")
	b.checkClean(r.addr)

	// A session: the booth's values change and it says smoke.
	r.pacer.runTo(t, r, at(3*time.Minute))
	r.pacer.pace(1)
	b.waitFor("the booth's PM2.5 to change", card+`.querySelector('.figs dd').textContent !== `+quote(before), 10*time.Second)
	b.waitFor("the booth to show smoke", card+`.querySelector('.chip').textContent === 'Smoke'`, 10*time.Second)
	if v := b.eval(`document.querySelector('[id="pol:staff:co2"] .val').textContent`); !strings.Contains(v, "ppm") {
		t.Errorf("staff CO2 shows %q", v)
	}

	// Purge after the session: a wrong PIN is refused, the right one
	// starts the countdown, and the record has the name.
	r.pacer.runTo(t, r, at(4*time.Minute+10*time.Second))
	r.pacer.pace(1)
	b.do(chromedp.Click(chromedp.CSS(`[id="booth:booth"] .purge-btn`)))
	b.waitFor("the purge dialog", `document.getElementById('dlg').open`, 5*time.Second)
	b.do(chromedp.SendKeys(chromedp.ID("dlg-name"), "Rowan (test)"), chromedp.SendKeys(chromedp.ID("dlg-pin"), "111111"),
		chromedp.Click(chromedp.ID("dlg-ok")))
	b.waitFor("the wrong PIN refused", `document.getElementById('dlg-msg').textContent.includes('wrong PIN')`, 10*time.Second)
	b.forget("401")
	for _, a := range r.served() {
		if a.Kind == record.ActPurge {
			t.Fatalf("a wrong PIN purged: %+v", a)
		}
	}
	b.do(chromedp.SendKeys(chromedp.ID("dlg-pin"), testPIN), chromedp.Click(chromedp.ID("dlg-ok")))
	b.waitFor("the purge answer", `!document.getElementById('toast').hidden && document.getElementById('toast').textContent.includes('purging')`, 10*time.Second)
	b.waitFor("the booth's countdown", card+`.querySelector('.chip').textContent === 'Purging' && /^Not safe for /.test(`+card+`.querySelector('.entry').textContent)`, 10*time.Second)
	b.waitFor("the purge banner", bannerIs("purge"), 5*time.Second)
	b.shoot("1-booth", "purge")
	checkServed(t, r, record.ActPurge, "Rowan (test)")

	// An alarm in the staff area: the banner turns to alarm, it is
	// announced, and staff acknowledge it from the page.
	r.pacer.runTo(t, r, at(6*time.Minute+40*time.Second))
	r.pacer.pace(1)
	b.waitFor("the alarm banner", bannerIs("alarm"), 10*time.Second)
	b.waitFor("the alarm announced", `document.getElementById('announce').textContent.includes('alarm')`, 5*time.Second)
	b.axeCheck("alarm")
	b.shoot("1-booth", "alarm")
	b.do(chromedp.Click(chromedp.CSS(`#alarm-list .a-alarm .ack-btn`)))
	b.waitFor("the acknowledge dialog", `document.getElementById('dlg').open`, 5*time.Second)
	b.do(chromedp.SendKeys(chromedp.ID("dlg-name"), "Alex (test)"), chromedp.SendKeys(chromedp.ID("dlg-pin"), testPIN),
		chromedp.Click(chromedp.ID("dlg-ok")))
	b.waitFor("the alarm shown acknowledged", `document.getElementById('alarm-list').textContent.includes('Acknowledged by Alex (test)')`, 10*time.Second)
	checkServed(t, r, record.ActAcknowledge, "Alex (test)")
	b.checkClean(r.addr)

	// A latched alarm over its level again is announced as it was raised
	// (the same id: a page that watched only for new ids stayed silent).
	b.eval(`(() => {
		const real = [...known.values()];
		known.set(900001, {id: 900001, level: 'alarm', condition: false, acked: false, message: 'PM2.5 in staff back to 60'});
		announceAlarms(real.concat([{id: 900001, level: 'alarm', condition: true, acked: false, message: 'PM2.5 in staff at 140'}]));
		return 'ok';
	})()`)
	b.waitFor("the returned alarm announced", `document.getElementById('announce').textContent === 'alarm, again: PM2.5 in staff at 140'`, 5*time.Second)

	// The air recovers: the banner goes back to OK.
	r.pacer.runTo(t, r, at(25*time.Minute))
	r.pacer.pace(1)
	b.waitFor("the banner back to OK", bannerIs("ok"), 10*time.Second)
	// The booth's card says how much of its fan's rated air it got, as the
	// law measured it from the session clearing: the figure /api/state has.
	b.waitFor("the booth's measured airflow", `fetch('/api/state').then(r => r.json()).then(s => {
		const m = s.booths.find(x => x.zone === 'booth').measured;
		return !!m && `+card+`.querySelector('.figs').textContent.includes(Math.round(m.share * 100) + '% of rated');
	})`, 10*time.Second)

	// ventd stops: the page says so within 10 s, and recovers by itself
	// when ventd is back.
	stopped := time.Now()
	r.close()
	b.waitFor("the stale banner", bannerIs("stale"), 10*time.Second)
	t.Logf("stale shown %.1f s after ventd stopped (%q)", time.Since(stopped).Seconds(), b.eval(`document.getElementById('banner-word').textContent`))
	// The staff rows keep their last value, dimmed, but give no verdict
	// on air nobody reads: never a green OK beside "no data".
	b.waitFor("the staff rows without a verdict", `[...document.querySelectorAll('#staff-list .pol')].every(r => r.classList.contains('p-unknown') && r.querySelector('.lvl').textContent === 'no data')`, 5*time.Second)
	if s := b.eval(`document.getElementById('sensor-list').textContent`); strings.Contains(s, "OK") {
		t.Errorf("the sensors read %q with no data", s)
	}
	b.shoot("1-booth", "stale")
	r2 := startRoom(t, yml, roomOpts{addr: r.addr, stateDir: dir, start: r.clk.Now()})
	r2.pacer.pace(1)
	// The restarted ventd's page has the hour before it from the journal.
	b.waitFor("the last hour's trend after the restart", `fetch('/api/trend').then(r => r.json()).then(j => j.series.some(s => s.zone === 'staff' && s.quantity === 'pm25' && s.points.length >= 20))`, 10*time.Second)
	b.waitFor("the page live again after the restart", `!document.getElementById('banner').classList.contains('st-stale') && document.getElementById('link').textContent === 'live'`, 30*time.Second)
}

// checkServed fails unless the daemon recorded a successful action of
// kind from the page, by name.
func checkServed(t *testing.T, r *room, kind record.ActionKind, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		for _, a := range r.served() {
			if a.Kind == kind && a.By.Name == name {
				if a.By.Via != "page" || !strings.HasPrefix(a.By.From, "127.0.0.1:") || a.Err != "" {
					t.Errorf("recorded %+v; want it from the page, from 127.0.0.1, done", a)
				}
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("no %s by %q in the record: %+v", kind, name, r.served())
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

// Six booths (Hope to Health's room) fit a 7" tablet in landscape without
// scrolling, in every state; screenshots of each.
func TestBrowserSixBooths(t *testing.T) {
	b := newBrowser(t)
	booths := []string{"booth-1", "booth-2", "booth-3", "booth-4", "booth-5", "booth-6"}
	// A shorter day than the one-booth test's: six booths cost six times
	// the simulation, and the race detector ten times that.
	const day = `name: six-booth-day
duration: 1h
events:
  - {at: 0s, occupants: {zone: staff, count: 2}}
  - {at: 35s, session: {zone: booth-2, duration: 1m, pm25_mg_per_min: 3}}
  - {at: 40s, session: {zone: booth-4, duration: 1m30s, pm25_mg_per_min: 25}}
  - {at: 50s, session: {zone: booth-5, duration: 2m, pm25_mg_per_min: 3}}
  - {at: 1m50s, session: {zone: staff, duration: 1m, pm25_mg_per_min: 8}}
  - {at: 2m50s, session: {zone: staff, duration: 4s, pm25_mg_per_min: 2400}}
`
	// booth-6's fan is on a relay: off or full.
	yml := strings.Replace(roomYAML(6, testLimits), "{name: booth-6-fan, zones: [booth-6], backend: sim, max_flow_m3h: 300, rated_power_w: 45, min_duty: 25}",
		"{name: booth-6-fan, zones: [booth-6], backend: relay, relay: {pin: GPIO17}, max_flow_m3h: 300, rated_power_w: 45}", 1)
	if !strings.Contains(yml, "backend: relay") {
		t.Fatal("booth-6's fan not found in the room's YAML")
	}
	r := startRoom(t, yml, roomOpts{stateDir: t.TempDir(), scenario: day})
	fits := func(state string) {
		t.Helper()
		if f := b.fits(); f != "" {
			t.Errorf("six booths, %s, at 1024x600: %s", state, f)
		}
	}

	r.pacer.runTo(t, r, at(30*time.Second))
	r.pacer.pace(1)
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(r.url("/")))
	b.waitFor("the OK banner", bannerIs("ok"), 10*time.Second)
	b.waitFor("six booth cards", `document.querySelectorAll('.booth').length === 6`, 5*time.Second)
	// Staff read a relay's fan as On or Off, the others as a percentage.
	const fanFig = `[...document.querySelectorAll('[id="booth:booth-%d"] .figs dd')][1].textContent`
	b.waitFor("booth-6's relay fan off", fmt.Sprintf(fanFig, 6)+`.startsWith('Off')`, 10*time.Second)
	if v := b.eval(fmt.Sprintf(fanFig, 1)); !strings.Contains(v, "%") {
		t.Errorf("booth-1's fan reads %q, want a percentage", v)
	}
	fits("OK")
	// A tablet at 200% zoom is a 512x300 window: no sideways scrolling.
	b.do(chromedp.EmulateViewport(512, 300))
	if w := b.eval(`String(document.documentElement.scrollWidth) + ' ' + [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 0.5).map(e => e.id || e.className || e.tagName).join(',')`); !strings.HasPrefix(w, "512 ") {
		t.Errorf("at 200%% zoom the page is %s px wide in a 512 px window", w)
	}
	b.do(chromedp.EmulateViewport(1024, 600))
	b.axeCheck("ok, six booths")
	b.shoot("6-booths", "ok")
	b.checkClean(r.addr)

	// A purge of one booth after its session, from the page's API as the
	// one-booth test does through the dialog.
	r.pacer.runTo(t, r, at(time.Minute+45*time.Second))
	r.pacer.pace(1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := r.d.Purge(ctx, booths[1], record.Actor{Name: "test", Via: "test"}, "screenshot"); err != nil {
		t.Fatal(err)
	}
	b.waitFor("booth-2 purging", `document.querySelector('[id="booth:booth-2"] .chip').textContent === 'Purging'`, 10*time.Second)
	// booth-4's heavy session is over its sensor's 1000 µg/m³: smoke, at
	// least that much, not a sensor fault.
	b.waitFor("booth-4 smoke above the sensor's range", `document.querySelector('[id="booth:booth-4"] .chip').textContent === 'Smoke' &&
		document.querySelector('[id="booth:booth-4"] .figs dd').textContent.startsWith('≥ ') &&
		document.querySelector('[id="booth:booth-4"] .entry').textContent === 'Not safe to enter'`, 10*time.Second)
	fits("purge")
	b.shoot("6-booths", "purge")

	r.pacer.runTo(t, r, at(3*time.Minute+30*time.Second))
	r.pacer.pace(1)
	b.waitFor("the alarm banner", bannerIs("alarm"), 10*time.Second)
	// A burst took the staff area over its sensor's range: the PM2.5 row
	// shows at least the reading, at the alarm level, not "unknown".
	b.waitFor("the staff PM2.5 over the sensor's range", `document.querySelector('[id="pol:staff:pm25"] .val').textContent.startsWith('≥ ') &&
		document.querySelector('[id="pol:staff:pm25"]').classList.contains('p-alarm')`, 10*time.Second)
	fits("alarm")
	b.axeCheck("alarm, six booths")
	b.shoot("6-booths", "alarm")
	b.checkClean(r.addr)

	r.close()
	b.waitFor("the stale banner", bannerIs("stale"), 10*time.Second)
	fits("stale")
	b.shoot("6-booths", "stale")
}

// The outdoor air (a zone of kind outdoor) shows as its own small item
// beside the staff heading, "Outdoor air" and its PM2.5, even above the
// staff alarm level in no level's colour and raising no alarm, and never
// as a staff row; with its sensor gone it says so instead of a number.
func TestBrowserOutdoorAir(t *testing.T) {
	b := newBrowser(t)
	r := startRoom(t, withOutdoor(t, roomYAML(1, testLimits)), roomOpts{})
	// Wildfire smoke outside: above the staff warning (80) and alarm
	// (125.5) levels of the test room.
	out := r.rig.Room.Outdoor()
	out.PM1, out.PM25, out.PM4, out.PM10 = 120, 150, 155, 160
	r.rig.Room.SetOutdoor(out)
	r.pacer.runTo(t, r, at(40*time.Second))
	r.pacer.pace(1)
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(r.url("/")))
	const item = `document.getElementById('outdoor:outside')`
	b.waitFor("the outdoor air item with its PM2.5 and CO2", item+` !== null && !document.getElementById('outdoor-list').hidden &&
		/^Outdoor air ?PM2\.5 1\d\d µg\/m³ · CO₂ [\d,]+ ppm$/.test(`+item+`.textContent)`, 10*time.Second)
	b.waitFor("the OK banner", bannerIs("ok"), 10*time.Second)
	if got := b.eval(`[...document.querySelectorAll('#staff-list .pol')].map(e => e.id).join(' ')`); strings.Contains(got, "outside") || !strings.Contains(got, "pol:staff:pm25") {
		t.Errorf("staff rows %q: want the staff area's alone", got)
	}
	if got := b.eval(item + `.className + ' in ' + ` + item + `.closest('section').id`); got != "outdoor in staff" {
		t.Errorf("the outdoor item is %q, want class outdoor (no level colour) in the staff section", got)
	}
	if f := b.fits(); f != "" {
		t.Errorf("one booth and the outdoor air at 1024x600: %s", f)
	}
	b.axeCheck("outdoor air")
	b.shoot("1-booth-outdoor", "ok")
	b.checkClean(r.addr)

	// The outdoor sensor stops answering: no number stands for air nobody
	// measures.
	r.rig.SimBus("sim9").Disconnect(0x69)
	b.waitFor("the outdoor PM2.5 shown unknown", `/^Outdoor air ?PM2\.5 [a-z]/.test(`+item+`.textContent)`, 20*time.Second)
}

// A tablet refused a live stream (its address already has
// streamsPerClient, or every live slot is taken) gets 503 at once: the
// page polls /api/state, stays current, and goes live by itself once a
// slot is free.
func TestBrowserPollsWhenTheStreamIsRefused(t *testing.T) {
	b := newBrowser(t)
	var logs testbench.LogBuffer
	r := startRoom(t, roomYAML(1, testLimits), roomOpts{log: &logs})
	r.pacer.runTo(t, r, at(40*time.Second))
	r.pacer.pace(1)
	// Every stream this address may have, held open by something else
	// on the tablet's address.
	var held []*http.Response
	for range streamsPerClient {
		resp, err := http.Get(r.url("/api/events"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		go io.Copy(io.Discard, resp.Body)
		held = append(held, resp)
	}
	waitFor(t, "the held streams", func() bool { return r.page.Clients() == streamsPerClient })
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(r.url("/")))
	b.waitFor("the page polling", `document.getElementById('link').textContent === 'polling'`, 10*time.Second)
	b.waitFor("the OK banner while polling", bannerIs("ok"), 10*time.Second)
	first := b.eval(`document.getElementById('updated').textContent`)
	b.waitFor("a newer state by polling", `document.getElementById('updated').textContent !== `+quote(first)+
		` && !document.getElementById('banner').classList.contains('st-stale')`, 10*time.Second)
	if !strings.Contains(logs.String(), "live updates refused") {
		t.Error("the refused stream is not in the log")
	}
	b.forget("503")
	b.checkClean(r.addr)

	// A slot frees: the page's next try (every 5 s) goes live.
	held[0].Body.Close()
	b.waitFor("the page live again", `document.getElementById('link').textContent === 'live'`, 20*time.Second)
	b.forget("503")
	b.checkClean(r.addr)
}
