package statuspage

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
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
