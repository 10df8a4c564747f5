package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lookout-maritime/lookout/internal/sanctions"
	"github.com/lookout-maritime/lookout/internal/sanctions/fetch"
	"github.com/lookout-maritime/lookout/internal/store"
)

func newSanctionsUpdateCmd() *cobra.Command {
	var storeFlag string
	var feedFlags []string
	var force bool
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Download the current sanctions lists from their publication URLs",
		Long: `Update downloads each list from its official publication URL, asking only for a version newer
than the stored one (ETag / Last-Modified), checks the download (complete, parses as the
expected list, has not shrunk to less than half of the stored version) and stores a new
version when the content changed. --feed SOURCE=URL replaces the default feeds (repeat it);
a URL may end with #sha256=HEX to pin the expected content.`,
		Example: `  lookout sanctions update
  lookout sanctions update --feed OFAC-SDN=https://mirror.example/sdn.xml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			feeds := fetch.DefaultFeeds
			if len(feedFlags) > 0 {
				var err error
				if feeds, err = parseFeeds(feedFlags); err != nil {
					return usageError{err}
				}
			}
			st, err := openWrite(cmd, storeFlag)
			if err != nil {
				return err
			}
			defer st.Close()
			cfg := fetch.Config{}
			if force {
				cfg.MinKeep = -1
			}
			return updateLists(cmd.Context(), st, fetch.New(cfg), feeds, cmd.OutOrStdout())
		},
	}
	addStoreFlag(cmd, &storeFlag)
	cmd.Flags().StringArrayVar(&feedFlags, "feed", nil, "SOURCE=URL[#sha256=HEX] to fetch instead of the defaults (OFAC-SDN, UN-SC, EU-FSF, UK-SL, OpenSanctions)")
	cmd.Flags().BoolVar(&force, "force", false, "store a list even when it has far fewer entities than the stored version")
	return cmd
}

func parseFeeds(flags []string) ([]fetch.Feed, error) {
	var feeds []fetch.Feed
	for _, f := range flags {
		src, url, ok := strings.Cut(f, "=")
		if !ok || url == "" {
			return nil, fmt.Errorf("--feed %q: want SOURCE=URL", f)
		}
		feed := fetch.Feed{Source: sanctions.Source(src), URL: url}
		switch feed.Source {
		case sanctions.SourceOFAC, sanctions.SourceUN, sanctions.SourceEU, sanctions.SourceUK, sanctions.SourceOpenSanctions:
		default:
			return nil, fmt.Errorf("--feed %q: unknown source %q", f, src)
		}
		if u, pin, ok := strings.Cut(url, "#sha256="); ok {
			feed.URL, feed.SHA256 = u, pin
		}
		feeds = append(feeds, feed)
	}
	return feeds, nil
}

// updateLists fetches each feed and stores what changed. A feed that fails
// is reported and the others still run; the error says how many failed.
// `lookout serve` calls it on a schedule.
func updateLists(ctx context.Context, st listStore, f *fetch.Fetcher, feeds []fetch.Feed, out io.Writer) error {
	vs, err := st.ListVersions(ctx)
	if err != nil {
		return err
	}
	var failed []string
	for _, feed := range feeds {
		prev := fetch.Previous{}
		for _, v := range vs { // newest first
			if v.Source == string(feed.Source) {
				prev.Entities = v.Entities
				if v.URL == feed.URL {
					prev.ETag, prev.LastModified = v.ETag, v.LastModified
				}
				break
			}
		}
		res, err := f.Fetch(ctx, feed, prev)
		if err != nil {
			fmt.Fprintf(out, "%s: FAILED: %v\n", feed.Source, err)
			failed = append(failed, string(feed.Source))
			continue
		}
		if res.NotModified {
			fmt.Fprintf(out, "%s: not modified since the stored version\n", feed.Source)
			continue
		}
		v, added, err := storeVersion(ctx, st, res)
		if err != nil {
			return err
		}
		if added {
			fmt.Fprintf(out, "%s: new version %d — %d entities, %d vessels, %d bytes from %s\n", feed.Source, v.ID, v.Entities, v.Vessels, res.Bytes, feed.URL)
		} else {
			fmt.Fprintf(out, "%s: content unchanged (version %d)\n", feed.Source, v.ID)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("sanctions update: %d of %d feeds failed (%s)", len(failed), len(feeds), strings.Join(failed, ", "))
	}
	return nil
}

func storeVersion(ctx context.Context, st listStore, res fetch.Result) (store.ListVersion, bool, error) {
	v, added, err := storeListWith(ctx, st, res.List, func(v *store.ListVersion) {
		v.URL, v.ETag, v.LastModified = res.Feed.URL, res.ETag, res.LastMod
	})
	if err != nil && errors.Is(err, store.ErrInvalid) {
		return v, added, fmt.Errorf("%s: %w", res.Feed.URL, err)
	}
	return v, added, err
}
