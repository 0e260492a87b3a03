package journal

import (
	"bytes"
	"cmp"
	"database/sql"
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// VerifyOptions say what Verify checks.
type VerifyOptions struct {
	// From and To limit the rows checked to those with times in [From,
	// To), with every link holding one of them checked whole; zero: all.
	// The links themselves are always checked from the oldest kept.
	From, To time.Time
	// Head is a link's hash (hex; at least its first 16 digits) from a
	// report or an export. Verify then says whether the chain still holds
	// it. Empty: no head is looked for.
	Head string
	// MaxProblems caps Verification.Problems (default 20); Problems counts
	// them all.
	MaxProblems int
}

// Verification is what Verify found.
type Verification struct {
	Head   ChainHead // the newest link
	Oldest ChainHead // the oldest link kept (older ones are pruned)
	// HeadLink is the link whose hash VerifyOptions.Head names, 0 when none
	// was given or none matches (then there is a problem).
	HeadLink int64
	Links    int // links checked against their rows
	Rows     int // rows checked against their link
	// Before counts rows written before the chain began (by an older
	// ventd): nothing covers them. Since is when the chain began, or its
	// oldest link kept.
	Before int
	Since  time.Time
	// Pruned counts rows whose link was pruned with retention, and rows of
	// kept links that retention pruned: neither can be checked any more.
	Pruned int
	// Rewritten lists rows ventd itself rewrote after sealing them (a
	// minute merged after a restart, a finished shift written again):
	// allowed, and shown so that an auditor sees them. Rewrites counts all.
	Rewritten []Rewrite
	Rewrites  int
	// RewritesIn counts them by table; Rewritten lists up to 20 of each
	// table, so a few rewritten shift summaries are never crowded out by
	// a restart's many minutes.
	RewritesIn map[string]int
	// Problems are rows or links that do not fit, the earliest first.
	// ProblemCount counts all of them.
	Problems     []Problem
	ProblemCount int
}

// OK reports whether nothing failed.
func (v *Verification) OK() bool { return v.ProblemCount == 0 }

// RewriteCounts says how many rows of each table ventd rewrote after
// sealing them, by table name: "minutes 115, shifts 2".
func (v *Verification) RewriteCounts() string {
	var out []string
	for _, t := range slices.Sorted(maps.Keys(v.RewritesIn)) {
		out = append(out, fmt.Sprintf("%s %d", t, v.RewritesIn[t]))
	}
	return strings.Join(out, ", ")
}

// Problem is a row or a link that does not fit the chain.
type Problem struct {
	Table string    // "" for a link
	Key   string    // the row's key (chain_moved's row_key form)
	Time  time.Time // the row's time; zero when it has none
	Link  int64
	What  string
}

func (p Problem) String() string {
	return p.Format(func(t time.Time) string { return t.UTC().Format(time.RFC3339) })
}

// Format names the problem with its time written by at, for a reader
// who keeps the site's time zone.
func (p Problem) Format(at func(time.Time) string) string {
	var b strings.Builder
	if p.Table != "" {
		fmt.Fprintf(&b, "%s row %s", p.Table, p.Key)
	} else {
		fmt.Fprintf(&b, "link %d", p.Link)
	}
	if !p.Time.IsZero() {
		b.WriteString(" at " + at(p.Time))
	}
	return b.String() + ": " + p.What
}

// Rewrite is a row that ventd rewrote after sealing it.
type Rewrite struct {
	Table, Key string
	Time       time.Time
	From, To   int64 // the links of the old and the new version
}

const (
	maxRewritten = 20
	maxKept      = 10000 // problems kept before sorting
)

// verifyLink is what Verify keeps of every link: about 40 bytes.
type verifyLink struct {
	first, last int64
	id          int64 // 0: no such link (deleted)
	expected    int32 // rows sealed
	moved       int32 // moved out since
	seen        int32
	format      int16
	inWindow    bool
	done        bool
}

// openLink is a link whose rows are being matched against its leaves.
type openLink struct {
	leaves  []byte
	matched []bool
}

// Verify checks the hash chain: that each link follows the one before and
// its hash covers its fields and leaves, that every sealed row's seal is
// among its link's leaves, that every leaf has its row (or a recorded
// move), and that no row was changed outside a ventd write. It reads the
// whole file (rows in the window only, with From and To) and holds about
// 40 bytes a link in memory (23 MB for a year of minute links). It works
// on a journal opened read-only.
func (j *Journal) Verify(opts VerifyOptions) (*Verification, error) {
	if !j.view { // one read transaction: one state of the file, on one connection
		var v *Verification
		err := j.View(func(in *Journal) error {
			var err error
			v, err = in.Verify(opts)
			return err
		})
		return v, err
	}
	ok, err := j.hasChain()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("journal: %s: %w (schema %d): nothing to verify; a ventd with the chain starts one when it next writes the file", j.path, ErrNoChain, j.version)
	}
	if opts.MaxProblems <= 0 {
		opts.MaxProblems = 20
	}
	head := strings.ToLower(strings.TrimSpace(opts.Head))
	if head != "" {
		if _, err := hex.DecodeString(head[:len(head)&^1]); err != nil || len(head) < 16 || len(head) > 64 {
			return nil, fmt.Errorf("journal: head %q: give the hash a report or an export printed, in hex, at least its first 16 digits", opts.Head)
		}
	}
	v := &verifier{j: j, res: &Verification{}, open: map[int64]*openLink{}, maxProblems: opts.MaxProblems}
	v.lo, v.hi = bounds(opts.From, opts.To)
	if err := v.checkLinks(head); err != nil {
		return nil, err
	}
	if err := v.checkMoves(); err != nil {
		return nil, err
	}
	if err := v.checkRows(); err != nil {
		return nil, err
	}
	return v.finish()
}

