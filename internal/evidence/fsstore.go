package evidence

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/tlog"
)

// Storage is what the Log needs from durable storage. Entries and the
// tree's stored hashes (tlog.StoredHashIndex order) are append-only.
// Implementations need not be safe for concurrent use: the Log serialises
// calls.
type Storage interface {
	// Size is the number of committed entries.
	Size() int64
	// Append durably adds one entry and the hashes tlog.StoredHashes
	// computed for it; the entry counts as committed only once both are
	// stored.
	Append(entry []byte, hashes []tlog.Hash) error
	// ReadEntry returns entry i's bytes.
	ReadEntry(i int64) ([]byte, error)
	tlog.HashReader
	// ReadCheckpoint returns the last checkpoint written, nil if none.
	ReadCheckpoint() ([]byte, error)
	// WriteCheckpoint atomically replaces the checkpoint.
	WriteCheckpoint([]byte) error
}

// Blobs stores evidence content by its SHA-256.
type Blobs interface {
	// Put stores r's content and returns its hex SHA-256 and size.
	Put(r io.Reader) (sum string, size int64, err error)
	// Open returns the content with the given hex SHA-256.
	Open(sum string) (io.ReadCloser, error)
}

// FS is Storage and Blobs in a directory:
//
//	log/entries     one canonical JSON entry per line, in index order
//	log/hashes      the tree's stored hashes, 32 bytes each
//	log/checkpoint  the latest signed checkpoint
//	blobs/sha256/ab/abcdef…  evidence content
//
// An append writes and fsyncs the entry line, then its hashes. On open,
// an entry whose hashes are not all stored (a crash mid-append) is cut
// off, and so is a torn last line; entries before it are untouched.
// Every stored leaf hash is checked against its entry, so a changed byte
// in log/entries is reported as ErrCorrupt rather than served.
type FS struct {
	dir     string
	entries *os.File
	hashes  *os.File
	offsets []int64 // offsets[i] = start of entry i; len = Size()+1
	nhash   int64
	log     *slog.Logger
}

