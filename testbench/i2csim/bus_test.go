package i2csim

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// echo is a device that reads back what was last written.
type echo struct{ last []byte }

func (e *echo) Write(w []byte) error { e.last = append([]byte(nil), w...); return nil }
func (e *echo) Read(r []byte) error {
	if len(e.last) == 0 {
		return NACK("nothing written yet")
	}
	copy(r, e.last)
	return nil
}

func TestBusNACKAbsent(t *testing.T) {
	b := New("sim", nil)
	err := b.Tx(0x62, []byte{1}, nil)
	var n *NACKError
	if !errors.Is(err, ErrNACK) || !errors.As(err, &n) || n.Addr != 0x62 {
		t.Fatalf("absent device: err = %v", err)
	}
}

func TestBusDeviceNACKGetsAddress(t *testing.T) {
	b := New("sim", nil)
	b.Attach(0x10, &echo{})
	err := b.Tx(0x10, nil, make([]byte, 1))
	if !strings.Contains(err.Error(), "0x10") || !strings.Contains(err.Error(), "nothing written") {
		t.Fatalf("err = %v", err)
	}
}

func TestBusFaults(t *testing.T) {
	var slept time.Duration
	b := New("sim", func(d time.Duration) { slept += d })
	b.Attach(0x10, &echo{})
	b.Inject(0x10, Fault{Kind: FaultNACK, Count: 2})
	b.Inject(0x10, Fault{Kind: FaultCorrupt, Count: 1})
	b.Inject(0x10, Fault{Kind: FaultSlow, Count: 1, Delay: 30 * time.Millisecond})
	for i := range 2 {
		if err := b.Tx(0x10, []byte{1, 2, 3}, nil); !errors.Is(err, ErrNACK) {
			t.Fatalf("transfer %d: err = %v, want NACK", i, err)
		}
	}
	// The corrupt fault waits for a read: the write passes untouched.
	if err := b.Tx(0x10, []byte{1, 2, 3}, nil); err != nil {
		t.Fatal(err)
	}
	r := make([]byte, 3)
	if err := b.Tx(0x10, nil, r); err != nil || !bytes.Equal(r, []byte{1, 2, 2}) {
		t.Fatalf("corrupt read = % x, %v", r, err)
	}
	if err := b.Tx(0x10, nil, r); err != nil || !bytes.Equal(r, []byte{1, 2, 3}) || slept != 30*time.Millisecond {
		t.Fatalf("slow read = % x, %v, slept %v", r, err, slept)
	}
	b.Inject(0x10, Fault{Kind: FaultNACK})
	for range 5 {
		if err := b.Tx(0x10, nil, r); err == nil {
			t.Fatal("uncounted fault cleared itself")
		}
	}
	b.ClearFaults(0x10)
	if err := b.Tx(0x10, nil, r); err != nil {
		t.Fatal(err)
	}
}

func TestBusDisconnect(t *testing.T) {
	b := New("sim", nil)
	b.Attach(0x10, &echo{})
	b.Attach(0x69, &echo{})
	b.Disconnect(0x10)
	if got := b.Addresses(); len(got) != 1 || got[0] != 0x69 {
		t.Fatalf("Addresses = %v", got)
	}
	if err := b.Tx(0x10, []byte{1}, nil); !errors.Is(err, ErrNACK) {
		t.Fatalf("disconnected: %v", err)
	}
	b.Reconnect(0x10)
	r := make([]byte, 1)
	if err := b.Tx(0x10, []byte{7}, r); err != nil || r[0] != 7 {
		t.Fatalf("reconnected: %v % x", err, r)
	}
}
