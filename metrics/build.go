package metrics

import "github.com/ventd/ventd/buildinfo"

// buildInfo returns this build's version, VCS commit and build date, as
// `ventd -version` prints them.
func buildInfo() (version, commit, date string) {
	i := buildinfo.Get()
	return i.Version, i.Commit, i.Date
}
