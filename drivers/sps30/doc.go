// Package sps30 drives the Sensirion SPS30 particulate matter sensor over
// I2C (address 0x69): PM1.0, PM2.5, PM4.0 and PM10 mass concentrations in
// µg/m³, number concentrations in #/cm³ and the typical particle size, one
// new measurement a second, plus the fan cleaning, auto-cleaning interval,
// device status register, sleep and wake-up.
//
// Datasheet: Sensirion "Datasheet SPS30 – Particulate Matter Sensor for Air
// Quality Monitoring and Control", Version 1.0, March 2020, section 6
// "Operation and Communication through the I2C Interface" (commands,
// execution times, data formats, device status register).
//
// Every word the sensor sends carries a CRC-8; a word that fails it is an
// error wrapping ErrCRC and never a value. A poll with no new measurement
// is ErrNotReady, which is not a failure. Command execution times are
// waited on the injected clock, so the driver runs on simulated time
// against testbench/sps30sim.
//
// Waits the datasheet leaves open follow Sensirion's own driver,
// embedded-i2c-sps30 v1.0.1 (sps30_i2c.c, August 2025): sps30_wake_up
// sends Wake-up, ignores whether it was acknowledged, and sleeps 5 ms;
// sps30_wake_up_sequence does that twice. This driver waits those 5 ms
// after the first, refused Wake-up too, and testbench/sps30sim refuses a
// second Wake-up sent sooner.
//
// The SEL pin (pin 4) must be tied to GND at power-up for the sensor to
// speak I2C; left floating, it speaks UART and never answers on the bus.
package sps30
