package journal

import (
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// ErrNoChain says the journal has no hash chain: it was written by a ventd
// from before the chain, and no newer ventd has opened it for writing.
var ErrNoChain = errors.New("journal has no hash chain")

// ChainHead is one link of the journal's hash chain, as a report or an
// export prints it: a copy of the journal that still holds this link, with
// every row sealed up to it fitting (ventctl verify -head), was not edited
// since.
type ChainHead struct {
	Link    int64     `json:"link"`
	Hash    string    `json:"hash"` // SHA-256, hex
	Written time.Time `json:"written"`
}

// String returns "link N sha256 HEX".
func (h ChainHead) String() string { return fmt.Sprintf("link %d sha256 %s", h.Link, h.Hash) }

// hasChain reports whether the file has the chain's tables (a journal
// opened read-only may predate them).
func (j *Journal) hasChain() (bool, error) {
	var n int
	err := j.rd.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'chain'`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("journal: %s: look for the hash chain: %w", j.path, err)
	}
	return n == 1, nil
}

// ChainHead returns the newest link of the chain. It returns an error
// wrapping ErrNoChain for a journal from before the chain, and a zero head
// for one with no link yet.
func (j *Journal) ChainHead() (ChainHead, error) {
	ok, err := j.hasChain()
	if err != nil {
		return ChainHead{}, err
	}
	if !ok {
		return ChainHead{}, fmt.Errorf("journal: %s: %w (schema %d): open it with this ventd to start one", j.path, ErrNoChain, j.version)
	}
	var h ChainHead
	var hash []byte
	var written int64
	err = j.rd.QueryRow(`SELECT id, hash, written_ms FROM chain ORDER BY id DESC LIMIT 1`).Scan(&h.Link, &hash, &written)
	if errors.Is(err, sql.ErrNoRows) {
		return ChainHead{}, nil
	}
	if err != nil {
		return ChainHead{}, fmt.Errorf("journal: %s: read the chain's head: %w", j.path, err)
	}
	h.Hash, h.Written = hex.EncodeToString(hash), utc(written)
	return h, nil
}
