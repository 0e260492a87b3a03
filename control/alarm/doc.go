// Package alarm is ventd's alarm engine: rules with levels, delays,
// hysteresis, latching and acknowledgement, turning values and conditions
// into an ordered stream of events. It is pure logic: no I/O, no goroutines,
// and every time comes from the caller.
//
// It follows the conventions safety officers know from industrial gas
// detectors (Dräger X-am, MSA ALTAIR, Honeywell BW): a self-clearing low
// alarm (LevelWarning, A1), a high alarm that latches until acknowledged
// (LevelAlarm, A2), separate STEL and TWA alarms, faults for the equipment,
// and an event for every transition. And it does what keeps alarms from
// being ignored or unplugged (netdata #945): on- and off-delays, hysteresis,
// and a cap on repeat notifications.
//
// # Life of an alarm
//
// A value rule raises when its value has reached the threshold and not
// fallen back past the hysteresis band for OnDelay; it clears when the value
// has gone past the band and not returned to the threshold for OffDelay.
// Values inside the band neither start nor break a run, so a noisy signal
// above the threshold on average still raises, and one below the band on
// average still clears, while noise within the band changes nothing.
// Each raise is a new Alarm with a new id; ids and event ids share one
// sequence that continues across restarts (NextID, SetNextID). A latching
// alarm whose condition clears emits Latched and stays until acknowledged,
// and Returned if the condition comes back first (the same alarm);
// acknowledging one whose condition still holds silences it until it clears.
// Invalid data holds every state: a gap neither raises nor clears, and
// restarts both delays.
//
// # Repeat-notification cap
//
// A rule with FlapCount n and FlapWindow w that has raised n times within w
// does not clear at its next clear: the alarm is held active (Kind Held,
// Alarm.Held) and clears only once the condition has stayed clear for a
// whole w. While held, a recurring condition continues the same alarm
// rather than raising a new one. So a flapping rule notifies at most n times
// and then shows one steady alarm, rather than n more raises an hour that
// staff would learn to ignore; holding rather than dropping the alarm keeps
// the failure direction safe (an alarm shown too long, never one hidden).
// The raise history is not persisted: after a restart the count starts from
// the restored alarm.
package alarm
