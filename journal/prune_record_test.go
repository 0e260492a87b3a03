package journal

import (
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
)

// A journal an earlier ventd kept and pruned (with no record of its
// prunes) still verifies after this one opens it: what is missing before
// its oldest minute is excused, once, at that open; a deletion after it is
// named.
func TestEarlierPrunesExcusedOnce(t *testing.T) {
	path := t.TempDir() + "/journal.db"
	opts := Options{Clock: clock.NewSim(t0, 0), NoSync: true}
	j, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 120 {
		write(t, j, Batch{Minutes: minutes(t0.Add(time.Duration(i)*time.Minute), 1, []string{"staff"}, []string{"pm2.5"})})
	}
	// As an earlier ventd pruned: the first hour's minutes and their
	// links gone, and no flag that prunes are recorded.
	for _, q := range []string{
		`DELETE FROM minutes WHERE start_ms < ` + ms(t0.Add(time.Hour)),
		`DELETE FROM chain WHERE last_ms < ` + ms(t0.Add(time.Hour)),
		`DELETE FROM meta WHERE key = '` + metaPrunesRecorded + `'`,
	} {
		if _, err := j.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	j, err = Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	if v := verify(t, j, VerifyOptions{}); !v.OK() {
		t.Errorf("the earlier ventd's prune named as a deletion: %+v", v.Problems)
	}
	as, _ := j.Actions(time.Time{}, time.Time{})
	if len(as) != 1 || as[0].Kind != ActionPruned || as[0].Target != t0.Add(time.Hour).Format(time.RFC3339Nano) {
		t.Fatalf("actions %+v; want one prune on the record, cut at the oldest minute", as)
	}
	// The excuse is made once: a deletion after it is named.
	if _, err := j.db.Exec(`DELETE FROM minutes WHERE start_ms < ` + ms(t0.Add(90*time.Minute))); err != nil {
		t.Fatal(err)
	}
	j.Close()
	if j, err = Open(path, opts); err != nil {
		t.Fatal(err)
	}
	if v := verify(t, j, VerifyOptions{}); v.OK() {
		t.Error("30 min deleted after the upgrade verified as pruned")
	}
	if as, _ := j.Actions(time.Time{}, time.Time{}); len(as) != 1 {
		t.Errorf("%d prune actions after a second open, want the one", len(as))
	}
}

// The flag that says a journal's prunes are recorded is not sealed. A
// journal this ventd made and never pruned: someone deletes its first hour
// with sqlite3, and the flag with it. At the next open ventd takes it for
// a journal of an earlier ventd and records an excuse cut at the oldest
// minute left, and Verify then calls the deletion a prune.
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
		`DELETE FROM meta WHERE key = '` + metaPrunesRecorded + `'`,
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
		t.Errorf("the first hour of a journal this ventd made, deleted with the flag, verified as pruned (%d rows)", v.Pruned)
	}
}
