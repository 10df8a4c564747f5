package dossier

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/evidence"
)

// Bundle layout. Paths are slash-separated and relative to the bundle root.
const (
	ManifestPath     = "manifest.json"
	ManifestSigPath  = "manifest.sig"
	CheckpointPath   = "proofs/checkpoint"
	PublicKeyPath    = "proofs/key.pub"
	ManifestFormat   = "lookout-dossier/1"
	manifestNoteHead = "lookout dossier manifest"
)

// Manifest lists every file of a bundle but the manifest itself and its
// signature.
type Manifest struct {
	Format    string         `json:"format"`
	Case      string         `json:"case"`
	Title     string         `json:"title"`
	Generated time.Time      `json:"generated"`
	Simulated bool           `json:"simulated,omitempty"`
	Files     []ManifestFile `json:"files"`
}

// ManifestFile is one file of the bundle.
type ManifestFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// ProofFile is proofs/<item>.proof.json: how item's file is tied to the
// checkpoint. Entry is the path of the exact log entry bytes, whose RFC
// 6962 leaf hash is SHA-256(0x00 || entry) = LeafHash; Hashes is the audit
// path from that leaf to the checkpoint's root.
type ProofFile struct {
	Item     string   `json:"item"`
	Index    int64    `json:"index"`
	TreeSize int64    `json:"tree_size"`
	LeafHash string   `json:"leaf_hash"`
	Hashes   []string `json:"hashes"`
	Entry    string   `json:"entry"`
	File     string   `json:"file"`
}

// sink is where bundle files go: a directory or a zip archive.
type sink interface {
	create(name string) (io.Writer, error)
	closeFile() error
}

type dirSink struct {
	root string
	f    *os.File
}

