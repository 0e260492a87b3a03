package statuspage

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
)

// shown reports, in words, every section squeezed to nothing or cut off at
// the right ("" when none is). A screen too small for the whole page may
// scroll to a section; it may not hide one.
func (b *browser) shown() string {
	return b.eval(`(() => {
		const out = [];
		const d = document.documentElement;
		if (d.scrollWidth > innerWidth) out.push('the page is ' + d.scrollWidth + ' px wide in a ' + innerWidth + ' px window');
		for (const id of ['booths', 'staff', 'alarms']) {
			const e = document.getElementById(id);
			const h = e.getBoundingClientRect().height;
			if (h < 40) out.push('#' + id + ' is ' + Math.round(h) + ' px tall');
			if (e.scrollWidth > e.clientWidth + 1) out.push('#' + id + ' holds ' + e.scrollWidth + ' px in ' + e.clientWidth + ' (cut off at the right)');
		}
		return out.join('; ');
	})()`)
}

// Six booths on screens smaller than a 1024x600 tablet: the Raspberry Pi
// touchscreen the README's kiosk section offers (800x480) and a window
// 900 px wide. The booths wrapped to two rows and took the whole height,
// leaving the staff area and the alarms 0 px tall, out of reach even by
// scrolling; and below about 945 px a staff row was wider than its
// column, its STEL and TWA cut off at the right.
func TestBrowserSmallScreens(t *testing.T) {
	cfg, err := config.Parse([]byte(roomYAML(6, testLimits)), "room.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := newFedPage(t, cfg)
	f.show(func(r *record.Period) {
		withAlarms(r, alarm.Alarm{ID: 5, RuleID: alarm.ZoneRule("staff", sample.PM25, alarm.CheckWarning), Level: alarm.LevelWarning,
			Subject: "staff", Quantity: sample.PM25, Since: time.Now().Add(-time.Minute), Condition: true,
			Message: "PM2.5 in staff above the warning level 80 µg/m³ (now 90 µg/m³): ventilate"})
	})
	b := newBrowser(t)
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(f.url))
	b.waitFor("six booths and the warning", `document.querySelectorAll('.booth').length === 6 && document.querySelectorAll('#alarm-list .alarm').length === 1`, 10*time.Second)
	if s := b.fits(); s != "" {
		t.Errorf("six booths at 1024x600: %s", s)
	}
	for _, s := range []struct{ w, h int64 }{{800, 480}, {900, 700}, {944, 600}} {
		b.do(chromedp.EmulateViewport(s.w, s.h))
		time.Sleep(150 * time.Millisecond) // a frame to lay out at the new size
		if got := b.shown(); got != "" {
			t.Errorf("six booths at %dx%d: %s", s.w, s.h, got)
		}
	}
	b.checkClean(f.addr)
}

// The first update after a stale spell ends it at once. The banner kept
// its stale state until the next tick, so for up to a second it said
// "Not updated for 0 s: the values below are old" over the values that
// had just come, and the cards "No data".
func TestBrowserStaleEndsWithTheFirstUpdate(t *testing.T) {
	cfg := config.Sim()
	f := newFedPage(t, cfg)
	b := newBrowser(t)
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(f.url))
	b.waitFor("the OK banner", bannerIs("ok"), 10*time.Second)
	// Every text the banner shows from now on.
	b.eval(`(() => {
		window.bannerTexts = [];
		new MutationObserver(() => bannerTexts.push(document.getElementById('banner-text').textContent))
			.observe(document.getElementById('banner'), {subtree: true, childList: true, characterData: true});
		return '';
	})()`)
	f.paused.Store(true)
	b.waitFor("the stale banner", bannerIs("stale"), 10*time.Second)
	f.paused.Store(false)
	b.waitFor("the OK banner again", bannerIs("ok"), 10*time.Second)
	time.Sleep(1500 * time.Millisecond) // a tick or two more
	limit := cfg.Page.StaleAfter.Seconds()
	stale := regexp.MustCompile(`^Not updated for (\d+) s`)
	var texts []string
	if err := jsonEval(b, `JSON.stringify(bannerTexts)`, &texts); err != nil {
		t.Fatal(err)
	}
	for _, s := range texts {
		if m := stale.FindStringSubmatch(s); m != nil {
			if n, _ := strconv.Atoi(m[1]); float64(n) < limit {
				t.Errorf("the banner said %q: stale after %g s, it had fresh data", s, limit)
				break
			}
		}
	}
	if len(texts) == 0 {
		t.Error("no banner text seen: the observer is not working")
	}
}

