// Package sgp4x drives Sensirion's SGP41 (VOC and NOx) and SGP40 (VOC only)
// metal-oxide gas sensors at I2C address 0x59.
//
// The sensors return raw signals (SRAW_VOC, SRAW_NOX, in ticks proportional
// to the logarithm of the sensing layer's resistance), not concentrations:
// feed them, once a second, to Sensirion's gas index algorithm to get the
// VOC and NOx Index. Humidity and temperature from a neighbouring SCD4x
// switch on the sensor's on-chip humidity compensation.
//
// Datasheets: "Datasheet SGP41, Air Quality Sensor for VOC and NOx
// Measurements", Sensirion, version 1.0, December 2021 (commands 0x2612
// execute_conditioning, 0x2619 measure_raw_signals, 0x280E
// execute_self_test, 0x3615 turn_heater_off, 0x3682 get_serial_number;
// RH and T tick conversion), and "Datasheet SGP40, Indoor Air Quality
// Sensor for VOC Measurements", Sensirion, version 1.0, July 2020 (0x260F
// measure_raw, Table 10 with the default RH/T words and the example frame
// 0x26 0F 80 00 A2 66 66 93, self-test words 0xD400/0x4B00). The variant
// detection reads the feature set word (0x202F), which the SGP4x datasheets
// do not list but the parts answer (ESPHome's sgp4x component relies on
// it); set Opts.Variant to skip it.
//
// The SGP41's NOx pixel must be conditioned after power-up (about 10 s of
// execute_conditioning), and the datasheet warns that conditioning for more
// than 10 s damages the sensing material, so Condition refuses past that.
// The sensor goes on conditioning until its next command, which the driver
// cannot see: in a 1 Hz loop, condition on the first ten ticks and measure
// from the eleventh. Sensirion's example code (sleep 1 s, condition, ten
// times, then sleep 1 s and measure) conditions for about 10.5 s.
package sgp4x
