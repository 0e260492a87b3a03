package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/ventd/ventd/drivers/gasindex"
)

// stateStore keeps the learned state of the gas index algorithms in the
// state directory, so a restart does not re-learn for 12 hours (and does not
// report 0 for the first minute). It writes every ten minutes, not every
// sample: SD cards die of write amplification.
type stateStore struct {
	dir  string
	log  *slog.Logger
	next time.Time
}

const stateSaveEvery = 10 * time.Minute

func newStateStore(dir string, log *slog.Logger) *stateStore {
	return &stateStore{dir: dir, log: log}
}

func (st *stateStore) path() string { return filepath.Join(st.dir, "gasindex.json") }

// learned is the file's content: per sensor, per algorithm.
type learned map[string]map[string]gasindex.State

func (st *stateStore) load() learned {
	if st.dir == "" {
		return nil
	}
	b, err := os.ReadFile(st.path())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	var l learned
	if err == nil {
		err = json.Unmarshal(b, &l)
	}
	if err != nil {
		st.log.Warn("ignoring saved VOC index state; the index re-learns (about 12 h)", "file", st.path(), "err", err)
		return nil
	}
	return l
}

func (st *stateStore) maybeSave(now time.Time, sensors []*sensor) {
	if st.dir == "" {
		return
	}
	if st.next.IsZero() {
		st.next = now.Add(stateSaveEvery)
		return
	}
	if now.Before(st.next) {
		return
	}
	st.next = now.Add(stateSaveEvery)
	st.save(sensors)
}

// save writes atomically (temp file and rename) so power loss leaves the
// old state or the new, never half of one.
func (st *stateStore) save(sensors []*sensor) {
	if st.dir == "" {
		return
	}
	l := learned{}
	for _, s := range sensors {
		if g, ok := s.dev.(interface {
			learned() map[string]gasindex.State
		}); ok {
			if m := g.learned(); m != nil {
				l[s.cfg.Name] = m
			}
		}
	}
	if len(l) == 0 {
		return
	}
	if err := st.write(l); err != nil {
		st.log.Warn("could not save VOC index state; a restart will re-learn", "err", err,
			"hint", "check that the state directory exists and is writable by ventd")
	}
}

func (st *stateStore) write(l learned) error {
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(st.dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(st.dir, ".gasindex-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), st.path()); err != nil {
		return fmt.Errorf("replacing %s: %w", st.path(), err)
	}
	return nil
}
