// Package ventdproc runs a built ventd as a process of its own for tests
// and benchmarks (a kill -9, a real scrape, resident memory), finds in its
// log where it serves HTTP, and installs a copy of a program as a site's
// is, for what the kernel keeps of its code.
package ventdproc

import (
	"bufio"
	"io"
	"os/exec"
	"regexp"
	"testing"
)

var addrRE = regexp.MustCompile(`msg="serving HTTP" addr=(\S+)`)

// Addr returns the HTTP address in a line (or lines) of ventd's log.
func Addr(log string) (string, bool) {
	if m := addrRE.FindStringSubmatch(log); m != nil {
		return m[1], true
	}
	return "", false
}

// Start runs bin with args and returns it and the address it serves HTTP
// on, read from its log (standard error); the rest of the log is drained
// so ventd never blocks on a full pipe. The process is killed, if still
// running, when the test ends.
func Start(tb testing.TB, bin string, args ...string) (*exec.Cmd, string) {
	tb.Helper()
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if addr, ok := Addr(sc.Text()); ok {
			go io.Copy(io.Discard, stderr)
			return cmd, addr
		}
	}
	tb.Fatalf("%s exited before serving HTTP", bin)
	return nil, ""
}
