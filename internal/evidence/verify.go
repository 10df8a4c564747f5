package evidence

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is a log's signed statement of its size and root hash, in the
// c2sp.org/tlog-checkpoint text format:
//
//	<origin>
//	<tree size>
//	<base64 root hash>
//	time <RFC 3339 signing time>     (an extension line; optional)
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	Time   time.Time // zero when the checkpoint has no time line
	// Extra holds extension lines other than time, verbatim.
	Extra []string
}

// Text formats the checkpoint body (the note text that is signed).
func (c Checkpoint) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%d\n%s\n", c.Origin, c.Size, c.Root)
	if !c.Time.IsZero() {
		fmt.Fprintf(&b, "time %s\n", c.Time.UTC().Format(time.RFC3339Nano))
	}
	for _, x := range c.Extra {
		b.WriteString(x + "\n")
	}
	return b.String()
}

// maxCheckpoint bounds the size of a checkpoint accepted from outside.
const maxCheckpoint = 64 << 10

// ParseCheckpoint parses a checkpoint body (the note text, without
// signatures).
func ParseCheckpoint(text string) (Checkpoint, error) {
	if len(text) > maxCheckpoint {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint longer than %d bytes", ErrInvalid, maxCheckpoint)
	}
	if !strings.HasSuffix(text, "\n") {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint does not end in a newline", ErrInvalid)
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint has %d lines, want at least 3", ErrInvalid, len(lines))
	}
	var c Checkpoint
	c.Origin = lines[0]
	if strings.TrimSpace(c.Origin) == "" {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint line 1: empty origin", ErrInvalid)
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != lines[1] {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint line 2: tree size %q", ErrInvalid, lines[1])
	}
	c.Size = n
	root, err := tlog.ParseHash(lines[2])
	if err != nil || root.String() != lines[2] {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint line 3: root hash %q", ErrInvalid, lines[2])
	}
	c.Root = root
	for i, x := range lines[3:] {
		if x == "" {
			return Checkpoint{}, fmt.Errorf("%w: checkpoint line %d: empty extension line", ErrInvalid, i+4)
		}
		if t, ok := strings.CutPrefix(x, "time "); ok && c.Time.IsZero() {
			tm, err := time.Parse(time.RFC3339Nano, t)
			if err != nil {
				return Checkpoint{}, fmt.Errorf("%w: checkpoint line %d: time %q", ErrInvalid, i+4, t)
			}
			c.Time = tm.UTC()
			continue
		}
		c.Extra = append(c.Extra, x)
	}
	return c, nil
}

// VerifyCheckpoint checks a signed checkpoint note against a verifier key
// ("name+hash+base64", as Log.PublicKey returns) and parses it.
func VerifyCheckpoint(publicKey string, signed []byte) (Checkpoint, error) {
	if len(signed) > maxCheckpoint {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint longer than %d bytes", ErrInvalid, maxCheckpoint)
	}
	v, err := note.NewVerifier(strings.TrimSpace(publicKey))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: public key: %v", ErrInvalid, err)
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint signature: %v", ErrProof, err)
	}
	return ParseCheckpoint(n.Text)
}

// VerifyInclusion checks that entry (the exact stored bytes) is leaf index
// of the tree the checkpoint describes.
func VerifyInclusion(cp Checkpoint, index int64, entry []byte, proof tlog.RecordProof) error {
	if index < 0 || index >= cp.Size {
		return fmt.Errorf("%w: entry %d is outside a tree of %d", ErrProof, index, cp.Size)
	}
	if err := tlog.CheckRecord(proof, cp.Size, cp.Root, index, tlog.RecordHash(entry)); err != nil {
		return fmt.Errorf("%w: entry %d in tree of %d: %v", ErrProof, index, cp.Size, err)
	}
	return nil
}

// VerifyConsistency checks that the older checkpoint's tree is a prefix of
// the newer one's: nothing the older one covered was changed or removed.
func VerifyConsistency(older, newer Checkpoint, proof tlog.TreeProof) error {
	if older.Origin != newer.Origin {
		return fmt.Errorf("%w: checkpoints of different logs (%q, %q)", ErrProof, older.Origin, newer.Origin)
	}
	if older.Size > newer.Size || older.Size < 0 {
		return fmt.Errorf("%w: tree of %d cannot be a prefix of a tree of %d", ErrProof, older.Size, newer.Size)
	}
	if older.Size == newer.Size {
		if older.Root != newer.Root {
			return fmt.Errorf("%w: two roots for a tree of %d", ErrProof, older.Size)
		}
		return nil
	}
	if older.Size == 0 {
		return nil // the empty tree is a prefix of every tree
	}
	if err := tlog.CheckTree(proof, newer.Size, newer.Root, older.Size, older.Root); err != nil {
		return fmt.Errorf("%w: tree of %d is not a prefix of tree of %d: %v", ErrProof, older.Size, newer.Size, err)
	}
	return nil
}

// ParseHashes decodes base64 hashes as proofs list them.
func ParseHashes(list []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(list))
	for i, s := range list {
		h, err := tlog.ParseHash(s)
		if err != nil {
			return nil, fmt.Errorf("%w: hash %d %q", ErrInvalid, i, s)
		}
		out[i] = h
	}
	return out, nil
}

func decodeB64(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }

func ed25519Public(seed []byte) ed25519.PublicKey {
	return ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
}
