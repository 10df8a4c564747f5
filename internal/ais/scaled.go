package ais

import "math"

// Scaled accessors: the raw fields converted to degrees, knots and degrees
// per minute, with ok=false for the "not available" values of M.1371-5.

// Position returns the position in degrees; ok is false when either
// coordinate is "not available" (181°/91°) or out of range.
func (m *PositionReport) Position() (lat, lon float64, ok bool) { return position(m.Lat, m.Lon) }

// Position returns the position in degrees (see PositionReport.Position).
func (m *ClassBPosition) Position() (lat, lon float64, ok bool) { return position(m.Lat, m.Lon) }

// Position returns the position in degrees (see PositionReport.Position).
func (m *ClassBExtended) Position() (lat, lon float64, ok bool) { return position(m.Lat, m.Lon) }

// Position returns the position in degrees (see PositionReport.Position).
func (m *SARPosition) Position() (lat, lon float64, ok bool) { return position(m.Lat, m.Lon) }

// Position returns the position in degrees (see PositionReport.Position).
func (m *BaseStationReport) Position() (lat, lon float64, ok bool) { return position(m.Lat, m.Lon) }

// Position returns the position in degrees (see PositionReport.Position).
func (m *AidToNavigation) Position() (lat, lon float64, ok bool) { return position(m.Lat, m.Lon) }

// Position returns the position in degrees; type 27 reports it to 1/10 minute.
func (m *LongRangePosition) Position() (lat, lon float64, ok bool) {
	lat, lon = float64(m.Lat)/600, float64(m.Lon)/600
	return lat, lon, m.Lat != ShortLatNA && m.Lon != ShortLonNA && inRange(lat, lon)
}

func position(rawLat, rawLon int32) (lat, lon float64, ok bool) {
	lat, lon = float64(rawLat)/600000, float64(rawLon)/600000
	return lat, lon, rawLat != LatNA && rawLon != LonNA && inRange(lat, lon)
}

func inRange(lat, lon float64) bool { return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 }

// Knots converts a 0.1-knot speed field; ok is false for 102.3 (not
// available). 102.2 means 102.2 knots or more.
func Knots(raw uint16) (float64, bool) { return float64(raw) / 10, raw != SpeedNA }

// Degrees converts a 0.1-degree course field; ok is false for 360.0 (not
// available) and out-of-range values.
func Degrees(raw uint16) (float64, bool) { return float64(raw) / 10, raw < CourseNA }

// RateOfTurn returns the rate of turn in degrees per minute from the raw ROT
// indicator: ROT = 4.733·√(rate), negative to port. ok is false when not
// available; ±127 (turning faster than 5° in 30 s, no turn indicator) gives
// ±Inf with ok true.
func (m *PositionReport) RateOfTurn() (float64, bool) {
	switch m.Turn {
	case TurnNA:
		return 0, false
	case 127:
		return math.Inf(1), true
	case -127:
		return math.Inf(-1), true
	}
	r := float64(m.Turn) / 4.733
	return math.Copysign(r*r, r), true
}

// HeadingDegrees returns the true heading; ok is false for 511 (not available).
func (m *PositionReport) HeadingDegrees() (float64, bool) {
	return float64(m.Heading), m.Heading < 360
}

// DraughtMetres returns the type 5 draught in metres (0 = not available).
func (m *StaticVoyage) DraughtMetres() float64 { return float64(m.Draught) / 10 }
