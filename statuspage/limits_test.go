package statuspage

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
)

// The bounds on PIN attempts count wrong PINs only, and an address whose
// PIN was right lately keeps its own allowance outside the shared one,
// while guessing stays bounded: from one address, from every address
// together, and from a trusted address too.
func TestOnlyWrongPINsCount(t *testing.T) {
	now := simStart
	try := pinTrier(t, roomYAML(1, ""), func() time.Time { return now })
	const tablet, desk = "192.168.10.21:50000", "192.168.10.40:50000"
	for i := range 20 {
		if !try(tablet, true) {
			t.Fatalf("the tablet's right PIN %d in a minute refused: right PINs must not count", i+1)
		}
	}
	if !try(desk, true) {
		t.Fatal("the desk's right PIN refused")
	}
	// Five addresses guess wrong, and spend the shared allowance.
	for i := range 30 {
		if !try(fmt.Sprintf("10.0.0.%d:1", i/6+1), false) {
			t.Fatalf("wrong PIN %d from 10.0.0.%d refused within the bounds", i+1, i/6+1)
		}
	}
	if try("10.0.0.99:1", false) {
		t.Error("a sixth address guessed past the spent shared allowance")
	}
	if try("10.0.0.98:1", true) {
		t.Error("an address never seen with the right PIN checked past the spent shared allowance: it could be a guess")
	}
	// The tablet and the desk gave the right PIN: theirs are checked.
	if !try(tablet, true) {
		t.Error("the tablet, right a moment ago, is locked out by other addresses' wrong guesses")
	}
	for i := range 6 {
		if !try(desk, false) {
			t.Fatalf("the desk's wrong PIN %d refused within its own allowance", i+1)
		}
	}
	if try(desk, false) {
		t.Error("the desk guessed a seventh time in a minute: a trusted address must keep its own bound")
	}
	// A day later the desk's trust has lapsed: it shares the allowance
	// again, which the guessers spend.
	now = now.Add(trustFor + time.Minute)
	for i := range 30 {
		try(fmt.Sprintf("10.0.1.%d:1", i/6+1), false)
	}
	if try(desk, true) {
		t.Errorf("the desk, last right %s ago, checked past the spent shared allowance", trustFor+time.Minute)
	}
}

// A responder acts as often as the room needs: four acknowledgements and
// three purges in a minute from the tablet, each with the right PIN, all
// go through. The seventh was refused with 429, "too many attempts", as if
// each had been a guess.
func TestRightPINsNeverRunOut(t *testing.T) {
	r := startRoom(t, roomYAML(1, ""), roomOpts{scenario: dayYAML("booth")})
	r.pacer.runTo(t, r, at(2*time.Minute))
	r.pacer.pace(5)
	tablet := clientFrom("127.0.0.21")
	for i := range 7 {
		path, body := "/api/purge", `{"zone": "booth", "name": "Sam", "pin": "246810"}`
		if i < 4 {
			path, body = "/api/acknowledge", `{"alarm_id": 999, "name": "Sam", "pin": "246810"}`
		}
		code, ans, _ := postWith(t, tablet, r, path, body, nil)
		if code == http.StatusTooManyRequests || code == http.StatusUnauthorized || path == "/api/purge" && code != http.StatusOK {
			t.Errorf("request %d (%s) with the right PIN: %d %v", i+1, path, code, ans)
		}
	}
}

