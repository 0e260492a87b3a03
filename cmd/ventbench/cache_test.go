package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestBuildCache: without -cache a rerun of the same build takes the
// baselines from its own cache and prints the same figures; -cache off
// and -trace run them all.
func TestBuildCache(t *testing.T) {
	dir := t.TempDir()
	buildCacheDir = func() string { return dir }
	t.Cleanup(func() { buildCacheDir = nil })
	bench := func(extra ...string) *Report {
		t.Helper()
		args := append([]string{"-json", "-runs=false", "-only", "quiet-day", "-seeds", "1", "-controllers", "ventd,onoff35", "-truncate", "1h"}, extra...)
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
			t.Fatalf("ventbench %v: exit %d, %s", args, code, stderr.String())
		}
		var rep Report
		if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		return &rep
	}
	first := bench()
	second := bench()
	if first.CachedRuns != 0 || second.CachedRuns != second.RunCount-1 {
		t.Errorf("cached runs %d of %d, then %d of %d; want none, then every baseline", first.CachedRuns, first.RunCount, second.CachedRuns, second.RunCount)
	}
	a, _ := json.Marshal(first.Scenarios)
	b, _ := json.Marshal(second.Scenarios)
	if !bytes.Equal(a, b) {
		t.Errorf("figures from the cache differ from the run's:\n%s\n%s", a, b)
	}
	if off := bench("-cache", "off"); off.CachedRuns != 0 {
		t.Errorf("-cache off: %d cached runs", off.CachedRuns)
	}
	if traced := bench("-trace", t.TempDir()); traced.CachedRuns != 0 {
		t.Errorf("-trace: %d cached runs, want every run traced", traced.CachedRuns)
	}
}

// TestPruneBuilds: the newest builds' caches stay, the others go.
func TestPruneBuilds(t *testing.T) {
	root := t.TempDir()
	now := time.Now()
	for i, name := range []string{"a", "b", "c", "d", "e"} {
		p := filepath.Join(root, name)
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
		at := now.Add(time.Duration(i) * time.Hour) // e newest
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	pruneBuilds(root, filepath.Join(root, "a")) // a: this build, however old
	entries, _ := os.ReadDir(root)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if want := []string{"a", "d", "e"}; !slices.Equal(left, want) {
		t.Errorf("left %v, want %v", left, want)
	}
}
