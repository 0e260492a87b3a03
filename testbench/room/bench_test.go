package room_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ventd/ventd/testbench/room"
)

// BenchmarkShift plays an 8 h shift (see day) into rooms of 1 to 8 booths,
// every zone read each second as the daemon's sensors read them and every
// booth's fan duty set each second: one op is one shift.
func BenchmarkShift(b *testing.B) {
	for _, booths := range []int{1, 2, 6, 8} {
		b.Run(fmt.Sprintf("booths=%d", booths), func(b *testing.B) {
			cfg := boothsRoom(b, booths)
			b.ReportAllocs()
			for b.Loop() {
				r, err := room.New(cfg, t0)
				if err != nil {
					b.Fatal(err)
				}
				newDay(r, time.Second, 40*time.Millisecond, 8*time.Hour, 7).run(8*time.Hour, nil)
			}
		})
	}
}
