package statuspage

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ventd/ventd/daemon"
	"github.com/ventd/ventd/httpapi"
	"github.com/ventd/ventd/lograte"
	"github.com/ventd/ventd/record"
)

// Bounds on what a request may carry.
const (
	maxBody    = 4 << 10
	maxClients = 4096 // addresses the per-client limits remember
	// checkers bounds the bcrypt comparisons running at once, so a burst
	// of requests cannot take every core of a Pi from the fan loop's
	// neighbours.
	checkers = 2
	// askTimeout is how long a request waits for the loop (it answers
	// within a period).
	askTimeout = 5 * time.Second
)

// tokenCookie carries the page's CSRF token: SameSite=Strict, so another
// site's page never sends it, and echoed in tokenHeader, which another
// site's page cannot set without a CORS preflight that ventd never allows.
const (
	tokenCookie = "ventd_page"
	tokenHeader = "X-Ventd-Token"
	// minToken is the shortest token taken: setToken gives 24 characters.
	minToken = 16
)

// actions serves the purge and acknowledge requests.
type actions struct {
	p     *Page
	cross *http.CrossOriginProtection
	check chan struct{}
	// The bounds on wrong PINs (limits.go), under mu.
	mu      sync.Mutex
	shared  *allowance            // every address's together
	per     map[string]*allowance // each address's (clientHost)
	trusted map[string]time.Time  // when an address last gave the right PIN
	warns   lograte.Limiter       // refused requests logged
}

func newActions(p *Page) *actions {
	pc := p.cfg.Page
	return &actions{p: p, cross: http.NewCrossOriginProtection(), check: make(chan struct{}, checkers),
		shared: fullAllowance(pc.AttemptsPerMinute, p.now()), per: map[string]*allowance{}, trusted: map[string]time.Time{}}
}

// setToken gives a page without a token one.
func setToken(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(tokenCookie); err == nil && len(c.Value) >= minToken {
		return
	}
	b := make([]byte, 18)
	rand.Read(b)
	http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: "/",
		SameSite: http.SameSiteStrictMode})
}

// request is what both POSTs carry.
type request struct {
	Name    string `json:"name"`
	PIN     string `json:"pin"`
	Zone    string `json:"zone"`
	Reason  string `json:"reason"`
	Cancel  bool   `json:"cancel"`
	AlarmID uint64 `json:"alarm_id"`
	Note    string `json:"note"`
}

