//go:build !linux

package coldtext

import "errors"

// Trim does nothing outside Linux, where /proc/self/maps lists no
// mappings to hand back.
func Trim() (int64, error) { return 0, errors.ErrUnsupported }

// Evict does nothing outside Linux.
func Evict() (int64, error) { return 0, errors.ErrUnsupported }

// NoFaultAround does nothing outside Linux.
func NoFaultAround() error { return errors.ErrUnsupported }
