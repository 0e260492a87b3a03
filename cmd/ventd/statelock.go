package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// lockStateDir makes this ventd the only one using dir. Two daemons on one
// state directory would write one journal (each minute twice, merged as a
// restart's) and drive the same fans against each other: a technician
// trying `ventd -config …` by hand while the service runs must be told,
// not obeyed. The lock is the kernel's (flock), so it ends with the
// process, however it ends. The returned file holds it; keep it open.
func lockStateDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, "ventd.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if errors.Is(err, fs.ErrPermission) {
		// Left by a run as another user: the lock needs no write.
		f, err = os.Open(path)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // no state directory: the journal reports it, with what to do
	}
	if err != nil {
		return nil, fmt.Errorf("state directory %s: %w", dir, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		who := "another ventd"
		if b, rerr := os.ReadFile(path); rerr == nil {
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil {
				who = fmt.Sprintf("another ventd (pid %d)", pid)
			}
		}
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s is using the state directory %s: stop it first (systemctl stop ventd), or give this one its own -state-dir", who, dir)
		}
		return nil, fmt.Errorf("state directory %s: lock %s: %w", dir, path, err)
	}
	if f.Truncate(0) == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0) // for the message above; the lock works without it
	}
	return f, nil
}
