package coldtext

import (
	"fmt"
	"os"
	"syscall"
)

// Trim unmaps the running executable's read-only file mappings (its code
// and tables) and returns how many bytes of mappings it passed to the
// kernel. It is safe at any time and from any goroutine: a page in use is
// mapped again on its next touch.
func Trim() (int64, error) {
	exe, err := os.Stat("/proc/self/exe")
	if err != nil {
		return 0, fmt.Errorf("coldtext: %w", err)
	}
	st, ok := exe.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, fmt.Errorf("coldtext: no inode for /proc/self/exe")
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return 0, fmt.Errorf("coldtext: %w", err)
	}
	var n int64
	for _, m := range readOnly(maps, st.Ino) {
		// MADV_DONTNEED on a private file mapping drops this process's
		// page table entries; unmodified pages (all of a read-only
		// mapping) come back from the file unchanged.
		if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, m.start, m.end-m.start, syscall.MADV_DONTNEED); e != 0 {
			return n, fmt.Errorf("coldtext: madvise %#x-%#x: %w", m.start, m.end, e)
		}
		n += int64(m.end - m.start)
	}
	return n, nil
}
