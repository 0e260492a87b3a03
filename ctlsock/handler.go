package ctlsock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/record"
)

// The request bodies. Field names are the JSON ones in doc.go.
type purgeRequest struct {
	Zone   string `json:"zone"`
	Cancel bool   `json:"cancel"`
	Who    string `json:"who"`
	Reason string `json:"reason"`
}

type ackRequest struct {
	AlarmID uint64 `json:"alarm_id"`
	All     bool   `json:"all"`
	Who     string `json:"who"`
	Note    string `json:"note"`
}

type calibrateRequest struct {
	Sensor       string `json:"sensor"`
	ReferencePPM int    `json:"reference_ppm"`
	Force        bool   `json:"force"`
	Who          string `json:"who"`
	Note         string `json:"note"`
}

// reply is every answer's body.
type reply struct {
	OK            bool   `json:"ok"`
	Result        string `json:"result,omitempty"` // what the daemon did, in words
	Error         string `json:"error,omitempty"`
	CorrectionPPM *int   `json:"correction_ppm,omitempty"`
	PID           int    `json:"pid,omitempty"`
}

// MinReferencePPM and MaxReferencePPM bound a calibration's reference
// CO2, as the daemon checks it: checked here too so a typo is a 400
// before it reaches the loop, and by ventctl before it is sent.
const MinReferencePPM, MaxReferencePPM = 400, 5000

// waitFor bounds how long a request waits on the control loop, which
// answers within a period (a recalibration takes about a second more).
const waitFor = 30 * time.Second

// maxBody: requests are a few short strings.
const maxBody = 16 << 10

type handler struct {
	c   Controller
	log *slog.Logger
}

func newHandler(c Controller, log *slog.Logger) http.Handler {
	h := &handler{c: c, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/purge", h.purge)
	mux.HandleFunc("POST /v1/ack", h.ack)
	mux.HandleFunc("POST /v1/calibrate", h.calibrate)
	mux.HandleFunc("GET /v1/ping", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, reply{OK: true, PID: os.Getpid()})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		badRequest(w, http.StatusNotFound, fmt.Sprintf("%s %s: no such request: use POST /v1/purge, /v1/ack or /v1/calibrate, or GET /v1/ping", r.Method, r.URL.Path))
	})
	return mux
}

func (h *handler) purge(w http.ResponseWriter, r *http.Request) {
	var req purgeRequest
	if !decode(w, r, "purge", &req, "zone, cancel, who") || !checkWho(w, "purge", req.Who, "asking for the purge") || !checkNote(w, "purge", "reason", req.Reason) ||
		(req.Zone != "" && !checkTarget(w, "purge", "zone", req.Zone)) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), waitFor)
	defer cancel()
	by := actor(r.Context(), req.Who)
	var res string
	var err error
	if req.Cancel {
		res, err = h.c.CancelPurge(ctx, req.Zone, by)
	} else {
		res, err = h.c.Purge(ctx, req.Zone, by, req.Reason)
	}
	h.log.Info("control socket: purge", "zone", req.Zone, "cancel", req.Cancel, "by", by.String(), "err", err)
	h.answer(w, res, err, nil)
}

func (h *handler) ack(w http.ResponseWriter, r *http.Request) {
	var req ackRequest
	if !decode(w, r, "ack", &req, "alarm_id, all, who, note") || !checkWho(w, "ack", req.Who, "acknowledging") || !checkNote(w, "ack", "note", req.Note) {
		return
	}
	switch {
	case req.AlarmID == 0 && !req.All:
		badRequest(w, http.StatusBadRequest, `ack: give "alarm_id" (an active alarm's id, from /api/state) or "all": true`)
		return
	case req.AlarmID != 0 && req.All:
		badRequest(w, http.StatusBadRequest, `ack: give "alarm_id" or "all": true, not both`)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), waitFor)
	defer cancel()
	by := actor(r.Context(), req.Who)
	res, err := h.c.Acknowledge(ctx, req.AlarmID, by, req.Note)
	h.log.Info("control socket: acknowledge", "alarm_id", req.AlarmID, "by", by.String(), "err", err)
	h.answer(w, res, err, nil)
}

func (h *handler) calibrate(w http.ResponseWriter, r *http.Request) {
	var req calibrateRequest
	if !decode(w, r, "calibrate", &req, "sensor, reference_ppm, who, note") || !checkWho(w, "calibrate", req.Who, "calibrating") || !checkNote(w, "calibrate", "note", req.Note) {
		return
	}
	switch {
	case strings.TrimSpace(req.Sensor) == "":
		badRequest(w, http.StatusBadRequest, `calibrate: "sensor" is required: the name of an SCD4x sensor in the configuration`)
		return
	case !checkTarget(w, "calibrate", "sensor", req.Sensor):
		return
	case req.ReferencePPM < MinReferencePPM || req.ReferencePPM > MaxReferencePPM:
		badRequest(w, http.StatusBadRequest, fmt.Sprintf(`calibrate: "reference_ppm" %d: give the CO2 of the air the sensor sits in now, %d to %d ppm (outdoor air is about 420)`, req.ReferencePPM, MinReferencePPM, MaxReferencePPM))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), waitFor)
	defer cancel()
	by := actor(r.Context(), req.Who)
	corr, err := h.c.ForcedRecalibration(ctx, req.Sensor, req.ReferencePPM, req.Force, by, req.Note)
	h.log.Info("control socket: forced recalibration", "sensor", req.Sensor, "reference_ppm", req.ReferencePPM, "by", by.String(), "err", err)
	res := ""
	if err == nil {
		res = fmt.Sprintf("%s recalibrated to %d ppm: correction %+d ppm", req.Sensor, req.ReferencePPM, corr)
	}
	h.answer(w, res, err, &corr)
}

