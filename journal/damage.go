package journal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Truncation is what a database file's header says of its length: a file
// cut short (a copy interrupted or made on a full disk, a card that lost
// its last writes) holds fewer pages than its header counts, and SQLite
// then calls the whole file "malformed".
type Truncation struct {
	Size     int64 // bytes in the file
	Want     int64 // bytes the header gives (pages × page size)
	PageSize int64
	Pages    int64 // pages the header counts
}

// Truncated reports whether the SQLite file at path is shorter than its
// header says, and by how much. A file too short to hold the header is
// truncated with Want 0.
func Truncated(path string) (Truncation, bool) {
	f, err := os.Open(path)
	if err != nil {
		return Truncation{}, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Truncation{}, false
	}
	var h [100]byte
	if _, err := f.ReadAt(h[:], 0); err != nil {
		if errors.Is(err, io.EOF) && fi.Size() > 0 {
			return Truncation{Size: fi.Size()}, true
		}
		return Truncation{}, false
	}
	if string(h[:16]) != "SQLite format 3\x00" {
		return Truncation{}, false
	}
	ps := int64(binary.BigEndian.Uint16(h[16:18]))
	if ps == 1 {
		ps = 65536
	}
	pages := int64(binary.BigEndian.Uint32(h[28:32]))
	// The header's page count holds only while the change counter and
	// its copy agree (a file written by an old SQLite may not keep it).
	valid := binary.BigEndian.Uint32(h[24:28]) == binary.BigEndian.Uint32(h[92:96])
	if !valid || pages == 0 || ps < 512 || pages*ps <= fi.Size() {
		return Truncation{}, false
	}
	return Truncation{Size: fi.Size(), Want: pages * ps, PageSize: ps, Pages: pages}, true
}

// String says how the file is cut short, for an error message.
func (t Truncation) String() string {
	if t.Want == 0 {
		return fmt.Sprintf("the file is truncated: %d bytes, not even SQLite's header is whole", t.Size)
	}
	have := t.Size / t.PageSize
	return fmt.Sprintf("the file is truncated: %d of the %d bytes its header gives (pages %d to %d of %d missing: records written last, and the parts of the file's index written last)",
		t.Size, t.Want, have+1, t.Pages, t.Pages)
}

// IsCorrupt reports whether err is SQLite finding the file damaged
// (SQLITE_CORRUPT, SQLITE_NOTADB), or wraps ErrCorrupt.
func IsCorrupt(err error) bool {
	if errors.Is(err, ErrCorrupt) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return true
		}
	}
	return false
}
