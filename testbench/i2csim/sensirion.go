package i2csim

import (
	"fmt"

	"github.com/ventd/ventd/drivers/sensirion"
)

// SensirionCommand splits a write to a Sensirion part into its 16-bit
// command and its CRC-checked argument words, as every Sensirion part on
// the bus does before it looks at the command. A write too short to hold
// a command, or an argument that fails its CRC, is not acknowledged.
func SensirionCommand(w []byte) (cmd uint16, args []uint16, err error) {
	return AppendSensirionCommand(nil, w)
}

// AppendSensirionCommand is SensirionCommand appending the argument words
// to dst, for a device that keeps one slice for them: a part measured
// every second with its compensation words would otherwise allocate them
// every second.
func AppendSensirionCommand(dst []uint16, w []byte) (cmd uint16, args []uint16, err error) {
	if len(w) < 2 {
		return 0, nil, NACK(fmt.Sprintf("write of %d byte(s): a command is 2 bytes", len(w)))
	}
	cmd = uint16(w[0])<<8 | uint16(w[1])
	args, err = sensirion.AppendWords(dst, w[2:])
	if err != nil {
		return cmd, nil, NACK(fmt.Sprintf("command 0x%04x arguments: %v", cmd, err))
	}
	return cmd, args, nil
}

// Answer copies a device's answer into a read; a read longer than the
// answer gets 0xff past it, since nothing drives SDA low there and the
// pull-ups hold it high.
func Answer(r, frame []byte) {
	n := copy(r, frame)
	for i := n; i < len(r); i++ {
		r[i] = 0xff
	}
}
