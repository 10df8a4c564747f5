package track

// ring is a vessel's reorder buffer: its waiting observations in event-time
// order, in a circular slice, so that releasing the oldest moves nothing.
// It grows by doubling, never beyond the depth bound it is given, and keeps
// its storage while the vessel is active: a vessel with ReorderDepth 8 holds
// one 448-byte array however long it reports.
type ring struct {
	buf  []entry
	head int // index of the oldest
	n    int
}

func (r *ring) len() int { return r.n }

// at is the i-th oldest entry, 0 <= i < len.
func (r *ring) at(i int) *entry {
	j := r.head + i
	if j >= len(r.buf) {
		j -= len(r.buf)
	}
	return &r.buf[j]
}

// pop removes and returns the oldest entry.
func (r *ring) pop() entry {
	e := r.buf[r.head]
	r.buf[r.head] = entry{}
	r.head++
	if r.head == len(r.buf) {
		r.head = 0
	}
	r.n--
	return e
}

// insert puts e at position i (0 <= i <= len), moving the newer entries up
// one; limit > 0 bounds the capacity a growth may reach (the caller keeps
// len below it).
func (r *ring) insert(i int, e entry, limit int) {
	if r.n == len(r.buf) {
		r.grow(limit)
	}
	r.n++
	for k := r.n - 1; k > i; k-- {
		*r.at(k) = *r.at(k - 1)
	}
	*r.at(i) = e
}

func (r *ring) grow(limit int) {
	c := max(2, 2*len(r.buf))
	if limit > 0 {
		c = max(min(c, limit), r.n+1)
	}
	buf := make([]entry, c)
	for i := range r.n {
		buf[i] = *r.at(i)
	}
	r.buf, r.head = buf, 0
}

// reset empties the ring and, when it is larger than keep entries, drops
// its storage (a burst is over).
func (r *ring) reset(keep int) {
	clear(r.buf)
	r.head, r.n = 0, 0
	if len(r.buf) > keep {
		r.buf = nil
	}
}
