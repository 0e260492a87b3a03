package main

import (
	"bufio"
	"context"
	"fmt"
	"github.com/ventd/ventd/record"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkSimDaemon runs the whole daemon (drivers on the simulated bus,
// room model, control loop, snapshots, HTTP server) on unpaced simulated
// time through the built-in scenario, one simulated hour per iteration, and
// reports simulated hours per wall second.
func BenchmarkSimDaemon(b *testing.B) {
	f, err := parseFlags([]string{"-sim", "-sim-speed", "0", "-listen", "127.0.0.1:0", "-state-dir", b.TempDir(), "-log-level", "warn"}, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := newApp(ctx, f, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	var first time.Time
	a.d.Attach("bench", record.OutputFunc(func(p *record.Period) {
		if first.IsZero() {
			first = p.Time
		}
		if p.Time.Sub(first) >= time.Duration(b.N)*time.Hour {
			cancel()
		}
	}), nil)
	b.ResetTimer()
	start := time.Now()
	a.run(ctx)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "sim-h/s")
}

// BenchmarkSimRSS builds ventd, runs it on the simulated room at 60× speed
// for ten wall seconds (ten simulated minutes, sessions included) and
// reports its resident memory from /proc.
func BenchmarkSimRSS(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs /proc")
	}
	bin := filepath.Join(b.TempDir(), "ventd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(bin, "-sim", "-sim-speed", "60", "-listen", "127.0.0.1:0", "-state-dir", b.TempDir())
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		addr := waitAddr(b, stderr)
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if resp, err := http.Get("http://" + addr + "/api/state"); err == nil {
				resp.Body.Close()
			}
			time.Sleep(100 * time.Millisecond)
		}
		rss := vmRSS(b, cmd.Process.Pid)
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		b.ReportMetric(rss/1024, "rss-MiB")
	}
}

var addrRE = regexp.MustCompile(`msg="serving HTTP" addr=(\S+)`)

// waitAddr reads the daemon's log until it says where it listens, then
// keeps draining it so the daemon never blocks on a full pipe.
func waitAddr(tb testing.TB, r io.Reader) string {
	tb.Helper()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, r)
			return m[1]
		}
	}
	tb.Fatal("ventd exited before serving HTTP")
	return ""
}

// vmRSS returns a process's resident set in KiB.
func vmRSS(tb testing.TB, pid int) float64 { return procStatus(tb, pid, "VmRSS") }

// procStatus returns a field of /proc/PID/status in KiB (VmRSS, VmHWM).
func procStatus(tb testing.TB, pid int, field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb
		}
	}
	tb.Fatal("no " + field)
	return 0
}
