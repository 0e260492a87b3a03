package journal

import (
	"context"
	"database/sql"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Write runs on a connection of its own, kept between Writes (stmts.go).
// Between Writes it must hold no lock: another process (ventctl, someone
// with sqlite3) writes at once, with no busy timeout at all.
func TestWriterHoldsNoLockBetweenWrites(t *testing.T) {
	j := open(t, Options{})
	zones, qs := []string{"booth", "staff"}, []string{"pm2.5", "co2"}
	write(t, j, Batch{Minutes: minutes(t0, 1, zones, qs)})
	other, err := sql.Open("sqlite", "file:"+j.Path()+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for _, q := range []string{"BEGIN IMMEDIATE", "INSERT INTO meta (key, value) VALUES ('edited', 'by hand')", "COMMIT"} {
		if _, err := other.Exec(q); err != nil {
			t.Fatalf("another connection after a Write: %s: %v", q, err)
		}
	}
	write(t, j, Batch{Minutes: minutes(t0.Add(time.Minute), 1, zones, qs)})
	if v, ok, err := j.Meta("edited"); err != nil || !ok || v != "by hand" {
		t.Errorf("the other connection's row: %q %v %v", v, ok, err)
	}
}

// Every Write commits through a rollback journal that is truncated, not
// deleted (doc.go): journal_mode is a connection's setting, and Write's
// connection sets it itself.
func TestWriterTruncatesTheRollbackJournal(t *testing.T) {
	j := open(t, Options{})
	for i := range 3 {
		write(t, j, Batch{Minutes: minutes(t0.Add(time.Duration(i)*time.Minute), 1, []string{"staff"}, []string{"pm2.5"})})
		fi, err := os.Stat(j.Path() + "-journal")
		if err != nil || fi.Size() != 0 {
			t.Fatalf("after Write %d: the -journal file: %v, %v; want it there, empty (TRUNCATE)", i, fi, err)
		}
	}
	var mode string
	if err := j.stmts.conn.QueryRowContext(context.Background(), "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "truncate" {
		t.Errorf("Write's connection: journal_mode %q, %v", mode, err)
	}
}

// A Write whose COMMIT cannot get the lock (a reader held on past the
// busy timeout) writes nothing, leaves no transaction open on Write's
// connection, and the batch written again commits whole.
func TestWriteFailedCommitRollsBack(t *testing.T) {
	j := open(t, Options{BusyTimeout: 50 * time.Millisecond})
	zones, qs := []string{"booth", "staff"}, []string{"pm2.5", "co2"}
	write(t, j, Batch{Minutes: minutes(t0, 1, zones, qs)})
	reader, err := sql.Open("sqlite", "file:"+j.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	rd, err := reader.BeginTx(context.Background(), &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := rd.QueryRow("SELECT count(*) FROM minutes").Scan(&n); err != nil { // holds SHARED until rd ends
		t.Fatal(err)
	}
	b := Batch{Minutes: minutes(t0.Add(time.Minute), 1, zones, qs)}
	if _, err := j.Write(b); err == nil || !strings.Contains(err.Error(), "commit") {
		t.Fatalf("a Write while a reader held the file past the busy timeout: %v; want its COMMIT refused", err)
	}
	rd.Rollback()
	if got, _ := j.Minutes(t0, t0.Add(time.Hour), "", ""); len(got) != 4 {
		t.Fatalf("after the failed Write: %d minutes, want the first batch's 4", len(got))
	}
	write(t, j, b)
	if got, _ := j.Minutes(t0, t0.Add(time.Hour), "", ""); len(got) != 8 {
		t.Errorf("after the retry: %d minutes, want 8", len(got))
	}
	if v := verify(t, j, VerifyOptions{}); !v.OK() {
		t.Errorf("chain after the retry: %+v", v)
	}
}

// A Write rewrites only the meta keys of its own state that change (the
// clock's mark, each minute); chain_link, which the triggers read, it
// leaves alone only while it holds 0. One edited by hand, or missing, is
// set to 0 again by the next Write, as when every Write rewrote it.
func TestWriteResetsAnEditedChainLink(t *testing.T) {
	for _, edit := range []string{
		"UPDATE meta SET value = '7' WHERE key = '" + metaChainLink + "'",
		"DELETE FROM meta WHERE key = '" + metaChainLink + "'",
	} {
		j := open(t, Options{})
		zones, qs := []string{"staff"}, []string{"pm2.5"}
		write(t, j, Batch{Minutes: minutes(t0, 1, zones, qs)})
		if _, err := j.db.Exec(edit); err != nil {
			t.Fatal(err)
		}
		write(t, j, Batch{Minutes: minutes(t0.Add(time.Minute), 2, zones, qs)}) // fresh minutes: an unarmed Write
		if v, ok, err := j.Meta(metaChainLink); err != nil || !ok || v != "0" {
			t.Errorf("after %q and a Write: chain_link %q %v %v, want 0", edit, v, ok, err)
		}
		if v, ok, _ := j.Meta(metaNewest); !ok || v != strconv.FormatInt(t0.Add(3*time.Minute).UnixMilli(), 10) {
			t.Errorf("after %q and a Write: the clock's mark %q", edit, v)
		}
	}
}
