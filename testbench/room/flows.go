package room

import (
	"math"
	"slices"
	"time"
)

// flowState is the flow network for one setting of the fans' speeds and
// the doors, with what the steps derive from it.
type flowState struct {
	// key is what the flows depend on: each fan's air (its speed times
	// the share of its rated air it moves; 0 while stalled) and each
	// door's state, bit for bit.
	key []uint64
	// a is the flow matrix without deposition, per hour: inflow from
	// other zones off the diagonal, every outflow on it.
	a           matrix
	fromOutdoor []float64
	// The off-diagonal entries of a by row (rowStart[i] to rowStart[i+1]),
	// for the series step: a booth exchanges air with its staff zone only,
	// so with many booths most of a is zero.
	rowStart []int
	cols     []int
	vals     []float64
	// props holds the propagators by step length, the latest last.
	props []*propagator
	used  uint64 // when last selected, for eviction
}

// Bounds on what the cache keeps. The daemon polls its sensors at a fixed
// pattern of instants each period, so a settled room steps by a handful
// of lengths over and over; the fans settle at a few duties (minimum,
// full, where the law holds) between sessions.
const (
	maxFlowStates = 16
	maxProps      = 32
)

func newFlowState(n, keyLen int) *flowState {
	return &flowState{key: make([]uint64, keyLen), a: newMatrix(n), fromOutdoor: make([]float64, n),
		rowStart: make([]int, n+1)}
}

// flowKey writes into key what the flows depend on.
func (r *Room) flowKey(key []uint64) {
	for i, f := range r.fans {
		key[i] = 0
		if !f.stalled {
			key[i] = math.Float64bits(f.speed * f.flow)
		}
	}
	doors := key[len(r.fans):]
	clear(doors)
	for i, d := range r.doors {
		if d.open {
			doors[i/64] |= 1 << (i % 64)
		}
	}
}

func (r *Room) flowKeyLen() int { return len(r.fans) + (len(r.doors)+63)/64 }

// selectFlows makes r.flows the network for the fans and doors as they
// are now. Settled networks are kept with their propagators, so a room
// that returns to a setting (a door closing again, a fan back at its
// minimum) finds them ready; while a fan spins up every step has a
// network of its own, which is built in a scratch state and not kept.
func (r *Room) selectFlows(spinning bool) {
	r.dirty = false
	r.flowKey(r.key)
	if spinning {
		r.buildFlows(r.transient)
		return
	}
	r.tick++
	var oldest *flowState
	for _, st := range r.cache {
		if slices.Equal(st.key, r.key) {
			st.used = r.tick
			r.flows = st
			return
		}
		if oldest == nil || st.used < oldest.used {
			oldest = st
		}
	}
	st := oldest
	if len(r.cache) < maxFlowStates {
		st = newFlowState(len(r.zones), len(r.key))
		r.cache = append(r.cache, st)
	}
	st.used = r.tick
	r.buildFlows(st)
}

// buildFlows builds the flow network for r.key into st and makes it
// r.flows.
func (r *Room) buildFlows(st *flowState) {
	copy(st.key, r.key)
	st.props = st.props[:0] // their memory is reused; see propagate
	n := len(r.zones)
	out := n
	f := r.flowScratch
	r.flowNetwork(f)

	a := st.a
	clear(a.a)
	st.cols, st.vals = st.cols[:0], st.vals[:0]
	// Most flows are zero (booths exchange air with their staff zone
	// only); a zero adds nothing to a sum, so only the others are divided.
	stride := n + 1
	for i := range r.zones {
		v := r.zones[i].cfg.VolumeM3
		st.rowStart[i] = len(st.cols)
		outflow := 0.0
		for j, q := range f.a[i*stride : (i+1)*stride] {
			if q != 0 && j != i {
				outflow += -q / v
			}
		}
		row := a.a[i*n : (i+1)*n]
		row[i] = outflow
		for j := range row {
			if q := f.a[j*stride+i]; q != 0 && j != i {
				row[j] = q / v
				st.cols, st.vals = append(st.cols, j), append(st.vals, row[j])
			}
		}
		st.fromOutdoor[i] = f.a[out*stride+i] / v
	}
	st.rowStart[n] = len(st.cols)
	r.flows = st
}

// flowNetwork sets f to the flows between places as the fans and doors
// are now: f[i][j] is the air moving from place i to place j, in m³/h;
// place n is outdoors.
func (r *Room) flowNetwork(f matrix) {
	out := len(r.zones)
	clear(f.a)
	for i := range r.zones {
		z := &r.zones[i]
		gv := z.cfg.GeneralVentilationM3h
		f.add(out, i, gv)
		f.add(i, out, gv)
		nb := z.neighbour
		if nb < 0 {
			nb = out
		}
		f.add(i, nb, z.cfg.LeakageM3h)
		f.add(nb, i, z.cfg.LeakageM3h)
	}
	for _, fan := range r.fans {
		if fan.stalled || fan.speed == 0 {
			continue
		}
		q := fan.speed * fan.flow * fan.cfg.MaxFlowM3h / float64(len(fan.zones))
		for _, b := range fan.zones {
			nb := r.zones[b].neighbour
			f.add(b, out, q)  // exhaust
			f.add(nb, b, q)   // transfer air from the staff zone
			f.add(out, nb, q) // make-up air into the staff zone
		}
	}
	for _, d := range r.doors {
		if !d.open {
			continue
		}
		a, b := d.places[0], d.places[1]
		if a < 0 {
			a = out
		}
		if b < 0 {
			b = out
		}
		f.add(a, b, d.cfg.OpenExchangeM3h)
		f.add(b, a, d.cfg.OpenExchangeM3h)
	}
}

// propagate returns the propagator of the current, settled flows for a
// step of dt, computing it the first time. Polling sensors step the room
// by the same few intervals again and again.
func (r *Room) propagate(dt time.Duration) *propagator {
	st := r.flows
	for i := len(st.props) - 1; i >= 0; i-- {
		if p := st.props[i]; p.dt == dt {
			return p
		}
	}
	var p *propagator
	switch {
	case len(st.props) < cap(st.props):
		// A slot left by an earlier network that had this state's memory.
		st.props = st.props[:len(st.props)+1]
		p = st.props[len(st.props)-1]
		if p == nil {
			p = newPropagator(len(r.zones))
			st.props[len(st.props)-1] = p
		}
	case len(st.props) < maxProps:
		p = newPropagator(len(r.zones))
		st.props = append(st.props, p)
	default:
		// Full: the oldest goes, its memory serves the new one.
		p = st.props[0]
		copy(st.props, st.props[1:])
		st.props[len(st.props)-1] = p
	}
	p.dt = dt
	h := dt.Hours()
	for g := range nGroups {
		for i := range r.zones {
			r.depScratch[i] = r.zones[i].deposition[g]
		}
		expm(p.phi[g], p.gamma[g], st.a, r.depScratch, h, r.expmScratch)
	}
	return p
}
