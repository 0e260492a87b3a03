package main

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/testbench/scenario"
)

// testdata/outdoor holds days with outdoor smoke coming and going, each
// twice: as the room is, and with an SPS30 on the outdoor air (-sensor).
// The README's figures for the outdoor sensor are ventbench's on them; the
// twins must differ in that sensor alone.
func TestOutdoorTwinsDifferInTheSensorAlone(t *testing.T) {
	twins, err := filepath.Glob("testdata/outdoor/*-sensor.yaml")
	if err != nil || len(twins) < 8 {
		t.Fatalf("%d outdoor twins (%v)", len(twins), err)
	}
	for _, with := range twins {
		without := strings.TrimSuffix(with, "-sensor.yaml") + ".yaml"
		a, err := fileCase(without, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := fileCase(with, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.cfg.ZonesOf(config.Outdoor)) != 0 || len(b.cfg.ZonesOf(config.Outdoor)) != 1 {
			t.Errorf("%s: outdoor zones %d and %d, want 0 and 1", with, len(a.cfg.ZonesOf(config.Outdoor)), len(b.cfg.ZonesOf(config.Outdoor)))
		}
		if len(b.cfg.Sensors) != len(a.cfg.Sensors)+1 || !reflect.DeepEqual(b.cfg.Sensors[:len(a.cfg.Sensors)], a.cfg.Sensors) {
			t.Errorf("%s: the sensors differ beyond one added outdoors", with)
		}
		if !reflect.DeepEqual(unlined(a.sc.Events), unlined(b.sc.Events)) || !reflect.DeepEqual(a.room, b.room) {
			t.Errorf("%s: the day or the room differs from %s", with, without)
		}
	}
}

// unlined returns events without the file lines they were written on.
func unlined(events []scenario.Event) []scenario.Event {
	out := slices.Clone(events)
	for i := range out {
		out[i].Line = 0
	}
	return out
}
