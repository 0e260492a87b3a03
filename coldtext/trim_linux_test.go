package coldtext

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// work exercises code and tables all over the binary: the regexp engine,
// reflection through JSON, a hash's constants, formatting.
func work() string {
	re := regexp.MustCompile(`(\w+)=(\d+)`)
	m := re.FindAllStringSubmatch("a=1 b=22 c=333", -1)
	j, _ := json.Marshal(map[string]any{"m": m, "f": 3.25, "s": []int{1, 2, 3}})
	return fmt.Sprintf("%s %x", j, sha256.Sum256(j))
}

func rssFileKiB(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "RssFile:"); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				t.Fatalf("RssFile: %q", v)
			}
			return n
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}

// readOnlyKiB is what the executable's read-only mappings, the ones Trim
// hands back, hold resident (smaps' Rss), in KiB: without the written
// data that the file pages in /proc/self/status count too.
func readOnlyKiB(t *testing.T) int {
	ms, err := ownReadOnly()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	kib, in := 0, false
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if lo, hi, ok := strings.Cut(f[0], "-"); ok && len(f) >= 5 {
			start, err1 := strconv.ParseUint(lo, 16, 64)
			end, err2 := strconv.ParseUint(hi, 16, 64)
			in = false
			for _, m := range ms {
				in = in || err1 == nil && err2 == nil && uintptr(start) == m.start && uintptr(end) == m.end
			}
			continue
		}
		if in && f[0] == "Rss:" && len(f) >= 2 {
			n, err := strconv.Atoi(f[1])
			if err != nil {
				t.Fatalf("smaps: %q", line)
			}
			kib += n
		}
	}
	return kib
}

func TestTrimHandsBackPagesAndTheProgramRunsOn(t *testing.T) {
	before := work()
	rss0 := rssFileKiB(t)
	n, err := Trim()
	if err != nil {
		t.Fatal(err)
	}
	rss1 := rssFileKiB(t)
	if n == 0 {
		t.Fatal("Trim passed no mappings: the executable's code was not found in /proc/self/maps")
	}
	if rss1 >= rss0 {
		t.Errorf("file pages resident %d KiB after Trim, %d before: nothing was handed back", rss1, rss0)
	}
	t.Logf("file pages resident: %d KiB before, %d after; %d bytes of mappings passed", rss0, rss1, n)
	// Everything the program runs afterwards comes back unchanged,
	// again and again.
	for i := 0; i < 3; i++ {
		if after := work(); after != before {
			t.Fatalf("after Trim: %q, before: %q", after, before)
		}
		if _, err := Trim(); err != nil {
			t.Fatal(err)
		}
	}
}
