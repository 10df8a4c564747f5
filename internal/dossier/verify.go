package dossier

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/lookout-maritime/lookout/internal/evidence"
)

// Limits on what Verify reads into memory from a bundle it does not trust.
const (
	maxManifest = 16 << 20
	maxSmall    = 1 << 20 // proofs, entries, keys, signatures
)

// Report is what Verify found. OK is true only when every check passed.
type Report struct {
	Path string
	OK   bool
	// Files is the number of files the manifest lists.
	Files int
	// Altered, Missing and Added name files (bundle paths): altered
	// files differ from what the manifest, a signature or a proof says;
	// missing ones are listed but absent; added ones are present but not
	// listed.
	Altered []string
	Missing []string
	Added   []string
	// Problems explains every failure, one per line.
	Problems []Problem
	// Checkpoint is the verified checkpoint (zero when it did not verify).
	Checkpoint evidence.Checkpoint
	// KeyName is the signer's name in proofs/key.pub; TrustedKey reports
	// whether the checkpoint also verified under the key the caller trusts.
	KeyName        string
	TrustedKey     bool
	ManifestSigned bool
	// Items lists each evidence item's proof result.
	Items []ItemResult
}

// Problem is one failed check.
type Problem struct {
	Path   string
	Reason string
}

func (p Problem) String() string { return p.Path + ": " + p.Reason }

// ItemResult is the outcome for one evidence item.
type ItemResult struct {
	Item string
	File string
	OK   bool
}

func (r *Report) fail(path, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{path, fmt.Sprintf(format, args...)})
}

func (r *Report) altered(path, format string, args ...any) {
	if !slices.Contains(r.Altered, path) {
		r.Altered = append(r.Altered, path)
	}
	r.fail(path, format, args...)
}

// VerifyOptions tune Verify.
type VerifyOptions struct {
	// TrustedKey is the installation's public key as the user obtained it
	// independently ("name+hash+base64"); when set, the checkpoint and the
	// manifest signature must verify under it, not only under the key the
	// bundle carries, and the manifest must be signed.
	TrustedKey string
}

// Verify checks a dossier directory or zip: every file against the
// manifest, the manifest against its signature, the checkpoint's signature,
// and each evidence item's file against its log entry and the entry's
// inclusion proof against the checkpoint. The error is for a bundle that
// cannot be read at all; what fails a check is in the Report.
func Verify(p string, opt VerifyOptions) (*Report, error) {
	fsys, closer, err := openBundle(p)
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	r := verifyFS(fsys, opt)
	r.Path = p
	return r, nil
}

// openBundle returns the bundle's files: a directory, or a zip whose files
// sit at its root or under one top folder.
func openBundle(p string) (fs.FS, io.Closer, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrBundle, err)
	}
	if st.IsDir() {
		return os.DirFS(p), io.NopCloser(nil), nil
	}
	zr, err := zip.OpenReader(p)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %v", ErrBundle, p, err)
	}
	var fsys fs.FS = zr
	if _, err := fs.Stat(zr, ManifestPath); err != nil {
		ents, err := fs.ReadDir(zr, ".")
		if err != nil || len(ents) != 1 || !ents[0].IsDir() {
			zr.Close()
			return nil, nil, fmt.Errorf("%w: %s has no %s at its root or in one top folder", ErrBundle, p, ManifestPath)
		}
		if fsys, err = fs.Sub(zr, ents[0].Name()); err != nil {
			zr.Close()
			return nil, nil, fmt.Errorf("%w: %v", ErrBundle, err)
		}
	}
	return fsys, zr, nil
}

func readLimited(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return b, nil
}

func hashFile(fsys fs.FS, name string) (string, int64, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// ParseManifest decodes and checks a manifest.
func ParseManifest(data []byte) (*Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if dec.More() {
		return nil, errors.New("manifest: trailing data")
	}
	if m.Format != ManifestFormat {
		return nil, fmt.Errorf("manifest: format %q, want %q", m.Format, ManifestFormat)
	}
	seen := map[string]bool{}
	for i, f := range m.Files {
		if !fs.ValidPath(f.Path) || f.Path == "." || f.Path == ManifestPath || f.Path == ManifestSigPath {
			return nil, fmt.Errorf("manifest: file %d: bad path %q", i, f.Path)
		}
		if seen[f.Path] {
			return nil, fmt.Errorf("manifest: file %d: %q listed twice", i, f.Path)
		}
		seen[f.Path] = true
		if b, err := hex.DecodeString(f.SHA256); err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("manifest: file %q: bad sha256 %q", f.Path, f.SHA256)
		}
		if f.Size < 0 {
			return nil, fmt.Errorf("manifest: file %q: negative size", f.Path)
		}
	}
	return &m, nil
}

