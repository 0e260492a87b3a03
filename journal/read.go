package journal

import (
	"cmp"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Reads take a half-open window [from, to). A zero from reads from the
// beginning, a zero to up to the end. Rows come oldest first, in UTC.

func bounds(from, to time.Time) (int64, int64) {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if !from.IsZero() {
		lo = from.UnixMilli()
	}
	if !to.IsZero() {
		hi = to.UnixMilli()
	}
	return lo, hi
}

func utc(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func msDuration(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }

func nanIfNull(f sql.NullFloat64) float64 {
	if !f.Valid {
		return math.NaN()
	}
	return f.Float64
}

// query runs q and calls scan for each row.
func (j *Journal) query(what string, scan func(*sql.Rows) error, q string, args ...any) error {
	rows, err := j.rd.Query(q, args...)
	if err != nil {
		return j.readError(what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return j.readError(what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return j.readError(what, err)
	}
	return nil
}

// readError is a failed read of what: ErrCorrupt, with how the file is cut
// short if it is, when SQLite found the file damaged.
func (j *Journal) readError(what string, err error) error {
	if IsCorrupt(err) && !errors.Is(err, ErrCorrupt) {
		return j.corrupt("read " + what + ": " + err.Error())
	}
	return fmt.Errorf("journal: %s: read %s: %w", j.path, what, err)
}

// Minutes returns the minutes starting in [from, to), for one zone and one
// quantity or, where the filter is empty, all of them; by start, then zone,
// then quantity. A minute a Retraction left with nothing measured is not
// among them. For long windows EachMinute does the same in bounded
// memory.
func (j *Journal) Minutes(from, to time.Time, zone, quantity string) ([]Minute, error) {
	var out []Minute
	err := j.EachMinute(from, to, zone, quantity, func(m Minute) error {
		out = append(out, m)
		return nil
	})
	return out, err
}

// EachMinute calls fn for each minute Minutes would return, in the same
// order, holding only one minute's rows in memory: a year of 18 series is
// 9 million rows. An error from fn stops the walk and is returned as is.
func (j *Journal) EachMinute(from, to time.Time, zone, quantity string, fn func(Minute) error) error {
	// Names are looked up once: joining them per row costs two string
	// allocations a row, and a restart reads 8 h × every series.
	names := map[int64][2]string{}
	var ids []string
	err := j.query("series", func(r *sql.Rows) error {
		var id int64
		var z, q string
		if err := r.Scan(&id, &z, &q); err != nil {
			return err
		}
		names[id] = [2]string{z, q}
		ids = append(ids, strconv.FormatInt(id, 10))
		return nil
	}, `SELECT id, zone, quantity FROM series WHERE (? = '' OR zone = ?) AND (? = '' OR quantity = ?)`,
		zone, zone, quantity, quantity)
	if err != nil || len(ids) == 0 {
		return err
	}
	// Rows come by (start, series id); one start's rows are sorted by name
	// before they are handed on.
	var batch []Minute
	emit := func() error {
		slices.SortFunc(batch, func(a, b Minute) int {
			return cmp.Or(cmp.Compare(a.Zone, b.Zone), cmp.Compare(a.Quantity, b.Quantity))
		})
		for _, m := range batch {
			if err := fn(m); err != nil {
				return errStop{err}
			}
		}
		batch = batch[:0]
		return nil
	}
	lo, hi := bounds(from, to)
	err = j.query("minutes", func(r *sql.Rows) error {
		var m Minute
		var start, series, back int64
		if err := r.Scan(&start, &series, &m.Mean, &m.Max, &m.Count, &m.CoveredSeconds, &back); err != nil {
			return err
		}
		n := names[series]
		m.Start, m.Zone, m.Quantity, m.Backwards = utc(start), n[0], n[1], msDuration(back)
		if len(batch) > 0 && !batch[0].Start.Equal(m.Start) {
			if err := emit(); err != nil {
				return err
			}
		}
		batch = append(batch, m)
		return nil
	}, `SELECT start_ms, series, mean, maximum, count, covered_s, backwards_ms FROM minutes
		WHERE start_ms >= ? AND start_ms < ? AND series IN (`+strings.Join(ids, ",")+`) AND count > 0
		ORDER BY start_ms, series`, lo, hi)
	if err == nil {
		err = emit()
	}
	var stop errStop
	if errors.As(err, &stop) {
		return stop.err
	}
	return err
}

// errStop carries fn's error through query, which wraps what it returns.
type errStop struct{ err error }

func (e errStop) Error() string { return e.err.Error() }

// Events returns the alarm events in [from, to), by time then id.
func (j *Journal) Events(from, to time.Time) ([]Event, error) {
	lo, hi := bounds(from, to)
	var out []Event
	err := j.query("events", func(r *sql.Rows) error {
		var e Event
		var id, alarm, t, back int64
		var v, th sql.NullFloat64
		if err := r.Scan(&id, &alarm, &t, &e.Rule, &e.Kind, &e.Level, &e.Subject, &e.Quantity, &v, &th, &e.Message, &back); err != nil {
			return err
		}
		e.ID, e.AlarmID, e.Time, e.Backwards = uint64(id), uint64(alarm), utc(t), msDuration(back)
		e.Value, e.Threshold = nanIfNull(v), nanIfNull(th)
		out = append(out, e)
		return nil
	}, `SELECT id, alarm_id, time_ms, rule, kind, level, subject, quantity, value, threshold, message, backwards_ms
		FROM events WHERE time_ms >= ? AND time_ms < ? ORDER BY time_ms, id`, lo, hi)
	return out, err
}

// Acks returns the acknowledgements in [from, to).
func (j *Journal) Acks(from, to time.Time) ([]Ack, error) {
	lo, hi := bounds(from, to)
	var out []Ack
	err := j.query("acks", func(r *sql.Rows) error {
		var a Ack
		var alarm, t, back int64
		if err := r.Scan(&alarm, &t, &a.Who, &a.Note, &back); err != nil {
			return err
		}
		a.AlarmID, a.Time, a.Backwards = uint64(alarm), utc(t), msDuration(back)
		out = append(out, a)
		return nil
	}, `SELECT alarm_id, time_ms, who, note, backwards_ms FROM acks
		WHERE time_ms >= ? AND time_ms < ? ORDER BY time_ms, id`, lo, hi)
	return out, err
}

// Calibrations returns the calibration records in [from, to).
func (j *Journal) Calibrations(from, to time.Time) ([]Calibration, error) {
	lo, hi := bounds(from, to)
	var out []Calibration
	err := j.query("calibrations", func(r *sql.Rows) error {
		var c Calibration
		var t, back int64
		var ref, corr sql.NullFloat64
		if err := r.Scan(&t, &c.Sensor, &c.Serial, &c.Kind, &ref, &corr, &c.Who, &c.Note, &back); err != nil {
			return err
		}
		c.Time, c.Backwards = utc(t), msDuration(back)
		c.Reference, c.Correction = nanIfNull(ref), nanIfNull(corr)
		out = append(out, c)
		return nil
	}, `SELECT time_ms, sensor, serial, kind, reference, correction, who, note, backwards_ms FROM calibrations
		WHERE time_ms >= ? AND time_ms < ? ORDER BY time_ms, id`, lo, hi)
	return out, err
}

// ConfigChanges returns the configuration changes in [from, to).
func (j *Journal) ConfigChanges(from, to time.Time) ([]ConfigChange, error) {
	lo, hi := bounds(from, to)
	var out []ConfigChange
	err := j.query("config changes", func(r *sql.Rows) error {
		var c ConfigChange
		var t, back int64
		if err := r.Scan(&t, &c.Hash, &c.Summary, &back); err != nil {
			return err
		}
		c.Time, c.Backwards = utc(t), msDuration(back)
		out = append(out, c)
		return nil
	}, `SELECT time_ms, hash, summary, backwards_ms FROM config_changes
		WHERE time_ms >= ? AND time_ms < ? ORDER BY time_ms, id`, lo, hi)
	return out, err
}

// Gaps returns the gaps that overlap [from, to), by start.
func (j *Journal) Gaps(from, to time.Time) ([]Gap, error) {
	lo, hi := bounds(from, to)
	var out []Gap
	err := j.query("gaps", func(r *sql.Rows) error {
		var g Gap
		var s, e, back int64
		if err := r.Scan(&s, &e, &g.Zone, &g.Quantity, &g.Reason, &back); err != nil {
			return err
		}
		g.Start, g.End, g.Backwards = utc(s), utc(e), msDuration(back)
		out = append(out, g)
		return nil
	}, `SELECT start_ms, end_ms, zone, quantity, reason, backwards_ms FROM gaps
		WHERE start_ms < ? AND end_ms >= ? ORDER BY start_ms, id`, hi, lo)
	return out, err
}

// ClockStatus returns the clock status records in [from, to).
func (j *Journal) ClockStatus(from, to time.Time) ([]ClockStatus, error) {
	lo, hi := bounds(from, to)
	var out []ClockStatus
	err := j.query("clock status", func(r *sql.Rows) error {
		var c ClockStatus
		var t, back int64
		if err := r.Scan(&t, &c.Synchronized, &c.Source, &c.Note, &back); err != nil {
			return err
		}
		c.Time, c.Backwards = utc(t), msDuration(back)
		out = append(out, c)
		return nil
	}, `SELECT time_ms, synchronized, source, note, backwards_ms FROM clock_status
		WHERE time_ms >= ? AND time_ms < ? ORDER BY time_ms, id`, lo, hi)
	return out, err
}

// LastMinute returns the start of the newest minute written, or the zero
// time when there is none. At start the daemon records the time since as a
// daemon_down gap and rebuilds exposure from Minutes(now-8h-shift, now).
func (j *Journal) LastMinute() (time.Time, error) {
	_, last, err := j.Range()
	return last, err
}

// Range returns the starts of the oldest and the newest minute written,
// or zero times when there are none.
func (j *Journal) Range() (first, last time.Time, err error) {
	var lo, hi sql.NullInt64
	// Two queries: SQLite answers a lone min() or max() from the index
	// but scans the table for both at once.
	err = j.rd.QueryRow(`SELECT min(start_ms) FROM minutes`).Scan(&lo)
	if err == nil {
		err = j.rd.QueryRow(`SELECT max(start_ms) FROM minutes`).Scan(&hi)
	}
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("journal: %s: read range: %w", j.path, err)
	}
	if lo.Valid {
		first = utc(lo.Int64)
	}
	if hi.Valid {
		last = utc(hi.Int64)
	}
	return first, last, nil
}

// Series is a zone and quantity the journal holds minutes for.
type Series struct{ Zone, Quantity string }

// Series returns every zone and quantity ever written, by zone then
// quantity.
func (j *Journal) Series() ([]Series, error) {
	var out []Series
	err := j.query("series", func(r *sql.Rows) error {
		var s Series
		if err := r.Scan(&s.Zone, &s.Quantity); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	}, `SELECT zone, quantity FROM series ORDER BY zone, quantity`)
	return out, err
}
