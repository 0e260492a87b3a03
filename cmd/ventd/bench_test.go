package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/testbench/ventdproc"
)

// BenchmarkSimDaemon runs the whole daemon (drivers on the simulated bus,
// room model, control loop, snapshots, HTTP server) on unpaced simulated
// time through the built-in scenario, one simulated hour per iteration
// (see benchSim for what it reports).
func BenchmarkSimDaemon(b *testing.B) {
	benchSim(b)
}

// BenchmarkSimDaemonBooths is BenchmarkSimDaemon on the rooms of
// testbench/rooms: 1, 2, 6 and 8 booths, each with an SPS30, an SGP41 and
// its own fan, beside a staff area with an SPS30, an SCD41 and an SGP41,
// through the rooms' 8 h shift played again and again from a Monday 07:00.
func BenchmarkSimDaemonBooths(b *testing.B) {
	for _, n := range []int{1, 2, 6, 8} {
		b.Run(fmt.Sprintf("booths=%d", n), func(b *testing.B) {
			room := filepath.Join("..", "..", "testbench", "rooms", fmt.Sprintf("booths-%d", n))
			benchSim(b, "-config", room+".yaml", "-sim-scenario", room+"-day.yaml", "-sim-loop",
				"-sim-start", "2026-03-02T07:00:00Z")
		})
	}
}

// benchSim runs ventd -sim with args on unpaced simulated time, one
// simulated hour per iteration, and reports simulated hours per wall
// second and what the whole process allocated per simulated hour (every
// goroutine's: the loop's, the journal's, the HTTP server's). It runs the
// collector at the target ventd's main sets for an unpaced simulation
// (gcPercent), unless GOGC is in the environment, as ventd does.
func benchSim(b *testing.B, args ...string) {
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(gcPercent(&flags{sim: true, simSpeed: 0})))
	}
	args = append([]string{"-sim", "-sim-speed", "0", "-listen", "127.0.0.1:0", "-state-dir", b.TempDir(), "-log-level", "warn"}, args...)
	a, ctx, cancel := newTestApp(b, io.Discard, args...)
	var first time.Time
	a.d.Attach("bench", record.OutputFunc(func(p *record.Period) {
		if first.IsZero() {
			first = p.Time
		}
		if p.Time.Sub(first) >= time.Duration(b.N)*time.Hour {
			cancel()
		}
	}), nil)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	start := time.Now()
	if err := a.run(ctx); err != nil {
		b.Fatal(err)
	}
	wall := time.Since(start)
	b.StopTimer()
	runtime.ReadMemStats(&after)
	hours := float64(b.N)
	b.ReportMetric(hours/wall.Seconds(), "sim-h/s")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/1e6/hours, "MB/sim-h")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/hours, "allocs/sim-h")
}

// BenchmarkSimRSS builds ventd, runs it on the simulated room at 60× speed
// for ten wall seconds (ten simulated minutes, sessions included) and
// reports its resident memory from /proc.
func BenchmarkSimRSS(b *testing.B) {
	bin := buildVentd(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := runRSS(b, bin, 10*time.Second, 100*time.Millisecond, "-sim-speed", "60")
		b.ReportMetric(m.rss/1024, "rss-MiB")
	}
}

