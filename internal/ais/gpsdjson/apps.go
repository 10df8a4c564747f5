package gpsdjson

import (
	"strconv"

	"github.com/lookout-maritime/lookout/internal/ais"
)

// app renders a decoded DAC/FI application; false when there is none. The
// fields, their order, scaling and labels are gpsd 3.22's. Where gpsd's
// output is not valid JSON (a missing comma in DAC 1 FI 19, unescaped
// quotes in labels and in some inland text fields) Lookout writes the
// valid equivalent.
func (w *writer) app(app any) bool {
	switch m := app.(type) {
	case *ais.DangerousCargo:
		w.str("lastport", m.LastPort)
		w.str("departure", monthDayTime(m.LMonth, m.LDay, m.LHour, m.LMinute))
		w.str("nextport", m.NextPort)
		w.str("eta", monthDayTime(m.NMonth, m.NDay, m.NHour, m.NMinute))
		w.str("dangerous", m.Dangerous)
		w.str("imdcat", m.IMDCat)
		w.int("unid", int64(m.UNID))
		w.int("amount", int64(m.Amount))
		w.int("unit", int64(m.Unit))
	case *ais.TidalWindow:
		w.int("month", int64(m.Month))
		w.int("day", int64(m.Day))
		w.key("tidals")
		w.b = append(w.b, '[')
		for i := range m.Tidals {
			t := &m.Tidals[i]
			at := w.openObj(i)
			w.latlon3("lon", t.Lon)
			w.latlon3("lat", t.Lat)
			w.int("from_hour", int64(t.FromHour))
			w.int("from_min", int64(t.FromMin))
			w.int("to_hour", int64(t.ToHour))
			w.int("to_min", int64(t.ToMin))
			w.int("cdir", int64(t.CDir))
			w.tenths("cspeed", int64(t.CSpeed))
			w.closeObj(at)
		}
		w.b = append(w.b, ']')
	case *ais.AirDraught:
		w.int("airdraught", int64(m.AirDraught))
	case *ais.PersonsOnBoard:
		if m.Broadcast {
			// gpsd 3.22 prints the type 6 union member, always 0 here.
			w.int("persons", 0)
		} else {
			w.int("persons", int64(m.Persons))
		}
	case *ais.ClearanceTime:
		w.int("linkage", int64(m.Linkage))
		w.str("arrival", monthDayTime(m.Month, m.Day, m.Hour, m.Minute))
		w.str("portname", m.PortName)
		w.str("destination", m.Destination)
		w.latlon3("lon", m.Lon)
		w.latlon3("lat", m.Lat)
	case *ais.BerthingData:
		w.int("linkage", int64(m.Linkage))
		w.int("berth_length", int64(m.BerthLength))
		w.int("position", int64(m.Position))
		w.label("position_text", positionText[m.Position&7])
		w.str("arrival", unpaddedTime(m.Month, m.Day, m.Hour, m.Minute))
		w.int("availability", b2i(m.Availability))
		for i, s := range m.Services {
			w.int(ais.BerthServices[i], int64(s))
		}
		w.str("berth_name", m.BerthName)
		w.latlon3("berth_lon", m.BerthLon)
		w.latlon3("berth_lat", m.BerthLat)
		if w.scaled {
			w.fixed("berth_depth", float64(m.BerthDepth)*0.1, 1)
		} else {
			w.int("berth_depth", int64(m.BerthDepth))
		}
	case *ais.CargoIndication:
		w.int("unit", int64(m.Unit))
		w.int("amount", int64(m.Amount))
		w.key("cargos")
		w.b = append(w.b, '[')
		for i, c := range m.Cargos {
			at := w.openObj(i)
			w.int("code", int64(c.Code))
			w.int("subtype", int64(c.Subtype))
			w.closeObj(at)
		}
		w.b = append(w.b, ']')
	case *ais.RouteInfo:
		w.int("linkage", int64(m.Linkage))
		w.int("sender", int64(m.Sender))
		w.int("rtype", int64(m.RType))
		w.label("rtype_text", routeTypeText(m.RType))
		w.str("start", monthDayTime(m.Month, m.Day, m.Hour, m.Minute))
		w.int("duration", int64(m.Duration))
		w.key("waypoints")
		w.b = append(w.b, '[')
		for i, p := range m.Waypoints {
			at := w.openObj(i)
			w.latlon4("lon", p.Lon)
			w.latlon4("lat", p.Lat)
			w.closeObj(at)
		}
		w.b = append(w.b, ']')
	case *ais.TextDescription:
		w.int("linkage", int64(m.Linkage))
		w.str("text", m.Text)
	case *ais.InlandETA:
		w.inlandPlace(m.Country, m.Locode, m.Section, m.Terminal, m.Hectometre)
		w.str("eta", unpaddedTime(m.Month, m.Day, m.Hour, m.Minute))
		w.int("tugs", int64(m.Tugs))
		w.int("airdraught", int64(m.AirDraught))
	case *ais.InlandRTA:
		w.inlandPlace(m.Country, m.Locode, m.Section, m.Terminal, m.Hectometre)
		w.str("eta", unpaddedTime(m.Month, m.Day, m.Hour, m.Minute))
		w.int("status", int64(m.Status))
		w.label("status_text", rtaStatusText[m.Status&3])
	case *ais.InlandPersons:
		w.int("crew", int64(m.Crew))
		w.int("passengers", int64(m.Passengers))
		w.int("personnel", int64(m.Personnel))
	case *ais.AtoNMonitoring:
		w.bool("off_pos", m.OffPos)
		w.bool("alarm", m.Alarm)
		w.int("stat_ext", int64(m.StatExt))
		w.volts("ana_int", m.AnaInt)
		w.volts("ana_ext1", m.AnaExt1)
		w.volts("ana_ext2", m.AnaExt2)
		w.int("racon", int64(m.Racon))
		w.label("racon_text", raconText[m.Racon&3])
		w.int("light", int64(m.Light))
		w.label("light_text", lightText[m.Light&3])
	case *ais.MetHydro:
		w.metHydro(m)
	case *ais.FairwayClosed:
		w.str("reason", m.Reason)
		w.str("closefrom", m.CloseFrom)
		w.str("closeto", m.CloseTo)
		w.int("radius", int64(m.Radius))
		w.int("extunit", int64(m.ExtUnit))
		w.str("from", string(appendMonthDayTime(nil, m.FMonth, m.FDay, m.FHour, m.FMinute)))
		w.str("to", string(appendMonthDayTime(nil, m.TMonth, m.TDay, m.THour, m.TMinute)))
	case *ais.VTSTargets:
		w.key("targets")
		w.b = append(w.b, '[')
		for i := range m.Targets {
			t := &m.Targets[i]
			at := w.openObj(i)
			w.int("idtype", int64(t.IDType))
			name := idTypeText[t.IDType&3]
			w.label("idtype_text", name)
			if t.IDType < 2 {
				w.str(name, strconv.FormatUint(uint64(t.ID), 10))
			} else {
				w.str(name, t.IDText)
			}
			w.latlon3("lat", t.Lat)
			w.latlon3("lon", t.Lon)
			w.int("course", int64(t.Course))
			w.int("second", int64(t.Second))
			w.int("speed", int64(t.Speed))
			w.closeObj(at)
		}
		w.b = append(w.b, ']')
	case *ais.TrafficSignal:
		w.int("linkage", int64(m.Linkage))
		w.str("station", m.Station)
		// gpsd prints this position scaled in both forms.
		w.fixed("lon", float64(m.Lon)/60000, 4)
		w.fixed("lat", float64(m.Lat)/60000, 4)
		w.int("status", int64(m.Status))
		w.int("signal", int64(m.Signal))
		w.label("signal_text", signalText(m.Signal))
		w.int("hour", int64(m.Hour))
		w.int("minute", int64(m.Minute))
		w.int("nextsignal", int64(m.NextSignal))
		w.label("nextsignal_text", signalText(m.NextSignal))
	case *ais.InlandStatic:
		w.str("vin", m.VIN)
		w.int("length", int64(m.Length))
		w.int("beam", int64(m.Beam))
		w.int("shiptype", int64(m.ShipType))
		w.label("shiptype_text", eriShipTypeText(m.ShipType))
		w.int("hazard", int64(m.Hazard))
		w.label("hazard_text", hazardText(m.Hazard))
		w.int("draught", int64(m.Draught))
		w.int("loaded", int64(m.Loaded))
		w.label("loaded_text", loadedText[m.Loaded&3])
		w.bool("speed_q", m.SpeedQ)
		w.bool("course_q", m.CourseQ)
		w.bool("heading_q", m.HeadingQ)
	case *ais.EMMAWarning:
		// gpsd 3.22 prints the start as year-month-hourTminute:day.
		w.str("start", emmaTime(m.StartYear, m.StartMonth, m.StartHour, m.StartMinute, m.StartDay))
		w.str("end", emmaTime(m.EndYear, m.EndMonth, m.EndDay, m.EndHour, m.EndMinute))
		w.latlon4("start_lon", m.StartLon)
		w.latlon4("start_lat", m.StartLat)
		w.latlon4("end_lon", m.EndLon)
		w.latlon4("end_lat", m.EndLat)
		w.int("type", int64(m.Type))
		w.label("type_text", pick(emmaTypeText[:], int(m.Type), "INVALID EMMA TYPE"))
		w.int("min", int64(m.Min))
		w.int("max", int64(m.Max))
		// gpsd names the intensity "class", repeating the object's key.
		w.int("class", int64(m.Intensity))
		w.label("class_text", pick(emmaClassText[:], int(m.Intensity), "INVALID EMMA TYPE"))
		w.int("wind", int64(m.Wind))
		w.label("wind_text", pick(emmaWindText[:], int(m.Wind), "INVALID EMMA WIND DIRECTION"))
	case *ais.WaterLevels:
		w.str("country", m.Country)
		w.key("gauges")
		w.b = append(w.b, '[')
		for i, g := range m.Gauges {
			at := w.openObj(i)
			w.int("id", int64(g.ID))
			w.int("level", int64(g.Level))
			w.closeObj(at)
		}
		w.b = append(w.b, ']')
	case *ais.SignalStatus:
		w.latlon4("lon", m.Lon)
		w.latlon4("lat", m.Lat)
		w.int("form", int64(m.Form))
		w.int("facing", int64(m.Facing))
		w.int("direction", int64(m.Direction))
		w.label("direction_text", pick(directionText[:], int(m.Direction), "INVALID DIRECTION"))
		w.int("status", int64(m.Status))
		w.label("status_text", pick(lightStatusText[:], int(m.Status), "INVALID STATUS"))
	default:
		return false
	}
	return true
}

