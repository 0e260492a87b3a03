package statuspage

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The page behind a site's reverse proxy at /ventd/, in a real browser:
// it loads its files, reads the room and says so, and nothing it asks
// for leaves /ventd/.
func TestBrowserBehindAProxyPath(t *testing.T) {
	b := newBrowser(t)
	r := startRoom(t, roomYAML(1, testLimits), roomOpts{scenario: dayYAML("booth")})
	site := behindProxy(t, r)
	r.pacer.runTo(t, r, at(40*time.Second))
	r.pacer.pace(1)
	b.do(chromedp.EmulateViewport(1024, 600), chromedp.Navigate(site+"/ventd/"))
	b.waitFor("the OK banner through the proxy", bannerIs("ok"), 10*time.Second)
	b.waitFor("the stylesheet", `getComputedStyle(document.body).margin === '0px'`, 5*time.Second)
	u, _ := url.Parse(site)
	b.checkClean(u.Host)
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, req := range b.requests {
		if p, err := url.Parse(req); err == nil && p.Scheme != "data" && !strings.HasPrefix(p.Path, "/ventd/") {
			t.Errorf("the page asked for %s, outside /ventd/ on the proxy", req)
		}
	}
}