// BenchmarkPiRSS builds ventd as for the Pi (CGO_ENABLED=0, -trimpath)
// and runs it at real time on the built-in simulated room and on the
// 6-booth room of testbench/rooms, the two side by side for piRSSFor,
// each under a site's load: a wall tablet's status page on the live event
// stream and Prometheus scraping /metrics (sampleRSS). It reports each
// room's resident memory at the end (rss, anon, file), the most it held
// after the first two minutes (max-rss: past start-up and the first
// hand-back of code pages) and its mean over them, its peak (start-up
// included), and what it held at 150 s (rss-150s), when the earliest run
// read it, on a new journal. Each room starts on a journal of some days
// (ageJournal), as a site's does, and runs twice: as ventd runs on this
// machine's kernel, and as on a kernel that keeps fault-around
// ("no-uffd": userfaultfd refused, execRefusingUserfaultfd), where ventd's
// hand-back of its code evicts it from the page cache (coldtext.Evict).
// Each ventd runs from a copy of its own, installed as a site's is
// (ventdproc.Install), so one's code pages are not another's. With
// VENTD_PIRSS_BEFORE naming another build, it runs beside, as "before/";
// VENTD_PIRSS_BUILD names a build to run instead of building this one, so
// the test binary can run where there is no Go (on another kernel, in a
// virtual machine: testbench/kernelvm).
//
// Until 2 December 2026 the load was a GET of /api/state each second,
// taken for what a tablet does; the page does that only while its stream
// is down. The site's load holds more: one booth, three copies of one
// build side by side for 12 minutes on aged journals, 20.38 MiB with
// /api/state each second, 21.66 with the stream and a scrape each 15 s,
// 18.63 with no client at all. Most of the difference is the scrape (in
// another sitting 21.3 with the scrape alone, 19.5 with the stream alone):
// the code that gathers and encodes the metrics, about 1 MiB of file
// pages, and the gzip writer promhttp keeps between scrapes, 0.4–0.9 MiB
// (a build that answers uncompressed, side by side; ventd still
// compresses: the scrape is 6.5 times larger without, 49 kB against 7.6
// with one booth, which a site scraping over a metered link pays for).
//
// The earlier run, 150 s on a new journal, read low. The code pages a
// running ventd maps again after the hand-back at one minute kept
// growing for some 14 minutes (code that runs every few minutes, not
// every second), and the heap a little: at 20 minutes the same run held
// 0.95 MiB more with one booth and 1.14 with six, and the same at 18
// minutes. And a new journal's few pages leave SQLite's page cache part
// empty: on a journal of some days it held 0.4–0.7 MiB more.
func BenchmarkPiRSS(b *testing.B) {
	bin := os.Getenv(piRSSBuild)
	if bin == "" {
		bin = buildVentd(b, "CGO_ENABLED=0")
	}
	builds := []struct{ name, bin string }{{"", bin}}
	if bin := os.Getenv(piRSSBefore); bin != "" {
		builds = append(builds, struct{ name, bin string }{"before", bin})
	}
	six := filepath.Join("..", "..", "testbench", "rooms", "booths-6")
	rooms := []struct {
		name string
		args []string
	}{
		{"sim", nil},
		{"booths=6", []string{"-config", six + ".yaml", "-sim-scenario", six + "-day.yaml"}},
	}
	kernels := []struct {
		name   string
		refuse bool
	}{{"", false}, {"no-uffd", true}}
	for i := 0; i < b.N; i++ {
		var runs []*rssRun
		var names []string
		for _, bl := range builds {
			for _, c := range rooms {
				for _, k := range kernels {
					runs = append(runs, startRSS(b, bl.bin, k.refuse, append(c.args, "-sim-speed", "1")...))
					names = append(names, strings.Trim(strings.Join([]string{bl.name, c.name, k.name}, "/"), "/"))
				}
			}
		}
		sampleRSS(b, runs, piRSSFor, 10*time.Second, 2*time.Minute)
		for j, m := range runs {
			b.Run(names[j], func(b *testing.B) {
				b.ReportMetric(m.last.rss/1024, "rss-MiB")
				b.ReportMetric(m.max/1024, "max-rss-MiB")
				b.ReportMetric(m.sum/float64(max(m.n, 1))/1024, "mean-rss-MiB")
				b.ReportMetric(m.at150/1024, "rss-150s-MiB")
				b.ReportMetric(m.last.peak/1024, "peak-rss-MiB")
				b.ReportMetric(m.last.anon/1024, "anon-MiB")
				b.ReportMetric(m.last.file/1024, "file-MiB")
			})
		}
	}
}

// piRSSBefore names an environment variable that BenchmarkPiRSS reads: the
// path of another build of ventd (CGO_ENABLED=0 go build -trimpath, of
// the code before a change) to run beside this one, as "before/...", so
// the two are measured side by side in one run.
const piRSSBefore = "VENTD_PIRSS_BEFORE"

// piRSSBuild names an environment variable that BenchmarkPiRSS reads: the
// path of the build to measure as this one, instead of building it.
const piRSSBuild = "VENTD_PIRSS_BUILD"

// piRSSFor is how long BenchmarkPiRSS runs ventd.
const piRSSFor = 20 * time.Minute

// rssRun is one ventd that sampleRSS watches.
type rssRun struct {
	cmd   *exec.Cmd
	addr  string
	last  residency // the last sample
	max   float64   // the largest VmRSS sampled after the warm-up, KiB
	sum   float64   // of the VmRSS samples after the warm-up, KiB
	n     int       // samples in sum
	at150 float64   // VmRSS at the first sample from 150 s on, KiB
}

