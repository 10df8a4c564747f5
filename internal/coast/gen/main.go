// Command gen builds internal/coast/land10m.lkc, the asset coast.Load embeds,
// from the Natural Earth 1:10m land GeoJSON, so the embedded file is
// reproducible:
//
//	go run ./internal/coast/gen -in ../shared/data/geo/natural-earth/land-10m.geojson -out internal/coast/land10m.lkc
//
// With -clip minLon,minLat,maxLon,maxLat it instead writes the polygons
// clipped to that box as GeoJSON (how internal/coast/testdata/region.geojson
// was made).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/geojson"

	"github.com/lookout-maritime/lookout/internal/coast"
)

func main() {
	in := flag.String("in", "../shared/data/geo/natural-earth/land-10m.geojson", "land polygons (GeoJSON)")
	out := flag.String("out", "internal/coast/land10m.lkc", "asset to write")
	source := flag.String("source", "Natural Earth 1:10m land v4.1.0 (npm world-atlas 2.0.2), public domain", "source recorded in the header")
	step := flag.Int("field-step", 4, "distance-field nodes per degree")
	clipBox := flag.String("clip", "", "minLon,minLat,maxLon,maxLat: write the clipped GeoJSON instead of an asset")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*in, *out, *source, *step, *clipBox); err != nil {
		log.Error("coast gen failed", "err", err)
		os.Exit(1)
	}
	log.Info("wrote", "file", *out)
}

func run(in, out, source string, step int, clipBox string) error {
	b, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	if clipBox != "" {
		return writeClip(b, out, clipBox)
	}
	asset, err := coast.BuildAsset(bytes.NewReader(b), coast.BuildConfig{Source: source, FieldStep: step})
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	return os.WriteFile(out, asset, 0o644)
}

func writeClip(b []byte, out, box string) error {
	parts := strings.Split(box, ",")
	if len(parts) != 4 {
		return fmt.Errorf("-clip wants minLon,minLat,maxLon,maxLat, got %q", box)
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return fmt.Errorf("-clip value %d: %w", i+1, err)
		}
		v[i] = f
	}
	bound := orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return err
	}
	res := geojson.NewFeatureCollection()
	for _, f := range fc.Features {
		g := clip.Geometry(bound, f.Geometry)
		if g == nil {
			continue
		}
		nf := geojson.NewFeature(orb.Round(g, 1e6))
		res.Append(nf)
	}
	j, err := res.MarshalJSON()
	if err != nil {
		return err
	}
	return os.WriteFile(out, j, 0o644)
}
