package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/testbench/room"
)

// Parse reads a scenario from YAML. name is the file name errors cite.
// Parsing is strict: unknown keys, wrong types, missing fields and
// impossible times are all reported, each with its line, in one error
// (an ErrorList).
func Parse(data []byte, name string) (*Scenario, error) {
	d := &decoder{file: name}
	// A config file's bounds and syntax help apply: a scenario is written
	// by the same hands.
	if len(data) > config.MaxFileSize {
		d.errs = append(d.errs, &Error{File: name, Msg: fmt.Sprintf("%d bytes: a scenario file is at most %d KiB (a week of events is a few)", len(data), config.MaxFileSize>>10)})
		return nil, d.errs.err()
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		e := config.SyntaxError(name, err, data)
		d.errs = append(d.errs, &Error{File: name, Line: e.Line, Msg: e.Msg})
		return nil, d.errs.err()
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		e := &Error{File: name, Line: extra.Line, Msg: "a second YAML document (after ---): put every event in one"}
		if err != nil {
			ce := config.SyntaxError(name, err, data)
			e = &Error{File: name, Line: ce.Line, Msg: ce.Msg}
		}
		d.errs = append(d.errs, e)
		return nil, d.errs.err()
	}
	s := &Scenario{File: name}
	var profile []OutdoorPoint
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		d.errf(&doc, "", "empty scenario; want name, duration and events")
		return nil, d.errs.err()
	}
	seen := d.mapping(doc.Content[0], "", map[string]func(*yaml.Node, string){
		"name": func(n *yaml.Node, p string) { s.Name = d.str(n, p) },
		"duration": func(n *yaml.Node, p string) {
			before := len(d.errs)
			if s.Duration = d.dur(n, p); s.Duration == 0 && len(d.errs) == before {
				d.errf(n, p, "%s; a scenario must run for some time", n.Value)
			}
		},
		"room":    func(n *yaml.Node, p string) { s.Room = d.room(n, p) },
		"outdoor": func(n *yaml.Node, p string) { profile = d.outdoorProfile(n, p) },
		"events": func(n *yaml.Node, p string) {
			if n.Kind != yaml.SequenceNode {
				d.errf(n, p, "want a list of events, got %s", kindOf(n))
				return
			}
			for i, en := range n.Content {
				if ev, ok := d.event(en, fmt.Sprintf("events[%d]", i)); ok {
					s.Events = append(s.Events, ev)
				}
			}
		},
	})
	if doc.Content[0].Kind == yaml.MappingNode {
		d.require(doc.Content[0], "", seen, "duration", "say how long the scenario runs, e.g. duration: 4h")
		d.require(doc.Content[0], "", seen, "events", "list what happens under events:")
	}
	if s.Name == "" {
		s.Name = strings.TrimSuffix(name, ".yaml")
	}
	if s.Duration > 0 {
		d.expandOutdoor(s, profile)
		// Events that failed to decode were left out, so this finds only
		// mistakes not yet reported.
		d.errs = append(d.errs, s.check(nil, nil)...)
	}
	if err := d.errs.err(); err != nil {
		return nil, err
	}
	sortEvents(s.Events)
	return s, nil
}

// decoder walks the YAML tree, collecting every mistake instead of stopping
// at the first.
type decoder struct {
	file string
	errs ErrorList
}

func (d *decoder) errf(n *yaml.Node, path, format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	if path != "" {
		msg = path + ": " + msg
	}
	d.errs = append(d.errs, &Error{File: d.file, Line: n.Line, Msg: msg})
}

// mapping calls fields[key] for each key of n and reports unknown and
// repeated keys. It returns the keys present.
func (d *decoder) mapping(n *yaml.Node, path string, fields map[string]func(*yaml.Node, string)) map[string]bool {
	seen := map[string]bool{}
	if n.Kind != yaml.MappingNode {
		d.errf(n, path, "want a mapping with keys %s, got %s", keyList(fields), kindOf(n))
		return seen
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := k.Value
		if path != "" {
			p = path + "." + k.Value
		}
		f, ok := fields[k.Value]
		switch {
		case !ok:
			d.errf(k, path, "unknown key %q; want one of %s", k.Value, keyList(fields))
		case seen[k.Value]:
			d.errf(k, path, "key %q given twice", k.Value)
		default:
			seen[k.Value] = true
			f(v, p)
		}
	}
	return seen
}

// require reports a key missing from the mapping n.
func (d *decoder) require(n *yaml.Node, path string, seen map[string]bool, key, hint string) {
	if !seen[key] {
		d.errf(n, path, "missing %s; %s", key, hint)
	}
}

func (d *decoder) scalar(n *yaml.Node, path, want string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		d.errf(n, path, "want %s, got %s", want, kindOf(n))
		return "", false
	}
	return n.Value, true
}

