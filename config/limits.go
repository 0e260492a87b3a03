package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.yaml.in/yaml/v3"
)

// Bounds on the file itself. A ventd configuration is a few kilobytes and
// a few hundred values (example.yaml: 8 KiB, about 600 values); the limits
// leave a large margin for a large room, and keep a mistaken path (a log
// file, a disk image) or a hostile file from costing the Pi its memory:
// the YAML parser holds about 100 bytes per byte of a file of tiny values
// (a 1 MiB list of zeros took 115 MiB and 2 s).
const (
	// MaxFileSize is the largest configuration file Load reads.
	MaxFileSize = 256 << 10
	// MaxValues is the most values (keys, scalars, lists, mappings) the
	// file may hold once every alias (*name) and merge (<<: *name) is
	// expanded: aliases nested in aliases can make a file of a few
	// kilobytes stand for billions of values (a "billion laughs").
	MaxValues = 50_000
)

// readFile reads at most MaxFileSize bytes of path, refusing a larger file
// before reading it (by its size) or while reading it (a pipe or device
// that does not say).
func readFile(path string) ([]byte, error) {
	// Not blocking: a named pipe nothing writes to would hold ventd (and a
	// reload, and -check-config) at the open for ever; opened so, it reads
	// as empty, which is said.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, &os.PathError{Op: "read", Path: path, Err: errors.New("is a directory")}
	}
	if fi.Mode().IsRegular() && fi.Size() > MaxFileSize {
		return nil, tooBig(path, fmt.Sprintf("is %s", size(fi.Size())))
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) == 0 && fi.Mode()&os.ModeNamedPipe != 0 {
		return nil, &os.PathError{Op: "read", Path: path, Err: errors.New("is a named pipe with nothing writing to it")}
	}
	if len(data) > MaxFileSize {
		return nil, tooBig(path, "goes on past "+size(MaxFileSize))
	}
	return data, nil
}

func tooBig(path, what string) Errors {
	return Errors{{File: path, Msg: fmt.Sprintf("the file %s; a ventd configuration is a few KiB, and files over %s are refused unread: check that -config names the YAML configuration (such as %s)",
		what, size(MaxFileSize), ExampleHint)}}
}

func size(n int64) string {
	switch {
	case n >= 10<<20:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	case n >= 1<<10:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// counter counts the values a node tree stands for with its aliases
// expanded, without expanding them: each anchored node's count is
// computed once and reused for every alias to it, so a bomb costs time in
// proportion to the file, not to what it expands to.
type counter struct {
	file    string
	memo    map[*yaml.Node]int
	walking map[*yaml.Node]bool
	path    []step // from the document to the node being counted
	err     *Error
}

// step is a key (in a mapping) or an index (in a list) on a path.
type step struct {
	key   string
	index int // for a list item; key is then ""
}

// checkValues refuses a document whose expanded size exceeds MaxValues, at
// the smallest mapping or list that exceeds it: where the repetition is.
func checkValues(doc *yaml.Node, file string) error {
	c := &counter{file: file, memo: map[*yaml.Node]int{}, walking: map[*yaml.Node]bool{}}
	c.count(doc, doc.Line)
	if c.err != nil {
		return Errors{c.err}
	}
	return nil
}

// count returns n's expanded size, capped just past MaxValues; line is
// where n's key or list item was written, for the message.
func (c *counter) count(n *yaml.Node, line int) int {
	if c.err != nil {
		return MaxValues + 1
	}
	alias := n.Kind == yaml.AliasNode
	if alias {
		n = n.Alias
	}
	if v, ok := c.memo[n]; ok {
		return v
	}
	if c.walking[n] {
		c.fail(line, "an alias refers to the value that contains it: remove the alias")
		return MaxValues + 1
	}
	c.walking[n] = true
	defer delete(c.walking, n)
	total := 1
	for i, child := range n.Content {
		l, pushed := child.Line, true
		switch {
		case n.Kind == yaml.MappingNode && i%2 == 1:
			c.path, l = append(c.path, step{key: n.Content[i-1].Value}), n.Content[i-1].Line
		case n.Kind == yaml.SequenceNode:
			c.path = append(c.path, step{index: i})
		default:
			pushed = false // a key, or a document's one node
		}
		total += c.count(child, l)
		if pushed {
			c.path = c.path[:len(c.path)-1]
		}
		if c.err != nil {
			return MaxValues + 1
		}
		if total > MaxValues {
			how := "values"
			if alias || hasAlias(n) {
				how = "values once its aliases (*name) and merges (<<:) are expanded"
			}
			c.fail(line, fmt.Sprintf("holds more than %d %s; a ventd configuration needs a few hundred: write the entries out, or alias smaller parts", MaxValues, how))
			return total
		}
	}
	c.memo[n] = total
	return total
}

// fail records the refusal at the current path, written as the error
// paths are: fans[0].zones.
func (c *counter) fail(line int, msg string) {
	var b strings.Builder
	for _, s := range c.path {
		switch {
		case s.key == "":
			fmt.Fprintf(&b, "[%d]", s.index)
		case b.Len() > 0:
			b.WriteString("." + clip(s.key))
		default:
			b.WriteString(clip(s.key))
		}
	}
	c.err = &Error{File: c.file, Line: line, Path: b.String(), Msg: msg}
}

// hasAlias reports whether n or anything under it is an alias.
func hasAlias(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode {
		return true
	}
	for _, ch := range n.Content {
		if hasAlias(ch) {
			return true
		}
	}
	return false
}

// Upper bounds on sizes in the file: each far beyond any real room, so
// that a slip of units (litres for m³, mW for W) is caught and no
// arithmetic downstream overflows.
const (
	maxVolumeM3  = 100_000   // a zone: a warehouse, not a booth
	maxFlowM3H   = 1_000_000 // a fan
	maxPowerW    = 100_000   // a fan
	maxJournalMB = 1 << 20   // 1 TiB; MaxSizeBytes stays far from overflow
)

// atMost refuses a duration above hi, saying why.
func (d *decoder) atMost(path string, v, hi time.Duration, why string) {
	if v > hi {
		d.invalid(path, "must be at most %s (got %s): %s", short(hi), short(v), why)
	}
}

// short writes a duration as a person would: 15m, not 15m0s.
func short(v time.Duration) string {
	s := v.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
