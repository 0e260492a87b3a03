package coldtext

import (
	"os"
	"slices"
	"testing"

	"github.com/ventd/ventd/testbench/ventdproc"
)

// TestEvictMapsOnlyThePagesThatRun runs the same work in two child
// processes after a hand-back, one after Trim and one after Evict. The
// children run copies of this test binary installed as a site's ventd is
// (ventdproc.Install): read from a disk, and mapped by no other process.
// It compares what the read-only mappings hold after the work, not the
// file pages the work mapped again: Evict's own code runs after its pages
// are dropped and maps some of what the work runs next, which that count
// would leave out.
func TestEvictMapsOnlyThePagesThatRun(t *testing.T) {
	// The median of three children each: how much of a stretch the
	// kernel reads around a missing page varies from run to run.
	want := work()
	var kib [2][3]int
	for i := range 3 {
		for j, mode := range []string{"around", "evict"} {
			_, resident, out, err := child(t, ventdproc.Install(t, os.Args[0]), mode)
			if err != nil {
				t.Fatal(err)
			}
			if out != want {
				t.Fatalf("the same work gave %q in a child (%s); want %q", out, mode, want)
			}
			kib[j][i] = resident
		}
	}
	for j := range kib {
		slices.Sort(kib[j][:])
	}
	around, evicted := kib[0][1], kib[1][1]
	t.Logf("code and tables resident after the work (three children each): %v KiB after Trim, %v KiB after Evict", kib[0], kib[1])
	if evicted*6 > around*5 {
		t.Errorf("after Evict the code and tables held %d KiB (median), after Trim %d: not a sixth less", evicted, around)
	}
}