// An alarm about the staff's air comes before a fault on the banner. A
// sensor's fault can stand for days, waiting for a part, its fans at their
// safe duty; ranked first, it kept the banner purple on SENSOR FAULT and a
// new PM2.5 alarm was "(+1 more)" to anyone reading from across the room.
func TestBrowserAlarmAboveAStandingFault(t *testing.T) {
	cfg := config.Sim()
	f := newFedPage(t, cfg)
	f.show(func(r *record.Period) {
		for i := range r.Sensors {
			if r.Sensors[i].Name == "staff-co2" {
				r.Sensors[i].Up = false
			}
		}
		withAlarms(r,
			alarm.Alarm{ID: 3, RuleID: alarm.SensorRule("staff-co2", alarm.FaultStale), Level: alarm.LevelFault, Subject: "staff-co2",
				Since: time.Now().Add(-50 * time.Hour), Condition: true, Message: "sensor staff-co2: no new reading"},
			alarm.Alarm{ID: 90, RuleID: alarm.ZoneRule("staff", sample.PM25, alarm.CheckAlarm), Level: alarm.LevelAlarm, Subject: "staff",
				Quantity: sample.PM25, Since: time.Now().Add(-20 * time.Second), Condition: true, Latching: true,
				Message: "PM2.5 in staff above the alarm level 125.5 µg/m³ (now 140 µg/m³)"})
	})
	b := newBrowser(t)
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(f.url))
	b.waitFor("two alarms listed", `document.querySelectorAll('#alarm-list .alarm').length === 2`, 10*time.Second)
	if got := b.banner(); !regexp.MustCompile(`st-alarm: .*ALARM.*PM2\.5 in staff .*\(\+1 more\)`).MatchString(got) {
		t.Errorf("banner %q: want the PM2.5 alarm first, the standing sensor fault as one more", got)
	}
	b.checkClean(f.addr)
}

// jsonEval evaluates js, which makes a JSON string, into v.
func jsonEval(b *browser, js string, v any) error {
	if err := json.Unmarshal([]byte(b.eval(js)), v); err != nil {
		return fmt.Errorf("%s: %w", js, err)
	}
	return nil
}

