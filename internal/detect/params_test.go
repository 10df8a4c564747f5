package detect

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSet(t *testing.T) {
	tests := []struct {
		name, value string
		check       func(c Config) bool
		err         string // substring of the error; "" for success
	}{
		{"encounter.max_distance_m", "250", func(c Config) bool { return c.Encounter.MaxDistM == 250 }, ""},
		{"gap.min_hours", "6", func(c Config) bool { return c.Gap.Min == 6*time.Hour }, ""},
		{"gap.min_hours", "1.5", func(c Config) bool { return c.Gap.Min == 90*time.Minute }, ""},
		{"gap.min_hours", "90m", func(c Config) bool { return c.Gap.Min == 90*time.Minute }, ""},
		{"gap.min_hours", " 6 ", func(c Config) bool { return c.Gap.Min == 6*time.Hour }, ""},
		{"encounter.min_duration_hours", "0.5", func(c Config) bool { return c.Encounter.MinDuration == 30*time.Minute }, ""},
		{"encounter.slot_minutes", "5", func(c Config) bool { return c.Encounter.Slot == 5*time.Minute }, ""},
		{"port_visit.min_confidence", "3", func(c Config) bool { return c.PortVisit.MinConfidence == 3 }, ""},
		{"spoofing.check_ids", "false", func(c Config) bool { return !c.Spoofing.CheckIDs }, ""},
		{"geofence.enabled", "0", func(c Config) bool { return !c.Geofence.Enabled }, ""},
		{"stream.idle_hours", "240", func(c Config) bool { return c.Idle == 10*24*time.Hour }, ""},
		{"dark_port_visit.min_score", "0", func(c Config) bool { return c.DarkPort.MinScore == 0 }, ""},

		{"encounter.max_dist_m", "250", nil, `unknown parameter "encounter.max_dist_m" (encounter has: encounter.enabled, encounter.max_distance_m`},
		{"gap.min", "6h", nil, `unknown parameter "gap.min" (gap has:`},
		{"rendezvous.max_m", "1", nil, `names are DETECTOR.NAME, detectors: port_visit, gap, dark_port_visit`},
		{"", "1", nil, `unknown parameter ""`},
		{"encounter.max_distance_m", "far", nil, `encounter.max_distance_m: "far" is not a number`},
		{"encounter.max_distance_m", "NaN", nil, `encounter.max_distance_m: "NaN" is not a number`},
		{"encounter.max_distance_m", "0", nil, `encounter.max_distance_m: 0 is out of range (want > 0 and <= 50000)`},
		{"encounter.max_distance_m", "-5", nil, `out of range`},
		{"gap.min_hours", "soon", nil, `gap.min_hours: "soon" is not a number of hours or a duration such as 90m`},
		{"encounter.slot_minutes", "0.5", nil, `encounter.slot_minutes: 0.5 is out of range (want >= 1 and <= 120)`},
		{"port_visit.min_confidence", "5", nil, `port_visit.min_confidence: 5 is out of range`},
		{"port_visit.min_confidence", "2.5", nil, `port_visit.min_confidence: "2.5" is not a whole number`},
		{"gap.min_positions_before", "25", nil, `gap.min_positions_before: 25 is out of range (want >= 0 and <= 24)`},
		{"spoofing.check_ids", "maybe", nil, `spoofing.check_ids: "maybe" is not true or false`},
	}
	for _, tc := range tests {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			c := Default()
			before := c
			err := c.Set(tc.name, tc.value)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrParam) {
					t.Fatalf("error %v, want one wrapping ErrParam containing %q", err, tc.err)
				}
				if !reflect.DeepEqual(c, before) {
					t.Fatal("a refused value changed the config")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Fatalf("not set: %+v", c)
			}
			if err := c.check(); err != nil {
				t.Fatalf("valid value makes an invalid config: %v", err)
			}
		})
	}
}

// leaves returns the addresses of every settable field of c (all but
// Profile), by path.
func leaves(v reflect.Value, path string, out map[string]reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.Name == "Profile" {
				continue
			}
			leaves(v.Field(i), path+"."+f.Name, out)
		}
	default:
		out[path] = v
	}
}

