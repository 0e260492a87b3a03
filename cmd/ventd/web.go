package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"github.com/prometheus/exporter-toolkit/web"
)

// TLS and basic authentication for the HTTP server, the way every official
// Prometheus exporter does them: exporter-toolkit's web configuration file
// (tls_server_config, basic_auth_users with bcrypt hashes), named with
// -web.config.file. The file is read again for each new connection, so a
// renewed certificate or a changed password needs no restart.

func addWebFlags(fs *flag.FlagSet, f *flags) {
	fs.StringVar(&f.webConfig, "web.config.file", "", "exporter-toolkit web configuration `file` (YAML): TLS and basic auth with bcrypt hashes for /metrics, /api/state and /api/export (default: plain HTTP, no auth)")
}

// checkWebConfig reads the web configuration file and its certificates at
// start, so a mistake stops ventd with a clear message rather than at the
// first scrape.
func checkWebConfig(path string) error {
	if path == "" {
		return nil
	}
	if err := web.Validate(path); err != nil {
		return fmt.Errorf("-web.config.file %s: %w (the format is exporter-toolkit's docs/web-configuration.md; generate a bcrypt hash with htpasswd -nBC 10 \"\" | tr -d ':\\n')", path, err)
	}
	return nil
}

// serveWeb serves srv on ln, with TLS and basic auth when a web
// configuration file is given.
func serveWeb(srv *http.Server, ln net.Listener, webConfig string, log *slog.Logger) error {
	socket := false
	addrs := []string{ln.Addr().String()}
	return web.Serve(ln, srv, &web.FlagConfig{WebListenAddresses: &addrs, WebSystemdSocket: &socket, WebConfigFile: &webConfig}, log)
}
