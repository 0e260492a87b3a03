package statuspage

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/httpapi"
	"github.com/ventd/ventd/lograte"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/testbench"
)

// post sends body to path as the page does (token cookie and header, JSON)
// unless the test changes it, and returns the status and the answer.
func post(t *testing.T, r *room, path, body string, change func(*http.Request)) (int, map[string]string, http.Header) {
	t.Helper()
	return postWith(t, http.DefaultClient, r, path, body, change)
}

// clientFrom is an HTTP client whose connections come from the local
// address from (127.0.0.N: on Linux the whole of 127/8 is loopback).
func clientFrom(from string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}).DialContext,
	}}
}

// postWith is post through client.
func postWith(t *testing.T, client *http.Client, r *room, path, body string, change func(*http.Request)) (int, map[string]string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, r.url(path), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", "http://"+r.addr)
	req.AddCookie(&http.Cookie{Name: tokenCookie, Value: "token-of-this-page-0123"})
	req.Header.Set(tokenHeader, "token-of-this-page-0123")
	if change != nil {
		change(req)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans map[string]string
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &ans); err != nil {
		t.Fatalf("%s %s: %s is not JSON: %v", path, resp.Status, b, err)
	}
	return resp.StatusCode, ans, resp.Header
}

func TestActionsRefuseWhatIsNotTheStaffOnThisPage(t *testing.T) {
	r := startRoom(t, roomYAML(1, ""), roomOpts{})
	r.pacer.hold() // nothing reaches the loop in this test; the allowances do not refill
	const purge = `{"zone": "booth", "name": "Sam", "pin": "246810"}`
	for _, c := range []struct {
		name   string
		body   string
		change func(*http.Request)
		code   int
		msg    string
	}{
		{"another site's page", purge, func(q *http.Request) { q.Header.Set("Sec-Fetch-Site", "cross-site") }, 403, "another site"},
		{"another origin, old browser", purge, func(q *http.Request) {
			q.Header.Del("Sec-Fetch-Site")
			q.Header.Set("Origin", "http://evil.example")
		}, 403, "another site"},
		{"no token", purge, func(q *http.Request) { q.Header.Del(tokenHeader) }, 403, "token"},
		{"token not the cookie's", purge, func(q *http.Request) { q.Header.Set(tokenHeader, "another-token-0123456") }, 403, "token"},
		{"a form, not JSON", purge, func(q *http.Request) { q.Header.Set("Content-Type", "application/x-www-form-urlencoded") }, 415, "JSON"},
		{"no name", `{"zone": "booth", "pin": "246810"}`, nil, 400, "your name"},
		{"unknown field", `{"zone": "booth", "name": "Sam", "pin": "246810", "duty": 0}`, nil, 400, "unknown field"},
		{"nothing", `{}`, nil, 400, "your name"},
		{"no body", ``, nil, 400, "the request has no body: send a JSON object"},
		{"no PIN", `{"zone": "booth", "name": "Sam"}`, nil, 400, "enter the staff PIN"},
		{"a blank PIN", `{"zone": "booth", "name": "Sam", "pin": "  "}`, nil, 400, "enter the staff PIN"},
		{"no such zone", `{"zone": "nowhere", "name": "Sam", "pin": "111111"}`, nil, 400, `no zone "nowhere"; zones: booth`},
		{"a zone no fan clears", `{"zone": "staff", "name": "Sam", "pin": "111111"}`, nil, 400, `no fan serves zone "staff"; purge a booth: booth`},
		{"a name of invisible characters", `{"zone": "booth", "name": "\u200b\u2060\ufeff", "pin": "111111"}`, nil, 400, "your name"},
		{"a name of blanks", `{"zone": "booth", "name": "\u2800\u2800", "pin": "111111"}`, nil, 400, "no letter or digit"},
		{"a media type that only starts like JSON", purge, func(q *http.Request) { q.Header.Set("Content-Type", "application/jsonx") }, 415, "JSON"},
		{"something after the JSON", purge + `garbage`, nil, 400, "something follows"},
		// Told as what it is, with the limit; it was "not the JSON the
		// page sends: http: request body too large".
		{"over 4 KiB", `{"zone": "booth", "name": "Sam", "pin": "246810", "reason": "` + strings.Repeat("r", 5000) + `"}`, nil, 413,
			"the request is over 4 KiB, more than the page ever sends: shorten the reason or note"},
		// In the page's words, not Go's ("Go value of type statuspage.request").
		{"an array", `[]`, nil, 400, `it is a JSON array, not an object like {"pin"`},
		{"a number for the PIN", `{"zone": "booth", "name": "Sam", "pin": 246810}`, nil, 400, `"pin" is a JSON number; it should be a string`},
		{"not JSON", `{"zone": booth}`, nil, 400, "it is not valid JSON at byte 10"},
		{"cut short", `{"zone": "booth"`, nil, 400, "it ends part-way through"},
		{"wrong PIN", `{"zone": "booth", "name": "Sam", "pin": "111111"}`, nil, 401, "wrong PIN"},
		{"wrong PIN again", `{"zone": "booth", "name": "Sam", "pin": "000000"}`, nil, 401, "wrong PIN"},
		{"and again", `{"zone": "booth", "name": "Sam", "pin": "2468100"}`, nil, 401, "wrong PIN"},
		{"again", `{"zone": "booth", "name": "Sam", "pin": "2468101"}`, nil, 401, "wrong PIN"},
		{"and again", `{"zone": "booth", "name": "Sam", "pin": "2468102"}`, nil, 401, "wrong PIN"},
		{"a sixth", `{"zone": "booth", "name": "Sam", "pin": "2468103"}`, nil, 401, "wrong PIN"},
	} {
		code, ans, _ := post(t, r, "/api/purge", c.body, c.change)
		if code != c.code || !strings.Contains(ans["error"], c.msg) || strings.Contains(ans["error"], "statuspage.") || strings.Contains(ans["error"], "json:") {
			t.Errorf("%s: %d %q; want %d saying %q", c.name, code, ans["error"], c.code, c.msg)
		}
	}
	// Six attempts a minute per client (the default): the six wrong PINs
	// were counted (malformed requests, without a PIN, or refused as
	// cross-site or without a token never get that far), so the next
	// waits, whatever its PIN.
	code, ans, h := post(t, r, "/api/purge", purge, nil)
	if code != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(ans["error"], "too many wrong PINs") {
		t.Errorf("7th attempt in a minute: %d %v; want 429 with Retry-After", code, ans)
	}
	if a := r.served(); len(a) != 0 {
		t.Errorf("refused requests reached the daemon: %+v", a)
	}
	// A GET never changes anything.
	resp, err := http.Get(r.url("/api/purge"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET /api/purge: %s, Allow %q", resp.Status, resp.Header.Get("Allow"))
	}
}

// A purge whose body arrives too slowly (a tablet on bad Wi-Fi), cut off
// by the server's body timeout, is told so with 408 and asked to try
// again: it got 400 "not the JSON the page sends: read tcp 127.0.0.1:…:
// i/o timeout".
func TestSlowPurgeBodyIsTimedOut(t *testing.T) {
	var logs testbench.LogBuffer
	r := startRoom(t, roomYAML(1, ""), roomOpts{log: &logs})
	r.pacer.hold()
	mux := http.NewServeMux()
	r.page.Register(mux)
	srv := httptest.NewServer(httpapi.Guard(mux, httpapi.GuardOptions{BodyTimeout: 200 * time.Millisecond}))
	t.Cleanup(srv.Close)
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body := `{"zone": "booth", "name": "Sam", "pin": "246810"}`
	fmt.Fprintf(c, "POST /api/purge HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nSec-Fetch-Site: same-origin\r\n"+
		"Cookie: %s=token-of-this-page-0123\r\n%s: token-of-this-page-0123\r\nContent-Length: %d\r\n\r\n%s",
		tokenCookie, tokenHeader, len(body), body[:10]) // and the rest never comes
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans map[string]string
	json.NewDecoder(resp.Body).Decode(&ans)
	if resp.StatusCode != http.StatusRequestTimeout || ans["error"] != "the request did not arrive in time (a slow or broken connection); nothing was done: try again" {
		t.Errorf("a body that stops: %s %q; want 408 asking to try again", resp.Status, ans["error"])
	}
	if l := logs.String(); !strings.Contains(l, "too large or too slow") || strings.Contains(l, "i/o timeout") {
		t.Errorf("log: %s", l)
	}
}

// Hidden characters leave a name, a reason and a note before they reach
// the record: a bidirectional override would reverse how the rest of an
// export's line reads.
func TestCleanDropsHiddenCharacters(t *testing.T) {
	for in, want := range map[string]string{
		"Al\u202eice":          "Alice",
		"\u200b Sam Lee\ufeff": "Sam Lee",
		"Jo\x00\x07e":          "Joe",
		"Zoë 12":               "Zoë 12",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// Junk posts from many addresses (no PIN, valid-looking token) are refused
// with 400 and never spend the allowance the staff need: a purge with the
// right PIN goes through while they flood in. A manager sees them in the
// log, a line per address at most once a minute and never a flood.
func TestJunkPostsLeaveTheAllowanceToTheStaff(t *testing.T) {
	var logs testbench.LogBuffer
	r := startRoom(t, roomYAML(1, ""), roomOpts{log: &logs})
	r.pacer.pace(1) // the allowances refill in real time: 30 a minute from everywhere
	var wg sync.WaitGroup
	stop := make(chan struct{})
	halt := sync.OnceFunc(func() { close(stop); wg.Wait() })
	t.Cleanup(halt) // before the room stops
	var junk, refused atomic.Int64
	for i := range 40 {
		c := clientFrom(fmt.Sprintf("127.0.1.%d", i+1))
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond): // as the tester did
				}
				body := `{}`
				if junk.Add(1)%2 == 0 {
					body = `{"zone": "booth", "name": "x"}`
				}
				if junkPost(c, r, body) == http.StatusBadRequest {
					refused.Add(1)
				}
			}
		})
	}
	waitFor(t, "the junk to spend any allowance", func() bool { return junk.Load() >= 200 })
	code, ans, _ := postWith(t, clientFrom("127.0.0.9"), r, "/api/purge", `{"zone": "booth", "name": "Sam", "pin": "246810"}`, nil)
	halt()
	if code != http.StatusOK || !strings.Contains(ans["result"], "booth") {
		t.Errorf("the staff's purge with the right PIN, after %d junk posts: %d %v; want it done", junk.Load(), code, ans)
	}
	if refused.Load() != junk.Load() {
		t.Errorf("%d of %d junk posts refused with 400", refused.Load(), junk.Load())
	}
	lines := strings.Count(logs.String(), "refused a malformed request")
	if lines == 0 || lines > lograte.Burst || !strings.Contains(logs.String(), "from=127.0.1.") {
		t.Errorf("%d lines about %d junk posts, want 1 to %d naming the address:\n%s", lines, junk.Load(), lograte.Burst, tail(logs.String(), 5))
	}
	t.Logf("%d junk posts, %d log lines about them", junk.Load(), lines)
}

