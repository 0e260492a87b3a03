package mqtt

import (
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"testing"
)

// chunkConn hands out what it holds a few bytes at a time, as TCP may.
type chunkConn struct {
	net.Conn
	data []byte
	rng  *rand.Rand
}

func (c *chunkConn) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(c.data), 1+c.rng.IntN(7))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

func (c *chunkConn) Close() error { return nil }

// packet is the fixed header of an MQTT packet of type byte h with a
// body of n bytes.
func packet(h byte, n int) []byte {
	out := []byte{h}
	for {
		b := byte(n % 128)
		n /= 128
		if n > 0 {
			b |= 0x80
		}
		out = append(out, b)
		if n == 0 {
			break
		}
	}
	return out
}

// The limit follows packets split anywhere, of every length encoding, and
// stops at the first header over it, not before.
func TestLimitConnFollowsPackets(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var stream []byte
	for range 2000 {
		n := []int{0, 2, 127, 128, 300, 16383, 16384, maxIncoming}[rng.IntN(8)]
		p := packet(0x30, n)
		stream = append(stream, p...)
		stream = append(stream, make([]byte, n)...)
	}
	good := len(stream)
	stream = append(stream, packet(0x30, maxIncoming+1)...)
	stream = append(stream, make([]byte, 100)...)
	c := &limitConn{Conn: &chunkConn{data: stream, rng: rng}, max: maxIncoming}
	var got int
	buf := make([]byte, 4096)
	var err error
	for err == nil {
		var n int
		n, err = c.Read(buf)
		got += n
	}
	if !errors.Is(err, errTooLarge) {
		t.Fatalf("after %d bytes: %v, want errTooLarge", got, err)
	}
	// The read that completes the header's length is refused whole: a
	// few bytes of the packet before it may go with it, and the header's
	// first bytes may have gone before it.
	if got < good-8 || got > good+4 {
		t.Errorf("read %d bytes before the refusal; the packets within the limit are %d", got, good)
	}
}
