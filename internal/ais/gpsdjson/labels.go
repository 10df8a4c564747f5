package gpsdjson

// Labels are the "*_text" strings gpsd 3.22 (Debian bookworm's gpsd-clients)
// prints beside coded fields; they were read off gpsdecode's output for every
// code value so that Lookout's JSON is a drop-in replacement. Where newer
// gpsd spells a label differently the conformance test notes it.

var statusText = [16]string{
	"Under way using engine", "At anchor", "Not under command",
	"Restricted manoeuverability", "Constrained by her draught", "Moored",
	"Aground", "Engaged in fishing", "Under way sailing", "Reserved for HSC",
	"Reserved for WIG", "Reserved", "Reserved", "Reserved", "Reserved", "Not defined",
}

var epfdText = [16]string{
	"Undefined", "GPS", "GLONASS", "Combined GPS/GLONASS", "Loran-C", "Chayka",
	"Integrated navigation system", "Surveyed", "Galileo", "INVALID EPFD",
	"INVALID EPFD", "INVALID EPFD", "INVALID EPFD", "INVALID EPFD", "INVALID EPFD",
	"INVALID EPFD",
}

var aidTypeText = [32]string{
	"Unspecified", "Reference point", "RACON", "Fixed offshore structure",
	"Spare, Reserved for future use.", "Light, without sectors", "Light, with sectors",
	"Leading Light Front", "Leading Light Rear", "Beacon, Cardinal N",
	"Beacon, Cardinal E", "Beacon, Cardinal S", "Beacon, Cardinal W",
	"Beacon, Port hand", "Beacon, Starboard hand", "Beacon, Preferred Channel port hand",
	"Beacon, Preferred Channel starboard hand", "Beacon, Isolated danger",
	"Beacon, Safe water", "Beacon, Special mark", "Cardinal Mark N", "Cardinal Mark E",
	"Cardinal Mark S", "Cardinal Mark W", "Port hand Mark", "Starboard hand Mark",
	"Preferred Channel Port hand", "Preferred Channel Starboard hand",
	"Isolated danger", "Safe Water", "Special Mark", "Light Vessel / LANBY / Rigs",
}

var stationTypeText = [16]string{
	"All types of mobiles", "Reserved for future use",
	"All types of Class B mobile stations", "SAR airborne mobile station",
	"Aid to Navigation station", "Class B shipborne mobile station",
	"Regional use and inland waterways", "Regional use and inland waterways",
	"Regional use and inland waterways", "Regional use and inland waterways",
	"Reserved for future use", "Reserved for future use", "Reserved for future use",
	"Reserved for future use", "Reserved for future use", "Reserved for future use",
}

// shipTypeText follows ITU-R M.1371-5 Table 53 in gpsd's wording.
func shipTypeText(t int) string {
	switch {
	case t == 0:
		return "Not available"
	case t < 20:
		return "Reserved for future use"
	case t == 29: // WIG has no "no additional information" code
		return "Wing in ground (WIG) - Reserved for future use"
	case t < 30:
		return categoryText("Wing in ground (WIG)", t)
	case t >= 30 && t <= 39:
		return [...]string{"Fishing", "Towing", "Towing: length exceeds 200m or breadth exceeds 25m",
			"Dredging or underwater ops", "Diving ops", "Military ops", "Sailing",
			"Pleasure Craft", "Reserved", "Reserved"}[t-30]
	case t < 50:
		return categoryText("High speed craft (HSC)", t)
	case t < 60:
		return [...]string{"Pilot Vessel", "Search and Rescue vessel", "Tug", "Port Tender",
			"Anti-pollution equipment", "Law Enforcement", "Spare - Local Vessel",
			"Spare - Local Vessel", "Medical Transport",
			"Ship according to RR Resolution No. 18"}[t-50]
	case t < 70:
		return categoryText("Passenger", t)
	case t < 80:
		return categoryText("Cargo", t)
	case t < 90:
		return categoryText("Tanker", t)
	case t < 100:
		if t == 99 {
			return "Other Type - no additional information"
		}
		return categoryText("Other Type", t)
	}
	return "INVALID SHIP TYPE"
}

func categoryText(kind string, t int) string {
	switch t % 10 {
	case 0:
		return kind + " - all ships of this type"
	case 1, 2, 3, 4:
		return kind + " - Hazardous category " + string(rune('A'+t%10-1))
	case 9:
		return kind + " - No additional information"
	}
	return kind + " - Reserved for future use"
}
