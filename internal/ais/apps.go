package ais

// Applications of binary messages 6 (addressed) and 8 (broadcast): the
// payloads named by a designated area code (DAC) and function identifier
// (FI). Lookout decodes the ones gpsd 3.22 decodes, with gpsd's field
// layout and its acceptance rules (some applications only at one exact
// message length), so that a message gpsd prints as raw "data" is left
// undecoded here too. Field values are the raw on-air integers; where gpsd
// reads a field from another place than the standard puts it, the comment
// says so, and the field holds what gpsd reads.
//
// Sources: IMO SN.1/Circ.236 (DAC 1, FI 11-16, the 2004 applications),
// IMO SN.1/Circ.289 (DAC 1, FI 16-32), the Inland AIS standard (DAC 200)
// and the GLA AtoN monitoring message (DAC 235 and 250, FI 10).

// DangerousCargo is DAC 1 FI 12 of message 6 (IMO236 dangerous cargo
// indication).
type DangerousCargo struct {
	LastPort                     string // UN/LOCODE, 5 characters
	LMonth, LDay, LHour, LMinute uint8  // departure from the last port
	NextPort                     string // UN/LOCODE, 5 characters
	NMonth, NDay, NHour, NMinute uint8  // ETA at the next port
	Dangerous                    string // main dangerous good, 20 characters
	IMDCat                       string // IMD category, 4 characters
	UNID                         uint16 // UN number
	Amount                       uint16
	Unit                         uint8 // 0 n/a, 1 kg, 2 t, 3 1000 t
}

// TidalWindow is DAC 1 FI 14 (IMO236) or FI 32 (IMO289) of message 6.
type TidalWindow struct {
	IMO236     bool // FI 14 layout: 27-bit latitude first, 7-bit speed
	Month, Day uint8
	Tidals     []Tidal
}

// Tidal is one point of a tidal window. gpsd prints both layouts' positions
// in 1/1000 minute.
type Tidal struct {
	Lon, Lat          int32
	FromHour, FromMin uint8
	ToHour, ToMin     uint8
	CDir              uint16 // current direction, degrees
	CSpeed            uint8  // current speed, 0.1 kn
}

// AirDraught is DAC 1 FI 15 (IMO236 extended ship static and voyage data).
// gpsd reads the 11 bits at message offset 56 for both message types: the
// application data of message 8, but the destination MMSI of message 6.
type AirDraught struct {
	AirDraught uint16 // 0.1 m
}

// PersonsOnBoard is DAC 1 FI 16 (number of persons on board). For message
// 6 gpsd reads the IMO289 field at bit 88 when the application data is 136
// bits long, otherwise 13 bits from offset 55 (inside the destination
// MMSI); for message 8 (only 72 or 136 bits of data) it prints 0, reading
// the count from the wrong union member: Broadcast marks that case and
// Persons holds the 13 bits at the start of the data.
type PersonsOnBoard struct {
	Persons   uint16
	Broadcast bool
}

// ClearanceTime is DAC 1 FI 18 of message 6 (IMO289 clearance time to
// enter port).
type ClearanceTime struct {
	Linkage                  uint16
	Month, Day, Hour, Minute uint8
	PortName                 string // 20 characters
	Destination              string // UN/LOCODE, 5 characters
	Lon, Lat                 int32  // 1/1000 min
}

// BerthServices names the 26 two-bit service fields of BerthingData, in
// order.
var BerthServices = [26]string{
	"agent", "fuel", "chandler", "stevedore", "electrical", "water",
	"customs", "cartage", "crane", "lift", "medical", "navrepair",
	"provisions", "shiprepair", "surveyor", "steam", "tugs", "solidwaste",
	"liquidwaste", "hazardouswaste", "ballast", "additional", "regional1",
	"regional2", "future1", "future2",
}

