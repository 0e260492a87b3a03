// Package journaltest has what tests of the journal's readers share: a
// check that a reader does not hold back the journal's writer.
package journaltest

import (
	"testing"
	"time"

	"github.com/ventd/ventd/journal"
)

// WriteNotHeld writes m to j, which another reader has open, and fails t
// if the write errs or is still waiting after 30 s. With SQLite's rollback
// journal a commit waits for every open read transaction, so a reader that
// keeps one while a slow client takes its bytes holds the daemon's journal
// writer back for as long (what says who is reading, for the message).
func WriteNotHeld(t testing.TB, j *journal.Journal, m journal.Minute, what string) {
	t.Helper()
	wrote := make(chan error, 1)
	go func() {
		_, err := j.Write(journal.Batch{Minutes: []journal.Minute{m}})
		wrote <- err
	}()
	select {
	case err := <-wrote:
		if err != nil {
			t.Errorf("journal write beside %s: %v", what, err)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("the journal's writer waited on %s", what)
	}
}