func (d *decoder) str(n *yaml.Node, path string) string {
	v, _ := d.scalar(n, path, "a name")
	return v
}

func (d *decoder) dur(n *yaml.Node, path string) time.Duration {
	v, ok := d.scalar(n, path, "a duration such as 90s, 10m or 1h30m")
	if !ok {
		return 0
	}
	t, err := time.ParseDuration(v)
	if err != nil {
		d.errf(n, path, "%q is not a duration; write it like 90s, 10m or 1h30m", v)
		return 0
	}
	if t < 0 {
		d.errf(n, path, "negative duration %s", v)
	}
	return t
}

func (d *decoder) float(n *yaml.Node, path string) float64 {
	f := d.signed(n, path)
	if f < 0 {
		d.errf(n, path, "want 0 or more, got %s", n.Value)
	}
	return f
}

// signed decodes a number that may be negative (an outdoor temperature).
func (d *decoder) signed(n *yaml.Node, path string) float64 {
	v, ok := d.scalar(n, path, "a number")
	if !ok {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if tag := n.ShortTag(); err != nil || tag != "!!int" && tag != "!!float" {
		d.errf(n, path, "want a number, got %q", v)
		return 0
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		d.errf(n, path, "want a finite number, got %s", v)
		return 0
	}
	return f
}

func (d *decoder) floatPtr(n *yaml.Node, path string) *float64 {
	var f float64
	if strings.HasSuffix(path, ".temperature") {
		f = d.signed(n, path)
	} else {
		f = d.float(n, path)
	}
	return &f
}

func (d *decoder) int(n *yaml.Node, path string) int {
	v, ok := d.scalar(n, path, "a whole number")
	if !ok {
		return 0
	}
	i, err := strconv.Atoi(v)
	if err != nil || n.ShortTag() != "!!int" {
		d.errf(n, path, "want a whole number, got %q", v)
		return 0
	}
	if i < 0 {
		d.errf(n, path, "want 0 or more, got %d", i)
	}
	return i
}

func (d *decoder) bool(n *yaml.Node, path string) bool {
	v, ok := d.scalar(n, path, "true or false")
	if !ok {
		return false
	}
	if n.ShortTag() != "!!bool" {
		d.errf(n, path, "want true or false, got %q", v)
		return false
	}
	return v == "true" || v == "True" || v == "TRUE"
}

func kindOf(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}

func keyList(fields map[string]func(*yaml.Node, string)) string {
	var keys []string
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

// event decodes one item of the events list.
func (d *decoder) event(n *yaml.Node, path string) (Event, bool) {
	ev := Event{Line: n.Line}
	before := len(d.errs)
	seen := d.mapping(n, path, map[string]func(*yaml.Node, string){
		"at": func(n *yaml.Node, p string) { ev.At = d.dur(n, p) },
		"session": func(n *yaml.Node, p string) {
			ev.Session = &Session{Session: room.TypicalSession(0, 0)}
			s := ev.Session
			seen := d.mapping(n, p, map[string]func(*yaml.Node, string){
				"zone":            func(n *yaml.Node, p string) { s.Zone = d.str(n, p) },
				"duration":        func(n *yaml.Node, p string) { s.Duration = d.dur(n, p) },
				"pm25_mg_per_min": func(n *yaml.Node, p string) { s.PM25MgPerMin = d.float(n, p) },
				"voc_mg_per_min":  func(n *yaml.Node, p string) { s.VOCMgPerMin = d.float(n, p) },
				"nox_mg_per_min":  func(n *yaml.Node, p string) { s.NOxMgPerMin = d.float(n, p) },
				"co2_l_per_s":     func(n *yaml.Node, p string) { s.CO2LPerS = d.float(n, p) },
			})
			d.required(n, p, seen, "zone", "duration", "pm25_mg_per_min")
			// VOC and NOx default in proportion to the particles.
			typical := room.TypicalSession(s.PM25MgPerMin, 0)
			if !seen["voc_mg_per_min"] {
				s.VOCMgPerMin = typical.VOCMgPerMin
			}
			if !seen["nox_mg_per_min"] {
				s.NOxMgPerMin = typical.NOxMgPerMin
			}
		},
		"occupants": func(n *yaml.Node, p string) {
			o := &Occupants{}
			ev.Occupants = o
			d.required(n, p, d.mapping(n, p, map[string]func(*yaml.Node, string){
				"zone":  func(n *yaml.Node, p string) { o.Zone = d.str(n, p) },
				"count": func(n *yaml.Node, p string) { o.Count = d.int(n, p) },
				"for":   func(n *yaml.Node, p string) { o.For = d.dur(n, p) },
			}), "zone", "count")
		},
		"door": func(n *yaml.Node, p string) {
			o := &Door{}
			ev.Door = o
			d.required(n, p, d.mapping(n, p, map[string]func(*yaml.Node, string){
				"name": func(n *yaml.Node, p string) { o.Name = d.str(n, p) },
				"open": func(n *yaml.Node, p string) { o.Open = d.bool(n, p) },
				"for":  func(n *yaml.Node, p string) { o.For = d.dur(n, p) },
			}), "name", "open")
		},
		"fan_fault": func(n *yaml.Node, p string) {
			o := &FanFault{}
			ev.FanFault = o
			seen := d.mapping(n, p, map[string]func(*yaml.Node, string){
				"fan":          func(n *yaml.Node, p string) { o.Fan = d.str(n, p) },
				"stall":        func(n *yaml.Node, p string) { o.Stall = d.bool(n, p) },
				"flow_percent": func(n *yaml.Node, p string) { o.FlowPercent = d.floatPtr(n, p) },
				"for":          func(n *yaml.Node, p string) { o.For = d.dur(n, p) },
			})
			d.required(n, p, seen, "fan")
			if n.Kind == yaml.MappingNode {
				switch {
				case seen["stall"] && seen["flow_percent"]:
					d.errf(n, p, "stall and flow_percent given together; a stalled fan moves no air whatever its filter: give one (two events for both)")
				case !seen["stall"] && !seen["flow_percent"]:
					d.errf(n, p, "missing stall or flow_percent; say stall: true (the wheel jams) or flow_percent: 40 (it turns but moves 40 %% of its rated air)")
				}
			}
		},
		"sensor_fault": func(n *yaml.Node, p string) {
			o := &SensorFault{}
			ev.SensorFault = o
			d.required(n, p, d.mapping(n, p, map[string]func(*yaml.Node, string){
				"sensor": func(n *yaml.Node, p string) { o.Sensor = d.str(n, p) },
				"kind":   func(n *yaml.Node, p string) { o.Kind = d.str(n, p) },
				"clear":  func(n *yaml.Node, p string) { o.Clear = d.bool(n, p) },
				"for":    func(n *yaml.Node, p string) { o.For = d.dur(n, p) },
			}), "sensor", "kind")
		},
		"sensor_drift": func(n *yaml.Node, p string) {
			o := &Drift{}
			ev.Drift = o
			d.required(n, p, d.mapping(n, p, map[string]func(*yaml.Node, string){
				"sensor":  func(n *yaml.Node, p string) { o.Sensor = d.str(n, p) },
				"ugm3":    func(n *yaml.Node, p string) { o.OffsetUgm3 = d.signed(n, p) },
				"percent": func(n *yaml.Node, p string) { o.Percent = d.signed(n, p) },
				"over":    func(n *yaml.Node, p string) { o.Over = d.dur(n, p) },
			}), "sensor", "over")
		},
		"purge": func(n *yaml.Node, p string) {
			o := &Purge{}
			ev.Purge = o
			d.mapping(n, p, map[string]func(*yaml.Node, string){
				"zone":   func(n *yaml.Node, p string) { o.Zone = d.str(n, p) },
				"cancel": func(n *yaml.Node, p string) { o.Cancel = d.bool(n, p) },
			})
		},
		"outdoor": func(n *yaml.Node, p string) {
			o := &Outdoor{}
			ev.Outdoor = o
			fields := map[string]func(*yaml.Node, string){
				"for": func(n *yaml.Node, p string) { o.For = d.dur(n, p) },
			}
			for key, dst := range map[string]**float64{
				"pm1": &o.PM1, "pm25": &o.PM25, "pm4": &o.PM4, "pm10": &o.PM10,
				"co2": &o.CO2, "voc": &o.VOC, "nox": &o.NOx,
				"temperature": &o.Temperature, "humidity": &o.Humidity,
			} {
				fields[key] = func(n *yaml.Node, p string) { *dst = d.floatPtr(n, p) }
			}
			seen := d.mapping(n, p, fields)
			if n.Kind == yaml.MappingNode && len(seen) == boolInt(seen["for"]) {
				d.errf(n, p, "changes nothing; give at least one of pm1, pm25, pm4, pm10, co2, voc, nox, temperature, humidity")
			}
		},
	})
	if n.Kind != yaml.MappingNode {
		return ev, false
	}
	d.require(n, path, seen, "at", "say when it happens, e.g. at: 10m")
	if actions := len(seen) - boolInt(seen["at"]); actions != 1 {
		d.errf(n, path, "has %d actions; want exactly one of session, occupants, door, fan_fault, sensor_fault, sensor_drift, outdoor, purge", actions)
	}
	return ev, len(d.errs) == before
}

func (d *decoder) required(n *yaml.Node, path string, seen map[string]bool, keys ...string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for _, k := range keys {
		d.require(n, path, seen, k, "it is required")
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