// BerthingData is DAC 1 FI 20 of message 6 (IMO289 berthing data).
type BerthingData struct {
	Linkage                  uint16
	BerthLength              uint16 // m
	BerthDepth               uint8  // 0.1 m
	Position                 uint8  // mooring position
	Month, Day, Hour, Minute uint8
	Availability             bool
	Services                 [26]uint8 // see BerthServices
	BerthName                string    // 20 characters
	BerthLon, BerthLat       int32     // 1/1000 min
}

// CargoIndication is DAC 1 FI 25 of message 6 (IMO289 dangerous cargo
// indication).
type CargoIndication struct {
	Unit   uint8
	Amount uint16
	Cargos []Cargo
}

// Cargo is one cargo entry of CargoIndication.
type Cargo struct {
	Code    uint8
	Subtype uint16
}

// RouteInfo is DAC 1 FI 28 of message 6 and FI 27 of message 8 (IMO289
// route information).
type RouteInfo struct {
	Linkage                  uint16
	Sender                   uint8
	RType                    uint8  // route type
	Month, Day, Hour, Minute uint8  // start
	Duration                 uint32 // minutes
	Waypoints                []Waypoint
}

// Waypoint is one point of a route, in 1/10000 minute.
type Waypoint struct {
	Lon, Lat int32
}

// TextDescription is DAC 1 FI 30 of message 6 and FI 29 of message 8
// (IMO289 text description).
type TextDescription struct {
	Linkage uint16
	Text    string
}

// InlandETA is DAC 200 FI 21 of message 6 (Inland AIS ETA at lock, bridge
// or terminal); gpsd decodes it only at exactly 248 bits.
type InlandETA struct {
	Country                  string // 2 characters
	Locode                   string // 3 characters
	Section                  string // fairway section, 5 characters
	Terminal                 string // 5 characters
	Hectometre               string // 5 characters
	Month, Day, Hour, Minute uint8
	Tugs                     uint8
	AirDraught               uint16 // cm
}

// InlandRTA is DAC 200 FI 22 of message 6 (Inland AIS RTA at lock, bridge
// or terminal); gpsd decodes it only at exactly 232 bits.
type InlandRTA struct {
	Country                  string
	Locode                   string
	Section                  string
	Terminal                 string
	Hectometre               string
	Month, Day, Hour, Minute uint8
	Status                   uint8
}

// InlandPersons is DAC 200 FI 55 of message 6 (Inland AIS number of
// persons on board); gpsd decodes it only at exactly 168 bits.
type InlandPersons struct {
	Crew       uint8
	Passengers uint16
	Personnel  uint8
}

// AtoNMonitoring is DAC 235 or 250 FI 10 of message 6 (UK and Republic of
// Ireland GLA AtoN monitoring data); gpsd decodes it only at exactly 136
// bits.
type AtoNMonitoring struct {
	AnaInt, AnaExt1, AnaExt2 uint16 // analogue inputs, 0.05 V
	Racon                    uint8
	Light                    uint8
	Alarm                    bool
	StatExt                  uint8 // digital inputs
	OffPos                   bool
}

// MetHydro is DAC 1 FI 11 (IMO236) or FI 31 (IMO289) of message 8,
// meteorological and hydrographic data. The two layouts differ in
// position resolution, signedness of temperatures and some widths.
type MetHydro struct {
	IMO236      bool  // FI 11
	Lon, Lat    int32 // 1/1000 min
	Accuracy    bool  // FI 31 only
	Day         uint8
	Hour        uint8
	Minute      uint8
	WSpeed      uint8 // kn
	WGust       uint8
	WDir        uint16 // degrees
	WGustDir    uint16
	AirTemp     int16 // FI 11: 0.1 °C + 60 °C; FI 31: 0.1 °C signed
	Humidity    uint8 // %
	DewPoint    int16 // FI 11: 0.1 °C + 20 °C; FI 31: 0.1 °C signed
	Pressure    uint16
	PressTend   uint8
	VisGreater  bool  // FI 31 only
	Visibility  uint8 // 0.1 nm
	WaterLevel  uint16
	LevelTrend  uint8
	CSpeed      uint8 // 0.1 kn
	CDir        uint16
	CSpeed2     uint8
	CDir2       uint16
	CDepth2     uint8
	CSpeed3     uint8
	CDir3       uint16
	CDepth3     uint8
	WaveHeight  uint8 // 0.1 m
	WavePeriod  uint8
	WaveDir     uint16
	SwellHeight uint8
	SwellPeriod uint8
	SwellDir    uint16
	SeaState    uint8
	WaterTemp   int16 // FI 11: 0.1 °C + 10 °C; FI 31: 0.1 °C signed
	PrecipType  uint8
	Salinity    uint16 // 0.1 ‰
	Ice         uint8
}