type verifier struct {
	j           *Journal
	res         *Verification
	links       []verifyLink // by id − oldest
	open        map[int64]*openLink
	oldest      int64 // oldest link id kept
	start       int64 // ms: the chain's oldest link's first row time
	lo, hi      int64 // the window, ms
	scanLo      int64 // rows read: the window widened to its links
	scanHi      int64
	movedBy0    map[string]bool // table + key of rows changed outside ventd
	problems    []Problem
	maxProblems int
	buf         []byte
}

func (v *verifier) problem(p Problem) {
	v.res.ProblemCount++
	if len(v.problems) < maxKept {
		v.problems = append(v.problems, p)
	}
}

// checkLinks streams the links, checks each against the one before, and
// keeps what the row checks need.
func (v *verifier) checkLinks(head string) error {
	rs, err := v.j.rd.Query(`SELECT id, written_ms, format, tables, first_ms, last_ms, prev, hash, leaves FROM chain ORDER BY id`)
	if err != nil {
		return fmt.Errorf("journal: %s: read the chain: %w", v.j.path, err)
	}
	defer rs.Close()
	var prev *link
	v.scanLo, v.scanHi = v.lo, v.hi
	for rs.Next() {
		l := &link{}
		if err := rs.Scan(&l.id, &l.written, &l.format, &l.tables, &l.first, &l.last, &l.prev, &l.hash, &l.leaves); err != nil {
			return fmt.Errorf("journal: %s: read the chain: %w", v.j.path, err)
		}
		h := ChainHead{Link: l.id, Hash: hex.EncodeToString(l.hash), Written: utc(l.written)}
		if prev == nil {
			v.oldest, v.res.Oldest, v.start = l.id, h, l.first
		}
		v.res.Head = h
		if head != "" && strings.HasPrefix(h.Hash, head) {
			v.res.HeadLink = l.id
		}
		switch {
		case prev != nil && l.id != prev.id+1:
			// Dated by the link before: the missing ones come after it.
			v.problem(Problem{Link: l.id, Time: utc(prev.last), What: fmt.Sprintf("links %d to %d are missing: deleted from the file", prev.id+1, l.id-1)})
		case prev != nil && !bytes.Equal(l.prev, prev.hash):
			v.problem(Problem{Link: l.id, Time: utc(l.first), What: fmt.Sprintf("does not follow link %d: its previous hash is not that link's hash (a link was rewritten)", prev.id)})
		}
		if !bytes.Equal(linkHash(l), l.hash) {
			v.problem(Problem{Link: l.id, Time: utc(l.first), What: "its hash does not match its contents: the link was edited"})
		}
		total, err := countTables(l.tables)
		if err != nil || len(l.leaves) != total*sealLen {
			v.problem(Problem{Link: l.id, Time: utc(l.first), What: fmt.Sprintf("its table counts %q do not match its %d leaves: the link was edited", l.tables, len(l.leaves)/sealLen)})
			total = len(l.leaves) / sealLen
		}
		vl := verifyLink{id: l.id, format: int16(l.format), first: l.first, last: l.last, expected: int32(total),
			inWindow: l.first < v.hi && l.last >= v.lo}
		if vl.inWindow {
			v.scanLo, v.scanHi = min(v.scanLo, l.first), max(v.scanHi, l.last)
		}
		for int64(len(v.links)) < l.id-v.oldest { // links deleted from the file: holes
			v.links = append(v.links, verifyLink{})
		}
		v.links = append(v.links, vl)
		prev = l
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("journal: %s: read the chain: %w", v.j.path, err)
	}
	if head != "" && v.res.HeadLink == 0 {
		why := "the chain was rewritten since that head was printed, or this is another room's journal"
		if v.oldest > 1 {
			why += ", or its link was pruned with retention (the oldest kept is link " + fmt.Sprint(v.oldest) + ")"
		}
		v.problem(Problem{What: fmt.Sprintf("head %s is not in this journal's chain: %s", head, why)})
	}
	v.res.Since = utc(v.start)
	return nil
}

