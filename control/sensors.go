package control

import "github.com/ventd/ventd/sample"

// sensorIndex finds each configured sensor's sample in a period's input.
// Each sensor is given a slot when the room is built; a period's input is
// then read by slot, not by name. The daemon hands the law the same
// sensors in the same order every period, so the slot found for each
// position of the input is kept and only checked against the name there:
// a map of every sample by name, built afresh each period, and asked by
// name for each booth sensor, was a tenth of the law's time.
type sensorIndex struct {
	slotOf map[string]int // configured sensor → slot
	// names and slots are the input's positions as last seen: the
	// sensor named there and its slot (-1: no configured sensor).
	names []string
	slots []int
	// at is this period's input position of each slot's sample, -1
	// where the input has none; in is the input, until the period ends.
	at []int
	in []sample.Sample
}

// slot returns name's slot, giving it one if it has none.
func (x *sensorIndex) slot(name string) int {
	if x.slotOf == nil {
		x.slotOf = map[string]int{}
	}
	s, ok := x.slotOf[name]
	if !ok {
		s = len(x.at)
		x.slotOf[name] = s
		x.at = append(x.at, -1)
	}
	return s
}

// take reads a period's input: as a map by name would, a sensor that
// appears more than once gives its last sample. in is read until done.
func (x *sensorIndex) take(in []sample.Sample) {
	for i := range x.at {
		x.at[i] = -1
	}
	if len(x.names) != len(in) {
		x.names, x.slots = make([]string, len(in)), make([]int, len(in))
		for k := range in {
			x.names[k], x.slots[k] = in[k].Sensor, x.lookup(in[k].Sensor)
		}
	}
	for k := range in {
		if name := in[k].Sensor; name != x.names[k] {
			x.names[k], x.slots[k] = name, x.lookup(name)
		}
		if s := x.slots[k]; s >= 0 {
			x.at[s] = k
		}
	}
	x.in = in
}

// lookup is name's slot, -1 for a sensor the room does not know.
func (x *sensorIndex) lookup(name string) int {
	if s, ok := x.slotOf[name]; ok {
		return s
	}
	return -1
}

// get returns the sample of the sensor in slot this period, if the input
// has one; it stays valid until done.
func (x *sensorIndex) get(slot int) (*sample.Sample, bool) {
	if k := x.at[slot]; k >= 0 {
		return &x.in[k], true
	}
	return nil, false
}

// done ends the period: the input is the caller's again.
func (x *sensorIndex) done() { x.in = nil }
