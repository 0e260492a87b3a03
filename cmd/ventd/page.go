package main

import (
	"net/http"

	"github.com/ventd/ventd/statuspage"
)

// mountPage puts the status page at / beside the daemon's API (/api/state,
// /metrics, /api/export, which keep their own handler), and attaches it to
// the daemon so it receives every period's record. The page's streams end
// when the server shuts down.
func (a *app) mountPage() error {
	page, err := statuspage.New(statuspage.Options{Config: a.cfg, Control: a.d, Now: a.d.Now, Log: a.log})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	page.Register(mux)
	mux.Handle("/", a.srv.Handler)
	a.srv.Handler = mux
	a.srv.RegisterOnShutdown(page.Close)
	a.d.Attach("page", page, nil)
	return nil
}