// OpenFS opens (creating when needed) the storage under dir, recovering
// from an interrupted append.
func OpenFS(dir string, logger *slog.Logger) (*FS, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &FS{dir: dir, log: logger}
	for _, d := range []string{filepath.Join(dir, "log"), filepath.Join(dir, "blobs", "sha256")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("evidence: %w", err)
		}
	}
	var err error
	if s.entries, err = os.OpenFile(filepath.Join(dir, "log", "entries"), os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	if s.hashes, err = os.OpenFile(filepath.Join(dir, "log", "hashes"), os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		s.entries.Close()
		return nil, fmt.Errorf("evidence: %w", err)
	}
	if err := syncDir(filepath.Join(dir, "log")); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.recover(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// recover scans the entries, drops an uncommitted tail and checks every
// leaf hash.
func (s *FS) recover() error {
	entriesPath := filepath.Join(s.dir, "log", "entries")
	hashesPath := filepath.Join(s.dir, "log", "hashes")
	// Complete lines.
	if _, err := s.entries.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("evidence: %s: %w", entriesPath, err)
	}
	br := bufio.NewReaderSize(s.entries, 1<<16)
	offsets := []int64{0}
	var leaves []tlog.Hash // leaf hash of each complete line, checked below
	var off int64
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// Entries are small; read the long line in full.
			rest, err2 := br.ReadBytes('\n')
			line = append(append([]byte(nil), line...), rest...)
			err = err2
		}
		if err == io.EOF {
			break // a partial last line (if any) is not counted
		}
		if err != nil {
			return fmt.Errorf("evidence: %s: %w", entriesPath, err)
		}
		off += int64(len(line))
		offsets = append(offsets, off)
		leaves = append(leaves, tlog.RecordHash(line[:len(line)-1]))
	}
	st, err := s.hashes.Stat()
	if err != nil {
		return fmt.Errorf("evidence: %s: %w", hashesPath, err)
	}
	nh := st.Size() / tlog.HashSize
	// n = entries committed: those whose stored hashes are all present.
	total := int64(len(offsets) - 1)
	n := total
	for n > 0 && tlog.StoredHashCount(n) > nh {
		n--
	}
	if n == total && nh > tlog.StoredHashCount(n) {
		// Hashes for entries that are not there: the write order (entry,
		// then hashes) rules that out, so something else changed the files.
		return fmt.Errorf("%w: %s has %d hashes for %d entries in %s", ErrCorrupt, hashesPath, nh, n, entriesPath)
	}
	end, err := s.entries.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("evidence: %s: %w", entriesPath, err)
	}
	if dropE, dropH := end-offsets[n], st.Size()-tlog.StoredHashCount(n)*tlog.HashSize; dropE != 0 || dropH != 0 {
		s.log.Warn("evidence: dropping an interrupted append", "dir", s.dir, "entries", n,
			"entry_bytes", dropE, "hash_bytes", dropH)
	}
	if err := truncate(s.entries, offsets[n], entriesPath); err != nil {
		return err
	}
	if err := truncate(s.hashes, tlog.StoredHashCount(n)*tlog.HashSize, hashesPath); err != nil {
		return err
	}
	s.offsets = offsets[:n+1]
	s.nhash = tlog.StoredHashCount(n)
	// Check every leaf hash against its entry, reading the hashes file
	// once, front to back.
	hr := bufio.NewReaderSize(io.NewSectionReader(s.hashes, 0, s.nhash*tlog.HashSize), 1<<16)
	var pos int64
	var h tlog.Hash
	for i := int64(0); i < n; i++ {
		idx := tlog.StoredHashIndex(0, i)
		if _, err := hr.Discard(int((idx - pos) * tlog.HashSize)); err != nil {
			return fmt.Errorf("evidence: %s: %w", hashesPath, err)
		}
		if _, err := io.ReadFull(hr, h[:]); err != nil {
			return fmt.Errorf("evidence: %s: %w", hashesPath, err)
		}
		pos = idx + 1
		if leaves[i] != h {
			return fmt.Errorf("%w: %s entry %d does not match its stored hash", ErrCorrupt, entriesPath, i)
		}
	}
	return nil
}

func truncate(f *os.File, size int64, name string) error {
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("evidence: %s: %w", name, err)
	}
	if st.Size() == size {
		return nil
	}
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("evidence: %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("evidence: %s: %w", name, err)
	}
	return nil
}

// Size implements Storage.
func (s *FS) Size() int64 { return int64(len(s.offsets) - 1) }

// Append implements Storage.
func (s *FS) Append(entry []byte, hashes []tlog.Hash) error {
	if bytes.IndexByte(entry, '\n') >= 0 {
		return fmt.Errorf("%w: entry contains a newline", ErrInvalid)
	}
	n := s.Size()
	if want := tlog.StoredHashCount(n+1) - tlog.StoredHashCount(n); int64(len(hashes)) != want {
		return fmt.Errorf("%w: entry %d needs %d hashes, got %d", ErrInvalid, n, want, len(hashes))
	}
	end := s.offsets[n]
	line := append(append(make([]byte, 0, len(entry)+1), entry...), '\n')
	if _, err := s.entries.WriteAt(line, end); err != nil {
		return fmt.Errorf("evidence: append entry %d: %w", n, err)
	}
	if err := s.entries.Sync(); err != nil {
		return fmt.Errorf("evidence: append entry %d: %w", n, err)
	}
	buf := make([]byte, 0, len(hashes)*tlog.HashSize)
	for _, h := range hashes {
		buf = append(buf, h[:]...)
	}
	if _, err := s.hashes.WriteAt(buf, s.nhash*tlog.HashSize); err != nil {
		return fmt.Errorf("evidence: append hashes %d: %w", n, err)
	}
	if err := s.hashes.Sync(); err != nil {
		return fmt.Errorf("evidence: append hashes %d: %w", n, err)
	}
	s.offsets = append(s.offsets, end+int64(len(line)))
	s.nhash += int64(len(hashes))
	return nil
}