// checkMoves reads the rows moved out of their links.
func (v *verifier) checkMoves() error {
	v.movedBy0 = map[string]bool{}
	rs, err := v.j.rd.Query(`SELECT link, tbl, row_key, time_ms, by_link FROM chain_moved ORDER BY id`)
	if err != nil {
		return fmt.Errorf("journal: %s: read chain_moved: %w", v.j.path, err)
	}
	defer rs.Close()
	for rs.Next() {
		var from, by int64
		var tbl, key string
		var tm sql.NullInt64
		if err := rs.Scan(&from, &tbl, &key, &tm, &by); err != nil {
			return fmt.Errorf("journal: %s: read chain_moved: %w", v.j.path, err)
		}
		if l := v.link(from); l != nil {
			l.moved++
		}
		var at time.Time
		if tm.Valid {
			at = utc(tm.Int64)
			if tm.Int64 < v.lo || tm.Int64 >= v.hi {
				continue
			}
		}
		t := chainTableNamed(tbl)
		switch {
		case by == 0:
			v.movedBy0[tbl+"\x00"+key] = true
			v.problem(Problem{Table: tbl, Key: key, Time: at, Link: from,
				What: fmt.Sprintf("changed outside a ventd write after link %d sealed it (by another program on the file)", from)})
		case t == nil || !t.rewritable:
			v.problem(Problem{Table: tbl, Key: key, Time: at, Link: from,
				What: fmt.Sprintf("rewritten after link %d sealed it, by link %d, but ventd never rewrites %s rows", from, by, tbl)})
		default:
			v.res.Rewrites++
			if v.res.RewritesIn == nil {
				v.res.RewritesIn = map[string]int{}
			}
			v.res.RewritesIn[tbl]++
			if v.res.RewritesIn[tbl] <= maxRewritten {
				v.res.Rewritten = append(v.res.Rewritten, Rewrite{Table: tbl, Key: key, Time: at, From: from, To: by})
			}
		}
	}
	return rs.Err()
}

// checkRows matches every row in the window against its link's leaves.
func (v *verifier) checkRows() error {
	for _, t := range chained {
		where := ""
		args := []any{}
		if t.time != "NULL" {
			where = on(t.time, t.name) + " BETWEEN ? AND ?"
			args = append(args, v.scanLo, v.scanHi)
		}
		rs, err := v.j.rd.Query(t.selectRows(where), args...)
		if err != nil {
			return fmt.Errorf("journal: %s: read %s: %w", v.j.path, t.name, err)
		}
		for rs.Next() {
			r, err := t.scanRow(rs.Scan, true)
			if err == nil {
				err = v.row(t, r)
			}
			if err != nil {
				rs.Close()
				return fmt.Errorf("journal: %s: read %s: %w", v.j.path, t.name, err)
			}
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return fmt.Errorf("journal: %s: read %s: %w", v.j.path, t.name, err)
		}
	}
	return nil
}

func (v *verifier) row(t *chainTable, r chainRow) error {
	var at time.Time
	inWindow := true
	if r.time != nil {
		at = utc(*r.time)
		inWindow = *r.time >= v.lo && *r.time < v.hi
	}
	p := Problem{Table: t.name, Key: r.key, Time: at, Link: r.link}
	if r.link == 0 {
		switch {
		case !r.record || !inWindow || v.movedBy0[t.name+"\x00"+r.key]:
		case r.time != nil && *r.time >= v.start && v.start != 0:
			p.What = "not sealed: written outside a ventd write"
			v.problem(p)
		default:
			v.res.Before++
		}
		return nil
	}
	l := v.link(r.link)
	switch {
	case l == nil && r.link < v.oldest:
		if inWindow {
			v.res.Pruned++
		}
		return nil
	case l == nil:
		p.What = fmt.Sprintf("sealed by link %d, which the chain does not hold", r.link)
		v.problem(p)
		return nil
	case r.time != nil && (*r.time < l.first || *r.time > l.last):
		p.What = fmt.Sprintf("its time is outside link %d's rows (%s to %s): moved in time after it was sealed",
			l.id, utc(l.first).Format(time.RFC3339), utc(l.last).Format(time.RFC3339))
		v.problem(p)
		return nil
	case !l.inWindow:
		return nil
	case l.done:
		p.What = fmt.Sprintf("link %d already has all its rows: this one was added after it was sealed", l.id)
		v.problem(p)
		return nil
	}
	o := v.open[l.id]
	if o == nil {
		o = &openLink{}
		if err := v.j.rd.QueryRow(`SELECT leaves FROM chain WHERE id = ?`, l.id).Scan(&o.leaves); err != nil {
			return err
		}
		o.matched = make([]bool, len(o.leaves)/sealLen)
		v.open[l.id] = o
	}
	var s seal
	var err error
	if v.buf, s, err = t.sealRow(v.buf, int(l.format), r.vals); err != nil {
		return err
	}
	v.res.Rows++
	l.seen++
	if !o.match(s) {
		p.What = fmt.Sprintf("does not match its seal in link %d: changed after it was sealed", l.id)
		v.problem(p)
	}
	if l.seen+l.moved >= l.expected {
		l.done = true
		v.res.Links++
		delete(v.open, l.id)
	}
	return nil
}

