// Package buildinfo says which build of ventd is running: its version, the
// commit it was built from and when, so a technician's `ventd -version`, a
// support request and the build info metric all name the same build.
//
// firmware/build stamps the three with the linker:
//
//	go build -ldflags "-X github.com/ventd/ventd/buildinfo.version=1.2.0 \
//	  -X github.com/ventd/ventd/buildinfo.commit=0123abc \
//	  -X github.com/ventd/ventd/buildinfo.date=2026-03-02T10:00:00Z" ./cmd/ventd
//
// A plain `go build` inside a git checkout gets the commit and its time
// from the Go toolchain's own VCS stamp instead; `go run` and tests get
// neither, and the fields say "unknown".
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set with -ldflags -X; empty when the build did not stamp them.
var version, commit, date string

// Info identifies one build.
type Info struct {
	Version string // release version, or "(devel)"
	Commit  string // git commit, "+dirty" appended for uncommitted changes
	Date    string // build date (RFC 3339), or the commit's time
	Go      string // Go toolchain version
}

// Get returns this binary's build info.
func Get() Info {
	i := Info{Version: version, Commit: commit, Date: date, Go: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		i = fill(i, bi)
	}
	if i.Version == "" {
		i.Version = "(devel)"
	}
	if i.Commit == "" {
		i.Commit = "unknown"
	}
	if i.Date == "" {
		i.Date = "unknown"
	}
	return i
}

// fill completes what the linker did not stamp from the toolchain's build
// info.
func fill(i Info, bi *debug.BuildInfo) Info {
	if i.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		i.Version = bi.Main.Version
	}
	var rev, at string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if i.Commit == "" && rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if dirty {
			rev += "+dirty"
		}
		i.Commit = rev
	}
	if i.Date == "" {
		i.Date = at
	}
	return i
}

// String is the line `-version` prints after the program's name.
func (i Info) String() string {
	return fmt.Sprintf("%s (commit %s, built %s, %s)", i.Version, i.Commit, i.Date, i.Go)
}