// Staff who cannot tell red from green (about one man in twelve) read the
// banner from across the room by what is left: blue against yellow,
// lightness, and pattern. In a deuteranopia simulation the OK and ALARM
// banners were the same olive, and FAULT and PURGING the same blue. Every
// pair of banner states must stay apart as such a reader sees them (a
// colour difference ΔE of 20 or more in CIELAB) or differ in pattern
// (stripes, a dashed outline).
func TestBrowserBannerStatesApartWithoutRedGreen(t *testing.T) {
	f := newFedPage(t, config.Sim())
	b := newBrowser(t)
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(f.url))
	b.waitFor("the OK banner", bannerIs("ok"), 10*time.Second)
	got := b.eval(`(() => {
		// Machado et al.'s deuteranopia matrix, on linear RGB.
		const M = [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]];
		const lin = c => { c /= 255; return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
		const lab = css => {
			const [r, g, b] = css.match(/[\d.]+/g).slice(0, 3).map(Number).map(lin);
			const [R, G, B] = M.map(row => Math.min(1, Math.max(0, row[0] * r + row[1] * g + row[2] * b)));
			const f = v => v > 216 / 24389 ? Math.cbrt(v) : (24389 / 27 * v + 16) / 116;
			const x = f((0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047), y = f(0.2126 * R + 0.7152 * G + 0.0722 * B), z = f((0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883);
			return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
		};
		const probe = document.createElement('header');
		document.body.append(probe);
		const seen = [];
		for (const st of ['ok', 'warning', 'alarm', 'fault', 'purge', 'stale']) {
			probe.className = 'banner st-' + st;
			const cs = getComputedStyle(probe);
			seen.push({st, lab: lab(cs.backgroundColor),
				pattern: cs.borderImageSource !== 'none' ? 'stripes' : cs.outlineStyle !== 'none' ? cs.outlineStyle + ' outline' : ''});
		}
		probe.remove();
		const out = [];
		for (let i = 0; i < seen.length; i++) for (let j = i + 1; j < seen.length; j++) {
			const a = seen[i], b = seen[j];
			const dE = Math.hypot(a.lab[0] - b.lab[0], a.lab[1] - b.lab[1], a.lab[2] - b.lab[2]);
			if (dE < 20 && a.pattern === b.pattern) out.push(a.st + ' and ' + b.st + ' (ΔE ' + dE.toFixed(1) + ', pattern "' + a.pattern + '")');
		}
		return out.join('; ');
	})()`)
	if got != "" {
		t.Errorf("banner states a red-green colour-blind reader cannot tell apart: %s", got)
	}
	b.checkClean(f.addr)
}

// "Air OK" is a claim about the staff's air. While a staff reading is
// missing (the first seconds after a start, or a sensor not answering
// before its fault alarm is due) the banner said AIR OK over a row reading
// "— unknown"; it says it is waiting for that reading instead, and AIR OK
// once it comes. A VOC index warming up is named after the OK.
func TestBrowserNoAirOKWhileAStaffReadingIsMissing(t *testing.T) {
	cfg, err := config.Parse([]byte(roomYAML(1, testLimits)), "room.yaml")
	if err != nil {
		t.Fatal(err)
	}
	staff := func(r *record.Period, co2 exposure.Conc) {
		r.Exposure = append(r.Exposure,
			exposure.Snapshot{Series: &exposure.Series{Quantity: sample.PM25, Unit: "µg/m³", Zone: "staff"}, Time: r.Time, Value: 6, ValueAt: r.Time, STEL: 6, STELCoverage: 100},
			exposure.Snapshot{Series: &exposure.Series{Quantity: sample.CO2, Unit: "ppm", Zone: "staff"}, Time: r.Time, Value: co2, STEL: exposure.Unknown})
	}
	f := newFedPage(t, cfg)
	f.show(func(r *record.Period) { staff(r, exposure.Unknown) })
	b := newBrowser(t)
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(f.url))
	b.waitFor("the waiting banner naming CO₂", bannerIs("wait")+` && document.getElementById('banner-text').textContent.includes('no reading yet of CO₂')`, 10*time.Second)
	f.show(func(r *record.Period) {
		staff(r, 460)
		for i := range r.Readings {
			if r.Readings[i].Sensor == "staff-voc" {
				r.Readings[i].Quality, r.Readings[i].Value = sample.Warmup, 0
			}
		}
	})
	b.waitFor("the OK banner naming the VOC index warming up", bannerIs("ok")+` && document.getElementById('banner-text').textContent.includes('VOC index warming up')`, 10*time.Second)
	b.checkClean(f.addr)
}

