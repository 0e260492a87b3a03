package coldtext

import (
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Evict does what Trim does, and on a kernel that keeps fault-around
// (NoFaultAround failed) gets nearly what turning it off gets: it also
// drops the executable's pages from the page cache and asks the kernel
// for random access to its mappings. Fault-around maps only pages that
// are cached already, and random access stops the read of a missing page
// from reading the pages around it, so afterwards the cache holds, and a
// touch maps, the pages the program has run since: 4 KiB at a time, as
// with NoFaultAround (TestEvictMapsOnlyThePagesThatRun).
//
// The price is a disk read for each page the program runs next, where
// Trim's touch is a minor fault: ventd under a site's load made 700–800
// in the 13 minutes after a hand-back, most in the first, each stalling
// only the thread that touched the page. Pages another process maps (a
// second copy of the same program) stay cached, and so does a file in
// memory (tmpfs): there Evict does what Trim does. Linux 6.16 and later
// read around a missing page of executable code whatever the advice, so
// there the code (not the tables) comes back in blocks as after Trim.
func Evict() (int64, error) {
	ms, err := ownReadOnly()
	if err != nil {
		return 0, err
	}
	f, err := os.Open("/proc/self/exe")
	if err != nil {
		return 0, fmt.Errorf("coldtext: %w", err)
	}
	defer f.Close()
	// Before the pages go: a touch between the two would read ahead
	// what was just dropped.
	if _, err := advise(ms, syscall.MADV_RANDOM, " random"); err != nil {
		return 0, err
	}
	var n int64
	for _, m := range ms {
		// A stretch at a time, each dropped from the cache right after
		// it is unmapped: the cache keeps a page that is mapped, and
		// with it the whole folio it belongs to (up to some MiB, as
		// the file was read ahead at start), so a page touched
		// between the unmapping and the dropping keeps its folio.
		for lo := m.start; lo < m.end; lo += evictStretch {
			hi := min(lo+evictStretch, m.end)
			if _, err := trim([]mapping{{lo, hi, 0}}); err != nil {
				return n, err
			}
			off := m.off + int64(lo-m.start)
			if err := unix.Fadvise(int(f.Fd()), off, int64(hi-lo), unix.FADV_DONTNEED); err != nil {
				return n, fmt.Errorf("coldtext: dropping %s %#x-%#x from the page cache: %w", f.Name(), off, off+int64(hi-lo), err)
			}
			n += int64(hi - lo)
		}
	}
	// And the whole file once more: the cache drops a folio only
	// whole, and one that straddles two stretches was in neither.
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		return n, fmt.Errorf("coldtext: dropping %s from the page cache: %w", f.Name(), err)
	}
	return n, nil
}

// evictStretch is how much of a mapping Evict hands back at a time.
const evictStretch = 256 << 10
