package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// lockStateDir makes this ventd the only one using dir. Two daemons on one
// state directory would write one journal (each minute twice, merged as a
// restart's) and drive the same fans against each other: a technician
// trying `ventd -config …` by hand while the service runs must be told,
// not obeyed. The lock is the kernel's (flock), so it ends with the
// process, however it ends. The returned file holds it; keep it open.
//
// Only a lock another process holds is a *stateDirInUse. Any other error
// (an SD card remounted read-only, a directory that cannot be opened) must
// not keep ventd from driving the fans: the caller logs it and goes on, and
// the journal reports its own trouble.
func lockStateDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, "ventd.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		// Read-only (a file system remounted so, or a file left by a run
		// as another user): a read-only descriptor locks as well.
		if rf, rerr := os.Open(path); rerr == nil {
			f, err = rf, nil
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(dir); errors.Is(serr, fs.ErrNotExist) {
			return nil, nil // no state directory: nothing to share; the journal says what to do
		}
	}
	if err != nil {
		return nil, fmt.Errorf("lock file in the state directory: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		holder := ""
		if b, rerr := os.ReadFile(path); rerr == nil {
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil {
				holder = fmt.Sprintf(" (pid %d)", pid)
			}
		}
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, &stateDirInUse{dir: dir, holder: holder}
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if f.Truncate(0) == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0) // for the message below; the lock works without it
	}
	return f, nil
}

// stateDirInUse is the error of a second ventd on a state directory.
type stateDirInUse struct{ dir, holder string }

func (e *stateDirInUse) Error() string {
	return fmt.Sprintf("another ventd%s is using the state directory %s: stop it first (systemctl stop ventd), or give this one its own -state-dir", e.holder, e.dir)
}

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
