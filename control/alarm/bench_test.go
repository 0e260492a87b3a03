package alarm

import (
	"math"
	"testing"
	"time"
)

// BenchmarkEvaluate is one control-loop tick for one rule: a noisy value
// around the threshold, raising and clearing now and then.
func BenchmarkEvaluate(b *testing.B) {
	s := DefaultSetup()
	s.StaffZones = []string{"staff"}
	s.Sensors = []string{"booth-pm", "staff-pm", "staff-co2", "staff-voc"}
	e, err := NewEngine(DefaultRules(s))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		now := t0.Add(time.Duration(i) * time.Second)
		v := 35 + 20*math.Sin(float64(i)/300)
		if _, err := e.Evaluate(now, "staff/pm25/warning", v, true); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
