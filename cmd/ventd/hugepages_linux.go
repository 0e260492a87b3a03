package main

import "golang.org/x/sys/unix"

// noHugePages asks the kernel not to back ventd's memory with transparent
// huge pages (PR_SET_THP_DISABLE, for the whole process, from then on).
// Kernels built to use them always (Debian's, for one) fault in 2 MiB at
// once wherever the Go heap, a stack or SQLite's allocator touches an
// aligned stretch, and keep it while any of it is used; ventd's heap is a
// few MiB spread thin, so most of such a page would be idle. On Debian's
// arm64 Linux 6.12 with its default (testbench/kernelvm, `PiRSS` side by
// side, mean after two minutes): 18.15 / 20.97 MiB with one / six booths
// against 22.83 / 23.88 without, where ventd turns fault-around off, and
// 18.33 / 19.88 against 20.54 / 21.89 where the kernel refuses that. With
// huge pages off on the kernel's command line, the two builds held the
// same within 0.7 MiB. ventd does too little work to notice the TLB misses
// huge pages would save. The Go runtime's own switch (GODEBUG disablethp)
// is to be removed, and the kernel's setting is the site's, not ventd's.
func noHugePages() error {
	return unix.Prctl(unix.PR_SET_THP_DISABLE, 1, 0, 0, 0)
}
