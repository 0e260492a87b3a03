package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/ventd/ventd/config"
)

// baselineCacheVersion changes whenever the baselines, the guard or the
// figures change, so a cache never serves results of other code.
const baselineCacheVersion = "3"

// resultCache keeps the baselines' results between runs (-cache DIR): they
// do not change while only ventd's law or tuning does, and tuning reruns
// ventd alone. ventd's own runs are never cached. A -cache DIR is shared
// by every build, for tuning the law: it trusts the baselines' code not
// to have changed (baselineCacheVersion); the default, buildCacheDir, is
// this build's alone.
type resultCache struct{ dir string }

func (c *resultCache) key(bc *benchCase, ctl controller, seed uint64) (string, bool) {
	if c == nil || c.dir == "" || ctl.family == famVentd {
		return "", false
	}
	// The baselines read only these control keys (the loop's period and
	// when a sample is too old); the rest is ventd's tuning.
	cfg := *bc.cfg
	cfg.Control = config.Control{Period: cfg.Control.Period, MaxSampleAge: cfg.Control.MaxSampleAge}
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, v := range []any{baselineCacheVersion, bc.sc, cfg, bc.room, ctl.name, ctl.setting, seed} {
		if err := enc.Encode(v); err != nil {
			return "", false
		}
	}
	return filepath.Join(c.dir, hex.EncodeToString(h.Sum(nil))[:32]+".json"), true
}

func (c *resultCache) get(bc *benchCase, ctl controller, seed uint64) (Result, bool) {
	path, ok := c.key(bc, ctl, seed)
	if !ok {
		return Result{}, false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Result{}, false
	}
	var r Result
	if json.Unmarshal(data, &r) != nil {
		return Result{}, false
	}
	r.Group, r.Cached = bc.group, true
	return r, true
}

func (c *resultCache) put(bc *benchCase, ctl controller, seed uint64, r Result) {
	path, ok := c.key(bc, ctl, seed)
	if !ok {
		return
	}
	data, err := json.Marshal(r)
	if err != nil || os.MkdirAll(c.dir, 0o755) != nil {
		return // a cache that cannot be written only costs time
	}
	// Written aside and renamed, so two ventbench runs of one build at
	// once never read each other's half-written result.
	tmp, err := os.CreateTemp(c.dir, ".put-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), path) != nil {
		os.Remove(tmp.Name())
	}
}

// buildCacheDir is where a run keeps its baselines' results when -cache
// is not given: a directory of the user's cache for this very build of
// ventbench (named by a hash of its executable), so only a rerun of the
// same code reuses them, and a result is exactly what running it again
// would give (the runs are deterministic). A site tuning its config with
// -config reruns ventd alone; a change to any code starts afresh. The
// builds' directories but the newest keepBuilds are removed. It returns
// "" when there is no user cache or executable to name it by. Set by main
// only: tests run without it.
var buildCacheDir func() string

const keepBuilds = 3

func userBuildCache() string {
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	root := filepath.Join(base, "ventbench")
	dir := filepath.Join(root, hex.EncodeToString(h.Sum(nil))[:16])
	pruneBuilds(root, dir)
	return dir
}

// pruneBuilds removes the build directories under root but dir and the
// newest keepBuilds−1 others.
func pruneBuilds(root, dir string) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	type build struct {
		path string
		mod  int64
	}
	var builds []build
	for _, e := range entries {
		p := filepath.Join(root, e.Name())
		if info, err := e.Info(); err == nil && e.IsDir() && p != dir {
			builds = append(builds, build{p, info.ModTime().UnixNano()})
		}
	}
	slices.SortFunc(builds, func(a, b build) int { return int(b.mod - a.mod) })
	for i, b := range builds {
		if i >= keepBuilds-1 {
			os.RemoveAll(b.path) // a cache that cannot be pruned only costs disk
		}
	}
}
