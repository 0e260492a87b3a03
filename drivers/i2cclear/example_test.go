package i2cclear_test

import (
	"fmt"

	"github.com/ventd/ventd/drivers/i2cclear"
	"github.com/ventd/ventd/testbench/i2csim"
)

// A sensor cut off mid-byte holds SDA low and every transfer on the bus
// fails; nine clocks and a STOP free it. On a Pi 1-4, scl and sda are
// gpioreg.ByName("GPIO3") and gpioreg.ByName("GPIO2") after host.Init.
func Example() {
	bus := i2csim.New("i2c-1", nil)
	bus.Attach(0x69, device{})
	bus.Inject(0x69, i2csim.Fault{Kind: i2csim.FaultStuckBus, Count: 1, Clocks: 6})
	fmt.Println(bus.Tx(0x69, nil, make([]byte, 3)) != nil, bus.Stuck())

	scl, sda := bus.Lines()
	n, err := i2cclear.ClearPins(scl, sda, nil)
	fmt.Println(n, err, bus.Stuck())
	fmt.Println(bus.Tx(0x69, []byte{0xd0, 0x02}, nil))
	// Output:
	// true true
	// 6 <nil> false
	// <nil>
}