// Every Config field has exactly one parameter name, and every name sets
// exactly one field.
func TestParamNamesCoverConfig(t *testing.T) {
	c := Default()
	fields := map[string]reflect.Value{}
	leaves(reflect.ValueOf(&c).Elem(), "Config", fields)
	covered := map[string]string{}
	names := ParamNames()
	if len(names) != len(fields) {
		t.Errorf("%d parameter names for %d fields", len(names), len(fields))
	}
	for _, n := range names {
		if strings.Count(n, ".") != 1 || strings.ToLower(n) != n || strings.ContainsAny(n, " -") {
			t.Errorf("%q is not detector.snake_case", n)
		}
		if ParamDoc(n) == "" {
			t.Errorf("%s has no doc", n)
		}
		x := Default()
		p := lookupParam(n)
		// A value different from the default, inside the range.
		var v string
		switch p.kind {
		case kindBool:
			cur, _ := x.Get(n)
			v = map[string]string{"true": "false", "false": "true"}[cur]
		default:
			v = fmtNum(p.max)
			if cur, _ := x.Get(n); cur == v {
				v = fmtNum(p.max - 1)
			}
		}
		if err := x.Set(n, v); err != nil {
			t.Errorf("Set(%s, %s): %v", n, v, err)
			continue
		}
		if got, _ := x.Get(n); got != v {
			t.Errorf("Get(%s) = %s after Set %s", n, got, v)
		}
		var changed []string
		d := Default()
		now, was := map[string]reflect.Value{}, map[string]reflect.Value{}
		leaves(reflect.ValueOf(&x).Elem(), "Config", now)
		leaves(reflect.ValueOf(&d).Elem(), "Config", was)
		for path := range fields {
			if !reflect.DeepEqual(now[path].Interface(), was[path].Interface()) {
				changed = append(changed, path)
			}
		}
		if len(changed) != 1 {
			t.Errorf("%s changed %v, want exactly one field", n, changed)
			continue
		}
		if o, dup := covered[changed[0]]; dup {
			t.Errorf("%s and %s both set %s", o, n, changed[0])
		}
		covered[changed[0]] = n
	}
	for path := range fields {
		if _, ok := covered[path]; !ok {
			t.Errorf("%s has no parameter name", path)
		}
	}
}

func TestProfile(t *testing.T) {
	g, err := Profile("gfw")
	if err != nil || !reflect.DeepEqual(g, Default()) {
		t.Fatalf("gfw is not the default: %v", err)
	}
	if e, _ := Profile(""); !reflect.DeepEqual(e, g) {
		t.Error(`"" is not gfw`)
	}
	s, err := Profile("skylight")
	if err != nil {
		t.Fatal(err)
	}
	// Skylight: standard rendezvous at 250 m for 30 min, dark activity
	// after 6 h; everything else as gfw.
	want := map[string]string{"encounter.max_distance_m": "250", "encounter.min_duration_hours": "0.5",
		"encounter.slot_minutes": "5", "gap.min_hours": "6", "gap.open_after_hours": "6"}
	for _, n := range ParamNames() {
		gv, _ := g.Get(n)
		sv, _ := s.Get(n)
		if w, ok := want[n]; ok {
			if sv != w {
				t.Errorf("skylight %s = %s, want %s", n, sv, w)
			}
		} else if sv != gv {
			t.Errorf("skylight %s = %s differs from gfw %s", n, sv, gv)
		}
	}
	if s.Profile != "skylight" || g.Profile != "gfw" {
		t.Errorf("profile names %q %q", g.Profile, s.Profile)
	}
	if err := s.check(); err != nil {
		t.Error(err)
	}
	if _, err := Profile("marinetraffic"); !errors.Is(err, ErrProfile) || !strings.Contains(err.Error(), `"marinetraffic"`) {
		t.Errorf("unknown profile: %v", err)
	}
}

func TestCheckRules(t *testing.T) {
	tests := []struct {
		set  [][2]string
		want string
	}{
		{[][2]string{{"port_visit.exit_km", "2"}}, "port_visit.exit_km: 2 is below port_visit.entry_km (3)"},
		{[][2]string{{"port_visit.stop_kn", "1"}}, "port_visit.move_kn: 0.5 is below port_visit.stop_kn (1)"},
		{[][2]string{{"encounter.retention_hours", "3"}}, "encounter.retention_hours: 3 is shorter than"},
	}
	for _, tc := range tests {
		c := Default()
		for _, kv := range tc.set {
			if err := c.Set(kv[0], kv[1]); err != nil {
				t.Fatal(err)
			}
		}
		_, err := New(c, Deps{}, nil)
		if err == nil || !errors.Is(err, ErrParam) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: New error %v, want %q", tc.set, err, tc.want)
		}
	}
	c := Default()
	c.Encounter.MaxDistM = -1 // set field by field, not through Set
	if _, err := New(c, Deps{}, nil); err == nil || !strings.Contains(err.Error(), "encounter.max_distance_m: -1 is out of range") {
		t.Errorf("New accepted a negative distance: %v", err)
	}
}