// junkPost posts body as the page would, and returns the status (0 when
// the post failed).
func junkPost(c *http.Client, r *room, body string) int {
	req, err := http.NewRequest(http.MethodPost, r.url("/api/purge"), strings.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: tokenCookie, Value: "token-of-this-page-0123"})
	req.Header.Set(tokenHeader, "token-of-this-page-0123")
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(l[max(0, len(l)-n):], "\n")
}

func TestGlobalAllowanceBoundsManyAddresses(t *testing.T) {
	r := startRoom(t, roomYAML(1, ""), roomOpts{})
	r.pacer.hold()
	a := r.page.actions
	// 30 a minute from everywhere (the default), 6 from each address.
	allowed := 0
	for i := range 40 {
		if _, _, ok := a.allow("10.0.0." + string(rune('a'+i/6)) + ":1"); ok {
			allowed++
		}
	}
	if allowed != 30 {
		t.Errorf("%d attempts allowed from 7 addresses in a minute, want 30", allowed)
	}
}

func TestPurgeAndAcknowledgeFromThePage(t *testing.T) {
	r := startRoom(t, roomYAML(1, ""), roomOpts{scenario: dayYAML("booth")})
	r.pacer.runTo(t, r, at(2*time.Minute)) // mid-session: the booth is smoky
	r.pacer.pace(5)
	code, ans, _ := post(t, r, "/api/purge", `{"zone": "booth", "name": " Sam\u0007 ", "pin": "246810", "reason": "overdose"}`, nil)
	if code != http.StatusOK || !strings.Contains(ans["result"], "booth: purging") {
		t.Fatalf("purge: %d %v", code, ans)
	}
	code, ans, _ = post(t, r, "/api/purge", `{"zone": "booth", "name": "Sam", "pin": "246810", "cancel": true}`, nil)
	if code != http.StatusOK || !strings.Contains(ans["result"], "purge ended") {
		t.Errorf("cancel: %d %v", code, ans)
	}
	code, ans, _ = post(t, r, "/api/acknowledge", `{"alarm_id": 999, "name": "Sam", "pin": "246810"}`, nil)
	if code != http.StatusConflict || !strings.Contains(ans["error"], "alarm 999") {
		t.Errorf("acknowledge of no such alarm: %d %v", code, ans)
	}
	code, ans, _ = post(t, r, "/api/purge", `{"zone": "nowhere", "name": "Sam", "pin": "246810"}`, nil)
	if code != http.StatusBadRequest || !strings.Contains(ans["error"], `no zone "nowhere"`) {
		t.Errorf("purge of no zone: %d %v", code, ans)
	}
	// Each action is in the record of the period that served it, which
	// reaches the outputs a moment after the answer.
	waitFor(t, "three actions in the record", func() bool { return len(r.served()) >= 3 })
	var kinds []string
	for _, a := range r.served() {
		kinds = append(kinds, string(a.Kind)+" by "+a.By.Name+" via "+a.By.Via)
		if a.Kind == record.ActPurge && (a.Note != "overdose" || !strings.HasPrefix(a.By.From, "127.0.0.1:")) {
			t.Errorf("purge recorded as %+v", a)
		}
	}
	want := "purge by Sam via page, cancel_purge by Sam via page, acknowledge by Sam via page"
	if got := strings.Join(kinds, ", "); got != want {
		t.Errorf("recorded %s\nwant     %s", got, want)
	}
}