// ReadEntry implements Storage.
func (s *FS) ReadEntry(i int64) ([]byte, error) {
	if i < 0 || i >= s.Size() {
		return nil, fmt.Errorf("%w: entry %d (log has %d)", ErrNotFound, i, s.Size())
	}
	buf := make([]byte, s.offsets[i+1]-s.offsets[i])
	if _, err := s.entries.ReadAt(buf, s.offsets[i]); err != nil {
		return nil, fmt.Errorf("evidence: read entry %d: %w", i, err)
	}
	return buf[:len(buf)-1], nil // drop the newline
}

// ReadHashes implements tlog.HashReader.
func (s *FS) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for j, x := range indexes {
		if x < 0 || x >= s.nhash {
			return nil, fmt.Errorf("%w: stored hash %d (have %d)", ErrNotFound, x, s.nhash)
		}
		if _, err := s.hashes.ReadAt(out[j][:], x*tlog.HashSize); err != nil {
			return nil, fmt.Errorf("evidence: read hash %d: %w", x, err)
		}
	}
	return out, nil
}

// ReadCheckpoint implements Storage.
func (s *FS) ReadCheckpoint() ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, "log", "checkpoint"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	return b, nil
}

// WriteCheckpoint implements Storage.
func (s *FS) WriteCheckpoint(b []byte) error {
	return writeFileAtomic(filepath.Join(s.dir, "log", "checkpoint"), b, 0o644)
}

// Put implements Blobs: the content is written to a temporary file while
// it is hashed, then renamed into place, so a blob path never holds
// anything but the content it names.
func (s *FS) Put(r io.Reader) (string, int64, error) {
	dir := filepath.Join(s.dir, "blobs", "sha256")
	tmp, err := os.CreateTemp(dir, ".put-*")
	if err != nil {
		return "", 0, fmt.Errorf("evidence: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, fmt.Errorf("evidence: store content: %w", err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	final := s.blobPath(sum)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return "", 0, fmt.Errorf("evidence: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o400); err != nil {
		return "", 0, fmt.Errorf("evidence: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return "", 0, fmt.Errorf("evidence: %w", err)
	}
	if err := syncDir(filepath.Dir(final)); err != nil {
		return "", 0, err
	}
	return sum, n, nil
}

// Open implements Blobs. The content is not re-hashed here; Log.OpenItem
// does that as it is read.
func (s *FS) Open(sum string) (io.ReadCloser, error) {
	if len(sum) != 64 {
		return nil, fmt.Errorf("%w: sha256 %q", ErrInvalid, sum)
	}
	if _, err := hex.DecodeString(sum); err != nil {
		return nil, fmt.Errorf("%w: sha256 %q", ErrInvalid, sum)
	}
	f, err := os.Open(s.blobPath(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: content %s", ErrNotFound, sum)
	}
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	return f, nil
}

func (s *FS) blobPath(sum string) string {
	return filepath.Join(s.dir, "blobs", "sha256", sum[:2], sum)
}

// Close closes the files.
func (s *FS) Close() error {
	var errs []error
	if s.entries != nil {
		errs = append(errs, s.entries.Close())
	}
	if s.hashes != nil {
		errs = append(errs, s.hashes.Close())
	}
	return errors.Join(errs...)
}

// writeFileAtomic writes name through a temporary file, fsync and rename,
// so a reader sees the old or the new content, never a mix.
func writeFileAtomic(name string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+"-*")
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), perm)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		return fmt.Errorf("evidence: write %s: %w", name, err)
	}
	return syncDir(filepath.Dir(name))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("evidence: sync %s: %w", dir, err)
	}
	return nil
}
