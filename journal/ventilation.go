package journal

import (
	"database/sql"
	"fmt"
	"time"
)

// Ventilation is one measurement of a booth's ventilation by the control
// law: after each clearing interval it measured (15 s of a booth's smoke
// clearing with no source), its estimate of the air changes the booth
// really gets against what the fans' datasheet promises, at the duty of
// the time. A site reads the history to see a filter clogging or a fan
// failing before exposure rises.
type Ventilation struct {
	Time time.Time
	Zone string
	// ACH is the measured air changes per hour, NominalACH the
	// datasheet's, both at the fans' duty at Time; Share is ACH /
	// NominalACH, the figure that compares across duties.
	ACH, NominalACH, Share float64
	// Observations counts the booth's clearing intervals measured so far,
	// this one included.
	Observations int
	Backwards    time.Duration // set on read
}

func (v *Ventilation) problem() string {
	switch {
	case v.Time.IsZero():
		return "time is zero"
	case v.Zone == "":
		return "zone is empty"
	case !finite(v.ACH) || !finite(v.NominalACH) || !finite(v.Share) || v.ACH < 0 || v.NominalACH < 0 || v.Share < 0:
		return fmt.Sprintf("ach %v, nominal %v and share %v must be finite and not negative (an unmeasured booth has no row)", v.ACH, v.NominalACH, v.Share)
	case v.Observations < 1:
		return fmt.Sprintf("observations %d: a measurement counts at least itself", v.Observations)
	}
	return ""
}

const insertVentilation = `INSERT INTO ventilation (time_ms, zone, ach, nominal_ach, share, observations, backwards_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`

func (w *writer) ventilation(vs []Ventilation) error {
	_, err := w.exec("ventilation", insertVentilation, len(vs), func(i int) []any {
		v := vs[i]
		ms, back := w.stamp(v.Time)
		return []any{ms, v.Zone, v.ACH, v.NominalACH, v.Share, int64(v.Observations), back}
	})
	return err
}

// Ventilations returns the booths' ventilation measurements in [from,
// to), by time.
func (j *Journal) Ventilations(from, to time.Time) ([]Ventilation, error) {
	lo, hi := bounds(from, to)
	var out []Ventilation
	err := j.query("ventilation", scanVentilation(&out), `SELECT `+ventilationColumns+` FROM ventilation
		WHERE time_ms >= ? AND time_ms < ? ORDER BY time_ms, id`, lo, hi)
	return out, err
}

// LastVentilation returns each booth's newest measurement: where the
// control law's learned ventilation stood, for the daemon to restore it at
// start.
func (j *Journal) LastVentilation() ([]Ventilation, error) {
	var out []Ventilation
	err := j.query("ventilation", scanVentilation(&out), `SELECT `+ventilationColumns+` FROM ventilation v
		WHERE id = (SELECT id FROM ventilation w WHERE w.zone = v.zone ORDER BY time_ms DESC, id DESC LIMIT 1)
		ORDER BY zone`)
	return out, err
}

const ventilationColumns = `time_ms, zone, ach, nominal_ach, share, observations, backwards_ms`

func scanVentilation(out *[]Ventilation) func(*sql.Rows) error {
	return func(r *sql.Rows) error {
		var v Ventilation
		var t, back, n int64
		if err := r.Scan(&t, &v.Zone, &v.ACH, &v.NominalACH, &v.Share, &n, &back); err != nil {
			return err
		}
		v.Time, v.Observations, v.Backwards = utc(t), int(n), msDuration(back)
		*out = append(*out, v)
		return nil
	}
}
