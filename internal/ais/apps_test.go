package ais_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/ais"
	"github.com/lookout-maritime/lookout/internal/ais/gpsdjson"
)

// appCases are binary messages with DAC/FI applications: the real ones
// (marked "real") from the conformance vectors, the others built for the
// applications no real sentence here carries. scaled and unscaled are what
// gpsd 3.22's gpsdecode -s prints for them, without the "device" field;
// for DAC 1 FI 19, whose gpsd output is not valid JSON (a missing comma,
// unescaped quotes in the signal legends), they are the valid equivalent.
var appCases = []struct {
	name             string
	nmea             []string
	scaled, unscaled string
}{
	{
		name:     "6/235/10 real",
		nmea:     []string{`!AIVDM,1,1,4,B,6>jR0600V:C0>da4P106P00,2*02`},
		scaled:   `{"class":"AIS","type":6,"repeat":0,"mmsi":992509976,"scaled":true,"seqno":0,"dest_mmsi":2500912,"retransmit":false,"dac":235,"fid":10,"off_pos":false,"alarm":false,"stat_ext":0,"ana_int":13.70,"ana_ext1":0.05,"ana_ext2":0.05,"racon":2,"racon_text":"RACON operational","light":2,"light_text":"Light OFF"}`,
		unscaled: `{"class":"AIS","type":6,"repeat":0,"mmsi":992509976,"scaled":false,"seqno":0,"dest_mmsi":2500912,"retransmit":false,"dac":235,"fid":10,"off_pos":false,"alarm":false,"stat_ext":0,"ana_int":274,"ana_ext1":1,"ana_ext2":1,"racon":2,"racon_text":"RACON operational","light":2,"light_text":"Light OFF"}`,
	},
	{
		name:     "6/1/12 real",
		nmea:     []string{`!AIVDM,1,1,,A,63LBA4;WBevJ04k0=@E=B0td,0*17`},
		scaled:   `{"class":"AIS","type":6,"repeat":0,"mmsi":230986000,"scaled":true,"seqno":2,"dest_mmsi":970110950,"retransmit":true,"dac":1,"fid":12,"lastport":"0CTES","departure":"05-04T00:60Z","nextport":",","eta":"00-00T00:00Z","dangerous":"","imdcat":"","unid":0,"amount":0,"unit":0}`,
		unscaled: `{"class":"AIS","type":6,"repeat":0,"mmsi":230986000,"scaled":false,"seqno":2,"dest_mmsi":970110950,"retransmit":true,"dac":1,"fid":12,"lastport":"0CTES","departure":"05-04T00:60Z","nextport":",","eta":"00-00T00:00Z","dangerous":"","imdcat":"","unid":0,"amount":0,"unit":0}`,
	},
	{
		name:     "6/1/14 real",
		nmea:     []string{`!AIVDM,1,1,,A,6h2E:81>NmKC04p0J<000?vv20Ru,0*31`},
		scaled:   `{"class":"AIS","type":6,"repeat":3,"mmsi":2443808,"scaled":true,"seqno":0,"dest_mmsi":329176500,"retransmit":true,"dac":1,"fid":14,"month":0,"day":0,"tidals":[{"lon":279.3388,"lat":-406.3232,"from_hour":1,"from_min":5,"to_hour":29,"to_min":0,"cdir":0,"cspeed":0.0}]}`,
		unscaled: `{"class":"AIS","type":6,"repeat":3,"mmsi":2443808,"scaled":false,"seqno":0,"dest_mmsi":329176500,"retransmit":true,"dac":1,"fid":14,"month":0,"day":0,"tidals":[{"lon":16760328,"lat":-24379392,"from_hour":1,"from_min":5,"to_hour":29,"to_min":0,"cdir":0,"cspeed":0}]}`,
	},
	{
		name:     "6/1/18 real",
		nmea:     []string{`!AIVDM,1,1,,B,6h2E3MDrDRiB0580@00000000000,0*04`},
		scaled:   `{"class":"AIS","type":6,"repeat":3,"mmsi":2442101,"scaled":true,"seqno":1,"dest_mmsi":244615956,"retransmit":true,"dac":1,"fid":18,"linkage":1,"arrival":"00-00T00:00Z","portname":"","destination":"","lon":0.0000,"lat":0.0000}`,
		unscaled: `{"class":"AIS","type":6,"repeat":3,"mmsi":2442101,"scaled":false,"seqno":1,"dest_mmsi":244615956,"retransmit":true,"dac":1,"fid":18,"linkage":1,"arrival":"00-00T00:00Z","portname":"","destination":"","lon":0,"lat":0}`,
	},
	{
		name:     "6/1/30 real",
		nmea:     []string{`!AIVDM,1,1,,B,6h2E3MPr<buN05p0J00000000000,0*0A`},
		scaled:   `{"class":"AIS","type":6,"repeat":3,"mmsi":2442102,"scaled":true,"seqno":0,"dest_mmsi":244100055,"retransmit":true,"dac":1,"fid":30,"linkage":1,"text":"("}`,
		unscaled: `{"class":"AIS","type":6,"repeat":3,"mmsi":2442102,"scaled":false,"seqno":0,"dest_mmsi":244100055,"retransmit":true,"dac":1,"fid":30,"linkage":1,"text":"("}`,
	},
	{
		name:     "6/1/32 real",
		nmea:     []string{`!AIVDM,1,1,,A,6h2E3MHrg19P0600@00000000000,0*02`},
		scaled:   `{"class":"AIS","type":6,"repeat":3,"mmsi":2442101,"scaled":true,"seqno":2,"dest_mmsi":246351000,"retransmit":false,"dac":1,"fid":32,"month":0,"day":0,"tidals":[{"lon":-279.6203,"lat":0.0000,"from_hour":0,"from_min":0,"to_hour":0,"to_min":0,"cdir":0,"cspeed":0.0}]}`,
		unscaled: `{"class":"AIS","type":6,"repeat":3,"mmsi":2442101,"scaled":false,"seqno":2,"dest_mmsi":246351000,"retransmit":false,"dac":1,"fid":32,"month":0,"day":0,"tidals":[{"lon":-16777216,"lat":0,"from_hour":0,"from_min":0,"to_hour":0,"to_min":0,"cdir":0,"cspeed":0}]}`,
	},
	{
		name:     "6/200/55 real",
		nmea:     []string{`!AIVDM,1,1,,B,640UrH@0RW?<<SOwwwwp00000000,0*5E`},
		scaled:   `{"class":"AIS","type":6,"repeat":0,"mmsi":269056609,"scaled":true,"seqno":0,"dest_mmsi":2268403,"retransmit":false,"dac":200,"fid":55,"crew":255,"passengers":8191,"personnel":255}`,
		unscaled: `{"class":"AIS","type":6,"repeat":0,"mmsi":269056609,"scaled":false,"seqno":0,"dest_mmsi":2268403,"retransmit":false,"dac":200,"fid":55,"crew":255,"passengers":8191,"personnel":255}`,
	},
	{
		name:     "8/1/11 real",
		nmea:     []string{"!AIVDO,1,1,4,B,8>jR06@0Bk3:wOli;<`WPhh<1rqVBQf2V@Pdt0J82avIM2b<<Rv1t<ot=@1,2*54"},
		scaled:   `{"class":"AIS","type":8,"repeat":0,"mmsi":992509977,"scaled":true,"dac":1,"fid":11,"lat":53.2949,"lon":-6.1340,"timestamp":"18T17:15Z","wspeed":3,"wgust":6,"wdir":12,"wgustdir":15,"humidity":50,"airtemp":14.2,"dewpoint":12.3,"pressure":1024,"pressuretend":"decreasing","visibility":15.3,"waterlevel":-8.4,"leveltrend":"increasing","cspeed":10.3,"cdir":256,"cspeed2":10.4,"cdir2":257,"cdepth2":10,"cspeed3":12.6,"cdir3":203,"cdepth3":20,"waveheight":4.2,"waveperiod":35,"wavedir":25,"swellheight":2.3,"swellperiod":48,"swelldir":124,"seastate":3,"watertemp":12.3,"preciptype":6,"preciptype_text":"reserved","salinity":5.3,"ice":0,"ice_text":"no"}`,
		unscaled: `{"class":"AIS","type":8,"repeat":0,"mmsi":992509977,"scaled":false,"dac":1,"fid":11,"lat":3197693,"lon":-368039,"timestamp":"18T17:15Z","wspeed":3,"wgust":6,"wdir":12,"wgustdir":15,"humidity":50,"airtemp":742,"dewpoint":323,"pressure":224,"pressuretend":2,"visibility":153,"waterlevel":16,"leveltrend":1,"cspeed":103,"cdir":256,"cspeed2":104,"cdir2":257,"cdepth2":10,"cspeed3":126,"cdir3":203,"cdepth3":20,"waveheight":42,"waveperiod":35,"wavedir":25,"swellheight":23,"swellperiod":48,"swelldir":124,"seastate":3,"watertemp":223,"preciptype":6,"preciptype_text":"reserved","salinity":53,"ice":0,"ice_text":"no"}`,
	},
	{
		name:     "8/1/11 real",
		nmea:     []string{"!AIVDO,1,1,4,B,8>jR06@0Bk3:vOli;L`nwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwt1,2*0E"},
		scaled:   `{"class":"AIS","type":8,"repeat":0,"mmsi":992509977,"scaled":true,"dac":1,"fid":11,"lat":53.2948,"lon":-6.1339,"timestamp":"18T17:45Z","wspeed":127,"wgust":127,"wdir":511,"wgustdir":511,"humidity":127,"airtemp":144.7,"dewpoint":82.3,"pressure":1311,"pressuretend":"N/A","visibility":25.5,"waterlevel":41.1,"leveltrend":"N/A","cspeed":25.5,"cdir":511,"cspeed2":25.5,"cdir2":511,"cdepth2":31,"cspeed3":25.5,"cdir3":511,"cdepth3":31,"waveheight":25.5,"waveperiod":63,"wavedir":511,"swellheight":25.5,"swellperiod":63,"swelldir":511,"seastate":15,"watertemp":92.3,"preciptype":7,"preciptype_text":"N/A","salinity":51.1,"ice":3,"ice_text":"N/A"}`,
		unscaled: `{"class":"AIS","type":8,"repeat":0,"mmsi":992509977,"scaled":false,"dac":1,"fid":11,"lat":3197689,"lon":-368037,"timestamp":"18T17:45Z","wspeed":127,"wgust":127,"wdir":511,"wgustdir":511,"humidity":127,"airtemp":2047,"dewpoint":1023,"pressure":511,"pressuretend":3,"visibility":255,"waterlevel":511,"leveltrend":3,"cspeed":255,"cdir":511,"cspeed2":255,"cdir2":511,"cdepth2":31,"cspeed3":255,"cdir3":511,"cdepth3":31,"waveheight":255,"waveperiod":63,"wavedir":511,"swellheight":255,"swellperiod":63,"swelldir":511,"seastate":15,"watertemp":1023,"preciptype":7,"preciptype_text":"N/A","salinity":511,"ice":3,"ice_text":"N/A"}`,
	},
	{
		name:     "8/1/31 real",
		nmea:     []string{"!AIVDM,2,1,9,B,8>j`;MP0GhRHI1S`CrTW2?u2Ot1owwnews0F003wwwwwww0001wwwwwwwwh0,0*02", `!AIVDM,2,2,9,B,00,4*18`},
		scaled:   `{"class":"AIS","type":8,"repeat":0,"mmsi":992611190,"scaled":true,"dac":1,"fid":31,"lat":54.4112,"lon":18.7767,"accuracy":false,"timestamp":"20T18:28Z","wspeed":17,"wgust":127,"wdir":132,"wgustdir":511,"humidity":127,"airtemp":1.4,"dewpoint":-0.1,"pressure":1013,"pressuretend":"N/A","visgreater":true,"visibility":12.7,"waterlevel":5.4,"leveltrend":"N/A","cspeed":0.0,"cdir":0,"cspeed2":25.5,"cdir2":511,"cdepth2":31,"cspeed3":25.5,"cdir3":511,"cdepth3":31,"waveheight":0.0,"waveperiod":0,"wavedir":0,"swellheight":25.5,"swellperiod":63,"swelldir":511,"seastate":15,"watertemp":-0.1,"preciptype":"N/A","salinity":51.1,"ice":"N/A"}`,
		unscaled: `{"class":"AIS","type":8,"repeat":0,"mmsi":992611190,"scaled":false,"dac":1,"fid":31,"lat":3264671,"lon":1126600,"accuracy":false,"timestamp":"20T18:28Z","wspeed":17,"wgust":127,"wdir":132,"wgustdir":511,"humidity":127,"airtemp":14,"dewpoint":-1,"pressure":214,"pressuretend":3,"visgreater":true,"visibility":127,"waterlevel":1538,"leveltrend":3,"cspeed":0,"cdir":0,"cspeed2":255,"cdir2":511,"cdepth2":31,"cspeed3":255,"cdir3":511,"cdepth3":31,"waveheight":0,"waveperiod":0,"wavedir":0,"swellheight":255,"swellperiod":63,"swelldir":511,"seastate":15,"watertemp":-1,"preciptype":7,"salinity":511,"ice":3}`,
	},
	{
		name:     "8/1/31 real",
		nmea:     []string{`!AIVDM,1,1,,A,802R5Ph0GhO3U1c5Wv1tQHqlfT4vEuOwgqtAwnSwe7wvlOwwsAwwnS@?wvwt,0*16`},
		scaled:   `{"class":"AIS","type":8,"repeat":0,"mmsi":2655619,"scaled":true,"dac":1,"fid":31,"lat":58.4843,"lon":16.9607,"accuracy":true,"timestamp":"16T07:50Z","wspeed":11,"wgust":14,"wdir":233,"wgustdir":233,"humidity":101,"airtemp":3.9,"dewpoint":50.1,"pressure":1310,"pressuretend":"N/A","visgreater":false,"visibility":12.7,"waterlevel":42949672.9,"leveltrend":"steady","cspeed":25.5,"cdir":360,"cspeed2":25.5,"cdir2":360,"cdepth2":31,"cspeed3":25.5,"cdir3":360,"cdepth3":31,"waveheight":25.5,"waveperiod":63,"wavedir":360,"swellheight":25.5,"swellperiod":63,"swelldir":360,"seastate":13,"watertemp":1.5,"preciptype":"N/A","salinity":51.0,"ice":"N/A"}`,
		unscaled: `{"class":"AIS","type":8,"repeat":0,"mmsi":2655619,"scaled":false,"dac":1,"fid":31,"lat":3509055,"lon":1017640,"accuracy":true,"timestamp":"16T07:50Z","wspeed":11,"wgust":14,"wdir":233,"wgustdir":233,"humidity":101,"airtemp":39,"dewpoint":501,"pressure":511,"pressuretend":3,"visgreater":false,"visibility":127,"waterlevel":994,"leveltrend":0,"cspeed":255,"cdir":360,"cspeed2":255,"cdir2":360,"cdepth2":31,"cspeed3":255,"cdir3":360,"cdepth3":31,"waveheight":255,"waveperiod":63,"wavedir":360,"swellheight":255,"swellperiod":63,"swelldir":360,"seastate":13,"watertemp":15,"preciptype":7,"salinity":510,"ice":3}`,
	},
	{
		name:     "8/200/10 real",
		nmea:     []string{`!AIVDM,1,1,,B,83aDChPj2d<dL<uM=hhhI?a@6HP0,0*40`},
		scaled:   `{"class":"AIS","type":8,"repeat":0,"mmsi":244650946,"scaled":true,"dac":200,"fid":10,"vin":"02103547","length":390,"beam":50,"shiptype":8010,"shiptype_text":"Motor freighter","hazard":0,"hazard_text":"0 blue cones/lights","draught":204,"loaded":1,"loaded_text":"Unloaded","speed_q":false,"course_q":false,"heading_q":false}`,
		unscaled: `{"class":"AIS","type":8,"repeat":0,"mmsi":244650946,"scaled":false,"dac":200,"fid":10,"vin":"02103547","length":390,"beam":50,"shiptype":8010,"shiptype_text":"Motor freighter","hazard":0,"hazard_text":"0 blue cones/lights","draught":204,"loaded":1,"loaded_text":"Unloaded","speed_q":false,"course_q":false,"heading_q":false}`,
	},
	{
		name:     "8/200/24 real",
		nmea:     []string{`!AIVDM,1,1,,A,801tME0j60E04QJp1hhL10G20DH1,0*11`},
		scaled:   `{"class":"AIS","type":8,"repeat":0,"mmsi":2039124,"scaled":true,"dac":200,"fid":24,"country":"AT","gauges":[{"id":9,"level":727},{"id":7,"level":775},{"id":8,"level":737},{"id":5,"level":1537}]}`,
		unscaled: `{"class":"AIS","type":8,"repeat":0,"mmsi":2039124,"scaled":false,"dac":200,"fid":24,"country":"AT","gauges":[{"id":9,"level":727},{"id":7,"level":775},{"id":8,"level":737},{"id":5,"level":1537}]}`,
	},
	{
		name:     "8/200/24 real",
		nmea:     []string{`!AIVDM,1,1,,B,802ATu0j624P2@G80pEd0D5F0634,0*2F`},
		scaled:   `{"class":"AIS","type":8,"repeat":0,"mmsi":2385140,"scaled":true,"dac":200,"fid":24,"country":"HR","gauges":[{"id":4,"level":-8007},{"id":3,"level":-7845},{"id":2,"level":-8021},{"id":1,"level":-7996}]}`,
		unscaled: `{"class":"AIS","type":8,"repeat":0,"mmsi":2385140,"scaled":false,"dac":200,"fid":24,"country":"HR","gauges":[{"id":4,"level":-8007},{"id":3,"level":-7845},{"id":2,"level":-8021},{"id":1,"level":-7996}]}`,
	},
	{
		name:     "6/1/40 raw real",
		nmea:     []string{"!AIVDM,1,1,,A,63u?;TP0`QJ<06P000,4*43"},
		scaled:   `{"class":"AIS","type":6,"repeat":0,"mmsi":265538450,"scaled":true,"seqno":0,"dest_mmsi":2655651,"retransmit":false,"dac":1,"fid":40,"data":"16:0000"}`,
		unscaled: `{"class":"AIS","type":6,"repeat":0,"mmsi":265538450,"scaled":false,"seqno":0,"dest_mmsi":2655651,"retransmit":false,"dac":1,"fid":40,"data":"16:0000"}`,
	},
	{
		name:     "8/200/10 raw real",
		nmea:     []string{`!AIVDM,2,1,4,A,83aDChPj2d<dL<uM=hhhI?a@6HP0e9QvUEEEOPPrE4t880>p2JqA6wimt:Ow,0*22`, `!AIVDM,2,2,4,A,UPP8k;JvOeD,2*7F`},
		scaled:   `{"class":"AIS","type":8,"repeat":0,"mmsi":244650946,"scaled":true,"dac":200,"fid":10,"data":"368:c32c70cf5d370c3064fa50198800b4987e9555557e083a544f082003b809ae511bfc75f0a7ff960808ccb6be7ed5"}`,
		unscaled: `{"class":"AIS","type":8,"repeat":0,"mmsi":244650946,"scaled":false,"dac":200,"fid":10,"data":"368:c32c70cf5d370c3064fa50198800b4987e9555557e083a544f082003b809ae511bfc75f0a7ff960808ccb6be7ed5"}`,
	},
	{
		name:     "6/1/20",
		nmea:     []string{"!AIVDM,1,1,,A,61mg=5GcNJ;405@1oluaWeNT41IjGEQ6@2d:M04:T`A1f0000001wQo08tc>,0*20"},
		scaled:   `{"class":"AIS","type":6,"repeat":0,"mmsi":123456789,"scaled":true,"seqno":1,"dest_mmsi":987654321,"retransmit":false,"dac":1,"fid":20,"linkage":7,"berth_length":250,"position":2,"position_text":"Starboard-side to","arrival":"6-15T13:30","availability":1,"agent":0,"fuel":2,"chandler":0,"stevedore":0,"electrical":2,"water":0,"customs":0,"cartage":0,"crane":2,"lift":3,"medical":0,"navrepair":3,"provisions":2,"shiprepair":1,"surveyor":0,"steam":2,"tugs":3,"solidwaste":2,"liquidwaste":2,"hazardouswaste":2,"ballast":3,"additional":0,"regional1":0,"regional2":2,"future1":0,"future2":3,"berth_name":"HAVEN BERTH 7","berth_lon":-2.0576,"berth_lat":39.0946,"berth_depth":12.3}`,
		unscaled: `{"class":"AIS","type":6,"repeat":0,"mmsi":123456789,"scaled":false,"seqno":1,"dest_mmsi":987654321,"retransmit":false,"dac":1,"fid":20,"linkage":7,"berth_length":250,"position":2,"position_text":"Starboard-side to","arrival":"6-15T13:30","availability":1,"agent":0,"fuel":2,"chandler":0,"stevedore":0,"electrical":2,"water":0,"customs":0,"cartage":0,"crane":2,"lift":3,"medical":0,"navrepair":3,"provisions":2,"shiprepair":1,"surveyor":0,"steam":2,"tugs":3,"solidwaste":2,"liquidwaste":2,"hazardouswaste":2,"ballast":3,"additional":0,"regional1":0,"regional2":2,"future1":0,"future2":3,"berth_name":"HAVEN BERTH 7","berth_lon":-123456,"berth_lat":2345678,"berth_depth":123}`,
	},
	{
		name:     "6/1/25",
		nmea:     []string{`!AIVDM,1,1,,A,61mg=5GcNJ;405VP3J7AjrN@GP,5*04`},
		scaled:   `{"class":"AIS","type":6,"repeat":0,"mmsi":123456789,"scaled":true,"seqno":1,"dest_mmsi":987654321,"retransmit":false,"dac":1,"fid":25,"unit":2,"amount":512,"cargos":[{"code":13,"subtype":5178},{"code":3,"subtype":4841},{"code":14,"subtype":2095}]}`,
		unscaled: `{"class":"AIS","type":6,"repeat":0,"mmsi":123456789,"scaled":false,"seqno":1,"dest_mmsi":987654321,"retransmit":false,"dac":1,"fid":25,"unit":2,"amount":512,"cargos":[{"code":13,"subtype":5178},{"code":3,"subtype":4841},{"code":14,"subtype":2095}]}`,
	},
	{
		name:     "6/1/28",
		nmea:     []string{`!AIVDM,1,1,,A,61mg=5GcNJ;405h2D=o<N09H5tTAP1qCc0vCbJ0tn2h0,5*7A`},
		scaled:   `{"class":"AIS","type":6,"repeat":0,"mmsi":123456789,"scaled":true,"seqno":1,"dest_mmsi":987654321,"retransmit":false,"dac":1,"fid":28,"linkage":9,"sender":2,"rtype":3,"rtype_text":"Alternative","start":"07-14T12:30Z","duration":600,"waypoints":[{"lon":-12.000000,"lat":53.000000},{"lon":-11.833333,"lat":53.166667}]}`,
		unscaled: `{"class":"AIS","type":6,"repeat":0,"mmsi":123456789,"scaled":false,"seqno":1,"dest_mmsi":987654321,"retransmit":false,"dac":1,"fid":28,"linkage":9,"sender":2,"rtype":3,"rtype_text":"Alternative","start":"07-14T12:30Z","duration":600,"waypoints":[{"lon":-7200000,"lat":31800000},{"lon":-7100000,"lat":31900000}]}`,
	},
	{
		name:     "6/200/21",
		nmea:     []string{`!AIVDM,1,1,,A,61mg=5GcNJ;4<QDpi9@o33335@E8o737;?Ao<NBJ@0,4*5A`},
		scaled:   `{"class":"AIS","type":6,"repeat":0,"mmsi":123456789,"scaled":true,"seqno":1,"dest_mmsi":987654321,"retransmit":false,"dac":200,"fid":21,"country":"NL","locode":"RTM","section":"00001","terminal":"TERM1","hectometre":"01234","eta":"7-14T12:30","tugs":2,"airdraught":1234}`,
		unscaled: `{"class":"AIS","type":6,"repeat":0,"mmsi":123456789,"scaled":false,"seqno":1,"dest_mmsi":987654321,"retransmit":false,"dac":200,"fid":21,"country":"NL","locode":"RTM","section":"00001","terminal":"TERM1","hectometre":"01234","eta":"7-14T12:30","tugs":2,"airdraught":1234}`,
	},
	{
		name:     "6/200/22",
		nmea:     []string{`!AIVDM,1,1,,A,61mg=5GcNJ;4<QH@DADW333C8ht<g;33OS1o<N@,2*39`},
		scaled:   `{"class":"AIS","type":6,"repeat":0,"mmsi":123456789,"scaled":true,"seqno":1,"dest_mmsi":987654321,"retransmit":false,"dac":200,"fid":22,"country":"DE","locode":"DUI","section":"00042","terminal":"LOCK2","hectometre":"00780","eta":"7-14T12:30","status":1,"status_text":"Limited operation"}`,
		unscaled: `{"class":"AIS","type":6,"repeat":0,"mmsi":123456789,"scaled":false,"seqno":1,"dest_mmsi":987654321,"retransmit":false,"dac":200,"fid":22,"country":"DE","locode":"DUI","section":"00042","terminal":"LOCK2","hectometre":"00780","eta":"7-14T12:30","status":1,"status_text":"Limited operation"}`,
	},
	{
		name:     "6/1/15",
		nmea:     []string{`!AIVDM,1,1,,A,61mg=5GcNJ;404tna0,4*47`},
		scaled:   `{"class":"AIS","type":6,"repeat":0,"mmsi":123456789,"scaled":true,"seqno":1,"dest_mmsi":987654321,"retransmit":false,"dac":1,"fid":15,"airdraught":1302}`,
		unscaled: `{"class":"AIS","type":6,"repeat":0,"mmsi":123456789,"scaled":false,"seqno":1,"dest_mmsi":987654321,"retransmit":false,"dac":1,"fid":15,"airdraught":1302}`,
	},
	{
		name:     "6/1/16",
		nmea:     []string{`!AIVDM,1,1,,A,61mg=5GcNJ;40501D000000000000000000000,4*78`},
		scaled:   `{"class":"AIS","type":6,"repeat":0,"mmsi":123456789,"scaled":true,"seqno":1,"dest_mmsi":987654321,"retransmit":false,"dac":1,"fid":16,"persons":42}`,
		unscaled: `{"class":"AIS","type":6,"repeat":0,"mmsi":123456789,"scaled":false,"seqno":1,"dest_mmsi":987654321,"retransmit":false,"dac":1,"fid":16,"persons":42}`,
	},
	{
		name:     "8/1/13",
		nmea:     []string{`!AIVDM,2,1,1,A,81mg=5@0CA4QA1jCQh000000000000UCnH<h00000000000000UCnH=h0000,0*69`, `!AIVDM,2,2,1,A,0000000007lAhH0TBN0,2*47`},
		scaled:   `{"class":"AIS","type":8,"repeat":0,"mmsi":123456789,"scaled":true,"dac":1,"fid":13,"reason":"DREDGING","closefrom":"BUOY 3","closeto":"BUOY 7","radius":500,"extunit":1,"from":"08-03T06:00","to":"08-04T18:30"}`,
		unscaled: `{"class":"AIS","type":8,"repeat":0,"mmsi":123456789,"scaled":false,"dac":1,"fid":13,"reason":"DREDGING","closefrom":"BUOY 3","closeto":"BUOY 7","radius":500,"extunit":1,"from":"08-03T06:00","to":"08-04T18:30"}`,
	},
	{
		name:     "8/1/15",
		nmea:     []string{`!AIVDM,1,1,,A,81mg=5@0CjdP,0*40`},
		scaled:   `{"class":"AIS","type":8,"repeat":0,"mmsi":123456789,"scaled":true,"dac":1,"fid":15,"airdraught":345}`,
		unscaled: `{"class":"AIS","type":8,"repeat":0,"mmsi":123456789,"scaled":false,"dac":1,"fid":15,"airdraught":345}`,
	},
	{
		name:     "8/1/16",
		nmea:     []string{`!AIVDM,1,1,,A,81mg=5@0D05@0000000000,4*58`},
		scaled:   `{"class":"AIS","type":8,"repeat":0,"mmsi":123456789,"scaled":true,"dac":1,"fid":16,"persons":0}`,
		unscaled: `{"class":"AIS","type":8,"repeat":0,"mmsi":123456789,"scaled":false,"dac":1,"fid":16,"persons":0}`,
	},
	{
		name:     "8/1/17",
		nmea:     []string{"!AIVDM,1,1,,A,81mg=5@0D@00r=1l039J`066`4>N7f@4ijkl03=aF3vNF0Fc@5,0*5A"},
		scaled:   `{"class":"AIS","type":8,"repeat":0,"mmsi":123456789,"scaled":true,"dac":1,"fid":17,"targets":[{"idtype":0,"idtype_text":"mmsi","mmsi":"244123456","lat":55.0000,"lon":3.3333,"course":270,"second":30,"speed":123},{"idtype":2,"idtype_text":"callsign","callsign":"PD1234","lat":-55.0000,"lon":-3.3333,"course":90,"second":45,"speed":5},{"idtype":0,"idtype_text":"mmsi","mmsi":"0","lat":0.0000,"lon":0.0000,"course":0,"second":0,"speed":0}]}`,
		unscaled: `{"class":"AIS","type":8,"repeat":0,"mmsi":123456789,"scaled":false,"dac":1,"fid":17,"targets":[{"idtype":0,"idtype_text":"mmsi","mmsi":"244123456","lat":3300000,"lon":200000,"course":270,"second":30,"speed":123},{"idtype":2,"idtype_text":"callsign","callsign":"PD1234","lat":-3300000,"lon":-200000,"course":90,"second":45,"speed":5},{"idtype":0,"idtype_text":"mmsi","mmsi":"0","lat":0,"lon":0,"course":0,"second":0,"speed":0}]}`,
	},
	{
		name:     "8/1/27",
		nmea:     []string{`!AIVDM,1,1,,A,81mg=5@0Fh9GoLip0UP?jA607U>d0,2*1A`},
		scaled:   `{"class":"AIS","type":8,"repeat":0,"mmsi":123456789,"scaled":true,"dac":1,"fid":27,"linkage":9,"sender":2,"rtype":31,"rtype_text":"Cancel route identified by message linkage","start":"07-14T12:30Z","duration":600,"waypoints":[{"lon":-12.000000,"lat":53.000000}]}`,
		unscaled: `{"class":"AIS","type":8,"repeat":0,"mmsi":123456789,"scaled":false,"dac":1,"fid":27,"linkage":9,"sender":2,"rtype":31,"rtype_text":"Cancel route identified by message linkage","start":"07-14T12:30Z","duration":600,"waypoints":[{"lon":-7200000,"lat":31800000}]}`,
	},
	{
		name:     "8/1/29",
		nmea:     []string{`!AIVDM,1,1,,A,81mg=5@0G@3619BG1IP3<?C54,0*08`},
		scaled:   `{"class":"AIS","type":8,"repeat":0,"mmsi":123456789,"scaled":true,"dac":1,"fid":29,"linkage":3,"text":"FAIRWAY CLOSED"}`,
		unscaled: `{"class":"AIS","type":8,"repeat":0,"mmsi":123456789,"scaled":false,"dac":1,"fid":29,"linkage":3,"text":"FAIRWAY CLOSED"}`,
	},
	{
		name:     "1/200/23",
		nmea:     []string{"!AIVDM,1,1,,A,81mg=5@j5iDlRab<u802o6h3dPf01NVd1n`iP7uQV@0,2*4D"},
		scaled:   `{"class":"AIS","type":8,"repeat":0,"mmsi":123456789,"scaled":true,"dac":200,"fid":23,"start":"2021-03-06T30:09","end":"2021-03-10T18:00","start_lon":5.000000,"start_lat":51.666667,"end_lon":5.166667,"end_lat":51.833333,"type":1,"type_text":"Wind","min":-5,"max":25,"class":2,"class_text":"Strong","wind":4,"wind_text":"South East"}`,
		unscaled: `{"class":"AIS","type":8,"repeat":0,"mmsi":123456789,"scaled":false,"dac":200,"fid":23,"start":"2021-03-06T30:09","end":"2021-03-10T18:00","start_lon":3000000,"start_lat":31000000,"end_lon":3100000,"end_lat":31100000,"type":1,"type_text":"Wind","min":-5,"max":25,"class":2,"class_text":"Strong","wind":4,"wind_text":"South East"}`,
	},
	{
		name:     "8/200/40",
		nmea:     []string{`!AIVDM,1,1,,A,81mg=5@j:0;LK0>j2p1c@P000200,0*57`},
		scaled:   `{"class":"AIS","type":8,"repeat":0,"mmsi":123456789,"scaled":true,"dac":200,"fid":40,"lon":5.000000,"lat":51.666667,"form":3,"facing":180,"direction":1,"direction_text":"Upstream","status":4,"status_text":"Green"}`,
		unscaled: `{"class":"AIS","type":8,"repeat":0,"mmsi":123456789,"scaled":false,"dac":200,"fid":40,"lon":3000000,"lat":31000000,"form":3,"facing":180,"direction":1,"direction_text":"Upstream","status":4,"status_text":"Green"}`,
	},
	{
		name:     "8/1/19",
		nmea:     []string{`!AIVDM,1,1,,A,81mg=5@0Dh5B?DD5B41=PC97>1<00000MC05rJh:F?400000000000000000,0*74`},
		scaled:   `{"class":"AIS","type":8,"repeat":0,"mmsi":123456789,"scaled":true,"dac":1,"fid":19,"linkage":5,"station":"ROTTERDAM SIGNAL","lon":4.0000,"lat":51.6667,"status":1,"signal":9,"signal_text":"I = \"in-bound\" only acceptable.","hour":12,"minute":30,"nextsignal":4,"nextsignal_text":"Vessels may proceed. Two way traffic."}`,
		unscaled: `{"class":"AIS","type":8,"repeat":0,"mmsi":123456789,"scaled":false,"dac":1,"fid":19,"linkage":5,"station":"ROTTERDAM SIGNAL","lon":4.0000,"lat":51.6667,"status":1,"signal":9,"signal_text":"I = \"in-bound\" only acceptable.","hour":12,"minute":30,"nextsignal":4,"nextsignal_text":"Vessels may proceed. Two way traffic."}`,
	},
}