// ParseProof decodes and checks a proofs/<item>.proof.json file.
func ParseProof(data []byte) (*ProofFile, tlog.Hash, tlog.RecordProof, error) {
	var pf ProofFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pf); err != nil {
		return nil, tlog.Hash{}, nil, fmt.Errorf("proof: %w", err)
	}
	if pf.Index < 0 || pf.TreeSize <= pf.Index {
		return nil, tlog.Hash{}, nil, fmt.Errorf("proof: index %d outside tree of %d", pf.Index, pf.TreeSize)
	}
	if len(pf.Hashes) > 64 {
		return nil, tlog.Hash{}, nil, fmt.Errorf("proof: %d hashes, a tree of 2^63 needs at most 63", len(pf.Hashes))
	}
	leaf, err := tlog.ParseHash(pf.LeafHash)
	if err != nil {
		return nil, tlog.Hash{}, nil, fmt.Errorf("proof: leaf_hash: %w", err)
	}
	hs, err := evidence.ParseHashes(pf.Hashes)
	if err != nil {
		return nil, tlog.Hash{}, nil, fmt.Errorf("proof: %w", err)
	}
	for _, p := range []string{pf.Entry, pf.File} {
		if !fs.ValidPath(p) || p == "." {
			return nil, tlog.Hash{}, nil, fmt.Errorf("proof: bad path %q", p)
		}
	}
	return &pf, leaf, tlog.RecordProof(hs), nil
}

func verifyFS(fsys fs.FS, opt VerifyOptions) *Report {
	r := &Report{}
	present := map[string]bool{}
	fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			r.fail(p, "cannot be read: %v", err)
			return nil
		}
		if !d.IsDir() {
			present[p] = true
		}
		return nil
	})

	// The bundled key, and the key the user trusts.
	var keys []string
	if b, err := readLimited(fsys, PublicKeyPath, maxSmall); err != nil {
		if present[PublicKeyPath] || present[CheckpointPath] || present[ManifestSigPath] {
			r.fail(PublicKeyPath, "cannot be read: %v", err)
		}
	} else if _, err := note.NewVerifier(strings.TrimSpace(string(b))); err != nil {
		r.altered(PublicKeyPath, "not a public key: %v", err)
	} else {
		keys = append(keys, strings.TrimSpace(string(b)))
		r.KeyName, _, _ = strings.Cut(keys[0], "+")
	}
	if opt.TrustedKey != "" {
		if len(keys) > 0 && keys[0] != strings.TrimSpace(opt.TrustedKey) {
			r.fail(PublicKeyPath, "differs from the trusted key %s", strings.TrimSpace(opt.TrustedKey))
		}
		keys = []string{strings.TrimSpace(opt.TrustedKey)} // only the trusted key counts
	}

	// Manifest and its signature.
	var man *Manifest
	mdata, err := readLimited(fsys, ManifestPath, maxManifest)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			r.Missing = append(r.Missing, ManifestPath)
		}
		r.fail(ManifestPath, "cannot be read: %v", err)
	} else if man, err = ParseManifest(mdata); err != nil {
		r.altered(ManifestPath, "%v", err)
	}
	if sig, err := readLimited(fsys, ManifestSigPath, maxSmall); err == nil {
		r.ManifestSigned = true
		sum := sha256.Sum256(mdata)
		text, err := openNote(sig, keys)
		switch {
		case err != nil:
			r.altered(ManifestSigPath, "signature does not verify: %v", err)
		case man == nil:
		case text != manifestNoteText(man.Case, hex.EncodeToString(sum[:])):
			r.altered(ManifestPath, "its SHA-256 %x is not the one manifest.sig signs", sum)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		r.altered(ManifestSigPath, "cannot be read: %v", err)
	} else if opt.TrustedKey != "" {
		// Without a signed manifest, whole items (file, proof and manifest
		// line) could have been removed unnoticed.
		r.Missing = append(r.Missing, ManifestSigPath)
		r.fail(ManifestSigPath, "missing: the manifest is not signed, so removed files would go unnoticed")
	}

	// Every file against the manifest.
	listed := map[string]bool{ManifestPath: true, ManifestSigPath: true}
	if man != nil {
		r.Files = len(man.Files)
		for _, f := range man.Files {
			listed[f.Path] = true
			if !present[f.Path] {
				r.Missing = append(r.Missing, f.Path)
				r.fail(f.Path, "listed in the manifest but missing")
				continue
			}
			sum, n, err := hashFile(fsys, f.Path)
			if err != nil {
				r.fail(f.Path, "cannot be read: %v", err)
				continue
			}
			if sum != f.SHA256 || n != f.Size {
				r.altered(f.Path, "SHA-256 %s and %d bytes, manifest says %s and %d bytes", sum, n, f.SHA256, f.Size)
			}
		}
		for p := range present {
			if !listed[p] {
				r.Added = append(r.Added, p)
				r.fail(p, "present but not listed in the manifest")
			}
		}
	}

	// The checkpoint.
	var cp *evidence.Checkpoint
	if b, err := readLimited(fsys, CheckpointPath, maxSmall); err != nil {
		if present[CheckpointPath] || listed[CheckpointPath] {
			r.fail(CheckpointPath, "cannot be read: %v", err)
		}
	} else if len(keys) > 0 {
		c, err := evidence.VerifyCheckpoint(keys[0], b)
		if err != nil {
			r.altered(CheckpointPath, "%v", err)
		} else {
			cp = &c
			r.Checkpoint = c
			r.TrustedKey = opt.TrustedKey != ""
		}
	}

	// Each item: file → entry → proof → checkpoint.
	var proofs []string
	for p := range present {
		if strings.HasPrefix(p, "proofs/") && strings.HasSuffix(p, ".proof.json") {
			proofs = append(proofs, p)
		}
	}
	slices.Sort(proofs)
	for _, pp := range proofs {
		r.Items = append(r.Items, verifyItem(fsys, r, pp, cp))
	}
	for _, s := range []*[]string{&r.Altered, &r.Missing, &r.Added} {
		slices.Sort(*s)
		*s = slices.Compact(*s)
	}
	slices.SortStableFunc(r.Problems, func(a, b Problem) int { return strings.Compare(a.Path, b.Path) })
	r.OK = len(r.Problems) == 0 && man != nil
	return r
}