func TestActionsOffWithoutAPIN(t *testing.T) {
	r := startRoom(t, roomYAML(1, "page: {sound: false}\n"), roomOpts{})
	r.pacer.release() // unpaced: nothing here looks at the time
	code, ans, _ := post(t, r, "/api/purge", `{"zone": "booth", "name": "Sam", "pin": "246810"}`, nil)
	if code != http.StatusServiceUnavailable || !strings.Contains(ans["error"], "page.pin_hash") {
		t.Errorf("no PIN configured: %d %v", code, ans)
	}
	resp, err := http.Get(r.url("/api/page"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var in info
	json.NewDecoder(resp.Body).Decode(&in)
	if in.Actions || len(in.Booths) != 1 || in.Booths[0].Fans[0] != "booth-fan" {
		t.Errorf("/api/page: %+v", in)
	}
}

func TestPageResponsesCarrySecurityHeaders(t *testing.T) {
	r := startRoom(t, roomYAML(1, ""), roomOpts{})
	r.pacer.release() // unpaced: nothing here looks at the time
	for _, path := range []string{"/", "/ui/page.js", "/ui/page.css", "/ui/icon.svg", "/api/page", "/api/trend"} {
		resp, err := http.Get(r.url(path))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		if resp.StatusCode != 200 || h.Get("Content-Security-Policy") != csp || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: %s %v", path, resp.Status, h)
		}
		if strings.Contains(csp, "unsafe") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("CSP %q", csp)
		}
		if path == "/" && !strings.Contains(h.Get("Set-Cookie"), "SameSite=Strict") {
			t.Errorf("the page's token cookie: %q", h.Get("Set-Cookie"))
		}
		// Revalidation: the same file again costs a 304.
		if etag := h.Get("ETag"); path == "/ui/page.js" {
			req, _ := http.NewRequest("GET", r.url(path), nil)
			req.Header.Set("If-None-Match", etag)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotModified {
				t.Errorf("revalidating %s: %s", path, resp.Status)
			}
		}
	}
	for _, path := range []string{"/ui/index.html", "/ui/nothing.js"} {
		resp, err := http.Get(r.url(path))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %s, want 404", path, resp.Status)
		}
	}
	// The daemon's own endpoints are still there beside the page.
	resp, err := http.Get(r.url("/api/state"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/api/state: %s", resp.Status)
	}
}

