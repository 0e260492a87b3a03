// Package export writes the journal's exposure record for an auditor or
// an occupational-safety officer: per-shift summaries (OSHA TWA, STEL peak,
// time over limits, excursions, coverage), the minute series they come
// from, data gaps, alarm events and acknowledgements, calibrations,
// configuration changes, the clock's status and the actions people took
// (purges, acknowledgements, calibrations, reloads, with who) and the
// booths' ventilation as the control law measured it, headed by
// the site, room and sensor serial numbers. `ventctl export` and GET /api/export use it.
//
// # One CSV file, in sections
//
// The CSV export is one file with comment lines at the top (# site: …,
// # room: …, # sensor: …, the window, the generation time, the software)
// and then sections, each introduced by a line "# section: NAME" and its
// own header row:
//
//	shifts, minutes, gaps, events, acks, calibrations, config_changes, clock_status, actions, ventilation
//
// One file because an audit is handed over, attached and archived as one
// thing: an auditor opens it in a spreadsheet and sees everything, the
// header tells where and when it came from, and nothing can be separated
// from its context or lost from a set. A program reads it by splitting at
// the "# section:" lines (encoding/csv with Comment '#' and
// FieldsPerRecord -1 reads each part). Times are RFC 3339 in UTC, with a
// start_local column for the shift's start in the site's time zone;
// concentrations have three decimals in the unit of the unit column;
// durations are seconds; an empty value is unknown, never zero. The JSON
// export is one object (Document) with the same contents; a limit that
// does not exist is an empty CSV cell and a JSON null, never 0, and so is
// the time over it (time_over_alarm_s and time_over_alarm_above_range_s
// for a pollutant with no alarm level, such as PM10; time_stel_over_limit_s
// with no STEL limit): see Shift.MarshalJSON.
//
// A text cell that a spreadsheet would take for a formula (it starts with
// '=', '+', '-', '@', a tab or a carriage return: a note typed as
// =HYPERLINK(…)) is written with a leading "'", as OWASP advises, so the
// spreadsheet shows it as text; numbers are not text cells and keep their
// sign. The JSON export writes text as it is.
//
// Both formats are streamed: the minutes row by row, the other sections a
// day at a time, so an export's memory does not grow with its window.
// Dates run from FirstDate to LastDate.
//
// The minutes, gaps and other sections cover the requested window widened
// to whole shifts, so every shift in the file can be recomputed from the
// minutes in it: twa_osha = Σ mean × covered_s / 8 h over the shift's
// minutes, covered_s = Σ covered_s, gap_total_s = elapsed − covered.
//
// # Where a shift's figures come from
//
// The source column says it. "live": the summary the daemon's tracker
// computed from 1 s data and stored in the journal, so the figures are
// exactly those /metrics and /api/state showed. "minutes": rebuilt here
// by replaying the minute aggregates (each its mean over its covered
// seconds) and gaps into an exposure.Tracker, as the daemon does after a
// restart; for journals written before ventd stored summaries (on the
// shift schedule of Options.Config), or a shift stored without one.
// Minute means smooth away what happens within a minute, so for these the
// STEL peak is a lower bound of the live figure (column
// stel_peak_is_lower_bound, also set for any shift with time above the
// sensors' range in a STEL window: dense smoke, at least the range's top,
// left out of the 15 min average; stel_peak_above_range_s says how much of
// the peak's own window), and time over alarm, time with the STEL over
// its limit and excursion counts are approximate; the TWA, coverage and
// gaps follow from the minutes.
//
// # The outdoor air
//
// A zone of kind outdoor (the air the room takes in: a sensor outside or
// in the supply duct) has its minutes in the minutes section like any
// zone, as context for the others' figures (the staff's PM2.5 was high the
// day the outdoor air was wildfire smoke). Nobody works there, so the
// daemon keeps no exposure record of it: it has no shift rows, none is
// rebuilt from its minutes, the OpenMetrics export has no series of it,
// and a header note names it. Which zones are outdoor air is the
// configuration's word (Options.Config), else the journal's meta, where
// the daemon keeps each zone's kind (journal.ZoneKindKey); Records.Outdoor
// lists them.
package export
