package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/promserver"
)

// simApp is ventd -sim running for a test.
type simApp struct {
	a     *app
	url   string // http(s)://host:port
	snaps <-chan *snapshot.Snapshot
	logs  *testbench.LogBuffer
	stop  func() // stops ventd and waits for it; the test's end calls it too
}

// runVentd runs ventd with args (-sim and a free port are added) until
// stop or the end of the test.
func runVentd(t testing.TB, args ...string) *simApp {
	t.Helper()
	logs := &testbench.LogBuffer{}
	a, ctx, cancel := newTestApp(t, logs, append([]string{"-sim", "-listen", "127.0.0.1:0", "-log-level", "warn", "-state-dir", t.TempDir()}, args...)...)
	snaps := make(chan *snapshot.Snapshot, 16)
	// The test reads what it needs; records it is too slow for are
	// skipped, never waited for.
	a.d.Attach("test", record.OutputFunc(func(p *record.Period) {
		select {
		case snaps <- snapshot.From(p, nil):
		default:
		}
	}), nil)
	s := &simApp{a: a, url: "http://" + a.ln.Addr().String(), snaps: snaps, logs: logs}
	if a.webConfig != "" {
		s.url = "https://" + a.ln.Addr().String()
	}
	done := make(chan error, 1)
	go func() { done <- a.run(ctx) }()
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		})
	}
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("ventd log:\n%s", tail(logs.String(), 30))
		}
	})
	return s
}

// webConfig is firmware/prometheus/examples/web-config.yml with a fresh
// certificate and the hash of password; it returns the file and a client
// that trusts the certificate.
func webConfig(t *testing.T, password string) (string, *http.Client, string) {
	t.Helper()
	tmpl, err := os.ReadFile("../../firmware/prometheus/examples/web-config.yml")
	if err != nil {
		t.Fatal(err)
	}
	file, ca := promserver.WebConfig(t, string(tmpl), "/etc/ventd/tls/ventd.crt", "/etc/ventd/tls/ventd.key",
		"REPLACE-with-the-bcrypt-hash-of-the-password", password)
	pem, err := os.ReadFile(ca)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	return file, c, ca
}

func getAs(t *testing.T, c *http.Client, url, user, password string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestWebConfig serves /metrics over TLS with basic auth from the example
// web configuration: the right password gets in, a wrong one, none, and
// plain HTTP do not; a broken file stops ventd at start saying what is
// wrong.
func TestWebConfig(t *testing.T) {
	file, client, _ := webConfig(t, "s3cret")
	s := runVentd(t, "-sim-speed", "20", "-web.config.file", file)
	for {
		if code, _ := getAs(t, client, s.url+"/api/state", "prometheus", "s3cret"); code == http.StatusOK {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, body := getAs(t, client, s.url+"/metrics", "prometheus", "s3cret"); code != 200 || !strings.Contains(body, "ventd_build_info") {
		t.Errorf("right password: %d %.200s", code, body)
	}
	for _, c := range []struct{ user, password string }{{"prometheus", "wrong"}, {"admin", "s3cret"}, {"", ""}} {
		if code, body := getAs(t, client, s.url+"/metrics", c.user, c.password); code != http.StatusUnauthorized {
			t.Errorf("user %q password %q: %d %.200s, want 401", c.user, c.password, code, body)
		}
	}
	plain := strings.Replace(s.url, "https://", "http://", 1)
	if code, body := getAs(t, &http.Client{Timeout: 5 * time.Second}, plain+"/metrics", "prometheus", "s3cret"); code == 200 {
		t.Errorf("plain HTTP to the TLS port answered: %.200s", body)
	}

	bad := filepath.Join(t.TempDir(), "web.yml")
	os.WriteFile(bad, []byte("basic_auth_users:\n  prometheus: not-a-hash\n"), 0o600)
	f, err := parseFlags([]string{"-sim", "-listen", "127.0.0.1:0", "-web.config.file", bad}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newApp(context.Background(), f, io.Discard); err == nil || !strings.Contains(err.Error(), "-web.config.file "+bad) ||
		!strings.Contains(err.Error(), "bcrypt") {
		t.Errorf("a web configuration with a bad hash: %v; want an error naming the file and bcrypt", err)
	}
}
