package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/evidence"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

var (
	caseIDRE = regexp.MustCompile(`^C[0-9]{1,18}$`)
	itemIDRE = regexp.MustCompile(`^E[0-9]{1,18}$`)
)

func (s *Server) casesOr501(w http.ResponseWriter, r *http.Request) bool {
	if s.deps.Cases == nil {
		s.fail(w, r, notImplemented("cases", "an evidence log (--evidence DIR)"))
		return false
	}
	return true
}

// caseParam reads and checks the case ID: IDs never reach a file path,
// but a strict pattern keeps odd input out of logs and error messages.
func caseParam(q *query) (string, error) {
	id := q.path("id")
	if !caseIDRE.MatchString(id) {
		return "", badRequest("case ID %q is not of the form C123", truncate(id, 40))
	}
	return id, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// audit records a case read or export before it happens; when the record
// cannot be written the read is refused.
func (s *Server) audit(r *http.Request, caseID, item string, action evidence.Action) error {
	if s.deps.Audit == nil {
		return nil
	}
	p := principalOf(r.Context())
	detail := fmt.Sprintf("%s %s via API from %s", r.Method, r.URL.Path, r.RemoteAddr)
	if err := s.deps.Audit.Audit(r.Context(), AuditEntry{Case: caseID, Item: item, Action: action, Who: p.Who(), Detail: detail}); err != nil {
		s.metrics.auditFailed.Inc()
		if errors.Is(err, evidence.ErrNotFound) {
			return fmt.Errorf("%w: %v", errNotFound, err)
		}
		return fmt.Errorf("audit record for case %s: %w", caseID, err)
	}
	return nil
}

type caseSummaryJSON struct {
	ID      string    `json:"id"`
	Title   string    `json:"title"`
	Created time.Time `json:"created"`
	Who     string    `json:"created_by"`
	Items   int       `json:"items"`
}

func (s *Server) handleCases(w http.ResponseWriter, r *http.Request, _ *query) {
	if !s.casesOr501(w, r) {
		return
	}
	out := []caseSummaryJSON{}
	for _, c := range s.deps.Cases.Cases() {
		out = append(out, caseSummaryJSON{ID: c.ID, Title: c.Title, Created: c.Created, Who: c.Who, Items: len(c.Current())})
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": out})
}

type caseInput struct {
	Title string `json:"title"`
}

func (s *Server) handleNewCase(w http.ResponseWriter, r *http.Request, _ *query) {
	if !s.casesOr501(w, r) {
		return
	}
	var in caseInput
	if err := decodeBody(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if strings.TrimSpace(in.Title) == "" || len(in.Title) > 300 {
		s.fail(w, r, badRequest("title: 1 to 300 characters required"))
		return
	}
	c, err := s.deps.Cases.NewCase(in.Title, principalOf(r.Context()).Who())
	if err != nil {
		s.fail(w, r, evidenceErr(err))
		return
	}
	if c.Items == nil {
		c.Items = []evidence.Item{}
	}
	if c.Custody == nil {
		c.Custody = []evidence.Entry{}
	}
	writeJSON(w, http.StatusCreated, c)
}

func evidenceErr(err error) error {
	switch {
	case errors.Is(err, evidence.ErrNotFound):
		return fmt.Errorf("%w: %v", errNotFound, err)
	case errors.Is(err, evidence.ErrInvalid):
		return fmt.Errorf("%w: %v", errBadRequest, err)
	}
	return err
}

type caseJSON struct {
	evidence.Case
	Current []string `json:"current"` // IDs of the items no later item corrects
}

func (s *Server) handleCase(w http.ResponseWriter, r *http.Request, q *query) {
	if !s.casesOr501(w, r) {
		return
	}
	id, err := caseParam(q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.deps.Cases.Case(id); err != nil {
		s.fail(w, r, evidenceErr(err))
		return
	}
	if err := s.audit(r, id, "", evidence.ActionViewed); err != nil {
		s.fail(w, r, err)
		return
	}
	// Read after the audit record so the custody list shows this read.
	c, err := s.deps.Cases.Case(id)
	if err != nil {
		s.fail(w, r, evidenceErr(err))
		return
	}
	out := caseJSON{Case: c, Current: []string{}}
	if out.Items == nil {
		out.Items = []evidence.Item{}
	}
	if out.Custody == nil {
		out.Custody = []evidence.Entry{}
	}
	for _, it := range c.Current() {
		out.Current = append(out.Current, it.ID)
	}
	writeJSON(w, http.StatusOK, out)
}

// itemInput adds one item: a snapshot of a vessel, an event, or a note.
type itemInput struct {
	Kind        evidence.Kind `json:"kind"`
	MMSI        uint32        `json:"mmsi,omitempty"`
	EventID     int64         `json:"event_id,omitempty"`
	Text        string        `json:"text,omitempty"`
	Description string        `json:"description,omitempty"`
}

// vesselSnapshot is what a vessel item preserves; the same shape as the
// CLI's `lookout case add --vessel`, so dossiers read either.
type vesselSnapshot struct {
	MMSI    uint32              `json:"mmsi"`
	Name    string              `json:"name"`
	Taken   time.Time           `json:"taken"`
	Summary store.VesselSummary `json:"summary"`
	History []vessel.Identity   `json:"history"`
	Events  []event.Event       `json:"events"`
}

func (s *Server) handleAddItem(w http.ResponseWriter, r *http.Request, q *query) {
	if !s.casesOr501(w, r) {
		return
	}
	id, err := caseParam(q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in itemInput
	if err := decodeBody(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	var it evidence.Item
	var content []byte
	switch in.Kind {
	case evidence.KindNote:
		if strings.TrimSpace(in.Text) == "" {
			s.fail(w, r, badRequest("text: a note needs text"))
			return
		}
		it = evidence.Item{Kind: evidence.KindNote, MediaType: "text/plain; charset=utf-8"}
		content = []byte(in.Text)
	case evidence.KindVessel:
		if in.MMSI == 0 {
			s.fail(w, r, badRequest("mmsi: a vessel item needs the vessel's MMSI"))
			return
		}
		h, err := s.deps.Store.Vessel(ctx, in.MMSI)
		if err != nil {
			s.fail(w, r, fmt.Errorf("vessel %d: %w", in.MMSI, err))
			return
		}
		evs, err := s.deps.Store.Events(ctx, store.EventQuery{MMSI: in.MMSI})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		snap := vesselSnapshot{MMSI: h.MMSI, Taken: s.cfg.Now().UTC().Truncate(time.Second), Summary: h.VesselSummary, History: h.History, Events: evs}
		if h.Latest != nil {
			snap.Name = h.Latest.Name
		}
		if content, err = evidence.Canonical(snap); err != nil {
			s.fail(w, r, err)
			return
		}
		it = evidence.Item{Kind: evidence.KindVessel, Ref: "MMSI " + strconv.FormatUint(uint64(h.MMSI), 10), MediaType: "application/json",
			Captured: snap.Taken, Source: "lookout API",
			Description: fmt.Sprintf("%s: %d identities, %d events", snap.Name, len(snap.History), len(snap.Events))}
	case evidence.KindEvent:
		e, err := s.deps.Store.Event(ctx, in.EventID)
		if err != nil {
			s.fail(w, r, fmt.Errorf("event %d: %w", in.EventID, err))
			return
		}
		if content, err = evidence.Canonical(e); err != nil {
			s.fail(w, r, err)
			return
		}
		it = evidence.Item{Kind: evidence.KindEvent, Ref: fmt.Sprintf("event %d %s", e.ID, e.Key), MediaType: "application/json",
			Captured: e.End, Source: e.Detector + " " + e.Version, Description: e.Explanation}
	default:
		s.fail(w, r, badRequest("kind: %q is not vessel, event or note (files and scenes are added with 'lookout case add')", in.Kind))
		return
	}
	if in.Description != "" {
		it.Description = in.Description
	}
	added, err := s.deps.Cases.Add(id, it, principalOf(ctx).Who(), bytes.NewReader(content))
	if err != nil {
		s.fail(w, r, evidenceErr(err))
		return
	}
	writeJSON(w, http.StatusCreated, added)
}

func (s *Server) handleItemContent(w http.ResponseWriter, r *http.Request, q *query) {
	if !s.casesOr501(w, r) {
		return
	}
	caseID, err := caseParam(q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	itemID := q.path("item")
	if !itemIDRE.MatchString(itemID) {
		s.fail(w, r, badRequest("item ID %q is not of the form E123", truncate(itemID, 40)))
		return
	}
	c, err := s.deps.Cases.Case(caseID)
	if err != nil {
		s.fail(w, r, evidenceErr(err))
		return
	}
	var it *evidence.Item
	for i := range c.Items {
		if c.Items[i].ID == itemID {
			it = &c.Items[i]
		}
	}
	if it == nil {
		s.fail(w, r, fmt.Errorf("%w: item %s is not in case %s", errNotFound, itemID, caseID))
		return
	}
	if err := s.audit(r, caseID, itemID, evidence.ActionViewed); err != nil {
		s.fail(w, r, err)
		return
	}
	rc, err := s.deps.Cases.OpenItem(itemID)
	if err != nil {
		s.fail(w, r, evidenceErr(err))
		return
	}
	defer rc.Close()
	h := w.Header()
	mt := it.MediaType
	if _, _, err := mime.ParseMediaType(mt); err != nil || mt == "" {
		mt = "application/octet-stream"
	}
	h.Set("Content-Type", mt)
	// Evidence is the outside world's content: never let a browser run it
	// in the UI's origin.
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": downloadName(it)}))
	h.Set("Content-Length", strconv.FormatInt(it.Size, 10))
	h.Set("X-Evidence-SHA256", it.SHA256)
	if _, err := io.Copy(w, rc); err != nil {
		// The checked reader fails at the end on altered storage; the
		// length is already sent, so the client sees a short body.
		s.log.Error("evidence download failed", "case", caseID, "item", itemID, "err", err)
		panic(http.ErrAbortHandler)
	}
}

// downloadName is the file name offered for an item: its original base
// name when that is a plain local name, else the item ID.
func downloadName(it *evidence.Item) string {
	name := filepath.Base(strings.ReplaceAll(it.FileName, "\\", "/"))
	if it.FileName == "" || !filepath.IsLocal(name) || strings.ContainsAny(name, "\x00\r\n\"") {
		ext := ".bin"
		switch {
		case strings.HasPrefix(it.MediaType, "application/json"):
			ext = ".json"
		case strings.HasPrefix(it.MediaType, "text/plain"):
			ext = ".txt"
		}
		return it.ID + ext
	}
	return it.ID + "-" + name
}

func (s *Server) handleDossier(w http.ResponseWriter, r *http.Request, q *query) {
	if !s.casesOr501(w, r) {
		return
	}
	id, err := caseParam(q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if s.deps.Dossier == nil {
		s.fail(w, r, notImplemented("dossier export", "a dossier renderer"))
		return
	}
	if _, err := s.deps.Cases.Case(id); err != nil {
		s.fail(w, r, evidenceErr(err))
		return
	}
	if err := s.audit(r, id, "", evidence.ActionExported); err != nil {
		s.fail(w, r, err)
		return
	}
	// Render to a temporary file first: a failure half-way then gets a
	// proper error status instead of a truncated zip.
	f, err := os.CreateTemp(s.cfg.TempDir, "lookout-dossier-*.zip")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := s.deps.Dossier.ExportZip(r.Context(), id, principalOf(r.Context()).Who(), f); err != nil {
		s.fail(w, r, fmt.Errorf("dossier of %s: %w", id, err))
		return
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": id + "-dossier.zip"}))
	_, _ = io.Copy(w, f)
}
