package geotiff

import (
	"fmt"
	"math"

	"github.com/lookout-maritime/lookout/internal/imagery/proj"
)

// GeoKey IDs (OGC GeoTIFF 1.1, §7).
const (
	keyModelType      = 1024
	keyRasterType     = 1025
	keyGeographicType = 2048
	keyGeodeticDatum  = 2050
	keyAngularUnits   = 2054
	keyProjectedCS    = 3072
	keyProjection     = 3074
	keyLinearUnits    = 3076
	userDefined       = 32767
)

// GeoKeys are the GeoKeyDirectory's keys: integer values, and double or
// ASCII values resolved from their parameter tags.
type GeoKeys struct {
	Short  map[uint16]uint16
	Double map[uint16][]float64
	ASCII  map[uint16]string
}

// ParseGeoKeys decodes a GeoKeyDirectory (the SHORT values of tag 34735)
// against the GeoDoubleParams and GeoASCIIParams tags' values. Every index
// is checked; a bad directory is an error, never a panic.
func ParseGeoKeys(dir []uint64, doubles []float64, ascii string) (*GeoKeys, error) {
	if len(dir) < 4 {
		return nil, fmt.Errorf("%w: GeoKeyDirectory of %d values, want at least 4", ErrFormat, len(dir))
	}
	if dir[0] != 1 {
		return nil, fmt.Errorf("%w: GeoKeyDirectory version %d, want 1", ErrUnsupported, dir[0])
	}
	n := int(dir[3])
	if 4+4*n > len(dir) {
		return nil, fmt.Errorf("%w: GeoKeyDirectory declares %d keys but holds %d", ErrFormat, n, (len(dir)-4)/4)
	}
	k := &GeoKeys{Short: map[uint16]uint16{}, Double: map[uint16][]float64{}, ASCII: map[uint16]string{}}
	for i := 0; i < n; i++ {
		e := dir[4+4*i : 8+4*i]
		id, loc, count, val := uint16(e[0]), e[1], e[2], e[3]
		switch loc {
		case 0:
			k.Short[id] = uint16(val)
		case TagGeoDoubleParams:
			if val+count > uint64(len(doubles)) {
				return nil, fmt.Errorf("%w: GeoKey %d refers to doubles [%d,%d) of %d", ErrFormat, id, val, val+count, len(doubles))
			}
			k.Double[id] = doubles[val : val+count]
		case TagGeoASCIIParams:
			if val+count > uint64(len(ascii)) {
				return nil, fmt.Errorf("%w: GeoKey %d refers to ASCII [%d,%d) of %d", ErrFormat, id, val, val+count, len(ascii))
			}
			s := ascii[val : val+count]
			for len(s) > 0 && (s[len(s)-1] == '|' || s[len(s)-1] == 0) {
				s = s[:len(s)-1]
			}
			k.ASCII[id] = s
		case TagGeoKeyDirectory:
			if val+count > uint64(len(dir)) {
				return nil, fmt.Errorf("%w: GeoKey %d refers to directory values [%d,%d) of %d", ErrFormat, id, val, val+count, len(dir))
			}
			if count > 0 {
				k.Short[id] = uint16(dir[val])
			}
		default:
			// A key stored in another tag: legal but not one we need.
		}
	}
	return k, nil
}