// decodeOne feeds the sentences of one message to a fresh decoder.
func decodeOne(t *testing.T, nmea []string) ais.Message {
	t.Helper()
	d := ais.NewDecoder(ais.Config{})
	var msg ais.Message
	for _, s := range nmea {
		r, ok, err := d.Decode([]byte(s))
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if ok {
			msg = r.Message
		}
	}
	if msg == nil {
		t.Fatalf("%q: no message", nmea)
	}
	return msg
}

func appOf(m ais.Message) any {
	switch m := m.(type) {
	case *ais.BinaryAddressed:
		return m.App
	case *ais.BinaryBroadcast:
		return m.App
	}
	return nil
}

func TestAppsRenderAsGpsd(t *testing.T) {
	for _, c := range appCases {
		m := decodeOne(t, c.nmea)
		if raw := strings.Contains(c.name, " raw"); raw != (appOf(m) == nil) {
			t.Errorf("%s: decoded application %#v", c.name, appOf(m))
		}
		for _, v := range []struct {
			scaled bool
			want   string
		}{{true, c.scaled}, {false, c.unscaled}} {
			got := string(gpsdjson.Append(nil, m, gpsdjson.Options{Scaled: v.scaled}))
			if got != v.want {
				t.Errorf("%s scaled=%v:\n got %s\nwant %s", c.name, v.scaled, got, v.want)
			}
		}
	}
}