// FairwayClosed is DAC 1 FI 13 of message 8 (IMO236 fairway closed).
type FairwayClosed struct {
	Reason                       string // 20 characters
	CloseFrom                    string
	CloseTo                      string
	Radius                       uint16
	ExtUnit                      uint8
	FDay, FMonth, FHour, FMinute uint8
	TDay, TMonth, THour, TMinute uint8
}

// VTSTargets is DAC 1 FI 17 of message 8 (IMO289 VTS-generated targets).
type VTSTargets struct {
	Targets []VTSTarget
}

// VTSTarget is one target; the identifier is read by IDType (0 MMSI, 1 IMO
// number, 2 call sign, 3 other).
type VTSTarget struct {
	IDType   uint8
	ID       uint32 // MMSI or IMO number: the low 32 bits of the 42-bit field
	IDText   string // call sign or other identifier, 7 characters
	Lat, Lon int32  // 1/1000 min
	Course   uint16
	Second   uint8
	Speed    uint16
}

// TrafficSignal is DAC 1 FI 19 of message 8 (IMO289 marine traffic
// signal).
type TrafficSignal struct {
	Linkage      uint16
	Station      string // 20 characters
	Lon, Lat     int32  // 1/1000 min
	Status       uint8
	Signal       uint8
	Hour, Minute uint8
	NextSignal   uint8
}

// InlandStatic is DAC 200 FI 10 of message 8 (Inland AIS ship static and
// voyage related data); gpsd decodes it only at exactly 168 bits and with a
// hazard code of at most 5.
type InlandStatic struct {
	VIN                       string // ENI, 8 characters
	Length, Beam              uint16 // 0.1 m
	ShipType                  uint16 // ERI code
	Hazard                    uint8
	Draught                   uint16 // cm
	Loaded                    uint8
	SpeedQ, CourseQ, HeadingQ bool
}

// EMMAWarning is DAC 200 FI 23 of message 8 (Inland AIS EMMA weather
// warning); gpsd decodes it only at exactly 256 bits.
type EMMAWarning struct {
	StartYear, StartMonth, StartDay, StartHour, StartMinute uint8
	EndYear, EndMonth, EndDay, EndHour, EndMinute           uint8
	StartLon, StartLat, EndLon, EndLat                      int32 // 1/10000 min
	Type                                                    uint8
	Min, Max                                                int16
	Intensity                                               uint8
	Wind                                                    uint8
}

// WaterLevels is DAC 200 FI 24 of message 8 (Inland AIS water levels);
// gpsd decodes it only at exactly 168 bits.
type WaterLevels struct {
	Country string // 2 characters
	Gauges  [4]Gauge
}

// Gauge is one water level gauge.
type Gauge struct {
	ID    uint16
	Level int16 // cm
}

// SignalStatus is DAC 200 FI 40 of message 8 (Inland AIS signal status);
// gpsd decodes it only at exactly 168 bits.
type SignalStatus struct {
	Lon, Lat  int32 // 1/10000 min
	Form      uint8
	Facing    uint16
	Direction uint8
	Status    uint32
}

