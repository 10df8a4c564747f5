package evidence

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Config configures a Log.
type Config struct {
	// KeyName names the signing key in signed notes; it is used only
	// when the key is first generated. Default "lookout".
	KeyName string
	// Origin is the checkpoint's first line, naming the log. Default
	// "lookout/evidence/<first 8 hex digits of the public key's SHA-256>",
	// which differs between installations.
	Origin string
	// Now is the clock entries are stamped with. Default time.Now.
	Now func() time.Time
	// Logger receives recovery warnings. Default: discard.
	Logger *slog.Logger
	// Storage and Blobs replace the filesystem storage under the
	// directory (tests, other backends). Both nil: OpenFS(dir).
	Storage Storage
	Blobs   Blobs
}

func (c *Config) defaults() {
	if c.KeyName == "" {
		c.KeyName = "lookout"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Log is an open evidence log. It is safe for concurrent use within one
// process; a lock file keeps other processes out while it is open.
type Log struct {
	mu      sync.Mutex
	cfg     Config
	st      Storage
	blobs   Blobs
	closers []io.Closer
	signer  note.Signer
	vkey    string
	origin  string

	cases    map[string]*Case
	order    []string // case IDs in creation order
	items    map[string]*Item
	itemCase map[string]string
}

// Case is a case and what the log holds about it.
type Case struct {
	ID      string    `json:"id"`
	Title   string    `json:"title"`
	Created time.Time `json:"created"`
	Who     string    `json:"created_by"`
	// Items in the order they were added, corrections included.
	Items []Item `json:"items"`
	// Custody lists every custody action on the case or its items.
	Custody []Entry `json:"custody"`
}

// Current returns the items that no later item corrects.
func (c *Case) Current() []Item {
	corrected := map[string]bool{}
	for _, it := range c.Items {
		if it.Corrects != "" {
			corrected[it.Corrects] = true
		}
	}
	var out []Item
	for _, it := range c.Items {
		if !corrected[it.ID] {
			out = append(out, it)
		}
	}
	return out
}

// Open opens the log under dir, creating it (and the installation's key)
// on first use.
func Open(dir string, cfg Config) (*Log, error) {
	cfg.defaults()
	l := &Log{cfg: cfg, cases: map[string]*Case{}, items: map[string]*Item{}, itemCase: map[string]string{}}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	unlock, err := lockDir(filepath.Join(dir, "lock"))
	if err != nil {
		return nil, err
	}
	l.closers = append(l.closers, unlock)
	fail := func(err error) (*Log, error) {
		l.Close()
		return nil, err
	}
	l.st, l.blobs = cfg.Storage, cfg.Blobs
	if l.st == nil || l.blobs == nil {
		fsst, err := OpenFS(dir, cfg.Logger)
		if err != nil {
			return fail(err)
		}
		l.closers = append(l.closers, fsst)
		if l.st == nil {
			l.st = fsst
		}
		if l.blobs == nil {
			l.blobs = fsst
		}
	}
	skey, err := loadOrCreateKey(dir, cfg.KeyName)
	if err != nil {
		return fail(err)
	}
	if l.signer, err = note.NewSigner(skey); err != nil {
		return fail(fmt.Errorf("evidence: key %s: %w", filepath.Join(dir, "key"), err))
	}
	if l.vkey, err = verifierKey(skey); err != nil {
		return fail(err)
	}
	l.origin = cfg.Origin
	if l.origin == "" {
		sum := sha256.Sum256([]byte(l.vkey))
		l.origin = "lookout/evidence/" + hex.EncodeToString(sum[:4])
	}
	for i := int64(0); i < l.st.Size(); i++ {
		data, err := l.st.ReadEntry(i)
		if err != nil {
			return fail(err)
		}
		// The leaf hashes were checked as storage opened; these bytes are
		// the log's own, so a plain decode (not ParseEntry's canonical
		// re-encoding) is enough.
		var e Entry
		if err := json.Unmarshal(data, &e); err != nil {
			return fail(fmt.Errorf("%w: entry %d: %v", ErrCorrupt, i, err))
		}
		if err := e.check(); err != nil {
			return fail(fmt.Errorf("%w: entry %d: %v", ErrCorrupt, i, err))
		}
		e.Index = i
		if err := l.apply(e); err != nil {
			return fail(fmt.Errorf("%w: entry %d: %v", ErrCorrupt, i, err))
		}
	}
	// The stored checkpoint must describe a prefix of this log: entries
	// lost after they were checkpointed are corruption, not recovery.
	if cp, err := l.st.ReadCheckpoint(); err != nil {
		return fail(err)
	} else if cp != nil {
		c, err := VerifyCheckpoint(l.vkey, cp)
		if err != nil {
			return fail(fmt.Errorf("%w: stored checkpoint: %v", ErrCorrupt, err))
		}
		if c.Size > l.st.Size() {
			return fail(fmt.Errorf("%w: checkpoint covers %d entries, log has %d", ErrCorrupt, c.Size, l.st.Size()))
		}
		root, err := tlog.TreeHash(c.Size, l.st)
		if err != nil {
			return fail(err)
		}
		if root != c.Root {
			return fail(fmt.Errorf("%w: checkpoint root for %d entries does not match the log", ErrCorrupt, c.Size))
		}
	}
	return l, nil
}

// Close releases the storage and the lock.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []error
	for i := len(l.closers) - 1; i >= 0; i-- {
		errs = append(errs, l.closers[i].Close())
	}
	l.closers = nil
	return errors.Join(errs...)
}

// apply adds an entry's effect to the in-memory index.
func (l *Log) apply(e Entry) error {
	switch e.Type {
	case TypeCase:
		if e.Case != caseID(e.Index) {
			return fmt.Errorf("case entry names case %q", e.Case)
		}
		l.cases[e.Case] = &Case{ID: e.Case, Title: e.Title, Created: e.Time, Who: e.Who}
		l.order = append(l.order, e.Case)
	case TypeItem:
		c, ok := l.cases[e.Case]
		if !ok {
			return fmt.Errorf("item for unknown case %q", e.Case)
		}
		it := *e.Item
		if it.ID != itemID(e.Index) {
			return fmt.Errorf("item entry names item %q", it.ID)
		}
		c.Items = append(c.Items, it)
		l.items[it.ID] = &c.Items[len(c.Items)-1]
		l.itemCase[it.ID] = c.ID
	case TypeCustody:
		c, ok := l.cases[e.Case]
		if !ok {
			return fmt.Errorf("custody entry for unknown case %q", e.Case)
		}
		c.Custody = append(c.Custody, e)
	}
	return nil
}

// append encodes, stores and indexes one entry. Callers hold l.mu.
func (l *Log) append(e Entry) (Entry, error) {
	e.Index = l.st.Size()
	if err := e.check(); err != nil {
		return Entry{}, err
	}
	data, err := Canonical(e)
	if err != nil {
		return Entry{}, fmt.Errorf("evidence: encode entry: %w", err)
	}
	hashes, err := tlog.StoredHashes(e.Index, data, l.st)
	if err != nil {
		return Entry{}, fmt.Errorf("evidence: hash entry %d: %w", e.Index, err)
	}
	if err := l.st.Append(data, hashes); err != nil {
		return Entry{}, err
	}
	if err := l.apply(e); err != nil {
		return Entry{}, fmt.Errorf("evidence: entry %d: %w", e.Index, err)
	}
	return e, nil
}

func (l *Log) now() time.Time { return l.cfg.Now().UTC().Round(time.Microsecond) }

// NewCase opens a case and returns it.
func (l *Log) NewCase(title, who string) (Case, error) {
	title = strings.TrimSpace(title)
	if title == "" {
		return Case{}, fmt.Errorf("%w: case title is empty", ErrInvalid)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e, err := l.append(Entry{Type: TypeCase, Case: caseID(l.st.Size()), Time: l.now(), Who: who, Title: title})
	if err != nil {
		return Case{}, err
	}
	return l.caseCopy(e.Case), nil
}

// Add stores content and records it as an item of the case. The caller
// describes the item (Kind, Ref, MediaType, FileName, Captured, Source,
// Description, Corrects); the log fills ID, SHA256, Size, AddedBy (who)
// and Added. A correction (Corrects set) must name an item of the same
// case.
func (l *Log) Add(caseID string, it Item, who string, content io.Reader) (Item, error) {
	if !it.Kind.Valid() {
		return Item{}, fmt.Errorf("%w: item kind %q (want one of %v)", ErrInvalid, it.Kind, Kinds)
	}
	if it.MediaType == "" {
		it.MediaType = "application/octet-stream"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.cases[caseID]; !ok {
		return Item{}, fmt.Errorf("%w: case %q", ErrNotFound, caseID)
	}
	if it.Corrects != "" && l.itemCase[it.Corrects] != caseID {
		return Item{}, fmt.Errorf("%w: item %q to correct is not in case %s", ErrNotFound, it.Corrects, caseID)
	}
	// Content first: an entry must never name content that is not stored.
	sum, size, err := l.blobs.Put(content)
	if err != nil {
		return Item{}, err
	}
	it.ID = itemID(l.st.Size())
	it.SHA256, it.Size = sum, size
	it.AddedBy = who
	it.Added = l.now()
	if !it.Captured.IsZero() {
		it.Captured = it.Captured.UTC()
	}
	e, err := l.append(Entry{Type: TypeItem, Case: caseID, Time: it.Added, Who: who, Item: &it})
	if err != nil {
		return Item{}, err
	}
	return *e.Item, nil
}

// Custody is a custody action to record.
type Custody struct {
	Action Action
	Who    string
	// Target is the item acted on; "" for the case as a whole.
	Target string
	Detail string
}

// Record logs a custody action on a case or one of its items.
func (l *Log) Record(caseID string, c Custody) (Entry, error) {
	if !c.Action.Valid() {
		return Entry{}, fmt.Errorf("%w: custody action %q", ErrInvalid, c.Action)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.cases[caseID]; !ok {
		return Entry{}, fmt.Errorf("%w: case %q", ErrNotFound, caseID)
	}
	if c.Target != "" && l.itemCase[c.Target] != caseID {
		return Entry{}, fmt.Errorf("%w: item %q is not in case %s", ErrNotFound, c.Target, caseID)
	}
	return l.append(Entry{Type: TypeCustody, Case: caseID, Time: l.now(), Who: c.Who,
		Action: c.Action, Target: c.Target, Detail: c.Detail})
}

// Case returns a case with its items and custody record.
func (l *Log) Case(id string) (Case, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.cases[id]; !ok {
		return Case{}, fmt.Errorf("%w: case %q", ErrNotFound, id)
	}
	return l.caseCopy(id), nil
}

func (l *Log) caseCopy(id string) Case {
	c := *l.cases[id]
	c.Items = slices.Clone(c.Items)
	c.Custody = slices.Clone(c.Custody)
	return c
}

// Cases returns every case in creation order.
func (l *Log) Cases() []Case {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Case, 0, len(l.order))
	for _, id := range l.order {
		out = append(out, l.caseCopy(id))
	}
	return out
}

// Items returns a case's items in the order they were added.
func (l *Log) Items(caseID string) ([]Item, error) {
	c, err := l.Case(caseID)
	return c.Items, err
}

// Item returns an item by ID.
func (l *Log) Item(id string) (Item, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	it, ok := l.items[id]
	if !ok {
		return Item{}, fmt.Errorf("%w: item %q", ErrNotFound, id)
	}
	return *it, nil
}

// OpenItem returns an item's content. The reader checks the content
// against the item's SHA-256 as it is read and fails at the end if it
// differs, so altered storage is never passed on silently.
func (l *Log) OpenItem(id string) (io.ReadCloser, error) {
	it, err := l.Item(id)
	if err != nil {
		return nil, err
	}
	rc, err := l.blobs.Open(it.SHA256)
	if err != nil {
		return nil, fmt.Errorf("evidence: item %s: %w", id, err)
	}
	return &checkedReader{rc: rc, h: sha256.New(), want: it.SHA256, id: id}, nil
}

type checkedReader struct {
	rc io.ReadCloser
	h  interface {
		io.Writer
		Sum([]byte) []byte
	}
	want string
	id   string
}

func (c *checkedReader) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	c.h.Write(p[:n])
	if err == io.EOF {
		if got := hex.EncodeToString(c.h.Sum(nil)); got != c.want {
			return n, fmt.Errorf("%w: item %s content has sha256 %s, log says %s", ErrCorrupt, c.id, got, c.want)
		}
	}
	return n, err
}

func (c *checkedReader) Close() error { return c.rc.Close() }

// Size is the number of entries in the log.
func (l *Log) Size() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.st.Size()
}

// Entry returns entry i's stored bytes (the leaf an inclusion proof is
// about) and the decoded entry.
func (l *Log) Entry(i int64) ([]byte, Entry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	data, err := l.st.ReadEntry(i)
	if err != nil {
		return nil, Entry{}, err
	}
	e, err := ParseEntry(data)
	e.Index = i
	return data, e, err
}

// PublicKey returns the installation's verifier key in note format
// ("name+hash+base64"), for checking checkpoints anywhere.
func (l *Log) PublicKey() string { return l.vkey }

// Origin returns the log's name, the first line of its checkpoints.
func (l *Log) Origin() string { return l.origin }

// Checkpoint signs a checkpoint of the whole log as it is now, stores it
// as the latest, and returns the signed note.
func (l *Log) Checkpoint() ([]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.st.Size()
	root, err := tlog.TreeHash(n, l.st)
	if err != nil {
		return nil, fmt.Errorf("evidence: tree hash: %w", err)
	}
	text := Checkpoint{Origin: l.origin, Size: n, Root: root, Time: l.now()}.Text()
	signed, err := note.Sign(&note.Note{Text: text}, l.signer)
	if err != nil {
		return nil, fmt.Errorf("evidence: sign checkpoint: %w", err)
	}
	if err := l.st.WriteCheckpoint(signed); err != nil {
		return nil, err
	}
	return signed, nil
}

// SignNote signs text (ending in a newline) with the installation's key,
// for statements outside the log such as a dossier's manifest digest.
func (l *Log) SignNote(text string) ([]byte, error) {
	signed, err := note.Sign(&note.Note{Text: text}, l.signer)
	if err != nil {
		return nil, fmt.Errorf("evidence: sign: %w", err)
	}
	return signed, nil
}

// InclusionProof proves that entry index is in the tree of treeSize
// entries.
func (l *Log) InclusionProof(index, treeSize int64) (tlog.RecordProof, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if treeSize > l.st.Size() || index < 0 || index >= treeSize {
		return nil, fmt.Errorf("%w: inclusion of %d in tree of %d (log has %d)", ErrInvalid, index, treeSize, l.st.Size())
	}
	p, err := tlog.ProveRecord(treeSize, index, l.st)
	if err != nil {
		return nil, fmt.Errorf("evidence: prove entry %d: %w", index, err)
	}
	return p, nil
}

// ConsistencyProof proves that the tree of oldSize entries is a prefix of
// the tree of newSize entries.
func (l *Log) ConsistencyProof(oldSize, newSize int64) (tlog.TreeProof, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if oldSize < 1 || oldSize > newSize || newSize > l.st.Size() {
		return nil, fmt.Errorf("%w: consistency of %d with %d (log has %d)", ErrInvalid, oldSize, newSize, l.st.Size())
	}
	p, err := tlog.ProveTree(newSize, oldSize, l.st)
	if err != nil {
		return nil, fmt.Errorf("evidence: prove tree %d→%d: %w", oldSize, newSize, err)
	}
	return p, nil
}

// ItemProof is everything needed to check one item offline against a
// checkpoint: the exact entry bytes and the inclusion proof.
type ItemProof struct {
	Item     string           `json:"item"`
	Index    int64            `json:"index"`
	TreeSize int64            `json:"tree_size"`
	LeafHash tlog.Hash        `json:"leaf_hash"`
	Hashes   tlog.RecordProof `json:"hashes"`
	Entry    []byte           `json:"-"`
}

// ProveItem returns the proof that item id is in the tree of treeSize
// entries.
func (l *Log) ProveItem(id string, treeSize int64) (ItemProof, error) {
	it, err := l.Item(id)
	if err != nil {
		return ItemProof{}, err
	}
	var index int64
	if _, err := fmt.Sscanf(it.ID, "E%d", &index); err != nil {
		return ItemProof{}, fmt.Errorf("%w: item id %q", ErrInvalid, it.ID)
	}
	data, _, err := l.Entry(index)
	if err != nil {
		return ItemProof{}, err
	}
	p, err := l.InclusionProof(index, treeSize)
	if err != nil {
		return ItemProof{}, err
	}
	return ItemProof{Item: id, Index: index, TreeSize: treeSize, LeafHash: tlog.RecordHash(data), Hashes: p, Entry: data}, nil
}

// loadOrCreateKey returns the signer key in dir/key, generating it (and
// dir/key.pub) on first use.
func loadOrCreateKey(dir, name string) (string, error) {
	path := filepath.Join(dir, "key")
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("evidence: key: %w", err)
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", fmt.Errorf("evidence: generate key %q: %w", name, err)
	}
	if err := writeFileAtomic(filepath.Join(dir, "key.pub"), []byte(vkey+"\n"), 0o644); err != nil {
		return "", err
	}
	if err := writeFileAtomic(path, []byte(skey+"\n"), 0o600); err != nil {
		return "", err
	}
	return skey, nil
}

// verifierKey derives the public verifier key from a signer key
// ("PRIVATE+KEY+name+hash+base64(alg||seed)").
func verifierKey(skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", fmt.Errorf("%w: malformed signing key", ErrInvalid)
	}
	raw, err := decodeB64(parts[4])
	if err != nil || len(raw) != 1+32 || raw[0] != 1 {
		return "", fmt.Errorf("%w: malformed signing key", ErrInvalid)
	}
	pub := ed25519Public(raw[1:])
	return note.NewEd25519VerifierKey(parts[2], pub)
}