func TestAppsDecode(t *testing.T) {
	for _, c := range []struct {
		nmea []string
		want any
	}{
		{[]string{`!AIVDM,1,1,4,B,6>jR0600V:C0>da4P106P00,2*02`},
			&ais.AtoNMonitoring{AnaInt: 274, AnaExt1: 1, AnaExt2: 1, Racon: 2, Light: 2}},
		{[]string{`!AIVDM,1,1,,A,63LBA4;WBevJ04k0=@E=B0td,0*17`},
			&ais.DangerousCargo{LastPort: "0CTES", LMonth: 5, LDay: 4, LMinute: 60, NextPort: ","}},
		{[]string{`!AIVDM,1,1,,A,6h2E:81>NmKC04p0J<000?vv20Ru,0*31`},
			&ais.TidalWindow{IMO236: true, Tidals: []ais.Tidal{{Lon: 16760328, Lat: -24379392, FromHour: 1, FromMin: 5, ToHour: 29}}}},
		{[]string{`!AIVDM,1,1,,A,6h2E3MHrg19P0600@00000000000,0*02`},
			&ais.TidalWindow{Tidals: []ais.Tidal{{Lon: -16777216}}}},
		{[]string{`!AIVDM,1,1,,B,6h2E3MPr<buN05p0J00000000000,0*0A`},
			&ais.TextDescription{Linkage: 1, Text: "("}},
		{[]string{`!AIVDM,1,1,,B,640UrH@0RW?<<SOwwwwp00000000,0*5E`},
			&ais.InlandPersons{Crew: 255, Passengers: 8191, Personnel: 255}},
		{[]string{`!AIVDM,2,1,9,B,8>j` + "`" + `;MP0GhRHI1S` + "`" + `CrTW2?u2Ot1owwnews0F003wwwwwww0001wwwwwwwwh0,0*02`, `!AIVDM,2,2,9,B,00,4*18`},
			&ais.MetHydro{Lon: 1126600, Lat: 3264671, Day: 20, Hour: 18, Minute: 28, WSpeed: 17, WGust: 127,
				WDir: 132, WGustDir: 511, AirTemp: 14, Humidity: 127, DewPoint: -1, Pressure: 214, PressTend: 3,
				VisGreater: true, Visibility: 127, WaterLevel: 1538, LevelTrend: 3, CSpeed2: 255, CDir2: 511,
				CDepth2: 31, CSpeed3: 255, CDir3: 511, CDepth3: 31, SwellHeight: 255, SwellPeriod: 63,
				SwellDir: 511, SeaState: 15, WaterTemp: -1, PrecipType: 7, Salinity: 511, Ice: 3}},
		{[]string{`!AIVDM,1,1,,B,83aDChPj2d<dL<uM=hhhI?a@6HP0,0*40`},
			&ais.InlandStatic{VIN: "02103547", Length: 390, Beam: 50, ShipType: 8010, Draught: 204, Loaded: 1}},
		{[]string{`!AIVDM,1,1,,B,802ATu0j624P2@G80pEd0D5F0634,0*2F`},
			&ais.WaterLevels{Country: "HR", Gauges: [4]ais.Gauge{{4, -8007}, {3, -7845}, {2, -8021}, {1, -7996}}}},
		// gpsd leaves these as raw data: FI 40 is not decoded, and DAC 200
		// FI 10 only at 168 bits.
		{[]string{"!AIVDM,1,1,,A,63u?;TP0`QJ<06P000,4*43"}, nil},
		{[]string{`!AIVDM,2,1,4,A,83aDChPj2d<dL<uM=hhhI?a@6HP0e9QvUEEEOPPrE4t880>p2JqA6wimt:Ow,0*22`, `!AIVDM,2,2,4,A,UPP8k;JvOeD,2*7F`}, nil},
	} {
		if got := appOf(decodeOne(t, c.nmea)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q:\n got %#v\nwant %#v", c.nmea, got, c.want)
		}
	}
}

