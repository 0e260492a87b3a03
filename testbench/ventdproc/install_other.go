//go:build !linux

package ventdproc

import "testing"

// Install skips the test outside Linux, where nothing it measures exists.
func Install(tb testing.TB, bin string) string {
	tb.Skip("installing a program out of the page cache needs Linux")
	return ""
}
