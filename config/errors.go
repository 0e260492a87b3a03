package config

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one mistake in a configuration file.
type Error struct {
	File string // the file name as given to Load or Parse
	Line int    // 1-based; 0 when the mistake has no one place
	Path string // the key's path, fans[0].sysfs_pwm.chip; "" for the file
	Msg  string // what is wrong and what is expected
}

// Error formats e as file:line: path: message, the form editors and
// terminals make clickable.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every mistake found in a file, in line order. Load and Parse
// return it (as a value) for problems with the file's content, so callers
// can tell a bad file from one that could not be read:
//
//	var errs config.Errors
//	if errors.As(err, &errs) { ... }
type Errors []*Error

// Error lists the mistakes one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As reach the individual *Error values.
func (es Errors) Unwrap() []error {
	errs := make([]error, len(es))
	for i, e := range es {
		errs[i] = e
	}
	return errs
}

func (es Errors) sort() {
	sort.SliceStable(es, func(i, j int) bool { return es[i].Line < es[j].Line })
}

// Warning is something a file says that ventd accepts but that may not
// mean what its writer meant: a duty of 1 is 1 %, where 100 % was likely
// meant. It has an Error's fields and reads the same way.
type Warning Error

// String formats w as file:line: path: message, like Error.
func (w *Warning) String() string { return (*Error)(w).Error() }

// Warnings lists what Load or Parse accepted with a doubt, in line order:
// ventd logs them at start, and check-config prints them with the OK.
func (c *Config) Warnings() []*Warning { return c.warnings }
