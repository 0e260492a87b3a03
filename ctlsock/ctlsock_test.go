package ctlsock

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ventd/ventd/record"
)

// fake records what the socket asked for and answers with err.
type fake struct {
	mu    sync.Mutex
	calls []string
	err   error
	corr  int
}

func (f *fake) record(s string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
	return f.err
}

// by describes an actor as the fake records it: the name, how the request
// came, and whether the kernel reported a uid (it always does on a unix
// socket).
func by(a record.Actor) string {
	s := a.Name + "/" + a.Via
	if a.UID != nil && *a.UID == uint32(os.Getuid()) {
		s += "/uid"
	}
	return s
}

func (f *fake) Purge(_ context.Context, zone string, a record.Actor, reason string) (string, error) {
	return "purging " + zone, f.record("purge " + zone + " " + by(a) + " " + reason)
}
func (f *fake) CancelPurge(_ context.Context, zone string, a record.Actor) (string, error) {
	return "cancelled", f.record("cancel " + zone + " " + by(a))
}
func (f *fake) Acknowledge(_ context.Context, id uint64, a record.Actor, note string) (string, error) {
	return "acknowledged", f.record("ack " + jsonString(id) + " " + by(a) + " " + note)
}
func (f *fake) ForcedRecalibration(_ context.Context, sensor string, ppm int, force bool, a record.Actor, note string) (int, error) {
	return f.corr, f.record("frc " + sensor + " " + jsonString(ppm) + " " + jsonString(force) + " " + by(a) + " " + note)
}

func (f *fake) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func jsonString(v any) string { b, _ := json.Marshal(v); return string(b) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// start serves c on a socket in a temporary directory until the test ends.
func start(t *testing.T, c Controller) (path string, done <-chan error) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "ventd.sock")
	return path, startAt(t, path, c)
}

func startAt(t *testing.T, path string, c Controller) <-chan error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- Serve(ctx, path, c, quiet) }()
	t.Cleanup(func() {
		cancel()
		<-errc
	})
	waitUp(t, path, errc)
	return errc
}

// waitUp waits until the socket answers.
func waitUp(t *testing.T, path string, errc <-chan error) {
	t.Helper()
	cl := Dial(path)
	for i := 0; ; i++ {
		if _, err := cl.Ping(context.Background()); err == nil {
			return
		}
		select {
		case err := <-errc:
			t.Fatalf("Serve returned %v before answering", err)
		default:
		}
		if i > 500 {
			t.Fatal("the socket never answered")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRoundTrip(t *testing.T) {
	f := &fake{corr: -37}
	path, _ := start(t, f)
	cl := Dial(path)
	ctx := context.Background()
	if res, err := cl.Purge(ctx, "booth", "alice", "overdose"); err != nil || res != "purging booth" {
		t.Fatalf("purge: %q, %v", res, err)
	}
	if _, err := cl.CancelPurge(ctx, "", "alice"); err != nil {
		t.Fatal(err)
	}
	if res, err := cl.Acknowledge(ctx, 12, "bob", "checked the booth"); err != nil || res != "acknowledged" {
		t.Fatalf("ack: %q, %v", res, err)
	}
	if _, err := cl.Acknowledge(ctx, 0, "bob", ""); err != nil {
		t.Fatal(err)
	}
	corr, err := cl.Calibrate(ctx, "staff-co2", 420, true, "carol", "outdoor air")
	if err != nil || corr != -37 {
		t.Fatalf("calibrate: %d, %v; want -37", corr, err)
	}
	// Every call carries the uid the kernel reported, beside the name.
	want := []string{"purge booth alice/socket/uid overdose", "cancel  alice/socket/uid", "ack 12 bob/socket/uid checked the booth", "ack 0 bob/socket/uid ",
		"frc staff-co2 420 true carol/socket/uid outdoor air"}
	if got := f.Calls(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("the controller saw %q\nwant %q", got, want)
	}

	// The controller's refusal comes back with its own text.
	f.err = errors.New(`acknowledge: no active alarm 99`)
	_, err = cl.Acknowledge(ctx, 99, "bob", "")
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusUnprocessableEntity || err.Error() != `acknowledge: no active alarm 99` {
		t.Errorf("refused ack: %v (%T); want the controller's message, 422", err, err)
	}
	if _, err := cl.Calibrate(ctx, "x", 420, false, "a", ""); err == nil || err.Error() != f.err.Error() {
		t.Errorf("refused calibrate: %v", err)
	}
}

// post sends a raw body to the socket and returns the status and error text.
func post(t *testing.T, path, url, body string) (int, string) {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", path)
	}}}
	resp, err := hc.Post("http://ventd"+url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r reply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %v", url, body, err)
	}
	return resp.StatusCode, r.Error
}

