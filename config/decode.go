package config

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// decoder walks a yaml.Node tree into the Config structs by reflection on
// their yaml tags, so a new section is only a new struct field. Unlike
// yaml.Node.Decode it keeps going after a mistake, and it remembers where
// every key was written so that validation errors get lines too.
type decoder struct {
	file  string
	errs  Errors
	warns Errors          // values accepted with a doubt: Config.Warnings
	lines map[string]int  // path of every key present → line of the key
	bad   map[string]bool // paths with a decode error or missing: validation skips them
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, lines: map[string]int{}, bad: map[string]bool{}}
}

func (d *decoder) errorf(line int, path, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// warn notes a doubt about a value that is accepted, at its key's line.
func (d *decoder) warn(path, format string, args ...any) {
	d.warns = append(d.warns, &Error{File: d.file, Line: d.lineOf(path), Path: path, Msg: fmt.Sprintf(format, args...)})
}

// has reports whether path was written in the file.
func (d *decoder) has(path string) bool {
	_, ok := d.lines[path]
	return ok
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var (
	durationType  = reflect.TypeOf(time.Duration(0))
	timeOfDayType = reflect.TypeOf(TimeOfDay(0))
)

// decode stores n into v; line is where the key (or list item) was written.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string, line int) {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	fail := func(format string, args ...any) {
		d.bad[path] = true
		d.errorf(line, path, format, args...)
	}
	isNull := n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
	t := v.Type()
	switch {
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct:
		v.Set(reflect.New(t.Elem()))
		d.decode(n, v.Elem(), path, line)
	case t.Kind() == reflect.Struct:
		if isNull { // "thresholds:" with nothing under it
			d.decodeStruct(&yaml.Node{Kind: yaml.MappingNode, Line: n.Line}, v, path, line)
			return
		}
		if n.Kind != yaml.MappingNode {
			hint := ""
			if m := keyNoSpace.FindStringSubmatch(n.Value); n.Kind == yaml.ScalarNode && m != nil {
				hint = fmt.Sprintf("; a space must follow the colon after a key: write %s: %s", m[2], m[3])
			}
			fail("must be a mapping: keys indented on the lines under %s: (got %s)%s", lastKey(path), got(n), hint)
			return
		}
		d.decodeStruct(n, v, path, line)
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			fail("must be a list, like [a, b] or lines starting with '- ' (got %s)", got(n))
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, item := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			d.lines[p] = item.Line
			d.decode(item, s.Index(i), p, item.Line)
		}
		v.Set(s)
	case n.Kind != yaml.ScalarNode:
		fail("must be %s (got %s)", form(t), got(n))
	case isNull:
		fail("has no value: give %s, or remove the key to use the default", form(t))
	case t == durationType:
		dur, err := time.ParseDuration(n.Value)
		if n.ShortTag() != "!!str" || err != nil {
			hint := ""
			if n.ShortTag() == "!!str" {
				hint = durationHint(n.Value)
			}
			fail("must be %s (got %s)%s", form(t), got(n), hint)
			return
		}
		v.SetInt(int64(dur))
	case t == timeOfDayType:
		tod, ok := parseTimeOfDay(n.Value)
		if n.ShortTag() != "!!str" || !ok {
			fail("must be %s (got %s)", form(t), got(n))
			return
		}
		v.SetInt(int64(tod))
	case t.Kind() == reflect.String:
		switch n.ShortTag() {
		case "!!str", "!!int", "!!float": // bus: 1 means bus "1"
			v.SetString(n.Value)
		default:
			fail("must be %s (got %s); quote it if you mean the text", form(t), got(n))
		}
	case (t.Kind() == reflect.Int || t.Kind() == reflect.Uint16 || t.Kind() == reflect.Float64) && octalLooking(n):
		// YAML reads a plain 0365 as octal (245): retention_days: 0365
		// would keep four months less than written, without a word.
		fail("is written with a leading zero (%s), which YAML reads as an octal number (%s); write it without the zero (%s)",
			n.Value, octalValue(n), strings.TrimLeft(n.Value, "0"))
	case t == reflect.TypeOf(Addr(0)) && n.ShortTag() == "!!str":
		// address: "0x69", quoted because bus must be: the datasheet's
		// hex form means one address whether quoted or not. Any other
		// text is refused, saying to drop the quotes ("69" quoted could
		// be meant as 0x69 or as 69).
		a, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimPrefix(n.Value, "0x"), "0X"), 16, 16)
		if len(n.Value) < 3 || !strings.EqualFold(n.Value[:2], "0x") || err != nil || a > 0x7f {
			fail("must be %s, written without quotes (got %s)", form(t), got(n))
			return
		}
		v.SetUint(a)
	case t.Kind() == reflect.Int, t.Kind() == reflect.Uint16:
		var i int64
		if n.ShortTag() != "!!int" || n.Decode(&i) != nil {
			fail("must be %s (got %s)%s", form(t), got(n), numberHint(path, n))
			return
		}
		if t == reflect.TypeOf(Addr(0)) && (i < 0 || i > 0x7f) {
			fail("must be %s (got %s)", form(t), n.Value)
			return
		}
		if t.Kind() == reflect.Int {
			v.SetInt(i)
		} else {
			v.SetUint(uint64(i))
		}
	case t.Kind() == reflect.Float64:
		var f float64
		tag := n.ShortTag()
		if (tag != "!!int" && tag != "!!float") || n.Decode(&f) != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			fail("must be %s (got %s)%s", form(t), got(n), numberHint(path, n))
			return
		}
		v.SetFloat(f)
	case t.Kind() == reflect.Bool:
		var b bool
		if n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			fail("must be true or false (got %s)", got(n))
			return
		}
		v.SetBool(b)
	default:
		panic(fmt.Sprintf("config: no decoding for %s at %s", t, path))
	}
}

