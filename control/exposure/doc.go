// Package exposure keeps the staff exposure record for one pollutant in one
// zone: the rolling 15 min STEL and 8 h TWA, the per-shift TWA by the OSHA
// formula, time over limits, STEL excursions and data coverage.
//
// It is pure logic. Time comes only from the timestamps of the data fed in,
// never from a clock, so a journal replay and a live run give the same
// numbers, and a simulated 24 h runs in milliseconds.
//
// The standards it follows (see DESIGN.md, "Domain numbers"):
//
//   - OSHA 29 CFR 1910.1000(d)(1): the shift exposure is
//     E = (C₁T₁ + … + CₙTₙ) / 8 h. The divisor is 8 h whatever the shift
//     length and however much of the shift has passed. Summary.TWA is that E;
//     Summary.MeanCovered is the mean over the measured time, which is a
//     different number (the "projected" TWA) and named so.
//   - OSHA 1910.1000(d)(2): mixtures, Em = Σ Cᵢ/Lᵢ ≤ 1 (see Mixture).
//   - ACGIH TLV-STEL: a 15 min TWA that should not be exceeded at any time
//     during a workday; exposures above the TLV-TWA up to the STEL no more
//     than four times a day and at least 60 min apart.
//   - Brief & Scala: for shifts longer than 8 h the TWA limit is multiplied
//     by RF = (8/h) × (24 − h)/16 (see ReductionFactor).
//
// Unmeasured time is never clean air. Time without a valid sample (a sensor
// fault, the daemon down, a sample older than Opts.MaxSampleInterval) is a
// gap: it adds nothing to any sum, it is listed with its start and length,
// and it lowers coverage. A rolling value whose window holds no valid data at
// all is unknown (NaN, JSON null), never zero.
//
// Memory is bounded by construction: one-second bins for the 15 min window
// (900 of them) and one-minute bins for the 8 h window (480), whatever the
// sample rate; older data falls out of the rings as time moves on. Lists kept
// per shift (gaps, excursions, finished shifts) are capped, with a count of
// what was left off.
package exposure
