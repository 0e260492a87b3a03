package sensirion

// Identity is what a Sensirion sensor says about itself when asked, for a
// technician's bus scan: each driver's Identify sends only the commands
// its datasheet gives for this, so no command word is written outside the
// driver that owns it.
type Identity struct {
	Part   string // the part as it reports itself: SPS30, SCD41, SGP40...
	Serial string
	// Note is anything the technician should know: a product type another
	// part shares, or that the sensor had to be stopped to answer.
	Note string
}
