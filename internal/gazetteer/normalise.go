package gazetteer

import (
	"fmt"
	"math"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/lookout-maritime/lookout/internal/geo"
)

// fold is the key names are compared by: lower case, diacritics removed
// (NFD, combining marks dropped, and the few letters that do not decompose
// spelled out), and everything but letters and digits dropped, so "Rajin",
// "RAJIN" and "Ra-jin" meet, as do "Bol'shoy Kamen'" and "Bolshoy Kamen".
// Letters of other scripts are kept (Находка, 나진).
func fold(s string) string {
	if f, ok := foldASCII(s); ok {
		return f
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if sub, ok := foldSpecial[r]; ok {
			b.WriteString(sub)
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	// Recompose what NFD split but kept (Hangul syllables).
	return norm.NFC.String(b.String())
}

// foldASCII is fold's fast path for plain ASCII names (no allocation when
// s is already folded).
func foldASCII(s string) (string, bool) {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return "", false
		}
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			clean = false
		}
	}
	if clean {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		}
	}
	return string(b), true
}

// foldSpecial spells out letters with no canonical decomposition.
var foldSpecial = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d", 'ð': "d",
	'þ': "th", 'ı': "i", 'ħ': "h", 'ŧ': "t", 'ŀ': "l", 'ĳ': "ij",
}

// slug makes an ID from parts: folded to ASCII letters and digits, words
// joined by '-'.
func slug(parts ...string) string {
	var b strings.Builder
	dash := false
	for _, part := range parts {
		for _, r := range norm.NFD.String(part) {
			if unicode.Is(unicode.Mn, r) {
				continue
			}
			r = unicode.ToLower(r)
			if sub, ok := foldSpecial[r]; ok {
				b.WriteString(sub)
				dash = false
				continue
			}
			switch {
			case r == '\'' || r == '’' || r == '`':
				// "Bol'shoy" → "bolshoy"
			case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
				if dash && b.Len() > 0 {
					b.WriteByte('-')
				}
				dash = false
				b.WriteRune(r)
			case unicode.IsLetter(r) || unicode.IsDigit(r):
				// Another script: keep it rather than lose the name.
				if dash && b.Len() > 0 {
					b.WriteByte('-')
				}
				dash = false
				b.WriteRune(r)
			default:
				dash = true
			}
		}
		dash = true
	}
	return norm.NFC.String(b.String())
}

// normalise validates p and fills what can be derived: kind, ID, upper-case
// codes, unwrapped polygons, a zone's circle, a polygon's radius.
func normalise(p *Place) error {
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" {
		return fmt.Errorf("name: %w", ErrMissing)
	}
	if fold(p.Name) == "" {
		return fmt.Errorf("name %q: %w: no letters or digits", p.Name, ErrSyntax)
	}
	if p.Kind == "" {
		p.Kind = Port
	}
	if _, err := ParseKind(string(p.Kind)); err != nil {
		return fmt.Errorf("kind: %w", err)
	}
	c, err := parseCountry(p.Country)
	if err != nil {
		return fmt.Errorf("country: %w", err)
	}
	p.Country = c
	l, err := parseLocode(p.Locode)
	if err != nil {
		return fmt.Errorf("locode: %w", err)
	}
	p.Locode = l
	aliases := p.Aliases[:0]
	for _, a := range p.Aliases {
		if a = strings.TrimSpace(a); a != "" && fold(a) != "" {
			aliases = append(aliases, a)
		}
	}
	p.Aliases = aliases
	if !(p.Lat >= -90 && p.Lat <= 90) {
		return fmt.Errorf("lat %v: %w (want -90..90)", p.Lat, ErrRange)
	}
	if !(p.Lon >= -180 && p.Lon <= 180) {
		return fmt.Errorf("lon %v: %w (want -180..180)", p.Lon, ErrRange)
	}
	if !(p.RadiusKm >= 0 && p.RadiusKm <= 20000) {
		return fmt.Errorf("radius_km %v: %w", p.RadiusKm, ErrRange)
	}
	for i, r := range p.Polygons {
		r, err := cleanRing(r)
		if err != nil {
			return fmt.Errorf("polygon %d: %w", i+1, err)
		}
		p.Polygons[i] = r
	}
	if len(p.Polygons) > 0 {
		for _, r := range p.Polygons {
			for _, v := range r {
				p.RadiusKm = math.Max(p.RadiusKm, geo.DistanceM(p.Lat, p.Lon, v[0], v[1])/1000)
			}
		}
	}
	if p.Kind == Zone && len(p.Polygons) == 0 {
		if p.RadiusKm <= 0 {
			return fmt.Errorf("radius_km: %w: a zone needs a polygon or a radius", ErrMissing)
		}
		p.Polygons = [][][2]float64{circle(p.Lat, p.Lon, p.RadiusKm, 48)}
	}
	if p.Kind != Zone && p.RadiusKm > MaxRadiusKm {
		return fmt.Errorf("radius_km %.1f: %w (a %s's extent is at most %d km; draw a zone for larger areas)", p.RadiusKm, ErrRange, p.Kind, MaxRadiusKm)
	}
	if p.ID == "" {
		p.ID = slug(strings.ToLower(p.Country), p.Name)
	} else {
		p.ID = strings.TrimSpace(p.ID)
	}
	return nil
}

