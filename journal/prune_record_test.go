package journal

import (
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
)

// A journal an earlier ventd kept and pruned, with no record of its
// prunes, still verifies: its links (format 1) are excused by the oldest
// minute left, as before. Links this ventd seals are not, so a deletion
// of their rows is named, and the format is in each link's hash: neither
// a flag nor a meta row decides it. Deleting the start again after the
// upgrade is named.
func TestEarlierVentdsPrunesExcusedByTheirLinks(t *testing.T) {
	path := t.TempDir() + "/journal.db"
	opts := Options{Clock: clock.NewSim(t0, 0), NoSync: true}
	j, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	writeFormat = 1 // as an earlier ventd sealed
	for i := range 120 {
		write(t, j, Batch{Minutes: minutes(t0.Add(time.Duration(i)*time.Minute), 1, []string{"staff"}, []string{"pm2.5"})})
	}
	writeFormat = chainFormat
	// As an earlier ventd pruned: the first hour's minutes and their
	// links gone, nothing on the record.
	for _, q := range []string{
		`DELETE FROM minutes WHERE start_ms < ` + ms(t0.Add(time.Hour)),
		`DELETE FROM chain WHERE last_ms < ` + ms(t0.Add(time.Hour)),
	} {
		if _, err := j.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if v := verify(t, j, VerifyOptions{}); !v.OK() {
		t.Errorf("the earlier ventd's prune named as a deletion: %+v", v.Problems)
	}
	// This ventd writes on; its first half hour is deleted.
	for i := 120; i < 180; i++ {
		write(t, j, Batch{Minutes: minutes(t0.Add(time.Duration(i)*time.Minute), 1, []string{"staff"}, []string{"pm2.5"})})
	}
	if _, err := j.db.Exec(`DELETE FROM minutes WHERE start_ms < ` + ms(t0.Add(150*time.Minute))); err != nil {
		t.Fatal(err)
	}
	v := verify(t, j, VerifyOptions{})
	if v.OK() {
		t.Fatal("minutes this ventd sealed, deleted from the start of the record, verified as pruned")
	}
	// The earlier ventd's links (60–120 min) are excused, this one's are
	// named: 30 of them.
	if v.ProblemCount != 30 {
		t.Errorf("%d problems, want the 30 links of this ventd's deleted minutes: %+v", v.ProblemCount, v.Problems)
	}
}

// Lowering a link's format to pass for an earlier ventd's changes its
// hash: verify names the edit.
func TestLinkFormatIsSealed(t *testing.T) {
	j := open(t, Options{})
	for i := range 3 {
		write(t, j, Batch{Minutes: minutes(t0.Add(time.Duration(i)*time.Minute), 1, []string{"staff"}, []string{"pm2.5"})})
	}
	if _, err := j.db.Exec(`UPDATE chain SET format = 1 WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if v := verify(t, j, VerifyOptions{}); v.OK() {
		t.Error("a link's format lowered verified")
	}
}

// A journal this ventd made and never pruned: someone deletes its first
// hour with sqlite3, and any meta row that might say what kind of journal
// it is. Verify names the deletion.
func TestDeletedStartNotExcusedByDroppingTheFlag(t *testing.T) {
	path := t.TempDir() + "/journal.db"
	opts := Options{Clock: clock.NewSim(t0, 0), NoSync: true}
	j, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 120 {
		write(t, j, Batch{Minutes: minutes(t0.Add(time.Duration(i)*time.Minute), 1, []string{"staff"}, []string{"pm2.5"})})
	}
	for _, q := range []string{
		`DELETE FROM minutes WHERE start_ms < ` + ms(t0.Add(time.Hour)),
		`DELETE FROM meta WHERE key GLOB 'journal.*' AND key <> 'journal.chain_link'`,
	} {
		if _, err := j.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	if j, err = Open(path, opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	if v := verify(t, j, VerifyOptions{}); v.OK() {
		t.Errorf("the first hour of a journal this ventd made, deleted with its meta, verified as pruned (%d rows)", v.Pruned)
	}
}
