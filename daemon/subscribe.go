package daemon

import (
	"sync"
	"sync/atomic"

	"github.com/ventd/ventd/snapshot"
)

// subscribers fan the loop's snapshots out to outputs that want every one
// (the journal, MQTT), without ever making the loop wait.
type subscribers struct {
	mu      sync.Mutex
	chans   []chan *snapshot.Snapshot
	dropped atomic.Uint64
}

// Subscribe returns a channel that receives each snapshot the loop
// publishes. The loop never waits on it: when a subscriber is buf snapshots
// behind, new ones are dropped for it and counted by Dropped. The channel
// is closed when Run returns.
func (d *Daemon) Subscribe(buf int) <-chan *snapshot.Snapshot {
	ch := make(chan *snapshot.Snapshot, buf)
	d.subs.mu.Lock()
	d.subs.chans = append(d.subs.chans, ch)
	d.subs.mu.Unlock()
	return ch
}

// Dropped counts snapshots that subscribers were too slow to take.
func (d *Daemon) Dropped() uint64 { return d.subs.dropped.Load() }

func (s *subscribers) publish(snap *snapshot.Snapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.chans {
		select {
		case ch <- snap:
		default:
			s.dropped.Add(1)
		}
	}
}

func (s *subscribers) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.chans {
		close(ch)
	}
	s.chans = nil
}