// decodeApp decodes the known DAC/FI applications of types 6 and 8; nil
// when the application is unknown or gpsd would not decode it (it then
// prints the raw data). off is where the application data starts (88 for
// type 6, 56 for type 8). Offsets below are absolute, as in M.1371 tables.
func decodeApp(msgType int, dac uint16, fi uint8, b *Bits, off int) any {
	n := b.Len()
	if msgType == 6 {
		switch dac {
		case 1:
			return decodeApp6IMO(fi, b, n)
		case 200:
			switch {
			case fi == 21 && n == 248:
				m := &InlandETA{}
				m.Country, m.Locode, m.Section, m.Terminal, m.Hectometre = inlandPlace(b)
				m.Month, m.Day, m.Hour, m.Minute = appU8(b, 208, 4), appU8(b, 212, 5), appU8(b, 217, 5), appU8(b, 222, 6)
				m.Tugs, m.AirDraught = appU8(b, 228, 3), appU16(b, 231, 12)
				return m
			case fi == 22 && n == 232:
				m := &InlandRTA{}
				m.Country, m.Locode, m.Section, m.Terminal, m.Hectometre = inlandPlace(b)
				m.Month, m.Day, m.Hour, m.Minute = appU8(b, 208, 4), appU8(b, 212, 5), appU8(b, 217, 5), appU8(b, 222, 6)
				m.Status = appU8(b, 228, 2)
				return m
			case fi == 55 && n == 168:
				return &InlandPersons{Crew: appU8(b, 88, 8), Passengers: appU16(b, 96, 13), Personnel: appU8(b, 109, 8)}
			}
		case 235, 250:
			if fi == 10 && n == 136 {
				return &AtoNMonitoring{
					AnaInt: appU16(b, 88, 10), AnaExt1: appU16(b, 98, 10), AnaExt2: appU16(b, 108, 10),
					Racon: appU8(b, 118, 2), Light: appU8(b, 120, 2), Alarm: b.B(122),
					StatExt: appU8(b, 123, 8), OffPos: b.B(131),
				}
			}
		}
		return nil
	}
	switch dac {
	case 1:
		return decodeApp8IMO(fi, b, n)
	case 200:
		if n == 256 && fi == 23 {
			return &EMMAWarning{
				StartYear: appU8(b, 56, 8), StartMonth: appU8(b, 64, 4), StartDay: appU8(b, 68, 5),
				EndYear: appU8(b, 73, 8), EndMonth: appU8(b, 81, 4), EndDay: appU8(b, 85, 5),
				StartHour: appU8(b, 90, 5), StartMinute: appU8(b, 95, 6),
				EndHour: appU8(b, 101, 5), EndMinute: appU8(b, 106, 6),
				StartLon: appI32(b, 112, 28), StartLat: appI32(b, 140, 27),
				EndLon: appI32(b, 167, 28), EndLat: appI32(b, 195, 27),
				Type: appU8(b, 222, 4), Min: int16(b.I(226, 9)), Max: int16(b.I(235, 9)),
				Intensity: appU8(b, 244, 2), Wind: appU8(b, 246, 4),
			}
		}
		if n != 168 {
			return nil
		}
		switch fi {
		case 10:
			m := &InlandStatic{
				VIN: b.Text(56, 8), Length: appU16(b, 104, 13), Beam: appU16(b, 117, 10),
				ShipType: appU16(b, 127, 14), Hazard: appU8(b, 141, 3), Draught: appU16(b, 144, 11),
				Loaded: appU8(b, 155, 2), SpeedQ: b.B(157), CourseQ: b.B(158), HeadingQ: b.B(159),
			}
			if m.Hazard > 5 { // gpsd's guard against other uses of DAC 200 FI 10
				return nil
			}
			return m
		case 24:
			m := &WaterLevels{Country: b.Text(56, 2)}
			for i := range m.Gauges {
				a := 68 + 25*i
				m.Gauges[i] = Gauge{ID: appU16(b, a, 11), Level: int16(b.I(a+11, 14))}
			}
			return m
		case 40:
			return &SignalStatus{
				Lon: appI32(b, 56, 28), Lat: appI32(b, 84, 27), Form: appU8(b, 111, 4),
				Facing: appU16(b, 115, 9), Direction: appU8(b, 124, 3), Status: uint32(b.U(127, 30)),
			}
		}
	}
	return nil
}

