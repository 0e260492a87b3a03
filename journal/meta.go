package journal

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Meta returns the value stored under key, and whether there is one. Keys
// hold small site facts: site, room, sensor serials, the next alarm id.
func (j *Journal) Meta(key string) (value string, ok bool, err error) {
	err = j.rd.QueryRow(`SELECT value FROM meta WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("journal: %s: read meta %q: %w", j.path, key, err)
	}
	return value, true, nil
}

// ZoneKindPrefix and ZoneKindSuffix frame the meta key of a zone's kind,
// "zone.NAME.kind" (booth, staff, outdoor), kept by the daemon so that a
// reader without the site's configuration can tell the outdoor air's
// minutes (context, no one's exposure) from a zone's exposure record.
const (
	ZoneKindPrefix = "zone."
	ZoneKindSuffix = ".kind"
)

// TimeZoneKey is the meta key of the shift time zone the daemon keeps
// (config shifts.time_zone: an IANA name, or Local), so that a reader
// without the site's configuration reads the days and shifts as the site
// does.
const TimeZoneKey = "shifts.time_zone"

// ZoneKindKey is the meta key of zone's kind.
func ZoneKindKey(zone string) string { return ZoneKindPrefix + zone + ZoneKindSuffix }

// ZoneKinds returns each zone's kind as the daemon kept it in the meta
// (ZoneKindKey), by zone name; empty for a journal from before it did.
func (j *Journal) ZoneKinds() (map[string]string, error) {
	meta, err := j.MetaPrefix(ZoneKindPrefix)
	if err != nil {
		return nil, err
	}
	kinds := map[string]string{}
	for k, v := range meta {
		if zone, ok := strings.CutSuffix(strings.TrimPrefix(k, ZoneKindPrefix), ZoneKindSuffix); ok {
			kinds[zone] = v
		}
	}
	return kinds, nil
}

// SetMeta stores value under key in its own transaction. To store a value
// with the rows it belongs to, put it in Batch.Meta instead. Keys starting
// with "journal." are the journal's own and are refused.
func (j *Journal) SetMeta(key, value string) error {
	if err := checkMetaKey(key); err != nil {
		return fmt.Errorf("journal: set meta %q: %w: %v", key, ErrInvalid, err)
	}
	if err := j.refuseReadOnly("set meta"); err != nil {
		return err
	}
	// Through Write, so that a sealed key (the site, a serial) is sealed
	// again rather than seen as changed outside ventd (chain.go).
	if _, err := j.Write(Batch{Meta: map[string]string{key: value}}); err != nil {
		return fmt.Errorf("journal: set meta %q: %w", key, err)
	}
	return nil
}

// upsertMeta sets one meta key.
const upsertMeta = `INSERT INTO meta (key, value) VALUES (?, ?)
	ON CONFLICT (key) DO UPDATE SET value = excluded.value`

// setMeta stores the batch's meta keys with the statement Write prepared
// once.
func (w *writer) setMeta(kv map[string]string) error {
	if len(kv) == 0 {
		return nil
	}
	w.ch.touch("meta")
	st, err := w.stmts.stmt(w.ctx, upsertMeta)
	if err != nil {
		return err
	}
	for k, v := range kv {
		if _, err := st.ExecContext(w.ctx, k, v); err != nil {
			return fmt.Errorf("key %q: %w", k, err)
		}
	}
	return nil
}

// Newest returns the newest time the journal has written (the clock's
// high-water mark, see Clock policy: a minute counts at its end), and
// false when it has none (nothing written yet, or the key was removed).
// A row later than it was not written by Write: an edit or a damaged row.
func (j *Journal) Newest() (time.Time, bool, error) {
	v, ok, err := j.Meta(metaNewest)
	if err != nil || !ok {
		return time.Time{}, false, err
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("journal: %s: meta %s = %q: not a time in ms: %w", j.path, metaNewest, v, err)
	}
	return utc(ms), true, nil
}
