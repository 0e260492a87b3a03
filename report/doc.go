// Package report lays out the journal's exposure record as a document an
// occupational-safety officer can file: a PDF (or the same content as one
// HTML page) for a shift, a week or a month, with a summary page first
// (every shift's verdict at a glance), then for each shift and zone the
// exposure figures against their limits, plots of the minute series with
// the rolling 15 min STEL and the limits drawn and gaps left as gaps, the
// alarm timeline with levels, acknowledgements and names, calibrations,
// the clock's synchronisation, and at the end the site, room, sensor
// serials, configuration hashes and the journal's hash chain head with a
// check of every row in the report against it.
//
// Every figure is the export's (package export), read through
// export.View and printed with export's own formatting (Shift.Fields), so
// the report and `ventctl export` agree to the digit: the report computes
// nothing an auditor could find different in the export. The plotted
// 15 min average is the mean over the measured part of the 15 minutes
// before each minute's end (exposure's STEL definition), from the minute
// means: a picture of the record, not a figure.
//
// The outdoor air (the export's Records.Outdoor zones: the air the room
// takes in) has no exposure record, so no figures table, plot or verdict:
// each shift's page says its mean over the measured time and its highest
// minute maximum per pollutant, as context for the zones' figures. The
// maximum is the export's cell; the mean is worked out here from the
// export's minutes, Σ mean × covered_s / Σ covered_s, the formula of a
// zone's mean_covered, and so is the export's to the digit when redone
// from the JSON export's minutes.
//
// It is pure Go (codeberg.org/go-pdf/fpdf for the PDF, gonum.org/v1/plot
// for the plots, drawn as vectors into the same document through
// pdfCanvas), so it runs on the Pi. The Liberation Sans fonts are
// embedded, subset to the characters used.
package report