func decodeApp6IMO(fi uint8, b *Bits, n int) any {
	switch fi {
	case 12:
		return &DangerousCargo{
			LastPort: b.Text(88, 5),
			LMonth:   appU8(b, 118, 4), LDay: appU8(b, 122, 5), LHour: appU8(b, 127, 5), LMinute: appU8(b, 132, 6),
			NextPort: b.Text(138, 5),
			NMonth:   appU8(b, 168, 4), NDay: appU8(b, 172, 5), NHour: appU8(b, 177, 5), NMinute: appU8(b, 182, 6),
			Dangerous: b.Text(188, 20), IMDCat: b.Text(308, 4),
			UNID: appU16(b, 332, 13), Amount: appU16(b, 345, 10), Unit: appU8(b, 355, 2),
		}
	case 14, 32:
		m := &TidalWindow{IMO236: fi == 14, Month: appU8(b, 88, 4), Day: appU8(b, 92, 5)}
		size := 88
		if m.IMO236 {
			size = 93
		}
		// gpsd starts an entry wherever its first bit is within the
		// message, reading the rest as zeros.
		m.Tidals = make([]Tidal, 0, (n-97)/size+1)
		for a := 97; a <= n; a += size {
			var t Tidal
			if m.IMO236 {
				t = Tidal{Lat: appI32(b, a, 27), Lon: appI32(b, a+27, 28),
					FromHour: appU8(b, a+55, 5), FromMin: appU8(b, a+60, 6),
					ToHour: appU8(b, a+66, 5), ToMin: appU8(b, a+71, 6),
					CDir: appU16(b, a+77, 9), CSpeed: appU8(b, a+86, 7)}
			} else {
				t = Tidal{Lon: appI32(b, a, 25), Lat: appI32(b, a+25, 24),
					FromHour: appU8(b, a+49, 5), FromMin: appU8(b, a+54, 6),
					ToHour: appU8(b, a+60, 5), ToMin: appU8(b, a+65, 6),
					CDir: appU16(b, a+71, 9), CSpeed: appU8(b, a+80, 8)}
			}
			m.Tidals = append(m.Tidals, t)
		}
		return m
	case 15:
		return &AirDraught{AirDraught: appU16(b, 56, 11)}
	case 16:
		if n-88 == 136 {
			return &PersonsOnBoard{Persons: appU16(b, 88, 13)}
		}
		return &PersonsOnBoard{Persons: appU16(b, 55, 13)}
	case 18:
		return &ClearanceTime{
			Linkage: appU16(b, 88, 10),
			Month:   appU8(b, 98, 4), Day: appU8(b, 102, 5), Hour: appU8(b, 107, 5), Minute: appU8(b, 112, 6),
			PortName: b.Text(118, 20), Destination: b.Text(238, 5),
			Lon: appI32(b, 268, 25), Lat: appI32(b, 293, 24),
		}
	case 20:
		m := &BerthingData{
			Linkage: appU16(b, 88, 10), BerthLength: appU16(b, 98, 9), BerthDepth: appU8(b, 107, 8),
			Position: appU8(b, 115, 3),
			Month:    appU8(b, 118, 4), Day: appU8(b, 122, 5), Hour: appU8(b, 127, 5), Minute: appU8(b, 132, 6),
			Availability: b.B(138),
			BerthName:    b.Text(191, 20),
			BerthLon:     appI32(b, 311, 25), BerthLat: appI32(b, 336, 24),
		}
		for i := range m.Services {
			m.Services[i] = appU8(b, 139+2*i, 2)
		}
		return m
	case 25:
		m := &CargoIndication{Unit: appU8(b, 88, 2), Amount: appU16(b, 90, 10)}
		if n > 100 {
			m.Cargos = make([]Cargo, 0, (n-100+16)/17)
		}
		for a := 100; a < n; a += 17 {
			m.Cargos = append(m.Cargos, Cargo{Code: appU8(b, a, 4), Subtype: appU16(b, a+4, 13)})
		}
		return m
	case 28:
		return decodeRoute(b, 88)
	case 30:
		return decodeText(b, 88)
	}
	return nil
}

