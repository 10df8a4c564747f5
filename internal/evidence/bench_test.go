package evidence

import (
	"bytes"
	"testing"
	"time"
)

// BenchmarkAdd is one item added: content stored (fsync, rename), entry
// and hashes appended (two fsyncs).
func BenchmarkAdd(b *testing.B) {
	l, err := Open(b.TempDir(), Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	c, _ := l.NewCase("bench", "b")
	content := bytes.Repeat([]byte("x"), 4096)
	for b.Loop() {
		if _, err := l.Add(c.ID, Item{Kind: KindFile}, "b", bytes.NewReader(content)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen reopens a log of 10,000 entries: every leaf hash is
// checked against its entry and the in-memory index rebuilt.
func BenchmarkOpen(b *testing.B) {
	dir := b.TempDir()
	l, err := Open(dir, Config{})
	if err != nil {
		b.Fatal(err)
	}
	c, _ := l.NewCase("bench", "b")
	for range 9999 {
		if _, err := l.Record(c.ID, Custody{Action: ActionViewed, Who: "b"}); err != nil {
			b.Fatal(err)
		}
	}
	l.Close()
	for b.Loop() {
		l, err := Open(dir, Config{})
		if err != nil {
			b.Fatal(err)
		}
		l.Close()
	}
}

// BenchmarkProveAndVerify is an inclusion proof made and checked in a
// tree of 10,000 entries.
func BenchmarkProveAndVerify(b *testing.B) {
	l, err := Open(b.TempDir(), Config{Now: func() time.Time { return time.Unix(0, 0) }})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	c, _ := l.NewCase("bench", "b")
	for range 9999 {
		l.Record(c.ID, Custody{Action: ActionViewed, Who: "b"})
	}
	cp, _ := VerifyCheckpoint(l.PublicKey(), must(l.Checkpoint()))
	i := int64(0)
	for b.Loop() {
		i = (i + 7919) % cp.Size
		data, _, _ := l.Entry(i)
		p, err := l.InclusionProof(i, cp.Size)
		if err != nil {
			b.Fatal(err)
		}
		if err := VerifyInclusion(cp, i, data, p); err != nil {
			b.Fatal(err)
		}
	}
}
