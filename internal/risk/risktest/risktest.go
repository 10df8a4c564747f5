// Package risktest seeds a store with a small fleet whose ratings are
// known, for the tests of the risk commands and of riskstore. The
// scenario follows the founding case: a ship designated, renamed, dark with
// Najin the most plausible call; a ship that met it at sea; a ship dark at
// Najin but on no list; and unremarkable ships. Event details are written
// the way internal/detect and internal/sanctions/match write them.
package risktest

import (
	"context"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// At is the evaluation time the expected ratings hold at.
var At = time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)

// The vessels.
const (
	// MAIA: listed as MAIA-1 (designated 2023-05-19), renamed MAIA in
	// August 2023, dark 6 days in September with Najin the most plausible
	// call, AIS off far from shore, draught up across the gap. Sanctioned.
	MAIA uint32 = 273359640
	// Met: met MAIA at sea in November (the encounter is stored under
	// MAIA). Elevated by that encounter alone.
	Met uint32 = 273214860
	// Vostok: on no list, renamed, dark at Najin with a suspected
	// disabling. High on behaviour alone.
	Vostok uint32 = 273777777
	// Ordinary: one ordinary AIS gap near the coast. Low.
	Ordinary uint32 = 273000002
	// Clean: a Liberian-flagged ship with nothing against it. Low (a flag
	// of convenience counts a little).
	Clean uint32 = 636000001
)

// IMO numbers (valid check digits; MAIA-1's is the listed one).
const (
	IMOMaia     uint32 = 9358010
	IMOMet      uint32 = 9634567
	IMOVostok   uint32 = 9256781
	IMOOrdinary uint32 = 9301237
)

// Keys of events the tests remove or look for.
const (
	KeyMaiaHit    = "risktest-hit-maia"
	KeyMaiaDark   = "risktest-dark-maia"
	KeyEncounter  = "risktest-enc-maia-met"
	KeyVostokDark = "risktest-dark-vostok"
	KeyOrdGap     = "risktest-gap-ordinary"
)

