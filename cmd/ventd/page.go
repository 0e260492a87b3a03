package main

import (
	"net/http"

	"github.com/ventd/ventd/statuspage"
)

// withPage puts the status page at / beside the daemon's API (/api/state,
// /metrics, /api/export, which keep their own handler), and attaches it to
// the daemon so it receives every period's record, with the last hour's
// trend from the journal. The page's streams end when the server shuts
// down.
func (a *app) withPage(journalPath string, api http.Handler) (http.Handler, func(), error) {
	page, err := statuspage.New(statuspage.Options{Config: a.cfg, Control: a.d, Now: a.d.Now, Log: a.log})
	if err != nil {
		return nil, nil, err
	}
	if err := page.LoadHistory(journalPath); err != nil {
		a.log.Warn("the status page starts without the last hour's trend", "err", err)
	}
	mux := http.NewServeMux()
	page.Register(mux)
	mux.Handle("/", api)
	a.d.Attach("page", page, nil)
	return mux, page.Close, nil
}
