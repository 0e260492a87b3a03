package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/ventd/ventd/config"
)

// baselineCacheVersion changes whenever the baselines, the guard or the
// figures change, so a cache never serves results of other code.
const baselineCacheVersion = "1"

// resultCache keeps the baselines' results between runs (-cache DIR): they
// do not change while only ventd's law or tuning does, and tuning reruns
// ventd alone. ventd's own runs are never cached.
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
	for _, v := range []any{baselineCacheVersion, bc.sc, cfg, bc.room, ctl.name, seed} {
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
	if data, err := json.Marshal(r); err == nil && os.MkdirAll(c.dir, 0o755) == nil {
		os.WriteFile(path, data, 0o644) // a cache that cannot be written only costs time
	}
}
