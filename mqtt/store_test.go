package mqtt

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ventd/ventd/journal"
)

// The state directory deleted under ventd and made again: the daemon opens
// a fresh journal at the path, but the publisher kept writing its delivery
// position to the deleted file, so the next start took MQTT for new in the
// fresh journal and skipped its undelivered events (a pager got an alarm's
// clear without its raise). The store now opens the path again and writes
// every key it keeps; and a journal not there at start is opened when it is.
func TestStoreFollowsTheJournalToItsNewFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	path := filepath.Join(dir, "journal.db")
	daemonOpens := func() {
		t.Helper()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		j, err := journal.Open(path, journal.Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		j.Close()
	}
	meta := func(key string) string {
		t.Helper()
		j, err := journal.OpenReadOnly(path, journal.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		v, _, _ := j.Meta(key)
		return v
	}
	eventually := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("never %s", what)
			}
		}
	}

	s := newStore(nil, path, slog.New(slog.DiscardHandler)) // not there at start
	s.retryEvery = 20 * time.Millisecond
	go s.run()
	defer s.close(time.Second)
	s.set(metaDiscovery, "ha/sensor/x/config")
	s.set(metaDelivered, "5")
	daemonOpens()
	eventually("the journal opened late gets the position", func() bool { return meta(metaDelivered) == "5" })

	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	s.set(metaDelivered, "6")
	time.Sleep(100 * time.Millisecond) // the write fails; the store lets the file go
	daemonOpens()
	s.set(metaDelivered, "7")
	eventually("the fresh journal gets the position", func() bool { return meta(metaDelivered) == "7" })
	// Each key is its own write, in no set order: the position may land
	// a moment before the other keys.
	eventually("the fresh journal gets the discovery topics too: every kept key must follow", func() bool { return meta(metaDiscovery) == "ha/sensor/x/config" })
}
