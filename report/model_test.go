package report

import (
	"slices"
	"testing"

	"github.com/ventd/ventd/config"
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

// Where the export knows the zones' kinds (from the configuration or the
// journal's meta), they order the zones, whatever the names say: a site
// that calls its booths rooms and its staff area the floor.
func TestZoneOrderByKind(t *testing.T) {
	kinds := map[string]config.ZoneKind{"room-1": config.Booth, "room-2": config.Booth, "floor": config.Staff, "intake": config.Outdoor}
	zones := []string{"room-2", "intake", "room-1", "floor", "booth-x"}
	slices.SortFunc(zones, zoneOrderBy(kinds))
	// booth-x's kind is unknown: its name says booth.
	want := []string{"floor", "booth-x", "room-1", "room-2", "intake"}
	if !slices.Equal(zones, want) {
		t.Errorf("zones in the order %q, want %q", zones, want)
	}
}
