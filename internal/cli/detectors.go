package cli

import (
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lookout-maritime/lookout/internal/coast"
	"github.com/lookout-maritime/lookout/internal/detect"
	"github.com/lookout-maritime/lookout/internal/gazetteer"
)

// detectFlags are the detector options shared by ingest, worker and
// detect: which parameter profile, single parameters over it, and the
// user's own ports and zones.
type detectFlags struct {
	off        bool
	profile    string
	configFile string
	params     []string
	gazetteers []string
	highRisk   []string
}

// add registers the flags on cmd; withOff adds --no-detect (ingest and
// worker run the detectors by default, detect always does).
func (f *detectFlags) add(cmd *cobra.Command, withOff bool) {
	if withOff {
		cmd.Flags().BoolVar(&f.off, "no-detect", false, "do not run the streaming detectors (run 'lookout detect' later)")
	}
	cmd.Flags().StringVar(&f.profile, "profile", "gfw", "detector parameter profile: gfw (Global Fishing Watch definitions) or skylight")
	cmd.Flags().StringVar(&f.configFile, "config", "", "read detector parameters from a file of 'name = value' lines (its 'profile =' line replaces --profile; --param applies on top)")
	cmd.Flags().StringArrayVar(&f.params, "param", nil, "set one detector parameter, e.g. encounter.max_distance_m=250 (repeatable; see 'lookout detect --help')")
	cmd.Flags().StringArrayVar(&f.gazetteers, "gazetteer", nil, "add your own ports, anchorages and zones from a GeoJSON or CSV file (repeatable)")
	cmd.Flags().StringArrayVar(&f.highRisk, "high-risk", nil, "treat this gazetteer port as high-risk (name, alias or UN/LOCODE; repeatable; DPRK ports are by default)")
}

// config is the detector configuration the flags ask for.
func (f *detectFlags) config() (detect.Config, error) {
	cfg, err := detect.Profile(f.profile)
	if err != nil {
		return detect.Config{}, usageError{fmt.Errorf("--profile: %w", err)}
	}
	if f.configFile != "" {
		fh, err := os.Open(f.configFile)
		if err != nil {
			return detect.Config{}, fmt.Errorf("--config: %w", err)
		}
		defer fh.Close()
		if cfg, err = detect.ParseConfig(f.configFile, fh); err != nil {
			return detect.Config{}, fmt.Errorf("--config: %w", err)
		}
	}
	for _, p := range f.params {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return detect.Config{}, usageError{fmt.Errorf("--param %q: want NAME=VALUE", p)}
		}
		if err := cfg.Set(strings.TrimSpace(k), strings.TrimSpace(v)); err != nil {
			return detect.Config{}, usageError{fmt.Errorf("--param %q: %w", p, err)}
		}
	}
	return cfg, nil
}

// places is the embedded gazetteer with the user's files added.
func (f *detectFlags) places() (*gazetteer.Gazetteer, error) {
	g, err := gazetteer.Default()
	if err != nil {
		return nil, err
	}
	for _, path := range f.gazetteers {
		ps, err := gazetteer.LoadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--gazetteer: %w", err)
		}
		if _, err := g.Add(ps...); err != nil {
			return nil, fmt.Errorf("--gazetteer %s: %w", path, err)
		}
	}
	for _, name := range f.highRisk {
		n, err := g.SetHighRisk(name, true)
		if err != nil {
			return nil, usageError{fmt.Errorf("--high-risk %q: %w", name, err)}
		}
		if n == 0 {
			return nil, usageError{fmt.Errorf("--high-risk %q: no such port in the gazetteer", name)}
		}
	}
	return g, nil
}

// setup is what every detector engine of a run needs: the parameters,
// the gazetteer and the embedded coastline.
func (f *detectFlags) setup() (detect.Config, *gazetteer.Gazetteer, *coast.Mask, error) {
	cfg, g, err := f.userSetup()
	if err != nil {
		return detect.Config{}, nil, nil, err
	}
	shore, err := loadShore()
	if err != nil {
		return detect.Config{}, nil, nil, err
	}
	return cfg, g, shore, nil
}

// loadShore loads the embedded coastline (decoded and indexed on first
// use, ~0.1-0.2 s).
func loadShore() (*coast.Mask, error) {
	shore, err := coast.Load()
	if err != nil {
		return nil, fmt.Errorf("coastline: %w", err)
	}
	return shore, nil
}

// userSetup reads what the user gave (parameters, places): what can be
// wrong in a run's set-up.
func (f *detectFlags) userSetup() (detect.Config, *gazetteer.Gazetteer, error) {
	cfg, err := f.config()
	if err != nil {
		return detect.Config{}, nil, err
	}
	g, err := f.places()
	if err != nil {
		return detect.Config{}, nil, err
	}
	// Port visits search around each fix as far as the largest port's
	// radius, or a user's big harbour polygon would never be entered.
	cfg.PortVisit.SearchKm = max(cfg.PortVisit.SearchKm, g.MaxRadiusKm())
	return cfg, g, nil
}

// engine builds the detectors with the gazetteer and the embedded
// coastline. It returns nil with --no-detect.
func (f *detectFlags) engine(logger *slog.Logger) (*detect.Engine, error) {
	if f.off {
		return nil, nil
	}
	build, err := f.builder(logger)
	if err != nil {
		return nil, err
	}
	return build()
}

// builder checks the user's parameters and places now and returns what
// builds the detectors: the embedded coastline's index takes ~0.2 s,
// which ingest.Config.NewObserver spends while the input is read.
func (f *detectFlags) builder(logger *slog.Logger) (func() (*detect.Engine, error), error) {
	cfg, g, err := f.userSetup()
	if err != nil {
		return nil, err
	}
	return func() (*detect.Engine, error) {
		shore, err := loadShore()
		if err != nil {
			return nil, err
		}
		return detect.New(cfg, detect.Deps{Ports: g, Shore: shore, Zones: g.Zones()}, logger)
	}, nil
}

// paramHelp lists the detector parameters for --help.
func paramHelp() string {
	names := detect.ParamNames()
	sort.Strings(names)
	return strings.Join(names, ", ")
}
