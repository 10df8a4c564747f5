package gazetteer_test

import (
	"math"
	"testing"

	"github.com/lookout-maritime/lookout/internal/gazetteer"
	"github.com/lookout-maritime/lookout/internal/geo"
	"github.com/lookout-maritime/lookout/internal/sim"
)

// The simulator's ships lie at its ports' berths; the detectors must see
// each berth inside the gazetteer port of the same name (entry within
// max(3 km, radius_km)), or the demo's port visits would not be found.
func TestSimBerthsInsideGazetteerPorts(t *testing.T) {
	g, err := gazetteer.Default()
	if err != nil {
		t.Fatal(err)
	}
	ports := sim.NewPlaces().Ports()
	if len(ports) == 0 {
		t.Fatal("the simulator has no ports")
	}
	for _, sp := range ports {
		p, ok := g.Lookup(sp.Name)
		if !ok {
			t.Errorf("sim port %s is not in the gazetteer", sp.Name)
			continue
		}
		if p.Country != sp.Country || p.HighRisk != sp.HighRisk {
			t.Errorf("%s: gazetteer %s high_risk=%v, sim %s high_risk=%v", sp.Name, p.Country, p.HighRisk, sp.Country, sp.HighRisk)
		}
		entry := math.Max(3, p.RadiusKm)
		if len(sp.Berths) == 0 {
			t.Errorf("sim port %s has no berths", sp.Name)
		}
		for i, b := range sp.Berths {
			d := geo.DistanceM(b.Lat, b.Lon, p.Lat, p.Lon) / 1000
			if d > entry {
				t.Errorf("%s berth %d (%.4f, %.4f) is %.2f km from the gazetteer point (%.3f, %.3f), beyond %.1f km",
					sp.Name, i, b.Lat, b.Lon, d, p.Lat, p.Lon, entry)
			}
			// And the detectors' lookup finds it from the berth.
			found := false
			for _, q := range g.Within(b.Lat, b.Lon, 10) {
				found = found || q.Name == p.Name
			}
			if !found {
				t.Errorf("%s berth %d: Within(10 km) does not return %s", sp.Name, i, p.Name)
			}
		}
	}
}