type field struct {
	key      string
	index    int
	required bool
}

func fieldsOf(t reflect.Type) []field {
	var fs []field
	for i := range t.NumField() {
		f := t.Field(i)
		key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if key == "" || key == "-" {
			continue
		}
		fs = append(fs, field{key: key, index: i, required: f.Tag.Get("cfg") == "required"})
	}
	return fs
}

func keysOf(fields []field) []string {
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.key
	}
	return keys
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string, line int) {
	fields := fieldsOf(v.Type())
	seen := map[string]bool{}
	for _, kv := range d.pairs(n, path, map[*yaml.Node]bool{}) {
		key := kv[0]
		var f *field
		for i := range fields {
			if fields[i].key == key.Value {
				f = &fields[i]
			}
		}
		p := join(path, clip(key.Value))
		if k, v, ok := strings.Cut(key.Value, ":"); f == nil && ok && v != "" && slices.Contains(keysOf(fields), k) && !seen[k] {
			// {kind:booth}: YAML reads one key, and the key it was
			// meant to be would be reported missing too.
			seen[k], d.bad[join(path, k)] = true, true
			d.errorf(key.Line, join(path, k), "a space must follow the colon after a key: write %s: %s", k, v)
			continue
		}
		if f == nil {
			d.errorf(key.Line, p, "unknown key; %s", suggest(key.Value, keysOf(fields)))
			continue
		}
		seen[f.key] = true
		d.lines[p] = key.Line
		d.decode(kv[1], v.Field(f.index), p, key.Line)
	}
	if path == "" {
		line = 0 // a key missing from the file as a whole has no one line
	}
	for _, f := range fields {
		if f.required && !seen[f.key] {
			p := join(path, f.key)
			d.bad[p] = true
			d.errorf(line, p, "required key is missing: add %s: followed by %s", f.key, form(v.Type().Field(f.index).Type))
		}
	}
}

