package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Load reads and parses the configuration file at path. A file that
// cannot be read gives an error wrapping the *fs.PathError (so
// errors.Is(err, fs.ErrNotExist) works); a file with mistakes, or one
// over MaxFileSize (refused unread), gives Errors listing all of them.
// What was accepted but may not mean what was written is in the returned
// Config's Warnings: print them where the errors would go.
func Load(path string) (*Config, error) {
	c, _, err := LoadText(path)
	return c, err
}

// LoadText is Load, also returning the text it parsed: the configuration
// ventd runs on, as it was when read, for a program ventd hands it to
// (ventctl report) while the file may be part-way through an edit.
func LoadText(path string) (*Config, []byte, error) {
	data, err := readFile(path)
	var errs Errors
	switch {
	case errors.As(err, &errs):
		return nil, nil, errs
	case err != nil:
		return nil, nil, readError(path, err)
	}
	c, err := Parse(data, path)
	if err != nil {
		return nil, nil, err
	}
	return c, data, nil
}

// Example is where the package installs example.yaml, a commented
// configuration to start from; ExampleHint names it for a message, with
// its place in a source checkout (config/example.yaml), which a Pi does
// not have.
const (
	Example     = "/usr/share/ventd/example.yaml"
	ExampleHint = Example + ", or config/example.yaml in a source checkout"
)

// readError says what to do about a config file that cannot be read.
func readError(path string, err error) error {
	if errors.Is(err, fs.ErrPermission) {
		// The service runs as ventd; a file replaced with sudo mv or cp -p
		// is root's alone, and ventd stopped at every start.
		return fmt.Errorf("config: %w (ventd runs as the user ventd and reads its config through the group ventd: sudo chgrp ventd %s && sudo chmod 0640 %s; to read it yourself, sudo usermod -aG ventd $USER and log in again)", err, path, path)
	}
	return fmt.Errorf("config: %w (-config takes the path of ventd's YAML configuration file; a commented one to start from is %s)", err, ExampleHint)
}

// Parse parses a configuration from data; name is the file name used in
// error messages. Keys left out get their defaults. The error, if any,
// is always Errors; the Config's Warnings list what it accepted with a
// doubt.
func Parse(data []byte, name string) (*Config, error) {
	if len(data) > MaxFileSize {
		return nil, tooBig(name, "is "+size(int64(len(data))))
	}
	doc, err := parseYAML(data, name)
	if err != nil {
		return nil, err
	}
	if err := checkValues(doc, name); err != nil {
		return nil, err
	}
	d := newDecoder(name)
	var c Config
	d.decode(doc, reflect.ValueOf(&c).Elem(), "", 1)
	d.setDefaults(&c)
	d.validate(&c)
	if len(d.errs) > 0 {
		return nil, d.errs.tidy()
	}
	for _, w := range d.warns.tidy() {
		c.warnings = append(c.warnings, (*Warning)(w))
	}
	return &c, nil
}

var syntaxLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML returns the one document in data, which must be a mapping.
func parseYAML(data []byte, name string) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Errors{{File: name, Msg: "the file is empty; a commented one to start from is " + ExampleHint}}
		}
		return nil, Errors{syntaxError(name, err, data)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		e := &Error{File: name, Line: extra.Line, Msg: "a second YAML document (after ---): put everything in one"}
		if err != nil {
			e = syntaxError(name, err, data)
		}
		return nil, Errors{e}
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return nil, Errors{{File: name, Line: doc.Line, Msg: fmt.Sprintf("the file must be a mapping of keys (site:, room:, zones:, ...), not %s", got(doc))}}
	}
	return doc, nil
}

// parserProblems are the yaml parser's (not scanner's) messages. For them
// yaml v3 reports the 0-based line of the mark as if it were 1-based (its
// scanner errors add the 1), so the line is corrected here.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
}

// SyntaxError says where in data, the YAML file name, the YAML reader's
// err lies, as a config mistake reads: its line, and a hint for a tab or
// a byte that is not UTF-8. ventd's other YAML files (ventbench's
// scenarios) report theirs with it.
func SyntaxError(name string, err error, data []byte) *Error { return syntaxError(name, err, data) }

func syntaxError(name string, err error, data []byte) *Error {
	if m := syntaxLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		msg := "YAML syntax: " + m[2]
		if parserProblems[m[2]] {
			line++
			// yaml v3 names the line where the enclosing block starts
			// (often the file's first key), not the line at fault: an
			// indentation slip at line 144 read "line 11". Find it.
			if at := problemLine(data, m[2], line); at > line {
				msg += fmt.Sprintf(" (in the block that starts at line %d): check this line's indentation against the lines above it, and that quotes opened above are closed", line)
				line = at
			}
		}
		lines := strings.Split(string(data), "\n")
		if at, hint := yamlHint(m[2], line, lines); hint != "" {
			line, msg = at, msg+hint
		}
		switch {
		case strings.Contains(msg, "tab character"):
			msg += "; indent with spaces, not tabs (the tab may be on the next line)"
		case strings.Contains(msg, "cannot start any token") && line >= 1 && line <= len(lines) && strings.HasPrefix(strings.TrimLeft(lines[line-1], " "), "\t"):
			// A tab where a key's indentation starts: yaml names the tab
			// only as a character.
			msg += ": a tab; indent with spaces, not tabs"
		}
		return &Error{File: name, Line: line, Msg: msg}
	}
	// The YAML reader says of a byte it refuses only what is wrong, not
	// where: find it.
	if line, col, what, ok := badByte(data); ok {
		return &Error{File: name, Line: line, Msg: fmt.Sprintf("%s at column %d; %s", what, col,
			"a config file is plain UTF-8 text (an editor or a copy from a web page or a word processor can leave such a byte): retype the line")}
	}
	return &Error{File: name, Msg: err.Error()}
}

