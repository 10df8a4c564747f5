package ingest

// fault is the error that stopped a goroutine (the writer, the
// observer's): set there once, read from others without waiting.
type fault struct {
	set chan struct{} // closed once err is set
	err error
}

func newFault() fault { return fault{set: make(chan struct{})} }

// fail records err; only the first call counts. Only the goroutine
// that owns the fault calls it.
func (f *fault) fail(err error) {
	select {
	case <-f.set:
	default:
		f.err = err
		close(f.set)
	}
}

// get returns the error, nil while there is none.
func (f *fault) get() error {
	select {
	case <-f.set:
		return f.err
	default:
		return nil
	}
}