// admit runs every check a request passes before the daemon sees it, and
// answers the client itself when one fails. valid checks what the request
// asks for (a zone that exists) before it counts as an attempt.
//
// Only a wrong PIN counts against the PIN-attempt allowances (limits.go):
// junk (no body, no PIN, a form) is refused with 400 before any is taken
// and cannot use up the allowance the staff need for a real purge, and a
// right PIN gives back the attempt its check held.
func (a *actions) admit(w http.ResponseWriter, r *http.Request, valid func(*request) string) (*request, record.Actor, bool) {
	from := r.RemoteAddr
	host := clientHost(from)
	if err := a.cross.Check(r); err != nil {
		writeError(w, http.StatusForbidden, "refused: the request came from another site's page; open the status page itself")
		return nil, record.Actor{}, false
	}
	// An empty or short token is none: ConstantTimeCompare finds two
	// empty strings equal, and setToken never gives one shorter.
	c, err := r.Cookie(tokenCookie)
	if err != nil || len(c.Value) < minToken || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.Header.Get(tokenHeader))) != 1 {
		writeError(w, http.StatusForbidden, "refused: the page's token is missing or wrong; reload the page and try again")
		return nil, record.Actor{}, false
	}
	if a.p.cfg.Page.PINHash == "" {
		writeError(w, http.StatusServiceUnavailable, "purge and acknowledge are off on this page: no staff PIN is set (page.pin_hash; ventctl hash-pin makes one). Use the purge button or ventctl.")
		return nil, record.Actor{}, false
	}
	malformed := func(code int, msg string) (*request, record.Actor, bool) {
		a.warn(host, "malformed", "status page: refused a malformed request; it did not count as a PIN attempt", r, msg)
		writeError(w, code, msg)
		return nil, record.Actor{}, false
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return malformed(http.StatusUnsupportedMediaType, "send the request as JSON (Content-Type: application/json)")
	}
	var req request
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	// Too large or too slow is not malformed: logged as what it is.
	unread := func(code int, msg string) (*request, record.Actor, bool) {
		a.warn(host, "unread", "status page: refused a request whose body was too large or too slow; it did not count as a PIN attempt", r, msg)
		writeError(w, code, msg)
		return nil, record.Actor{}, false
	}
	if err := dec.Decode(&req); err == io.EOF {
		return malformed(http.StatusBadRequest, `the request has no body: send a JSON object, as the page does: {"pin": "…", "name": "…", "zone": "…"}`)
	} else if err != nil {
		if code, msg := bodyRefused(err); code != http.StatusBadRequest {
			return unread(code, msg)
		}
		return malformed(bodyRefused(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		if code, msg := bodyRefused(err); code != http.StatusBadRequest {
			return unread(code, msg)
		}
		return malformed(http.StatusBadRequest, "the request is not the JSON the page sends: something follows its one JSON object")
	}
	req.Name, req.Reason, req.Note = clean(req.Name), clean(req.Reason), clean(req.Note)
	if msg := tooLong(req); msg != "" {
		return malformed(http.StatusBadRequest, msg)
	}
	if req.Name == "" {
		return malformed(http.StatusBadRequest, "give your name or staff id: it goes in the record with what you did")
	}
	if err := record.CheckName(req.Name); err != nil {
		return malformed(http.StatusBadRequest, fmt.Sprintf("give your name or staff id: %q %v, and it goes in the record with what you did", req.Name, err))
	}
	if strings.TrimSpace(req.PIN) == "" {
		return malformed(http.StatusBadRequest, "enter the staff PIN: nothing was done")
	}
	if msg := valid(&req); msg != "" {
		return malformed(http.StatusBadRequest, msg)
	}
	hold, wait, ok := a.allow(from)
	if !ok {
		a.warn(host, "limited", "status page: too many PIN attempts; refused without checking the PIN", r, "")
		secs := max(1, int(math.Ceil(wait.Seconds()))) // never "try again in 0s"
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writeError(w, http.StatusTooManyRequests, fmt.Sprintf("too many wrong PINs: try again in %d s", secs))
		return nil, record.Actor{}, false
	}
	right, checked := a.pinOK(r.Context(), req.PIN)
	a.settle(hold, checked, right)
	if !checked {
		writeError(w, http.StatusServiceUnavailable, "the PIN was not checked (the request ended first): nothing was done")
		return nil, record.Actor{}, false
	}
	if !right {
		// Each is counted, so at most page.attempts_per_minute lines,
		// and page.client_attempts_per_minute more from each address
		// whose PIN was right lately.
		a.p.log.Warn("status page: wrong PIN", "from", from, "name", req.Name, "path", r.URL.Path)
		writeError(w, http.StatusUnauthorized, "wrong PIN: nothing was done")
		return nil, record.Actor{}, false
	}
	return &req, record.Actor{Name: req.Name, Via: "page", From: from}, true
}

// bodyRefused says why a request's body could not be read as the page's
// JSON, with its status, in words for the staff member at the tablet: a
// body over maxBody is 413 with the limit, one that did not arrive within
// the server's body timeout (httpapi.Guard; a tablet on bad Wi-Fi) is 408,
// not "not the JSON the page sends" with a socket's addresses, and a JSON
// mistake is named without the Go types it was decoded into.
func bodyRefused(err error) (int, string) {
	var tooLarge *http.MaxBytesError
	var timeout net.Error
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	const notJSON = "the request is not the JSON the page sends: "
	switch {
	case errors.As(err, &tooLarge):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("the request is over %d KiB, more than the page ever sends: shorten the reason or note, then try again; nothing was done", tooLarge.Limit>>10)
	case errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &timeout) && timeout.Timeout():
		return http.StatusRequestTimeout, "the request did not arrive in time (a slow or broken connection); nothing was done: try again"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return http.StatusBadRequest, notJSON + "it ends part-way through"
	case errors.As(err, &syntax):
		return http.StatusBadRequest, fmt.Sprintf(notJSON+"it is not valid JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ) && typ.Field == "":
		return http.StatusBadRequest, fmt.Sprintf(notJSON+`it is a JSON %s, not an object like {"pin": "…", "name": "…", "zone": "…"}`, typ.Value)
	case errors.As(err, &typ):
		want := map[reflect.Kind]string{reflect.String: "a string", reflect.Bool: "true or false", reflect.Uint64: "a whole number"}[typ.Type.Kind()]
		return http.StatusBadRequest, fmt.Sprintf(notJSON+"%q is a JSON %s; it should be %s", typ.Field, typ.Value, cmp.Or(want, "something else"))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no type for it; the field's name is quoted
		// from the request, so clipped.
		return http.StatusBadRequest, notJSON + clipField(strings.TrimPrefix(err.Error(), "json: ")) + "; it sends name, pin, zone, reason, cancel, alarm_id and note"
	}
	return http.StatusBadRequest, notJSON + "it could not be read as JSON"
}

// clipField shortens what a message quotes from a request.
func clipField(s string) string {
	if len(s) > 80 {
		return strings.ToValidUTF8(s[:80], "") + "…"
	}
	return s
}

// warn logs a refused request, at most once a minute per address and
// kind, with the number not logged since.
func (a *actions) warn(host, kind, msg string, r *http.Request, reason string) {
	skipped, ok := a.warns.Allow(kind+" "+host, a.p.now())
	if !ok {
		return
	}
	args := []any{"from", host, "path", r.URL.Path}
	if reason != "" {
		args = append(args, "reason", reason)
	}
	a.p.log.Warn(msg, append(args, "not_logged_since_last", skipped)...)
}

// clientHost is the IP address of a request's client (its RemoteAddr
// without the port; an IPv6 client's /64), the key of the per-client
// limits.
func clientHost(remote string) string {
	if ap, err := netip.ParseAddrPort(remote); err == nil {
		return httpapi.ClientKey(ap.Addr())
	}
	if host, _, err := net.SplitHostPort(remote); err == nil {
		return host
	}
	return remote
}

// pinOK checks pin against the staff PIN's hash, at most checkers at a
// time; checked is false when the request ended before its turn.
func (a *actions) pinOK(ctx context.Context, pin string) (right, checked bool) {
	select {
	case a.check <- struct{}{}:
	case <-ctx.Done():
		return false, false
	}
	defer func() { <-a.check }()
	return a.p.cfg.Page.CheckPIN(pin), true
}

// clean trims s and drops control and invisible formatting characters (a
// name goes in logs and the journal); tooLong then bounds what is left.
func clean(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if record.Hidden(r) {
			return -1
		}
		return r
	}, s))
}

