package daemon

import (
	"slices"
	"strconv"
	"testing"

	"github.com/ventd/ventd/sample"
)

// TestAllocSize checks the size classes slabParts sizes its arrays by
// against the runtime's: an append rounds a slice's capacity up to what
// its array was given, less the header of an array with pointers.
func TestAllocSize(t *testing.T) {
	for n := 64; n <= 3*largeSlab; n += 8 { // a slab array is 8 parts at least
		const ptr = strconv.IntSize / 8
		usable := ptr * cap(slices.Grow([]*int(nil), n/ptr))
		want := usable
		if n > headerFrom && n+8 <= largeSlab {
			want += 8
		}
		if got := allocSize(n); got != want {
			t.Fatalf("allocSize(%d) = %d, the runtime gives %d (%d usable)", n, got, want, usable)
		}
	}
}

// TestSlabParts: the arrays of the 1-booth room's records, and a large
// room's, are cut with little waste, and hold slabPeriods records at least
// unless they are over 32 KiB.
func TestSlabParts(t *testing.T) {
	for _, size := range []int{15 * 104, 5 * 184, 5 * 200, 600, 128, 48, 45 * 104, 15 * 184, 63 * 104, 40000} {
		k := slabParts(size)
		got := allocSize(k * size)
		if k < slabPeriods && k*size <= largeSlab/2 {
			t.Errorf("slabParts(%d) = %d: fewer than %d records in %d bytes", size, k, slabPeriods, k*size)
		}
		if waste := float64(got-k*size) / float64(got); waste > 0.05 {
			t.Errorf("slabParts(%d) = %d: %d bytes used of %d (%.1f %% waste)", size, k, k*size, got, 100*waste)
		}
	}
}

// TestSlabTake: the parts a slab hands out are empty, have room for what
// was asked and no more (an append copies), and never share an element.
func TestSlabTake(t *testing.T) {
	var s slab[sample.Sample]
	seen := map[*sample.Sample]bool{}
	for i := range 200 {
		n := 15 + i/100
		p := s.take(n)
		if len(p) != 0 || cap(p) != n {
			t.Fatalf("take(%d): len %d cap %d", n, len(p), cap(p))
		}
		p = p[:n]
		for j := range p {
			if seen[&p[j]] {
				t.Fatalf("take(%d) handed out an element twice", n)
			}
			seen[&p[j]] = true
		}
	}
}
