package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"math"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/imagery"
	"github.com/lookout-maritime/lookout/internal/imagery/synth"
)

// sceneSpec is a scene the scenario takes over Najin.
type sceneSpec struct {
	id, at string
	sar    bool
}

// najinScenes are the simulated satellite passes over Najin, on dates
// when founding ships lie alongside with their AIS off. Optical passes
// are mid-morning local time (about 02:00 UTC); the SAR pass is an
// evening one.
var najinScenes = []sceneSpec{
	{"najin-2023-09-07", "2023-09-07T02:10", false},
	{"najin-2023-10-05", "2023-10-05T02:05", false},
	{"najin-2023-10-24", "2023-10-24T01:55", false},
	{"najin-2023-11-14", "2023-11-14T02:15", false},
	{"najin-2023-12-08", "2023-12-08T02:00", false},
	{"najin-sar-2023-12-16", "2023-12-16T21:05", true},
}

// The optical scenes' box over Najin harbour (west, south, east, north),
// their ground sample distance, and the SAR scene's centre and size.
var (
	najinBox       = [4]float64{130.272, 42.203, 130.322, 42.243}
	opticalRes     = 4.0
	sarCentre      = Point{42.2250, 130.3000}
	sarPixels      = 700
	sarRes         = 10.0
	opticalName    = "SIMULATED optical"
	sarName        = "SIMULATED SAR"
	imageryContact = "SIMULATED by Lookout's simulator (internal/sim); not real imagery"
)

// localBerths are spots in Najin harbour where local vessels without AIS
// may lie (checked on water at run time).
var localBerths = []Point{{42.2080, 130.2800}, {42.2165, 130.2800}, {42.2200, 130.2950}, {42.2140, 130.2900}}

// landGrid is a land mask sampled on a regular grid, for drawing: the
// renderer asks for every pixel, and a lookup is much cheaper than the
// polygon test.
type landGrid struct {
	w, s, dLon, dLat float64
	nx, ny           int
	land             []bool
}

func newLandGrid(m interface{ OnLand(lat, lon float64) bool }, box [4]float64, cellM float64) *landGrid {
	midLat := (box[1] + box[3]) / 2
	g := &landGrid{w: box[0], s: box[1], dLat: cellM / 111320, dLon: cellM / (111320 * math.Cos(midLat*rad))}
	g.nx = int(math.Ceil((box[2]-box[0])/g.dLon)) + 1
	g.ny = int(math.Ceil((box[3]-box[1])/g.dLat)) + 1
	g.land = make([]bool, g.nx*g.ny)
	for j := 0; j < g.ny; j++ {
		lat := g.s + (float64(j)+0.5)*g.dLat
		for i := 0; i < g.nx; i++ {
			g.land[j*g.nx+i] = m.OnLand(lat, g.w+(float64(i)+0.5)*g.dLon)
		}
	}
	return g
}

// OnLand implements imagery.LandMask; outside the grid is sea.
func (g *landGrid) OnLand(lat, lon float64) bool {
	i, j := int((lon-g.w)/g.dLon), int((lat-g.s)/g.dLat)
	if i < 0 || j < 0 || i >= g.nx || j >= g.ny {
		return false
	}
	return g.land[j*g.nx+i]
}

// present is a vessel lying in a scene.
type present struct {
	sh      *ship // nil for a local vessel
	at      Point
	heading float64
	lengthM float64
	beamM   float64
	aisOff  bool
}

// najinAt returns the founding ships alongside at Najin at t, and local
// vessels without AIS.
func (s *Scenario) najinAt(t int64, r *rng) []present {
	var out []present
	for _, sh := range s.ships {
		if sh.Role != RoleSanctioned {
			continue
		}
		sg := sh.plan.at(t)
		if sg == nil || sg.kind != segStay || sg.port != "Najin" || sg.t1 <= t {
			continue
		}
		out = append(out, present{sh: sh, at: sg.at, heading: sg.heading, lengthM: sh.LengthM, beamM: sh.BeamM, aisOff: sh.plan.isOff(t)})
	}
	// A local vessel or two: small craft with no AIS, as any harbour has.
	n := r.intn(3)
	start := r.intn(len(localBerths))
	for k := 0; k < len(localBerths) && n > 0; k++ {
		p := localBerths[(start+k)%len(localBerths)]
		if s.mask.OnLand(p.Lat, p.Lon) || s.mask.DistanceToShoreKm(p.Lat, p.Lon) < 0.05 {
			continue
		}
		l := math.Round(r.between(25, 60))
		out = append(out, present{at: p, heading: r.between(0, 360), lengthM: l, beamM: math.Round(l / 5.5), aisOff: true})
		n--
	}
	return out
}

