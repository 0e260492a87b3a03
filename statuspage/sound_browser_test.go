package statuspage

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ventd/ventd/config"
)

// With page.sound on, the page starts its sound by itself where the
// browser allows it (the kiosk's --autoplay-policy flag): it was off
// after every load until someone pressed "Sound off", so a tablet
// reloaded or rebooted overnight never beeped.
func TestBrowserSoundStartsByItself(t *testing.T) {
	cfg, err := config.Parse([]byte(roomYAML(1, testLimits)), "room.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := newFedPage(t, cfg)
	b := newBrowser(t) // --autoplay-policy=no-user-gesture-required, as the kiosk
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(f.url))
	b.waitFor("the OK banner", bannerIs("ok"), 10*time.Second)
	b.waitFor("the sound on without a tap", `document.getElementById('sound').getAttribute('aria-pressed') === 'true' &&
		document.getElementById('sound').textContent === 'Sound on' && !document.getElementById('sound').hidden`, 5*time.Second)
	b.checkClean(f.addr)
}

// Where the browser refuses to start sound without a tap (a tablet's
// browser with its usual policy), the page says so loudly: "SOUND OFF",
// "tap to turn on", in yellow, not a small "Sound off" that reads like a
// setting. A tap turns it on.
func TestBrowserSoundRefusedSaysSoLoudly(t *testing.T) {
	cfg, err := config.Parse([]byte(roomYAML(1, testLimits)), "room.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := newFedPage(t, cfg)
	b := newBrowser(t, chromedp.Flag("autoplay-policy", "document-user-activation-required"))
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(f.url))
	b.waitFor("the OK banner", bannerIs("ok"), 10*time.Second)
	const btn = `document.getElementById('sound')`
	b.waitFor("the loud sound-off button", btn+`.textContent.includes('SOUND OFF') && `+btn+`.textContent.includes('tap to turn on') && !`+btn+`.hidden`, 5*time.Second)
	if got := b.eval(`(() => {
		const e = document.getElementById('sound');
		const cs = getComputedStyle(e);
		const r = e.getBoundingClientRect();
		return cs.backgroundColor + ' ' + (r.height >= 44 && r.width >= 44 && r.right <= innerWidth && r.bottom <= innerHeight ? 'shown' : 'not shown: ' + JSON.stringify(r));
	})()`); got != "rgb(255, 235, 59) shown" {
		t.Errorf("the sound-off button: %s; want it yellow and shown whole", got)
	}
	b.shot("sound-refused-1024x600")
	b.do(chromedp.Click(chromedp.ID("sound")))
	b.waitFor("the sound on after a tap", btn+`.getAttribute('aria-pressed') === 'true' && `+btn+`.textContent === 'Sound on'`, 5*time.Second)
	b.axeCheck("sound")
	b.checkClean(f.addr)
}
