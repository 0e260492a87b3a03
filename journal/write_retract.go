package journal

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"
)

// retract takes each retraction's value back out of the minutes it
// overlaps (see Retraction). The minutes are rewritten through the chain's
// trigger, as a merge rewrites them, and sealed as stored.
func (w *writer) retract(rs []Retraction) error {
	if len(rs) == 0 {
		return nil
	}
	if err := w.ch.arm(); err != nil {
		return err
	}
	for _, r := range rs {
		if err := w.retractOne(r); err != nil {
			return fmt.Errorf("%s %s from %s: %w", r.Zone, r.Quantity, r.From.UTC().Format(time.RFC3339), err)
		}
	}
	w.ch.keepLastMinutes()
	return nil
}

// retracted is a minute as a retraction leaves it.
type retracted struct {
	start            int64
	mean             float64
	count            int64
	covered, maximum float64
}

func (w *writer) retractOne(r Retraction) error {
	var series int64
	err := w.conn.QueryRowContext(w.ctx, `SELECT id FROM series WHERE zone = ? AND quantity = ?`, r.Zone, r.Quantity).Scan(&series)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // nothing was recorded for the pair
	}
	if err != nil {
		return err
	}
	from, to := r.From.UnixMilli(), r.To.UnixMilli()
	rows, err := w.conn.QueryContext(w.ctx, `SELECT start_ms, mean, maximum, count, covered_s FROM minutes
		WHERE series = ? AND start_ms > ? AND start_ms < ? AND count > 0 ORDER BY start_ms`,
		series, from-time.Minute.Milliseconds(), to)
	if err != nil {
		return err
	}
	var out []retracted
	for rows.Next() {
		var m retracted
		if err := rows.Scan(&m.start, &m.mean, &m.maximum, &m.count, &m.covered); err != nil {
			rows.Close()
			return err
		}
		if retractMinute(&m, from, to, r.Value) {
			out = append(out, m)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	names := map[int64][2]string{series: {r.Zone, r.Quantity}}
	for _, m := range out {
		rs, err := w.conn.QueryContext(w.ctx, `UPDATE minutes SET mean = ?, maximum = ?, count = ?, covered_s = ?
			WHERE start_ms = ? AND series = ?
			RETURNING start_ms, series, mean, maximum, count, covered_s, backwards_ms, chain`,
			m.mean, m.maximum, m.count, m.covered, m.start, series)
		if err != nil {
			return err
		}
		err = w.sealReturned(rs, names)
		rs.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// retractMinute takes v, which stood for the air from from to to (ms),
// out of the minute m, and says whether it changed. The frozen periods
// are counted from the seconds: a minute's periods are alike in length.
// What is left of the minute keeps its maximum (an upper bound: the
// largest of the rest is not known); a minute with nothing left has count
// 0, and readers skip it.
func retractMinute(m *retracted, from, to int64, v float64) bool {
	end := m.start + time.Minute.Milliseconds()
	overlap := float64(min(to, end)-max(from, m.start)) / 1000
	if overlap <= 0 || m.count <= 0 || m.covered <= 0 {
		return false
	}
	overlap = min(overlap, m.covered)
	k := int64(math.Round(float64(m.count) * overlap / m.covered))
	count, covered := m.count-k, m.covered-overlap
	if count <= 0 || covered < 0.5 {
		m.mean, m.maximum, m.count, m.covered = 0, 0, 0, 0
		return true
	}
	m.mean = max(0, (m.mean*float64(m.count)-v*float64(k))/float64(count))
	m.count, m.covered = count, covered
	return true
}
