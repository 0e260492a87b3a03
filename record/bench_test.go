package record

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkLaggingOutput publishes lag records, each carrying a minute
// aggregate as the loop's do once a minute for each zone and pollutant,
// to an output stuck in Receive throughout, then lets it take them: the
// cost of an output (MQTT, the journal on a stalled disk) that falls
// behind by lag periods, most of them merged.
func BenchmarkLaggingOutput(b *testing.B) {
	for _, lag := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprint(lag), func(b *testing.B) {
			recs := make([]*Period, lag)
			for i := range recs {
				recs[i] = &Period{Number: uint64(i + 1), Time: time.Unix(int64(i), 0), Covers: 1,
					Minutes: []Minute{{Start: time.Unix(int64(i), 0), Zone: "staff", Count: 60}}}
			}
			for b.Loop() {
				h := NewHub()
				c := &collector{gate: make(chan struct{})}
				h.Attach("slow", c, nil)
				for _, p := range recs {
					h.Publish(p)
				}
				close(c.gate)
				if err := h.Idle(context.Background()); err != nil {
					b.Fatal(err)
				}
				h.Close(time.Second)
			}
		})
	}
}
