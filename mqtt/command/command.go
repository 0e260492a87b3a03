// Package command reads the commands ventd takes over MQTT (purge, cancel
// a purge, acknowledge alarms) strictly: one small JSON object, known
// fields of the right type each at most once, nothing after it. Anything
// else is refused with words the sender can act on, and changes nothing.
package command

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/record"
)

// MaxBytes bounds a command's payload: a command is a few short
// fields.
const MaxBytes = 1024

// maxEcho bounds a payload refused for its size that is still read for
// its id to echo: what ventd reads off the connection (limitConn's
// maxIncoming), so the scan is bounded too.
const maxEcho = 64 << 10

// The commands ventd takes on <base>/command.
const (
	Purge       = "purge"
	CancelPurge = "cancel_purge"
	Ack         = "ack"
)

// Command is one request from an MQTT client, as parsed from its JSON
// payload:
//
//	{"command": "purge", "zone": "booth", "who": "Sam", "reason": "overdose response", "id": "r1"}
//	{"command": "cancel_purge", "zone": "booth", "who": "Sam"}
//	{"command": "ack", "alarm_id": 42, "who": "Sam", "note": "checked the booth"}
//	{"command": "ack", "all": true, "who": "Sam"}
//
// who is required (the journal records it with every action); zone is
// optional (every booth); id, when given, is echoed in the reply and makes
// a repeat of the same command (QoS 1 may deliver twice) answered, not
// run again. The same id on a command asking anything else is refused:
// each command needs its own id.
type Command struct {
	ID      string `json:"id,omitempty"`
	Name    string `json:"command"`
	Zone    string `json:"zone,omitempty"`
	AlarmID uint64 `json:"alarm_id,omitempty"`
	All     bool   `json:"all,omitempty"`
	Who     string `json:"who"`
	Reason  string `json:"reason,omitempty"` // purge only
	Note    string `json:"note,omitempty"`   // ack only
}

// Reply is the answer on <base>/reply.
type Reply struct {
	ID      string `json:"id,omitempty"`
	Command string `json:"command,omitempty"`
	OK      bool   `json:"ok"`
	Result  string `json:"result,omitempty"`
	Error   string `json:"error,omitempty"`
}

// fields says which fields each command takes.
var fields = map[string]string{
	Purge:       "command, zone, who, reason, id",
	CancelPurge: "command, zone, who, id",
	Ack:         "command, alarm_id or all, who, note, id",
}

// Parse reads one command strictly: one JSON object of at most
// MaxBytes, valid UTF-8, known fields each at most once and of the
// right type, nothing after it. The error says what is wrong in words the
// sender can act on. A command refused for a mistake found before the
// scan reached its id or name still carries them, when they are plain
// strings, for the answer to echo.
func Parse(b []byte) (Command, error) {
	var c Command
	switch {
	case len(b) == 0:
		return c, errors.New(`empty command: send one JSON object, like {"command": "purge", "who": "Sam"}`)
	case len(b) > MaxBytes:
		// Echoed all the same, so the sender can match the refusal: a
		// valid command passes 1 KB with a note written as \u escapes.
		if len(b) <= maxEcho {
			c.echoInvalid(b)
		}
		return c, fmt.Errorf("command of %d bytes: at most %d", len(b), MaxBytes)
	case !utf8.Valid(b):
		c.echoInvalid(b)
		return c, errors.New("command is not valid UTF-8")
	}
	var err error
	if bytes.HasPrefix(b, bom) {
		// Strict like the rest, but saying what the sender cannot see.
		err = errors.New("the command starts with a byte order mark (U+FEFF, as Windows editors and PowerShell write it): send the JSON object alone (save the file as UTF-8 without BOM)")
	} else {
		err = c.parse(b)
	}
	if err != nil {
		c.echo(bytes.TrimPrefix(b, bom))
	}
	return c, err
}

// bom is the UTF-8 byte order mark.
var bom = []byte("\ufeff")

// echo fills in the id and the command's name that a refused command
// gives anywhere in its object, where the strict scan stopped before
// them: the keys of a JSON object come in any order (alphabetical from
// Node-RED, Python's sort_keys and Go's maps, "id" after "alarm_id"), and
// a sender waits for the answer to its id.
func (c *Command) echo(b []byte) {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return
	}
	for _, f := range []struct {
		key string
		max int
		dst *string
	}{{"id", 64, &c.ID}, {"command", 32, &c.Name}} {
		var s string
		if *f.dst == "" && json.Unmarshal(m[f.key], &s) == nil && len(s) <= f.max && strings.IndexFunc(s, record.Hidden) < 0 {
			*f.dst = s
		}
	}
}

