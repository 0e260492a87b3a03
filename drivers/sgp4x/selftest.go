package sgp4x

import (
	"errors"
	"fmt"
	"strings"
)

// ErrSelfTest means the built-in self-test found a damaged pixel.
var ErrSelfTest = errors.New("self-test failed")

// Self-test answers. The SGP41 reports one bit per pixel in the low byte
// (set: failed) and its high byte carries nothing; the SGP40 answers with
// one of two fixed words.
const (
	selfTestVOCBit = 0x01
	selfTestNOxBit = 0x02
	sgp40Pass      = 0xD400
	sgp40Fail      = 0x4B00
)

// SelfTestError is a failed self-test, with the sensor's answer.
type SelfTestError struct {
	Variant Variant
	Result  uint16 // the word the sensor returned
}

// VOC reports whether the VOC pixel failed.
func (e *SelfTestError) VOC() bool {
	if e.Variant == SGP40 {
		return e.Result == sgp40Fail
	}
	return e.Result&selfTestVOCBit != 0
}

// NOx reports whether the NOx pixel failed (never on an SGP40).
func (e *SelfTestError) NOx() bool {
	return e.Variant == SGP41 && e.Result&selfTestNOxBit != 0
}

func (e *SelfTestError) Error() string {
	var bad []string
	if e.VOC() {
		bad = append(bad, "VOC pixel")
	}
	if e.NOx() {
		bad = append(bad, "NOx pixel")
	}
	return fmt.Sprintf("self-test failed: %s (result 0x%04x); the sensing element is damaged: replace the sensor", strings.Join(bad, " and "), e.Result)
}

// Unwrap lets errors.Is(err, ErrSelfTest) match.
func (e *SelfTestError) Unwrap() error { return ErrSelfTest }

// SelfTest runs the built-in test of the hotplate and the MOx material
// (0x280E, 320 ms). A failed pixel is a *SelfTestError wrapping
// ErrSelfTest. Called while measuring, the heater stays on afterwards;
// called idle, the sensor returns to idle.
func (d *Dev) SelfTest() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	w, err := d.read(cmdSelfTest, execSelfTest, 1)
	if err != nil {
		return fmt.Errorf("sgp4x: self-test: %w", err)
	}
	r := w[0]
	if d.variant == SGP40 {
		switch r {
		case sgp40Pass:
			return nil
		case sgp40Fail:
			return fmt.Errorf("sgp4x: %w", &SelfTestError{Variant: d.variant, Result: r})
		}
		return fmt.Errorf("sgp4x: self-test: unexpected result 0x%04x (the SGP40 answers 0xd400 or 0x4b00); is this an SGP41? set Opts.Variant", r)
	}
	if r&(selfTestVOCBit|selfTestNOxBit) != 0 {
		return fmt.Errorf("sgp4x: %w", &SelfTestError{Variant: d.variant, Result: r})
	}
	return nil
}