// Six booths on a 1024x600 tablet with faults showing: a sensor fault's
// message wrapped the banner to three lines, and "Unknown: do not rely on
// the air" each fault card to three, which pushed the staff area's last
// row out of sight. The full message stays in the alarm list.
func TestBrowserSixBoothsFitWithFaults(t *testing.T) {
	cfg, err := config.Parse([]byte(roomYAML(6, testLimits)), "room.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := newFedPage(t, cfg)
	f.show(func(r *record.Period) {
		var as []alarm.Alarm
		for i, z := range []string{boothName(6, 2), boothName(6, 4), boothName(6, 5), boothName(6, 6)} {
			name := z + "-pm"
			for j := range r.Readings {
				if r.Readings[j].Sensor == name {
					r.Readings[j].Quality, r.Readings[j].Value = sample.Stale, 0
				}
			}
			as = append(as, alarm.Alarm{ID: uint64(10 + i), RuleID: alarm.SensorRule(name, alarm.FaultStale), Level: alarm.LevelFault,
				Subject: name, Since: time.Now().Add(-time.Hour), Condition: true,
				Message: name + " (sps30 on I2C bus sim" + strconv.Itoa(i) + " at 0x69): no reading for 10 s: check its cable and power; its booth's fans run at their safe duty until it reads again"})
		}
		withAlarms(r, as...)
	})
	b := newBrowser(t)
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(f.url))
	b.waitFor("four sensor faults", bannerIs("fault")+` && document.querySelectorAll('#alarm-list .alarm').length === 4`, 10*time.Second)
	time.Sleep(300 * time.Millisecond) // a frame to lay out
	if s := b.fits(); s != "" {
		t.Errorf("six booths, four sensor faults, at 1024x600: %s", s)
	}
	// The smaller word of six booths is still read from 3 m: 41 px makes
	// capitals 4.5 mm tall on a 7-inch tablet, over the 4.4 mm a 20/20
	// eye resolves there (it was 34 px, 3.6 mm).
	if px, err := strconv.ParseFloat(b.eval(`String(parseFloat(getComputedStyle(document.querySelector('#banner h1')).fontSize))`), 64); err != nil || px < 41 {
		t.Errorf("six booths at 1024x600: the banner's word is %.1f px (%v), want at least 41", px, err)
	}
	b.checkClean(f.addr)
}

// With one to three booths the banner's word is a tenth of the screen's
// height, to be read from across the room (DESIGN.md: from 3 m), and the
// page still fits a 1024x600 tablet with an alarm or a fault on the
// banner, and still shows every section on the Pi's 800x480 touchscreen.
// At 2.1rem (34 px) its capitals were 3.6 mm tall on a 7-inch tablet,
// under the 4.4 mm a 20/20 eye resolves at 3 m.
func TestBrowserBannerWordReadsFromAcrossTheRoom(t *testing.T) {
	for n := 1; n <= 3; n++ {
		cfg, err := config.Parse([]byte(roomYAML(n, testLimits)), "room.yaml")
		if err != nil {
			t.Fatal(err)
		}
		f := newFedPage(t, cfg)
		b := newBrowser(t)
		for _, a := range []alarm.Alarm{
			{ID: 5, RuleID: alarm.ZoneRule("staff", sample.PM25, alarm.CheckAlarm), Level: alarm.LevelAlarm,
				Subject: "staff", Quantity: sample.PM25, Since: time.Now().Add(-time.Minute), Condition: true,
				Message: "PM2.5 in staff above the alarm level 125.5 µg/m³ (now 140 µg/m³): leave the area or follow the site's high-exposure procedure; check that the booth doors are shut and the fans run; acknowledge once seen"},
			{ID: 6, RuleID: alarm.SensorRule("staff-pm", alarm.FaultStale), Level: alarm.LevelFault,
				Subject: "staff-pm", Since: time.Now().Add(-time.Minute), Condition: true,
				Message: "sensor staff-pm is not answering: check its cable and power; the fans serving its zone run at their safe duty"},
		} {
			f.show(func(r *record.Period) { withAlarms(r, a) })
			b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(f.url))
			b.waitFor("the banner's "+a.Level.String(), fmt.Sprintf(`document.querySelectorAll('.booth').length === %d && document.getElementById('banner').className.includes(%q)`, n, map[alarm.Level]string{alarm.LevelAlarm: "st-alarm", alarm.LevelFault: "st-fault"}[a.Level]), 10*time.Second)
			px, err := strconv.ParseFloat(b.eval(`String(parseFloat(getComputedStyle(document.querySelector('#banner h1')).fontSize))`), 64)
			if err != nil {
				t.Fatal(err)
			}
			if px < 57 {
				t.Errorf("%d booth(s), %s at 1024x600: the banner's word is %.0f px, want a tenth of the height (60)", n, a.Level, px)
			}
			if s := b.fits(); s != "" {
				t.Errorf("%d booth(s), %s at 1024x600: %s", n, a.Level, s)
			}
			b.do(chromedp.EmulateViewport(800, 480))
			time.Sleep(150 * time.Millisecond) // a frame to lay out at the new size
			if got := b.shown(); got != "" {
				t.Errorf("%d booth(s), %s at 800x480: %s", n, a.Level, got)
			}
		}
		b.checkClean(f.addr)
	}
}

