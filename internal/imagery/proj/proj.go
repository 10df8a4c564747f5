// Package proj converts between the map projections satellite scenes come
// in and WGS84 longitude/latitude. It covers what GeoTIFF scenes of the sea
// use in practice: EPSG:4326 (geographic WGS84), the WGS84 UTM zones
// (EPSG:32601–32660 north, 32701–32760 south) and EPSG:3857 (Web Mercator).
//
// UTM uses Krüger's series to the fourth order in the third flattening
// (Karney 2011, "Transverse Mercator with an accuracy of a few nanometers",
// eqs. 35–36 truncated), accurate to well under a millimetre inside a zone.
// It is written here because the pure-Go projection libraries the module
// proxy serves either need cgo (PROJ bindings) or round-trip UTM with
// metre-level error; the tests check it against PROJ's cs2cs.
package proj

import (
	"errors"
	"fmt"
	"math"
)

// ErrUnsupported is returned for an EPSG code this package cannot convert.
var ErrUnsupported = errors.New("proj: unsupported coordinate reference system")

// Projection converts map coordinates (metres, or degrees for geographic
// systems) to and from WGS84 longitude/latitude in degrees.
type Projection interface {
	// EPSG is the system's EPSG code.
	EPSG() int
	ToLonLat(x, y float64) (lon, lat float64)
	FromLonLat(lon, lat float64) (x, y float64)
}

// ForEPSG returns the projection for an EPSG code.
func ForEPSG(code int) (Projection, error) {
	switch {
	case code == 4326:
		return Geographic{}, nil
	case code == 3857 || code == 900913:
		return WebMercator{}, nil
	case code >= 32601 && code <= 32660:
		return UTM{Zone: code - 32600, North: true}, nil
	case code >= 32701 && code <= 32760:
		return UTM{Zone: code - 32700, North: false}, nil
	}
	return nil, fmt.Errorf("%w: EPSG:%d (supported: 4326, 3857, 32601-32660, 32701-32760)", ErrUnsupported, code)
}

// Geographic is EPSG:4326: x is longitude, y latitude.
type Geographic struct{}

func (Geographic) EPSG() int                                      { return 4326 }
func (Geographic) ToLonLat(x, y float64) (float64, float64)       { return x, y }
func (Geographic) FromLonLat(lon, lat float64) (float64, float64) { return lon, lat }

// WGS84 ellipsoid.
const (
	wgs84A = 6378137.0
	wgs84F = 1 / 298.257223563
)

// WebMercator is EPSG:3857, the spherical Mercator of web maps.
type WebMercator struct{}

func (WebMercator) EPSG() int { return 3857 }

func (WebMercator) ToLonLat(x, y float64) (float64, float64) {
	return x / wgs84A * 180 / math.Pi, (2*math.Atan(math.Exp(y/wgs84A)) - math.Pi/2) * 180 / math.Pi
}

func (WebMercator) FromLonLat(lon, lat float64) (float64, float64) {
	return wgs84A * lon * math.Pi / 180, wgs84A * math.Log(math.Tan(math.Pi/4+lat*math.Pi/360))
}

// UTM is a WGS84 Universal Transverse Mercator zone (1–60).
type UTM struct {
	Zone  int
	North bool
}

func (u UTM) EPSG() int {
	if u.North {
		return 32600 + u.Zone
	}
	return 32700 + u.Zone
}

// Series coefficients, computed once from the ellipsoid.
var tm = func() (c struct {
	n, A, sqn2         float64
	alpha, beta, delta [4]float64
}) {
	n := wgs84F / (2 - wgs84F)
	n2, n3, n4 := n*n, n*n*n, n*n*n*n
	c.n = n
	c.A = wgs84A / (1 + n) * (1 + n2/4 + n4/64)
	c.sqn2 = 2 * math.Sqrt(n) / (1 + n)
	c.alpha = [4]float64{n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180, 13*n2/48 - 3*n3/5 + 557*n4/1440, 61*n3/240 - 103*n4/140, 49561 * n4 / 161280}
	c.beta = [4]float64{n/2 - 2*n2/3 + 37*n3/96 - n4/360, n2/48 + n3/15 - 437*n4/1440, 17*n3/480 - 37*n4/840, 4397 * n4 / 161280}
	c.delta = [4]float64{2*n - 2*n2/3 - 2*n3 + 116*n4/45, 7*n2/3 - 8*n3/5 - 227*n4/45, 56*n3/15 - 136*n4/35, 4279 * n4 / 630}
	return c
}()

const (
	utmK0 = 0.9996
	utmE0 = 500000.0
	utmNS = 10000000.0 // false northing in the southern hemisphere
)

func (u UTM) lon0() float64 { return float64(u.Zone*6-183) * math.Pi / 180 }

// FromLonLat projects lon, lat (degrees) to easting, northing (metres).
func (u UTM) FromLonLat(lon, lat float64) (float64, float64) {
	phi := lat * math.Pi / 180
	dl := remainder(lon*math.Pi/180-u.lon0(), 2*math.Pi)
	s := math.Sin(phi)
	t := math.Sinh(math.Atanh(s) - tm.sqn2*math.Atanh(tm.sqn2*s))
	xi := math.Atan2(t, math.Cos(dl))
	eta := math.Atanh(math.Sin(dl) / math.Sqrt(1+t*t))
	e, nn := eta, xi
	for j := 1; j <= 4; j++ {
		a := tm.alpha[j-1]
		e += a * math.Cos(2*float64(j)*xi) * math.Sinh(2*float64(j)*eta)
		nn += a * math.Sin(2*float64(j)*xi) * math.Cosh(2*float64(j)*eta)
	}
	x := utmE0 + utmK0*tm.A*e
	y := utmK0 * tm.A * nn
	if !u.North {
		y += utmNS
	}
	return x, y
}

// ToLonLat inverts FromLonLat.
func (u UTM) ToLonLat(x, y float64) (float64, float64) {
	if !u.North {
		y -= utmNS
	}
	xi := y / (utmK0 * tm.A)
	eta := (x - utmE0) / (utmK0 * tm.A)
	xp, ep := xi, eta
	for j := 1; j <= 4; j++ {
		b := tm.beta[j-1]
		xp -= b * math.Sin(2*float64(j)*xi) * math.Cosh(2*float64(j)*eta)
		ep -= b * math.Cos(2*float64(j)*xi) * math.Sinh(2*float64(j)*eta)
	}
	chi := math.Asin(math.Sin(xp) / math.Cosh(ep))
	phi := chi
	for j := 1; j <= 4; j++ {
		phi += tm.delta[j-1] * math.Sin(2*float64(j)*chi)
	}
	lam := u.lon0() + math.Atan2(math.Sinh(ep), math.Cos(xp))
	lon := remainder(lam, 2*math.Pi) * 180 / math.Pi
	return lon, phi * 180 / math.Pi
}

// remainder wraps an angle into [-m/2, m/2].
func remainder(a, m float64) float64 { return math.Remainder(a, m) }
