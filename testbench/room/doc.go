// Package room simulates the air of a supervised inhalation room: booths
// where people smoke, staff areas beside them, the fans that exhaust the
// booths, the doors between zones and the outdoor air.
//
// Each zone is well mixed. For one zone with a fresh-air flow Q, a source G
// and a surface loss rate k the concentration follows
//
//	dC/dt = G/V − (Q/V)(C − C_out) − k·C
//
// (DESIGN.md, "Simulation"). With several zones the flows couple them:
// a booth's exhaust fan draws air out of the booth and transfer air in from
// its neighbouring staff zone, which in turn takes the same volume of make-up
// air from outdoors; general ventilation swaps outdoor air with a zone;
// leakage and open doors exchange air between two zones in equal amounts
// both ways. Volume is conserved in every zone.
//
// Deposition acts on the whole concentration (−kC), not on the excess over
// outdoors as DESIGN.md writes it: that is the physical form, and it is why
// indoor PM sits a little below outdoor PM with no source. Gases (CO2, VOC,
// NOx) do not deposit. With k = 0 the two forms agree.
//
// Between changes of the inputs the system is linear with constant
// coefficients, so the room steps it exactly with a matrix exponential:
// any step size is stable and an 8 h day takes a few hundred steps. Inputs
// (fan duty, doors, sessions, occupants, outdoor air) take effect at the
// room's current time; call AdvanceTo first to place them precisely.
//
// A room polled by many sensors steps often (each reading is a step), so
// the exponentials are kept for each setting of the fans and doors and
// each step length (flows.go), and a step whose flows will not come again,
// while a fan's wheel spins up, sums the exact solution's series on the
// concentrations instead (series.go): O(n) per step for n zones, where an
// exponential is O(n³). Both are exact to rounding; a test holds them to
// the plain exponential of every step.
//
// The room runs lazily: nothing happens until someone asks for the air at a
// later time (Zone(name).Air(t) or AdvanceTo), so there is no goroutine.
//
// Particles are carried in four size bands (below 1 µm, 1–2.5, 2.5–4 and
// 4–10 µm) so that each band can deposit at its own rate; PM1, PM2.5, PM4
// and PM10 are their cumulative sums, as an SPS30 reports them.
package room
