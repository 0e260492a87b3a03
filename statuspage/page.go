package statuspage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
)

//go:embed web
var webFS embed.FS

// Controller is what the page asks of the daemon: *daemon.Daemon.
type Controller interface {
	Purge(ctx context.Context, zone string, by record.Actor, reason string) (string, error)
	CancelPurge(ctx context.Context, zone string, by record.Actor) (string, error)
	Acknowledge(ctx context.Context, alarmID uint64, by record.Actor, note string) (string, error)
}

// Options configure a Page.
type Options struct {
	// Config is the room: zones, sensors, fans, thresholds, and the page
	// section (PIN hash, sound, bounds).
	Config *config.Config
	// Control serves purges and acknowledgements.
	Control Controller
	// Now is the daemon's clock: it refills the rate limits, so they run
	// on simulated time under -sim like everything else.
	Now func() time.Time
	Log *slog.Logger
}

// Page serves the status page and is the output that feeds it.
type Page struct {
	cfg     *config.Config
	ctl     Controller
	now     func() time.Time
	log     *slog.Logger
	assets  map[string]asset
	info    atomic.Pointer[[]byte] // GET /api/page
	infoOf  *config.Config         // the configuration info was made from
	stream  *stream
	trend   *trend
	actions *actions
}

// asset is one embedded file with its validator.
type asset struct {
	data  []byte
	ctype string
	etag  string
}

// New returns the page for o.Config; attach it to the daemon
// (daemon.Attach) so it receives every period's record.
func New(o Options) (*Page, error) {
	if o.Config == nil || o.Control == nil || o.Now == nil {
		return nil, fmt.Errorf("statuspage: Options need Config, Control and Now")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	p := &Page{cfg: o.Config, ctl: o.Control, now: o.Now, log: o.Log, assets: map[string]asset{},
		stream: newStream(o.Config.Page.MaxClients), trend: newTrend()}
	p.actions = newActions(p)
	err := fs.WalkDir(webFS, "web", func(name string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := webFS.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		p.assets[strings.TrimPrefix(name, "web/")] = asset{data: b, ctype: contentType(name), etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("statuspage: embedded files: %w", err)
	}
	if err = p.setInfo(o.Config); err != nil {
		return nil, fmt.Errorf("statuspage: %w", err)
	}
	return p, nil
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	return "application/octet-stream"
}

// Receive implements record.Output: it keeps the newest state for the
// open pages and the minute aggregates for the trend.
func (p *Page) Receive(r *record.Period) {
	if r.Config != nil && r.Config != p.infoOf {
		if err := p.setInfo(r.Config); err != nil {
			p.log.Error("status page: the reloaded configuration's thresholds", "err", err)
		} else {
			p.stream.setInfo(*p.info.Load())
		}
	}
	if len(r.Minutes) > 0 {
		p.trend.add(r.Minutes)
		p.stream.setTrend(p.trend)
	}
	p.stream.publish(r)
}

// Close ends every live connection (the pages reconnect to the next
// ventd); the server's Shutdown calls it (http.Server.RegisterOnShutdown).
func (p *Page) Close() { p.stream.close() }

// Clients is how many pages are connected for live updates.
func (p *Page) Clients() int { return p.stream.count() }

// Register adds the page's endpoints to mux; the daemon's API (/api/state,
// /metrics, /api/export) goes on the same mux at "/".
func (p *Page) Register(mux *http.ServeMux) {
	mux.Handle("/{$}", p.get(p.serveIndex))
	mux.Handle("/ui/", p.get(p.serveAsset))
	mux.Handle("/api/page", p.get(p.serveInfo))
	mux.Handle("/api/events", p.get(p.serveEvents))
	mux.Handle("/api/trend", p.get(p.serveTrend))
	mux.Handle("/api/purge", p.post(p.actions.purge))
	mux.Handle("/api/acknowledge", p.post(p.actions.acknowledge))
}

// csp allows the page's own files and connections and nothing else: no
// inline script or style, no frames, no plugins, no other origin.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// secure sets the headers every page response carries.
func secure(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
}

func (p *Page) get(fn http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secure(w)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: only GET (or HEAD) is allowed here", r.Method, r.URL.Path))
			return
		}
		fn(w, r)
	})
}

