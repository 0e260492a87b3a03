package metrics

import "runtime/debug"

// buildInfo returns this build's version, VCS commit and commit date, from
// what the Go toolchain stamped into the binary. It is the one place to
// repoint once ventd has its own build information package.
func buildInfo() (version, commit, date string) {
	version, commit, date = "(devel)", "unknown", "unknown"
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	if bi.Main.Version != "" {
		version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
		case "vcs.time":
			date = s.Value
		}
	}
	return
}
