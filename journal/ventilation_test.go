package journal

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
)

func TestVentilationWriteRead(t *testing.T) {
	j := open(t, Options{})
	vs := []Ventilation{
		{Time: t0.Add(time.Minute), Zone: "booth1", ACH: 60, NominalACH: 120, Share: 0.5, Observations: 1},
		{Time: t0.Add(2 * time.Minute), Zone: "booth2", ACH: 90, NominalACH: 100, Share: 0.9, Observations: 4},
		{Time: t0.Add(3 * time.Minute), Zone: "booth1", ACH: 30, NominalACH: 120, Share: 0.25, Observations: 2},
	}
	write(t, j, Batch{Ventilation: vs})
	write(t, j, Batch{Ventilation: vs[2:]}) // written again: one row
	got, err := j.Ventilations(time.Time{}, time.Time{})
	if err != nil || len(got) != 3 || got[0] != vs[0] || got[2] != vs[2] {
		t.Fatalf("Ventilations: %+v, %v; want %+v", got, err, vs)
	}
	last, err := j.LastVentilation()
	if err != nil || len(last) != 2 || last[0] != vs[2] || last[1] != vs[1] {
		t.Errorf("LastVentilation: %+v, %v; want booth1's second and booth2's", last, err)
	}
	for _, bad := range []Ventilation{
		{Time: t0, Zone: "booth1", ACH: math.NaN(), NominalACH: 120, Share: 0.5, Observations: 1},
		{Time: t0, Zone: "", ACH: 1, NominalACH: 2, Share: 0.5, Observations: 1},
		{Time: t0, Zone: "booth1", ACH: 1, NominalACH: 2, Share: 0.5},
	} {
		if _, err := j.Write(Batch{Ventilation: []Ventilation{bad}}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v, want ErrInvalid", bad, err)
		}
	}
}

// TestVentilationOverSchema4 opens a journal as the ventd before the
// ventilation table left it (schema 4, chained, with rows): Open adds the
// table, the old chain still verifies, and a measurement written after is
// sealed, so a changed one is named.
func TestVentilationOverSchema4(t *testing.T) {
	const before = 4
	path := atSchema(t, before)
	j, err := Open(path, Options{Clock: clock.NewSim(t0, 0), NoSync: true})
	if err != nil {
		t.Fatalf("Open of a schema %d journal: %v", before, err)
	}
	defer j.Close()
	write(t, j, chainBatch(0)) // a schema 4 batch, written by this build
	if j.Version() != SchemaVersion || SchemaVersion != before+1 {
		t.Fatalf("schema %d after Open, want %d", j.Version(), before+1)
	}
	b := chainBatch(1)
	b.Ventilation = []Ventilation{{Time: t0.Add(time.Minute + 45*time.Second), Zone: "booth", ACH: 55, NominalACH: 110, Share: 0.5, Observations: 7}}
	write(t, j, b)
	v := verify(t, j, VerifyOptions{})
	if !v.OK() || v.Links != 2 || v.Rows != 2*sealedPerBatch+3+1 {
		t.Fatalf("after the upgrade: %+v; want OK, 2 links, the measurement sealed", v)
	}
	if _, err := j.db.Exec(`UPDATE ventilation SET ach = 90, share = 0.82 WHERE zone = 'booth'`); err != nil {
		t.Fatal(err)
	}
	if v := verify(t, j, VerifyOptions{}); v.OK() || v.Problems[0].Table != "ventilation" {
		t.Errorf("a measurement changed after it was written: %+v", v.Problems)
	}
}