// echoInvalid is echo for a payload refused whole (too long, not valid
// UTF-8): best effort, on its valid UTF-8, and without an id that lost
// bytes to it, which would be another command's.
func (c *Command) echoInvalid(b []byte) {
	c.echo(bytes.ToValidUTF8(bytes.TrimPrefix(b, bom), []byte("\uFFFD")))
	if strings.ContainsRune(c.ID, utf8.RuneError) {
		c.ID = ""
	}
	if strings.ContainsRune(c.Name, utf8.RuneError) {
		c.Name = ""
	}
}

// parse is Parse's strict scan of a payload within bounds.
func (c *Command) parse(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New(`not a JSON object: send one, like {"command": "purge", "who": "Sam"}`)
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("not JSON: %v", err)
		}
		key, _ := tok.(string)
		if seen[key] {
			return fmt.Errorf("field %q given twice", key)
		}
		seen[key] = true
		val, err := dec.Token()
		if err != nil {
			return fmt.Errorf("field %q: not JSON: %v", key, err)
		}
		if d, ok := val.(json.Delim); ok {
			return fmt.Errorf("field %q: a %s, not a plain value", key, map[json.Delim]string{'{': "JSON object", '[': "JSON list"}[d])
		}
		if err := c.set(key, val); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return fmt.Errorf("not JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("more after the JSON object: send exactly one")
	}
	return c.check(seen)
}

// set stores one field, checking its type and form.
func (c *Command) set(key string, val any) error {
	str := func(max int, dst *string) error {
		s, ok := val.(string)
		switch {
		case !ok:
			return fmt.Errorf("field %q: want a string, got %s", key, jsonKind(val))
		case len(s) > max:
			return fmt.Errorf("field %q: %d bytes, at most %d", key, len(s), max)
		case strings.IndexFunc(s, record.Hidden) >= 0:
			return fmt.Errorf("field %q has control or invisible formatting characters", key)
		}
		*dst = s
		return nil
	}
	switch key {
	case "id":
		return str(64, &c.ID)
	case "command":
		return str(32, &c.Name)
	case "zone":
		if err := str(64, &c.Zone); err != nil {
			return err
		}
		if c.Zone != "" && !config.IsName(c.Zone) {
			return fmt.Errorf("field \"zone\": %q is not a zone name (letters, digits, '-', '_', '.')", c.Zone)
		}
		return nil
	case "who":
		return str(record.MaxNameBytes, &c.Who)
	case "reason":
		return str(record.MaxNoteBytes, &c.Reason)
	case "note":
		return str(record.MaxNoteBytes, &c.Note)
	case "all":
		b, ok := val.(bool)
		if !ok {
			return fmt.Errorf(`field "all": want true or false, got %s`, jsonKind(val))
		}
		c.All = b
		return nil
	case "alarm_id":
		n, ok := val.(json.Number)
		if !ok {
			return fmt.Errorf(`field "alarm_id": want a number, got %s`, jsonKind(val))
		}
		id, err := strconv.ParseUint(n.String(), 10, 64)
		if err != nil || id == 0 {
			return fmt.Errorf(`field "alarm_id": %s is not an alarm id (a whole number from 1, as /api/state and the alarm topics show)`, n)
		}
		c.AlarmID = id
		return nil
	}
	return fmt.Errorf("unknown field %q: fields are command, zone, alarm_id, all, who, reason, note, id", key)
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "true or false"
	case nil:
		return "null"
	}
	return "something else"
}

// check applies the rules that span fields.
func (c *Command) check(seen map[string]bool) error {
	takes, ok := fields[c.Name]
	switch {
	case !seen["command"]:
		return errors.New(`field "command" is missing: purge, cancel_purge or ack`)
	case !ok:
		return fmt.Errorf("unknown command %q: purge, cancel_purge or ack", c.Name)
	case strings.TrimSpace(c.Who) == "":
		return fmt.Errorf(`%s: field "who" is required: the name or staff id of the person asking, for the record`, c.Name)
	}
	if err := record.CheckName(c.Who); err != nil {
		return fmt.Errorf(`%s: field "who" %q %v: give a plain name or staff id, for the record`, c.Name, c.Who, err)
	}
	for _, f := range []string{"zone", "alarm_id", "all", "reason", "note"} {
		if seen[f] && !strings.Contains(takes, f) {
			return fmt.Errorf("%s: field %q does not apply (fields: %s)", c.Name, f, takes)
		}
	}
	if c.Name == Ack {
		switch {
		case c.AlarmID == 0 && !c.All:
			return errors.New(`ack: give "alarm_id" (an active alarm's id) or "all": true`)
		case c.AlarmID != 0 && c.All:
			return errors.New(`ack: give "alarm_id" or "all": true, not both`)
		}
	}
	return nil
}