// EPSG works out the model coordinate reference system's EPSG code.
func (k *GeoKeys) EPSG() (int, error) {
	switch mt := k.Short[keyModelType]; mt {
	case 2: // geographic
		g := k.Short[keyGeographicType]
		if g == 4326 || (g == userDefined || g == 0) && k.Short[keyGeodeticDatum] == 6326 {
			if u, ok := k.Short[keyAngularUnits]; ok && u != 9102 {
				return 0, fmt.Errorf("%w: angular unit %d (only degrees, 9102)", ErrUnsupported, u)
			}
			return 4326, nil
		}
		return 0, fmt.Errorf("%w: geographic CRS %d (only WGS84, EPSG:4326)", ErrUnsupported, g)
	case 1: // projected
		if u, ok := k.Short[keyLinearUnits]; ok && u != 9001 {
			return 0, fmt.Errorf("%w: linear unit %d (only metres, 9001)", ErrUnsupported, u)
		}
		p := int(k.Short[keyProjectedCS])
		if p == userDefined || p == 0 {
			// WGS84 UTM given as a projection code: 16001–16060 north,
			// 16101–16160 south (EPSG "UTM zone" conversions).
			g := k.Short[keyGeographicType]
			wgs := g == 4326 || k.Short[keyGeodeticDatum] == 6326
			switch c := int(k.Short[keyProjection]); {
			case wgs && c >= 16001 && c <= 16060:
				return 32600 + c - 16000, nil
			case wgs && c >= 16101 && c <= 16160:
				return 32700 + c - 16100, nil
			}
			return 0, fmt.Errorf("%w: user-defined projected CRS (projection %d, geographic %d)", ErrUnsupported, k.Short[keyProjection], g)
		}
		if _, err := proj.ForEPSG(p); err != nil {
			return 0, fmt.Errorf("%w: %w", ErrUnsupported, err)
		}
		return p, nil
	case 0:
		return 0, fmt.Errorf("%w: GeoKeyDirectory without a model type (GeoKey 1024)", ErrNoGeoreference)
	default:
		return 0, fmt.Errorf("%w: model type %d (only projected 1 and geographic 2)", ErrUnsupported, mt)
	}
}

// Georef places pixels on the earth.
type Georef struct {
	EPSG int
	Proj proj.Projection
	// GeoTransform maps raster coordinates, whose integers are pixel
	// corners (the centre of pixel (c, r) is at (c+0.5, r+0.5)), to model
	// coordinates, in GDAL's order:
	//   x = GT[0] + col·GT[1] + row·GT[2]
	//   y = GT[3] + col·GT[4] + row·GT[5]
	GeoTransform [6]float64
	// PixelIsPoint records the GeoTIFF raster type; GeoTransform is
	// already shifted to corners.
	PixelIsPoint bool
	// GCPs is the number of ground control points the transform was
	// fitted to (0 when the file gave a transform), GCPResidual their RMS
	// misfit in model units.
	GCPs        int
	GCPResidual float64
}

// PixelToModel maps raster coordinates to model coordinates.
func (g *Georef) PixelToModel(col, row float64) (x, y float64) {
	t := &g.GeoTransform
	return t[0] + col*t[1] + row*t[2], t[3] + col*t[4] + row*t[5]
}

// ModelToPixel inverts PixelToModel.
func (g *Georef) ModelToPixel(x, y float64) (col, row float64) {
	t := &g.GeoTransform
	det := t[1]*t[5] - t[2]*t[4]
	dx, dy := x-t[0], y-t[3]
	return (dx*t[5] - dy*t[2]) / det, (dy*t[1] - dx*t[4]) / det
}

// LonLat maps raster coordinates to WGS84 longitude and latitude.
func (g *Georef) LonLat(col, row float64) (lon, lat float64) {
	return g.Proj.ToLonLat(g.PixelToModel(col, row))
}

// Pixel maps WGS84 longitude and latitude to raster coordinates.
func (g *Georef) Pixel(lon, lat float64) (col, row float64) {
	return g.ModelToPixel(g.Proj.FromLonLat(lon, lat))
}

