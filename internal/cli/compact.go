package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

// compacter is a store that can rewrite its positions for fast reads.
type compacter interface {
	Compact(ctx context.Context) error
}

func newCompactCmd() *cobra.Command {
	var storeFlag string
	cmd := &cobra.Command{
		Use:   "compact",
		Short: "Rewrite the store's positions in vessel order, so track queries stay fast",
		Long: `Each ingest appends its positions in batches; after many ingests a vessel's track is spread
over many parts of the file. Compact rewrites the positions ordered by vessel and time (one
transaction: an interruption leaves the store as it was; it needs room for a second copy).
Run it after large or many ingests — 'lookout ingest' suggests it when a run stored many
batches.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := openWrite(cmd, storeFlag)
			if err != nil {
				return err
			}
			defer st.Close()
			c, ok := st.(compacter)
			if !ok {
				fmt.Fprintln(cmd.OutOrStdout(), "this store keeps itself ordered; nothing to do")
				return nil
			}
			start := time.Now()
			if err := c.Compact(cmd.Context()); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "compacted in %s\n", time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	addStoreFlag(cmd, &storeFlag)
	return cmd
}
