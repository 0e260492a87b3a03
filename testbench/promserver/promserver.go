// Package promserver runs a real Prometheus server, and promtool, for
// tests: Debian's prometheus package, started on a free port with its own
// configuration and data directory and stopped when the test ends. Tests
// that need it call Need first: with CI=true a missing Prometheus fails the
// test, otherwise it skips with the command that installs it.
package promserver

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Need returns the paths of prometheus and promtool, or ends the test.
func Need(t testing.TB) (prometheus, promtool string) {
	t.Helper()
	var missing []string
	for _, name := range []string{"prometheus", "promtool"} {
		p, err := exec.LookPath(name)
		if err != nil {
			missing = append(missing, name)
		}
		if name == "prometheus" {
			prometheus = p
		} else {
			promtool = p
		}
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("%v not found: install the Debian package: sudo apt-get install prometheus", missing)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return prometheus, promtool
}

// Promtool runs promtool with args and returns its combined output.
func Promtool(t testing.TB, args ...string) (string, error) {
	t.Helper()
	_, tool := Need(t)
	out, err := exec.Command(tool, args...).CombinedOutput()
	return string(out), err
}

// Opts configure a server.
type Opts struct {
	// Config is prometheus.yml's text.
	Config string
	// DataDir is the TSDB (or agent WAL) directory; empty: a new one.
	DataDir string
	// Agent runs Prometheus in agent mode: scrape and remote-write only.
	Agent bool
	// Args are more flags, e.g. --web.enable-remote-write-receiver.
	Args []string
	// Addr is the address to listen on; empty: a free one. A server
	// started again on its Addr and DataDir comes back where it was.
	Addr string
}

// Server is a running Prometheus.
type Server struct {
	URL     string // http://127.0.0.1:PORT
	DataDir string
	t       testing.TB
	cmd     *exec.Cmd
	logFile string
	done    chan struct{}
}

// Start starts Prometheus and waits until it is ready. It is stopped when
// the test ends; its log is printed if the test failed.
func Start(t testing.TB, o Opts) *Server {
	t.Helper()
	bin, _ := Need(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(o.Config), 0o644); err != nil {
		t.Fatal(err)
	}
	if o.DataDir == "" {
		o.DataDir = filepath.Join(dir, "data")
	}
	addr := o.Addr
	if addr == "" {
		addr = FreeAddr(t)
	}
	args := []string{"--config.file=" + cfg, "--web.listen-address=" + addr, "--log.level=warn"}
	if o.Agent {
		args = append(args, "--enable-feature=agent", "--storage.agent.path="+o.DataDir)
	} else {
		// Backfilled blocks can be older than the default 15 days.
		args = append(args, "--storage.tsdb.path="+o.DataDir, "--storage.tsdb.retention.time=100y")
	}
	s := &Server{URL: "http://" + addr, DataDir: o.DataDir, t: t, logFile: filepath.Join(dir, "prometheus.log"), done: make(chan struct{})}
	logf, err := os.Create(s.logFile)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close() // the child has its own descriptor
	s.cmd = exec.Command(bin, append(args, o.Args...)...)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("prometheus %s log:\n%s", addr, s.log())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-s.done:
			t.Fatalf("prometheus exited at start: %v\n%s", s.cmd.ProcessState, s.log())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready after 30 s:\n%s", s.log())
		}
	}
}

// Stop stops the server and waits for it to exit (it flushes its head
// block and remote-write queue on the way).
func (s *Server) Stop() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// Sample is one element of an instant vector.
type Sample struct {
	Labels map[string]string
	Value  float64
	Time   time.Time
}

// Query evaluates expr at at (the server's now when zero) and returns the
// instant vector, or the error Prometheus gave.
func (s *Server) Query(expr string, at time.Time) ([]Sample, error) {
	q := url.Values{"query": {expr}}
	if !at.IsZero() {
		q.Set("time", strconv.FormatFloat(float64(at.UnixMilli())/1000, 'f', 3, 64))
	}
	resp, err := http.Get(s.URL + "/api/v1/query?" + q.Encode())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r struct {
		Status, Error, ErrorType string
		Data                     struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("query %q: %d: %w", expr, resp.StatusCode, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %q: %s: %s", expr, r.ErrorType, r.Error)
	}
	var out []Sample
	switch r.Data.ResultType {
	case "vector":
		var v []struct {
			Metric map[string]string
			Value  [2]any
		}
		if err := json.Unmarshal(r.Data.Result, &v); err != nil {
			return nil, err
		}
		for _, e := range v {
			out = append(out, point(e.Metric, e.Value))
		}
	case "scalar":
		var p [2]any
		if err := json.Unmarshal(r.Data.Result, &p); err != nil {
			return nil, err
		}
		out = append(out, point(nil, p))
	default:
		return nil, fmt.Errorf("query %q: a %s, not an instant vector", expr, r.Data.ResultType)
	}
	return out, nil
}

func point(m map[string]string, p [2]any) Sample {
	sec, _ := p[0].(float64)
	str, _ := p[1].(string)
	v, _ := strconv.ParseFloat(str, 64)
	return Sample{Labels: m, Value: v, Time: time.UnixMilli(int64(sec * 1000)).UTC()}
}

// WaitFor evaluates expr until ok accepts the result, for at most timeout
// of real time (Prometheus scrapes and sends on the wall clock), and
// returns the last result.
func (s *Server) WaitFor(expr string, timeout time.Duration, ok func([]Sample) bool) ([]Sample, error) {
	deadline := time.Now().Add(timeout)
	for {
		v, err := s.Query(expr, time.Time{})
		if err == nil && ok(v) {
			return v, nil
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("query %q: still %v after %v", expr, v, timeout)
			}
			return v, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// FreeAddr returns a 127.0.0.1 address with a port nobody listens on now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// log returns what Prometheus logged so far.
func (s *Server) log() string {
	b, _ := os.ReadFile(s.logFile)
	return string(b)
}

// DashboardQueries returns every query of a Grafana dashboard file (each
// panel's, by title and query id, and the series selector of each
// label_values() variable), with Grafana's variables replaced: vars by
// name, and $__range, $__interval and $__rate_interval by window.
func DashboardQueries(t testing.TB, file string, vars map[string]string, window string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr, RefID string }
		}
		Templating struct {
			List []struct {
				Name, Type string
				Definition string
			}
		}
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	out := map[string]string{}
	for _, v := range d.Templating.List {
		if v.Type == "query" {
			// label_values(metric, label) asks for the metric's series.
			m := regexp.MustCompile(`^label_values\((.+), *\w+\)$`).FindStringSubmatch(v.Definition)
			if m == nil {
				t.Errorf("%s: variable %s: query %q is not label_values(metric, label)", file, v.Name, v.Definition)
				continue
			}
			out["variable "+v.Name] = m[1]
		}
	}
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			out[p.Title+" "+tg.RefID] = tg.Expr
		}
	}
	r := []string{"$__rate_interval", window, "$__interval", window, "$__range", window}
	for k, v := range vars {
		r = append(r, "${"+k+"}", v, "$"+k, v)
	}
	rep := strings.NewReplacer(r...)
	for k, q := range out {
		out[k] = rep.Replace(q)
		if strings.Contains(out[k], "$") {
			t.Errorf("%s: %s: unreplaced variable in %q", file, k, out[k])
		}
	}
	return out
}
