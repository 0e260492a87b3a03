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
// test measures: "around" (the kernel's default) or "exact"
// (NoFaultAround).
const childMode = "COLDTEXT_TEST_MODE"

// TestFaultAroundChild is the child of
// TestNoFaultAroundMapsOnlyThePagesThatRun: with its code handed back
// (Trim), it runs work and prints the file pages that mapped again, in
// KiB, and work's result.
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
	if _, err := Trim(); err != nil {
		t.Fatal(err)
	}
	before := rssFileKiB(t)
	out := work()
	after := rssFileKiB(t)
	fmt.Printf("KIB %d %s\n", after-before, out)
}

func child(t *testing.T, mode string) (int, string, error) {
	cmd := exec.Command(os.Args[0], "-test.run", "^TestFaultAroundChild$", "-test.count", "1")
	cmd.Env = append(os.Environ(), childMode+"="+mode)
	b, runErr := cmd.CombinedOutput()
	for _, line := range strings.Split(string(b), "\n") {
		if msg, ok := strings.CutPrefix(line, "ERR "); ok {
			return 0, "", errors.New(msg)
		}
		if rest, ok := strings.CutPrefix(line, "KIB "); ok {
			n, out, _ := strings.Cut(rest, " ")
			kib, err := strconv.Atoi(n)
			if err != nil {
				t.Fatalf("child %s printed %q: %v", mode, line, err)
			}
			return kib, out, nil
		}
	}
	t.Fatalf("child %s: %v\n%s", mode, runErr, b)
	return 0, "", nil
}

func TestNoFaultAroundMapsOnlyThePagesThatRun(t *testing.T) {
	around, outAround, _ := child(t, "around")
	exact, outExact, err := child(t, "exact")
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
