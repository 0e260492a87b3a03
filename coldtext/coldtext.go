// Package coldtext lets the kernel take back the pages of a program's own
// code and read-only tables that it ran only while starting.
//
// A Go program runs from a mapping of its executable file: for ventd's Pi
// build about 10 MB of machine code and 10 MB of tables. While it starts,
// the kernel reads that file ahead and maps the pages around each page
// touched, so nearly all of it stays resident (18 of ventd's 24–26 MiB),
// although a minute of steady running touches about 4.5 MiB of it
// (/proc/PID/clear_refs, then the smaps Referenced count). Trim unmaps the
// file's read-only pages from this process. The next touch of any page
// maps it again from the page cache, with the pages around it: a minor
// fault, no disk read while the file is cached. What stays resident
// afterwards is what the program runs, and the kernel may reclaim the rest
// of the file first when memory runs short, instead of treating it as
// mapped code in use.
//
// Mapped again, a page still brings the 64 KiB around it (the kernel's
// fault-around, the whole large page-cache folio on kernels that keep
// the file in them): ventd's 4.5 MiB of running code kept some 13 MiB of
// the file resident. NoFaultAround turns that off for these mappings, so
// a touch maps the one page touched. Where the kernel has no such switch
// (before Linux 6.7, without userfaultfd's write protection, under a
// filter that refuses it), Evict drops the file from the page cache as
// well as unmapping it: fault-around maps only pages that are cached, so
// what comes back is nearer the pages that run, at the price of a disk
// read for each.
//
// Only the executable's read-only private mappings are touched. Its
// writable data would be reset to the file's contents, so a writable
// mapping is never passed to the kernel.
package coldtext

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
)

// mapping is an address range of a /proc/PID/maps listing, and the offset
// in its file that start maps.
type mapping struct {
	start, end uintptr
	off        int64
}

// readOnly returns the mappings in a /proc/PID/maps listing of the file
// with inode ino that are private and neither writable nor shared.
func readOnly(maps []byte, ino uint64) []mapping {
	var out []mapping
	sc := bufio.NewScanner(bytes.NewReader(maps))
	for sc.Scan() {
		// address perms offset dev inode [pathname]
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		if n, err := strconv.ParseUint(f[4], 10, 64); err != nil || n != ino || n == 0 {
			continue
		}
		if perms := f[1]; len(perms) != 4 || perms[0] != 'r' || perms[1] != '-' || perms[3] != 'p' {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		off, err3 := strconv.ParseInt(f[2], 16, 64)
		if err1 != nil || err2 != nil || err3 != nil || end <= start || off < 0 {
			continue
		}
		out = append(out, mapping{uintptr(start), uintptr(end), off})
	}
	return out
}
