package imagery

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	_ "image/jpeg" // photo formats for DecodeConfig
	_ "image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/imagery/geotiff"
)

// RegisterConfig sets what Register accepts.
type RegisterConfig struct {
	// Limits bound GeoTIFF headers (geotiff.Limits defaults when zero).
	Limits geotiff.Limits
	// MaxPhotoPixels bounds a JPEG or PNG's declared size (default 400 M).
	MaxPhotoPixels int64
}

// Register reads a scene file: a STAC Item (JSON), a GeoTIFF, or a JPEG or
// PNG photo with a sidecar (see Sidecar). The kind is recognised from the
// content, not the name. The file's SHA-256 is recorded so the scene can be
// kept as evidence; the caller stores the file itself.
//
// A GeoTIFF's acquisition time comes from its sidecar when there is one,
// else from a Sentinel-1 file name (s1a-iw-grd-vv-20231021t211403-...),
// else from the TIFF DateTime tag (noted, since processors often write the
// processing time there).
func Register(path string, cfg RegisterConfig) (*Scene, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	sum, err := readerSHA256(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var head [8]byte
	n, _ := f.ReadAt(head[:], 0)
	var s *Scene
	switch kind := sniff(head[:n]); kind {
	case MediaSTAC:
		if s, err = ParseSTACItem(io.NewSectionReader(f, 0, st.Size()), path); err != nil {
			return nil, err
		}
	case MediaGeoTIFF:
		if s, err = registerGeoTIFF(f, st.Size(), path, cfg); err != nil {
			return nil, err
		}
	case MediaJPEG, MediaPNG:
		if s, err = registerPhoto(f, path, kind, cfg); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%s: %w: not a STAC Item, GeoTIFF, JPEG or PNG (starts %q)", path, ErrFormat, head[:n])
	}
	s.File, s.SHA256, s.Size = path, sum, st.Size()
	if s.ID == "" {
		base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		s.ID = base + "-" + sum[:12]
	}
	return s, nil
}

func sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		return MediaGeoTIFF
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return MediaJPEG
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return MediaPNG
	}
	t := bytes.TrimLeft(b, " \t\r\n\xef\xbb\xbf")
	if len(t) > 0 && t[0] == '{' {
		return MediaSTAC
	}
	return ""
}

// sidecarFor finds FILE.json or FILE-without-extension.json.
func sidecarFor(path string) (string, bool) {
	for _, p := range []string{path + ".json", strings.TrimSuffix(path, filepath.Ext(path)) + ".json"} {
		if p == path {
			continue
		}
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, true
		}
	}
	return "", false
}

func readSidecar(path string, needFootprint bool) (*Sidecar, Footprint, bool, error) {
	p, ok := sidecarFor(path)
	if !ok {
		return nil, nil, false, nil
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, nil, false, err
	}
	defer f.Close()
	sc, fp, err := ParseSidecar(f, p, needFootprint)
	return sc, fp, true, err
}

// sentinel1Name matches the measurement file names of Sentinel-1 SAFE
// products (Sentinel-1 Product Specification, S1-RS-MDA-52-7441 §3.2).
var sentinel1Name = regexp.MustCompile(`(?i)^(s1[abcd])-(iw|ew|sm|wv|s[1-6])[1-5]?-(grd|slc)-(vv|vh|hh|hv)-(\d{8}t\d{6})-`)

func registerGeoTIFF(f *os.File, size int64, path string, cfg RegisterConfig) (*Scene, error) {
	in, err := geotiff.ReadInfo(f, size, cfg.Limits)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sc, sfp, hasSidecar, err := readSidecar(path, false)
	if err != nil {
		return nil, err
	}
	s := &Scene{MediaType: MediaGeoTIFF, Width: in.Width, Height: in.Height}
	switch {
	case in.Geo != nil:
		s.EPSG = in.Geo.EPSG
		gt := in.Geo.GeoTransform
		s.GeoTransform = &gt
		s.Footprint = Footprint{Ring(in.Geo.Footprint(in.Width, in.Height))}
		dx, dy := in.Geo.PixelSizeM(float64(in.Width)/2, float64(in.Height)/2)
		s.ResolutionM = roundTo((dx+dy)/2, 0.01)
		if in.Geo.GCPs > 0 {
			s.Notes = append(s.Notes, fmt.Sprintf("georeferencing fitted to %d ground control points (RMS misfit %.3g in EPSG:%d units)", in.Geo.GCPs, in.Geo.GCPResidual, in.Geo.EPSG))
		}
	case hasSidecar && sfp != nil:
		s.Footprint = sfp
		s.Notes = append(s.Notes, fmt.Sprintf("footprint from the sidecar; the GeoTIFF's own georeferencing is unusable: %v", in.GeoErr))
	default:
		return nil, fmt.Errorf("%s: %w", path, in.GeoErr)
	}
	if m := sentinel1Name.FindStringSubmatch(filepath.Base(path)); m != nil {
		s.Platform = "sentinel-" + strings.ToLower(m[1][1:])
		s.Instrument = "c-sar"
		if t, err := time.Parse("20060102t150405", strings.ToLower(m[5])); err == nil {
			s.Acquired = t.UTC()
		}
	}
	if hasSidecar {
		applySidecar(s, sc)
	}
	if s.Acquired.IsZero() && !in.DateTime.IsZero() {
		s.Acquired = in.DateTime
		s.Notes = append(s.Notes, "acquisition time from the TIFF DateTime tag")
	}
	if s.Acquired.IsZero() {
		return nil, fmt.Errorf("%s: %w: give it in a sidecar %s.json ({\"acquired\": \"2023-10-21T21:14:03Z\"})", path, ErrNoTime, path)
	}
	return s, nil
}

func applySidecar(s *Scene, sc *Sidecar) {
	if sc.ID != "" {
		s.ID = sc.ID
	}
	if !sc.Acquired.IsZero() {
		s.Acquired = sc.Acquired
	}
	if sc.Source != "" {
		s.Source = sc.Source
	}
	if sc.Platform != "" {
		s.Platform = sc.Platform
	}
	if sc.Instrument != "" {
		s.Instrument = sc.Instrument
	}
	if sc.ResolutionM > 0 {
		s.ResolutionM = sc.ResolutionM
	}
}

func registerPhoto(f *os.File, path, kind string, cfg RegisterConfig) (*Scene, error) {
	if cfg.MaxPhotoPixels <= 0 {
		cfg.MaxPhotoPixels = 400_000_000
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	ic, _, err := image.DecodeConfig(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", path, ErrFormat, err)
	}
	if ic.Width <= 0 || ic.Height <= 0 || int64(ic.Width)*int64(ic.Height) > cfg.MaxPhotoPixels {
		return nil, fmt.Errorf("%s: %w: %d×%d pixels", path, ErrTooLarge, ic.Width, ic.Height)
	}
	sc, fp, ok, err := readSidecar(path, true)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%s: %w: a photo needs a sidecar %s.json with acquired, footprint or bounds, source, resolution_m", path, ErrFormat, path)
	}
	s := &Scene{MediaType: kind, Width: ic.Width, Height: ic.Height, Footprint: fp}
	applySidecar(s, sc)
	return s, nil
}

// roundTo rounds v to a multiple of step (a power of ten below one:
// dividing by its inverse keeps 34.8 from printing as 34.800000000000004).
func roundTo(v, step float64) float64 { return math.Round(v/step) / math.Round(1/step) }

func readerSHA256(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return readerSHA256(f)
}
