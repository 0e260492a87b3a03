package statuspage

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// pageURLs are the addresses the page's files name for the page's own
// files and API: href and src in index.html, the string literals that
// page.js fetches, streams from and posts to.
var pageURLs = regexp.MustCompile(`["'](/?(?:ui|api)/[a-z0-9./]+)["']`)

// A site puts ventd behind its web server at a path of its own
// (https://host/ventd/, nginx's `location /ventd/ { proxy_pass
// http://pi:8080/; }`), for a login or TLS in front of it, as the README
// suggests. Every file and endpoint the page names must then be reached
// under that path: an address from the server's root leaves the proxy
// for another application of the site (or a 404), and the tablet shows
// an unstyled page that never leaves NO DATA.
func TestPageWorksUnderAReverseProxyPath(t *testing.T) {
	r := startRoom(t, roomYAML(1, ""), roomOpts{})
	r.pacer.release() // unpaced: nothing here looks at the time
	base, _ := url.Parse(behindProxy(t, r) + "/ventd/")

	get := func(u string) (int, string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		defer resp.Body.Close()
		if resp.Header.Get("Content-Type") == "text/event-stream" {
			return resp.StatusCode, "" // the live stream: its status is enough
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return resp.StatusCode, string(b)
	}
	// /api/state answers 503 until the first measurement: on a busy
	// machine (the browser tests beside it) the unpaced clock had not
	// made one yet when the loop below asked.
	waitFor(t, "the first measurement", func() bool { c, _ := get(r.url("/api/state")); return c == http.StatusOK })
	code, index := get(base.String())
	if code != http.StatusOK {
		t.Fatalf("the page through the proxy: %d %s", code, index)
	}
	_, script := get(r.url("/ui/page.js"))
	var named []string
	for _, text := range []string{index, script} {
		for _, m := range pageURLs.FindAllStringSubmatch(text, -1) {
			named = append(named, m[1])
		}
	}
	// The page names its three files, its four GET endpoints and its two
	// POST ones; fewer means this test no longer reads them.
	if len(named) < 9 {
		t.Fatalf("found only %d addresses in the page: %q", len(named), named)
	}
	for _, ref := range named {
		u, err := base.Parse(ref)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(u.Path, "/ventd/") {
			t.Errorf("the page names %q: behind a proxy at /ventd/ the browser asks for %s, outside ventd", ref, u.Path)
			continue
		}
		code, body := get(u.String())
		want := http.StatusOK
		if strings.HasSuffix(u.Path, "/api/purge") || strings.HasSuffix(u.Path, "/api/acknowledge") {
			want = http.StatusMethodNotAllowed // ventd's own answer to a GET: the POST would reach it
		}
		if code != want {
			t.Errorf("%q through the proxy (%s): %d, want %d: %.200s", ref, u.Path, code, want, body)
		}
	}
}

// behindProxy serves r's HTTP under /ventd/ of a site's web server, as
// nginx's `location /ventd/ { proxy_pass http://pi:8080/; }` does, and
// returns the server's address; everything else on it is the site's.
func behindProxy(t *testing.T, r *room) string {
	t.Helper()
	upstream, err := url.Parse(r.url("/"))
	if err != nil {
		t.Fatal(err)
	}
	site := http.NewServeMux()
	site.Handle("/ventd/", http.StripPrefix("/ventd", httputil.NewSingleHostReverseProxy(upstream)))
	site.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		http.Error(w, "the site's own application: "+req.URL.Path, http.StatusNotFound)
	})
	proxy := httptest.NewServer(site)
	t.Cleanup(func() {
		proxy.CloseClientConnections() // a page's live stream would hold Close
		proxy.Close()
	})
	return proxy.URL
}
