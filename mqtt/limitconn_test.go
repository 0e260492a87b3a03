package mqtt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"testing"

	"github.com/eclipse/paho.mqtt.golang/packets"
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
func packet(h byte, n int) []byte { return appendLength([]byte{h}, n) }

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
	stream = append(stream, packet(0x90, maxIncoming+1)...) // a SUBACK: no message to pass on without its body
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

// A message past the limit is passed on to paho as the same PUBLISH with
// its payload dropped: topic, packet id and flags kept (paho acknowledges
// it, QoS 1 and 2 alike), the packets around it untouched, and onDrop told
// its topic and size. Split anywhere, as TCP may.
func TestLimitConnDropsALargeMessagesPayload(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	type sent struct {
		p    *packets.PublishPacket
		over bool
	}
	var want []sent
	var stream bytes.Buffer
	for i := range 300 {
		p := packets.NewControlPacket(packets.Publish).(*packets.PublishPacket)
		p.Qos = byte(i % 3)
		p.Retain = i%5 == 0
		p.Dup = i%7 == 0 && p.Qos > 0
		p.TopicName = fmt.Sprintf("homeassistant/status/%d", i)
		if i%11 == 0 {
			p.TopicName = strings.Repeat("t", 40000) // a long topic, to the variable header's bound
		}
		if p.Qos > 0 {
			p.MessageID = uint16(i + 1)
		}
		n := []int{0, 5, 1000, maxIncoming - 100, maxIncoming + 1, 200_000}[rng.IntN(6)]
		p.Payload = bytes.Repeat([]byte{byte('a' + i%26)}, n)
		if err := p.Write(&stream); err != nil {
			t.Fatal(err)
		}
		// Its remaining length: the topic, the packet id, the payload.
		length := 2 + len(p.TopicName) + n
		if p.Qos > 0 {
			length += 2
		}
		want = append(want, sent{p, length > maxIncoming})
		if i%4 == 0 {
			packets.NewControlPacket(packets.Pingresp).Write(&stream)
		}
	}
	var drops []dropped
	c := &limitConn{Conn: &chunkConn{data: stream.Bytes(), rng: rng}, max: maxIncoming, onDrop: func(d dropped) { drops = append(drops, d) }}
	nDrop := 0
	for i, w := range want {
		cp, err := packets.ReadPacket(c)
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		got, ok := cp.(*packets.PublishPacket)
		if !ok {
			t.Fatalf("packet %d: %T", i, cp)
		}
		wantPayload := w.p.Payload
		if w.over {
			wantPayload = nil
			if nDrop >= len(drops) || drops[nDrop] != (dropped{topic: w.p.TopicName, bytes: len(w.p.Payload), retained: w.p.Retain}) {
				t.Fatalf("packet %d dropped: onDrop heard %+v", i, drops[nDrop:])
			}
			nDrop++
		}
		if got.TopicName != w.p.TopicName || got.MessageID != w.p.MessageID || got.Qos != w.p.Qos || got.Retain != w.p.Retain ||
			got.Dup != w.p.Dup || !bytes.Equal(got.Payload, wantPayload) {
			t.Fatalf("packet %d: got topic %.30q id %d qos %d retain %t dup %t, %d bytes; want %.30q %d %d %t %t, %d bytes",
				i, got.TopicName, got.MessageID, got.Qos, got.Retain, got.Dup, len(got.Payload),
				w.p.TopicName, w.p.MessageID, w.p.Qos, w.p.Retain, w.p.Dup, len(wantPayload))
		}
		if i%4 == 0 {
			if cp, err := packets.ReadPacket(c); err != nil {
				t.Fatalf("after packet %d: %v", i, err)
			} else if _, ok := cp.(*packets.PingrespPacket); !ok {
				t.Fatalf("after packet %d: %T, want the PINGRESP", i, cp)
			}
		}
	}
	if nDrop != len(drops) || nDrop == 0 {
		t.Errorf("%d dropped, onDrop heard %d", nDrop, len(drops))
	}
	if _, err := packets.ReadPacket(c); err != io.EOF {
		t.Errorf("at the end: %v", err)
	}
}
