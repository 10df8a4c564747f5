package server

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"

	"github.com/lookout-maritime/lookout/web"
)

// uiFS is the UI's files: the embedded copy, or Config.WebDir opened as an
// os.Root (dev mode), so a request can never climb out of the directory.
func (s *Server) uiFS() (fs.FS, error) {
	if s.cfg.WebDir == "" {
		return web.FS, nil
	}
	root, err := os.OpenRoot(s.cfg.WebDir)
	if err != nil {
		return nil, err
	}
	return root.FS(), nil
}

// contentSecurityPolicy keeps the UI to its own origin: no inline script,
// no outside hosts (the map works offline), no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request, _ *query) {
	s.serveUIFile(w, r, "index.html")
}

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request, q *query) {
	name := q.path("file")
	// fs.ValidPath rejects "..", absolute and empty elements; embed.FS and
	// os.Root check again.
	if !fs.ValidPath(name) || strings.Contains(name, "\\") {
		writeError(w, http.StatusBadRequest, "bad file name")
		return
	}
	s.serveUIFile(w, r, name)
}

func (s *Server) serveUIFile(w http.ResponseWriter, r *http.Request, name string) {
	fsys, err := s.uiFS()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fi, err := fs.Stat(fsys, name)
	if err != nil || fi.IsDir() {
		if err == nil || errors.Is(err, fs.ErrNotExist) {
			http.NotFound(w, r)
			return
		}
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Security-Policy", contentSecurityPolicy)
	if s.cfg.WebDir != "" || path.Ext(name) == ".html" {
		w.Header().Set("Cache-Control", "no-cache")
	} else {
		w.Header().Set("Cache-Control", "private, max-age=300")
	}
	http.ServeFileFS(w, r, fsys, name)
}