func (p *Page) post(fn http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secure(w)
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: only POST is allowed here", r.Method, r.URL.Path))
			return
		}
		fn(w, r)
	})
}

func (p *Page) serveIndex(w http.ResponseWriter, r *http.Request) {
	setToken(w, r)
	p.serveFile(w, r, "index.html")
}

func (p *Page) serveAsset(w http.ResponseWriter, r *http.Request) {
	p.serveFile(w, r, strings.TrimPrefix(r.URL.Path, "/ui/"))
}

func (p *Page) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	a, ok := p.assets[name]
	if !ok || name == "index.html" && r.URL.Path != "/" {
		writeError(w, http.StatusNotFound, fmt.Sprintf("%s: no such file", r.URL.Path))
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	// Revalidate every time: after an upgrade the tablet must not run the
	// old script against the new daemon.
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", a.etag)
	// ServeContent answers If-None-Match as HTTP says (lists, weak tags,
	// *) with 304, and HEAD without the body.
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.data))
}

func (p *Page) serveInfo(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(*p.info.Load())
}

// setInfo describes c for GET /api/page: the thresholds and entry level a
// reload may change, the zones and the page's own settings.
func (p *Page) setInfo(c *config.Config) error {
	b, err := json.Marshal(infoOf(c))
	if err != nil {
		return err
	}
	p.info.Store(&b)
	p.infoOf = c
	return nil
}

func (p *Page) serveTrend(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(p.trend.json())
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

// info is what the page needs of the config, served once per load.
type info struct {
	Site       string                     `json:"site"`
	Room       string                     `json:"room"`
	Booths     []zoneInfo                 `json:"booths"`
	Staff      []zoneInfo                 `json:"staff"`
	Outdoor    []zoneInfo                 `json:"outdoor"`
	Thresholds map[sample.Quantity]levels `json:"thresholds"`
	EntryPM25  float64                    `json:"entry_pm25"`
	// BoothPressure is the containment alarm level (Pa, negative).
	BoothPressure float64 `json:"booth_pressure_pa"`
	StaleAfter    float64 `json:"stale_after_s"`
	Sound         bool    `json:"sound"`
	// Actions is false without a PIN hash: the buttons say how to turn
	// them on instead.
	Actions bool `json:"actions"`
	MinPIN  int  `json:"min_pin"`
}

type zoneInfo struct {
	Zone    string   `json:"zone"`
	Fans    []string `json:"fans"`
	Sensors []string `json:"sensors"`
}

type levels struct {
	Warning float64 `json:"warning"`
	Alarm   float64 `json:"alarm"`
}

func infoOf(c *config.Config) info {
	t := c.Thresholds
	in := info{Site: c.Site, Room: c.Room, EntryPM25: t.EntryPM25, BoothPressure: c.Alarms.BoothPressurePa,
		StaleAfter: c.Page.StaleAfter.Seconds(), Sound: c.Page.Sound, Actions: c.Page.PINHash != "", MinPIN: config.MinPINLength,
		Thresholds: map[sample.Quantity]levels{
			sample.PM25:     {t.PM25.Warning, t.PM25.Alarm},
			sample.CO2:      {t.CO2.Warning, t.CO2.Alarm},
			sample.VOCIndex: {t.VOCIndex.Warning, t.VOCIndex.Alarm},
		},
		Outdoor: []zoneInfo{}, // a list, even empty: most rooms have none
	}
	for _, z := range c.Zones {
		zi := zoneInfo{Zone: z.Name, Fans: []string{}, Sensors: []string{}}
		for _, f := range c.FansFor(z.Name) {
			zi.Fans = append(zi.Fans, f.Name)
		}
		for _, s := range c.SensorsIn(z.Name) {
			zi.Sensors = append(zi.Sensors, s.Name)
		}
		switch z.Kind {
		case config.Booth:
			in.Booths = append(in.Booths, zi)
		case config.Staff:
			in.Staff = append(in.Staff, zi)
		case config.Outdoor:
			// The air the room takes in, outside or in the supply duct:
			// a line of its own on the page, never a staff row, since
			// the staff's thresholds and limits are not its own.
			in.Outdoor = append(in.Outdoor, zi)
		}
	}
	return in
}