func verifyItem(fsys fs.FS, r *Report, pp string, cp *evidence.Checkpoint) ItemResult {
	res := ItemResult{Item: strings.TrimSuffix(path.Base(pp), ".proof.json")}
	data, err := readLimited(fsys, pp, maxSmall)
	if err != nil {
		r.fail(pp, "cannot be read: %v", err)
		return res
	}
	pf, leaf, proof, err := ParseProof(data)
	if err != nil {
		r.altered(pp, "%v", err)
		return res
	}
	res.Item, res.File = pf.Item, pf.File
	entry, err := readLimited(fsys, pf.Entry, maxSmall)
	if err != nil {
		r.fail(pf.Entry, "cannot be read: %v", err)
		return res
	}
	if tlog.RecordHash(entry) != leaf {
		r.altered(pf.Entry, "its leaf hash is not the one %s gives", pp)
		return res
	}
	e, err := evidence.ParseEntry(entry)
	if err != nil {
		r.altered(pf.Entry, "%v", err)
		return res
	}
	if e.Item == nil || e.Item.ID != pf.Item {
		r.altered(pf.Entry, "is not the log entry of item %s", pf.Item)
		return res
	}
	sum, n, err := hashFile(fsys, pf.File)
	if err != nil {
		r.fail(pf.File, "cannot be read: %v", err)
		return res
	}
	if sum != e.Item.SHA256 || n != e.Item.Size {
		r.altered(pf.File, "SHA-256 %s, but the evidence log recorded %s for item %s", sum, e.Item.SHA256, pf.Item)
		return res
	}
	if cp == nil {
		r.fail(pp, "no verified checkpoint to check the proof against")
		return res
	}
	if pf.TreeSize != cp.Size {
		r.altered(pp, "proves inclusion in a tree of %d entries, the checkpoint has %d", pf.TreeSize, cp.Size)
		return res
	}
	if err := evidence.VerifyInclusion(*cp, pf.Index, entry, proof); err != nil {
		r.altered(pp, "%v", err)
		return res
	}
	res.OK = true
	return res
}

// openNote verifies a signed note under the first key and returns its text.
func openNote(msg []byte, keys []string) (string, error) {
	if len(keys) == 0 {
		return "", errors.New("no public key to check it with")
	}
	v, err := note.NewVerifier(keys[0])
	if err != nil {
		return "", err
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return "", err
	}
	return n.Text, nil
}

// WriteText writes the report for a terminal: a verdict line, then each
// problem as "path: reason", then what was checked.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	if r.OK {
		fmt.Fprintf(&b, "OK: %s verifies\n", r.Path)
	} else {
		fmt.Fprintf(&b, "FAILED: %s does not verify (%d altered, %d missing, %d added)\n", r.Path, len(r.Altered), len(r.Missing), len(r.Added))
	}
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "  %s\n", p)
	}
	fmt.Fprintf(&b, "files in manifest: %d", r.Files)
	if r.ManifestSigned {
		b.WriteString(" (manifest signed)\n")
	} else {
		b.WriteString(" (manifest not signed)\n")
	}
	if r.Checkpoint.Size > 0 {
		fmt.Fprintf(&b, "checkpoint: %s, %d entries, root %s, signed %s by %s\n", r.Checkpoint.Origin, r.Checkpoint.Size, r.Checkpoint.Root,
			fmtTime(r.Checkpoint.Time), r.KeyName)
	}
	ok := 0
	for _, it := range r.Items {
		if it.OK {
			ok++
		}
	}
	fmt.Fprintf(&b, "evidence items proved in the log: %d of %d\n", ok, len(r.Items))
	if !r.TrustedKey {
		b.WriteString("note: checked against the key inside the bundle only; pass the investigating body's published key to know who signed it\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
