// Package cli holds Lookout's subcommands. It is the only package that
// wires concrete sources, stores and outputs together.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X ...cli.Version=v1.2.3".
var Version = "dev"

// errSilent marks an error already reported to the user.
var errSilent = errors.New("cli: already reported")

// Main runs the CLI and returns the process exit code: 0 success, 1 failure,
// 2 usage error.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	root := newRoot(stdin, stdout, stderr)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		var ue usageError
		switch {
		case errors.Is(err, errSilent):
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "lookout: %v\n", err)
			return 2
		default:
			fmt.Fprintf(stderr, "lookout: %v\n", err)
		}
		return 1
	}
	return 0
}

type usageError struct{ error }

func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "lookout",
		Short: "Maritime sanctions monitoring: AIS tracks, sanctions lists, imagery and verifiable dossiers",
		Long: `Lookout ingests AIS vessel positions, sanctions lists and satellite imagery, finds who
called where, who went dark, who met whom at sea and which vessel is sanctioned under which
name, and hands the case over as a dossier anyone can verify offline.`,
		Version:       Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())}
	})
	var cpuprofile string
	var stopProfile func()
	root.PersistentFlags().StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile to this file (for performance work)")
	_ = root.PersistentFlags().MarkHidden("cpuprofile")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if cpuprofile == "" {
			return nil
		}
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
		return nil
	}
	root.PersistentPostRun = func(cmd *cobra.Command, args []string) {
		if stopProfile != nil {
			stopProfile()
		}
	}
	root.AddCommand(newDecodeCmd(), newIngestCmd(), newVesselsCmd(), newVesselCmd(), newTrackCmd(), newNearCmd(),
		newEventsCmd(), newSanctionsCmd(), newScreenCmd(), newCompactCmd(), newCaseCmd(), newDossierCmd(), newVerifyCmd())
	for _, c := range registered {
		root.AddCommand(c())
	}
	return root
}

// registered holds the commands that files of this package add from init
// (register), so that each command lives in its own file.
var registered []func() *cobra.Command

// register adds a command constructor to the root command.
func register(c func() *cobra.Command) { registered = append(registered, c) }
