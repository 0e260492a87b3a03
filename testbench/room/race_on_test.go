//go:build race

package room_test

// raceEnabled shortens TestSameAirAsReference's six-booth shift under the
// race detector, which slows its arithmetic tenfold and has nothing to
// find in one goroutine's sums.
const raceEnabled = true