// Seeder is what Seed writes to.
type Seeder interface {
	store.IdentityWriter
	store.PositionLoader
	store.EventWriter
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func id(mmsi, imo uint32, name, flag, from, to string) vessel.Identity {
	return vessel.Identity{MMSI: mmsi, IMO: imo, Name: name, Flag: flag, ShipType: 70, FirstSeen: day(from), LastSeen: day(to),
		Reports: 20, Source: "risktest"}
}

// Identities is the fleet's identity history.
func Identities() []vessel.Identity {
	return []vessel.Identity{
		id(MAIA, IMOMaia, "MAIA-1", "RU", "2023-01-04", "2023-08-01"),
		id(MAIA, IMOMaia, "MAIA", "RU", "2023-08-02", "2024-01-10"),
		id(Met, IMOMet, "SVETLAYA", "RU", "2023-01-01", "2024-01-12"),
		id(Vostok, IMOVostok, "NORD 7", "RU", "2022-06-01", "2023-07-01"),
		id(Vostok, IMOVostok, "VOSTOK 7", "RU", "2023-07-02", "2024-01-11"),
		id(Ordinary, IMOOrdinary, "ELBE TRADER", "RU", "2023-01-01", "2024-01-13"),
		id(Clean, 0, "ATLANTIC DAWN", "LR", "2023-03-01", "2024-01-14"),
	}
}

// Positions gives each vessel a last position (risk_change events carry
// it).
func Positions() []vessel.TrackPoint {
	p := func(mmsi uint32, t string, lat, lon float64) vessel.TrackPoint {
		return vessel.TrackPoint{Position: vessel.Position{MMSI: mmsi, Time: day(t), Lat: lat, Lon: lon, SOG: 10, COG: 90, Heading: 511,
			Source: "risktest"}, Segment: 1}
	}
	return []vessel.TrackPoint{
		p(MAIA, "2024-01-10", 42.77, 132.88),
		p(Met, "2024-01-12", 42.80, 133.05),
		p(Vostok, "2024-01-11", 43.10, 131.90),
		p(Ordinary, "2024-01-13", 59.90, 29.50),
		p(Clean, "2024-01-14", 6.30, 3.40),
	}
}

func ev(kind event.Kind, det, key string, mmsi uint32, name string, start time.Time, dur time.Duration, conf float64) event.Event {
	return event.Event{Key: key, Kind: kind, MMSI: mmsi, Name: name, Start: start, End: start.Add(dur), Confidence: conf,
		Detector: det, Version: "1", Details: map[string]any{}, Explanation: string(kind) + " (risktest)"}
}

func najin(key string, mmsi uint32, name string, start time.Time, plaus float64) event.Event {
	e := ev(event.DarkPortVisit, "dark_port_visit", key, mmsi, name, start, 6*24*time.Hour, plaus)
	e.Port, e.Lat, e.Lon = "Najin", 42.245, 130.30
	e.Candidates = []event.Candidate{
		{Port: "Najin", Country: "KP", Score: plaus, HighRisk: true, DetourKm: 410, MaxDwellH: 60},
		{Port: "Vladivostok", Country: "RU", Score: plaus / 3, DetourKm: 120, MaxDwellH: 120},
	}
	e.Details["high_risk_candidates"] = []string{"Najin"}
	return e
}

// Events is the fleet's events, as the detectors and the screener would
// have stored them.
func Events() []event.Event {
	hit := ev(event.SanctionsHit, "sanctions-screen", KeyMaiaHit, MAIA, "MAIA-1", day("2023-01-04"), 209*24*time.Hour, 0.97)
	hit.IMO = IMOMaia
	hit.Details = map[string]any{"list": "OFAC-SDN", "list_version": 1, "entity_id": "37098", "entity_name": "MAIA-1",
		"programs": []string{"RUSSIA-EO14024"}, "program": "RUSSIA-EO14024", "score": 0.97, "alert": true, "match": "former_name",
		"designation_date": "2023-05-19"}
	maiaGap := ev(event.Gap, "gap", "risktest-gap-maia", MAIA, "MAIA", day("2023-09-22").Add(18*time.Hour), 6*24*time.Hour+20*time.Hour, 0.9)
	maiaGap.Details["suspected_disabling"] = true
	draught := ev(event.DraughtChange, "draught_change", "risktest-draught-maia", MAIA, "MAIA", day("2023-09-22").Add(18*time.Hour), 6*24*time.Hour+20*time.Hour, 0.8)
	draught.Details["before_m"], draught.Details["after_m"], draught.Details["delta_m"], draught.Details["across"] = 4.1, 6.3, 2.2, "gap"
	enc := ev(event.Encounter, "encounter", KeyEncounter, MAIA, "MAIA", day("2023-11-14"), 5*time.Hour, 0.8)
	enc.OtherMMSI, enc.OtherName = Met, "SVETLAYA"
	enc.Details["other_imo"] = IMOMet
	vGap := ev(event.Gap, "gap", "risktest-gap-vostok", Vostok, "VOSTOK 7", day("2023-10-18"), 5*24*time.Hour, 0.9)
	vGap.Details["suspected_disabling"] = true
	rename := ev(event.IdentityChange, "identity_change", "risktest-idc-vostok", Vostok, "VOSTOK 7", day("2023-07-02"), 0, 1)
	rename.Details["changed"] = []string{"name"}
	rename.Details["name_before"], rename.Details["name_after"] = "NORD 7", "VOSTOK 7"
	ordGap := ev(event.Gap, "gap", KeyOrdGap, Ordinary, "ELBE TRADER", day("2023-12-01"), 14*time.Hour, 0.5)
	ordGap.Details["suspected_disabling"] = false
	// A port visit at an ordinary port counts for nothing.
	port := ev(event.PortVisit, "port_visit", "risktest-port-ordinary", Ordinary, "ELBE TRADER", day("2023-12-10"), 30*time.Hour, 1)
	port.Port = "St Petersburg"
	port.Details["country"], port.Details["high_risk"] = "RU", false
	return []event.Event{
		hit, najin(KeyMaiaDark, MAIA, "MAIA", day("2023-09-23"), 0.82), maiaGap, draught, enc,
		najin(KeyVostokDark, Vostok, "VOSTOK 7", day("2023-10-18"), 0.9), vGap, rename,
		ordGap, port,
	}
}

// Seed writes the fleet.
func Seed(ctx context.Context, st Seeder) error {
	if err := st.UpsertIdentities(ctx, Identities()); err != nil {
		return err
	}
	if _, err := st.AddPositions(ctx, 0, Positions()); err != nil {
		return err
	}
	return st.PutEvents(ctx, Events())
}
