package main

import (
	"flag"
	"fmt"

	"github.com/ventd/ventd/journal"
)

// runVerify checks the journal's hash chain and names the first row that
// does not fit. It opens the journal read-only.
func runVerify(args []string, e env) int {
	fl := flag.NewFlagSet("ventctl verify", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	rf := addRecordFlags(fl, "of the rows to check")
	head := fl.String("head", "", "a chain head `hash` printed on a report or an export (at least its first 16 hex digits): check the journal still holds it")
	n := fl.Int("n", 20, "list at most `N` problems")
	if code, ok := parse(fl, args); !ok {
		return code
	}
	r, code := rf.open(e)
	if code != exitOK {
		return code
	}
	j, start, end := r.j, r.from, r.to
	defer j.Close()
	v, err := j.Verify(journal.VerifyOptions{From: start, To: end, Head: *head, MaxProblems: *n})
	if err != nil {
		return rf.readFailed(e, err)
	}
	w := e.stdout
	fmt.Fprintf(w, "journal %s\n", j.Path())
	fmt.Fprintf(w, "chain head: %s, written %s\n", v.Head, v.Head.Written.Format("2006-01-02 15:04:05Z07:00"))
	if v.Oldest.Link > 1 {
		fmt.Fprintf(w, "oldest link kept: %d (older ones pruned with retention)\n", v.Oldest.Link)
	}
	if *head != "" && v.HeadLink > 0 {
		fmt.Fprintf(w, "head %s: found, link %d\n", *head, v.HeadLink)
	}
	fmt.Fprintf(w, "checked: %d rows in %d links\n", v.Rows, v.Links)
	if v.Before > 0 {
		fmt.Fprintf(w, "not covered: %d rows written before the chain began (%s)\n", v.Before, v.Since.Format("2006-01-02 15:04:05Z07:00"))
	}
	if v.Pruned > 0 {
		fmt.Fprintf(w, "not checkable: %d rows whose links were pruned with retention\n", v.Pruned)
	}
	if v.Rewrites > 0 {
		fmt.Fprintf(w, "rewritten by ventd after sealing (allowed): %d rows (%s); up to 20 of each table:\n", v.Rewrites, v.RewriteCounts())
		for _, r := range v.Rewritten {
			fmt.Fprintf(w, "  %s row %s at %s: link %d, then link %d\n", r.Table, r.Key, r.Time.Format("2006-01-02 15:04:05Z07:00"), r.From, r.To)
		}
	}
	// The chain covers the rows; SQLite's own check covers the file: a
	// damaged page can leave every row it reads fitting the chain.
	damaged := j.Check()
	if damaged != nil {
		fmt.Fprintf(w, "DAMAGED: the file fails SQLite's integrity check: %v\n  (a copy taken with cp while ventd was writing is often damaged so: copy the journal again with sqlite3 journal.db \".backup copy.db\", or stop ventd first, and verify the new copy; ventd moves a damaged live file aside at its next start and begins a new one: keep that one for the record)\n", damaged)
	}
	if v.OK() && damaged == nil {
		fmt.Fprintln(w, "OK: every row fits the chain")
		return exitOK
	}
	if v.OK() {
		fmt.Fprintln(w, "every row read fits the chain, but the file is damaged")
		return exitFail
	}
	if from, ok := j.SalvagedFrom(); ok {
		fmt.Fprintf(w, "this journal was salvaged (ventctl salvage) from the damaged file %s: rows named missing below were on its pages that could not be read, not deleted\n", from)
	}
	fmt.Fprintf(w, "FAILED: %d rows or links do not fit the chain; the first:\n", v.ProblemCount)
	for _, p := range v.Problems {
		fmt.Fprintf(w, "  %s\n", p)
	}
	return exitFail
}