var (
	// keyNoSpace is a key with no space after its colon (bus:"1"), which
	// YAML reads as one plain word.
	keyNoSpace = regexp.MustCompile(`^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_]*):([^\s:/].*)$`)
	// keyValue is a key with a value on its line; the key starts at
	// len(m[1]).
	keyValue = regexp.MustCompile(`^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_]*):\s+([^\s#].*)$`)
)

// yamlHint says what likely caused the parser's problem at line (1-based)
// of lines, and the line to report it at: a key without a space after its
// colon (YAML reads bus:"1" as one word, and finds out at that line or the
// next), a key indented under one that already has a value, or a value
// holding ": ". "" when none of these is there.
func yamlHint(problem string, line int, lines []string) (int, string) {
	if problem != "could not find expected ':'" && problem != "mapping values are not allowed in this context" {
		return line, ""
	}
	at := func(n int) string {
		if n < 1 || n > len(lines) {
			return ""
		}
		return strings.TrimRight(lines[n-1], "\r")
	}
	for _, n := range []int{line, line - 1} {
		if m := keyNoSpace.FindStringSubmatch(at(n)); m != nil {
			return n, fmt.Sprintf("; a space must follow the colon after a key: write %s: %s", m[2], m[3])
		}
	}
	if problem != "mapping values are not allowed in this context" {
		return line, ""
	}
	cur := at(line)
	indent := len(cur) - len(strings.TrimLeft(cur, " "))
	if m := keyValue.FindStringSubmatch(strings.TrimLeft(cur, " ")); m != nil && strings.Contains(m[3], ": ") && !strings.ContainsAny(m[3][:1], `"'{[`) {
		return line, fmt.Sprintf("; the value of %s holds \": \": quote it, like %s: \"%s\"", m[2], m[2], m[3])
	}
	for n := line - 1; n >= 1; n-- {
		prev := at(n)
		if t := strings.TrimSpace(prev); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		m := keyValue.FindStringSubmatch(prev)
		if m == nil || indent <= len(m[1]) {
			return line, ""
		}
		key := strings.TrimSpace(cur)
		if k, _, ok := strings.Cut(key, ":"); ok {
			key = k
		}
		return line, fmt.Sprintf("; this line is indented more than line %d (%s:), which already has a value: indent %s: as far as %s: (%d spaces), or move it under the key it belongs to",
			n, m[2], key, m[2], len(m[1]))
	}
	return line, ""
}

// problemLine finds the line where a parser error problem is first met:
// the shortest run of whole lines from the file's start, at or after
// the block's line from, that fails with the same problem. A prefix of a
// YAML file cut at a line end parses until that line (blocks close at
// the end), so failing is monotonic and a binary search finds it. 0 when
// no prefix fails alike.
func problemLine(data []byte, problem string, from int) int {
	ends := []int{}
	for i, b := range data {
		if b == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		ends = append(ends, len(data))
	}
	fails := func(k int) bool { // the first k lines fail with problem
		var n yaml.Node
		err := yaml.NewDecoder(bytes.NewReader(data[:ends[k-1]])).Decode(&n)
		m := syntaxLine.FindStringSubmatch(fmt.Sprint(err))
		return m != nil && m[2] == problem
	}
	lo, hi := max(from, 1), len(ends)
	if lo > hi || !fails(hi) {
		return 0
	}
	for lo < hi {
		if mid := (lo + hi) / 2; fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// badByte finds the first byte of data a YAML file may not hold: one
// that is not UTF-8, or a control character other than tab, newline and
// carriage return (YAML forbids them outside escapes). Column counts
// characters from 1.
func badByte(data []byte) (line, col int, what string, ok bool) {
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			return line, col, fmt.Sprintf("byte 0x%02X is not UTF-8", data[i]), true
		case r == '\n':
			line, col = line+1, 0
		case r != '\t' && r != '\r' && r != 0xFEFF && (unicode.IsControl(r) || r == 0x2028 || r == 0x2029):
			return line, col, fmt.Sprintf("control character %U", r), true
		}
		i += n
		col++
	}
	return 0, 0, "", false
}

// tidy drops repeats (a merged anchor is decoded once per use) and sorts
// by line so the list reads top to bottom.
func (es Errors) tidy() Errors {
	seen := map[Error]bool{}
	out := es[:0]
	for _, e := range es {
		if !seen[*e] {
			seen[*e] = true
			out = append(out, e)
		}
	}
	out.sort()
	return out
}

//go:embed sim.yaml
var simYAML []byte

// SimYAML is the text Sim parses, for a program that must hand the
// simulated room's configuration to another (ventd to ventctl report).
func SimYAML() []byte { return bytes.Clone(simYAML) }

// Sim returns the built-in configuration `ventd -sim` runs: the room of
// example.yaml on the simulated buses sim0 and sim1 with simulated fans.
// StateDir is the default; the simulator is expected to point it at a
// scratch directory. Each call returns a fresh copy.
func Sim() *Config {
	c, err := Parse(simYAML, "sim.yaml")
	if err != nil {
		panic(err) // a test parses sim.yaml, so this is a build mistake
	}
	return c
}