// link returns what Verify keeps of link id, nil when the chain does not
// hold it.
func (v *verifier) link(id int64) *verifyLink {
	i := id - v.oldest
	if id <= 0 || i < 0 || i >= int64(len(v.links)) || v.links[i].id == 0 {
		return nil
	}
	return &v.links[i]
}

// match marks the first unmatched leaf equal to s.
func (l *openLink) match(s seal) bool {
	n := len(l.leaves) / sealLen
	lo, hi := 0, n
	for lo < hi { // the first leaf not below s
		m := (lo + hi) / 2
		if bytes.Compare(l.leaves[m*sealLen:(m+1)*sealLen], s[:]) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	for k := lo; k < n && bytes.Equal(l.leaves[k*sealLen:(k+1)*sealLen], s[:]); k++ {
		if !l.matched[k] {
			l.matched[k] = true
			return true
		}
	}
	return false
}

// finish reports the links still missing rows, and sorts the problems.
func (v *verifier) finish() (*Verification, error) {
	// Rows may be missing for retention only before the oldest minute
	// left, and from a link sealed by a ventd that records its prunes,
	// only before a recorded prune too: anything else was deleted
	// (prune_record.go).
	var oldest int64 = math.MaxInt64
	if first, _, err := v.j.Range(); err == nil && !first.IsZero() {
		oldest = first.UnixMilli()
	}
	before, pruned, err := v.j.prunedBefore()
	if err != nil {
		return nil, err
	}
	if !pruned {
		before = math.MinInt64
	}
	for i := range v.links {
		l := &v.links[i]
		if l.id == 0 || !l.inWindow || l.done {
			continue
		}
		missing := int(l.expected - l.moved - l.seen)
		if missing <= 0 {
			continue
		}
		var tables string
		v.j.rd.QueryRow(`SELECT tables FROM chain WHERE id = ?`, l.id).Scan(&tables)
		horizon := oldest
		if l.format >= formatPrunesRecorded {
			horizon = min(oldest, before)
		}
		if l.first < horizon {
			// Older than the oldest minute and a recorded prune: retention
			// took its rows, but never those of a table Prune keeps (an
			// action, a calibration).
			kept, err := v.keptMissing(l.id, tables)
			if err != nil {
				return nil, err
			}
			v.res.Pruned += missing - kept
			if kept == 0 {
				continue
			}
			missing = kept
		}
		v.problem(Problem{Link: l.id, Time: utc(l.first), What: fmt.Sprintf("%d of its rows (%s) are missing: deleted after it was sealed", missing, tables)})
	}
	slices.SortStableFunc(v.problems, func(a, b Problem) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.Link, b.Link), cmp.Compare(a.Table, b.Table), cmp.Compare(a.Key, b.Key))
	})
	v.res.Problems = v.problems[:min(len(v.problems), v.maxProblems)]
	return v.res, nil
}

// keptMissing counts the rows link id sealed in tables Prune never
// deletes from that are neither there nor recorded as moved.
func (v *verifier) keptMissing(id int64, tables string) (int, error) {
	missing := 0
	for _, f := range strings.Fields(tables) {
		name, n, _ := strings.Cut(f, "=")
		t := chainTableNamed(name)
		if t == nil || pruneTable(name) {
			continue
		}
		want, _ := strconv.Atoi(n)
		var have int
		err := v.j.rd.QueryRow(`SELECT (SELECT count(*) FROM `+t.name+` WHERE chain = ?)
			+ (SELECT count(*) FROM chain_moved WHERE link = ? AND tbl = ?)`, id, id, name).Scan(&have)
		if err != nil {
			return 0, fmt.Errorf("journal: %s: count link %d's %s: %w", v.j.path, id, name, err)
		}
		missing += max(want-have, 0)
	}
	return missing, nil
}
