package sdp8xx

import "fmt"

// product is one part of the family, told apart by its product number.
type product struct {
	name  string
	scale uint16 // counts per Pa the part sends as its scale factor
}

// products maps a product number without its last byte, which is the
// revision and "can be subject to change" (Sensirion's SDP driver), to the
// part. SDP8xx numbers are from the SDP8xx datasheet's product identifier
// table; the SDP3x ones end in a revision byte too (0x03010188 is a
// shipped SDP31).
var products = map[uint32]product{
	0x03020100: {"SDP800-500Pa", 60},
	0x03020A00: {"SDP810-500Pa", 60},
	0x03020400: {"SDP801-500Pa", 60},
	0x03020D00: {"SDP811-500Pa", 60},
	0x03020200: {"SDP800-125Pa", 240},
	0x03020B00: {"SDP810-125Pa", 240},
	0x03010100: {"SDP31-500Pa", 60},
	0x03010200: {"SDP32-125Pa", 240},
}

// Product number families: the upper 16 bits.
const (
	familySDP3x  = 0x0301
	familySDP8xx = 0x0302
)

// identify names the part with product number pn. A member of either
// family that the table does not know (a newer variant) is accepted with
// scale 0, meaning "whatever the sensor sends": the scale factor comes
// with every measurement, so the driver needs no table to convert.
func identify(pn uint32) (product, error) {
	if p, ok := products[pn&^0xff]; ok {
		return p, nil
	}
	switch pn >> 16 {
	case familySDP3x:
		return product{name: fmt.Sprintf("SDP3x(0x%08x)", pn)}, nil
	case familySDP8xx:
		return product{name: fmt.Sprintf("SDP8xx(0x%08x)", pn)}, nil
	}
	return product{}, fmt.Errorf("product number 0x%08x is not an SDP3x (0x0301xxxx) or SDP8xx (0x0302xxxx)", pn)
}
