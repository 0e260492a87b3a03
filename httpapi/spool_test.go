package httpapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/journal/journaltest"
)

// blockedClient is a client that takes the headers and then stops
// reading: each body write waits until it is released.
type blockedClient struct {
	header  http.Header
	code    int
	body    strings.Builder
	writing chan struct{}
	release chan struct{}
}

func (b *blockedClient) Header() http.Header  { return b.header }
func (b *blockedClient) WriteHeader(code int) { b.code = code }
func (b *blockedClient) Write(p []byte) (int, error) {
	select {
	case b.writing <- struct{}{}:
	default:
	}
	<-b.release
	return b.body.Write(p)
}

// A client reading an export slowly must not hold back the journal: with
// SQLite's rollback journal a commit waits for every reader, so the
// export is made before its first byte is sent.
func TestSlowExportClientDoesNotHoldTheJournal(t *testing.T) {
	path, loc, start := exportJournal(t)
	x := &Exporter{Open: func() (*journal.Journal, error) { return journal.OpenReadOnly(path, journal.Options{}) },
		Location: loc, Now: func() time.Time { return start.Add(2 * time.Hour) }}
	c := &blockedClient{header: http.Header{}, writing: make(chan struct{}, 1), release: make(chan struct{})}
	served := make(chan struct{})
	go func() {
		defer close(served)
		x.ServeHTTP(c, httptest.NewRequest(http.MethodGet, "/api/export?format=csv", nil))
	}()
	<-c.writing // the export is being sent, and the client is not reading

	w, err := journal.Open(path, journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	journaltest.WriteNotHeld(t, w, journal.Minute{Start: start.Add(3 * time.Hour), Zone: "staff", Quantity: "pm25",
		Mean: 12, Max: 20, Count: 60, CoveredSeconds: 60}, "a client that is not reading an export")
	close(c.release)
	<-served
	n, _ := strconv.Atoi(c.header.Get("Content-Length"))
	if c.code != http.StatusOK || n == 0 || n != c.body.Len() || !strings.Contains(c.body.String(), "pm25") {
		t.Errorf("export: status %d, Content-Length %q, %d bytes sent", c.code, c.header.Get("Content-Length"), c.body.Len())
	}
}

func TestSpoolBoundedAndFallsBack(t *testing.T) {
	var maker int
	write := func(big bool) func(w io.Writer) error {
		return func(w io.Writer) error {
			maker++
			n := 10
			if big {
				n = maxSpool/1024 + 1
			}
			chunk := []byte(strings.Repeat("x", 1023) + "\n")
			for range n {
				if _, err := w.Write(chunk); err != nil {
					return err
				}
			}
			return nil
		}
	}
	for _, big := range []bool{false, true} {
		maker = 0
		rec := httptest.NewRecorder()
		sendSpooled(rec, httptest.NewRequest(http.MethodGet, "/api/export", nil),
			func(h http.Header) { h.Set("Content-Type", "text/csv") }, write(big), func(w http.ResponseWriter, err error) { t.Errorf("big=%v: %v", big, err) })
		wantLen, wantMakers := 10*1024, 1
		if big {
			wantLen, wantMakers = (maxSpool/1024+1)*1024, 2 // spool refused, made again to the client
		}
		if rec.Code != http.StatusOK || rec.Body.Len() != wantLen || maker != wantMakers {
			t.Errorf("big=%v: status %d, %d bytes (want %d), made %d times (want %d)", big, rec.Code, rec.Body.Len(), wantLen, maker, wantMakers)
		}
		if cl := rec.Header().Get("Content-Length"); big != (cl == "") {
			t.Errorf("big=%v: Content-Length %q (set only for a spooled download)", big, cl)
		}
	}
}
