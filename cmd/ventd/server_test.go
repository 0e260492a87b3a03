package main

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ventd/ventd/testbench"
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

// Warnings about the config are logged at start.
func TestConfigWarningsLogged(t *testing.T) {
	sim, err := os.ReadFile("../../config/sim.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "ventd.yaml")
	if err := os.WriteFile(path, append(sim, "alarms: {fan_stall_min_duty: 0.2}\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs testbench.LogBuffer
	a, ctx, cancel := newTestApp(t, &logs, "-sim", "-config", path, "-listen", "127.0.0.1:0", "-state-dir", dir)
	cancel()
	a.run(ctx)
	if !strings.Contains(logs.String(), `level=WARN msg="config accepted, but check that it means what you meant" warning="`+path+
		`:`) || !strings.Contains(logs.String(), "alarms.fan_stall_min_duty: read as 0.2 % of full speed") {
		t.Errorf("no warning in the log:\n%s", tail(logs.String(), 10))
	}
}
