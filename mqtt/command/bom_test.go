package command

import (
	"strings"
	"testing"
)

// A command saved by a Windows editor or PowerShell (Out-File, Set-Content
// -Encoding UTF8) starts with a byte order mark, and mosquitto_pub -f
// sends it as it is. The answer must say so, with the command's id: "not
// a JSON object" sends the sender looking for a mistake in an object that
// has none.
func TestParseNamesAByteOrderMark(t *testing.T) {
	c, err := Parse([]byte("\ufeff" + `{"command": "purge", "zone": "booth", "who": "Sam", "id": "bom1"}` + "\r\n"))
	if err == nil || !strings.Contains(err.Error(), "byte order mark") {
		t.Errorf("a command after a byte order mark: %v; want an error naming the byte order mark", err)
	}
	if c.ID != "bom1" || c.Name != Purge {
		t.Errorf("the refusal echoes id %q, command %q; want bom1, purge", c.ID, c.Name)
	}
}