func TestBadRequests(t *testing.T) {
	f := &fake{}
	path, _ := start(t, f)
	for _, c := range []struct {
		url, body string
		status    int
		want      []string
	}{
		{"/v1/purge", `{"zon":"booth","who":"a"}`, 400, []string{`unknown field "zon"`, "fields: zone, cancel, who"}},
		{"/v1/purge", `{"zone":"booth"}`, 400, []string{`"who" is required`, "-who"}},
		{"/v1/purge", `{"zone":"booth","who":"   "}`, 400, []string{`"who" is required`}},
		{"/v1/purge", `{"zone":"booth","who":"a\u0007"}`, 400, []string{"control or invisible formatting characters"}},
		{"/v1/purge", `{"zone":"booth","who":"a\u202eb"}`, 400, []string{"control or invisible formatting characters"}},
		{"/v1/purge", `{"zone":"booth","who":"--"}`, 400, []string{"no letter or digit", "plain name"}},
		{"/v1/purge", ``, 400, []string{"empty body"}},
		{"/v1/purge", `{"zone":`, 400, []string{"not JSON"}},
		{"/v1/purge", `{"zone":"b","who":"a"}{}`, 400, []string{"more than one JSON value"}},
		{"/v1/ack", `{"alarm_id":"7","who":"a"}`, 400, []string{`field "alarm_id": want a whole number, 0 or more, got a JSON string`}},
		{"/v1/ack", `{"who":"a"}`, 400, []string{`give "alarm_id"`, `"all": true`}},
		{"/v1/ack", `{"alarm_id":3,"all":true,"who":"a"}`, 400, []string{"not both"}},
		{"/v1/ack", `{"alarm_id":-1,"who":"a"}`, 400, []string{`field "alarm_id"`}},
		{"/v1/calibrate", `{"sensor":"co2","reference_ppm":42,"who":"a"}`, 400, []string{`"reference_ppm" 42`, "400 to 5000 ppm", "about 420"}},
		{"/v1/calibrate", `{"sensor":"co2","reference_ppm":420}`, 400, []string{`"who" is required`}},
		{"/v1/calibrate", `{"reference_ppm":420,"who":"a"}`, 400, []string{`"sensor" is required`}},
		{"/v1/reboot", `{}`, 404, []string{"no such request", "/v1/purge"}},
	} {
		status, msg := post(t, path, c.url, c.body)
		if status != c.status {
			t.Errorf("%s %s: status %d, want %d (%s)", c.url, c.body, status, c.status, msg)
		}
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s %s: error %q lacks %q", c.url, c.body, msg, w)
			}
		}
	}
	if calls := f.Calls(); len(calls) != 0 {
		t.Errorf("bad requests reached the controller: %q", calls)
	}
}

func TestSocketMode(t *testing.T) {
	path, _ := start(t, &fake{})
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o660 {
		t.Errorf("socket mode %v; want a socket with 0660 (root and ventd's group only)", fi.Mode())
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("the socket's directory holds %d entries; want only the socket (no temporary left)", len(entries))
	}
}

func TestStaleSocketReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ventd.sock")
	// A daemon that died left its socket file behind.
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the stale socket is not there: %v", err)
	}
	f := &fake{}
	startAt(t, path, f)
	if _, err := Dial(path).Purge(context.Background(), "", "a", ""); err != nil {
		t.Fatalf("after replacing the stale socket: %v", err)
	}
}