// Footprint is the outline of a width×height raster as a closed ring of
// [lon, lat] pairs, counter-clockwise, with points along each edge so that
// a projected grid's curved edges are followed.
func (g *Georef) Footprint(width, height int) [][2]float64 {
	const perEdge = 4
	w, h := float64(width), float64(height)
	corners := [][2]float64{{0, h}, {w, h}, {w, 0}, {0, 0}} // counter-clockwise on a north-up map
	var ring [][2]float64
	for i := range corners {
		a, b := corners[i], corners[(i+1)%4]
		for s := 0; s < perEdge; s++ {
			f := float64(s) / perEdge
			lon, lat := g.LonLat(a[0]+f*(b[0]-a[0]), a[1]+f*(b[1]-a[1]))
			ring = append(ring, [2]float64{lon, lat})
		}
	}
	ring = append(ring, ring[0])
	if signedArea(ring) < 0 { // a south-up or mirrored transform
		for i, j := 0, len(ring)-1; i < j; i, j = i+1, j-1 {
			ring[i], ring[j] = ring[j], ring[i]
		}
	}
	return ring
}

func signedArea(r [][2]float64) float64 {
	var a float64
	for i := 0; i+1 < len(r); i++ {
		a += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return a / 2
}

// PixelSizeM is the ground size of a pixel (column, row direction) in
// metres near raster position (col, row).
func (g *Georef) PixelSizeM(col, row float64) (dx, dy float64) {
	lon0, lat0 := g.LonLat(col, row)
	lon1, lat1 := g.LonLat(col+1, row)
	lon2, lat2 := g.LonLat(col, row+1)
	return distM(lat0, lon0, lat1, lon1), distM(lat0, lon0, lat2, lon2)
}

func distM(lat1, lon1, lat2, lon2 float64) float64 {
	const r, rad = 6371008.8, math.Pi / 180
	s1 := math.Sin((lat2 - lat1) * rad / 2)
	s2 := math.Sin((lon2 - lon1) * rad / 2)
	a := s1*s1 + math.Cos(lat1*rad)*math.Cos(lat2*rad)*s2*s2
	return 2 * r * math.Asin(math.Sqrt(math.Min(a, 1)))
}

// georef builds the Georef from the IFD's tags.
func (d *IFD) georef() (*Georef, error) {
	hasTie, hasScale, hasMT := d.Has(TagModelTiepoint), d.Has(TagModelPixelScale), d.Has(TagModelTransformation)
	if !hasTie && !hasMT {
		return nil, fmt.Errorf("%w: neither ModelTiepoint (33922) nor ModelTransformation (34264) tag", ErrNoGeoreference)
	}
	if !d.Has(TagGeoKeyDirectory) {
		return nil, fmt.Errorf("%w: no GeoKeyDirectory (34735): the coordinate system is unknown", ErrNoGeoreference)
	}
	dir, err := d.Uints(TagGeoKeyDirectory)
	if err != nil {
		return nil, err
	}
	var doubles []float64
	if d.Has(TagGeoDoubleParams) {
		if doubles, err = d.Floats(TagGeoDoubleParams); err != nil {
			return nil, err
		}
	}
	ascii, _ := d.ASCII(TagGeoASCIIParams)
	keys, err := ParseGeoKeys(dir, doubles, ascii)
	if err != nil {
		return nil, err
	}
	code, err := keys.EPSG()
	if err != nil {
		return nil, err
	}
	p, err := proj.ForEPSG(code)
	if err != nil {
		return nil, fmt.Errorf("geotiff: %w", err)
	}
	g := &Georef{EPSG: code, Proj: p, PixelIsPoint: keys.Short[keyRasterType] == 2}
	switch {
	case hasMT:
		m, err := d.Floats(TagModelTransformation)
		if err != nil {
			return nil, err
		}
		if len(m) != 16 {
			return nil, fmt.Errorf("%w: ModelTransformation has %d values, want 16", ErrFormat, len(m))
		}
		g.GeoTransform = [6]float64{m[3], m[0], m[1], m[7], m[4], m[5]}
	case hasScale:
		t, err := d.Floats(TagModelTiepoint)
		if err != nil {
			return nil, err
		}
		s, err := d.Floats(TagModelPixelScale)
		if err != nil {
			return nil, err
		}
		if len(t) < 6 || len(s) < 2 {
			return nil, fmt.Errorf("%w: ModelTiepoint of %d and ModelPixelScale of %d values", ErrFormat, len(t), len(s))
		}
		g.GeoTransform = [6]float64{t[3] - t[0]*s[0], s[0], 0, t[4] + t[1]*s[1], 0, -s[1]}
	default:
		t, err := d.Floats(TagModelTiepoint)
		if err != nil {
			return nil, err
		}
		if err := g.fitGCPs(t); err != nil {
			return nil, err
		}
	}
	for _, v := range g.GeoTransform {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: transform %v is not finite", ErrFormat, g.GeoTransform)
		}
	}
	if det := g.GeoTransform[1]*g.GeoTransform[5] - g.GeoTransform[2]*g.GeoTransform[4]; det == 0 || math.IsNaN(det) {
		return nil, fmt.Errorf("%w: transform %v is singular", ErrFormat, g.GeoTransform)
	}
	if g.PixelIsPoint {
		// Raster (0,0) named the centre of the first pixel; move the
		// origin to its corner as GDAL does.
		x, y := g.PixelToModel(-0.5, -0.5)
		g.GeoTransform[0], g.GeoTransform[3] = x, y
	}
	return g, nil
}

