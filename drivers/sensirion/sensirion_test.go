package sensirion

import (
	"errors"
	"testing"
)

func TestCRC8Datasheet(t *testing.T) {
	// Every Sensirion I2C datasheet gives CRC(0xBEEF) = 0x92.
	if got := CRC8([]byte{0xbe, 0xef}); got != 0x92 {
		t.Fatalf("CRC8(0xBEEF) = 0x%02x, want 0x92", got)
	}
}

func TestDecodeWords(t *testing.T) {
	frame := EncodeWords(nil, 0xbeef, 0x0102)
	w, err := DecodeWords(frame)
	if err != nil || len(w) != 2 || w[0] != 0xbeef || w[1] != 0x0102 {
		t.Fatalf("DecodeWords = %v, %v", w, err)
	}
	frame[5] ^= 0x01
	_, err = DecodeWords(frame)
	var ce *CRCError
	if !errors.Is(err, ErrCRC) || !errors.As(err, &ce) || ce.Word != 1 {
		t.Fatalf("corrupt word 1: err = %v", err)
	}
	if _, err := DecodeWords(frame[:4]); err == nil {
		t.Fatal("a 4-byte frame decoded")
	}
}

func TestCommand(t *testing.T) {
	got := Command(0x362f, 0x01e0)
	want := []byte{0x36, 0x2f, 0x01, 0xe0, 0xb4}
	if string(got) != string(want) {
		t.Fatalf("Command = % x, want % x", got, want)
	}
}
