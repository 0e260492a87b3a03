package i2ctrace_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ventd/ventd/drivers/i2ctrace"
	"github.com/ventd/ventd/testbench/i2csim"
)

// echo answers a read with what was last written.
type echo struct{ last []byte }

func (e *echo) Write(w []byte) error { e.last = append([]byte(nil), w...); return nil }
func (e *echo) Read(r []byte) error {
	if len(e.last) == 0 {
		return i2csim.NACK("nothing written yet")
	}
	copy(r, e.last)
	return nil
}

func TestTranscriptRoundTrip(t *testing.T) {
	b := i2csim.New("sim", nil)
	b.Attach(0x62, &echo{})
	rec := i2ctrace.Record(b)
	r := make([]byte, 2)
	if err := rec.Tx(0x62, []byte{0xec, 0x05}, r); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := i2ctrace.WriteTranscript(&buf, rec.Ops); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "0x62 w=ec05 r=ec05\n" {
		t.Fatalf("transcript = %q", buf.String())
	}
	ops, err := i2ctrace.ReadTranscript(strings.NewReader("# header\n"+buf.String()), "t")
	if err != nil {
		t.Fatal(err)
	}
	p := i2ctrace.Playback(ops)
	if err := p.Tx(0x62, []byte{0xec, 0x05}, r); err != nil || r[0] != 0xec {
		t.Fatal(err)
	}
	if err := p.Tx(0x62, []byte{0x00}, r); err == nil {
		t.Fatal("playback accepted a transfer past the end")
	}
	if _, err := i2ctrace.ReadTranscript(strings.NewReader("0x62 x=zz\n"), "bad.txt"); err == nil || !strings.Contains(err.Error(), "bad.txt:1") {
		t.Fatalf("bad transcript: %v", err)
	}
}

func TestRecorderStreamsTransfersAndFailures(t *testing.T) {
	b := i2csim.New("sim", nil)
	b.Attach(0x62, &echo{})
	var buf bytes.Buffer
	rec := i2ctrace.NewRecorder(b, &buf)
	r := make([]byte, 1)
	if err := rec.Tx(0x62, []byte{0x01}, r); err != nil {
		t.Fatal(err)
	}
	if err := rec.Tx(0x10, []byte{0x02}, nil); err == nil {
		t.Fatal("absent device acknowledged")
	}
	if err := rec.Flush(); err != nil {
		t.Fatal(err)
	}
	ops, err := i2ctrace.ReadTranscript(strings.NewReader(buf.String()), "rec")
	if err != nil || len(ops) != 1 || ops[0].Addr != 0x62 {
		t.Fatalf("ops %+v, %v", ops, err)
	}
	if !strings.Contains(buf.String(), "# 0x10 w=02:") {
		t.Errorf("failed transfer not kept as a comment:\n%s", buf.String())
	}
}
