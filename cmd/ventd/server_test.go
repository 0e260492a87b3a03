package main

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
)

// The daemon's server puts every handler behind the Host check and bounds
// request headers.
func TestServeBounds(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	ln, srv := serve(ln, h, []string{"ventd.example.org"}, slog.New(slog.DiscardHandler))
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/api/state"
	for _, c := range []struct {
		host   string
		header int
		code   int
	}{
		{"", 0, 200},
		{"ventd.example.org", 0, 200},
		{"evil.example", 0, 403},
		{"", 64 << 10, 431},
	} {
		req, _ := http.NewRequest("GET", url, nil)
		if c.host != "" {
			req.Host = c.host
		}
		if c.header > 0 {
			req.Header.Set("X-Big", strings.Repeat("a", c.header))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.code {
			t.Errorf("Host %q, %d header bytes: %d, want %d", c.host, c.header, resp.StatusCode, c.code)
		}
	}
	if srv.WriteTimeout != 0 || srv.ReadTimeout != 0 {
		t.Error("a server-wide write or read timeout would cut the status page's event stream; handlers set their own")
	}
}
