package command

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Command
	}{
		{`{"command": "purge", "who": "Sam"}`, Command{Name: Purge, Who: "Sam"}},
		{`{"id": "x-1", "command": "purge", "zone": "booth.2", "who": "Sam", "reason": "drill"}  `, Command{ID: "x-1", Name: Purge, Zone: "booth.2", Who: "Sam", Reason: "drill"}},
		{`{"command": "cancel_purge", "who": "Sam"}`, Command{Name: CancelPurge, Who: "Sam"}},
		{`{"command": "ack", "alarm_id": 42, "who": "Ana María", "note": "ok"}`, Command{Name: Ack, AlarmID: 42, Who: "Ana María", Note: "ok"}},
		{`{"command": "ack", "all": true, "who": "Sam"}`, Command{Name: Ack, All: true, Who: "Sam"}},
	} {
		got, err := Parse([]byte(tc.in))
		if err != nil || got != tc.want {
			t.Errorf("Parse(%s) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for in, want := range map[string]string{
		``:                                  "empty command",
		`[]`:                                "not a JSON object",
		`{"command": "purge"}`:              `"who" is required`,
		`{"command": "purge", "who": "  "}`: `"who" is required`,
		`{"who": "Sam"}`:                    `"command" is missing`,
		`{"command": "reboot", "who": "S"}`: `unknown command "reboot"`,
		`{"command": "purge", "who": "S", "who": "T"}`:                                        `"who" given twice`,
		`{"command": "purge", "who": "S"} {}`:                                                 "more after the JSON object",
		`{"command": "purge", "who": "S"}x`:                                                   "more after the JSON object",
		`{"command": "purge", "who": 7}`:                                                      `"who": want a string, got a number`,
		`{"command": "purge", "who": "S", "zone": "a b"}`:                                     "not a zone name",
		`{"command": "purge", "who": "S", "zone": ["booth"]}`:                                 "a JSON list",
		`{"command": "purge", "who": "S", "alarm_id": 3}`:                                     `"alarm_id" does not apply`,
		`{"command": "purge", "who": "S", "note": "n"}`:                                       `"note" does not apply`,
		`{"command": "ack", "who": "S"}`:                                                      `give "alarm_id"`,
		`{"command": "ack", "who": "S", "alarm_id": 3, "all": true}`:                          "not both",
		`{"command": "ack", "who": "S", "alarm_id": -3}`:                                      "is not an alarm id",
		`{"command": "ack", "who": "S", "alarm_id": 1.5}`:                                     "is not an alarm id",
		`{"command": "ack", "who": "S", "alarm_id": 0}`:                                       "is not an alarm id",
		`{"command": "ack", "who": "S", "all": "yes"}`:                                        `"all": want true or false`,
		`{"command": "purge", "who": "S\u0007"}`:                                              "control or invisible formatting characters",
		`{"command": "purge", "who": "\u200b"}`:                                               "control or invisible formatting characters",
		`{"command": "purge", "who": "S", "reason": "a\u202eb"}`:                              "control or invisible formatting characters",
		`{"command": "purge", "who": "\u2800 -"}`:                                             "no letter or digit",
		`{"command": "purge", "who": "S", "reason": null}`:                                    "got null",
		"{\"command\": \"purge\", \"who\": \"\xff\"}":                                         "not valid UTF-8",
		`{"command": "purge", "who": "` + strings.Repeat("a", 65) + `"}`:                      "at most 64",
		`{"command": "purge", "who": "S", "reason": "` + strings.Repeat("a", MaxBytes) + `"}`: "bytes: at most 1024",
	} {
		if _, err := Parse([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%.60s): %v; want an error containing %q", in, err, want)
		}
	}
}

// FuzzParse: no payload makes the parser panic, and what it
// accepts is a well-formed command that reads back the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"command": "purge", "who": "Sam", "zone": "booth", "reason": "overdose response", "id": "1"}`,
		`{"command": "cancel_purge", "who": "Sam"}`,
		`{"command": "ack", "alarm_id": 42, "who": "Ana", "note": "checked"}`,
		`{"command": "ack", "all": true, "who": "Sam"}`,
		`{"command": "ack", "all": false, "alarm_id": 18446744073709551615, "who": "x"}`,
		`{"command":"purge","who":"S","who":"T"}`,
		`{"command": "purge", "who": "\u00e9\ud83d\ude00"}`,
		`{"a":{"b":[1,2,{"c":null}]}}`,
		`{"command": "ack", "alarm_id": 1e3, "who": "x"}`,
		"\xef\xbb\xbf{}",
		`{`, `}`, `""`, `null`, `0`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without words")
			}
			return
		}
		if _, ok := fields[c.Name]; !ok {
			t.Fatalf("accepted command %q", c.Name)
		}
		if strings.TrimSpace(c.Who) == "" || len(c.Who) > 64 || strings.IndexFunc(c.Who+c.Note+c.Reason+c.ID+c.Zone, unicode.IsControl) >= 0 {
			t.Fatalf("accepted fields %+v", c)
		}
		if c.Name == Ack && (c.AlarmID == 0) == !c.All {
			t.Fatalf("accepted ack %+v: want exactly one of alarm_id and all", c)
		}
		if c.Name != Ack && (c.AlarmID != 0 || c.All || c.Note != "") {
			t.Fatalf("accepted %s with ack fields: %+v", c.Name, c)
		}
		again, _ := json.Marshal(c)
		c2, err := Parse(again)
		if err != nil || c2 != c {
			t.Fatalf("%+v reads back as %+v, %v", c, c2, err)
		}
	})
}

// A command refused whole (too long, not valid UTF-8) still carries the
// id it gives, for the answer to echo; not an id that lost bytes to
// invalid UTF-8, which would be another command's, and not from a payload
// past what ventd reads.
func TestARefusedWholeCommandKeepsItsID(t *testing.T) {
	note := strings.Repeat(`\ud83d\ude00`, 80) // an emoji as json.dumps writes it: 12 bytes each
	for in, want := range map[string]Command{
		`{"command": "ack", "all": true, "who": "Sam", "note": "` + note + `", "id": "long1"}`: {ID: "long1", Name: Ack},
		"{\"id\": \"bad1\", \"command\": \"purge\", \"who\": \"S\xe9bastien\"}":                {ID: "bad1", Name: Purge},
		"{\"id\": \"r\xff1\", \"command\": \"purge\", \"who\": \"Sam\"}":                       {Name: Purge},
		`{"id": "huge", "command": "purge", "note": "` + strings.Repeat("a", maxEcho) + `"}`:   {},
	} {
		got, err := Parse([]byte(in))
		if err == nil || got != want {
			t.Errorf("Parse(%.80q...) = %+v, %v; want %+v and an error", in, got, err, want)
		}
	}
}
