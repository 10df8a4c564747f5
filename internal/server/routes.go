package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzhttp"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/store"
)

// route is one endpoint: its pattern, who may call it, what it takes and
// returns (for the OpenAPI document) and its handler.
type route struct {
	method, path string
	role         Role
	tag          string
	summary      string
	params       []param
	body         string // request body content type ("" none)
	bodySchema   string // name of the request schema in components
	resp         string // success content type
	respSchema   string // name of the response schema in components
	status       int    // success status (200)
	queryToken   bool   // accepts ?token= (EventSource cannot set headers)
	upload       bool   // body limit is MaxUploadBytes
	noGzip       bool   // streams and zips are sent as they are
	noTimeout    bool   // long-lived (alert stream)
	h            func(w http.ResponseWriter, r *http.Request, q *query)
}

// param is a query or path parameter.
type param struct {
	name, in, typ, desc string
	required            bool
	enum                []string
}

func qp(name, typ, desc string) param { return param{name: name, in: "query", typ: typ, desc: desc} }
func pp(name, typ, desc string) param {
	return param{name: name, in: "path", typ: typ, desc: desc, required: true}
}
func req(p param) param                  { p.required = true; return p }
func enum(p param, vals ...string) param { p.enum = vals; return p }

// statusWriter records the status code for metrics and logs.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(c int) {
	if w.code == 0 {
		w.code = c
	}
	w.ResponseWriter.WriteHeader(c)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush lets the alert stream flush through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// wrap applies, in order: metrics, security headers, authentication and
// role, query-parameter validation, the body size limit, compression.
func (s *Server) wrap(rt *route) http.Handler {
	label := rt.method + " " + rt.path
	inner := http.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := &query{rt: rt, r: r, v: r.URL.Query()}
		for name := range q.v {
			if name == "token" && rt.queryToken {
				continue
			}
			if !slices.ContainsFunc(rt.params, func(p param) bool { return p.in == "query" && p.name == name }) {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown query parameter %q for %s (known: %s)", name, label, rt.paramNames()))
				return
			}
		}
		if r.Body != nil {
			limit := s.cfg.MaxBodyBytes
			if rt.upload {
				limit = s.cfg.MaxUploadBytes
			}
			if r.ContentLength > limit {
				writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body of %d bytes is over the limit of %d", r.ContentLength, limit))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		rt.h(w, r, q)
	}))
	if !rt.noGzip {
		inner = gzhttp.GzipHandler(inner)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			s.metrics.observe(label, sw.code, time.Since(start))
		}()
		h := sw.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		if rt.role > RoleNone {
			p, ok, why := s.authenticate(r, rt.queryToken)
			if !ok {
				h.Set("WWW-Authenticate", `Bearer realm="lookout"`)
				writeError(sw, http.StatusUnauthorized, why)
				return
			}
			if p.Role < rt.role {
				writeError(sw, http.StatusForbidden, fmt.Sprintf("%s needs the %s role; token %q has %s", label, rt.role, p.Name, p.Role))
				return
			}
			r = r.WithContext(contextWith(r.Context(), p))
		}
		if rt.noTimeout {
			// The alert stream lives longer than any write timeout.
			_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
		}
		inner.ServeHTTP(sw, r)
	})
}

func (s *Server) recoverer(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("handler panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				writeError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		h.ServeHTTP(w, r)
	})
}

func (rt *route) paramNames() string {
	var names []string
	for _, p := range rt.params {
		if p.in == "query" {
			names = append(names, p.name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// apiError is the body of every error response.
type apiError struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Del("Content-Encoding")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(apiError{Error: msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}

// fail maps an error to a status: bad input 400, missing 404, absent
// backend 501, a body over the limit 413, anything else 500 (logged, the
// message kept from the client).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is over the limit of %d bytes", mbe.Limit))
	case errors.Is(err, errBadRequest), errors.Is(err, store.ErrInvalid):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, store.ErrNotFound), errors.Is(err, errNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, errUnsupportedMedia):
		writeError(w, http.StatusUnsupportedMediaType, err.Error())
	case errors.Is(err, errNoBackend):
		writeError(w, http.StatusNotImplemented, err.Error())
	case errors.Is(err, r.Context().Err()) && r.Context().Err() != nil:
		// The client went away; nobody reads the answer.
		w.WriteHeader(499)
	default:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "internal error (logged on the server)")
	}
}

var (
	errNotFound         = errors.New("not found")
	errUnsupportedMedia = errors.New("unsupported media type")
)

func notImplemented(what, wire string) error {
	return fmt.Errorf("%w: %s (the server was started without %s)", errNoBackend, what, wire)
}

func badRequest(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errBadRequest, fmt.Sprintf(format, args...))
}

// query reads a request's declared parameters, collecting every problem
// so that one 400 names them all.
type query struct {
	rt   *route
	r    *http.Request
	v    url.Values
	errs []string
}

