package sensirionc

import "testing"

// The datasheets' worked example: CRC(0xBEEF) = 0x92.
func TestCRCDatasheetExample(t *testing.T) {
	if got := CRC([]byte{0xbe, 0xef}); got != 0x92 {
		t.Errorf("CRC(be ef) = 0x%02x, want 0x92", got)
	}
	if got := AddUint32(Command(0x8004), 0x00093a80); len(got) != 8 || got[5] != 0x3a || got[6] != 0x80 || got[7] != CRC([]byte{0x3a, 0x80}) {
		t.Errorf("AddUint32 frame % x", got)
	}
}
