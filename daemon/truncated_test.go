package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/record"
)

// A journal cut short (a card that lost its last writes, a copy made on a
// full disk and put back) was moved aside with only "database disk image
// is malformed" as the reason, in the log, the journal/replaced alarm and
// the journal_replaced action: nothing said the file was truncated, nor
// by how much. The fans never wait on it.
func TestTruncatedJournalIsMovedAsideAndNamed(t *testing.T) {
	dir, at := hostileBase(t)
	db := filepath.Join(dir, "journal.db")
	fi, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	// The last eight pages lost: the newest minutes, shift summaries and
	// links; the file's table of contents (near its start) is whole.
	cut := fi.Size() - 8*4096 - 100
	if err := os.Truncate(db, cut); err != nil {
		t.Fatal(err)
	}
	h, logs := restartControls(t, dir, at.Add(5*time.Minute))
	s := h.run(2 * time.Minute)
	if _, _, ok := hasAlarm(s, alarm.JournalReplacedRule); !ok {
		t.Errorf("no %s alarm after a start on a truncated journal: %+v", alarm.JournalReplacedRule, s.Alarms.Alarms)
	}
	h.d.shutdown()

	moved, _ := filepath.Glob(db + ".corrupt-*")
	var kept string
	for _, m := range moved {
		if !strings.HasSuffix(m, "-journal") {
			kept = m
		}
	}
	if kept == "" {
		t.Fatalf("the truncated journal was not kept beside the new one: %v", moved)
	}
	if fi, err := os.Stat(kept); err != nil || fi.Size() != cut {
		t.Errorf("the kept file %s is not the truncated journal as it was (%d bytes): %v %v", kept, cut, fi.Size(), err)
	}
	if old, err := journal.OpenReadOnly(kept, journal.Options{}); err != nil {
		t.Errorf("the truncated file cannot be read as far as it goes: %v", err)
	} else {
		if tr, ok := old.Truncation(); !ok || tr.Size != cut {
			t.Errorf("the kept file is not read as truncated: %+v %v", tr, ok)
		}
		old.Close()
	}
	j := journalIn(t, dir)
	acts, err := j.Actions(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var reason string
	for _, a := range acts {
		if a.Kind == string(record.ActJournalReplaced) {
			reason = a.Error
		}
	}
	if !strings.Contains(reason, "truncated") || !strings.Contains(reason, "bytes its header gives") {
		t.Errorf("the journal_replaced action does not say the file was truncated, nor by how much: %q", reason)
	}
	if !strings.Contains(logs.String(), "truncated") {
		t.Errorf("the log does not say the journal was truncated:\n%s", tail(logs.String(), 3000))
	}
	t.Logf("%s", grepLines(logs.String(), "journal"))
}

// grepLines returns the lines of s that hold sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