func parseCountry(s string) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "" {
		return "", nil
	}
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return "", fmt.Errorf("%w %q (want ISO 3166-1 alpha-2, e.g. KP)", ErrCountry, s)
	}
	return s, nil
}

// parseLocode accepts "RUVVO" and "RU VVO".
func parseLocode(s string) (string, error) {
	s = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if s == "" {
		return "", nil
	}
	ok := len(s) == 5
	for i := 0; ok && i < 5; i++ {
		c := s[i]
		ok = c >= 'A' && c <= 'Z' || i >= 2 && c >= '2' && c <= '9'
	}
	if !ok {
		return "", fmt.Errorf("%w: UN/LOCODE %q (want 2 letters and 3 letters or digits 2-9)", ErrSyntax, s)
	}
	return s, nil
}

// cleanRing drops a closing vertex, checks the vertices and unwraps the
// longitudes so that no edge jumps by more than 180° (detect.Zone's rule).
func cleanRing(r [][2]float64) ([][2]float64, error) {
	if n := len(r); n > 1 && r[0] == r[n-1] {
		r = r[:n-1]
	}
	if len(r) < 3 {
		return nil, fmt.Errorf("%w: a ring needs at least 3 distinct vertices, has %d", ErrGeometry, len(r))
	}
	out := make([][2]float64, len(r))
	for i, v := range r {
		if !(v[0] >= -90 && v[0] <= 90) {
			return nil, fmt.Errorf("vertex %d: lat %v: %w", i+1, v[0], ErrRange)
		}
		if !(v[1] >= -540 && v[1] <= 540) {
			return nil, fmt.Errorf("vertex %d: lon %v: %w", i+1, v[1], ErrRange)
		}
		if i > 0 {
			prev := out[i-1][1]
			for v[1]-prev > 180 {
				v[1] -= 360
			}
			for v[1]-prev < -180 {
				v[1] += 360
			}
		}
		out[i] = v
	}
	// Keep the ring's longitudes centred in [-180, 180] where they can be.
	minLon, maxLon := math.Inf(1), math.Inf(-1)
	for _, v := range out {
		minLon, maxLon = math.Min(minLon, v[1]), math.Max(maxLon, v[1])
	}
	if maxLon-minLon >= 360 {
		return nil, fmt.Errorf("%w: ring spans %.0f° of longitude (a zone around a pole is not supported)", ErrGeometry, maxLon-minLon)
	}
	shift := 0.0
	switch mid := (minLon + maxLon) / 2; {
	case mid > 180:
		shift = -360 * math.Ceil((mid-180)/360)
	case mid < -180:
		shift = 360 * math.Ceil((-180-mid)/360)
	}
	if shift != 0 {
		for i := range out {
			out[i][1] += shift
		}
	}
	return out, nil
}

// centroid is the area-weighted centroid of the rings (planar in degrees,
// good enough for harbour-sized areas), its longitude in [-180, 180]; the
// vertex mean for degenerate rings.
func centroid(rings [][][2]float64) (lat, lon float64) {
	var a, cx, cy float64
	var mx, my float64
	n := 0
	for _, r := range rings {
		for i := range r {
			j := (i + 1) % len(r)
			x0, y0, x1, y1 := r[i][1], r[i][0], r[j][1], r[j][0]
			cr := x0*y1 - x1*y0
			a += cr
			cx += (x0 + x1) * cr
			cy += (y0 + y1) * cr
			mx += x0
			my += y0
			n++
		}
	}
	if n == 0 {
		return 0, 0
	}
	if math.Abs(a) < 1e-12 {
		return my / float64(n), normLon(mx / float64(n))
	}
	return cy / (3 * a), normLon(cx / (3 * a))
}

// circle is an n-gon of radius km around (lat, lon), as [lat, lon]
// vertices with continuous longitudes.
func circle(lat, lon, km float64, n int) [][2]float64 {
	const rad = math.Pi / 180
	d := km / (geo.EarthRadiusM / 1000)
	φ1, λ1 := lat*rad, lon*rad
	out := make([][2]float64, n)
	for i := range n {
		θ := 2 * math.Pi * float64(i) / float64(n)
		φ2 := math.Asin(math.Sin(φ1)*math.Cos(d) + math.Cos(φ1)*math.Sin(d)*math.Cos(θ))
		λ2 := λ1 + math.Atan2(math.Sin(θ)*math.Sin(d)*math.Cos(φ1), math.Cos(d)-math.Sin(φ1)*math.Sin(φ2))
		out[i] = [2]float64{φ2 / rad, λ2 / rad}
	}
	r, err := cleanRing(out)
	if err != nil { // a circle around a pole: keep the raw vertices
		return out
	}
	return r
}
