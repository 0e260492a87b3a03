package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/ventd/ventd/config"
)

// runHashPIN reads the staff PIN from standard input (not the command
// line, which other users see in ps and the shell keeps in its history)
// and prints the config line that holds its bcrypt hash.
func runHashPIN(args []string, e env) int {
	fs := flag.NewFlagSet("ventctl hash-pin", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: read -rs PIN; echo \"$PIN\" | ventctl hash-pin")
		fmt.Fprintf(e.stderr, "reads the staff PIN (at least %d characters) from standard input and prints page.pin_hash for ventd's config\n", config.MinPINLength)
	}
	if code, ok := parse(fs, args); !ok {
		return code
	}
	in := e.stdin
	if in == nil {
		in = os.Stdin
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(e.stderr, "ventctl hash-pin: no PIN on standard input: read -rs PIN; echo \"$PIN\" | ventctl hash-pin")
		return exitUsage
	}
	hash, err := config.HashPIN(strings.TrimRight(line, "\r\n"))
	var ce *config.Error
	switch {
	case errors.As(err, &ce):
		fmt.Fprintln(e.stderr, "ventctl hash-pin: "+ce.Msg)
		return exitUsage
	case err != nil:
		fmt.Fprintln(e.stderr, "ventctl hash-pin:", err)
		return exitFail
	}
	fmt.Fprintf(e.stdout, "page:\n  pin_hash: %q\n", hash)
	// A config has one page: section (the shipped one already does): two
	// pasted at its end would be a duplicate key.
	fmt.Fprintln(e.stderr, "put the pin_hash line in the config's page: section (the shipped config has one, with pin_hash commented out); "+
		"add the page: line only if it has none; then restart ventd")
	return exitOK
}
