package cli

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
)

// progress shows a bar on a terminal (bytes read with rate and ETA when the
// input size is known, messages otherwise) and nothing when standard error
// is a file or a pipe, so logs and scripts stay clean.
type progress struct {
	mu    sync.Mutex
	bar   *progressbar.ProgressBar
	bytes bool
}

// newProgress returns a progress for total bytes (-1: unknown, count
// messages instead). It is a no-op unless w is a terminal or force is set.
func newProgress(w io.Writer, total int64, desc string, force bool) *progress {
	f, isFile := w.(*os.File)
	if !force && (!isFile || !isatty.IsTerminal(f.Fd())) {
		return &progress{}
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(200 * time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetPredictTime(true),
	}
	p := &progress{bytes: total > 0}
	if p.bytes {
		opts = append(opts, progressbar.OptionShowBytes(true))
		p.bar = progressbar.NewOptions64(total, opts...)
	} else {
		opts = append(opts, progressbar.OptionShowIts(), progressbar.OptionSetItsString("msg"))
		p.bar = progressbar.NewOptions64(-1, opts...)
	}
	return p
}

// update sets the bar to bytes read (or messages when the size is unknown).
func (p *progress) Update(bytes, msgs int64) {
	if p.bar == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bytes {
		_ = p.bar.Set64(bytes)
	} else {
		_ = p.bar.Set64(msgs)
	}
}

func (p *progress) Finish() {
	if p.bar == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.bar.Finish()
}

// newCountProgress is a bar over a known count of items (positions,
// vessels), shown only on a terminal.
func newCountProgress(w io.Writer, total int64, desc, unit string) *progressbar.ProgressBar {
	f, isFile := w.(*os.File)
	if total <= 0 || !isFile || !isatty.IsTerminal(f.Fd()) {
		return nil
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString(unit),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetPredictTime(true))
}

// newProgressFunc adapts newCountProgress for loops that report a running
// total: the returned function takes the total and gives an update
// function, which finishes the bar when called with -1.
func newProgressFunc(cmd *cobra.Command, quiet bool) func(total int64) func(done int64) {
	return func(total int64) func(int64) {
		var bar *progressbar.ProgressBar
		if !quiet {
			bar = newCountProgress(cmd.ErrOrStderr(), total, cmd.Name(), "pos")
		}
		return func(done int64) {
			if bar == nil {
				return
			}
			if done < 0 {
				_ = bar.Finish()
				return
			}
			_ = bar.Set64(done)
		}
	}
}
