// Package journal is ventd's durable exposure record: the file an auditor
// preparing a WorkSafe report relies on. It is one embedded SQLite database
// (the pure-Go driver modernc.org/sqlite, so cross-builds for the Pi need no
// cgo) holding one-minute aggregates per zone and pollutant, alarm events
// and acknowledgements, calibrations, configuration changes, data gaps and
// the clock's trustworthiness.
//
// # Why one transaction a minute
//
// The journal lives on a Raspberry Pi's SD card, and SD cards die of write
// amplification: every commit rewrites at least one flash erase block,
// whatever the size of the change. The daemon therefore aggregates samples
// in memory and calls Write once a minute with a Batch holding everything
// since the last call; Write commits it as ONE transaction. A minute for 2
// zones × 9 quantities is 18 rows (about 1 kB) and a few 4 kB pages,
// each written twice (the rollback journal's copy, then the page). Per-sample writes would be 60–300 commits a minute for the same
// record. Because a batch is all or nothing, a Write that failed can be
// retried whole with the next minute's batch without duplicating anything;
// an error wrapping ErrInvalid means the batch itself is wrong and retrying
// will not help.
//
// # Durability
//
// Open sets a rollback journal (journal_mode=TRUNCATE, not WAL: see
// Journal), synchronous=FULL and no memory-mapped I/O. A commit syncs the
// rollback journal, then the database: a power cut loses at most the
// transaction in progress and never corrupts the file, and a killed
// process loses nothing that committed (the test kills a writer with
// SIGKILL mid-write and finds every batch it saw committed). busy_timeout
// lets a reader (an export) and the writer share the file; foreign_keys is
// on. Options.NoSync, for a simulated room only, leaves syncing to the
// kernel.
//
// Open reads only the file's header and schema: milliseconds, even for a
// year of records. A file that is not a database gives an error wrapping
// ErrCorrupt that says to move the file aside (MoveAside does it, -journal,
// -wal and -shm included) so ventd starts a fresh journal, keeping the old
// one for recovery; another program's database, ErrForeign. Check runs
// PRAGMA quick_check over every page (seconds for a year: the recorder
// runs it once after start, off the control loop) and reports a damaged
// page the same way. A file cut short (Truncated) says so, and by how
// much, in that error; OpenReadOnly reads it as far as it goes, and
// Salvage copies every row still readable into a new file. A directory ventd cannot write gives an error naming
// the directory and the permission needed.
//
// # Schema
//
// A schema_version table holds the number of migrations applied; Open
// applies the missing ones in order, in one transaction, and refuses a
// file from a newer ventd (ErrNewerSchema). Times are UTC unix
// milliseconds.
//
//	meta           key → value: site, room, sensor serials, zone kinds, next alarm id
//	series         id, zone, quantity (so minutes carry a small integer)
//	minutes        (start_ms, series) primary key, mean, maximum, count,
//	               covered_s; a minute written again merges (means weighted
//	               by count, the larger max, covered seconds summed to ≤ 60)
//	events         alarm transitions by the engine's unique id; written
//	               again, ignored
//	acks           alarm_id, time, who, note
//	calibrations   time, sensor, serial, kind (frc, asc_on, asc_off,
//	               temperature_offset, pm_factor…), reference, correction
//	config_changes time, hash, summary
//	gaps           start, end, zone, quantity ("" = all), reason; written
//	               again with the same start, extended to the later end
//	clock_status   time, synchronized, source, note
//	shifts         (zone, quantity, start) primary key, end, finished, the
//	               exposure.Summary the daemon computed live, as JSON
//	               (schema 2); written again, replaced, except that a
//	               finished row is never replaced by an unfinished one
//	ventilation    time, zone, ach, nominal_ach, share, observations: a
//	               booth's ventilation each time the control law measured
//	               a clearing (schema 5)
//	chain          one link per Write: the seals of the rows it wrote, the
//	               previous link's hash, its own (see Hash chain)
//	chain_moved    sealed rows rewritten since, by which link
//
// Every table but meta, series and shifts has backwards_ms (see below); a
// running shift's end lies in the future, and its minutes carry the check. NaN values
// (an event without a reading) are stored as NULL and read back as NaN.
//
// # Hash chain
//
// Each Write seals the rows it added or changed (chain.go): every sealed
// table has a chain column naming the link, and the link holds their
// 8-byte seals and the hash of the link before. ChainHead returns the
// newest link, which reports and exports print; Verify checks every row
// and link and names the first that does not fit, and whether a head
// printed earlier is still in the chain. What is sealed, and what is
// live state that is not, is chained in chain.go.
//
// # Readers
//
// OpenReadOnly opens the file beside a running daemon without changing
// it (no migration, no checkpoint, query_only), for ventctl export and
// GET /api/export; View gives such a reader one consistent state of the
// file for a whole export, and EachMinute walks a year of minutes in
// bounded memory.
//
// # Clock policy
//
// A Pi has no real-time clock: until NTP answers it may run from the last
// shutdown's time, or from 1970. The journal never silently writes a time
// that went backwards. It keeps the newest time written (a minute counts
// at its end, a gap at its end, everything else at its time) as a
// high-water mark in meta. A row more than Options.ClockTolerance (default
// 2 minutes, enough for a minute written after the events inside it and
// for a restart re-writing its last minute) behind the mark of earlier
// batches is still written — dropping it would lose exposure data — but
// its backwards_ms records how far behind it was, and Write returns a
// Result whose Backwards says so, for the daemon to log. The first flagged
// batch adds a clock_status row (Source "journal", Synchronized false);
// the first batch after that is at or past the mark again adds one with
// Synchronized true. The mark never moves back. Forward jumps are not
// flagged: the daemon records those with its own ClockStatus rows and,
// where data is missing, a clock_jump Gap.
//
// # Retention
//
// Prune deletes minutes, events, acks, gaps, clock status rows and shifts
// older than Options.Retention (default 400 days), a few thousand rows per
// transaction, then, if Options.MaxSizeBytes is set, the oldest minutes
// until the data fits (never shifts: a few rows a day, and once the
// minutes are gone the only record of the 1 s figures). Calibrations and configuration changes are kept:
// a few dozen a year, and the one in force may predate any retention. The
// file is created with auto_vacuum=INCREMENTAL, so Prune's incremental
// vacuum and checkpoint hand the freed pages back and the file stays
// bounded. A day of minutes for 18 series takes about 1.3 MB.
package journal