// answer reports the controller's result: its own message when it
// refused.
func (h *handler) answer(w http.ResponseWriter, result string, err error, corr *int) {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		writeJSON(w, http.StatusGatewayTimeout, reply{Error: fmt.Sprintf("the control loop did not answer within %s: is it stuck? (see the log: journalctl -u ventd)", waitFor)})
	case err != nil:
		writeJSON(w, http.StatusUnprocessableEntity, reply{Error: err.Error()})
	default:
		writeJSON(w, http.StatusOK, reply{OK: true, Result: result, CorrectionPPM: corr})
	}
}

// decode reads one JSON object into v, answering 400 when it cannot.
func decode(w http.ResponseWriter, r *http.Request, what string, v any, fields string) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err == nil {
		err = twice(body)
	}
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err = dec.Decode(v)
		if err == nil && dec.More() {
			err = errors.New("more than one JSON value")
		}
	}
	if err == nil {
		return true
	}
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		big *http.MaxBytesError
		msg string
	)
	switch {
	case errors.Is(err, io.EOF):
		msg = "empty body: send one JSON object"
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
		msg = fmt.Sprintf("not JSON (%v): send one JSON object", err)
	case errors.As(err, &typ):
		msg = fmt.Sprintf("field %q: want %s, got a JSON %s", typ.Field, jsonWant(typ.Type), typ.Value)
	case errors.As(err, &big):
		msg = fmt.Sprintf("body over %d bytes", maxBody)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		msg = strings.TrimPrefix(err.Error(), "json: ")
	default:
		msg = err.Error()
	}
	badRequest(w, http.StatusBadRequest, fmt.Sprintf("%s: bad request: %s (fields: %s)", what, msg, fields))
	return false
}

// errTwice is a key given twice in a request.
type errTwice string

func (e errTwice) Error() string { return fmt.Sprintf("field %q given twice", string(e)) }

// twice finds a key given twice at the top of a JSON object, in any case
// (encoding/json matches keys so, and keeps the last): the request would
// say one thing to a reader and another to the daemon. Anything that is
// not an object is left to the decoder to refuse.
func twice(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var seen []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		key, _ := tok.(string)
		for _, k := range seen {
			// Unicode's simple folding, as encoding/json matches ("reaſon" is "reason").
			if strings.EqualFold(k, key) {
				return errTwice(key)
			}
		}
		seen = append(seen, key)
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return nil
		}
	}
	return nil
}

// jsonWant says what a field of type t takes, in a client's words rather
// than Go's ("a uint64").
func jsonWant(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number, 0 or more"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	}
	return "a " + t.String()
}

// checkWho requires a plain name: every action is recorded with who did it.
func checkWho(w http.ResponseWriter, what, who, doing string) bool {
	var msg string
	switch {
	case strings.TrimSpace(who) == "":
		msg = fmt.Sprintf(`%s: "who" is required: the name or staff id of the person %s (ventctl sends your login name; -who sets another)`, what, doing)
	case len(who) > record.MaxNameBytes:
		msg = fmt.Sprintf(`%s: "who" is %d bytes: give a name or staff id of at most %d`, what, len(who), record.MaxNameBytes)
	case record.CheckName(who) != nil:
		msg = fmt.Sprintf(`%s: "who" %q %v: give a plain name or staff id`, what, who, record.CheckName(who))
	default:
		return true
	}
	badRequest(w, http.StatusBadRequest, msg)
	return false
}

// checkTarget requires a zone or sensor to be a name as the config has
// them: the loop refuses one it does not know, but records it with the
// refused action as given.
func checkTarget(w http.ResponseWriter, what, field, name string) bool {
	var msg string
	switch {
	case len(name) > config.MaxNameLen:
		msg = fmt.Sprintf(`%s: %q is %d bytes: names in the configuration have at most %d`, what, field, len(name), config.MaxNameLen)
	case !config.IsName(name):
		msg = fmt.Sprintf(`%s: %q %q is not a %s name (letters, digits, '-', '_', '.', as in the configuration)`, what, field, name, field)
	default:
		return true
	}
	badRequest(w, http.StatusBadRequest, msg)
	return false
}

// checkNote requires a reason or note to be one short line of plain text:
// it is recorded with the action and shown in reports, exports and
// terminals, where an escape sequence or a direction override would act
// rather than read.
func checkNote(w http.ResponseWriter, what, field, note string) bool {
	var msg string
	switch {
	case len(note) > record.MaxNoteBytes:
		msg = fmt.Sprintf(`%s: %q is %d bytes: give at most %d (the journal keeps it with the action)`, what, field, len(note), record.MaxNoteBytes)
	case strings.IndexFunc(note, record.Hidden) >= 0:
		msg = fmt.Sprintf(`%s: %q has control or invisible formatting characters (line breaks, tabs, escapes, direction overrides): give one line of plain text`, what, field)
	default:
		return true
	}
	badRequest(w, http.StatusBadRequest, msg)
	return false
}

func badRequest(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, reply{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