// tooLong says which of a request's name, reason and note is over the
// bound every way of acting shares (record.MaxNameBytes,
// record.MaxNoteBytes), or "". It refuses rather than cuts: a note cut
// short can say something else, and the person sees what to shorten.
func tooLong(req request) string {
	if len(req.Name) > record.MaxNameBytes {
		return fmt.Sprintf("the name is %d bytes: give a name or staff id of at most %d bytes (a letter of Chinese or Thai takes 3): nothing was done",
			len(req.Name), record.MaxNameBytes)
	}
	for _, f := range []struct{ what, text string }{{"reason", req.Reason}, {"note", req.Note}} {
		if len(f.text) > record.MaxNoteBytes {
			return fmt.Sprintf("the %s is %d bytes: shorten it to at most %d bytes (a letter of Chinese or Thai takes 3); the record keeps it with the action: nothing was done",
				f.what, len(f.text), record.MaxNoteBytes)
		}
	}
	return ""
}

func (a *actions) purge(w http.ResponseWriter, r *http.Request) {
	req, by, ok := a.admit(w, r, func(req *request) string {
		// A zone no fan clears is as much a mistake in the request as
		// one that does not exist: refused before the PIN is counted,
		// in the loop's words. (The page always names a zone.)
		if req.Zone == "" {
			return "no zone given; purge a booth"
		}
		if err := daemon.CheckPurgeZone(a.p.cfg, req.Zone); err != nil {
			return err.Error()
		}
		return ""
	})
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), askTimeout)
	defer cancel()
	var res string
	var err error
	if req.Cancel {
		res, err = a.p.ctl.CancelPurge(ctx, req.Zone, by)
	} else {
		reason := req.Reason
		if reason == "" {
			reason = "from the status page"
		}
		res, err = a.p.ctl.Purge(ctx, req.Zone, by, reason)
	}
	a.answer(w, res, err)
}

func (a *actions) acknowledge(w http.ResponseWriter, r *http.Request) {
	req, by, ok := a.admit(w, r, func(req *request) string {
		// The page's API acknowledges one alarm: the daemon takes 0 as
		// "every unacknowledged one", which a request that left alarm_id
		// out did by mistake. (MQTT's "ack all" is its own command.)
		if req.AlarmID == 0 {
			return `no alarm_id given: send the number of the alarm to acknowledge, as the page's Acknowledge button does ({"alarm_id": 42, "name": "…", "pin": "…"}); nothing was done`
		}
		return ""
	})
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), askTimeout)
	defer cancel()
	res, err := a.p.ctl.Acknowledge(ctx, req.AlarmID, by, req.Note)
	a.answer(w, res, err)
}

func (a *actions) answer(w http.ResponseWriter, res string, err error) {
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, map[string]string{"result": res})
	case errors.Is(err, daemon.ErrBusy), errors.Is(err, context.DeadlineExceeded):
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, err.Error())
	case errors.Is(err, daemon.ErrOverAllowance):
		w.Header().Set("Retry-After", "60")
		writeError(w, http.StatusTooManyRequests, err.Error())
	default:
		writeError(w, http.StatusConflict, err.Error())
	}
}
