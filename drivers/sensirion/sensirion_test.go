package sensirion

import (
	"errors"
	"slices"
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

// crcBitwise is the datasheet's bit-by-bit algorithm, to check the table.
func crcBitwise(b []byte) byte {
	crc := byte(0xff)
	for _, v := range b {
		crc ^= v
		for range 8 {
			if crc&0x80 != 0 {
				crc = crc<<1 ^ 0x31
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

func TestCRC8Table(t *testing.T) {
	for a := 0; a < 256; a++ {
		for b := 0; b < 256; b += 7 {
			w := []byte{byte(a), byte(b)}
			if CRC8(w) != crcBitwise(w) {
				t.Fatalf("CRC8(% x) = 0x%02x, bitwise 0x%02x", w, CRC8(w), crcBitwise(w))
			}
		}
	}
}

func BenchmarkCRC8(b *testing.B) {
	w := []byte{0xbe, 0xef}
	for i := 0; i < b.N; i++ {
		CRC8(w)
	}
}

// TestEncodeDecodeEveryWord frames every 16-bit word, each checked against
// CRC8 over its two bytes, and decodes the frame back.
func TestEncodeDecodeEveryWord(t *testing.T) {
	words := make([]uint16, 1<<16)
	for i := range words {
		words[i] = uint16(i)
	}
	frame := EncodeWords([]byte{0xAA}, words...)
	if len(frame) != 1+3*len(words) || frame[0] != 0xAA {
		t.Fatalf("frame of %d bytes starting 0x%02x, want %d starting 0xaa", len(frame), frame[0], 1+3*len(words))
	}
	for i, w := range words {
		f := frame[1+3*i:]
		if f[0] != byte(w>>8) || f[1] != byte(w) || f[2] != CRC8(f[:2]) {
			t.Fatalf("word 0x%04x framed as % x", w, f[:3])
		}
	}
	got, err := DecodeWords(frame[1:])
	if err != nil || !slices.Equal(got, words) {
		t.Fatalf("decoded %d words, err %v", len(got), err)
	}
}
