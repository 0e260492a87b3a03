package main

import (
	"io"

	"github.com/ventd/ventd/config"
)

// checkConfig loads path and prints every mistake and warning, for
// -check-config.
func checkConfig(path string, stdout, stderr io.Writer) int {
	if !config.Check(path, "ventd", stdout, stderr) {
		return 1
	}
	return 0
}
