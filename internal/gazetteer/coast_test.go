package gazetteer

import (
	"testing"

	"github.com/lookout-maritime/lookout/internal/coast"
)

// riverPorts lie up rivers, canals or lagoons that the 1:10m coastline
// does not draw: each is allowed its own distance to the coast.
var riverPorts = map[string]float64{
	"kp-songrim":     10, // Taedong river, above the Nampo barrage
	"ru-kaliningrad": 30, // Pregolya river, behind the Vistula Lagoon
	"th-bangkok":     12, // Chao Phraya river
	"vn-ho-chi-minh": 10, // Saigon river (Cat Lai)
	"pk-port-qasim":  10, // Phitti creek
	"nl-amsterdam":   18, // North Sea Canal
	"de-hamburg":     8,  // Elbe (the 1:10m estuary stops short)
	"us-savannah":    25, // Savannah river
	"us-houston":     22, // Houston Ship Channel
	"us-new-orleans": 14, // Mississippi
}

// founding are the founding case's places: on the water or within 1 km.
var founding = []string{
	"kp-najin", "kp-sonbong", "kp-chongjin", "kp-kimchaek", "kp-hungnam", "kp-wonsan", "kp-nampo",
	"ru-vladivostok", "ru-nakhodka", "ru-vostochny", "ru-kozmino", "ru-dunay", "ru-bolshoy-kamen",
	"ru-slavyanka", "ru-zarubino", "ru-posyet",
}

// landKm is how far p's reference point is inland (0 at sea).
func landKm(m *coast.Mask, lat, lon float64) float64 {
	if !m.OnLand(lat, lon) {
		return 0
	}
	km, _, _ := m.NearestShore(lat, lon)
	return km
}

func TestPortsNearSea(t *testing.T) {
	m, err := coast.Load()
	if err != nil {
		t.Fatal(err)
	}
	ps, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Place{}
	for _, p := range ps {
		byID[p.ID] = p
		limit, river := riverPorts[p.ID]
		if !river {
			limit = 3
		}
		if d := landKm(m, p.Lat, p.Lon); d > limit {
			t.Errorf("%s (%.3f, %.3f) is %.1f km inland, want at most %.0f", p.ID, p.Lat, p.Lon, d, limit)
		} else if river && d < 3 {
			t.Errorf("%s is %.1f km from the sea: no longer a river-port exception", p.ID, d)
		}
	}
	for id := range riverPorts {
		if _, ok := byID[id]; !ok {
			t.Errorf("river-port exception %s is not in the table", id)
		}
	}
	for _, id := range founding {
		p, ok := byID[id]
		if !ok {
			t.Errorf("founding-case place %s missing", id)
			continue
		}
		if d := landKm(m, p.Lat, p.Lon); d > 1 {
			t.Errorf("%s (%.3f, %.3f) is %.2f km inland, want on the water or within 1 km", id, p.Lat, p.Lon, d)
		}
	}
}
