// Package statelock makes one process at a time the user of a ventd state
// directory: ventd itself, or a ventctl command that drives the same fans
// and buses (fan, read, scan). Two daemons on one directory would write
// one journal twice and drive the fans against each other; ventd started
// while `ventctl fan` holds a fan at its test duty would fight it. The
// lock is the kernel's (flock) on ventd.lock, so it ends with the process
// however it ends.
package statelock

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

// InUse is the error of a directory another process holds.
type InUse struct {
	Dir string
	PID int    // 0 when the lock file does not say
	Who string // "ventd", "ventctl fan"; empty when the file does not say
}

func (e *InUse) Error() string {
	who := e.Who
	if who == "" || who == "ventd" {
		who = "another ventd"
	}
	if e.PID > 0 {
		who += fmt.Sprintf(" (pid %d)", e.PID)
	}
	return fmt.Sprintf("%s is using the state directory %s: stop it first (systemctl stop ventd, or end the ventctl command), or give this one its own -state-dir", who, e.Dir)
}

// Lock takes dir's lock for this process, named who in the lock file for
// the message another one gets. The returned file holds it: keep it open.
// A missing directory is nil, nil: nothing to share. Only a lock another
// process holds is an *InUse; any other error (an SD card remounted
// read-only) must not keep ventd from driving the fans, so callers log it
// and go on.
func Lock(dir, who string) (*os.File, error) {
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
			return nil, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("lock file in the state directory: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		inUse := &InUse{Dir: dir}
		if b, rerr := os.ReadFile(path); rerr == nil {
			if fields := strings.Fields(string(b)); len(fields) > 0 {
				if pid, perr := strconv.Atoi(fields[0]); perr == nil {
					inUse.PID, inUse.Who = pid, strings.Join(fields[1:], " ")
				}
			}
		}
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, inUse
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if f.Truncate(0) == nil {
		// For the message above; the lock works without it.
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+" "+who+"\n"), 0)
	}
	return f, nil
}