// An attempt the global allowance refuses was never checked, so it must
// not cost the client's own allowance: otherwise, while someone spends
// the global allowance from a few addresses, the tablet's own tries (each
// refused with 429) use up its six a minute, and the staff stay locked
// out after the global allowance is back.
func TestRefusedByTheGlobalBoundCostsTheClientNothing(t *testing.T) {
	cfg, err := config.Parse([]byte(roomYAML(1, "")), "room.yaml")
	if err != nil {
		t.Fatal(err)
	}
	now := simStart
	p, err := New(Options{Config: cfg, Control: nopControl{}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	a := p.actions
	for i := range 30 { // five addresses spend the 30 a minute from everywhere
		if _, _, ok := a.allow(fmt.Sprintf("10.0.0.%d:1", i/6+1)); !ok {
			t.Fatalf("attempt %d from 10.0.0.%d refused", i+1, i/6+1)
		}
	}
	const tablet = "192.168.10.21:50000"
	for i := range 6 {
		if _, _, ok := a.allow(tablet); ok {
			t.Fatalf("the tablet's attempt %d allowed past the spent global allowance", i+1)
		}
	}
	now = now.Add(2 * time.Second) // one attempt back in the global allowance
	if _, wait, ok := a.allow(tablet); !ok {
		t.Errorf("once the global allowance has an attempt again, the tablet waits %s: its refused attempts spent its own allowance", wait)
	}
}

// The token cookie and header must hold the token the page was given: an
// empty cookie with no header is no token, whatever ConstantTimeCompare
// says of two empty strings.
func TestEmptyTokenIsNoToken(t *testing.T) {
	r := startRoom(t, roomYAML(1, ""), roomOpts{})
	r.pacer.hold()
	for _, c := range []struct {
		name   string
		change func(*http.Request)
	}{
		{"an empty cookie, no header", func(q *http.Request) {
			q.Header.Del("Cookie")
			q.Header.Del(tokenHeader)
			q.Header.Set("Cookie", tokenCookie+"=")
		}},
		{"an empty cookie, an empty header", func(q *http.Request) {
			q.Header.Del("Cookie")
			q.Header.Set("Cookie", tokenCookie+"=")
			q.Header.Set(tokenHeader, "")
		}},
		{"a short token", func(q *http.Request) {
			q.Header.Del("Cookie")
			q.Header.Set("Cookie", tokenCookie+"=x")
			q.Header.Set(tokenHeader, "x")
		}},
	} {
		code, ans, _ := post(t, r, "/api/purge", `{"zone": "booth", "name": "Sam", "pin": "111111"}`, c.change)
		if code != http.StatusForbidden || !strings.Contains(ans["error"], "token") {
			t.Errorf("%s: %d %q; want 403 about the token", c.name, code, ans["error"])
		}
	}
}

// An IPv6 client holds a whole /64 (SLAAC and privacy addresses): one
// machine can take as many addresses from it as it likes, so the bounds
// per address count its /64 as one client, as they count an IPv4
// address.
func TestIPv6ClientsCountedByTheirNetwork(t *testing.T) {
	if a, b := clientHost("[2001:db8:1:2::1]:5000"), clientHost("[2001:db8:1:2:a:b:c:d]:6000"); a != b {
		t.Errorf("two addresses of one /64 are two clients: %q and %q", a, b)
	}
	if a, b := clientHost("[2001:db8:1:2::1]:5000"), clientHost("[2001:db8:1:3::1]:5000"); a == b {
		t.Errorf("two /64s are one client: %q", a)
	}
	if h := clientHost("192.0.2.7:5000"); h != "192.0.2.7" {
		t.Errorf("an IPv4 client is %q", h)
	}
	if h := clientHost("[::ffff:192.0.2.7]:5000"); h != "192.0.2.7" {
		t.Errorf("an IPv4-mapped client is %q", h)
	}
	cfg, err := config.Parse([]byte(roomYAML(1, "")), "room.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(Options{Config: cfg, Control: nopControl{}, Now: func() time.Time { return simStart }})
	if err != nil {
		t.Fatal(err)
	}
	allowed := 0
	for i := range 30 {
		if _, _, ok := p.actions.allow(fmt.Sprintf("[2001:db8:1:2::%x]:5000", i+1)); ok {
			allowed++
		}
	}
	if allowed != 6 {
		t.Errorf("%d PIN attempts allowed from 30 addresses of one /64 in a minute, want 6", allowed)
	}
	s := newStream(100)
	for i := range 10 {
		c, err := s.join(clientHost(fmt.Sprintf("[2001:db8:1:2::%x]:5000", i+1)))
		if i < streamsPerClient && err != nil {
			t.Errorf("stream %d from the /64: %v", i+1, err)
		}
		if i >= streamsPerClient && err == nil {
			t.Errorf("stream %d from one /64 allowed, want at most %d", i+1, streamsPerClient)
			s.leave(c)
		}
	}
}

// A note or name over the bound MQTT and the control socket share is
// refused with what to shorten, not cut: 100 Chinese letters are 300
// bytes, which the page once cut to 200 letters (600 bytes) and recorded,
// more than either other way of acting takes. Nothing is done, and the
// same purge with a note that fits goes through.
func TestPageRefusesNotesOverTheSharedBound(t *testing.T) {
	r := startRoom(t, roomYAML(1, ""), roomOpts{scenario: dayYAML("booth")})
	r.pacer.runTo(t, r, at(2*time.Minute))
	r.pacer.pace(5)
	long := strings.Repeat("漢", 100)
	for _, c := range []struct{ body, want string }{
		{`{"zone": "booth", "name": "Sam", "pin": "246810", "reason": "` + long + `"}`, "the reason is 300 bytes: shorten it to at most 256 bytes"},
		{`{"alarm_id": 1, "name": "Sam", "pin": "246810", "note": "` + long + `"}`, "the note is 300 bytes: shorten it to at most 256 bytes"},
		{`{"zone": "booth", "name": "` + strings.Repeat("名", 22) + `", "pin": "246810"}`, "the name is 66 bytes: give a name or staff id of at most 64 bytes"},
	} {
		path := "/api/purge"
		if strings.Contains(c.body, "alarm_id") {
			path = "/api/acknowledge"
		}
		code, ans, _ := post(t, r, path, c.body, nil)
		if code != http.StatusBadRequest || !strings.Contains(ans["error"], c.want) || !strings.Contains(ans["error"], "nothing was done") {
			t.Errorf("%s %s:\n%d %v\nwant 400 with %q", path, c.body, code, ans, c.want)
		}
	}
	fits := strings.Repeat("漢", 85) // 255 bytes
	code, ans, _ := post(t, r, "/api/purge", `{"zone": "booth", "name": "Sam", "pin": "246810", "reason": "`+fits+`"}`, nil)
	if code != http.StatusOK {
		t.Fatalf("purge with a 255-byte reason: %d %v", code, ans)
	}
	waitFor(t, "the purge in the record", func() bool { return len(r.served()) >= 1 })
	if got := r.served(); len(got) != 1 || got[0].Kind != record.ActPurge || got[0].Note != fits {
		t.Errorf("recorded %+v, want the one purge with its whole reason", got)
	}
}

// A page past the journal's allowance of requests (a script posting in a
// loop with the PIN) is answered 429 with when to try again, not 409 as
// if the request itself were wrong.
func TestPageOverTheJournalsAllowance(t *testing.T) {
	extra := fmt.Sprintf("page: {pin_hash: %q, stale_after: 5s, client_attempts_per_minute: 60, attempts_per_minute: 600}\n", testPINHash)
	r := startRoom(t, roomYAML(1, extra), roomOpts{})
	r.pacer.pace(20)
	var codes []int
	for range 34 {
		code, ans, hdr := post(t, r, "/api/acknowledge", `{"alarm_id": 999, "name": "Script", "pin": "246810"}`, nil)
		codes = append(codes, code)
		if code == http.StatusTooManyRequests {
			if !strings.Contains(ans["error"], "more than 30 requests by page") || hdr.Get("Retry-After") != "60" {
				t.Fatalf("over the allowance: %v, Retry-After %q", ans, hdr.Get("Retry-After"))
			}
			return
		}
		if code != http.StatusConflict {
			t.Fatalf("acknowledge of no such alarm: %d %v", code, ans)
		}
	}
	t.Errorf("34 requests in about a simulated minute, none refused over the allowance: %v", codes)
}
