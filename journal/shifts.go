package journal

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Shift is one shift's exposure summary for one pollutant in one zone.
type Shift struct {
	Zone, Quantity string
	Start, End     time.Time // the shift, [Start, End)
	// Finished is set once the shift is over; a finished row is never
	// replaced by an unfinished one (a late flush of the running summary).
	Finished bool
	// Summary is the JSON of exposure.Summary as the daemon's tracker
	// computed it live from 1 s data: the figures /metrics and /api/state
	// showed. Nil when there is none; writing nil keeps a stored one. The
	// journal checks only that it is JSON: the exposure package owns it.
	Summary []byte
}

// upsertShifts upserts n shifts on (zone, quantity, start), in order. The
// columns on the right of SET are the stored row's, so the CASE sees the
// old finished flag. Every Write with minutes runs it (prepared once,
// stmts.go).
func upsertShifts(n int) string {
	return `INSERT INTO shifts (zone, quantity, start_ms, end_ms, finished, summary) VALUES ` + valueRows(6, n) + `
	ON CONFLICT (zone, quantity, start_ms) DO UPDATE SET
		end_ms = CASE WHEN excluded.finished >= finished THEN excluded.end_ms ELSE end_ms END,
		summary = CASE WHEN excluded.finished >= finished AND excluded.summary IS NOT NULL
			THEN excluded.summary ELSE summary END,
		finished = max(finished, excluded.finished)`
}

// maxShiftRows is how many shifts go in one INSERT: a site's minute has
// one running shift per zone and exposure quantity.
const maxShiftRows = 64

func (w *writer) shifts(ss []Shift) error {
	if len(ss) == 0 {
		return nil
	}
	w.ch.touch("shifts")
	args := make([]any, 0, 6*min(len(ss), maxShiftRows))
	for lo := 0; lo < len(ss); lo += maxShiftRows {
		hi := min(lo+maxShiftRows, len(ss))
		args = args[:0]
		for _, s := range ss[lo:hi] {
			var sum any
			if s.Summary != nil {
				sum = string(s.Summary)
			}
			args = append(args, s.Zone, s.Quantity, s.Start.UnixMilli(), s.End.UnixMilli(), s.Finished, sum)
		}
		st, err := w.stmts.sizedStmt(sized{shiftRows, hi - lo})
		if err == nil {
			_, err = st.ExecContext(w.ctx, args...)
		}
		if err != nil {
			return fmt.Errorf("shifts from %s %s: %w", ss[lo].Zone, ss[lo].Quantity, err)
		}
	}
	return nil
}

func (s *Shift) problem() string {
	switch {
	case s.Zone == "" || s.Quantity == "":
		return "zone and quantity must both be set"
	case s.Start.IsZero() || s.End.IsZero():
		return "start and end must both be set"
	case !s.End.After(s.Start):
		return fmt.Sprintf("end %s is not after start %s", s.End.UTC().Format(time.RFC3339), s.Start.UTC().Format(time.RFC3339))
	case s.Summary != nil && !json.Valid(s.Summary):
		return "summary is not valid JSON; store json.Marshal of the exposure.Summary"
	}
	return ""
}

// Shifts returns the shifts overlapping [from, to), oldest first (by start,
// then zone, then quantity). A zero from or to leaves that side open. A
// journal written before shifts were recorded has none.
func (j *Journal) Shifts(from, to time.Time) ([]Shift, error) {
	if j.version < 2 {
		return nil, nil // opened read-only at schema 1: no shifts table
	}
	lo, hi := bounds(from, to)
	var out []Shift
	err := j.query("shifts", func(r *sql.Rows) error {
		var s Shift
		var start, end int64
		var sum sql.NullString
		if err := r.Scan(&s.Zone, &s.Quantity, &start, &end, &s.Finished, &sum); err != nil {
			return err
		}
		s.Start, s.End = utc(start), utc(end)
		if sum.Valid {
			s.Summary = []byte(sum.String)
		}
		out = append(out, s)
		return nil
	}, `SELECT zone, quantity, start_ms, end_ms, finished, summary FROM shifts
		WHERE start_ms < ? AND end_ms > ? ORDER BY start_ms, zone, quantity`, hi, lo)
	return out, err
}
