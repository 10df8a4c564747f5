package bus

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// ErrBadMessage: a message on the bus is not an encoded observation.
var ErrBadMessage = errors.New("bus: bad message")

// wireObs is an observation on the bus: JSON, with missing speeds and
// courses as absent fields (JSON has no NaN).
type wireObs struct {
	P    *wirePos       `json:"p,omitempty"`
	S    *vessel.Static `json:"s,omitempty"`
	File string         `json:"f,omitempty"`
	Line int            `json:"l,omitempty"`
	// End marks the end of a publisher's run (EncodeEnd).
	End string `json:"end,omitempty"`
	// Run names the publisher's run an observation belongs to
	// (EncodeRunObservation): stages after the tracker keep runs apart.
	Run string `json:"r,omitempty"`
}

type wirePos struct {
	MMSI    uint32       `json:"mmsi"`
	Time    time.Time    `json:"t"`
	Lat     float64      `json:"lat"`
	Lon     float64      `json:"lon"`
	SOG     *float32     `json:"sog,omitempty"`
	COG     *float32     `json:"cog,omitempty"`
	Heading uint16       `json:"hdg"`
	Status  uint8        `json:"st"`
	Class   vessel.Class `json:"c,omitempty"`
	MsgType uint8        `json:"mt,omitempty"`
	Source  string       `json:"src,omitempty"`
}

func notNaN(f float32) *float32 {
	if f != f {
		return nil
	}
	return &f
}

func orNaN(p *float32) float32 {
	if p == nil {
		return vessel.NA
	}
	return *p
}

// EncodeObservation encodes o for the bus, as part of no named run.
func EncodeObservation(o vessel.Observation) ([]byte, error) { return EncodeRunObservation(o, "") }

// EncodeRunObservation encodes o for the bus as part of run, the run whose
// end-of-run marker (EncodeEnd) will follow it.
func EncodeRunObservation(o vessel.Observation, run string) ([]byte, error) {
	if (o.Position == nil) == (o.Static == nil) {
		return nil, fmt.Errorf("%w: observation must hold a position or static data", ErrBadMessage)
	}
	w := wireObs{S: o.Static, File: o.File, Line: o.Line, Run: run}
	if p := o.Position; p != nil {
		w.P = &wirePos{MMSI: p.MMSI, Time: p.Time.UTC(), Lat: p.Lat, Lon: p.Lon, SOG: notNaN(p.SOG), COG: notNaN(p.COG),
			Heading: p.Heading, Status: p.Status, Class: p.Class, MsgType: p.MsgType, Source: p.Source}
	}
	if s := o.Static; s != nil && s.Draught != s.Draught {
		st := *s
		st.Draught = 0
		w.S = &st
	}
	b, err := json.Marshal(&w)
	if err != nil {
		return nil, fmt.Errorf("bus: encoding observation: %w", err)
	}
	return b, nil
}

// EncodeEnd encodes the end-of-run marker of run: its publisher has
// published every observation of the run before it (Publisher.PublishEnd
// puts one on every partition). A worker ends its tracking there, as a
// single-process ingest does at the end of its input.
func EncodeEnd(run string) []byte {
	b, _ := json.Marshal(wireObs{End: run})
	return b
}

// Decode decodes a message made by EncodeObservation or EncodeEnd: for an
// end-of-run marker it returns the run (non-empty) and no observation.
func Decode(b []byte) (o vessel.Observation, end string, err error) {
	m, err := DecodeMessage(b)
	if err != nil || m.End {
		return vessel.Observation{}, m.Run, err
	}
	return m.Obs, "", nil
}

// Message is a decoded message of the observation stream: an observation
// (of Run, when its publisher named one), or the end of Run.
type Message struct {
	Obs vessel.Observation
	Run string
	End bool
}

// DecodeMessage decodes a message made by EncodeObservation,
// EncodeRunObservation or EncodeEnd.
func DecodeMessage(b []byte) (Message, error) {
	var w wireObs
	if err := json.Unmarshal(b, &w); err != nil {
		return Message{}, fmt.Errorf("%w: %w", ErrBadMessage, err)
	}
	if w.End != "" {
		if w.P != nil || w.S != nil || (w.Run != "" && w.Run != w.End) {
			return Message{}, fmt.Errorf("%w: end-of-run marker with an observation", ErrBadMessage)
		}
		return Message{Run: w.End, End: true}, nil
	}
	o, err := w.observation()
	if err != nil {
		return Message{}, err
	}
	return Message{Obs: o, Run: w.Run}, nil
}

// DecodeObservation decodes a message made by EncodeObservation. It checks
// what a worker relies on: exactly one of position and static data, a
// time, an in-range position.
func DecodeObservation(b []byte) (vessel.Observation, error) {
	var w wireObs
	if err := json.Unmarshal(b, &w); err != nil {
		return vessel.Observation{}, fmt.Errorf("%w: %w", ErrBadMessage, err)
	}
	return w.observation()
}

func (w *wireObs) observation() (vessel.Observation, error) {
	if (w.P == nil) == (w.S == nil) {
		return vessel.Observation{}, fmt.Errorf("%w: neither or both of position and static data", ErrBadMessage)
	}
	o := vessel.Observation{Static: w.S, File: w.File, Line: w.Line}
	if p := w.P; p != nil {
		if p.Time.IsZero() || math.IsNaN(p.Lat) || p.Lat < -91 || p.Lat > 91 || p.Lon < -181 || p.Lon > 181 {
			return vessel.Observation{}, fmt.Errorf("%w: position of mmsi %d: time %v lat/lon %g,%g", ErrBadMessage, p.MMSI, p.Time, p.Lat, p.Lon)
		}
		o.Position = &vessel.Position{MMSI: p.MMSI, Time: p.Time.UTC(), Lat: p.Lat, Lon: p.Lon, SOG: orNaN(p.SOG), COG: orNaN(p.COG),
			Heading: p.Heading, Status: p.Status, Class: p.Class, MsgType: p.MsgType, Source: p.Source}
	}
	if s := o.Static; s != nil {
		if s.Time.IsZero() {
			return vessel.Observation{}, fmt.Errorf("%w: static data of mmsi %d without time", ErrBadMessage, s.MMSI)
		}
		s.Time = s.Time.UTC()
	}
	return o, nil
}
