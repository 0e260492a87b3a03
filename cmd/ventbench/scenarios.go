package main

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/room"
	"github.com/ventd/ventd/testbench/scenario"
)

// The built-in scenarios are YAML files like any a site writes; read them
// for the story each tells. Those in scenarios/ are the tuning set ventd's
// defaults were chosen on; those in scenarios/heldout/ were written before
// any tuning (clogged-filter after it, and left alone; the relay-* ones
// after the law's rule for fans on relays; the *-clears-* ones after the
// clearing gap) and are run only to check the
// law on rooms and days it was not tuned for. The rooms they play in are ventd configs in
// scenarios/rooms/.
//
//go:embed scenarios
var builtinFS embed.FS

// The scenario groups, reported apart.
const (
	groupTuning  = "tuning"
	groupHeldOut = "held-out"
	groupFile    = "file"
)

// firstOrder puts the original seven first, as the table always showed
// them; the others follow by name.
var firstOrder = []string{"quiet-day", "busy-day", "back-to-back", "door-open", "sensor-dropout", "fan-stall", "night"}

// benchCase is one scenario in the room it plays in.
type benchCase struct {
	sc    *scenario.Scenario
	group string
	cfg   *config.Config
	room  room.Config
	// fitted says how a scenario written for the built-in room was fitted
	// to the room of -config (testbench.FitScenario); empty: as written.
	fitted []string
	// trace is the directory each run's CSV trace goes to (-trace); ""
	// for none.
	trace string
	// notes say what ventbench changed of the scenario besides fitting
	// (-truncate), printed beside the fitted notes.
	notes []string
	// file is the scenario file given with -scenario; "" for a built-in.
	file string
}

// source names where the case came from, for messages.
func (c *benchCase) source() string {
	if c.file != "" {
		return c.file
	}
	return "built-in " + c.sc.Name
}

// builtinNames lists the built-in scenarios of group.
func builtinNames(group string) []string {
	dir := "scenarios"
	if group == groupHeldOut {
		dir = "scenarios/heldout"
	}
	entries, _ := fs.ReadDir(builtinFS, dir)
	var out []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && !e.IsDir() {
			out = append(out, n)
		}
	}
	slices.SortStableFunc(out, func(a, b string) int {
		ia, ib := slices.Index(firstOrder, a), slices.Index(firstOrder, b)
		switch {
		case ia >= 0 && ib >= 0:
			return ia - ib
		case ia >= 0:
			return -1
		case ib >= 0:
			return 1
		}
		return strings.Compare(a, b)
	})
	return out
}

// builtin loads the built-in scenario called name, from either group.
func builtin(name string, site *config.Config) (*benchCase, error) {
	for _, g := range []string{groupTuning, groupHeldOut} {
		if !slices.Contains(builtinNames(g), name) {
			continue
		}
		file := "scenarios/" + name + ".yaml"
		if g == groupHeldOut {
			file = "scenarios/heldout/" + name + ".yaml"
		}
		data, err := builtinFS.ReadFile(file)
		if err != nil {
			return nil, err
		}
		sc, err := scenario.Parse(data, name+".yaml")
		if err != nil {
			return nil, err
		}
		return newCase(sc, g, site, func(rel string) ([]byte, string, error) {
			p := path.Join(path.Dir(file), rel)
			b, err := builtinFS.ReadFile(p)
			return b, p, err
		})
	}
	return nil, fmt.Errorf("no built-in scenario %q (tuning: %s; held out: %s); give a file with -scenario",
		name, strings.Join(builtinNames(groupTuning), ", "), strings.Join(builtinNames(groupHeldOut), ", "))
}

// fileCase loads a scenario file; a room config it names is read relative
// to it, unless the name is an absolute path.
func fileCase(file string, site *config.Config) (*benchCase, error) {
	sc, err := scenario.Load(file)
	if err != nil {
		return nil, err
	}
	c, err := newCase(sc, groupFile, site, func(name string) ([]byte, string, error) {
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(file), name)
		}
		b, err := os.ReadFile(p)
		return b, p, err
	})
	if c != nil {
		c.file = file
	}
	return c, err
}

// newCase puts sc in its room. The room comes from the scenario's room
// section if it names a config, else from site (-config), else the
// built-in simulated room. A site config always supplies the tuning
// (control, thresholds, alarms), so -config benchmarks the site's law in
// every room.
func newCase(sc *scenario.Scenario, group string, site *config.Config, read func(string) ([]byte, string, error)) (*benchCase, error) {
	c := &benchCase{sc: sc, group: group, cfg: site}
	if c.cfg == nil {
		c.cfg = config.Sim()
	}
	if sc.Room != nil && sc.Room.Config != "" {
		data, name, err := read(sc.Room.Config)
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: room config: %w", sc.File, sc.Room.Line, err)
		}
		rc, err := config.Parse(data, name)
		if err != nil {
			return nil, err
		}
		if site != nil {
			rc.Control, rc.Thresholds, rc.Alarms = site.Control, site.Thresholds, site.Alarms
		}
		c.cfg = rc
	}
	if site != nil && (sc.Room == nil || sc.Room.Config == "") {
		c.sc, c.fitted = testbench.FitScenario(sc, config.Sim(), site)
	}
	c.room = testbench.RoomConfig(c.cfg)
	sc.Room.Apply(&c.room)
	return c, nil
}

// truncate returns sc cut to its first d: events that would not be over by
// then are left out (a scenario's events must end within it).
func truncate(sc *scenario.Scenario, d time.Duration) (*scenario.Scenario, int) {
	if d >= sc.Duration {
		return sc, 0
	}
	out := *sc
	out.Duration = d
	out.Events = nil
	dropped := 0
	for _, e := range sc.Events {
		switch {
		case e.At+e.Length() <= d:
			out.Events = append(out.Events, e)
		case e.At < d:
			dropped++ // starts before the cut, runs past it
		}
	}
	return &out, dropped
}