// startRSS starts bin -sim with args, as runRSS does, on a journal of
// some days already (ageJournal), from a copy of bin of its own as a
// site's ventd is installed (ventdproc.Install): another process running
// the same file would keep its pages cached, which ventd hands back. With
// refuse, ventd runs as on a kernel that keeps fault-around
// (execRefusingUserfaultfd).
func startRSS(b *testing.B, bin string, refuse bool, args ...string) *rssRun {
	dir := b.TempDir()
	key := strings.Join(args, "\x00")
	aged, ok := agedJournals[key]
	if !ok {
		aged = b.TempDir()
		ageJournal(b, bin, aged, args...)
		agedJournals[key] = aged
	}
	j, err := os.ReadFile(filepath.Join(aged, "journal.db"))
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "journal.db"), j, 0o644); err != nil {
		b.Fatal(err)
	}
	exe := ventdproc.Install(b, bin)
	args = append([]string{"-sim", "-listen", "127.0.0.1:0", "-state-dir", dir}, args...)
	if refuse {
		args = append([]string{refusingUserfaultfd, exe}, args...)
		exe = os.Args[0]
	}
	cmd, addr := ventdproc.Start(b, exe, args...)
	return &rssRun{cmd: cmd, addr: addr}
}

// agedJournals holds, by ventd's arguments, a state directory whose
// journal ageJournal aged, which startRSS copies for each run, whichever
// build runs it (a site's journal outlives an upgrade): ageing is most of
// a short run's start, and some thirty times slower with the processor
// emulated (testbench/kernelvm).
var agedJournals = map[string]string{}

// ageJournal runs bin -sim unpaced in dir until its journal holds 4 MB
// (days of records), as a site's does after its first days. SQLite's
// page cache then fills to its bound at start (the journal's check reads
// every page) instead of growing with a new journal's few pages, which
// read 0.4–0.6 MiB low with six booths. The run that follows starts just
// after the last record (simStart).
func ageJournal(b *testing.B, bin, dir string, args ...string) {
	var unpaced []string
	for i := 0; i < len(args); i++ {
		if args[i] == "-sim-speed" {
			i++ // the run's own speed
			continue
		}
		unpaced = append(unpaced, args[i])
	}
	cmd, _ := ventdproc.Start(b, bin, append([]string{"-sim", "-sim-speed", "0", "-sim-loop", "-listen", "127.0.0.1:0", "-state-dir", dir}, unpaced...)...)
	path := filepath.Join(dir, "journal.db")
	// About 5 s here; the deadline leaves room for an emulated processor.
	for deadline := time.Now().Add(10 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if fi, err := os.Stat(path); err == nil && fi.Size() >= 4<<20 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s -sim-speed 0 wrote less than 4 MB of journal in 10 minutes", bin)
		}
	}
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		b.Fatalf("ageing the journal: %v", err)
	}
}

// scrapeEvery is how often BenchmarkPiRSS scrapes /metrics, as a site's
// Prometheus does (its default is a minute; 15 s is common).
const scrapeEvery = 15 * time.Second

