package ventdproc

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// Install copies the program bin to a new directory on a disk, written
// through and out of the page cache, and returns the copy's path: a
// program run from it is read from the disk as a site's installed ventd
// is after a boot, and no other process maps the file. Both matter to
// what the kernel keeps of a program's code (coldtext.Evict): a file
// another process maps keeps its pages cached, as does a file in memory,
// and pages just written are cached in the shape writing left them.
// The directory is removed when the test ends. It skips the test where
// neither the temporary directory nor the user's cache directory is on a
// disk.
func Install(tb testing.TB, bin string) string {
	tb.Helper()
	b, err := os.ReadFile(bin)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(diskDir(tb), filepath.Base(bin))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		tb.Fatal(err)
	}
	// The page cache keeps pages not yet written, whatever a program
	// advises.
	if err := f.Sync(); err != nil {
		tb.Fatal(err)
	}
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// diskDir returns a new directory on a file system whose files the page
// cache can drop.
func diskDir(tb testing.TB) string {
	tb.Helper()
	cands := []string{os.TempDir()}
	if d, err := os.UserCacheDir(); err == nil {
		cands = append(cands, d)
	}
	for _, c := range cands {
		var st unix.Statfs_t
		if unix.Statfs(c, &st) != nil || st.Type == unix.TMPFS_MAGIC || st.Type == unix.RAMFS_MAGIC {
			continue
		}
		d, err := os.MkdirTemp(c, "ventdproc-")
		if err != nil {
			continue
		}
		tb.Cleanup(func() { os.RemoveAll(d) })
		return d
	}
	tb.Skipf("no directory on a disk among %q: a program in memory stays cached whatever it advises", cands)
	return ""
}
