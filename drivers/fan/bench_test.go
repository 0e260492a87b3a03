package fan

import (
	"testing"

	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/pca9685sim"
)

func BenchmarkSetDuty(b *testing.B) {
	duties := []float64{0.2, 0.5, 0.8, 1}
	b.Run("sysfs", func(b *testing.B) {
		root := b.TempDir()
		chip := fakeChip(b, root, 0, 2)
		fakeChannel(b, chip, 0, 40000, 0, 1)
		p, err := NewSysfsPWM(SysfsPWMOpts{Root: root})
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; b.Loop(); i++ {
			if err := p.SetDuty(duties[i%len(duties)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pca9685", func(b *testing.B) {
		bus := i2csim.New("I2C1", nil)
		bus.Attach(0x40, pca9685sim.New(nil))
		o, err := NewPCA9685(bus, PCA9685Opts{})
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; b.Loop(); i++ {
			if err := o.SetDuty(duties[i%len(duties)]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(bus.Transfers())/float64(b.N), "transfers/op")
	})
}