func (q *query) declared(name, in string) bool {
	if slices.ContainsFunc(q.rt.params, func(p param) bool { return p.name == name && p.in == in }) {
		return true
	}
	// A handler reading an undeclared parameter is a bug the route
	// table test finds: the OpenAPI document would not mention it.
	panic(fmt.Sprintf("server: %s %s reads undeclared %s parameter %q", q.rt.method, q.rt.path, in, name))
}

func (q *query) bad(name, format string, args ...any) {
	q.errs = append(q.errs, name+": "+fmt.Sprintf(format, args...))
}

// err returns the collected problems as one bad-request error.
func (q *query) err() error {
	if len(q.errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", errBadRequest, strings.Join(q.errs, "; "))
}

func (q *query) str(name string) string {
	q.declared(name, "query")
	s := q.v.Get(name)
	if len(s) > 256 {
		q.bad(name, "longer than 256 characters")
		return ""
	}
	return strings.TrimSpace(s)
}

func (q *query) path(name string) string {
	q.declared(name, "path")
	return q.r.PathValue(name)
}

func (q *query) intRange(name string, def, lo, hi int) int {
	s := q.str(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		q.bad(name, "%q is not an integer in [%d, %d]", s, lo, hi)
		return def
	}
	return n
}

func (q *query) float(name string, lo, hi float64) (float64, bool) {
	s := q.str(name)
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < lo || f > hi {
		q.bad(name, "%q is not a number in [%g, %g]", s, lo, hi)
		return 0, false
	}
	return f, true
}

func (q *query) boolean(name string) bool {
	s := q.str(name)
	if s == "" {
		return false
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		q.bad(name, "%q is not true or false", s)
	}
	return b
}

// timeParam accepts RFC 3339, a date (UTC midnight) or Unix seconds.
func (q *query) time(name string) time.Time {
	s := q.str(name)
	if s == "" {
		return time.Time{}
	}
	t, err := parseTime(s)
	if err != nil {
		q.bad(name, "%q is not a time (RFC 3339 like 2023-09-14T06:00:00Z, a date like 2023-09-14, or Unix seconds)", s)
	}
	return t
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > -1e11 && n < 1e11 {
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Time{}, errBadRequest
}

// timeRange reads from and to and checks their order.
func (q *query) timeRange() (from, to time.Time) {
	from, to = q.time("from"), q.time("to")
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		q.bad("to", "must be after from")
	}
	return from, to
}

// bbox reads "minLon,minLat,maxLon,maxLat" (the GeoJSON/OGC order);
// minLon > maxLon crosses the antimeridian.
func (q *query) bbox(name string) *store.BBox {
	s := q.str(name)
	if s == "" {
		return nil
	}
	b, err := parseBBox(s)
	if err != nil {
		q.bad(name, "%v", err)
		return nil
	}
	return b
}

func parseBBox(s string) (*store.BBox, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return nil, fmt.Errorf("%q is not minLon,minLat,maxLon,maxLat", s)
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%q is not minLon,minLat,maxLon,maxLat", s)
		}
		v[i] = f
	}
	if v[0] < -180 || v[0] > 180 || v[2] < -180 || v[2] > 180 {
		return nil, fmt.Errorf("longitudes must be in [-180, 180]")
	}
	if v[1] < -90 || v[3] > 90 || v[1] > v[3] {
		return nil, fmt.Errorf("latitudes must be in [-90, 90] with minLat <= maxLat")
	}
	return &store.BBox{MinLon: v[0], MinLat: v[1], MaxLon: v[2], MaxLat: v[3]}, nil
}

func (q *query) kinds(name string) []event.Kind {
	s := q.str(name)
	if s == "" {
		return nil
	}
	var out []event.Kind
	for _, k := range strings.Split(s, ",") {
		k := event.Kind(strings.TrimSpace(k))
		if !k.Valid() {
			q.bad(name, "unknown event kind %q (known: %v)", k, event.Kinds)
			continue
		}
		out = append(out, k)
	}
	return out
}

var mmsiRE = regexp.MustCompile(`^[0-9]{1,9}$`)

func (q *query) mmsi(name, in string) uint32 {
	var s string
	if in == "path" {
		s = q.path(name)
	} else {
		s = q.str(name)
	}
	if s == "" {
		return 0
	}
	if !mmsiRE.MatchString(s) {
		q.bad(name, "%q is not an MMSI (1-9 digits)", s)
		return 0
	}
	n, _ := strconv.ParseUint(s, 10, 32)
	return uint32(n)
}

// decodeBody reads a JSON body into v, refusing unknown fields and
// trailing data.
func decodeBody(r *http.Request, v any) error {
	// Only JSON: a cross-site HTML form can post text/plain or form data
	// without a preflight, never application/json.
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return fmt.Errorf("%w: Content-Type must be application/json", errUnsupportedMedia)
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return badRequest("request body: %v", err)
	}
	if dec.More() {
		return badRequest("request body: data after the JSON object")
	}
	return nil
}
