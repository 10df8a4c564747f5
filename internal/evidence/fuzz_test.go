package evidence

import (
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

const fuzzKey = "lookout+5a6c2b1e+AQ3Dkbt2YhL7j8Q4cS6PSiyBYsFSTGnfwGzg5PeDBuGx"

func FuzzParseCheckpoint(f *testing.F) {
	f.Add("lookout/evidence/abcd\n12\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\ntime 2023-12-01T09:00:00Z\n")
	f.Add("o\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")
	f.Add("o\n-1\nx\n")
	f.Fuzz(func(t *testing.T, text string) {
		c, err := ParseCheckpoint(text)
		if err != nil {
			return
		}
		// What parses formats back to the same text.
		if got := c.Text(); got != text && !strings.Contains(text, "time ") {
			t.Fatalf("round trip:\n%q\n%q", text, got)
		}
		if c.Size < 0 {
			t.Fatal("negative size")
		}
	})
}

func FuzzVerifyCheckpoint(f *testing.F) {
	f.Add(fuzzKey, []byte("o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— lookout WmwrHh4AAAAA\n"))
	f.Add("x+00000000+AQ==", []byte("\n\n"))
	f.Fuzz(func(t *testing.T, key string, note []byte) {
		VerifyCheckpoint(key, note) // must not panic
	})
}

func FuzzParseEntry(f *testing.F) {
	f.Add([]byte(`{"case":"C0","time":"2023-12-01T10:00:00Z","title":"x","type":"case","who":"x"}`))
	f.Add([]byte(`{"case":"C0","item":{"added":"2023-01-02T03:04:05Z","added_by":"a","id":"E1","kind":"file","media_type":"text/plain","sha256":"abababababababababababababababababababababababababababababababab","size":3},"time":"2023-01-02T03:04:05Z","type":"item","who":"a"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseEntry(data)
		if err != nil {
			return
		}
		b, err := Canonical(e)
		if err != nil || string(b) != string(data) {
			t.Fatalf("accepted entry does not re-encode to itself: %q vs %q (%v)", data, b, err)
		}
	})
}

func FuzzVerifyInclusion(f *testing.F) {
	f.Add(int64(3), int64(8), []byte("entry"), []byte{1, 2, 3})
	f.Add(int64(0), int64(1), []byte(""), []byte{})
	f.Fuzz(func(t *testing.T, index, size int64, entry, proofBytes []byte) {
		var proof tlog.RecordProof
		for len(proofBytes) >= 1 && len(proof) < 70 {
			var h tlog.Hash
			h[0] = proofBytes[0]
			proof = append(proof, h)
			proofBytes = proofBytes[1:]
		}
		cp := Checkpoint{Origin: "o", Size: size}
		if err := VerifyInclusion(cp, index, entry, proof); err == nil && len(proof) > 0 {
			t.Fatalf("random proof verified: index %d size %d", index, size)
		}
		older := Checkpoint{Origin: "o", Size: index}
		VerifyConsistency(older, cp, tlog.TreeProof(proof)) // must not panic
	})
}