// TestAppsAnyLength decodes every application at every payload length:
// nothing panics, every rendering is an object, and the applications gpsd
// decodes at one length only are left raw at any other.
func TestAppsAnyLength(t *testing.T) {
	exact := map[[3]int]int{
		{6, 200, 21}: 248, {6, 200, 22}: 232, {6, 200, 55}: 168, {6, 235, 10}: 136, {6, 250, 10}: 136,
		{8, 200, 10}: 168, {8, 200, 23}: 256, {8, 200, 24}: 168, {8, 200, 40}: 168,
	}
	apps := [][3]int{
		{6, 1, 12}, {6, 1, 14}, {6, 1, 15}, {6, 1, 16}, {6, 1, 18}, {6, 1, 20}, {6, 1, 25}, {6, 1, 28},
		{6, 1, 30}, {6, 1, 32}, {8, 1, 11}, {8, 1, 13}, {8, 1, 15}, {8, 1, 16}, {8, 1, 17}, {8, 1, 19},
		{8, 1, 27}, {8, 1, 29}, {8, 1, 31},
	}
	for k := range exact {
		apps = append(apps, k)
	}
	for _, a := range apps {
		for _, ones := range []bool{false, true} {
			for n := 56; n <= 1008; n++ {
				if a[0] == 6 && n < 88 {
					continue
				}
				bits := make([]byte, n)
				if ones {
					for i := range bits {
						bits[i] = 1
					}
				}
				putBits(bits, 0, 6, a[0])
				putBits(bits, 8, 30, 123456789)
				if a[0] == 6 {
					putBits(bits, 72, 10, a[1])
					putBits(bits, 82, 6, a[2])
				} else {
					putBits(bits, 38, 2, 0)
					putBits(bits, 40, 10, a[1])
					putBits(bits, 50, 6, a[2])
				}
				payload, fill := armour(bits)
				m, err := ais.DecodePayload([]byte(payload), fill)
				if err != nil {
					t.Fatalf("%v %d bits: %v", a, n, err)
				}
				app := appOf(m)
				want := true
				if e, ok := exact[a]; ok && e != n {
					want = false
				}
				if a == [3]int{8, 1, 16} && n != 56+72 && n != 56+136 {
					want = false
				}
				if a == [3]int{8, 200, 10} && ones { // hazard 7
					want = false
				}
				if (app != nil) != want {
					t.Errorf("%v %d bits (ones=%v): application %T", a, n, ones, app)
				}
				for _, scaled := range []bool{true, false} {
					if js := gpsdjson.Append(nil, m, gpsdjson.Options{Scaled: scaled}); js[len(js)-1] != '}' {
						t.Errorf("%v %d bits: %s", a, n, js)
					}
				}
			}
		}
	}
}