func decodeApp8IMO(fi uint8, b *Bits, n int) any {
	switch fi {
	case 11:
		return &MetHydro{
			IMO236: true,
			Lat:    appI32(b, 56, 24), Lon: appI32(b, 80, 25),
			Day: appU8(b, 105, 5), Hour: appU8(b, 110, 5), Minute: appU8(b, 115, 6),
			WSpeed: appU8(b, 121, 7), WGust: appU8(b, 128, 7), WDir: appU16(b, 135, 9), WGustDir: appU16(b, 144, 9),
			AirTemp: int16(b.U(153, 11)), Humidity: appU8(b, 164, 7), DewPoint: int16(b.U(171, 10)),
			Pressure: appU16(b, 181, 9), PressTend: appU8(b, 190, 2),
			Visibility: appU8(b, 192, 8), WaterLevel: appU16(b, 200, 9), LevelTrend: appU8(b, 209, 2),
			CSpeed: appU8(b, 211, 8), CDir: appU16(b, 219, 9),
			CSpeed2: appU8(b, 228, 8), CDir2: appU16(b, 236, 9), CDepth2: appU8(b, 245, 5),
			CSpeed3: appU8(b, 250, 8), CDir3: appU16(b, 258, 9), CDepth3: appU8(b, 267, 5),
			WaveHeight: appU8(b, 272, 8), WavePeriod: appU8(b, 280, 6), WaveDir: appU16(b, 286, 9),
			SwellHeight: appU8(b, 295, 8), SwellPeriod: appU8(b, 303, 6), SwellDir: appU16(b, 309, 9),
			SeaState: appU8(b, 318, 4), WaterTemp: int16(b.U(322, 10)),
			PrecipType: appU8(b, 332, 3), Salinity: appU16(b, 335, 9), Ice: appU8(b, 344, 2),
		}
	case 13:
		return &FairwayClosed{
			Reason: b.Text(56, 20), CloseFrom: b.Text(176, 20), CloseTo: b.Text(296, 20),
			Radius: appU16(b, 416, 10), ExtUnit: appU8(b, 426, 2),
			FDay: appU8(b, 428, 5), FMonth: appU8(b, 433, 4), FHour: appU8(b, 437, 5), FMinute: appU8(b, 442, 6),
			TDay: appU8(b, 448, 5), TMonth: appU8(b, 453, 4), THour: appU8(b, 457, 5), TMinute: appU8(b, 462, 6),
		}
	case 15:
		return &AirDraught{AirDraught: appU16(b, 56, 11)}
	case 16:
		if n-56 == 72 || n-56 == 136 {
			return &PersonsOnBoard{Persons: appU16(b, 56, 13), Broadcast: true}
		}
	case 17:
		m := &VTSTargets{Targets: make([]VTSTarget, 0, (n-56)/122+1)}
		for a := 56; a <= n; a += 122 {
			t := VTSTarget{IDType: appU8(b, a, 2),
				Lat: appI32(b, a+48, 24), Lon: appI32(b, a+72, 25),
				Course: appU16(b, a+97, 9), Second: appU8(b, a+106, 6), Speed: appU16(b, a+112, 10)}
			if t.IDType < 2 {
				t.ID = uint32(b.U(a+2, 42))
			} else {
				t.IDText = b.Text(a+2, 7)
			}
			m.Targets = append(m.Targets, t)
		}
		return m
	case 19:
		return &TrafficSignal{
			Linkage: appU16(b, 56, 10), Station: b.Text(66, 20),
			Lon: appI32(b, 186, 25), Lat: appI32(b, 211, 24),
			Status: appU8(b, 235, 2), Signal: appU8(b, 237, 5),
			Hour: appU8(b, 242, 5), Minute: appU8(b, 247, 6), NextSignal: appU8(b, 253, 5),
		}
	case 27:
		return decodeRoute(b, 56)
	case 29:
		return decodeText(b, 56)
	case 31:
		return &MetHydro{
			Lon: appI32(b, 56, 25), Lat: appI32(b, 81, 24), Accuracy: b.B(105),
			Day: appU8(b, 106, 5), Hour: appU8(b, 111, 5), Minute: appU8(b, 116, 6),
			WSpeed: appU8(b, 122, 7), WGust: appU8(b, 129, 7), WDir: appU16(b, 136, 9), WGustDir: appU16(b, 145, 9),
			AirTemp: int16(b.I(154, 11)), Humidity: appU8(b, 165, 7), DewPoint: int16(b.I(172, 10)),
			Pressure: appU16(b, 182, 9), PressTend: appU8(b, 191, 2),
			VisGreater: b.B(193), Visibility: appU8(b, 194, 7),
			WaterLevel: appU16(b, 201, 12), LevelTrend: appU8(b, 213, 2),
			CSpeed: appU8(b, 215, 8), CDir: appU16(b, 223, 9),
			CSpeed2: appU8(b, 232, 8), CDir2: appU16(b, 240, 9), CDepth2: appU8(b, 249, 5),
			CSpeed3: appU8(b, 254, 8), CDir3: appU16(b, 262, 9), CDepth3: appU8(b, 271, 5),
			WaveHeight: appU8(b, 276, 8), WavePeriod: appU8(b, 284, 6), WaveDir: appU16(b, 290, 9),
			SwellHeight: appU8(b, 299, 8), SwellPeriod: appU8(b, 307, 6), SwellDir: appU16(b, 313, 9),
			SeaState: appU8(b, 322, 4), WaterTemp: int16(b.I(326, 10)),
			PrecipType: appU8(b, 336, 3), Salinity: appU16(b, 339, 9), Ice: appU8(b, 348, 2),
		}
	}
	return nil
}

