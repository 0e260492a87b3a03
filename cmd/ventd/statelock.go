package main

import (
	"errors"
	"os"
	"path/filepath"
	"sync"

	"github.com/ventd/ventd/statelock"
)

// lockStateDir makes this ventd the only one using dir (statelock.Lock):
// a technician trying `ventd -config …` by hand while the service runs, or
// the service starting while `ventctl fan` holds a fan, must be told, not
// obeyed.
func lockStateDir(dir string) (*os.File, error) { return statelock.Lock(dir, "ventd") }

// stateDirInUse is the error of a directory another process holds.
type stateDirInUse = statelock.InUse

// stateLock holds the state directory's lock for the process: taken at
// start, or, when the directory did not exist then, just before the
// journal is opened in it (daemon.Options.BeforeOpen), so a directory
// made after start cannot be shared by two daemons either.
type stateLock struct {
	dir string
	mu  sync.Mutex
	f   *os.File
}

// take takes the lock unless held. Only another ventd holding it is an
// error (a *stateDirInUse); a missing directory is nil, as other trouble
// is after the first word of it in the log.
func (l *stateLock) take() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		held, herr := l.f.Stat()
		now, nerr := os.Stat(filepath.Join(l.dir, "ventd.lock"))
		if herr == nil && nerr == nil && os.SameFile(held, now) {
			return nil
		}
		// The directory was deleted and made again under us: the lock
		// went with the old file, and must be taken in the new one.
		l.f.Close()
		l.f = nil
	}
	f, err := lockStateDir(l.dir)
	var inUse *stateDirInUse
	if errors.As(err, &inUse) {
		return err
	}
	l.f = f
	return err
}

// Close lets the lock go; a nil stateLock holds nothing.
func (l *stateLock) Close() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
}
