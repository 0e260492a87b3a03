// Package testbench assembles a simulated inhalation room that the real
// daemon runs on: the room model (testbench/room) for the air and fans,
// simulated SPS30, SCD41 and SGP41 devices (speaking the real I2C command
// sets) on simulated buses, and a scenario (testbench/scenario) that
// schedules sessions, doors and faults on simulated time.
//
// A Rig is the daemon's Hardware in -sim mode and in tests: the daemon's
// drivers, control loop and outputs are the production code.
package testbench
