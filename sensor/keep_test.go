package sensor

import (
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/gasindex"
	"github.com/ventd/ventd/drivers/sgp4x"
)

// TestGasIndexKeptAsMap: an SGP4x's learned state is saved as the JSON of
// the map restore reads, byte for byte as json.Marshal of that map, which
// keepTo no longer builds; and restore takes it back.
func TestGasIndexKeptAsMap(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, v := range []sgp4x.Variant{sgp4x.SGP40, sgp4x.SGP41} {
		g := newSGP4x("voc", "booth", v, clock.Real{}, nil, log, time.Second)
		for i := range 3000 { // past the blackout: a Resume part, learned figures
			g.voc.Process(int32(30000 + 37*(i%50)))
			g.nox.Process(int32(16000 + 11*(i%20)))
		}
		m := map[string]gasindex.State{"voc": g.voc.State()}
		if v == sgp4x.SGP41 {
			m["nox"] = g.nox.State()
		}
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		g.keepTo(out)
		if got := out[g.learnedKey()]; got != string(want) || len(out) != 1 {
			t.Fatalf("%v: kept %q, want %s", v, out, want)
		}
		h := newSGP4x("voc", "booth", v, clock.Real{}, nil, log, time.Second)
		h.restore(func(k string) (string, bool) { s, ok := out[k]; return s, ok })
		again := map[string]string{}
		h.keepTo(again)
		if again[g.learnedKey()] != out[g.learnedKey()] {
			t.Errorf("%v: restored and kept again %q, kept %q", v, again, out)
		}
	}
}