// siteLoad asks of the ventd at addr what a site does until stop is
// called: a wall tablet's status page holds the live event stream
// (/api/events) open and reads each period's update as it comes (it polls
// /api/state only while the stream is down), and a Prometheus server
// scrapes /metrics each scrapeEvery.
func siteLoad(addr string) (stop func()) {
	done := make(chan struct{})
	go func() {
		// Until ventd stops and closes the stream.
		if resp, err := http.Get("http://" + addr + "/api/events"); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	go func() {
		t := time.NewTicker(scrapeEvery)
		defer t.Stop()
		for {
			if resp, err := http.Get("http://" + addr + "/metrics"); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done) }
}

// sampleRSS puts a site's load (siteLoad) on every run for d and samples
// their resident memory each every, from one goroutine (the benchmark's:
// a failed read of /proc stops the benchmark); then it stops them. max
// counts the samples from warmup on.
func sampleRSS(b *testing.B, runs []*rssRun, d, every, warmup time.Duration) {
	for _, r := range runs {
		defer siteLoad(r.addr)()
	}
	start := time.Now()
	for {
		el := time.Since(start)
		for _, r := range runs {
			r.last = residencyOf(b, r.cmd.Process.Pid)
			if el >= warmup {
				r.max = max(r.max, r.last.rss)
				r.sum += r.last.rss
				r.n++
			}
			if el >= 150*time.Second && r.at150 == 0 {
				r.at150 = r.last.rss
			}
		}
		if el >= d {
			break
		}
		time.Sleep(min(every, d-el))
	}
	for _, r := range runs {
		r.cmd.Process.Signal(os.Interrupt)
		r.cmd.Wait()
	}
}

// BenchmarkRealTimeCPU builds ventd as for the Pi, runs two copies at
// real time on the built-in simulated room, side by side, one with nobody
// asking anything ("idle") and one under a site's load (siteLoad: the
// status page's stream and a scrape each 15 s), and reports the share of
// one core each used over three minutes after a minute's warm-up, with
// the context switches a second of all its threads (each is a wake-up:
// the loop's period, the drivers' datasheet waits, the outputs each record
// goes to). With -sim the simulated room and its sensors run in the same
// process, which a Pi's ventd does not.
func BenchmarkRealTimeCPU(b *testing.B) {
	bin := buildVentd(b, "CGO_ENABLED=0")
	for i := 0; i < b.N; i++ {
		idle, _ := ventdproc.Start(b, bin, "-sim", "-sim-speed", "1", "-listen", "127.0.0.1:0", "-state-dir", b.TempDir())
		site, addr := ventdproc.Start(b, bin, "-sim", "-sim-speed", "1", "-listen", "127.0.0.1:0", "-state-dir", b.TempDir())
		stop := siteLoad(addr)
		pids := []int{idle.Process.Pid, site.Process.Pid}
		time.Sleep(time.Minute)
		var cpu0, cpu1 [2]time.Duration
		var cs0, cs1 [2]int64
		for j, pid := range pids {
			cpu0[j], cs0[j] = procCPU(b, pid), procSwitches(b, pid)
		}
		t0 := time.Now()
		time.Sleep(3 * time.Minute)
		el := time.Since(t0)
		for j, pid := range pids {
			cpu1[j], cs1[j] = procCPU(b, pid), procSwitches(b, pid)
		}
		stop()
		for _, c := range []*exec.Cmd{idle, site} {
			c.Process.Signal(os.Interrupt)
			c.Wait()
		}
		for j, name := range []string{"idle", "site"} {
			b.ReportMetric(100*(cpu1[j]-cpu0[j]).Seconds()/el.Seconds(), name+"-cpu-%")
			b.ReportMetric(float64(cs1[j]-cs0[j])/el.Seconds(), name+"-switches/s")
		}
	}
}

// procCPU is the CPU time a process has used, user and system, all its
// threads (/proc/PID/stat counts it in 1/100 s).
func procCPU(tb testing.TB, pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	// The command name may hold spaces; the fields after it are plain.
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		tb.Fatalf("/proc/%d/stat: utime %q, stime %q", pid, f[11], f[12])
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// procSwitches is the number of context switches, voluntary and not, of
// every thread of a process.
func procSwitches(tb testing.TB, pid int) int64 {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	if err != nil || len(tasks) == 0 {
		tb.Fatalf("no threads of %d: %v", pid, err)
	}
	var n int64
	for _, t := range tasks {
		data, err := os.ReadFile(t)
		if err != nil {
			continue // a thread that just ended
		}
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "voluntary_ctxt_switches:") || strings.HasPrefix(line, "nonvoluntary_ctxt_switches:") {
				v, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
				n += v
			}
		}
	}
	return n
}

// buildVentd builds this package's ventd with env added to the build's
// environment and returns the binary's path.
func buildVentd(b *testing.B, env ...string) string {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs /proc")
	}
	bin := filepath.Join(b.TempDir(), "ventd")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// residency is a process's resident memory in KiB: the whole set, its
// peak, and the set split into anonymous memory (heap, stacks: what ventd
// allocates) and file pages (the mapped binary). The split matters
// because how much of a binary's file pages a process maps depends on the
// kernel: one that maps large page-cache folios (Linux 6.18 on ext4 here)
// makes nearly all of a Go binary's text resident even when idle.
type residency struct{ rss, peak, anon, file float64 }

// runRSS runs bin -sim with args for d, fetching /api/state every poll,
// and returns its resident memory then.
func runRSS(b *testing.B, bin string, d, poll time.Duration, args ...string) residency {
	cmd, addr := ventdproc.Start(b, bin, append([]string{"-sim", "-listen", "127.0.0.1:0", "-state-dir", b.TempDir()}, args...)...)
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/api/state"); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		time.Sleep(poll)
	}
	m := residencyOf(b, cmd.Process.Pid)
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	return m
}

// residencyOf reads a process's resident memory from /proc.
func residencyOf(tb testing.TB, pid int) residency {
	return residency{
		rss:  procStatus(tb, pid, "VmRSS"),
		peak: procStatus(tb, pid, "VmHWM"),
		anon: procStatus(tb, pid, "RssAnon"),
		file: procStatus(tb, pid, "RssFile"),
	}
}

// vmRSS returns a process's resident set in KiB.
func vmRSS(tb testing.TB, pid int) float64 { return procStatus(tb, pid, "VmRSS") }

// procStatus returns a field of a process's /proc status in KiB (VmRSS:
// the resident set, VmHWM: its peak).
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
	tb.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