func (d *dirSink) create(name string) (io.Writer, error) {
	p := filepath.Join(d.root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	d.f = f
	return f, nil
}

func (d *dirSink) closeFile() error {
	err := d.f.Sync()
	if cerr := d.f.Close(); err == nil {
		err = cerr
	}
	return err
}

type zipSink struct {
	zw     *zip.Writer
	prefix string
	mod    time.Time
}

func (z *zipSink) create(name string) (io.Writer, error) {
	return z.zw.CreateHeader(&zip.FileHeader{Name: z.prefix + name, Method: zip.Deflate, Modified: z.mod})
}

func (z *zipSink) closeFile() error { return nil }

// bundle writes files to a sink, recording each one's digest and size.
type bundle struct {
	s     sink
	files []ManifestFile
	log   *slog.Logger
}

type hashingWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (hw *hashingWriter) Write(p []byte) (int, error) {
	n, err := hw.w.Write(p)
	hw.h.Write(p[:n])
	hw.n += int64(n)
	return n, err
}

func (b *bundle) file(name string, fill func(w io.Writer) error) (ManifestFile, error) {
	w, err := b.s.create(name)
	if err != nil {
		return ManifestFile{}, fmt.Errorf("dossier: %s: %w", name, err)
	}
	hw := &hashingWriter{w: w, h: sha256.New()}
	err = fill(hw)
	if cerr := b.s.closeFile(); err == nil {
		err = cerr
	}
	if err != nil {
		return ManifestFile{}, fmt.Errorf("dossier: %s: %w", name, err)
	}
	mf := ManifestFile{Path: name, SHA256: hex.EncodeToString(hw.h.Sum(nil)), Size: hw.n}
	if name != ManifestPath && name != ManifestSigPath {
		b.files = append(b.files, mf)
	}
	b.log.Debug("dossier: wrote", "file", name, "bytes", hw.n)
	return mf, nil
}

func (b *bundle) bytes(name string, data []byte) (ManifestFile, error) {
	return b.file(name, func(w io.Writer) error { _, err := w.Write(data); return err })
}

// Write renders the case into dir, which must not exist or be empty: a
// stale file left from another dossier would be reported as added.
func Write(dir string, c *Case, opt Options) (*Manifest, error) {
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return nil, fmt.Errorf("dossier: %s is not empty", dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("dossier: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("dossier: %w", err)
	}
	return render(&dirSink{root: dir}, c, opt)
}

// WriteZip renders the case as a zip archive whose files sit under one
// folder named "<case id>-dossier/", so unpacking it makes one directory.
func WriteZip(w io.Writer, c *Case, opt Options) (*Manifest, error) {
	zw := zip.NewWriter(w)
	m, err := render(&zipSink{zw: zw, prefix: safeName(c.ID) + "-dossier/", mod: c.Generated}, c, opt)
	if err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("dossier: zip: %w", err)
	}
	return m, nil
}

func render(s sink, c *Case, opt Options) (*Manifest, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Generated.IsZero() {
		return nil, fmt.Errorf("%w: Generated time not set", ErrInvalid)
	}
	b := &bundle{s: s, log: opt.Logger}
	v, err := newView(c)
	if err != nil {
		return nil, err
	}
	// Evidence files, then the proofs that tie them to the checkpoint.
	for _, it := range c.Items {
		name := v.itemPath[it.ID]
		if _, err := b.file(name, func(w io.Writer) error {
			rc, err := it.Open()
			if err != nil {
				return err
			}
			defer rc.Close()
			_, err = io.Copy(w, rc)
			return err
		}); err != nil {
			return nil, err
		}
	}
	if len(c.Checkpoint) > 0 {
		if _, err := b.bytes(CheckpointPath, c.Checkpoint); err != nil {
			return nil, err
		}
		if _, err := b.bytes(PublicKeyPath, []byte(strings.TrimSpace(c.PublicKey)+"\n")); err != nil {
			return nil, err
		}
	}
	for _, it := range c.Items {
		entryPath := "proofs/" + it.ID + ".entry.json"
		if _, err := b.bytes(entryPath, it.Proof.Entry); err != nil {
			return nil, err
		}
		pf := ProofFile{Item: it.ID, Index: it.Proof.Index, TreeSize: it.Proof.TreeSize, LeafHash: it.Proof.LeafHash.String(),
			Entry: entryPath, File: v.itemPath[it.ID], Hashes: []string{}}
		for _, h := range it.Proof.Hashes {
			pf.Hashes = append(pf.Hashes, h.String())
		}
		data, _ := json.MarshalIndent(pf, "", "  ")
		if _, err := b.bytes("proofs/"+it.ID+".proof.json", append(data, '\n')); err != nil {
			return nil, err
		}
	}
	// Data exports.
	if _, err := b.file("case.geojson", func(w io.Writer) error { return writeGeoJSON(w, c) }); err != nil {
		return nil, err
	}
	if _, err := b.file("case.kml", func(w io.Writer) error { return writeKML(w, c) }); err != nil {
		return nil, err
	}
	if _, err := b.file("events.csv", func(w io.Writer) error { return writeEventsCSV(w, c) }); err != nil {
		return nil, err
	}
	if _, err := b.file("index.html", func(w io.Writer) error { return writeHTML(w, v) }); err != nil {
		return nil, err
	}
	if _, err := b.file("report.pdf", func(w io.Writer) error { return writePDF(w, v) }); err != nil {
		return nil, err
	}
	if _, err := b.bytes("VERIFY.txt", []byte(verifyText(c))); err != nil {
		return nil, err
	}
	slices.SortFunc(b.files, func(x, y ManifestFile) int { return strings.Compare(x.Path, y.Path) })
	m := &Manifest{Format: ManifestFormat, Case: c.ID, Title: c.Title, Generated: c.Generated.UTC(), Simulated: c.Simulated, Files: b.files}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("dossier: manifest: %w", err)
	}
	data = append(data, '\n')
	mf, err := b.bytes(ManifestPath, data)
	if err != nil {
		return nil, err
	}
	if opt.Sign != nil {
		sig, err := opt.Sign(manifestNoteText(c.ID, mf.SHA256))
		if err != nil {
			return nil, fmt.Errorf("dossier: sign manifest: %w", err)
		}
		if _, err := b.bytes(ManifestSigPath, sig); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func manifestNoteText(caseID, sum string) string {
	return fmt.Sprintf("%s\n%s\nsha256 %s\n", manifestNoteHead, caseID, sum)
}

// itemFileName is the bundle path of an item's content: its ID, then its
// original name made safe, or an extension from its media type.
func itemFileName(it *evidence.Item) string {
	name := it.ID
	if it.FileName != "" {
		name += "-" + safeName(path.Base(strings.ReplaceAll(it.FileName, "\\", "/")))
	} else if exts, _ := mime.ExtensionsByType(it.MediaType); len(exts) > 0 {
		ext := exts[0]
		switch it.MediaType { // the first extension the table lists can be odd
		case "image/jpeg":
			ext = ".jpg"
		case "text/plain", "text/plain; charset=utf-8":
			ext = ".txt"
		case "application/json":
			ext = ".json"
		}
		name += ext
	}
	return "evidence/" + name
}

// safeName keeps a file name portable: letters, digits, dot, dash and
// underscore, at most 80 bytes.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := strings.TrimLeft(b.String(), ".")
	if len(out) > 80 {
		out = out[len(out)-80:]
	}
	if out == "" {
		out = "file"
	}
	return out
}

// verifyText is VERIFY.txt: how to check the bundle by hand.
func verifyText(c *Case) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Lookout dossier %s: %s\n\n", c.ID, c.Title)
	b.WriteString(`How to verify this dossier

With Lookout:   lookout verify <this folder or zip> [--key <trusted public key>]

By hand (sha256sum, a base64 decoder and any Ed25519 tool):
1. manifest.json lists every file with its SHA-256 and size; run
   sha256sum on each and compare. Files present but not listed were added.
2. manifest.sig (when present) is a signed note whose text names the
   SHA-256 of manifest.json; it is signed with the key in proofs/key.pub.
3. proofs/checkpoint is a signed note (c2sp.org/tlog-checkpoint): the log's
   origin, its size N and the base64 Merkle root of its N entries. Its
   signature line is "— <key name> <base64(4-byte key hash || Ed25519
   signature)>" over the text before the blank line.
4. For each item E: proofs/E.entry.json is the exact log entry; its
   "item.sha256" must equal the SHA-256 of the evidence file. The leaf hash
   is SHA-256(0x00 || entry bytes); proofs/E.proof.json lists the audit
   path. Combine upwards with SHA-256(0x01 || left || right) as RFC 6962
   section 2.1.1 describes, and the result must equal the checkpoint root.
5. Compare proofs/key.pub with the installation's public key obtained
   separately (e.g. published by the investigating body). The key in the
   bundle only shows the bundle is self-consistent; a key you trust shows
   who signed it.
`)
	if c.Simulated {
		b.WriteString("\nTHIS DOSSIER IS BUILT ON SIMULATED DATA.\n")
	}
	return b.String()
}
