package server

import "net/http"

// Shared parameter declarations.
var (
	pFrom   = qp("from", "string", "start of the half-open time range [from, to): RFC 3339, a date, or Unix seconds")
	pTo     = qp("to", "string", "end of the time range (exclusive)")
	pBBox   = qp("bbox", "string", "minLon,minLat,maxLon,maxLat in degrees; minLon > maxLon crosses the antimeridian")
	pLimit  = qp("limit", "integer", "maximum number of results")
	pMMSI   = pp("mmsi", "integer", "the vessel's MMSI")
	pCaseID = pp("id", "string", "case ID, e.g. C1")
)

// routeTable declares every endpoint. The mux, the role and parameter
// checks and the OpenAPI document are all built from it.
func (s *Server) routeTable() []*route {
	return []*route{
		// Unauthenticated.
		{method: "GET", path: "/healthz", role: RoleNone, tag: "meta", summary: "Liveness: 200 while the server runs (no token needed)",
			resp: "application/json", respSchema: "Health", h: s.handleHealth},
		{method: "GET", path: "/{$}", role: RoleNone, tag: "ui", summary: "The web map (HTML; the page asks for a token)",
			resp: "text/html", h: s.handleIndex},
		{method: "GET", path: "/ui/{file...}", role: RoleNone, tag: "ui", summary: "The web map's static files (public code, no data)",
			params: []param{pp("file", "string", "file under web/")}, resp: "application/octet-stream", h: s.handleStatic},
		{method: "POST", path: "/api/login", role: RoleNone, tag: "auth", summary: "Exchange a token for an HttpOnly SameSite=Strict session cookie (for the browser UI and EventSource)",
			body: "application/json", bodySchema: "Login", resp: "application/json", respSchema: "Principal", h: s.handleLogin},
		{method: "GET", path: "/api/session", role: RoleNone, tag: "auth",
			summary: "Whether the request carries a valid token (cookie or header), and whose: authenticated false instead of a 401",
			resp:    "application/json", respSchema: "Whoami", h: s.handleSession},
		{method: "POST", path: "/api/logout", role: RoleNone, tag: "auth", summary: "Clear the session cookie",
			status: http.StatusNoContent, h: s.handleLogout},

		// Viewer.
		{method: "GET", path: "/openapi.json", role: RoleViewer, tag: "meta", summary: "This document",
			resp: "application/json", h: s.handleOpenAPI},
		{method: "GET", path: "/api/whoami", role: RoleViewer, tag: "auth", summary: "The token's name and role, and which optional backends this server has",
			resp: "application/json", respSchema: "Whoami", h: s.handleWhoami},
		{method: "GET", path: "/api/stats", role: RoleViewer, tag: "meta", summary: "Store-wide counts",
			resp: "application/json", respSchema: "Stats", h: s.handleStats},
		{method: "GET", path: "/api/vessels", role: RoleViewer, tag: "vessels",
			summary: "Search vessels by name, MMSI, IMO or call sign (empty q: most recently seen)",
			params:  []param{qp("q", "string", "name or part of one, call sign, 9-digit MMSI, or IMO number ('IMO 9358010' or 7 digits)"), pLimit},
			resp:    "application/json", respSchema: "VesselList", h: s.handleVessels},
		{method: "GET", path: "/api/vessels/{mmsi}", role: RoleViewer, tag: "vessels",
			summary: "One vessel: identity history, sanctions hits with their reasons, events",
			params:  []param{pMMSI}, resp: "application/json", respSchema: "VesselDetail", h: s.handleVessel},
		{method: "GET", path: "/api/vessels/{mmsi}/track", role: RoleViewer, tag: "vessels",
			summary: "A vessel's track as GeoJSON, one LineString per segment, simplified (Douglas-Peucker) for the zoom level",
			params: []param{pMMSI, pFrom, pTo,
				qp("zoom", "integer", "web-map zoom level 0-22: simplify to half a pixel at that zoom; absent: every position (up to the server's cap)")},
			resp: "application/geo+json", respSchema: "TrackCollection", h: s.handleTrack},
		{method: "GET", path: "/api/positions", role: RoleViewer, tag: "vessels",
			summary: "Every vessel's latest position at a time (the map's vessel layer), column-wise for 100 000 vessels",
			params: []param{qp("at", "string", "the time (default: the newest position in the store)"), pBBox,
				qp("max_age", "integer", "seconds a position stays shown (default 21600)"), pLimit},
			resp: "application/json", respSchema: "Positions", h: s.handlePositions},
		{method: "GET", path: "/api/near", role: RoleViewer, tag: "vessels",
			summary: "Vessels with positions within a radius of a point, nearest first",
			params: []param{req(qp("lat", "number", "latitude")), req(qp("lon", "number", "longitude")),
				req(qp("radius_km", "number", "radius in km (0 < r <= 20000)")), pFrom, pTo, pLimit},
			resp: "application/json", respSchema: "NearList", h: s.handleNear},
		{method: "GET", path: "/api/events", role: RoleViewer, tag: "events",
			summary: "Events by kind, area, time and vessel, each with its explanation, detector and parameters",
			params: []param{qp("kind", "string", "comma-separated kinds: port_visit, gap, dark_port_visit, encounter, ..."),
				pBBox, pFrom, pTo, qp("mmsi", "integer", "the event's vessel or the other vessel of an encounter"),
				qp("detector", "string", "detector name"), qp("withdrawn", "boolean", "include withdrawn events"), pLimit,
				enum(qp("format", "string", "json (default) or geojson"), "json", "geojson")},
			resp: "application/json", respSchema: "EventList", h: s.handleEvents},
		{method: "GET", path: "/api/events/{id}", role: RoleViewer, tag: "events", summary: "One event",
			params: []param{pp("id", "integer", "event ID")}, resp: "application/json", respSchema: "Event", h: s.handleEvent},
		{method: "GET", path: "/api/imagery/scenes", role: RoleViewer, tag: "imagery",
			summary: "Satellite scene footprints as GeoJSON polygons", params: []param{pBBox, pFrom, pTo, pLimit},
			resp: "application/geo+json", respSchema: "FeatureCollection", h: s.handleScenes},
		{method: "GET", path: "/api/imagery/detections", role: RoleViewer, tag: "imagery",
			summary: "Vessels detected in scenes as GeoJSON points (matched MMSI, or dark)",
			params:  []param{pBBox, pFrom, pTo, qp("dark", "boolean", "only detections no AIS track matched"), pLimit},
			resp:    "application/geo+json", respSchema: "FeatureCollection", h: s.handleDetections},
		{method: "GET", path: "/api/basemap.geojson", role: RoleViewer, tag: "map",
			summary: "Land polygons (public-domain coastlines) for the offline base map",
			params:  []param{pBBox, qp("tolerance", "number", "simplification in degrees (default 0.05)")},
			resp:    "application/geo+json", respSchema: "FeatureCollection", h: s.handleBasemap},
		{method: "GET", path: "/api/places", role: RoleViewer, tag: "map", summary: "Ports, anchorages and zones as GeoJSON",
			resp: "application/geo+json", respSchema: "FeatureCollection", h: s.handlePlaces},
		{method: "GET", path: "/api/watches", role: RoleViewer, tag: "alerts", summary: "Alert watches",
			resp: "application/json", respSchema: "WatchList", h: s.handleWatches},
		{method: "GET", path: "/api/alerts/stream", role: RoleViewer, tag: "alerts",
			summary: "Server-Sent Events: 'alert' events (a published event matching a watch) as they happen",
			params:  []param{qp("watch", "string", "only this watch's alerts")},
			resp:    "text/event-stream", respSchema: "Alert", queryToken: true, noGzip: true, noTimeout: true,
			h: s.handleStream},

		// Analyst.
		{method: "POST", path: "/api/watches", role: RoleAnalyst, tag: "alerts",
			summary: "Create a watch: alert on events of these kinds, for these vessels, in this area (all optional, all must match)",
			body:    "application/json", bodySchema: "WatchInput", resp: "application/json", respSchema: "Watch", status: http.StatusCreated,
			h: s.handleCreateWatch},
		{method: "DELETE", path: "/api/watches/{id}", role: RoleAnalyst, tag: "alerts", summary: "Delete a watch",
			params: []param{pp("id", "string", "watch ID")}, status: http.StatusNoContent, h: s.handleDeleteWatch},
		{method: "GET", path: "/api/screen", role: RoleAnalyst, tag: "sanctions",
			summary: "Screen a vessel against the newest sanctions lists; every hit says why",
			params: []param{qp("name", "string", "vessel name"), qp("imo", "string", "IMO number"), qp("mmsi", "string", "MMSI"),
				qp("callsign", "string", "call sign"), qp("flag", "string", "flag (ISO code or name)"),
				qp("all", "boolean", "include hits below the alert threshold")},
			resp: "application/json", respSchema: "HitList", h: s.handleScreen},
		{method: "GET", path: "/api/cases", role: RoleAnalyst, tag: "cases", summary: "Cases (titles and counts; not audited)",
			resp: "application/json", respSchema: "CaseList", h: s.handleCases},
		{method: "POST", path: "/api/cases", role: RoleAnalyst, tag: "cases", summary: "Open a case",
			body: "application/json", bodySchema: "CaseInput", resp: "application/json", respSchema: "Case", status: http.StatusCreated,
			h: s.handleNewCase},
		{method: "GET", path: "/api/cases/{id}", role: RoleAnalyst, tag: "cases",
			summary: "A case with its evidence and chain of custody (the read is audited)",
			params:  []param{pCaseID}, resp: "application/json", respSchema: "Case", h: s.handleCase},
		{method: "POST", path: "/api/cases/{id}/items", role: RoleAnalyst, tag: "cases",
			summary: "Add evidence: a vessel snapshot, an event, or a note",
			params:  []param{pCaseID}, body: "application/json", bodySchema: "ItemInput", resp: "application/json", respSchema: "Item",
			status: http.StatusCreated, h: s.handleAddItem},
		{method: "GET", path: "/api/cases/{id}/items/{item}", role: RoleAnalyst, tag: "cases",
			summary: "Download an evidence item's content, checked against its SHA-256 (the read is audited)",
			params:  []param{pCaseID, pp("item", "string", "item ID, e.g. E3")}, resp: "application/octet-stream", noGzip: true,
			h: s.handleItemContent},
		{method: "POST", path: "/api/cases/{id}/dossier", role: RoleAnalyst, tag: "cases",
			summary: "Export the case's dossier as a zip anyone can verify offline (the export is audited)",
			params:  []param{pCaseID}, resp: "application/zip", noGzip: true, h: s.handleDossier},

		// Admin.
		{method: "GET", path: "/metrics", role: RoleAdmin, tag: "meta", summary: "Prometheus metrics",
			resp: "text/plain", noGzip: true, h: s.handleMetrics},
		{method: "GET", path: "/api/runs", role: RoleAdmin, tag: "meta", summary: "Ingest runs, newest first",
			resp: "application/json", respSchema: "RunList", h: s.handleRuns},
	}
}