// pairs lists n's key/value pairs, reporting duplicate keys and odd keys,
// and folding in "<<: *anchor" merges (explicit keys win, as YAML says).
func (d *decoder) pairs(n *yaml.Node, path string, visiting map[*yaml.Node]bool) [][2]*yaml.Node {
	if visiting[n] {
		return nil
	}
	visiting[n] = true
	seen := map[string]*yaml.Node{}
	var out [][2]*yaml.Node
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge":
			merges = append(merges, v)
		case k.Kind != yaml.ScalarNode || k.ShortTag() == "!!null":
			d.errorf(k.Line, path, "keys must be plain words like name: (got %s)", got(k))
		case seen[k.Value] != nil:
			d.errorf(k.Line, join(path, k.Value), "duplicate key (first at line %d); remove one", seen[k.Value].Line)
		default:
			seen[k.Value] = k
			out = append(out, [2]*yaml.Node{k, v})
		}
	}
	for _, m := range merges {
		for m.Kind == yaml.AliasNode {
			m = m.Alias
		}
		sources := []*yaml.Node{m}
		if m.Kind == yaml.SequenceNode {
			sources = m.Content
		}
		for _, s := range sources {
			for s.Kind == yaml.AliasNode {
				s = s.Alias
			}
			if s.Kind != yaml.MappingNode {
				d.errorf(s.Line, path, "<< merges a mapping, like <<: *defaults (got %s)", got(s))
				continue
			}
			for _, kv := range d.pairs(s, path, visiting) {
				if seen[kv[0].Value] == nil {
					seen[kv[0].Value] = kv[0]
					out = append(out, kv)
				}
			}
		}
	}
	return out
}

func lastKey(path string) string {
	if i := strings.LastIndexAny(path, ".]"); i >= 0 {
		return path[i+1:]
	}
	return path
}

// got describes what the file has, for "must be X (got Y)".
func got(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	switch n.ShortTag() {
	case "!!null":
		return "nothing"
	case "!!str":
		return fmt.Sprintf("%q", clip(n.Value))
	}
	return clip(n.Value)
}

// clip shortens what a message quotes from the file: a line of the file
// is enough to find it.
func clip(s string) string {
	const most = 60
	if len(s) <= most {
		return s
	}
	cut := most
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// form says what a value of type t looks like in the file.
func form(t reflect.Type) string {
	switch t {
	case durationType:
		return "a duration with a unit, like 10s or 2m"
	case timeOfDayType:
		return `a time of day as HH:MM from 00:00 to 23:59, like "07:00"`
	case reflect.TypeOf(Addr(0)):
		return "an I2C address, like 0x69 or 105 (0x08 to 0x77)"
	case reflect.TypeOf(ZoneKind("")):
		return "booth or staff"
	case reflect.TypeOf(SensorType("")):
		return oneOf(sensorTypes)
	case reflect.TypeOf(Backend("")):
		return oneOf(backends)
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int:
		return "a whole number"
	case reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list"
	}
	return "a mapping of keys to values"
}

func oneOf[T ~string](ts []T) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return "one of " + strings.Join(s, ", ")
}

// octalLooking reports whether n is a plain whole number written with a
// leading zero, like 0365 or 030, which YAML 1.1 (and so yaml.v3) reads
// as octal. A lone 0, 0.5, 0x69 and 0o17 are not: they mean what they say.
func octalLooking(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode || n.Style != 0 || n.ShortTag() != "!!int" {
		return false
	}
	s := strings.TrimLeft(n.Value, "+-")
	if len(s) < 2 || s[0] != '0' {
		return false
	}
	for _, r := range s[1:] {
		if (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

// octalValue is what YAML made of an octal-looking number, for the error.
func octalValue(n *yaml.Node) string {
	var i int64
	if n.Decode(&i) != nil {
		return "not a number at all"
	}
	return fmt.Sprint(i)
}
