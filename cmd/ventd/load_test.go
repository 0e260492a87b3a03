package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/testbench/ventdproc"
)

// Load tests of the HTTP server against a built ventd: they measure what a
// flood of clients costs the daemon (its resident memory from /proc), so
// they are benchmarks, run one iteration at a time:
//
//	go test -run '^$' -bench 'ExportFlood|IdleKeepAlive' -benchtime 1x ./cmd/ventd

// loadJournal writes days of a room's minutes (2 zones × 3 quantities),
// ending at end, into dir/journal.db, with an alarm event and an
// acknowledgement an hour: what a site's journal holds after that many days.
func loadJournal(tb testing.TB, dir string, days int, end time.Time) {
	tb.Helper()
	j, err := journal.Open(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	defer j.Close()
	first := end.Add(-time.Duration(days) * 24 * time.Hour).Truncate(time.Minute)
	for d := range days {
		b := journal.Batch{Meta: map[string]string{"site": "Load test", "room": "Room 1"}}
		day := first.Add(time.Duration(d) * 24 * time.Hour)
		for i := range 1440 {
			at := day.Add(time.Duration(i) * time.Minute).UTC()
			for _, z := range []string{"booth", "staff"} {
				for qi, q := range []string{"pm25", "pm10", "co2"} {
					mean := 10 + float64(qi*3) + float64(i%37)*0.7
					b.Minutes = append(b.Minutes, journal.Minute{Start: at, Zone: z, Quantity: q,
						Mean: mean, Max: mean * 1.4, Count: 60, CoveredSeconds: 60})
				}
			}
			if i%60 == 0 {
				id := uint64(d*1440 + i + 1)
				b.Events = append(b.Events, journal.Event{ID: id, AlarmID: id, Rule: "pm25_staff", Kind: "raised", Level: "warning",
					Subject: "staff", Quantity: "pm25", Time: at, Value: 40, Threshold: 35, Message: "PM2.5 in staff above the warning level"})
				b.Acks = append(b.Acks, journal.Ack{AlarmID: id, Time: at.Add(time.Minute), Who: "Load Tester", Note: "seen"})
			}
		}
		if _, err := j.Write(b); err != nil {
			tb.Fatal(err)
		}
	}
}

// startVentd builds ventd and runs it on the simulated room over stateDir,
// returning its address and pid; it is interrupted at the end of the test.
func startVentd(tb testing.TB, stateDir string, start time.Time) (string, int) {
	tb.Helper()
	bin := ventdBinary(tb)
	cmd, addr := ventdproc.Start(tb, bin, "-sim", "-sim-start", start.Format(time.RFC3339), "-listen", "127.0.0.1:0", "-state-dir", stateDir)
	tb.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	return addr, cmd.Process.Pid
}

// peakRSS returns a process's peak resident set (VmHWM) in MiB.
func peakRSS(tb testing.TB, pid int) float64 { return procStatus(tb, pid, "VmHWM") / 1024 }

// BenchmarkExportFlood has 200 clients ask for the whole of a 15-day
// journal as JSON at once and reports ventd's peak resident memory, and
// how many were served (200) or told to come back (503).
func BenchmarkExportFlood(b *testing.B) {
	const clients = 200
	dir := b.TempDir()
	end := time.Date(2026, 3, 16, 7, 0, 0, 0, time.UTC)
	loadJournal(b, dir, 15, end)
	addr, pid := startVentd(b, dir, end.Add(time.Hour))
	before := vmRSS(b, pid) / 1024
	for b.Loop() {
		codes := map[int]int{}
		var bytes int64
		var mu sync.Mutex
		var wg sync.WaitGroup
		// Each client from an address of its own: ventd takes 32
		// connections from one address at most.
		trs := make([]*http.Transport, clients)
		for c := range clients {
			trs[c] = fromAddress(c)
			wg.Go(func() {
				resp, err := (&http.Client{Transport: trs[c]}).Get("http://" + addr + "/api/export?format=json")
				if err != nil {
					b.Error(err)
					return
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				codes[resp.StatusCode]++
				bytes += n
				mu.Unlock()
			})
		}
		wg.Wait()
		for _, tr := range trs {
			tr.CloseIdleConnections()
		}
		b.ReportMetric(float64(codes[http.StatusOK]), "served")
		b.ReportMetric(float64(codes[http.StatusServiceUnavailable]+codes[http.StatusTooManyRequests]), "busy")
		b.ReportMetric(float64(bytes)/1e6/float64(max(codes[http.StatusOK], 1)), "MB/export")
	}
	b.ReportMetric(before, "rss-before-MiB")
	b.ReportMetric(peakRSS(b, pid), "peak-rss-MiB")
}

// BenchmarkIdleKeepAlive has 2,000 clients connect at once, make one
// request each and keep the connection open without using it again. It
// reports how many were answered within 5 s, ventd's resident memory then
// and at its peak, and how many connections ventd holds (its open
// sockets) at 5 s and after 40 s; connections it has not accepted wait in
// the kernel's listen queue and are not counted.
func BenchmarkIdleKeepAlive(b *testing.B) {
	const conns = 2000
	const hold = 40 * time.Second
	addr, pid := startVentd(b, b.TempDir(), time.Now())
	for b.Loop() {
		start := time.Now()
		var mu sync.Mutex
		var cs []net.Conn
		answered := 0
		for i := range conns {
			go func() {
				// From addresses of their own, as 2,000 clients would be:
				// ventd takes 32 connections from one address at most.
				d := net.Dialer{Timeout: hold, LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, byte(i/250), byte(2+i%250))}}
				c, err := d.Dial("tcp", addr)
				if err != nil {
					return
				}
				mu.Lock()
				cs = append(cs, c)
				mu.Unlock()
				c.SetDeadline(start.Add(hold))
				fmt.Fprintf(c, "GET /metrics HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				if err != nil {
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if time.Since(start) < 5*time.Second {
					mu.Lock()
					answered++
					mu.Unlock()
				}
			}()
		}
		time.Sleep(5 * time.Second)
		mu.Lock()
		b.ReportMetric(float64(answered), "answered-in-5s")
		mu.Unlock()
		b.ReportMetric(vmRSS(b, pid)/1024, "rss-at-5s-MiB")
		b.ReportMetric(float64(sockets(b, pid)), "held-at-5s")
		time.Sleep(time.Until(start.Add(hold)))
		b.ReportMetric(float64(sockets(b, pid)), "held-at-40s")
		mu.Lock()
		for _, c := range cs {
			c.Close()
		}
		mu.Unlock()
	}
	b.ReportMetric(peakRSS(b, pid), "peak-rss-MiB")
}

// sockets counts a process's open sockets.
func sockets(tb testing.TB, pid int) int {
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, fd := range fds {
		if l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); err == nil && strings.HasPrefix(l, "socket:") {
			n++
		}
	}
	return n
}
