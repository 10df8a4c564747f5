package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-maritime/lookout/internal/ais"
	"github.com/lookout-maritime/lookout/internal/ais/gpsdjson"
	"github.com/lookout-maritime/lookout/internal/source"
)

type decodeOpts struct {
	json        bool
	unscaled    bool
	meta        bool
	stats       bool
	statsFormat string
	quiet       bool
	fragAge     int
	noChecksum  bool
}

func newDecodeCmd() *cobra.Command {
	var o decodeOpts
	cmd := &cobra.Command{
		Use:   "decode [flags] [FILE...]",
		Short: "Decode AIS NMEA sentences (AIVDM/AIVDO) into messages",
		Long: `Decode reads NMEA 0183 AIS sentences from files (.gz decompressed by extension) or
standard input ("-" or no file), reassembles multi-part messages and prints one line per
decoded message.

With --json each message is a JSON object using gpsd's AIS field names and value
conventions (as gpsdecode -s prints them: scaled to degrees and knots, type 24 halves
reported separately), so Lookout drops into tooling built around gpsd. --unscaled gives
gpsd's lossless raw integers instead.

Lines may carry NMEA 4.10 tag blocks (\s:station,c:unixtime*hh\), a leading Unix or ISO
receive time, or a trailing ",<unixtime>". Rejected lines are reported on standard error
with file, line number and reason; they never stop the run. Blank lines and '#' comments
are skipped; other NMEA sentences (GPS fixes in a mixed feed) are counted as not_ais in
--stats without a line each.`,
		Example: `  lookout decode testdata/sample.nmea
  lookout decode --json --stats feed-2023-11-01.nmea.gz > messages.jsonl
  nc ais.example.org 5631 | lookout decode --json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"-"}
			}
			if o.statsFormat != "text" && o.statsFormat != "json" {
				return usageError{fmt.Errorf("--stats-format must be text or json, not %q", o.statsFormat)}
			}
			return runDecode(cmd, args, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.json, "json", false, "print gpsd-compatible JSON, one object per line")
	f.BoolVar(&o.unscaled, "unscaled", false, "with --json: raw on-air integers (gpsd's -u form)")
	f.BoolVar(&o.meta, "meta", false, `with --json: add "rxtime", "source", "channel" and "talker" from the input`)
	f.BoolVar(&o.stats, "stats", false, "print counts by message type and reject reason to standard error at the end")
	f.StringVar(&o.statsFormat, "stats-format", "text", "format of --stats: text or json")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "do not report each rejected line (they are still counted)")
	f.IntVar(&o.fragAge, "fragment-age", 64, "lines a multi-part message may wait for its next part")
	f.BoolVar(&o.noChecksum, "allow-missing-checksum", false, "accept sentences without a *hh checksum")
	return cmd
}

func runDecode(cmd *cobra.Command, files []string, o decodeOpts) error {
	stdout := bufio.NewWriterSize(cmd.OutOrStdout(), 256<<10)
	stderr := cmd.ErrOrStderr()
	dec := ais.NewDecoder(ais.Config{MaxFragmentAge: o.fragAge, AllowMissingChecksum: o.noChecksum})
	jopt := gpsdjson.Options{Scaled: !o.unscaled}
	var out []byte
	var failed error
	for _, path := range files {
		name := path
		if path == "-" {
			name = "stdin"
		}
		jopt.Device = name
		r, err := source.Open(path, cmd.InOrStdin())
		if err != nil {
			fmt.Fprintf(stderr, "lookout: %v\n", err)
			failed = errSilent
			continue
		}
		br := bufio.NewReaderSize(r, 1<<20)
		lineNo := 0
		for {
			if err := cmd.Context().Err(); err != nil {
				r.Close()
				stdout.Flush()
				return err
			}
			line, rerr := br.ReadSlice('\n')
			if rerr == bufio.ErrBufferFull {
				// An absurdly long line: report it and skip to its end.
				lineNo++
				for rerr == bufio.ErrBufferFull {
					_, rerr = br.ReadSlice('\n')
				}
				if !o.quiet {
					fmt.Fprintf(stderr, "%s:%d: %v: line longer than 1 MiB\n", name, lineNo, ais.ErrFormat)
				}
				continue
			}
			if len(line) > 0 {
				lineNo++
				// Blank lines and '#' comments (as in gpsd's logs) are not data.
				if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
					rep, ok, err := dec.Decode(line)
					switch {
					case err != nil:
						// Other NMEA sentences (GPS fixes in a mixed feed) are
						// counted in --stats but are not errors worth a line.
						if !o.quiet && !errors.Is(err, ais.ErrNotAIS) {
							fmt.Fprintf(stderr, "%s:%d: %v\n", name, lineNo, err)
						}
					case ok:
						out = out[:0]
						if o.json {
							out = gpsdjson.Append(out, rep.Message, jopt)
							if o.meta {
								out = appendMeta(out, &rep)
							}
						} else {
							out = appendSummary(out, &rep)
						}
						out = append(out, '\n')
						if _, err := stdout.Write(out); err != nil {
							r.Close()
							return fmt.Errorf("decode: writing output: %w", err)
						}
					}
				}
			}
			if rerr != nil {
				if !errors.Is(rerr, io.EOF) {
					fmt.Fprintf(stderr, "lookout: %s: read error after line %d: %v\n", name, lineNo, rerr)
					failed = errSilent
				}
				break
			}
		}
		r.Close()
	}
	if err := stdout.Flush(); err != nil {
		return fmt.Errorf("decode: writing output: %w", err)
	}
	if o.stats {
		if err := writeDecodeStats(stderr, dec, o.statsFormat); err != nil {
			return err
		}
	}
	return failed
}

// appendMeta adds Lookout's receive metadata to a gpsd JSON object.
func appendMeta(b []byte, r *ais.Report) []byte {
	b = b[:len(b)-1] // drop '}'
	if !r.Received.IsZero() {
		b = append(b, `,"rxtime":"`...)
		b = r.Received.AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	if r.Source != "" {
		b = append(b, `,"source":`...)
		b = strconv.AppendQuote(b, r.Source)
	}
	if r.Channel != 0 {
		b = append(b, `,"channel":"`...)
		b = append(b, r.Channel, '"')
	}
	b = append(b, `,"talker":"`...)
	b = append(b, r.Talker[0], r.Talker[1], '"')
	return append(b, '}')
}

type statsJSON struct {
	Lines     int            `json:"lines"`
	Messages  int            `json:"messages"`
	Fragments int            `json:"fragment_lines"`
	Rejected  int            `json:"rejected"`
	Dropped   int            `json:"dropped_partials"`
	Pending   int            `json:"pending_partials"`
	ByType    map[string]int `json:"by_type"`
	ByReason  map[string]int `json:"by_reason"`
}

func writeDecodeStats(w io.Writer, dec *ais.Decoder, format string) error {
	st := dec.Stats()
	s := statsJSON{Lines: st.Lines, Messages: st.Messages, Fragments: st.Fragments,
		Dropped: st.Dropped, Pending: dec.Pending(), ByType: map[string]int{}, ByReason: map[string]int{}}
	for t, n := range st.ByType {
		if n > 0 {
			s.ByType[strconv.Itoa(t)] = n
		}
	}
	for r, n := range st.Rejected {
		s.ByReason[ais.Code(r)] = n
		s.Rejected += n
	}
	if format == "json" {
		b, err := json.Marshal(s)
		if err != nil {
			return fmt.Errorf("decode: stats: %w", err)
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	fmt.Fprintf(w, "lines %d, messages %d, rejected %d, fragment lines %d, dropped partial messages %d, still pending %d\n",
		s.Lines, s.Messages, s.Rejected, s.Fragments, s.Dropped, s.Pending)
	fmt.Fprintf(w, "by type:")
	for t, n := range st.ByType {
		if n > 0 {
			fmt.Fprintf(w, " %d:%d", t, n)
		}
	}
	fmt.Fprintln(w)
	if len(s.ByReason) > 0 {
		reasons := make([]string, 0, len(s.ByReason))
		for r := range s.ByReason {
			reasons = append(reasons, r)
		}
		sort.Strings(reasons)
		fmt.Fprintf(w, "rejected by reason:")
		for _, r := range reasons {
			fmt.Fprintf(w, " %s:%d", r, s.ByReason[r])
		}
		fmt.Fprintln(w)
	}
	return nil
}
