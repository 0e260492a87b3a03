// Package sen5x drives the Sensirion SEN5x environmental sensor node over
// I2C (address 0x69): the SEN50 (PM only), SEN54 (PM, humidity,
// temperature, VOC index) and SEN55 (as SEN54, plus the NOx index). One
// device gives PM1.0, PM2.5, PM4.0 and PM10 mass concentrations in µg/m³,
// relative humidity, temperature, and the VOC and NOx indices, which the
// sensor computes itself with Sensirion's gas index algorithm. A new
// measurement is ready every second.
//
// Datasheet: Sensirion "Datasheet SEN5x – Environmental Sensor Node for
// HVAC and Air Quality Applications", section 6 "Operation and
// Communication through the I2C Interface". Execution times follow
// Sensirion's own driver, embedded-i2c-sen5x (sen5x_i2c.c), where the
// datasheet leaves them open: Start Measurement 50 ms, Stop Measurement
// 200 ms, Device Reset 200 ms, Product Name and Serial Number 50 ms, every
// other command 20 ms.
//
// The framing is the SPS30's (package sensirion): 16-bit big-endian
// commands, a CRC-8 after every data word. A word that fails its CRC is an
// error wrapping ErrCRC and never a value. A poll with no new measurement
// is ErrNotReady, which is not a failure.
//
// Read Measured Values (0x03C4) sends eight words: PM1.0, PM2.5, PM4.0,
// PM10 as unsigned integers scaled by 10; humidity (×100), temperature
// (×200), VOC index (×10) and NOx index (×10) as signed integers. 0xFFFF
// (unsigned) and 0x7FFF (signed) mean the value is unknown: the variant
// does not measure it (a SEN54's NOx, a SEN50's gases), or the sensor is
// still starting (the NOx index needs about 10 s after Start). Sense
// reports an unknown value as NaN, never as 0.
//
// The VOC index algorithm runs in the sensor, and its learned state is
// lost whenever measurement starts again unless it is written back first:
// VOCState and SetVOCState (0x6181) carry it across a restart.
package sen5x
