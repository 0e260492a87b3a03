package report

import (
	"slices"
	"testing"
)

// Staff zones come first (where people breathe), then booths, then the
// outdoor air, which is nobody's workplace; by name within each.
func TestZoneOrder(t *testing.T) {
	zones := []string{"outside", "booth-2", "staff", "booth-intake-outside", "booth-1", "outdoor", "corridor"}
	slices.SortFunc(zones, zoneOrder)
	want := []string{"corridor", "staff", "booth-1", "booth-2", "booth-intake-outside", "outdoor", "outside"}
	if !slices.Equal(zones, want) {
		t.Errorf("zones in the order %q, want %q", zones, want)
	}
}
