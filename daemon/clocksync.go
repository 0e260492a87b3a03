package daemon

import (
	"golang.org/x/sys/unix"
)

// clockSynced asks the kernel whether the system clock is synchronised
// (chrony or systemd-timesyncd clear STA_UNSYNC once they have a source).
// A Pi has no battery clock: until then, timestamps may be days off, and
// the journal must say so.
func clockSynced() (bool, string) {
	var tx unix.Timex
	state, err := unix.Adjtimex(&tx)
	if err != nil {
		return false, "adjtimex: " + err.Error()
	}
	if state == unix.TIME_ERROR || tx.Status&unix.STA_UNSYNC != 0 {
		return false, "kernel reports the clock unsynchronised (no NTP source yet)"
	}
	return true, "kernel reports the clock synchronised"
}