// Other addresses guessing wrong PINs spend the shared allowance; the
// tablet, whose PIN was right before, still purges. It got 429 while
// ten addresses guessed.
func TestOthersWrongPINsLeaveTheTabletItsPurge(t *testing.T) {
	r := startRoom(t, roomYAML(1, ""), roomOpts{scenario: dayYAML("booth")})
	r.pacer.runTo(t, r, at(2*time.Minute))
	r.pacer.pace(1) // the allowances refill in real time: 30 a minute from everywhere
	tablet := clientFrom("127.0.0.21")
	if code, ans, _ := postWith(t, tablet, r, "/api/purge", `{"zone": "booth", "name": "Sam", "pin": "246810"}`, nil); code != http.StatusOK {
		t.Fatalf("the tablet's first purge: %d %v", code, ans)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	halt := sync.OnceFunc(func() { close(stop); wg.Wait() })
	t.Cleanup(halt) // before the room stops
	var wrong, limited atomic.Int64
	start := time.Now()
	for i := range 10 {
		c := clientFrom(fmt.Sprintf("127.0.2.%d", i+1))
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
				switch postStatus(c, r, `{"zone": "booth", "name": "x", "pin": "000000"}`) {
				case http.StatusUnauthorized:
					wrong.Add(1)
				case http.StatusTooManyRequests:
					limited.Add(1)
				}
			}
		})
	}
	waitFor(t, "the guessers to spend the shared allowance", func() bool { return limited.Load() >= 20 })
	code, ans, _ := postWith(t, tablet, r, "/api/purge", `{"zone": "booth", "name": "Sam", "pin": "246810", "reason": "overdose"}`, nil)
	stranger, _, _ := postWith(t, clientFrom("127.0.3.1"), r, "/api/purge", `{"zone": "booth", "name": "x", "pin": "111111"}`, nil)
	halt()
	if code != http.StatusOK {
		t.Errorf("the tablet's purge while ten addresses guess: %d %v; want it done", code, ans)
	}
	if stranger != http.StatusTooManyRequests {
		t.Errorf("a new address's wrong PIN while the shared allowance is spent: %d, want 429", stranger)
	}
	// 30 at once, then one each 2 s: guessing stays bounded.
	if most := 30 + int64(time.Since(start)/(2*time.Second)) + 2; wrong.Load() > most {
		t.Errorf("%d wrong PINs checked in %s from ten addresses, want at most %d", wrong.Load(), time.Since(start).Round(time.Second), most)
	}
	t.Logf("%d wrong PINs checked, %d refused with 429", wrong.Load(), limited.Load())
}

// postStatus posts body to /api/purge through c as the page would, and
// returns the status (0 when the post failed).
func postStatus(c *http.Client, r *room, body string) int { return junkPost(c, r, body) }

// The page's acknowledge names one alarm. With alarm_id 0 or left out,
// the daemon acknowledged every active alarm, as MQTT's "ack all" does; the
// page's API never offered that, and the README promises a 400 to an
// incomplete request. It gets one, saying what to send, before its PIN
// is checked (a wrong one too) or counted.
func TestAcknowledgeWithoutAnAlarmIDIsRefused(t *testing.T) {
	r := startRoom(t, roomYAML(1, ""), roomOpts{})
	r.pacer.pace(5)
	for _, body := range []string{`{"alarm_id": 0, "name": "Sam", "pin": "246810"}`, `{"name": "Sam", "pin": "000000"}`} {
		code, ans, _ := post(t, r, "/api/acknowledge", body, nil)
		if code != http.StatusBadRequest || !strings.Contains(ans["error"], "no alarm_id given") || !strings.Contains(ans["error"], "nothing was done") {
			t.Errorf("%s: %d %v; want 400 saying to send alarm_id", body, code, ans)
		}
	}
	if a := r.served(); len(a) != 0 {
		t.Errorf("refused requests reached the daemon: %+v", a)
	}
}

// A tablet listed in page.tablets keeps its own allowance from its first
// attempt, before any right PIN (ventd just restarted, or the tablet is
// new on the wall): the guessers who spent the shared allowance do not
// lock it out, and it is still bounded on its own. An address outside
// the list is not.
func TestListedTabletsNeverShareTheAllowance(t *testing.T) {
	try := pinTrier(t, roomYAML(1, fmt.Sprintf("page: {pin_hash: %q, tablets: [192.168.10.16/28, \"fd00:1:2:3::7\"]}\n", testPINHash)),
		func() time.Time { return simStart })
	for i := range 30 {
		try(fmt.Sprintf("10.0.0.%d:1", i/6+1), false)
	}
	if try("192.168.10.40:50000", true) {
		t.Error("an address outside page.tablets, never right before, checked past the spent shared allowance")
	}
	for _, tablet := range []string{"192.168.10.21:50000", "[::ffff:192.168.10.30]:50000", "[fd00:1:2:3::7]:50000"} {
		if !try(tablet, true) {
			t.Errorf("listed tablet %s locked out by other addresses' wrong guesses before its first right PIN", tablet)
		}
	}
	for i := range 6 {
		if !try("192.168.10.22:1", false) {
			t.Fatalf("listed tablet's wrong PIN %d refused within its own allowance", i+1)
		}
	}
	if try("192.168.10.22:1", false) {
		t.Error("a listed tablet guessed a seventh time in a minute: it must keep its own bound")
	}
}

// pinTrier returns a function that makes one PIN check from an address,
// right or wrong, against the allowances of a page on the config yaml,
// at the time now gives; it reports whether the check was allowed.
func pinTrier(t *testing.T, yaml string, now func() time.Time) func(from string, right bool) bool {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml), "room.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(Options{Config: cfg, Control: nopControl{}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	a := p.actions
	return func(from string, right bool) bool {
		hold, _, ok := a.allow(from)
		if ok {
			a.settle(hold, true, right)
		}
		return ok
	}
}
