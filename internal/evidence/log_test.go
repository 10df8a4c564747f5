package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// clock returns a fake clock that advances a minute per call.
func clock() func() time.Time {
	t := time.Date(2023, 12, 1, 9, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Minute); return t }
}

func openLog(t *testing.T, dir string) *Log {
	t.Helper()
	l, err := Open(dir, Config{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// fill opens a case and adds n note items, returning the case ID.
func fill(t *testing.T, l *Log, n int) string {
	t.Helper()
	c, err := l.NewCase("Najin calls, autumn 2023", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		_, err := l.Add(c.ID, Item{Kind: KindNote, MediaType: "text/plain", Description: "note"}, "analyst",
			strings.NewReader(strings.Repeat("x", i+1)))
		if err != nil {
			t.Fatal(err)
		}
	}
	return c.ID
}

func TestCaseItemsCustody(t *testing.T) {
	l := openLog(t, t.TempDir())
	c, err := l.NewCase("  MAIA-1 at Najin ", "ana")
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "C0" || c.Title != "MAIA-1 at Najin" {
		t.Fatalf("case = %+v", c)
	}
	captured := time.Date(2023, 9, 14, 1, 2, 3, 0, time.FixedZone("KST", 9*3600))
	it, err := l.Add(c.ID, Item{Kind: KindScene, Ref: "S2A_MSIL1C_20230914", MediaType: "image/png",
		FileName: "najin.png", Captured: captured, Source: "Copernicus"}, "ana", strings.NewReader("PNGDATA"))
	if err != nil {
		t.Fatal(err)
	}
	if it.ID != "E1" || it.Size != 7 || it.SHA256 != sha256hex("PNGDATA") || !it.Captured.Equal(captured) || it.Captured.Location() != time.UTC {
		t.Fatalf("item = %+v", it)
	}
	corr, err := l.Add(c.ID, Item{Kind: KindScene, Corrects: it.ID, MediaType: "image/png", Description: "re-cropped"}, "bo", strings.NewReader("PNG2"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Record(c.ID, Custody{Action: ActionViewed, Who: "bo", Target: it.ID}); err != nil {
		t.Fatal(err)
	}
	got, err := l.Case(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 2 || len(got.Custody) != 1 || got.Custody[0].Target != "E1" {
		t.Fatalf("case = %+v", got)
	}
	cur := got.Current()
	if len(cur) != 1 || cur[0].ID != corr.ID {
		t.Fatalf("current = %+v", cur)
	}
	rc, err := l.OpenItem(it.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(b) != "PNGDATA" {
		t.Fatalf("content %q %v", b, err)
	}

	// Rejections.
	for name, err := range map[string]error{
		"empty title":    second(l.NewCase(" ", "x")),
		"unknown case":   second(l.Add("C9", Item{Kind: KindNote}, "x", strings.NewReader(""))),
		"bad kind":       second(l.Add(c.ID, Item{Kind: "photo"}, "x", strings.NewReader(""))),
		"foreign fix":    second(l.Add(c.ID, Item{Kind: KindNote, Corrects: "E99"}, "x", strings.NewReader(""))),
		"bad action":     second(l.Record(c.ID, Custody{Action: "deleted"})),
		"foreign target": second(l.Record(c.ID, Custody{Action: ActionViewed, Target: "E77"})),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if l.Size() != 4 {
		t.Fatalf("rejected calls changed the log: size %d", l.Size())
	}
}

func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func second[T any](_ T, err error) error { return err }

func TestOpenItemDetectsAlteredBlob(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir)
	c := fill(t, l, 1)
	it := must(l.Items(c))[0]
	p := filepath.Join(dir, "blobs", "sha256", it.SHA256[:2], it.SHA256)
	os.Chmod(p, 0o600)
	if err := os.WriteFile(p, []byte("y"), 0o600); err != nil {
		t.Fatal(err)
	}
	rc, err := l.OpenItem(it.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, err := io.ReadAll(rc); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("altered blob read with err %v", err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestRebuildGivesSameRoot(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, Config{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	fill(t, l, 20)
	cp1, err := l.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	key := l.PublicKey()
	l.Close()

	l2 := openLog(t, dir)
	if l2.PublicKey() != key {
		t.Fatal("key changed on reopen")
	}
	cp2, err := l2.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	c1 := must(VerifyCheckpoint(key, cp1))
	c2 := must(VerifyCheckpoint(key, cp2))
	if c1.Size != 21 || c1.Size != c2.Size || c1.Root != c2.Root {
		t.Fatalf("rebuilt log: %+v vs %+v", c1, c2)
	}
	// An independent rebuild from the entry lines alone gives the root too.
	data := must(os.ReadFile(filepath.Join(dir, "log", "entries")))
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	var leaves []tlog.Hash
	for _, ln := range lines {
		leaves = append(leaves, tlog.RecordHash(ln))
	}
	if got := merkleRoot(leaves); got != c1.Root {
		t.Fatalf("independent RFC 6962 root %v, checkpoint %v", got, c1.Root)
	}
	// The key file is private.
	if st := must(os.Stat(filepath.Join(dir, "key"))); st.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %v", st.Mode())
	}
}

// merkleRoot is RFC 6962 §2.1 MTH written out directly, as a check on
// tlog: split at the largest power of two below n.
func merkleRoot(leaves []tlog.Hash) tlog.Hash {
	if len(leaves) == 1 {
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	return tlog.NodeHash(merkleRoot(leaves[:k]), merkleRoot(leaves[k:]))
}

func TestInclusionAndConsistency(t *testing.T) {
	l := openLog(t, t.TempDir())
	c := fill(t, l, 6)
	old := must(VerifyCheckpoint(l.PublicKey(), must(l.Checkpoint())))
	for range 13 {
		must(l.Add(c, Item{Kind: KindNote}, "x", strings.NewReader("more")))
	}
	newer := must(VerifyCheckpoint(l.PublicKey(), must(l.Checkpoint())))
	if old.Size != 7 || newer.Size != 20 {
		t.Fatalf("sizes %d %d", old.Size, newer.Size)
	}
	for _, oldSize := range []int64{1, 2, 7, 8, 19, 20} {
		oc := old
		if oldSize != old.Size {
			oc = Checkpoint{Origin: old.Origin, Size: oldSize, Root: must(tlog.TreeHash(oldSize, l.st))}
		}
		p := must(l.ConsistencyProof(oldSize, newer.Size))
		if err := VerifyConsistency(oc, newer, p); err != nil {
			t.Errorf("consistency %d→%d: %v", oldSize, newer.Size, err)
		}
		// A different old root must not verify.
		bad := oc
		bad.Root[0] ^= 1
		if err := VerifyConsistency(bad, newer, p); oldSize != newer.Size && !errors.Is(err, ErrProof) {
			t.Errorf("consistency with altered old root %d: %v", oldSize, err)
		}
	}
	for i := range newer.Size {
		data, _, err := l.Entry(i)
		if err != nil {
			t.Fatal(err)
		}
		p := must(l.InclusionProof(i, newer.Size))
		if err := VerifyInclusion(newer, i, data, p); err != nil {
			t.Errorf("inclusion %d: %v", i, err)
		}
		alt := bytes.Clone(data)
		alt[len(alt)/2] ^= 1
		if err := VerifyInclusion(newer, i, alt, p); !errors.Is(err, ErrProof) {
			t.Errorf("altered entry %d verified: %v", i, err)
		}
		if err := VerifyInclusion(newer, (i+1)%newer.Size, data, p); !errors.Is(err, ErrProof) {
			t.Errorf("entry %d verified at another index: %v", i, err)
		}
	}
	ip := must(l.ProveItem("E3", newer.Size))
	if err := VerifyInclusion(newer, ip.Index, ip.Entry, ip.Hashes); err != nil || ip.LeafHash != tlog.RecordHash(ip.Entry) {
		t.Fatal(err)
	}
}

func TestCheckpointSignature(t *testing.T) {
	l := openLog(t, t.TempDir())
	fill(t, l, 2)
	cp := must(l.Checkpoint())
	c, err := VerifyCheckpoint(l.PublicKey(), cp)
	if err != nil || c.Time.IsZero() || !strings.HasPrefix(c.Origin, "lookout/evidence/") {
		t.Fatalf("%+v %v", c, err)
	}
	other := openLog(t, t.TempDir())
	if _, err := VerifyCheckpoint(other.PublicKey(), cp); !errors.Is(err, ErrProof) {
		t.Fatalf("verified under another key: %v", err)
	}
	for i := range cp {
		alt := bytes.Clone(cp)
		alt[i] ^= 0x20
		if _, err := VerifyCheckpoint(l.PublicKey(), alt); err == nil {
			t.Fatalf("checkpoint with byte %d altered (%q) verified", i, alt)
		}
	}
}

func TestTornWriteRecovery(t *testing.T) {
	for _, tc := range []struct {
		name string
		tear func(t *testing.T, dir string)
	}{
		{"partial entry line", func(t *testing.T, dir string) {
			appendFile(t, filepath.Join(dir, "log", "entries"), []byte(`{"case":"C0","ty`))
		}},
		{"entry without hashes", func(t *testing.T, dir string) {
			appendFile(t, filepath.Join(dir, "log", "entries"), []byte(`{"case":"C0","time":"2023-12-01T10:00:00Z","title":"x","type":"case","who":"x"}`+"\n"))
		}},
		{"entry with part of its hashes", func(t *testing.T, dir string) {
			appendFile(t, filepath.Join(dir, "log", "entries"), []byte(`{"case":"C0","time":"2023-12-01T10:00:00Z","title":"x","type":"case","who":"x"}`+"\n"))
			appendFile(t, filepath.Join(dir, "log", "hashes"), bytes.Repeat([]byte{7}, 40))
		}},
		{"zero-filled tail", func(t *testing.T, dir string) {
			appendFile(t, filepath.Join(dir, "log", "entries"), make([]byte, 4096))
			appendFile(t, filepath.Join(dir, "log", "hashes"), make([]byte, 17))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			l, err := Open(dir, Config{Now: clock()})
			if err != nil {
				t.Fatal(err)
			}
			c := fill(t, l, 6)
			before := must(VerifyCheckpoint(l.PublicKey(), must(l.Checkpoint())))
			l.Close()
			tc.tear(t, dir)
			l2 := openLog(t, dir)
			if l2.Size() != before.Size {
				t.Fatalf("size after recovery %d, want %d", l2.Size(), before.Size)
			}
			// The log goes on: a new entry, and the old checkpoint is a prefix.
			must(l2.Add(c, Item{Kind: KindNote}, "x", strings.NewReader("after")))
			after := must(VerifyCheckpoint(l2.PublicKey(), must(l2.Checkpoint())))
			if err := VerifyConsistency(before, after, must(l2.ConsistencyProof(before.Size, after.Size))); err != nil {
				t.Fatal(err)
			}
			l2.Close()
			l3 := openLog(t, dir)
			if l3.Size() != before.Size+1 {
				t.Fatalf("reopened size %d", l3.Size())
			}
		})
	}
}

func TestCorruptionIsReported(t *testing.T) {
	for _, tc := range []struct {
		name  string
		alter func(t *testing.T, dir string)
	}{
		{"entry byte", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "log", "entries")
			b := must(os.ReadFile(p))
			b[20] ^= 1
			must(0, os.WriteFile(p, b, 0o600))
		}},
		{"entries lost after checkpoint", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "log", "entries")
			b := must(os.ReadFile(p))
			lines := bytes.SplitAfter(b, []byte("\n"))
			must(0, os.WriteFile(p, bytes.Join(lines[:3], nil), 0o600))
			must(0, os.Truncate(filepath.Join(dir, "log", "hashes"), tlog.StoredHashCount(3)*32))
		}},
		{"extra hashes", func(t *testing.T, dir string) {
			appendFile(t, filepath.Join(dir, "log", "hashes"), make([]byte, 64))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			l, err := Open(dir, Config{Now: clock()})
			if err != nil {
				t.Fatal(err)
			}
			fill(t, l, 5)
			must(l.Checkpoint())
			l.Close()
			tc.alter(t, dir)
			if l2, err := Open(dir, Config{}); !errors.Is(err, ErrCorrupt) {
				if l2 != nil {
					l2.Close()
				}
				t.Fatalf("open after %s: %v", tc.name, err)
			}
		})
	}
}

func TestSecondProcessLocked(t *testing.T) {
	dir := t.TempDir()
	openLog(t, dir)
	if _, err := Open(dir, Config{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v", err)
	}
}

func appendFile(t *testing.T, name string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func TestCanonical(t *testing.T) {
	e := Entry{Type: TypeItem, Case: "C0", Time: time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC), Who: "a<b>",
		Item: &Item{ID: "E1", Kind: KindFile, SHA256: strings.Repeat("ab", 32), Size: 3, MediaType: "text/plain", AddedBy: "a", Added: time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC)}}
	b := must(Canonical(e))
	want := `{"case":"C0","item":{"added":"2023-01-02T03:04:05Z","added_by":"a","id":"E1","kind":"file","media_type":"text/plain","sha256":"abababababababababababababababababababababababababababababababab","size":3},"time":"2023-01-02T03:04:05Z","type":"item","who":"a<b>"}`
	if string(b) != want {
		t.Fatalf("canonical\n got %s\nwant %s", b, want)
	}
	if _, err := ParseEntry(b); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseEntry([]byte(`{"type":"item", "case":"C0"}`)); err == nil {
		t.Fatal("non-canonical entry accepted")
	}
}
