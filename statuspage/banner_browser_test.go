package statuspage

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
)

// staffAlarm is the staff PM2.5 alarm as the engine words it: the longest
// sentence the banner shows.
var staffAlarm = alarm.Alarm{ID: 5, RuleID: alarm.ZoneRule("staff", sample.PM25, alarm.CheckAlarm), Level: alarm.LevelAlarm,
	Subject: "staff", Quantity: sample.PM25, Condition: true, Latching: true,
	Message: "PM2.5 in staff above the alarm level 125.5 µg/m³ (now 361.9 µg/m³): leave the area or follow the site's high-exposure procedure; check that the booth doors are shut and the fans run; acknowledge once seen"}

// The site's and the room's names yield to the banner's word and
// sentence. The names sat beside them unwrapped and unshrinkable
// (flex: none, nowrap): with 64 characters each the alarm's word and
// sentence broke one word to a line, the banner grew to about 950 px on
// a 1024x600 tablet and hid every booth and "Not safe to enter"; even a
// site's real names gave a five-line banner during an alarm.
func TestBrowserLongNamesYieldToTheBanner(t *testing.T) {
	for _, names := range [][2]string{
		{"Downtown Eastside Overdose Prevention Site, Hastings Street East", "Supervised Inhalation Room 2 (north wing, beside the nurse desk)"},
		{"Downtown Eastside Overdose Prevention Site", strings.Repeat("InhalationRoom", 5)[:64]},
	} {
		for _, n := range []int{6, 1} {
			yml := strings.Replace(roomYAML(n, testLimits), "room: Room ", "room: ", 1)
			yml = strings.Replace(yml, fmt.Sprintf("site: Test OPS\nroom: %d\n", n), fmt.Sprintf("site: %q\nroom: %q\n", names[0], names[1]), 1)
			cfg, err := config.Parse([]byte(yml), "room.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Site != names[0] || cfg.Room != names[1] {
				t.Fatalf("the names did not reach the config: %q, %q", cfg.Site, cfg.Room)
			}
			f := newFedPage(t, cfg)
			f.show(func(r *record.Period) {
				a := staffAlarm
				a.Since = time.Now().Add(-time.Minute)
				withAlarms(r, a)
			})
			b := newBrowser(t)
			b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(f.url))
			b.waitFor("the alarm", bannerIs("alarm")+fmt.Sprintf(` && document.querySelectorAll('.booth').length === %d`, n), 10*time.Second)
			for _, s := range []struct{ w, h int64 }{{1024, 600}, {800, 480}, {390, 844}, {360, 640}, {320, 568}} {
				b.do(chromedp.EmulateViewport(s.w, s.h))
				time.Sleep(150 * time.Millisecond) // a frame to lay out at the new size
				what := fmt.Sprintf("%d booth(s), names of %d and %d characters, at %dx%d", n, len(names[0]), len(names[1]), s.w, s.h)
				if got := b.eval(bannerYields); got != "" {
					t.Errorf("%s: %s", what, got)
				}
				if got := b.eval(everyWordFits); got != "" {
					t.Errorf("%s: %s", what, got)
				}
				if s.w == 1024 {
					if got := b.fits(); got != "" {
						t.Errorf("%s: %s", what, got)
					}
				}
				if s.w < 800 {
					continue // a phone scrolls: the word and the names are what matter there
				}
				b.shot(fmt.Sprintf("long-names-%d-%d-booths-alarm-%dx%d", len(strings.Fields(names[1])), n, s.w, s.h))
			}
			b.checkClean(f.addr)
		}
	}
}

// bannerYields says, in words, how the banner fails to put its word and
// sentence first ("" when it does): the word on one line, the sentence
// at least 60% of the window's width, the banner at most 40% of its
// height on a tablet (a phone scrolls, and its alarm sentence alone takes
// more), the names' line within the window (cut short rather than the
// banner grown), and the first row of booth cards whole on the first
// screen.
const bannerYields = `(() => {
	const out = [];
	const word = document.getElementById('banner-word');
	if (word.getClientRects().length !== 1) out.push('the word "' + word.textContent + '" is on ' + word.getClientRects().length + ' lines');
	const text = document.getElementById('banner-text').getBoundingClientRect();
	if (text.width < innerWidth * 0.6) out.push('the sentence is ' + Math.round(text.width) + ' px wide in a ' + innerWidth + ' px window');
	const banner = document.getElementById('banner').getBoundingClientRect();
	if (innerWidth >= 800 && banner.height > innerHeight * 0.4) out.push('the banner is ' + Math.round(banner.height) + ' px tall in a ' + innerHeight + ' px window');
	const names = document.getElementById('room').parentElement.getBoundingClientRect();
	if (names.right > innerWidth + 0.5 || names.left < -0.5) out.push("the names' line runs off the screen");
	const cards = [...document.querySelectorAll('.booth')];
	if (!cards.length) out.push('no booth card');
	const first = cards.length ? cards[0].getBoundingClientRect().top : 0;
	const cut = cards.filter((c) => c.getBoundingClientRect().top === first && c.getBoundingClientRect().bottom > innerHeight);
	if (cut.length) out.push(cut.length + ' booth card(s) of the first row not whole on the first screen (its top at ' + Math.round(first) + ' px)');
	return out.join('; ');
})()`

// shot writes a screenshot of the window as it is to the artifacts
// folder, as name.png.
func (b *browser) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(artifacts(b.t), name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// everyWordFits says which of the banner's words would not fit on one
// line within the banner's main part at the window's size ("" when all
// do), each tried in its own state's class (its sign before it).
const everyWordFits = `(() => {
	const banner = document.getElementById('banner');
	const word = document.getElementById('banner-word');
	const main = word.closest('.banner-main');
	const was = [banner.className, word.textContent];
	const out = [];
	for (const [cls, w] of [['st-stale', 'ventd stopped'], ['st-stale', 'No data'], ['st-fault', 'Sensor fault'], ['st-fault', 'Record fault'],
		['st-fault', 'Fan fault'], ['st-safe', 'Fans at full'], ['st-purge', 'Purging'], ['st-wait', 'Waiting'], ['st-wait', 'Connecting'],
		['st-alarm', 'Alarm'], ['st-warning', 'Warning'], ['st-ok', 'Air OK']]) {
		banner.className = 'banner ' + cls;
		word.textContent = w;
		const r = word.getBoundingClientRect();
		if (word.getClientRects().length !== 1 || r.right > main.getBoundingClientRect().right + 0.5 || r.right > innerWidth) out.push(w + ' (' + Math.round(r.right) + ' px)');
	}
	[banner.className, word.textContent] = was;
	return out.length ? "words that do not fit the banner's main part (" + Math.round(main.getBoundingClientRect().right) + ' px): ' + out.join(', ') : '';
})()`