func (w *writer) metHydro(m *ais.MetHydro) {
	w.latlon3("lat", m.Lat)
	w.latlon3("lon", m.Lon)
	if !m.IMO236 {
		w.bool("accuracy", m.Accuracy)
	}
	b := make([]byte, 0, 10)
	b = pad(b, int(m.Day), 2)
	b = append(b, 'T')
	b = pad(b, int(m.Hour), 2)
	b = append(b, ':')
	b = pad(b, int(m.Minute), 2)
	w.str("timestamp", string(append(b, 'Z')))
	w.int("wspeed", int64(m.WSpeed))
	w.int("wgust", int64(m.WGust))
	w.int("wdir", int64(m.WDir))
	w.int("wgustdir", int64(m.WGustDir))
	w.int("humidity", int64(m.Humidity))
	// IMO236 codes temperatures and the water level with an offset.
	var airOff, dewOff, waterOff, levelOff float64
	pressOff := int64(799)
	if m.IMO236 {
		airOff, dewOff, waterOff, levelOff, pressOff = 600, 200, 100, 100, 800
	}
	if w.scaled {
		w.fixed("airtemp", (float64(m.AirTemp)-airOff)/10, 1)
		w.fixed("dewpoint", (float64(m.DewPoint)-dewOff)/10, 1)
		w.int("pressure", int64(m.Pressure)+pressOff)
		w.label("pressuretend", trendText[m.PressTend&3])
	} else {
		w.int("airtemp", int64(m.AirTemp))
		w.int("dewpoint", int64(m.DewPoint))
		w.int("pressure", int64(m.Pressure))
		w.int("pressuretend", int64(m.PressTend))
	}
	if !m.IMO236 {
		w.bool("visgreater", m.VisGreater)
	}
	w.tenths("visibility", int64(m.Visibility))
	if w.scaled {
		level := (float64(m.WaterLevel) - levelOff) / 10
		if !m.IMO236 {
			// gpsd 3.22 subtracts the offset in unsigned arithmetic:
			// levels below 0 m wrap around 2^32.
			level = float64(uint32(m.WaterLevel)-1000) / 100
		}
		w.fixed("waterlevel", level, 1)
		w.label("leveltrend", trendText[m.LevelTrend&3])
	} else {
		w.int("waterlevel", int64(m.WaterLevel))
		w.int("leveltrend", int64(m.LevelTrend))
	}
	w.tenths("cspeed", int64(m.CSpeed))
	w.int("cdir", int64(m.CDir))
	w.tenths("cspeed2", int64(m.CSpeed2))
	w.int("cdir2", int64(m.CDir2))
	w.int("cdepth2", int64(m.CDepth2))
	w.tenths("cspeed3", int64(m.CSpeed3))
	w.int("cdir3", int64(m.CDir3))
	w.int("cdepth3", int64(m.CDepth3))
	w.tenths("waveheight", int64(m.WaveHeight))
	w.int("waveperiod", int64(m.WavePeriod))
	w.int("wavedir", int64(m.WaveDir))
	w.tenths("swellheight", int64(m.SwellHeight))
	w.int("swellperiod", int64(m.SwellPeriod))
	w.int("swelldir", int64(m.SwellDir))
	w.int("seastate", int64(m.SeaState))
	if w.scaled {
		w.fixed("watertemp", (float64(m.WaterTemp)-waterOff)/10, 1)
	} else {
		w.int("watertemp", int64(m.WaterTemp))
	}
	precip, ice := precipText[m.PrecipType&7], iceText[m.Ice&3]
	switch {
	case m.IMO236:
		w.int("preciptype", int64(m.PrecipType))
		w.label("preciptype_text", precip)
		w.tenths("salinity", int64(m.Salinity))
		w.int("ice", int64(m.Ice))
		w.label("ice_text", ice)
	case w.scaled:
		w.label("preciptype", precip)
		w.tenths("salinity", int64(m.Salinity))
		w.label("ice", ice)
	default:
		w.int("preciptype", int64(m.PrecipType))
		w.int("salinity", int64(m.Salinity))
		w.int("ice", int64(m.Ice))
	}
}

