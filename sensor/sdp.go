package sensor

import (
	"fmt"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sdp8xx"
	"github.com/ventd/ventd/sample"
)

// sdpDevice is an SDP810 or SDP31 measuring the booth's differential
// pressure against the staff area.
type sdpDevice struct {
	clk clock.Clock
	dev *sdp8xx.Dev
}

func (p *sdpDevice) open(bus i2c.Bus, addr uint16) error {
	dev, err := sdp8xx.New(bus, &sdp8xx.Opts{Addr: addr, Clock: p.clk})
	if err != nil {
		return err
	}
	if err := dev.Start(); err != nil {
		return err
	}
	p.dev = dev
	return nil
}

func (p *sdpDevice) poll(_ time.Time, dst []value) ([]value, error) {
	var r sdp8xx.Reading
	if err := p.dev.Sense(&r); err != nil {
		return nil, err
	}
	// ±500 Pa is the widest SDP range; a booth never sees more than tens.
	return append(dst, checkRange(sample.Pressure, r.Pressure, -500, 500)), nil
}

func (p *sdpDevice) halt() error {
	if p.dev == nil {
		return nil
	}
	return p.dev.Halt()
}

func (p *sdpDevice) serial() string {
	if p.dev == nil {
		return ""
	}
	return fmt.Sprintf("%x", p.dev.Serial())
}
