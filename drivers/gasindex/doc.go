// Package gasindex turns the raw VOC and NOx signals of Sensirion SGP40, SGP41
// and SEN5x sensors into the VOC Index and NOx Index (1..500) with Sensirion's
// gas index algorithm.
//
// The algorithm is a port of the floating-point version of Sensirion's
// published reference, "Sensirion Gas Index Algorithm" v3.2.0
// (github.com/Sensirion/gas-index-algorithm, sensirion_gas_index_algorithm.c;
// its README describes the method: "a statistical gain-offset normalization"
// whose learned parameters decay exponentially). See also Sensirion's SGP40
// datasheet (v1.0, July 2020), section 3.2 "VOC Index Measurement", and the
// application note it names, "SGP40 VOC Index for Experts". Per sample it:
//
//  1. skips an initial blackout (45 s) while the hot plate settles and reports 0;
//  2. estimates the mean and standard deviation of the raw signal with an
//     exponentially forgetting estimator whose time constant is short at start
//     (about 45 min VOC, 4.75 h NOx) and 12 h afterwards, and which is gated
//     (frozen) while the index is high, for at most 3 h (VOC) or 12 h (NOx);
//  3. normalises the signal by that mean and deviation ("mox model") and maps
//     it through a scaled sigmoid so the usual air reads 100 (VOC) or 1 (NOx);
//  4. smooths the result with an adaptive low-pass filter (20 s to 500 s).
//
// Arithmetic is float32 throughout, operation by operation as in the C code, so
// the index matches the reference on the same input; a 32-bit exp can
// differ in its last bit from the C library's, which moves a result by at most 1
// on rare samples. Go may fuse a*b+c into one FMA instruction on arm64 (every
// Raspberry Pi running a 64-bit OS); the code converts each such product to
// float32 explicitly, which forbids the fusion.
//
// The VOC Index is relative: 100 is whatever the sensor has learned as usual
// air over the last day. In a room where people smoke all day it learns smoke
// as usual, so callers freeze learning during known emission events with
// SetLearning, and persist the learned state across restarts with State and
// SetState. It is never an exposure measure.
package gasindex