// openObj starts the i-th object of an array, returning where its first
// key's separating comma will be; closeObj drops that comma and ends it.
func (w *writer) openObj(i int) int {
	if i > 0 {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, '{')
	return len(w.b)
}

func (w *writer) closeObj(at int) {
	if at < len(w.b) && w.b[at] == ',' {
		w.b = append(w.b[:at], w.b[at+1:]...)
	}
	w.b = append(w.b, '}')
}

// label writes a string gpsd prints unescaped (its legends, some with
// UTF-8): quotes and backslashes are escaped to keep the JSON valid, other
// bytes pass through.
func (w *writer) label(k, v string) {
	w.key(k)
	w.b = append(w.b, '"')
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == '"' || c == '\\' {
			w.b = append(w.b, '\\', c)
		} else {
			w.b = append(w.b, c)
		}
	}
	w.b = append(w.b, '"')
}

// latlon3 writes a 1/1000-minute coordinate: degrees with 4 decimals when
// scaled.
func (w *writer) latlon3(k string, v int32) {
	if w.scaled {
		w.fixed(k, float64(v)/60000, 4)
	} else {
		w.int(k, int64(v))
	}
}

// latlon4 writes a 1/10000-minute coordinate: degrees with 6 decimals when
// scaled.
func (w *writer) latlon4(k string, v int32) {
	if w.scaled {
		w.fixed(k, float64(v)/600000, 6)
	} else {
		w.int(k, int64(v))
	}
}

