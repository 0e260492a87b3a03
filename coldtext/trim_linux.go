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
	ms, err := ownReadOnly()
	if err != nil {
		return 0, err
	}
	return trim(ms)
}

// trim unmaps the mappings ms. MADV_DONTNEED on a private file mapping
// drops this process's page table entries; unmodified pages (all of a
// read-only mapping) come back from the file unchanged.
func trim(ms []mapping) (int64, error) {
	return advise(ms, syscall.MADV_DONTNEED, "")
}

// advise passes advice (named how, for its errors) on each mapping of ms
// to the kernel, and returns how many bytes of mappings it passed.
func advise(ms []mapping, advice int, how string) (int64, error) {
	var n int64
	for _, m := range ms {
		if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, m.start, m.end-m.start, uintptr(advice)); e != 0 {
			return n, fmt.Errorf("coldtext: madvise %#x-%#x%s: %w", m.start, m.end, how, e)
		}
		n += int64(m.end - m.start)
	}
	return n, nil
}

// ownReadOnly returns the running executable's read-only file mappings.
func ownReadOnly() ([]mapping, error) {
	exe, err := os.Stat("/proc/self/exe")
	if err != nil {
		return nil, fmt.Errorf("coldtext: %w", err)
	}
	st, ok := exe.Sys().(*syscall.Stat_t)
	if !ok {
		return nil, fmt.Errorf("coldtext: no inode for /proc/self/exe")
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return nil, fmt.Errorf("coldtext: %w", err)
	}
	return readOnly(maps, st.Ino), nil
}
