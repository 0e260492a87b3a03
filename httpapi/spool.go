package httpapi

import (
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"
)

// sendSpooled makes a download with write into an unlinked temporary file
// and then sends that file. The journal's read ends before the first byte
// leaves: with SQLite's rollback journal a commit waits for every reader,
// so a client reading a long export slowly would otherwise hold back the
// journal's writer (and raise its fault alarm) for as long as it took. An
// error while making it is still a JSON error with its status, and the
// download gets a Content-Length. A download larger than maxSpool (a long
// OpenMetrics export), or one that finds no room for its temporary file,
// is made again straight to the client: the spool must never fill the disk
// the journal is on. An OpenMetrics export is then still read whole before
// it is sent (export.Write holds its series in memory); a CSV or JSON one
// holds the read while it goes, but a month of a six-booth room is a few
// MB, far under maxSpool.
//
// start sets the download's headers; what is sent is bounded by the same
// stall and total deadlines as a streamed export. fail answers an error of
// write's before anything was sent, with the status and words the
// endpoint gives it.
func sendSpooled(w http.ResponseWriter, r *http.Request, start func(http.Header), write func(io.Writer) error, fail func(http.ResponseWriter, error)) {
	f, err := os.CreateTemp("", "ventd-download-*")
	if err == nil {
		os.Remove(f.Name()) // gone with the last descriptor, even after a crash
		defer f.Close()
		sf := &spoolFile{f: f, max: maxSpool}
		err = write(sf)
		if sf.err == nil {
			if err != nil {
				fail(w, err)
				return
			}
			size, serr := f.Seek(0, io.SeekCurrent)
			if _, err := f.Seek(0, io.SeekStart); serr == nil && err == nil {
				start(w.Header())
				w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
				w.WriteHeader(http.StatusOK)
				if r.Method != http.MethodHead {
					io.Copy(deadlines(w), f)
				}
				return
			}
		}
	}
	// No room for the spool: stream it, holding the read while it goes.
	lw := &lazyWriter{w: deadlines(w), start: func() {
		start(w.Header())
		w.WriteHeader(http.StatusOK)
	}}
	if err := write(lw); err != nil && !lw.started {
		fail(w, err)
	}
	// A failure after the first byte cannot change the status any more:
	// a CSV then ends with "# error: export incomplete", a JSON does not
	// parse.
}

// maxSpool bounds a spooled download: a month's CSV of a room with six
// booths is a few MB; a week of OpenMetrics is 200 MB and is sent from
// memory instead.
const maxSpool = 64 << 20

var errSpoolFull = errors.New("download larger than the spool")

// spoolFile remembers whether the spool itself failed (too large, a full
// disk), as opposed to the download's maker.
type spoolFile struct {
	f      *os.File
	n, max int64
	err    error
}

func (s *spoolFile) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.n+int64(len(p)) > s.max {
		s.err = errSpoolFull
		return 0, s.err
	}
	n, err := s.f.Write(p)
	s.n += int64(n)
	if err != nil {
		s.err = err
	}
	return n, err
}

// deadlines bounds a download's reply: a client that stops reading is
// cut off after exportStall, and the whole reply after exportMax
// (deadline.go).
func deadlines(w http.ResponseWriter) http.ResponseWriter {
	return &progressWriter{w: w, rc: http.NewResponseController(w), stall: exportStall, end: time.Now().Add(exportMax)}
}
