// Package firmware turns a Raspberry Pi into a ventd appliance: it
// cross-builds ventd, ventctl and ventbench for the Pi's three kinds of
// ARM (Build) and packs them for Debian with the systemd unit, the udev
// rules, the maintainer scripts and the example config (Package).
//
//	go run ./firmware/build                # every target, binaries and packages in dist/
//	go run ./firmware/build -targets arm64 -version 1.2.0
//
// The files a Pi gets live beside this package:
//
//	systemd/ventd.service           the unit: Type=notify, watchdog, hardening
//	systemd/hardware-watchdog.conf  systemd feeding the SoC's watchdog (opt-in)
//	udev/60-ventd.rules             I2C, GPIO and PWM for the groups i2c and gpio
//	debian/                         preinst, postinst, prerm, postrm
//	boot/config.txt                 the lines /boot/firmware/config.txt needs
//
// The binaries are pure Go (CGO_ENABLED=0): no C toolchain for ARM is
// needed, and one machine builds every target.
package firmware