func TestSecondServerRefused(t *testing.T) {
	first := &fake{}
	path, _ := start(t, first)
	err := Serve(context.Background(), path, &fake{}, quiet)
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "another ventd is listening there") || !strings.Contains(err.Error(), path) {
		t.Fatalf("second Serve: %v; want ErrInUse naming the path", err)
	}
	if _, err := Dial(path).Purge(context.Background(), "", "a", ""); err != nil || len(first.Calls()) != 1 {
		t.Errorf("the first daemon stopped answering: %v", err)
	}

	// A file that is not a socket is never removed.
	file := filepath.Join(t.TempDir(), "ventd.sock")
	os.WriteFile(file, []byte("keep me"), 0o644)
	if err := Serve(context.Background(), file, &fake{}, quiet); err == nil || !strings.Contains(err.Error(), "a file is there, not a socket") || errors.Is(err, ErrInUse) {
		t.Errorf("Serve on a regular file: %v", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "keep me" {
		t.Error("Serve replaced a regular file")
	}
}

func TestStopRemovesSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ventd.sock")
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- Serve(ctx, path, &fake{}, quiet) }()
	waitUp(t, path, errc)
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("Serve after cancel: %v", err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the socket file is still there after Serve returned: %v", err)
	}
	_, err := Dial(path).Ping(context.Background())
	if !errors.Is(err, ErrNoDaemon) || err.Error() != "no ventd at "+path+": is it running? (systemctl status ventd)" {
		t.Errorf("ping after stop: %v", err)
	}
}

func TestNoDaemon(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{filepath.Join(dir, "none.sock"), stale(t, dir)} {
		_, err := Dial(path).Purge(context.Background(), "", "a", "")
		if !errors.Is(err, ErrNoDaemon) || err.Error() != "no ventd at "+path+": is it running? (systemctl status ventd)" {
			t.Errorf("%s: %v", path, err)
		}
	}
	if err := Serve(context.Background(), "", &fake{}, quiet); err == nil {
		t.Error("Serve on an empty path succeeded")
	}
	long := filepath.Join(dir, strings.Repeat("x", 120))
	if err := Serve(context.Background(), long, &fake{}, quiet); err == nil || !strings.Contains(err.Error(), "shorter") {
		t.Errorf("Serve on a %d-byte path: %v", len(long), err)
	}
}

// stale leaves a socket file nobody listens on.
func stale(t *testing.T, dir string) string {
	path := filepath.Join(dir, "stale.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	return path
}

// BenchmarkPurge measures one request through the socket: connect, HTTP,
// JSON, the controller call and the answer.
func BenchmarkPurge(b *testing.B) {
	path := filepath.Join(b.TempDir(), "ventd.sock")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- Serve(ctx, path, &fake{}, quiet) }()
	cl := Dial(path)
	for {
		if _, err := cl.Ping(ctx); err == nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cl.Purge(ctx, "booth", "bench", ""); err != nil {
			b.Fatal(err)
		}
	}
}

// A reason or note goes into the journal, the report and the export with
// the action. MQTT refuses one over 256 bytes or with control or invisible
// formatting characters, and the status page strips them; the socket took
// 15 KB of terminal escapes, a right-to-left override and line breaks and
// the journal kept them, where an auditor's terminal would act on them or
// show the text reversed. The socket refuses them in the same words.
func TestNotesArePlainAndBounded(t *testing.T) {
	f := &fake{}
	path, _ := start(t, f)
	long := strings.Repeat("a", 257)
	for _, c := range []struct {
		url, body string
		want      string
	}{
		{"/v1/purge", `{"zone":"booth","who":"a","reason":"\u001b[2J\u001b[31mcleared"}`, `"reason" has control or invisible formatting characters`},
		{"/v1/purge", `{"zone":"booth","who":"a","reason":"ok\u202eevil"}`, `"reason" has control or invisible formatting characters`},
		{"/v1/purge", `{"zone":"booth","who":"a","reason":"` + long + `"}`, `"reason" is 257 bytes`},
		{"/v1/ack", `{"all":true,"who":"a","note":"line one\nline two"}`, `"note" has control or invisible formatting characters`},
		{"/v1/ack", `{"all":true,"who":"a","note":"` + long + `"}`, `"note" is 257 bytes`},
		{"/v1/calibrate", `{"sensor":"co2","reference_ppm":420,"who":"a","note":"\u0007"}`, `"note" has control or invisible formatting characters`},
	} {
		status, msg := post(t, path, c.url, c.body)
		if status != 400 || !strings.Contains(msg, c.want) {
			t.Errorf("%s %.60s: %d %q; want 400 containing %q", c.url, c.body, status, msg, c.want)
		}
	}
	if calls := f.Calls(); len(calls) != 0 {
		t.Errorf("bad notes reached the controller: %q", calls)
	}
	// A plain note of any script passes.
	if status, msg := post(t, path, "/v1/purge", `{"zone":"booth","who":"a","reason":"surdose — cabine 2, réponse"}`); status != 200 {
		t.Errorf("a plain reason: %d %q", status, msg)
	}
}

