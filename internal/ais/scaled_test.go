package ais

import (
	"math"
	"testing"
)

func TestScaledAccessors(t *testing.T) {
	m, err := DecodePayload([]byte("15RTgt0PAso;90TKcjM8h6g208CQ"), 0)
	if err != nil {
		t.Fatal(err)
	}
	p := m.(*PositionReport)
	lat, lon, ok := p.Position()
	if !ok || math.Abs(lat-48.3816333) > 1e-6 || math.Abs(lon+123.3953833) > 1e-6 {
		t.Errorf("position %v %v %v", lat, lon, ok)
	}
	if v, ok := Knots(p.Speed); !ok || v != 12.3 {
		t.Errorf("speed %v %v", v, ok)
	}
	if v, ok := Degrees(p.Course); !ok || v != 224 {
		t.Errorf("course %v %v", v, ok)
	}
	if v, ok := p.RateOfTurn(); !ok || !math.IsInf(v, -1) {
		t.Errorf("turn %v %v (raw %d)", v, ok, p.Turn)
	}
	for _, tc := range []struct {
		turn int8
		want float64
		ok   bool
	}{{0, 0, true}, {-128, 0, false}, {127, math.Inf(1), true}, {10, 4.464, true}, {-10, -4.464, true}, {126, 708.7, true}} {
		got, ok := (&PositionReport{Turn: tc.turn}).RateOfTurn()
		if ok != tc.ok || (ok && !math.IsInf(tc.want, 0) && math.Abs(got-tc.want) > 0.01) || (math.IsInf(tc.want, 0) && got != tc.want) {
			t.Errorf("turn %d: %v %v, want %v %v", tc.turn, got, ok, tc.want, tc.ok)
		}
	}
	na := &PositionReport{Lat: LatNA, Lon: LonNA, Speed: SpeedNA, Course: CourseNA, Heading: HeadingNA}
	if _, _, ok := na.Position(); ok {
		t.Error("n/a position reported ok")
	}
	if _, ok := Knots(na.Speed); ok {
		t.Error("n/a speed reported ok")
	}
	if _, ok := Degrees(na.Course); ok {
		t.Error("n/a course reported ok")
	}
	if _, ok := na.HeadingDegrees(); ok {
		t.Error("n/a heading reported ok")
	}
	lr := &LongRangePosition{Lat: -52239, Lon: -92521}
	if lat, lon, ok := lr.Position(); !ok || math.Abs(lat+87.065) > 1e-3 || math.Abs(lon+154.2017) > 1e-3 {
		t.Errorf("type 27 position %v %v %v", lat, lon, ok)
	}
}
