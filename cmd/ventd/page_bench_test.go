package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ventd/ventd/testbench/ventdproc"
)

// BenchmarkPageClients builds ventd and runs it on the simulated room in
// real time (one control period a wall second), first with no page open
// and then with 200 pages connected for live updates (SSE), and reports
// the daemon's CPU (percent of one core, from /proc) and resident memory
// in each phase. It fails if the control loop overran a period or a page
// missed most of the states. Run it alone:
//
//	go test -run '^$' -bench PageClients -benchtime 1x ./cmd/ventd
func BenchmarkPageClients(b *testing.B) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		b.Skip("needs /proc")
	}
	// 120 pages, each from an address of its own (127.0.0.2 on): ventd
	// serves 4 live pages an address and page.max_clients (128) in all.
	const clients, quiet, busy = 120, 10 * time.Second, 20 * time.Second
	bin := ventdBinary(b)
	for i := 0; i < b.N; i++ {
		cmd, addr := ventdproc.Start(b, bin, "-sim", "-sim-speed", "1", "-listen", "127.0.0.1:0", "-state-dir", b.TempDir())
		pid := cmd.Process.Pid

		t0, c0 := time.Now(), cpuTicks(b, pid)
		time.Sleep(quiet)
		t1, c1 := time.Now(), cpuTicks(b, pid)
		rssQuiet := vmRSS(b, pid)

		var got [clients]atomic.Int64
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := (&http.Client{Transport: fromAddress(c)}).Get("http://" + addr + "/api/events")
				if err != nil {
					b.Error(err)
					return
				}
				defer resp.Body.Close()
				go func() { <-stop; resp.Body.Close() }()
				sc := bufio.NewScanner(resp.Body)
				sc.Buffer(make([]byte, 0, 1<<20), 1<<20)
				for sc.Scan() {
					if sc.Text() == "event: state" {
						got[c].Add(1)
					}
				}
			}()
		}
		time.Sleep(2 * time.Second) // every client connected and has its first state
		for c := range clients {
			got[c].Store(0)
		}
		t2, c2 := time.Now(), cpuTicks(b, pid)
		time.Sleep(busy)
		t3, c3 := time.Now(), cpuTicks(b, pid)
		rssBusy := vmRSS(b, pid)
		least := int64(1 << 62)
		for c := range clients {
			least = min(least, got[c].Load())
		}
		overruns := loopOverruns(b, addr)
		close(stop)
		wg.Wait()
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()

		pct := func(ticks float64, d time.Duration) float64 { return 100 * ticks / clockTicks / d.Seconds() }
		b.ReportMetric(pct(c1-c0, t1.Sub(t0)), "cpu-%-no-page")
		b.ReportMetric(pct(c3-c2, t3.Sub(t2)), "cpu-%-120-pages")
		b.ReportMetric(rssQuiet/1024, "rss-MiB-no-page")
		b.ReportMetric(rssBusy/1024, "rss-MiB-120-pages")
		b.ReportMetric(float64(least)/busy.Seconds(), "min-states/s-per-page")
		if overruns > 0 {
			b.Errorf("the control loop overran %d periods with %d pages connected", overruns, clients)
		}
		if float64(least) < 0.8*busy.Seconds() {
			b.Errorf("a page got %d states in %s, want one a period", least, busy)
		}
	}
}

// fromAddress is a transport whose connections come from loopback address
// 127.0.0.(2+i), one of many clients, as ventd's per-address bounds see
// them (Linux answers the whole of 127.0.0.0/8).
func fromAddress(i int) *http.Transport {
	ip := net.IPv4(127, 0, byte(i/250), byte(2+i%250))
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}}
	return &http.Transport{DialContext: d.DialContext, DisableCompression: true}
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's CPU times (100 on
// every Linux the Pi and CI run).
const clockTicks = 100

// cpuTicks returns a process's user plus system CPU time in clock ticks.
func cpuTicks(tb testing.TB, pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	// The command name may hold spaces; the fields after its ')' are
	// fixed: utime and stime are the 12th and 13th of them.
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
	u, _ := strconv.ParseFloat(f[11], 64)
	s, _ := strconv.ParseFloat(f[12], 64)
	return u + s
}

func loopOverruns(tb testing.TB, addr string) int {
	resp, err := http.Get("http://" + addr + "/api/state")
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var s struct {
		Health struct {
			LoopOverruns int `json:"loop_overruns"`
		} `json:"health"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		tb.Fatal(err)
	}
	return s.Health.LoopOverruns
}
