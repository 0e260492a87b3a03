package coldtext

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// childMode, set in a child's environment, says which mapping the child
// test measures: "around" (the kernel's default, after Trim), "exact"
// (NoFaultAround, then Trim) or "evict" (Evict).
const childMode = "COLDTEXT_TEST_MODE"

// TestFaultAroundChild is the child of
// TestNoFaultAroundMapsOnlyThePagesThatRun and
// TestEvictMapsOnlyThePagesThatRun: with its code handed back (Trim or
// Evict), it runs work and prints the file pages that mapped again and
// what the read-only mappings hold after it, in KiB, and work's result.
func TestFaultAroundChild(t *testing.T) {
	mode := os.Getenv(childMode)
	if mode == "" {
		t.Skip("run by TestNoFaultAroundMapsOnlyThePagesThatRun")
	}
	if mode == "exact" {
		if err := NoFaultAround(); err != nil {
			fmt.Printf("ERR %v\n", err)
			return
		}
	}
	handBack := Trim
	if mode == "evict" {
		handBack = Evict
	}
	if _, err := handBack(); err != nil {
		t.Fatal(err)
	}
	before := rssFileKiB(t)
	out := work()
	after := rssFileKiB(t)
	fmt.Printf("KIB %d %d %s\n", after-before, readOnlyKiB(t), out)
}

// child runs TestFaultAroundChild in mode from the test binary exe and
// returns the KiB of file pages the work mapped again and the KiB the
// read-only mappings hold after it.
func child(t *testing.T, exe, mode string) (again, resident int, out string, err error) {
	cmd := exec.Command(exe, "-test.run", "^TestFaultAroundChild$", "-test.count", "1")
	cmd.Env = append(os.Environ(), childMode+"="+mode)
	b, runErr := cmd.CombinedOutput()
	for _, line := range strings.Split(string(b), "\n") {
		if msg, ok := strings.CutPrefix(line, "ERR "); ok {
			return 0, 0, "", errors.New(msg)
		}
		if rest, ok := strings.CutPrefix(line, "KIB "); ok {
			f := strings.SplitN(rest, " ", 3)
			if len(f) == 3 {
				again, err1 := strconv.Atoi(f[0])
				resident, err2 := strconv.Atoi(f[1])
				if err1 == nil && err2 == nil {
					return again, resident, f[2], nil
				}
			}
			t.Fatalf("child %s printed %q", mode, line)
		}
	}
	t.Fatalf("child %s: %v\n%s", mode, runErr, b)
	return 0, 0, "", nil
}

func TestNoFaultAroundMapsOnlyThePagesThatRun(t *testing.T) {
	around, _, outAround, _ := child(t, os.Args[0], "around")
	exact, _, outExact, err := child(t, os.Args[0], "exact")
	if err != nil && strings.Contains(err.Error(), "userfaultfd") {
		// EINVAL before Linux 6.7 (no asynchronous write protection),
		// ENOSYS without userfaultfd, EPERM under a filter that refuses
		// it: the kernel does not offer the switch, which is not a
		// fault of this code.
		t.Skipf("this kernel does not offer it: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	want := work()
	if outAround != want || outExact != want {
		t.Fatalf("the same work gave %q with fault-around and %q without; want %q", outAround, outExact, want)
	}
	t.Logf("file pages the same work mapped again after Trim: %d KiB with fault-around, %d KiB without", around, exact)
	if exact*4 > around*3 {
		t.Errorf("without fault-around the work mapped %d KiB, with it %d: not a quarter less", exact, around)
	}
}
