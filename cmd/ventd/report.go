package main

import (
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/httpapi"
	"github.com/ventd/ventd/journal"
)

// reportRoute serves GET /api/report from the journal at path, a reader of
// its own per request, like the export.
func reportRoute(path string, loc *time.Location, now func() time.Time, cfg *config.Config) httpapi.Route {
	return httpapi.Route{Pattern: "/api/report", Handler: &httpapi.Reporter{
		Open:     func() (*journal.Journal, error) { return journal.OpenReadOnly(path, journal.Options{}) },
		Location: loc, Now: now, Config: cfg,
	}}
}
