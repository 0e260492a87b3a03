package mqtt

import (
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ventd/ventd/journal"
)

// Keys the publisher keeps in the journal's meta table.
const (
	// metaDelivered is the outbox's floor: every alarm event up to it
	// reached the broker.
	metaDelivered = "mqtt.delivered_seq"
	// metaDiscovery lists the Home Assistant config topics published, so
	// the entities of a sensor removed from the config can be removed.
	metaDiscovery = "mqtt.discovery_topics"
	// metaAlarms lists the retained alarm topics that may still hold an
	// alarm on the broker, so one that ended while ventd was down is
	// cleared at the next connect.
	metaAlarms = "mqtt.alarm_topics"
)

// pageSize is how many events one journal read returns.
const pageSize = 256

// store does the publisher's journal work on a goroutine of its own: a
// disk that stalls stalls only this goroutine, never the delivery of the
// alarms held in memory. It reads undelivered events on request and
// writes the publisher's meta keys, the latest value of each, retrying
// until the journal takes them.
type store struct {
	j *journal.Journal // nil: no journal (yet); nothing survives a restart
	// path is the journal's file, to open it when it was not there at
	// start and again when it was deleted or moved under us; "" for none.
	path string
	// none: no journal and no path, ever (set at start; j and path
	// change only on the store's goroutine, which the callers are not).
	none bool
	log  *slog.Logger
	// retryEvery is how often a failed write or open is tried again.
	retryEvery time.Duration

	reads chan readReq

	mu      sync.Mutex
	pending map[string]string
	// kept is the latest value of every key: a journal opened later (or
	// again, fresh) gets them all, not only what changed since.
	kept map[string]string
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
}

type readReq struct {
	after uint64
	reply chan readAns // buffered
}

type readAns struct {
	events []journal.PendingEvent
	err    error
}

func newStore(j *journal.Journal, path string, log *slog.Logger) *store {
	return &store{j: j, path: path, none: j == nil && path == "", log: log, retryEvery: 10 * time.Second, reads: make(chan readReq, 1), pending: map[string]string{}, kept: map[string]string{},
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// set queues value for key; the goroutine writes the latest.
func (s *store) set(key, value string) {
	if s.none {
		return
	}
	s.mu.Lock()
	s.pending[key] = value
	s.kept[key] = value
	s.mu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// read asks for the events after seq; the answer comes on the returned
// channel. Without a journal the answer is "none".
func (s *store) read(after uint64) <-chan readAns {
	reply := make(chan readAns, 1)
	if s.none {
		reply <- readAns{}
		return reply
	}
	select {
	case s.reads <- readReq{after: after, reply: reply}:
	default:
		reply <- readAns{err: errors.New("a journal read is already waiting")}
	}
	return reply
}

func (s *store) run() {
	defer close(s.done)
	retry := time.NewTicker(s.retryEvery)
	defer retry.Stop()
	var failing error
	for {
		select {
		case r := <-s.reads:
			if s.j == nil {
				r.reply <- readAns{} // not open (yet): nothing to read back
				continue
			}
			evs, err := s.j.EventsAfter(r.after, pageSize)
			r.reply <- readAns{events: evs, err: err}
			continue
		case <-s.kick:
		case <-retry.C:
			if s.j == nil && !s.open() {
				continue
			}
		case <-s.stop:
			if s.j != nil {
				s.flush(&failing)
			}
			return
		}
		s.flush(&failing)
	}
}

// open opens the journal at path (not there at start, or deleted and
// made again) and queues every kept key for it; it reports success.
func (s *store) open() bool {
	if s.path == "" {
		return false
	}
	j, err := journal.OpenShared(s.path, journal.Options{})
	if err != nil {
		return false
	}
	s.j = j
	s.mu.Lock()
	for k, v := range s.kept {
		s.pending[k] = v
	}
	s.mu.Unlock()
	s.log.Info("mqtt: the journal is open; the delivery position is kept in it again", "path", s.path)
	return true
}

func (s *store) flush(failing *error) {
	if s.j == nil {
		return // kept pending until open succeeds
	}
	s.mu.Lock()
	kv := s.pending
	s.pending = map[string]string{}
	s.mu.Unlock()
	var err error
	for k, v := range kv {
		if err = s.j.SetMeta(k, v); err != nil {
			break
		}
		delete(kv, k)
	}
	if err != nil {
		s.mu.Lock()
		for k, v := range kv {
			if _, newer := s.pending[k]; !newer {
				s.pending[k] = v
			}
		}
		s.mu.Unlock()
		if *failing == nil {
			s.log.Warn("mqtt: cannot keep the delivery position in the journal; retrying. After a restart, events may be sent again (consumers see the repeated sequence numbers)", "err", err)
		}
		if s.j.Moved() {
			// Deleted or moved under us (the state directory removed):
			// the daemon opens a fresh journal at the path, and the
			// position must go into that one, or the next start takes
			// MQTT for new there and skips its undelivered events.
			s.j.Close()
			s.j = nil
		}
	} else if *failing != nil {
		s.log.Info("mqtt: the journal keeps the delivery position again")
	}
	*failing = err
}

// close writes what is pending, waiting at most wait, and closes the
// journal connection.
func (s *store) close(wait time.Duration) {
	close(s.stop)
	select {
	case <-s.done:
		if s.j != nil {
			s.j.Close()
		}
	case <-time.After(wait):
		s.log.Warn("mqtt: the journal did not take the delivery position before shutdown; events may be sent again after the restart")
	}
}

// loadState reads what the last run kept: the delivered floor, the
// discovery topics and the alarm topics. When MQTT is new to this journal
// the floor is its last event (history is not replayed), kept at once so
// that events from now on are delivered even if none goes out before a
// restart.
func loadState(j *journal.Journal) (floor uint64, discovery, alarms []string, err error) {
	last, err := j.LastEventID()
	if err != nil {
		return 0, nil, nil, err
	}
	floor = last
	if v, ok, err := j.Meta(metaDelivered); err != nil {
		return 0, nil, nil, err
	} else if !ok {
		if err := j.SetMeta(metaDelivered, strconv.FormatUint(floor, 10)); err != nil {
			return 0, nil, nil, err
		}
	} else {
		if n, perr := strconv.ParseUint(v, 10, 64); perr == nil {
			// Events above the journal's last never reached it (a crash
			// before its write): their numbers are issued again, and
			// must go out again.
			floor = min(n, last)
		}
	}
	for key, dst := range map[string]*[]string{metaDiscovery: &discovery, metaAlarms: &alarms} {
		v, ok, err := j.Meta(key)
		if err != nil {
			return 0, nil, nil, err
		}
		if ok {
			*dst = splitList(v)
		}
	}
	return floor, discovery, alarms, nil
}

// The topic lists are kept one topic a line: topics have no newlines.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' })
}

func joinList(set map[string]bool) string {
	return strings.Join(slices.Sorted(maps.Keys(set)), "\n")
}