// fitGCPs fits an affine transform to ground control points (I, J, K, X,
// Y, Z sextuples, as Sentinel-1 GRD GeoTIFFs carry) by least squares.
func (g *Georef) fitGCPs(t []float64) error {
	if len(t)%6 != 0 || len(t) < 18 {
		return fmt.Errorf("%w: %d tie point values without a pixel scale: need at least 3 ground control points", ErrNoGeoreference, len(t))
	}
	n := len(t) / 6
	// Normal equations for [1 col row]·[a b c] = x (and y).
	var m [3][3]float64
	var bx, by [3]float64
	for i := 0; i < n; i++ {
		v := [3]float64{1, t[6*i], t[6*i+1]}
		for r := 0; r < 3; r++ {
			for c := 0; c < 3; c++ {
				m[r][c] += v[r] * v[c]
			}
			bx[r] += v[r] * t[6*i+3]
			by[r] += v[r] * t[6*i+4]
		}
	}
	ax, okx := solve3(m, bx)
	ay, oky := solve3(m, by)
	if !okx || !oky {
		return fmt.Errorf("%w: the %d ground control points are collinear", ErrNoGeoreference, n)
	}
	g.GeoTransform = [6]float64{ax[0], ax[1], ax[2], ay[0], ay[1], ay[2]}
	var ss float64
	for i := 0; i < n; i++ {
		x, y := g.PixelToModel(t[6*i], t[6*i+1])
		ss += (x-t[6*i+3])*(x-t[6*i+3]) + (y-t[6*i+4])*(y-t[6*i+4])
	}
	g.GCPs, g.GCPResidual = n, math.Sqrt(ss/float64(n))
	return nil
}

// solve3 solves m·x = b by Gaussian elimination with partial pivoting.
func solve3(m [3][3]float64, b [3]float64) ([3]float64, bool) {
	scale := 0.0
	for r := range m {
		for c := range m[r] {
			scale = math.Max(scale, math.Abs(m[r][c]))
		}
	}
	for c := 0; c < 3; c++ {
		p := c
		for r := c + 1; r < 3; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		if math.Abs(m[p][c]) <= 1e-12*scale {
			return b, false
		}
		m[c], m[p] = m[p], m[c]
		b[c], b[p] = b[p], b[c]
		for r := c + 1; r < 3; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k < 3; k++ {
				m[r][k] -= f * m[c][k]
			}
			b[r] -= f * b[c]
		}
	}
	var x [3]float64
	for r := 2; r >= 0; r-- {
		s := b[r]
		for k := r + 1; k < 3; k++ {
			s -= m[r][k] * x[k]
		}
		x[r] = s / m[r][r]
	}
	return x, true
}

func projFor(code int) (proj.Projection, error) { return proj.ForEPSG(code) }
