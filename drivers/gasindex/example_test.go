package gasindex_test

import (
	"fmt"
	"time"

	"github.com/ventd/ventd/drivers/gasindex"
)

func Example() {
	voc := gasindex.NewVOC(time.Second) // one sample per SGP41 measurement
	show := func(label string, sraw int32, seconds int) {
		var idx int32
		for range seconds {
			idx = voc.Process(sraw)
		}
		fmt.Printf("%-14s VOC Index %d\n", label, idx)
	}
	show("blackout", 27000, 30)
	show("usual air", 27000, 3600)

	// A smoking session: freeze learning so the smoke is not learned as
	// usual air, then let the baseline adapt again.
	voc.SetLearning(false)
	show("session", 26500, 600)
	voc.SetLearning(true)
	show("after purge", 27000, 1200)

	// Persist what was learned; restore it after a restart.
	saved := voc.State()
	restarted := gasindex.NewVOC(time.Second)
	if err := restarted.SetState(saved); err != nil {
		fmt.Println(err)
	}
	fmt.Println("restored index", restarted.Process(27000))
	// Output:
	// blackout       VOC Index 0
	// usual air      VOC Index 100
	// session        VOC Index 408
	// after purge    VOC Index 100
	// restored index 100
}
