package buildinfo

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestStampedValuesWin(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Version: "v0.9.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "ffffffffffffffffffffffffffffffffffffffff"}, {Key: "vcs.time", Value: "2020-01-01T00:00:00Z"}}}
	got := fill(Info{Version: "1.2.0", Commit: "0123abc", Date: "2026-03-02T10:00:00Z"}, bi)
	if got.Version != "1.2.0" || got.Commit != "0123abc" || got.Date != "2026-03-02T10:00:00Z" {
		t.Errorf("the linker's stamp must win over the toolchain's: %+v", got)
	}
}

func TestToolchainStampFillsTheGaps(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-03-01T09:00:00Z"},
		{Key: "vcs.modified", Value: "true"}}}
	got := fill(Info{}, bi)
	if got.Version != "" || got.Commit != "0123456789ab+dirty" || got.Date != "2026-03-01T09:00:00Z" {
		t.Errorf("fill = %+v", got)
	}
}

func TestGetNeverEmpty(t *testing.T) {
	i := Get()
	if i.Version == "" || i.Commit == "" || i.Date == "" || !strings.HasPrefix(i.Go, "go") {
		t.Errorf("Get() = %+v: every field must say something", i)
	}
	if s := i.String(); !strings.Contains(s, "commit "+i.Commit) || !strings.Contains(s, "built "+i.Date) {
		t.Errorf("String() = %q", s)
	}
}
