package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/firmware"
)

// Builds after a release took the release's version (git describe
// --abbrev=0), so two different packages shared "1.2.0" and apt took a
// rollback to the real 1.2.0 for the package already installed.
func TestVersionFromGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is needed to stamp builds: ", err)
	}
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2026-03-02T07:00:00Z", "GIT_COMMITTER_DATE=2026-03-02T07:00:00Z",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.org")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "f"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)
	stamp := func() string {
		t.Helper()
		s, err := stampFromGit(context.Background(), dir, "", now)
		if err != nil {
			t.Fatal(err)
		}
		return s.Version
	}
	git("init", "-q")
	write("a")
	git("add", "f")
	git("commit", "-q", "-m", "a")
	untagged := stamp()
	if !strings.HasPrefix(untagged, "0.0.0~git20260302070000.") {
		t.Errorf("untagged: %s", untagged)
	}
	git("tag", "v1.2.0")
	if v := stamp(); v != "1.2.0" {
		t.Errorf("at the tag: %s, want 1.2.0", v)
	}
	write("b")
	dirty := stamp()
	if !strings.HasPrefix(dirty, "1.2.0+git20261201180000.0.") || !strings.HasSuffix(dirty, ".dirty") {
		t.Errorf("at the tag with changes: %s", dirty)
	}
	git("commit", "-q", "-am", "b")
	past := stamp()
	if !strings.HasPrefix(past, "1.2.0+git20260302070000.1.") {
		t.Errorf("a commit past the tag: %s", past)
	}
	git("tag", "v1.3.0-rc1")
	rc := stamp()
	if rc != "1.3.0~rc1" {
		t.Errorf("a pre-release tag: %s, want 1.3.0~rc1", rc)
	}
	// dpkg's order: untagged < 1.2.0 < past 1.2.0 < 1.3.0~rc1 < 1.3.0.
	order := []string{untagged, "1.2.0", past, rc, "1.3.0"}
	for i := 1; i < len(order); i++ {
		a, err1 := firmware.DebVersion(order[i-1])
		b, err2 := firmware.DebVersion(order[i])
		if err1 != nil || err2 != nil {
			t.Fatalf("not Debian versions: %v %v", err1, err2)
		}
		if _, err := exec.LookPath("dpkg"); err == nil {
			if err := exec.Command("dpkg", "--compare-versions", a, "lt", b).Run(); err != nil {
				t.Errorf("dpkg does not sort %s below %s", a, b)
			}
		}
	}
}