// sceneFile is a file a scene writes.
type sceneFile struct {
	path, kind string
	data       []byte
}

// scenes renders every scene inside [Start, End).
func (s *Scenario) scenes() ([]Scene, []sceneFile, error) {
	r := newRNG(s.cfg.Seed, streamScene)
	lo, hi := unix(s.cfg.Start), unix(s.cfg.End)
	var grid *landGrid
	var out []Scene
	var files []sceneFile
	for k, sp := range najinScenes {
		t := utc(sp.at)
		if t < lo || t >= hi {
			continue
		}
		if sp.sar && s.cfg.NoSAR {
			continue
		}
		if grid == nil {
			half := float64(sarPixels) * sarRes / 2
			sw := destination(destination(sarCentre, 180, half+500), 270, half+500)
			ne := destination(destination(sarCentre, 0, half+500), 90, half+500)
			box := [4]float64{math.Min(sw.Lon, najinBox[0]), math.Min(sw.Lat, najinBox[1]), math.Max(ne.Lon, najinBox[2]), math.Max(ne.Lat, najinBox[3])}
			grid = newLandGrid(s.mask, box, 10)
		}
		ships := s.najinAt(t, r)
		acq := timeUTC(t)
		sc := Scene{ID: sp.id, Acquired: acq}
		if sp.sar {
			f, err := s.sarScene(&sc, ships, grid, uint64(s.cfg.Seed)+uint64(k))
			if err != nil {
				return nil, nil, err
			}
			files = append(files, f...)
		} else {
			f, err := s.opticalScene(&sc, ships, grid, r, uint64(s.cfg.Seed)+uint64(k))
			if err != nil {
				return nil, nil, err
			}
			files = append(files, f...)
		}
		out = append(out, sc)
	}
	return out, files, nil
}

func (s *Scenario) captionText(sc *Scene) []string {
	return []string{
		"SIMULATED IMAGE - NOT REAL IMAGERY",
		fmt.Sprintf("%s  NAJIN  %s", strings.ToUpper(sc.Platform), sc.Acquired.Format("2006-01-02 15:04Z")),
		"LOOKOUT DEMO (INTERNAL/SIM)",
	}
}

// sidecar is the JSON the imagery photo registration reads beside a
// scene file (imagery.Sidecar), with the SIMULATED label and caption.
type sidecar struct {
	ID          string          `json:"id"`
	Acquired    time.Time       `json:"acquired"`
	Footprint   sidecarGeometry `json:"footprint"`
	Source      string          `json:"source"`
	Platform    string          `json:"platform"`
	Instrument  string          `json:"instrument"`
	ResolutionM float64         `json:"resolution_m"`
	Simulated   bool            `json:"simulated"`
	Caption     string          `json:"caption"`
	Notice      string          `json:"notice"`
}

type sidecarGeometry struct {
	Type        string         `json:"type"`
	Coordinates [][][2]float64 `json:"coordinates"`
}

func sidecarJSON(sc *Scene, instrument string) ([]byte, error) {
	b, err := json.MarshalIndent(sidecar{
		ID: sc.ID, Acquired: sc.Acquired, Footprint: sidecarGeometry{"Polygon", [][][2]float64{sc.Footprint}},
		Source: imageryContact, Platform: sc.Platform, Instrument: instrument, ResolutionM: sc.ResolutionM,
		Simulated: true, Caption: sc.Caption, Notice: Notice,
	}, "", "  ")
	return append(b, '\n'), err
}