// tenths writes v/10 with one decimal when scaled.
func (w *writer) tenths(k string, v int64) {
	if w.scaled {
		w.fixed(k, float64(v)/10, 1)
	} else {
		w.int(k, v)
	}
}

// volts writes a GLA analogue input: 0.05 V steps, 2 decimals when scaled
// and not zero (gpsd prints a zero reading as the integer 0).
func (w *writer) volts(k string, v uint16) {
	if w.scaled && v != 0 {
		w.fixed(k, float64(v)*0.05, 2)
	} else {
		w.int(k, int64(v))
	}
}

func (w *writer) inlandPlace(country, locode, section, terminal, hectometre string) {
	w.str("country", country)
	w.str("locode", locode)
	w.str("section", section)
	w.str("terminal", terminal)
	w.str("hectometre", hectometre)
}

// monthDayTime is gpsd's "MM-DDTHH:MMZ".
func monthDayTime(month, day, hour, minute uint8) string {
	b := make([]byte, 0, 12)
	return string(append(appendMonthDayTime(b, month, day, hour, minute), 'Z'))
}

func appendMonthDayTime(b []byte, month, day, hour, minute uint8) []byte {
	b = pad(b, int(month), 2)
	b = append(b, '-')
	b = pad(b, int(day), 2)
	b = append(b, 'T')
	b = pad(b, int(hour), 2)
	b = append(b, ':')
	return pad(b, int(minute), 2)
}

