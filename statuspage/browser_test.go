package statuspage

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// axe-core's built file, vendored with its licence (MPL-2.0) so the
// accessibility check runs offline and always with the same rules; see
// testdata/axe/README.
//
//go:embed testdata/axe/axe.min.js
var axeSource string

// browser is headless Chromium (the Debian package) driven over the
// DevTools protocol, with everything the page logs and every request it
// makes kept for the checks.
type browser struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	errs     []string
	requests []string
}

func chromiumPath(t *testing.T) string {
	for _, name := range []string{"/usr/bin/chromium", "chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed: apt-get install chromium (testbench/test.sh does)")
	}
	t.Skip("the browser tests need chromium: sudo apt-get install chromium")
	return ""
}

// newBrowser starts Chromium as a kiosk runs it (the README's flags that
// matter to the page: sound may play without a tap); extra options come
// after, and a later flag overrides an earlier one.
func newBrowser(t *testing.T, extra ...chromedp.ExecAllocatorOption) *browser {
	t.Helper()
	b := &browser{t: t}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1024, 600),
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), append(opts, extra...)...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(b.listen))
	t.Cleanup(func() { cancel(); acancel() })
	b.ctx = ctx
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return b
}

func (b *browser) listen(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			b.errs = append(b.errs, fmt.Sprintf("log: %s %s", ev.Entry.Text, ev.Entry.URL))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		b.errs = append(b.errs, fmt.Sprintf("exception: %s at %s:%d", msg, d.URL, d.LineNumber))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			b.errs = append(b.errs, "console.error")
		}
	case *network.EventRequestWillBeSent:
		b.requests = append(b.requests, ev.Request.URL)
	}
}

// checkClean fails on any console error so far, and on any request that
// went anywhere but the ventd under test.
func (b *browser) checkClean(host string) {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errs {
		b.t.Errorf("browser: %s", e)
	}
	for _, r := range b.requests {
		u, err := url.Parse(r)
		if err != nil || u.Host != host && u.Scheme != "data" {
			b.t.Errorf("the page made a request that leaves ventd: %s", r)
		}
	}
	if len(b.requests) == 0 {
		b.t.Error("no request seen: the network listener is not working")
	}
	b.errs = nil
}

// forget drops the logged errors that contain what: the browser logs a
// refused request (401 for a wrong PIN) as an error, which the test
// caused on purpose.
func (b *browser) forget(what string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	kept := b.errs[:0]
	for _, e := range b.errs {
		if !strings.Contains(e, what) {
			kept = append(kept, e)
		}
	}
	b.errs = kept
}

func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatal(err)
	}
}

func (b *browser) eval(js string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// waitFor polls the page until js (or the promise it makes) is true, for
// at most limit.
func (b *browser) waitFor(what, js string, limit time.Duration) {
	b.t.Helper()
	end := time.Now().Add(limit)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise))
		if err == nil && ok {
			return
		}
		if time.Now().After(end) {
			b.t.Fatalf("waited %s for %s; the banner says %q (%v)", limit, what, b.banner(), err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (b *browser) banner() string {
	v, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.getElementById('banner').className + ': ' + document.getElementById('banner').innerText.replace(/\s+/g, ' ')`))
	return v
}

// bannerIs is the JS test for the banner's state class.
func bannerIs(state string) string {
	return fmt.Sprintf(`document.getElementById('banner').classList.contains('st-%s')`, state)
}

// The sizes the page must work at: a 7" tablet in landscape and a phone in
// portrait.
var sizes = []struct {
	name string
	w, h int64
}{{"tablet", 1024, 600}, {"phone", 390, 844}}

// shoot writes a screenshot of the page at each size to the artifacts
// folder, named room-state-size.png, and returns to the tablet size.
func (b *browser) shoot(room, state string) {
	b.t.Helper()
	for _, s := range sizes {
		b.do(chromedp.EmulateViewport(s.w, s.h))
		time.Sleep(150 * time.Millisecond) // a frame to lay out at the new size
		if w := b.eval(`document.documentElement.scrollWidth + ' in ' + innerWidth`); w != fmt.Sprintf("%d in %d", s.w, s.w) {
			b.t.Errorf("%s, %s, %s: the page is %s px wide: it scrolls sideways", room, state, s.name, w)
		}
		shot := chromedp.CaptureScreenshot()
		if s.name == "phone" {
			shot = chromedp.FullScreenshot(100) // the whole page: a phone scrolls
		}
		png, err := chromedp.Run(b.ctx, shot)
		if err != nil {
			b.t.Fatal(err)
		}
		name := filepath.Join(artifacts(b.t), fmt.Sprintf("%s-%s-%s.png", room, state, s.name))
		if err := os.WriteFile(name, png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.do(chromedp.EmulateViewport(1024, 600))
}

var (
	artifactsOnce sync.Once
	artifactsDir  string
)

// artifacts is where screenshots go: $VENTD_ARTIFACTS (which CI keeps),
// else a temporary folder; the path is printed either way.
func artifacts(t *testing.T) string {
	artifactsOnce.Do(func() {
		artifactsDir = os.Getenv("VENTD_ARTIFACTS")
		if artifactsDir == "" {
			artifactsDir = filepath.Join(os.TempDir(), "ventd-page-screenshots")
		}
		artifactsDir = filepath.Join(artifactsDir, "statuspage")
		if err := os.MkdirAll(artifactsDir, 0o755); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("statuspage: screenshots in %s\n", artifactsDir)
	})
	return artifactsDir
}

// axeCheck runs axe-core on the page and fails on every serious or
// critical violation.
func (b *browser) axeCheck(state string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
		b.t.Fatalf("loading axe-core: %v", err)
	}
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]byte](`axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe.run: %v", err)
	}
	var vs []struct {
		ID, Impact, Help string
		Nodes            []string
	}
	if err := json.Unmarshal(raw, &vs); err != nil {
		b.t.Fatal(err)
	}
	for _, v := range vs {
		msg := fmt.Sprintf("axe (%s state): %s %s: %s\n  %s", state, v.Impact, v.ID, v.Help, strings.Join(v.Nodes, "\n  "))
		if v.Impact == "serious" || v.Impact == "critical" {
			b.t.Error(msg)
		} else {
			b.t.Log(msg)
		}
	}
}

// fits reports, in words, whether the page fits the viewport without
// scrolling ("" when it does).
func (b *browser) fits() string {
	return b.eval(`(() => {
		const d = document.documentElement;
		if (d.scrollHeight > innerHeight || d.scrollWidth > innerWidth) return 'the page is ' + d.scrollWidth + 'x' + d.scrollHeight + ' in a ' + innerWidth + 'x' + innerHeight + ' window';
		// Nor hidden in a box of its own: the booths and every staff row
		// show on a wall nobody scrolls.
		for (const id of ['booths', 'staff']) {
			const e = document.getElementById(id);
			if (e.scrollHeight > e.clientHeight + 1) return '#' + id + ' holds ' + e.scrollHeight + ' px in ' + e.clientHeight + ' (scrolled out of sight)';
		}
		return '';
	})()`)
}