// A zone or sensor the daemon does not know is refused by the loop, but
// recorded as the refused action's target as given: an escape sequence
// of any length went into the journal that way. MQTT refuses a zone that
// is no name before it reaches the loop; so does the socket, and a
// sensor's name too.
func TestTargetsAreNames(t *testing.T) {
	f := &fake{}
	path, _ := start(t, f)
	for _, c := range []struct {
		url, body string
		want      string
	}{
		{"/v1/purge", `{"zone":"\u001b[31mbooth","who":"a"}`, `"zone" "\x1b[31mbooth" is not a zone name`},
		{"/v1/purge", `{"zone":"booth 1","who":"a","cancel":true}`, `"zone" "booth 1" is not a zone name`},
		{"/v1/purge", `{"zone":"` + strings.Repeat("z", 65) + `","who":"a"}`, `"zone" is 65 bytes`},
		{"/v1/calibrate", `{"sensor":"co2\u202e","reference_ppm":420,"who":"a"}`, `"sensor" "co2\u202e" is not a sensor name`},
	} {
		status, msg := post(t, path, c.url, c.body)
		if status != 400 || !strings.Contains(msg, c.want) {
			t.Errorf("%s %.60s: %d %q; want 400 containing %q", c.url, c.body, status, msg, c.want)
		}
	}
	if calls := f.Calls(); len(calls) != 0 {
		t.Errorf("bad targets reached the controller: %q", calls)
	}
}

// encoding/json takes the last of two keys alike, in any case: a request
// naming "who" twice was recorded with the second name, where a reader of
// the request (a wrapper's log, an audit) sees the first. MQTT's commands
// and the config refuse a key given twice; so does the socket.
func TestAKeyGivenTwiceIsRefused(t *testing.T) {
	f := &fake{}
	path, _ := start(t, f)
	for _, c := range []struct{ url, body, want string }{
		{"/v1/purge", `{"zone":"booth","who":"alice","who":"mallory"}`, `field "who" given twice`},
		{"/v1/purge", `{"zone":"booth","who":"alice","WHO":"mallory"}`, `field "WHO" given twice`},
		{"/v1/ack", `{"all":true,"who":"a","note":"x","Note":"y"}`, `field "Note" given twice`},
		{"/v1/purge", `{"zone":"booth","who":"a","reason":"x","reaſon":"y"}`, `given twice`},
	} {
		status, msg := post(t, path, c.url, c.body)
		if status != 400 || !strings.Contains(msg, c.want) {
			t.Errorf("%s %s: %d %q; want 400 containing %q", c.url, c.body, status, msg, c.want)
		}
	}
	if calls := f.Calls(); len(calls) != 0 {
		t.Errorf("requests with a key twice reached the controller: %q", calls)
	}
}

// A path that is not a socket, and a daemon that takes the connection and
// closes it unanswered (stopping), each say what happened.
func TestClientSaysWhatWentWrong(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "ventd.yaml")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{file, dir} {
		if _, err := Dial(path).Purge(context.Background(), "", "a", ""); err == nil || !strings.Contains(err.Error(), "not a socket") {
			t.Errorf("%s: %v", path, err)
		}
	}
	path := filepath.Join(dir, "closing.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Read(make([]byte, 512)) // the request arrives; no answer comes
			c.Close()
		}
	}()
	_, err = Dial(path).Purge(context.Background(), "booth", "a", "")
	if err == nil || !strings.Contains(err.Error(), "closed the connection without answering") || !strings.Contains(err.Error(), "may not have run") {
		t.Errorf("a daemon closing unanswered: %v", err)
	}
}
