package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Check loads the file at path and reports as `ventd -check-config` and
// `ventctl check-config` do: every mistake on stderr, or OK with an
// outline of the room on stdout; then any warnings on stderr. prog
// prefixes an error that is not about the file's content (a missing
// file). It reports whether ventd would start with the file.
func Check(path, prog string, stdout, stderr io.Writer) bool {
	cfg, err := Load(path)
	var errs Errors
	switch {
	case errors.As(err, &errs):
		fmt.Fprintf(stderr, "%s: %d mistake(s):\n", path, len(errs))
		for _, e := range errs {
			fmt.Fprintln(stderr, "  "+e.Error())
		}
		return false
	case err != nil:
		fmt.Fprintln(stderr, prog+":", err)
		return false
	}
	fmt.Fprintf(stdout, "%s: OK: site %q, room %q, %s, %s, %s\n",
		path, cfg.Site, cfg.Room, count(len(cfg.Zones), "zone"), count(len(cfg.Sensors), "sensor"), count(len(cfg.Fans), "fan"))
	if ws := append(cfg.Warnings(), unreadableFiles(path, cfg)...); len(ws) > 0 {
		fmt.Fprintf(stderr, "%s: %d warning(s): accepted, but check that they mean what you meant:\n", path, len(ws))
		for _, w := range ws {
			fmt.Fprintln(stderr, "  "+w.String())
		}
	}
	return true
}

// unreadableFiles warns of the files the config names that cannot be read
// here. Parse does not look at the disk (a config may be checked on
// another machine than the Pi that runs it), but -check-config is the
// step before a start, and a missing password or CA file would only show
// at the start, as an MQTT that never connects.
func unreadableFiles(path string, cfg *Config) []*Warning {
	m := cfg.MQTT
	if m == nil {
		return nil
	}
	var ws []*Warning
	for _, f := range []struct{ key, v string }{{"password_file", m.PasswordFile}, {"ca_file", m.CAFile}, {"cert_file", m.CertFile}, {"key_file", m.KeyFile}} {
		if f.v == "" {
			continue
		}
		fh, err := os.Open(f.v)
		if err == nil {
			fh.Close()
			continue
		}
		msg := fmt.Sprintf("%v: ventd runs without MQTT until it can read this file; create it (readable by the ventd user) and restart ventd", err)
		if errors.Is(err, fs.ErrPermission) {
			msg = fmt.Sprintf("%v here; ventd's user must be able to read it (sudo -u ventd ventd -check-config -config %s checks as that user)", err, path)
		}
		ws = append(ws, &Warning{File: path, Path: "mqtt." + f.key, Msg: msg})
	}
	return ws
}

// count is n things, in the singular for one: "1 fan", "2 fans".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