// decodeRoute reads route information starting at off (the linkage field).
func decodeRoute(b *Bits, off int) *RouteInfo {
	m := &RouteInfo{
		Linkage: appU16(b, off, 10), Sender: appU8(b, off+10, 3), RType: appU8(b, off+13, 5),
		Month: appU8(b, off+18, 4), Day: appU8(b, off+22, 5), Hour: appU8(b, off+27, 5), Minute: appU8(b, off+32, 6),
		Duration: uint32(b.U(off+38, 18)),
	}
	// gpsd reads as many waypoints as the count says, past the end of the
	// message if need be (as zeros).
	count := int(b.U(off+56, 5))
	m.Waypoints = make([]Waypoint, count)
	for i := range m.Waypoints {
		a := off + 61 + 55*i
		m.Waypoints[i] = Waypoint{Lon: appI32(b, a, 28), Lat: appI32(b, a+28, 27)}
	}
	return m
}

// decodeText reads a text description: the linkage and whole characters to
// the end of the message.
func decodeText(b *Bits, off int) *TextDescription {
	m := &TextDescription{Linkage: appU16(b, off, 10)}
	if rest := b.Len() - off - 10; rest >= 6 {
		m.Text = b.Text(off+10, rest/6)
	}
	return m
}

// inlandPlace reads the location fields shared by DAC 200 FI 21 and 22.
func inlandPlace(b *Bits) (country, locode, section, terminal, hectometre string) {
	return b.Text(88, 2), b.Text(100, 3), b.Text(118, 5), b.Text(148, 5), b.Text(178, 5)
}

func appU8(b *Bits, off, n int) uint8   { return uint8(b.U(off, n)) }
func appU16(b *Bits, off, n int) uint16 { return uint16(b.U(off, n)) }
func appI32(b *Bits, off, n int) int32  { return int32(b.I(off, n)) }
