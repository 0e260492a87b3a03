package main

import (
	"io"
	"log/slog"

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

// logConfigWarnings logs what the config says that ventd accepted with a
// doubt (a duty written as a fraction, a fan allowed off on a fault), at
// every start and reload, where -check-config would print it.
func logConfigWarnings(log *slog.Logger, cfg *config.Config) {
	for _, w := range cfg.Warnings() {
		log.Warn("config accepted, but check that it means what you meant", "warning", w.String())
	}
}
