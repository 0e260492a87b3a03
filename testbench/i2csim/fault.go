package i2csim

import "time"

// FaultKind is a way a transfer can go wrong.
type FaultKind int

const (
	// FaultNACK refuses the transfer, as a device in a lockup does.
	FaultNACK FaultKind = iota + 1
	// FaultCorrupt flips a bit of the data read, so its CRC fails.
	FaultCorrupt
	// FaultSlow stretches the transfer by Delay before the device answers.
	FaultSlow
	// FaultStuckBus cuts the transfer off mid-byte: the device holds SDA
	// low, and every transfer on the bus fails with a BusStuckError until
	// the bus is cleared (Bus.ClearBus).
	FaultStuckBus
)

func (k FaultKind) String() string {
	switch k {
	case FaultNACK:
		return "nack"
	case FaultCorrupt:
		return "corrupt"
	case FaultSlow:
		return "slow"
	case FaultStuckBus:
		return "stuck bus"
	}
	return "unknown"
}

// Fault is an injected fault on the transfers to one address.
type Fault struct {
	Kind  FaultKind
	Count int           // transfers it affects; 0 means until cleared
	Delay time.Duration // for FaultSlow
	// Clocks, for FaultStuckBus, is how many SCL pulses the device needs
	// to let SDA go: 1 to 9 (0 means 9, a whole byte and its acknowledge
	// bit), or Forever for a device locked up for good, which no bus
	// clear frees (ClearFaults does: a power cycle).
	Clocks int
}

// Forever is a FaultStuckBus device's Clocks when no clock frees it.
const Forever = -1

// Inject adds a fault for transfers to addr. Faults apply in the order
// injected; a counted fault is used up before the next applies.
func (b *Bus) Inject(addr uint16, f Fault) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s, ok := b.devices[addr]; ok {
		c := f
		s.faults = append(s.faults, &c)
	}
}

// ClearFaults removes every injected fault at addr and, like a power
// cycle of the device, lets go of a bus it holds.
func (b *Bus) ClearFaults(addr uint16) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s, ok := b.devices[addr]; ok {
		s.faults = nil
	}
	if (b.lines.held || b.lines.needStop) && b.lines.holder == addr {
		b.lines.held, b.lines.needStop = false, false
	}
}

// takeFault returns the fault for this transfer, using up one count.
// The caller holds the bus lock.
// Corruption waits for a transfer that reads: there is nothing to corrupt
// in a command write.
func (s *slot) takeFault(reads bool) *Fault {
	if len(s.faults) == 0 {
		return nil
	}
	f := s.faults[0]
	if f.Kind == FaultCorrupt && !reads {
		return nil
	}
	if f.Count > 0 {
		f.Count--
		if f.Count == 0 {
			s.faults = s.faults[1:]
		}
	}
	return f
}