func TestParseConfig(t *testing.T) {
	text := `# my detection settings
profile = skylight
encounter.max_distance_m = 300   # a little wider
gap.min_hours=8

port_visit.enabled = false
`
	c, err := ParseConfig("my.conf", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if c.Profile != "skylight" || c.Encounter.MaxDistM != 300 || c.Gap.Min != 8*time.Hour ||
		c.PortVisit.Enabled || c.Encounter.MinDuration != 30*time.Minute {
		t.Errorf("parsed %+v", c)
	}
	// Text round-trips through ParseConfig.
	for _, p := range []string{"gfw", "skylight"} {
		want, _ := Profile(p)
		_ = want.Set("loitering.min_shore_nm", "12.5")
		got, err := ParseConfig("rt.conf", strings.NewReader(want.Text()))
		if err != nil {
			t.Fatalf("%s: %v\n%s", p, err, want.Text())
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: round trip differs:\n%s", p, want.Text())
		}
	}
	bad := []struct{ text, want string }{
		{"gap.min_hours = 6\nprofile = skylight\n", "bad.conf:2: profile must come before"},
		{"\n\ngap.min_hours 6\n", `bad.conf:3: want NAME = VALUE, got "gap.min_hours 6"`},
		{"encounter.max_dist_m = 250\n", `bad.conf:1: detect: bad parameter: unknown parameter "encounter.max_dist_m"`},
		{"profile = fast\n", `bad.conf:1: detect: unknown profile "fast"`},
		{"loitering.max_kn = -1\n", "bad.conf:1: detect: bad parameter loitering.max_kn: -1 is out of range"},
		{"port_visit.exit_km = 1\n", "bad.conf: detect: bad parameter port_visit.exit_km: 1 is below"},
	}
	for _, b := range bad {
		if _, err := ParseConfig("bad.conf", strings.NewReader(b.text)); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%q: error %v, want %q", b.text, err, b.want)
		}
	}
}

// The keys of every event's Params are parameter names: local ones
// prefixed by the event's detector, or full dotted names.
func TestEventParamsAreParamNames(t *testing.T) {
	c := Default()
	names := ParamNames()
	for _, det := range Names {
		p := c.params(det)
		if p["profile"] != "gfw" {
			t.Errorf("%s: profile %v", det, p["profile"])
		}
		n := 0
		for k := range p {
			if k == "profile" {
				continue
			}
			n++
			full := k
			if !strings.Contains(k, ".") {
				full = det + "." + k
			}
			if !slices.Contains(names, full) {
				t.Errorf("%s: Params key %q is not a parameter (%s)", det, k, full)
			}
		}
		if det != NameIdentityChange && det != NameGeofence && n == 0 {
			t.Errorf("%s: no parameters recorded", det)
		}
	}
	if got := c.params(NameGap)["min_hours"]; got != 12.0 {
		t.Errorf("gap min_hours = %v (%T), want 12.0", got, got)
	}
	if got := c.params(NameEncounter)["max_distance_m"]; got != 500.0 {
		t.Errorf("encounter max_distance_m = %v", got)
	}
}

// Only leaves exactly the named detectors on, whatever was on before.
func TestOnly(t *testing.T) {
	c := Default()
	if got := c.Only(NameEncounter).Detectors(); !slices.Equal(got, []string{NameEncounter}) {
		t.Errorf("Only(encounter): %v", got)
	}
	c.Encounter.Enabled = false
	if got := c.Only(NameGap, NameDarkPortVisit).Detectors(); !slices.Equal(got, []string{NameGap, NameDarkPortVisit}) {
		t.Errorf("Only(gap, dark port): %v", got)
	}
	if got := c.Only(NameDarkPortVisit).Detectors(); len(got) != 0 {
		t.Errorf("dark port visits without gaps: %v, want none", got)
	}
	if got := c.Only().Detectors(); len(got) != 0 {
		t.Errorf("Only(): %v", got)
	}
	if !c.PortVisit.Enabled {
		t.Error("Only changed the receiver")
	}
}