// unpaddedTime is gpsd's "%u-%uT%u:%u".
func unpaddedTime(month, day, hour, minute uint8) string {
	b := make([]byte, 0, 12)
	b = strconv.AppendUint(b, uint64(month), 10)
	b = append(b, '-')
	b = strconv.AppendUint(b, uint64(day), 10)
	b = append(b, 'T')
	b = strconv.AppendUint(b, uint64(hour), 10)
	b = append(b, ':')
	return string(strconv.AppendUint(b, uint64(minute), 10))
}

// emmaTime is gpsd's "%4u-%02u-%02uT%02u:%02u" with the year from 2000.
func emmaTime(year, a, b, c, d uint8) string {
	s := make([]byte, 0, 16)
	s = strconv.AppendUint(s, 2000+uint64(year), 10)
	s = append(s, '-')
	return string(appendMonthDayTime(s, a, b, c, d))
}

func pick(table []string, i int, invalid string) string {
	if i < len(table) {
		return table[i]
	}
	return invalid
}

var raconText = [4]string{"No RACON installed", "RACON not monitored", "RACON operational", "RACON ERROR"}

var lightText = [4]string{"No light or no monitoring", "Light ON", "Light OFF", "Light ERROR"}

var rtaStatusText = [4]string{"Operational", "Limited operation", "Out of order", "N/A"}

var positionText = [8]string{
	"Not available", "Port-side to", "Starboard-side to", "Mediterranean (end-on) mooring",
	"Mooring buoy", "Anchorage", "Reserved for future use", "Reserved for future use",
}

func routeTypeText(t uint8) string {
	switch {
	case t < 6:
		return [...]string{"Undefined (default)", "Mandatory", "Recommended", "Alternative",
			"Recommended route through ice", "Ship route plan"}[t]
	case t == 31:
		return "Cancel route identified by message linkage"
	}
	return "Reserved for future use."
}

var idTypeText = [4]string{"mmsi", "imo", "callsign", "other"}

func signalText(s uint8) string {
	return pick([]string{
		"N/A",
		"Serious emergency – stop or divert according to instructions.",
		"Vessels shall not proceed.",
		"Vessels may proceed. One way traffic.",
		"Vessels may proceed. Two way traffic.",
		"Vessels shall proceed on specific orders only.",
		"Vessels in main channel shall not proceed.",
		"Vessels in main channel shall proceed on specific orders only.",
		"Vessels in main channel shall proceed on specific orders only.",
		`I = "in-bound" only acceptable.`,
		`O = "out-bound" only acceptable.`,
		`F = both "in- and out-bound" acceptable.`,
		`XI = Code will shift to "I" in due time.`,
		`XO = Code will shift to "O" in due time.`,
		"X = Vessels shall proceed only on direction.",
	}, int(s), "INVALID SIGNAL TYPE")
}

var trendText = [4]string{"steady", "increasing", "decreasing", "N/A"}

// precipText follows WMO 306 code table 4.201.
var precipText = [8]string{"reserved", "rain", "thunderstorm", "freezing rain", "mixed/ice", "snow", "reserved", "N/A"}

