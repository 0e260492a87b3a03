package i2csim_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/testbench/i2csim"
)

func TestSensirionCommand(t *testing.T) {
	w := sensirion.EncodeWords([]byte{0x26, 0x19}, 0x8000, 0x6666)
	cmd, args, err := i2csim.SensirionCommand(w)
	if err != nil || cmd != 0x2619 || len(args) != 2 || args[0] != 0x8000 || args[1] != 0x6666 {
		t.Fatalf("SensirionCommand(% x) = %#04x, %v, %v; want 0x2619, [0x8000 0x6666], nil", w, cmd, args, err)
	}
	w[len(w)-1] ^= 1
	for _, tc := range []struct {
		w    []byte
		want string
	}{
		{w, "command 0x2619 arguments"},
		{[]byte{0x26}, "write of 1 byte(s): a command is 2 bytes"},
		{nil, "write of 0 byte(s)"},
	} {
		if _, _, err := i2csim.SensirionCommand(tc.w); !errors.Is(err, i2csim.ErrNACK) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SensirionCommand(% x) err = %v, want a NACK saying %q", tc.w, err, tc.want)
		}
	}
}

func TestAnswerPadsWithOnes(t *testing.T) {
	r := make([]byte, 5)
	i2csim.Answer(r, []byte{1, 2, 3})
	if want := []byte{1, 2, 3, 0xff, 0xff}; !bytes.Equal(r, want) {
		t.Errorf("Answer = % x, want % x", r, want)
	}
	short := make([]byte, 2)
	i2csim.Answer(short, []byte{1, 2, 3})
	if want := []byte{1, 2}; !bytes.Equal(short, want) {
		t.Errorf("short read = % x, want % x", short, want)
	}
}
