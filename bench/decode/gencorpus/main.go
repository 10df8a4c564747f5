// Command gencorpus writes the decode benchmark's NMEA corpus:
//
//	go run ./bench/decode/gencorpus -n 1000000 -seed 1 -o corpus.nmea
//
// The same flags always produce the same file. A summary of what a correct
// decoder should find goes to stderr.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/lookout-maritime/lookout/bench/decode/corpus"
)

func main() {
	n := flag.Int("n", 1_000_000, "number of lines")
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("o", "-", "output file, - for stdout")
	flag.Parse()
	if err := run(*n, *seed, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
}

func run(n int, seed uint64, out string) (err error) {
	var w io.Writer = os.Stdout
	if out != "-" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer func() {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}()
		w = f
	}
	st, err := corpus.Generate(w, corpus.Config{Lines: n, Seed: seed})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d lines, %d bytes, %d messages (%d lines in multi-part messages), %d tagged lines, %d corrupt lines\n",
		st.Lines, st.Bytes, st.Messages, st.MultiLine, st.Tagged, st.CorruptLines())
	fmt.Fprint(os.Stderr, "by type:")
	for t, c := range st.ByType {
		if c > 0 {
			fmt.Fprintf(os.Stderr, " %d:%d", t, c)
		}
	}
	fmt.Fprint(os.Stderr, "\ncorrupt:")
	for c, k := range st.Corrupt {
		fmt.Fprintf(os.Stderr, " %s:%d", corpus.Corruption(c), k)
	}
	fmt.Fprintln(os.Stderr)
	return nil
}
