// Package sdp8xx drives Sensirion's digital differential pressure sensors
// of the SDP8xx family (SDP800, SDP810, SDP801, SDP811; ±500 Pa and ±125 Pa;
// I2C address 0x25, or 0x26 for the SDP8x1) and the SDP3x family (SDP31
// ±500 Pa, SDP32 ±125 Pa; address 0x21, 0x22 or 0x23), which share one
// command set. ventd uses one to prove that a booth sits at negative
// pressure against the staff area: at least 5 Pa negative on average and
// 1 Pa at minimum with the doors closed (DESIGN.md, LEED smoking-room
// criterion).
//
// Datasheets: Sensirion "Datasheet SDP8xx-Digital – Digital Differential
// Pressure Sensor" and "Datasheet SDP3x-Digital" (Version 1, December
// 2017), section 5 "Digital Interface Description": start continuous
// measurement (0x3603/0x3608 mass-flow or 0x3615/0x361E differential
// pressure temperature compensation, with or without averaging till read),
// stop continuous measurement (0x3FF9), read product identifier (0x367C
// then 0xE102, then 18 bytes: the 32-bit product number and the 64-bit
// serial number), soft reset through the general call address (0x00,
// 0x06), and the measurement frame: differential pressure, temperature and
// the scale factor, each a 16-bit word followed by its CRC-8.
//
// The pressure in Pa is the signed pressure word divided by the scale
// factor the sensor sends with it (60 for the ±500 Pa parts, 240 for the
// ±125 Pa ones); the temperature in °C is the signed temperature word
// divided by 200. Every word is CRC-checked; a word that fails is an error
// wrapping ErrCRC and never a value.
//
// The driver runs the sensor in continuous mode with differential-pressure
// temperature compensation and averaging till read (0x3615): the sensor
// samples every 0.5 ms and each read returns the mean since the previous
// one, so a slow poll still sees every gust of a door. The datasheet has
// the first result ready 8 ms after Start; Sensirion's own driver
// (embedded-i2c-sdp, sdp_i2c.c, at its November 2025 head) waits 10 ms
// after every start command, and so does this one: Sense before then
// returns ErrNotReady without touching the bus, and testbench/sdpsim
// refuses a read sooner.
package sdp8xx
