package record

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Actor is who asked for an action that changes the room: the name a
// person gave, the way the request came, and, where the kernel can tell,
// who they really are. The journal keeps both, so a claimed name is never
// the only evidence.
type Actor struct {
	// Name is as given: a person's name or staff id ("ventd" and
	// "config" for the daemon's own actions).
	Name string `json:"name"`
	// Via is how the request came: socket, mqtt, page, button, config,
	// ventd.
	Via string `json:"via"`
	// UID is the caller's user id as the kernel reports it (SO_PEERCRED
	// on the control socket); nil when there is no such thing.
	UID *uint32 `json:"uid,omitempty"`
	// From is the peer: an HTTP remote address, an MQTT client id, a
	// process id.
	From string `json:"from,omitempty"`
}

// Ventd is the daemon acting on its own (a scheduled fan cleaning).
var Ventd = Actor{Name: "ventd", Via: "ventd"}

func (a Actor) String() string {
	s := a.Name
	if a.Via != "" {
		s += " via " + a.Via
	}
	if a.UID != nil {
		s += fmt.Sprintf(" (uid %d)", *a.UID)
	}
	if a.From != "" {
		s += " from " + a.From
	}
	return s
}

// Bounds on what an action carries, the same whichever way it arrives
// (the status page, MQTT, the control socket), so the journal never holds
// a note one path took and another would refuse: MaxNoteBytes for its
// reason or note, one short line; MaxNameBytes for who did it, a name or
// staff id. In bytes, as they are stored and sent: a script of three
// bytes a character fits a third as many.
const (
	MaxNoteBytes = 256
	MaxNameBytes = 64
)

// Hidden reports whether r shows nothing of its own in a record: a control
// character, or a format character (zero-width spaces and joiners, the
// byte-order mark, the bidirectional overrides that reverse how the rest
// of a line reads in a viewer).
func Hidden(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }

// CheckName says what is wrong with name as the person recorded with an
// action, or nil: the record's who must be something a reader can see and
// tell apart, so it must be valid UTF-8, hold no hidden characters and have
// at least one letter or digit (a name of blanks or symbols alone is no
// name).
func CheckName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return errors.New("is empty")
	case !utf8.ValidString(name):
		return errors.New("is not valid UTF-8")
	case strings.IndexFunc(name, Hidden) >= 0:
		return errors.New("has control or invisible formatting characters")
	case strings.IndexFunc(name, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0:
		return errors.New("has no letter or digit")
	}
	return nil
}

// ErrOverAllowance means the daemon refused a request, not run, because
// its way in (MQTT, the status page, the control socket) had asked more
// than the journal records one by one; try again later.
var ErrOverAllowance = errors.New("over the journal's allowance of requests")

// ActionKind is what an action did.
type ActionKind string

// The actions ventd serves.
const (
	ActPurge        ActionKind = "purge"
	ActCancelPurge  ActionKind = "cancel_purge"
	ActAcknowledge  ActionKind = "acknowledge"
	ActCalibrate    ActionKind = "calibrate"
	ActConfigReload ActionKind = "config_reload"
	// ActJournalReplaced: ventd moved a damaged or foreign journal file
	// aside and started a fresh one.
	ActJournalReplaced ActionKind = "journal_replaced"
	// ActClockBehind holds what was measured while the clock was behind
	// the exposure record: per zone and pollutant, the mean, maximum and
	// time measured, with no time of its own (the clock's was wrong).
	// Time is where the record stood.
	ActClockBehind ActionKind = "clock_behind"
	// ActOverAllowance counts the requests from one way in (Target: mqtt,
	// page, socket) past what the journal records one by one: refused,
	// or for purges run, and journaled as this count.
	ActOverAllowance ActionKind = "over_allowance"
)

// Action is one request the daemon served, done or refused.
type Action struct {
	Time time.Time  `json:"time"`
	Kind ActionKind `json:"kind"`
	// Target is what it acted on: a zone, an alarm id, a sensor.
	Target string `json:"target"`
	By     Actor  `json:"by"`
	// Note is the reason or note the person gave.
	Note string `json:"note,omitempty"`
	// Result says what happened, in words a person reads; Err is set
	// instead when the request was refused.
	Result string `json:"result,omitempty"`
	Err    string `json:"error,omitempty"`
}
