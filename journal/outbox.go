package journal

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ventd/ventd/clock"
)

// The journal is the outbox of outputs that must deliver every alarm
// event elsewhere (MQTT): the events table holds every transition from the
// moment it happened, and the output keeps in a meta key how far its
// deliveries got. After an outage, or a restart, it reads the events after
// that point back with EventsAfter.

// OpenShared opens a second connection to a journal the daemon has open
// already (Open checked and migrated it), for an output's own goroutine:
// reads there never wait behind the daemon's writer, and its own small
// writes (SetMeta) take SQLite's lock for a moment like any other writer.
// It skips the integrity check and the migration, and refuses a file
// whose schema is not this build's.
func OpenShared(path string, opts Options) (*Journal, error) {
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = DefaultBusyTimeout
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("journal: %s: %w", path, err)
	}
	if err := checkWritable(abs); err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("journal: %s: %w: the daemon creates it (Open) before an output shares it", abs, err)
	}
	db, err := sql.Open("sqlite", dsn(abs, opts, cacheKiB))
	if err != nil {
		return nil, fmt.Errorf("journal: open %s: %w", abs, err)
	}
	j := &Journal{path: abs, opts: opts, db: db, rd: db}
	j.writes(writerDSN(abs, opts))
	if err := j.readVersion(); err != nil {
		db.Close()
		return nil, err
	}
	if j.version != SchemaVersion {
		db.Close()
		return nil, fmt.Errorf("journal: %s: schema %d, this ventd writes %d: open it with Open first", abs, j.version, SchemaVersion)
	}
	j.file, _ = os.Stat(abs) // for Moved
	return j, nil
}

// PendingEvent is an alarm event as an output delivers it: for an
// acknowledgement, with who acknowledged and their note.
type PendingEvent struct {
	Event
	Who, Note string
}

// EventsAfter returns at most limit events with a sequence number (id)
// above seq, lowest first.
func (j *Journal) EventsAfter(seq uint64, limit int) ([]PendingEvent, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []PendingEvent
	err := j.query("events after", func(r *sql.Rows) error {
		var e PendingEvent
		var id, alarm, t, back int64
		var v, th sql.NullFloat64
		var who, note sql.NullString
		if err := r.Scan(&id, &alarm, &t, &e.Rule, &e.Kind, &e.Level, &e.Subject, &e.Quantity, &v, &th, &e.Message, &back, &who, &note); err != nil {
			return err
		}
		e.ID, e.AlarmID, e.Time, e.Backwards = uint64(id), uint64(alarm), utc(t), msDuration(back)
		e.Value, e.Threshold = nanIfNull(v), nanIfNull(th)
		e.Who, e.Note = who.String, note.String
		out = append(out, e)
		return nil
	}, `SELECT e.id, e.alarm_id, e.time_ms, e.rule, e.kind, e.level, e.subject, e.quantity, e.value, e.threshold, e.message, e.backwards_ms,
			a.who, a.note
		FROM events e
		LEFT JOIN acks a ON e.kind = 'acknowledged' AND a.id = (
			SELECT min(id) FROM acks WHERE alarm_id = e.alarm_id AND time_ms = e.time_ms)
		WHERE e.id > ? ORDER BY e.id LIMIT ?`, int64(seq), limit)
	return out, err
}
