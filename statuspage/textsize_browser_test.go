package statuspage

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/ventd/ventd/config"
)

// A reader's larger text setting scales the page: its root size was
// 16px whatever the browser's default, so large text changed nothing. At
// the default it is as it was, and six booths fit a 1024x600 tablet; at
// 24px everything is half as large again, and the page stacks its
// sections and scrolls rather than squeezing or cutting one off.
func TestBrowserLargeTextScalesThePage(t *testing.T) {
	cfg, err := config.Parse([]byte(roomYAML(6, testLimits)), "room.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := newFedPage(t, cfg)
	size := func(b *browser) (root, text float64) {
		t.Helper()
		got := b.eval(`parseFloat(getComputedStyle(document.documentElement).fontSize) + ' ' + parseFloat(getComputedStyle(document.getElementById('banner-text')).fontSize)`)
		var r, w float64
		if _, err := fmt.Sscan(got, &r, &w); err != nil {
			t.Fatalf("%q: %v", got, err)
		}
		return r, w
	}
	b := newBrowser(t)
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(f.url))
	b.waitFor("six booths", bannerIs("ok")+` && document.querySelectorAll('.booth').length === 6`, 10*time.Second)
	root, text := size(b)
	if root != 16 {
		t.Errorf("at the default text size the root is %gpx, want 16", root)
	}
	if got := b.fits(); got != "" {
		t.Errorf("six booths at 1024x600, default text: %s", got)
	}
	b.checkClean(f.addr)

	large := newBrowser(t)
	if _, err := chromedp.Call(large.ctx, page.SetFontSizes, page.SetFontSizesParams{FontSizes: &page.FontSizes{Standard: 24}}); err != nil {
		t.Fatal(err)
	}
	large.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(f.url))
	large.waitFor("six booths", bannerIs("ok")+` && document.querySelectorAll('.booth').length === 6`, 10*time.Second)
	lroot, ltext := size(large)
	if lroot != 24 || ltext < text*1.4 {
		t.Errorf("with the browser's text at 24px: root %gpx, the banner's sentence %gpx (%gpx at 16px); want both half as large again", lroot, ltext, text)
	}
	if got := large.shown(); got != "" {
		t.Errorf("six booths at 1024x600, 24px text: %s", got)
	}
	large.shot("large-text-24px-1024x600")
	large.checkClean(f.addr)
}