func (s *Scenario) opticalScene(sc *Scene, ships []present, grid *landGrid, r *rng, seed uint64) ([]sceneFile, error) {
	b := najinBox
	sc.Kind, sc.Platform, sc.ResolutionM = "optical", opticalName, opticalRes
	sc.Footprint = [][2]float64{{b[0], b[1]}, {b[2], b[1]}, {b[2], b[3]}, {b[0], b[3]}, {b[0], b[1]}}
	sc.Caption = strings.Join(s.captionText(sc), " / ")
	midLat := (b[1] + b[3]) / 2
	w := int(math.Round((b[2] - b[0]) * 111320 * math.Cos(midLat*rad) / opticalRes))
	h := int(math.Round((b[3] - b[1]) * 111320 / opticalRes))
	spec := imagery.RenderSpec{Bounds: b, Width: w, Height: h, Land: grid, Seed: seed}
	var csv bytes.Buffer
	csv.WriteString("scene_id,id,time,lat,lon,length_m,width_m,heading,confidence\n")
	for i, p := range ships {
		spec.Ships = append(spec.Ships, imagery.RenderShip{Lat: p.at.Lat, Lon: p.at.Lon, LengthM: p.lengthM, WidthM: p.beamM, HeadingDeg: p.heading})
		d := Detection{ID: fmt.Sprintf("%s-d%d", sc.ID, i+1), AISOff: p.aisOff, TrueLat: round6(p.at.Lat), TrueLon: round6(p.at.Lon), TrueLengthM: p.lengthM}
		pos := jitter(r, p.at, 12)
		d.Lat, d.Lon = round6(pos.Lat), round6(pos.Lon)
		d.LengthM = math.Round(p.lengthM*(1+math.Max(-0.05, math.Min(0.05, 0.025*r.norm())))*10) / 10
		d.WidthM = math.Round(p.beamM*(1+0.08*r.norm())*10) / 10
		d.HeadingDeg = math.Round(wrap360(p.heading+3*r.norm())*10) / 10
		d.Confidence = math.Round(r.between(0.8, 0.97)*100) / 100
		if p.sh != nil {
			d.MMSI, d.Name = p.sh.MMSI, p.sh.Name
		} else {
			d.Confidence = math.Round(r.between(0.6, 0.85)*100) / 100
		}
		sc.Detections = append(sc.Detections, d)
		fmt.Fprintf(&csv, "%s,%s,%s,%.6f,%.6f,%.1f,%.1f,%.1f,%.2f\n", sc.ID, d.ID, sc.Acquired.Format(time.RFC3339),
			d.Lat, d.Lon, d.LengthM, d.WidthM, d.HeadingDeg, d.Confidence)
	}
	img, err := imagery.Render(spec)
	if err != nil {
		return nil, fmt.Errorf("sim: render %s: %w", sc.ID, err)
	}
	caption(img, s.captionText(sc), 2)
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, img); err != nil {
		return nil, err
	}
	sc.Image = "scenes/" + sc.ID + ".png"
	sc.Sidecar = sc.Image + ".json"
	sc.DetectionsCSV = "scenes/" + sc.ID + ".detections.csv"
	side, err := sidecarJSON(sc, "SIMULATED optical imager")
	if err != nil {
		return nil, err
	}
	return []sceneFile{{sc.Image, "scene-image", pngBuf.Bytes()}, {sc.Sidecar, "scene-sidecar", side}, {sc.DetectionsCSV, "detections", csv.Bytes()}}, nil
}

func (s *Scenario) sarScene(sc *Scene, ships []present, grid *landGrid, seed uint64) ([]sceneFile, error) {
	sc.Kind, sc.Platform, sc.ResolutionM = "sar", sarName, sarRes
	gs := synth.GeoScene{CentreLat: sarCentre.Lat, CentreLon: sarCentre.Lon, W: sarPixels, H: sarPixels, PixelM: sarRes,
		Seed: seed, Land: grid.OnLand, Acquired: sc.Acquired}
	for i, p := range ships {
		gs.Ships = append(gs.Ships, synth.GeoShip{Lat: p.at.Lat, Lon: p.at.Lon, LengthM: p.lengthM, WidthM: p.beamM, HeadingDeg: p.heading, SCRdB: 15})
		d := Detection{ID: fmt.Sprintf("%s-s%d", sc.ID, i+1), Lat: round6(p.at.Lat), Lon: round6(p.at.Lon), LengthM: p.lengthM, WidthM: p.beamM,
			HeadingDeg: math.Round(p.heading*10) / 10, Confidence: 1, AISOff: p.aisOff,
			TrueLat: round6(p.at.Lat), TrueLon: round6(p.at.Lon), TrueLengthM: p.lengthM}
		if p.sh != nil {
			d.MMSI, d.Name = p.sh.MMSI, p.sh.Name
		}
		sc.Detections = append(sc.Detections, d)
	}
	var buf bytes.Buffer
	g, _, err := synth.WriteSARScene(&buf, gs)
	if err != nil {
		return nil, fmt.Errorf("sim: SAR scene %s: %w", sc.ID, err)
	}
	fp := g.Footprint(sarPixels, sarPixels)
	sc.Footprint = make([][2]float64, len(fp))
	for i, p := range fp {
		sc.Footprint[i] = [2]float64{round6(p[0]), round6(p[1])}
	}
	sc.Caption = strings.Join(s.captionText(sc), " / ")
	sc.Image = "scenes/" + sc.ID + ".tif"
	sc.Sidecar = sc.Image + ".json"
	side, err := sidecarJSON(sc, "SIMULATED C-band SAR")
	if err != nil {
		return nil, err
	}
	return []sceneFile{{sc.Image, "sar-geotiff", buf.Bytes()}, {sc.Sidecar, "scene-sidecar", side}}, nil
}
