package server

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/lookout-maritime/lookout/internal/event"
)

// The OpenAPI 3.1 document is built from the route table, so every route
// is described with its role, parameters and responses; the schemas below
// are written by hand next to the JSON types they describe.

type obj = map[string]any

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func arrOf(items any) obj { return obj{"type": "array", "items": items} }

func props(required []string, p obj) obj {
	o := obj{"type": "object", "properties": p}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

var (
	tStr   = obj{"type": "string"}
	tInt   = obj{"type": "integer"}
	tNum   = obj{"type": "number"}
	tBool  = obj{"type": "boolean"}
	tTime  = obj{"type": "string", "format": "date-time"}
	tAny   = obj{}
	tBBox4 = obj{"type": "array", "items": tNum, "minItems": 4, "maxItems": 4, "description": "[minLon, minLat, maxLon, maxLat]"}
)

func schemas() obj {
	identity := props([]string{"mmsi", "first_seen", "last_seen"}, obj{"mmsi": tInt, "imo": tInt, "name": tStr, "callsign": tStr,
		"ship_type": tInt, "length": tInt, "beam": tInt, "flag": tStr, "class": tStr, "first_seen": tTime, "last_seen": tTime,
		"reports": tInt, "source": tStr, "destination": tStr})
	vesselProps := obj{"mmsi": tInt, "flag": tStr, "latest": ref("Identity"), "identities": tInt, "positions": tInt,
		"first_seen": tTime, "last_seen": tTime}
	detail := obj{"history": arrOf(ref("Identity")), "sanctions": arrOf(props(nil, obj{"event_id": tInt, "list": tStr,
		"program": tStr, "entity_name": tStr, "entity_id": tStr, "score": tNum, "reasons": tAny, "explanation": tStr})),
		"events": arrOf(ref("Event"))}
	for k, v := range vesselProps {
		detail[k] = v
	}
	evt := props([]string{"key", "kind", "start", "end", "lat", "lon", "explanation", "detector", "version"}, obj{
		"id": tInt, "key": tStr, "kind": obj{"type": "string", "enum": kindNames()}, "mmsi": tInt, "imo": tInt, "name": tStr,
		"start": tTime, "end": tTime, "lat": tNum, "lon": tNum, "port": tStr, "candidates": arrOf(obj{"type": "object"}),
		"other_mmsi": tInt, "other_name": tStr, "confidence": tNum, "explanation": tStr, "detector": tStr, "version": tStr,
		"params": obj{"type": "object"}, "details": obj{"type": "object"},
		"positions": arrOf(props(nil, obj{"mmsi": tInt, "time": tTime, "lat": tNum, "lon": tNum})),
		"revision":  tInt, "withdrawn": tBool})
	item := props([]string{"id", "kind", "sha256", "size"}, obj{"id": tStr, "kind": tStr, "ref": tStr, "sha256": tStr, "size": tInt,
		"media_type": tStr, "file_name": tStr, "captured": tTime, "source": tStr, "added_by": tStr, "added": tTime,
		"corrects": tStr, "description": tStr})
	watch := props([]string{"id", "name"}, obj{"id": tStr, "name": tStr, "kinds": arrOf(tStr), "mmsis": arrOf(tInt),
		"imos": arrOf(tInt), "bbox": props(nil, obj{"MinLat": tNum, "MinLon": tNum, "MaxLat": tNum, "MaxLon": tNum}),
		"webhook": tStr, "owner": tStr, "created": tTime})
	return obj{
		"Error":     props([]string{"error"}, obj{"error": tStr}),
		"Health":    props([]string{"status"}, obj{"status": tStr}),
		"Login":     props([]string{"token"}, obj{"token": tStr}),
		"Principal": props([]string{"name", "role"}, obj{"name": tStr, "role": obj{"type": "string", "enum": []string{"viewer", "analyst", "admin"}}}),
		"Whoami": props([]string{"authenticated"}, obj{"authenticated": tBool, "name": tStr, "role": tStr,
			"features": obj{"type": "object", "additionalProperties": tBool}}),
		"Stats": props(nil, obj{"positions": tInt, "vessels": tInt, "identities": tInt, "runs": tInt, "schema_version": tInt,
			"event_kinds": arrOf(tStr)}),
		"Identity":     identity,
		"Vessel":       props([]string{"mmsi"}, vesselProps),
		"VesselList":   props([]string{"vessels", "count"}, obj{"vessels": arrOf(ref("Vessel")), "count": tInt}),
		"VesselDetail": props([]string{"mmsi", "history", "sanctions", "events"}, detail),
		"TrackCollection": props([]string{"type", "features"}, obj{"type": obj{"const": "FeatureCollection"},
			"features": arrOf(props(nil, obj{"type": tStr, "geometry": obj{"type": "object"},
				"properties": props(nil, obj{"mmsi": tInt, "segment": tInt, "times": arrOf(tInt), "sog": arrOf(tNum)})})),
			"positions": tInt, "vertices": tInt, "tolerance_deg": tNum}),
		"Positions": props([]string{"at", "count", "mmsi", "lat", "lon"}, obj{"at": tTime, "count": tInt, "approximate": tBool,
			"mmsi": arrOf(tInt), "lat": arrOf(tNum), "lon": arrOf(tNum), "cog": arrOf(tNum), "sog": arrOf(tNum), "time": arrOf(tInt)}),
		"NearList": props([]string{"vessels"}, obj{"count": tInt, "vessels": arrOf(props(nil, obj{"mmsi": tInt, "latest": ref("Identity"),
			"positions": tInt, "first_seen": tTime, "last_seen": tTime, "closest_km": tNum, "closest_time": tTime,
			"closest_lat": tNum, "closest_lon": tNum}))}),
		"Event":     evt,
		"EventList": props([]string{"events", "count"}, obj{"events": arrOf(ref("Event")), "count": tInt}),
		"FeatureCollection": props([]string{"type", "features"}, obj{"type": obj{"const": "FeatureCollection"},
			"features": arrOf(props(nil, obj{"type": tStr, "geometry": obj{"type": "object"}, "properties": obj{"type": "object"}}))}),
		"HitList": props([]string{"hits"}, obj{"count": tInt, "hits": arrOf(props(nil, obj{"kind": tStr, "score": tNum, "alert": tBool,
			"list": tStr, "list_sha256": tStr, "entity_id": tStr, "name": tStr, "programs": arrOf(tStr), "designation_date": tStr,
			"reasons": arrOf(props(nil, obj{"field": tStr, "query": tStr, "listed": tStr, "strength": tNum, "note": tStr})),
			"chain":   arrOf(obj{"type": "object"})}))}),
		"CaseInput": props([]string{"title"}, obj{"title": tStr}),
		"CaseList": props([]string{"cases"}, obj{"cases": arrOf(props(nil, obj{"id": tStr, "title": tStr, "created": tTime,
			"created_by": tStr, "items": tInt}))}),
		"Case": props([]string{"id", "title", "items"}, obj{"id": tStr, "title": tStr, "created": tTime, "created_by": tStr,
			"items": arrOf(ref("Item")), "custody": arrOf(obj{"type": "object"}), "current": arrOf(tStr)}),
		"Item": item,
		"ItemInput": props([]string{"kind"}, obj{"kind": obj{"type": "string", "enum": []string{"vessel", "event", "note"}},
			"mmsi": tInt, "event_id": tInt, "text": tStr, "description": tStr}),
		"Watch":     watch,
		"WatchList": props([]string{"watches"}, obj{"watches": arrOf(ref("Watch"))}),
		"WatchInput": props([]string{"name"}, obj{"name": tStr, "kinds": arrOf(tStr), "mmsis": arrOf(tInt), "imos": arrOf(tInt),
			"bbox": tBBox4, "webhook": obj{"type": "string", "format": "uri"}}),
		"Alert":   props([]string{"seq", "watch", "event"}, obj{"seq": tInt, "watch": tStr, "watch_name": tStr, "event": ref("Event")}),
		"RunList": props([]string{"runs"}, obj{"runs": arrOf(obj{"type": "object"})}),
	}
}

func kindNames() []string {
	var out []string
	for _, k := range eventKinds() {
		out = append(out, string(k))
	}
	return out
}

var pathParamRE = regexp.MustCompile(`\{([a-z_]+)(\.\.\.)?\}`)

// openAPIPath turns a mux pattern into an OpenAPI path ("/{$}" is "/",
// "{file...}" is "{file}").
func openAPIPath(p string) string {
	p = strings.ReplaceAll(p, "{$}", "")
	return pathParamRE.ReplaceAllString(p, "{$1}")
}

func (s *Server) openAPI() ([]byte, error) {
	paths := obj{}
	for _, rt := range s.routes {
		op := obj{"summary": rt.summary, "tags": []string{rt.tag},
			"operationId": strings.ToLower(rt.method) + strings.NewReplacer("/", "_", "{", "", "}", "", ".", "_", "$", "", "-", "_").Replace(openAPIPath(rt.path))}
		if rt.role == RoleNone {
			op["security"] = []any{}
		} else {
			op["security"] = []any{obj{"bearer": []string{}}, obj{"cookie": []string{}}}
			op["description"] = "Requires the " + rt.role.String() + " role (or higher)."
			if rt.queryToken {
				op["description"] = op["description"].(string) + " EventSource clients may pass the token as ?token= instead."
			}
		}
		var ps []any
		for _, p := range rt.params {
			sch := obj{"type": p.typ}
			if len(p.enum) > 0 {
				sch["enum"] = p.enum
			}
			ps = append(ps, obj{"name": p.name, "in": p.in, "required": p.required, "description": p.desc, "schema": sch})
		}
		if len(ps) > 0 {
			op["parameters"] = ps
		}
		if rt.body != "" {
			op["requestBody"] = obj{"required": true, "content": obj{rt.body: obj{"schema": ref(rt.bodySchema)}}}
		}
		status := rt.status
		if status == 0 {
			status = http.StatusOK
		}
		ok := obj{"description": http.StatusText(status)}
		if rt.resp != "" {
			sch := obj{}
			if rt.respSchema != "" {
				sch = ref(rt.respSchema)
			}
			ok["content"] = obj{rt.resp: obj{"schema": sch}}
		}
		errResp := func(why string) obj {
			return obj{"description": why, "content": obj{"application/json": obj{"schema": ref("Error")}}}
		}
		resps := obj{strconv.Itoa(status): ok}
		if len(rt.params) > 0 || rt.body != "" {
			resps["400"] = errResp("Bad parameters or body; the message names each problem")
		}
		if rt.role > RoleNone {
			resps["401"] = errResp("No token, or an unknown one")
			resps["403"] = errResp("The token's role is not enough")
		}
		if rt.body != "" {
			resps["413"] = errResp("Request body over the limit")
			resps["415"] = errResp("Body is not application/json")
		}
		if strings.Contains(rt.path, "{") {
			resps["404"] = errResp("Not found")
		}
		resps["501"] = errResp("This server was started without the backend the endpoint needs")
		op["responses"] = resps
		p := openAPIPath(rt.path)
		if p == "" {
			p = "/"
		}
		item, _ := paths[p].(obj)
		if item == nil {
			item = obj{}
			paths[p] = item
		}
		item[strings.ToLower(rt.method)] = op
	}
	doc := obj{
		"openapi": "3.1.0",
		"info": obj{"title": "Lookout API", "version": "1",
			"description": "Maritime sanctions monitoring: vessels, tracks, events, screening, cases and live alerts. " +
				"Times are UTC (RFC 3339); ranges are half-open [from, to); bounding boxes are minLon,minLat,maxLon,maxLat.",
			"license": obj{"name": "Apache-2.0", "identifier": "Apache-2.0"}},
		"paths": paths,
		"components": obj{
			"schemas": schemas(),
			"securitySchemes": obj{
				"bearer": obj{"type": "http", "scheme": "bearer", "description": "A token from 'lookout token create'"},
				"cookie": obj{"type": "apiKey", "in": "cookie", "name": cookieName, "description": "Set by POST /api/login (browser UI)"},
			},
		},
	}
	return json.MarshalIndent(doc, "", "  ")
}

func eventKinds() []event.Kind { return event.Kinds }