var iceText = [4]string{"no", "yes", "reserved", "N/A"}

func hazardText(h uint8) string {
	return pick([]string{"0 blue cones/lights", "1 blue cone/light", "2 blue cones/lights",
		"3 blue cones/lights", "4 B-Flag", "Unknown"}, int(h), "INVALID HAZARD TYPE")
}

var loadedText = [4]string{"N/A (default)", "Unloaded", "Loaded", "INVALID LOAD STATUS"}

var emmaTypeText = [...]string{"Not Available", "Wind", "Rain", "Snow and ice", "Thunderstorm",
	"Fog", "Low temperature", "High temperature", "Flood", "Forest Fire"}

var emmaClassText = [...]string{"Slight", "Medium", "Strong"}

var emmaWindText = [...]string{"N/A", "North", "North East", "East", "South East", "South",
	"South West", "West", "North West"}

var directionText = [...]string{"Unknown", "Upstream", "Downstream", "To left bank", "To right bank"}

var lightStatusText = [...]string{"Unknown", "No light", "White", "Yellow", "Green", "Red",
	"White flashing", "Yellow flashing."}

// eriShipTypes are the Inland AIS (ERI) ship types gpsd names, each with
// the M.1371 ship type it also matches: gpsd takes the first entry whose
// ERI code or M.1371 code equals the value.
var eriShipTypes = [...]struct {
	eri, ais uint16
	text     string
}{
	{8000, 99, "Vessel, type unknown"},
	{8010, 79, "Motor freighter"},
	{8020, 89, "Motor tanker"},
	{8021, 80, "Motor tanker, liquid cargo, type N"},
	{8022, 80, "Motor tanker, liquid cargo, type C"},
	{8023, 89, "Motor tanker, dry cargo as if liquid (e.g. cement)"},
	{8030, 79, "Container vessel"},
	{8040, 80, "Gas tanker"},
	{8050, 79, "Motor freighter, tug"},
	{8060, 89, "Motor tanker, tug"},
	{8070, 79, "Motor freighter with one or more ships alongside"},
	{8080, 89, "Motor freighter with tanker"},
	{8090, 79, "Motor freighter pushing one or more freighters"},
	{8100, 89, "Motor freighter pushing at least one tank-ship"},
	{8110, 79, "Tug, freighter"},
	{8120, 89, "Tug, tanker"},
	{8130, 31, "Tug freighter, coupled"},
	{8140, 31, "Tug, freighter/tanker, coupled"},
	{8150, 99, "Freightbarge"},
	{8160, 99, "Tankbarge"},
	{8161, 90, "Tankbarge, liquid cargo, type N"},
	{8162, 90, "Tankbarge, liquid cargo, type C"},
	{8163, 99, "Tankbarge, dry cargo as if liquid (e.g. cement)"},
	{8170, 99, "Freightbarge with containers"},
	{8180, 90, "Tankbarge, gas"},
	{8210, 79, "Pushtow, one cargo barge"},
	{8220, 79, "Pushtow, two cargo barges"},
	{8230, 79, "Pushtow, three cargo barges"},
	{8240, 79, "Pushtow, four cargo barges"},
	{8250, 79, "Pushtow, five cargo barges"},
	{8260, 79, "Pushtow, six cargo barges"},
	{8270, 79, "Pushtow, seven cargo barges"},
	{8280, 79, "Pushtow, eigth cargo barges"},
	{8290, 79, "Pushtow, nine or more barges"},
	{8310, 80, "Pushtow, one tank/gas barge"},
	{8320, 80, "Pushtow, two barges at least one tanker or gas barge"},
	{8330, 80, "Pushtow, three barges at least one tanker or gas barge"},
	{8340, 80, "Pushtow, four barges at least one tanker or gas barge"},
	{8350, 80, "Pushtow, five barges at least one tanker or gas barge"},
	{8360, 80, "Pushtow, six barges at least one tanker or gas barge"},
	{8370, 80, "Pushtow, seven barges at least one tanker or gas barg"},
}

func eriShipTypeText(t uint16) string {
	for _, e := range eriShipTypes {
		if e.eri == t || e.ais == t {
			return e.text
		}
	}
	return "Illegal ship type value."
}