func putBits(bits []byte, off, n, v int) {
	for i := 0; i < n; i++ {
		bits[off+i] = byte(v >> (n - 1 - i) & 1)
	}
}

func armour(bits []byte) (string, int) {
	fill := (6 - len(bits)%6) % 6
	var sb strings.Builder
	for i := 0; i < len(bits); i += 6 {
		v := 0
		for j := 0; j < 6; j++ {
			v <<= 1
			if i+j < len(bits) {
				v |= int(bits[i+j])
			}
		}
		if v < 40 {
			sb.WriteByte(byte(v + 48))
		} else {
			sb.WriteByte(byte(v + 56))
		}
	}
	return sb.String(), fill
}

func BenchmarkAppsDecodeRender(b *testing.B) {
	type payload struct {
		p    []byte
		fill int
	}
	var payloads []payload
	for _, c := range appCases {
		if len(c.nmea) == 1 {
			f := strings.Split(c.nmea[0], ",")
			payloads = append(payloads, payload{[]byte(f[5]), int(f[6][0] - '0')})
		}
	}
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p := payloads[i%len(payloads)]
		m, err := ais.DecodePayload(p.p, p.fill)
		if err != nil {
			b.Fatal(err)
		}
		buf = gpsdjson.Append(buf[:0], m, gpsdjson.Options{Scaled: true})
	}
}
