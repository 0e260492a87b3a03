//go:build !linux

package main

// noHugePages does nothing where there are no transparent huge pages to
// turn off.
func noHugePages() error { return nil }