// An old tablet's browser: Safari before 14 has no
// Element.replaceChildren and before 15.4 no <dialog>, and donated iPads
// often stop at iOS 12 or 13. There the page stopped after its first
// booth card and never updated again, its last banner standing as if
// current, and purge and acknowledge never opened. Chromium with both
// taken away before the page loads stands in for it: every booth card
// fills and follows the room, and a purge goes through.
func TestBrowserOlderTablet(t *testing.T) {
	b := newBrowser(t)
	if err := chromedp.Do(b.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
		delete Element.prototype.replaceChildren;
		delete HTMLDialogElement.prototype.showModal;
		delete HTMLDialogElement.prototype.close;`}); err != nil {
		t.Fatal(err)
	}
	// The room starts after the browser is ready: its clock runs
	// unpaced until runTo holds it, and a browser slow to take the
	// script once let it run past 40 s before the hold was set.
	r := startRoom(t, roomYAML(2, testLimits), roomOpts{stateDir: t.TempDir(), scenario: dayYAML(boothName(2, 1))})
	r.pacer.runTo(t, r, at(40*time.Second))
	r.pacer.pace(1)
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(r.url("/")))
	if got := b.eval(`String(!HTMLDialogElement.prototype.showModal)`); got != "true" {
		t.Fatalf("the old browser was not stood in for: %s", got)
	}
	b.waitFor("the OK banner", bannerIs("ok"), 10*time.Second)
	for i := 1; i <= 2; i++ {
		card := fmt.Sprintf(`document.getElementById('booth:%s')`, boothName(2, i))
		b.waitFor("booth "+strconv.Itoa(i)+" filled", card+` && `+card+`.querySelector('.entry').textContent === 'Safe to enter' && `+card+`.querySelectorAll('.figs dd').length >= 2`, 10*time.Second)
	}
	card := fmt.Sprintf(`document.getElementById('booth:%s')`, boothName(2, 1))
	r.pacer.runTo(t, r, at(3*time.Minute))
	r.pacer.pace(1)
	b.waitFor("the booth to show smoke", card+`.querySelector('.chip').textContent === 'Smoke'`, 10*time.Second)

	r.pacer.runTo(t, r, at(4*time.Minute+10*time.Second))
	r.pacer.pace(1)
	b.do(chromedp.Click(chromedp.CSS(`[id="booth:` + boothName(2, 1) + `"] .purge-btn`)))
	b.waitFor("the purge form shown", `document.getElementById('dlg').hasAttribute('open') && document.getElementById('dlg-name').getBoundingClientRect().height > 0`, 5*time.Second)
	b.do(chromedp.SendKeys(chromedp.ID("dlg-name"), "Sam (test)"), chromedp.SendKeys(chromedp.ID("dlg-pin"), testPIN),
		chromedp.Click(chromedp.ID("dlg-ok")))
	b.waitFor("the purge answer", `!document.getElementById('toast').hidden && document.getElementById('toast').textContent.includes('purging')`, 10*time.Second)
	b.waitFor("the form closed", `!document.getElementById('dlg').hasAttribute('open') && document.getElementById('dlg').getBoundingClientRect().height === 0`, 5*time.Second)
	checkServed(t, r, record.ActPurge, "Sam (test)")
	b.checkClean(r.addr)
}
