package report

import (
	"io"

	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
)

// Write makes the report of the journal's records in opts' window and
// writes it to w, as a PDF or an HTML page (Options.Format). Everything is
// read in one read transaction of the journal, beside a daemon writing it.
// A PDF is built in memory (about 100 MB at most for a month) and written
// at the end, so an error leaves w untouched; an HTML page is streamed a
// shift at a time, and an error part-way leaves it unfinished.
func Write(w io.Writer, j *journal.Journal, opts Options) error {
	o, err := opts.normalize()
	if err != nil {
		return err
	}
	eo := export.Options{From: o.From, To: o.To, Location: o.Location, Now: o.Now, Config: o.Config, Software: o.Software}
	return export.View(j, eo, func(r *export.Records) error {
		d, err := build(r, o)
		if err != nil {
			return err
		}
		if o.Format == "html" {
			return writeHTML(w, d, r)
		}
		return writePDF(w, d, r)
	})
}
