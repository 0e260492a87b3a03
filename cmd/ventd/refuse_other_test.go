//go:build !linux

package main

import "errors"

// execRefusingUserfaultfd: outside Linux there is no userfaultfd to
// refuse.
func execRefusingUserfaultfd(args []string) error { return errors.ErrUnsupported }
