package statuspage

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/ventd/ventd/config"
)

// Nothing known is never shown as the green "No active alarms": not while
// the data is stale (the list is the last one known), and not in the
// page as served, which a browser without JavaScript shows as it is; that
// one says JavaScript is off.
func TestBrowserNoAllClearWithoutData(t *testing.T) {
	f := newFedPage(t, config.Sim())
	b := newBrowser(t)
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(f.url))
	b.waitFor("the OK banner and the all-clear", bannerIs("ok")+` && document.getElementById('alarm-list').textContent === 'No active alarms'`, 10*time.Second)
	f.paused.Store(true)
	b.waitFor("the stale banner", bannerIs("stale"), 10*time.Second)
	time.Sleep(300 * time.Millisecond) // a frame
	const list = `(() => { const l = document.getElementById('alarm-list'); return l.textContent + ' (' + getComputedStyle(l.firstElementChild).color + ')'; })()`
	if got := b.eval(list); got != "Not known: no data from ventd (rgb(255, 213, 79))" {
		t.Errorf("the alarm list with no data: %s", got)
	}
	f.paused.Store(false)
	b.waitFor("the all-clear again", bannerIs("ok")+` && document.getElementById('alarm-list').textContent === 'No active alarms'`, 10*time.Second)
	b.forget("/api/state") // the stale page polls; this page has no daemon's API
	b.checkClean(f.addr)

	// Without JavaScript.
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.Navigate(f.url))
	time.Sleep(500 * time.Millisecond)
	got := b.eval(`(() => {
		const out = [];
		const l = document.getElementById('alarm-list').innerText;
		if (l.includes('No active alarms')) out.push('the alarm list says "' + l + '"');
		const n = document.querySelector('.noscript');
		if (!n || n.getBoundingClientRect().height === 0 || !n.innerText.includes('JavaScript is off')) out.push('no word that JavaScript is off');
		return out.join('; ');
	})()`)
	if got != "" {
		t.Errorf("the page without JavaScript: %s", got)
	}
	b.shot("no-javascript-1024x600")
}
