//go:build race

package journal

// raceEnabled shrinks the longest tests under the race detector, which
// runs SQLite's transpiled C several times slower.
const raceEnabled = true
