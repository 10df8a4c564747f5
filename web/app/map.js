// The map: an offline base map from the server's coastlines, the vessel
// layer (a canvas drawing up to hundreds of thousands of positions, grid-
// clustered when crowded), a vessel's track with a playhead, events, ports
// and zones, satellite footprints and detections.
import * as L from '../vendor/leaflet/leaflet-src.esm.js';
import { api } from './api.js';
import { debounce, kindOf, KINDS, esc, fmtTime } from './util.js';

let map;
let features = {};
const layers = {};
const visible = { vessels: true, tracks: true, events: true, places: true, imagery: true };
const handlers = { vessel: () => {}, event: () => {} };

export function getMap() { return map; }
export function onVesselClick(fn) { handlers.vessel = fn; }
export function onEventClick(fn) { handlers.event = fn; }

export function initMap(el, feats) {
  features = feats;
  map = L.map(el, { preferCanvas: true, minZoom: 2, maxZoom: 17, zoomSnap: 0.5, worldCopyJump: false, keyboard: true })
    .setView([42.5, 131.5], 6);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution('Land: public-domain coastlines · AIS: Lookout store');
  L.control.scale({ imperial: false, position: 'bottomleft' }).addTo(map);
  for (const [name, z] of [['land', 200], ['graticule', 250], ['zones', 350], ['tracks', 420], ['vesselsPane', 450], ['eventsPane', 600]]) {
    map.createPane(name).style.zIndex = z;
  }
  map.getPane('graticule').style.pointerEvents = 'none';
  layers.land = L.layerGroup().addTo(map);
  layers.graticule = L.layerGroup().addTo(map);
  layers.vessels = new VesselLayer().addTo(map);
  layers.tracks = L.layerGroup().addTo(map);
  layers.highlight = L.layerGroup().addTo(map);
  layers.events = L.layerGroup().addTo(map);
  layers.places = L.layerGroup().addTo(map);
  layers.imagery = L.layerGroup().addTo(map);
  const refresh = debounce(() => { loadLand(); drawGraticule(); loadEvents(); loadImagery(); }, 250);
  map.on('moveend', refresh);
  refresh();
  if (features.places) loadPlaces();
  drawLegend();
  return map;
}

export function setLayerVisible(name, on) {
  visible[name] = on;
  const l = name === 'tracks' ? [layers.tracks, layers.highlight] : [layers[name]];
  for (const x of l) { if (!x) continue; if (on) x.addTo(map); else x.remove(); }
}

function drawLegend() {
  const el = document.getElementById('legend');
  if (!el) return;
  el.innerHTML = Object.entries(KINDS).map(([k, v]) =>
    `<span class="legend-item" title="${esc(v.label)}"><span class="ev-icon" style="background:${v.color}">${esc(v.icon)}</span>${esc(v.label)}</span>`).join('');
}

// Base map: land for the view (plus a margin), simplified to about a pixel.
let landReq = 0;
async function loadLand() {
  if (!features.basemap) return;
  const b = map.getBounds().pad(0.5);
  const tol = Math.max(0.002, 360 / (256 * 2 ** map.getZoom()));
  const box = [Math.max(-180, b.getWest()), Math.max(-85, b.getSouth()), Math.min(180, b.getEast()), Math.min(85, b.getNorth())];
  const req = ++landReq;
  try {
    const gj = await api(`/api/basemap.geojson?bbox=${box.map((x) => x.toFixed(3)).join(',')}&tolerance=${tol.toFixed(4)}`);
    if (req !== landReq) return;
    layers.land.clearLayers();
    L.geoJSON(gj, { pane: 'land', interactive: false, style: { color: '#9c9474', weight: 0.8, fillColor: '#ede6d0', fillOpacity: 1 } }).addTo(layers.land);
  } catch (e) { console.warn('base map:', e.message); }
}

function drawGraticule() {
  layers.graticule.clearLayers();
  const z = map.getZoom();
  const step = z >= 9 ? 0.5 : z >= 7 ? 1 : z >= 5 ? 5 : z >= 3 ? 10 : 30;
  const b = map.getBounds();
  const style = { pane: 'graticule', color: '#6d8fa8', weight: 0.5, opacity: 0.45, interactive: false };
  for (let lat = Math.ceil(b.getSouth() / step) * step; lat <= b.getNorth(); lat += step) {
    L.polyline([[lat, b.getWest()], [lat, b.getEast()]], style).addTo(layers.graticule);
  }
  for (let lon = Math.ceil(b.getWest() / step) * step; lon <= b.getEast(); lon += step) {
    L.polyline([[b.getSouth(), lon], [b.getNorth(), lon]], style).addTo(layers.graticule);
  }
}

// Vessels: a canvas layer over the map. Positions arrive column-wise;
// their Web Mercator coordinates (0..1) are computed once per load, so a
// redraw of 100 000 vessels is a few multiplications each.
const VesselLayer = L.Layer.extend({
  initialize() { this._n = 0; this._flag = new Set(); },
  onAdd(m) {
    this._canvas = L.DomUtil.create('canvas', 'vessel-canvas');
    m.getPane('vesselsPane').appendChild(this._canvas);
    m.on('moveend zoomend resize viewreset', this._redraw, this);
    m.on('zoomstart', this._hide, this);
    m.on('click', this._click, this);
    this._redraw();
  },
  onRemove(m) {
    this._canvas.remove();
    m.off('moveend zoomend resize viewreset', this._redraw, this);
    m.off('zoomstart', this._hide, this);
    m.off('click', this._click, this);
  },
  setData(p, flagged) {
    const n = p.mmsi.length;
    this._d = p; this._n = n; this._flag = flagged || new Set();
    this._x = new Float64Array(n); this._y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = Math.sin(p.lat[i] * Math.PI / 180);
      this._x[i] = (p.lon[i] + 180) / 360;
      this._y[i] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
    }
    this._redraw();
  },
  _hide() { if (this._canvas) this._canvas.style.visibility = 'hidden'; },
  _redraw() {
    const m = this._map;
    if (!m || !this._canvas) return;
    const size = m.getSize(), dpr = window.devicePixelRatio || 1, c = this._canvas;
    L.DomUtil.setPosition(c, m.containerPointToLayerPoint([0, 0]));
    c.width = size.x * dpr; c.height = size.y * dpr;
    c.style.width = size.x + 'px'; c.style.height = size.y + 'px'; c.style.visibility = 'visible';
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size.x, size.y);
    this._sx = []; this._sy = []; this._si = []; this._clusters = [];
    if (!this._n) return;
    const scale = 256 * 2 ** m.getZoom();
    const origin = m.getPixelOrigin(), pane = m._getMapPanePos();
    const ox = pane.x - origin.x, oy = pane.y - origin.y;
    const sx = new Float32Array(this._n), sy = new Float32Array(this._n);
    let inView = 0;
    const vis = [];
    for (let i = 0; i < this._n; i++) {
      const x = this._x[i] * scale + ox, y = this._y[i] * scale + oy;
      if (x < -10 || y < -10 || x > size.x + 10 || y > size.y + 10) continue;
      sx[i] = x; sy[i] = y; vis.push(i); inView++;
    }
    // Three levels of detail: clusters when the view holds more vessels
    // than dots can show apart, dots for a dense view, arrows by course
    // for a readable one. Sanctioned vessels are always drawn on top.
    if (inView > 60000) this._drawClusters(ctx, vis, sx, sy);
    else if (inView > 3000) this._drawDots(ctx, vis, sx, sy);
    else this._drawVessels(ctx, vis, sx, sy, false);
    const fl = vis.filter((i) => this._flag.has(this._d.mmsi[i]));
    if (inView > 3000) this._drawVessels(ctx, fl, sx, sy, true);
  },
  _drawDots(ctx, vis, sx, sy) {
    ctx.fillStyle = 'rgba(11,92,173,0.85)';
    for (const i of vis) {
      ctx.fillRect(sx[i] - 1.25, sy[i] - 1.25, 2.5, 2.5);
      this._sx.push(sx[i]); this._sy.push(sy[i]); this._si.push(i);
    }
  },
  _drawVessels(ctx, vis, sx, sy, onlyFlagged) {
    const d = this._d;
    ctx.lineWidth = 1;
    for (const i of vis) {
      const x = sx[i], y = sy[i], flagged = this._flag.has(d.mmsi[i]);
      ctx.fillStyle = flagged ? '#d0021b' : '#0b5cad';
      ctx.strokeStyle = '#fff';
      const cog = d.cog[i];
      if (cog >= 0 && d.sog[i] > 0.5) {
        const a = cog * Math.PI / 180, r = flagged ? 9 : 7;
        ctx.beginPath();
        ctx.moveTo(x + Math.sin(a) * r, y - Math.cos(a) * r);
        ctx.lineTo(x + Math.sin(a + 2.5) * r * 0.6, y - Math.cos(a + 2.5) * r * 0.6);
        ctx.lineTo(x + Math.sin(a - 2.5) * r * 0.6, y - Math.cos(a - 2.5) * r * 0.6);
        ctx.closePath();
      } else {
        ctx.beginPath();
        ctx.arc(x, y, flagged ? 5 : 3.5, 0, 2 * Math.PI);
      }
      ctx.fill(); ctx.stroke();
      if (!onlyFlagged) { this._sx.push(x); this._sy.push(y); this._si.push(i); }
      else { this._sx.unshift(x); this._sy.unshift(y); this._si.unshift(i); }
    }
  },
  _drawClusters(ctx, vis, sx, sy) {
    const cell = 56, cells = new Map();
    for (const i of vis) {
      const key = Math.floor(sx[i] / cell) + ',' + Math.floor(sy[i] / cell);
      let c = cells.get(key);
      if (!c) { c = { n: 0, x: 0, y: 0, i }; cells.set(key, c); }
      c.n++; c.x += sx[i]; c.y += sy[i];
    }
    let maxN = 1;
    for (const c of cells.values()) maxN = Math.max(maxN, c.n);
    ctx.font = '600 11px system-ui, sans-serif';
    ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
    for (const c of cells.values()) {
      const x = c.x / c.n, y = c.y / c.n;
      if (c.n === 1) {
        ctx.fillStyle = '#0b5cad';
        ctx.beginPath(); ctx.arc(x, y, 3, 0, 2 * Math.PI); ctx.fill();
        this._sx.push(x); this._sy.push(y); this._si.push(c.i);
        continue;
      }
      // Area grows with the count; never wider than the cell, so
      // neighbours do not overlap.
      const r = 9 + 16 * Math.sqrt(c.n / maxN);
      ctx.fillStyle = 'rgba(11,92,173,0.72)';
      ctx.strokeStyle = 'rgba(255,255,255,0.95)';
      ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
      ctx.fillStyle = '#fff';
      ctx.fillText(c.n >= 1000 ? (c.n / 1000).toFixed(c.n >= 10000 ? 0 : 1) + 'k' : String(c.n), x, y);
      this._clusters.push({ x, y, r });
    }
  },
  _click(e) {
    const p = e.containerPoint;
    for (const c of this._clusters || []) {
      if ((c.x - p.x) ** 2 + (c.y - p.y) ** 2 <= c.r * c.r) {
        this._map.setZoomAround(p, this._map.getZoom() + 2);
        return;
      }
    }
    let best = -1, bd = 100;
    for (let k = 0; k < (this._si || []).length; k++) {
      const dd = (this._sx[k] - p.x) ** 2 + (this._sy[k] - p.y) ** 2;
      if (dd < bd) { bd = dd; best = this._si[k]; }
    }
    if (best >= 0) handlers.vessel(this._d.mmsi[best]);
  },
  count() { return this._n; },
});

let flagged = new Set();
export async function loadFlagged() {
  try {
    const r = await api('/api/events?kind=sanctions_hit&limit=100000');
    flagged = new Set(r.events.map((e) => e.mmsi));
  } catch (e) { console.warn('sanctions hits:', e.message); }
  return flagged;
}

let posReq = 0;
export async function loadPositions(at) {
  const req = ++posReq;
  const q = at ? `?at=${new Date(at * 1000).toISOString()}` : '';
  const p = await api('/api/positions' + q);
  if (req !== posReq) return null;
  layers.vessels.setData(p, flagged);
  return p;
}

export function fitPositions(p) {
  if (!p || !p.count) return;
  let s = 90, n = -90, w = 180, e = -180;
  for (let i = 0; i < p.count; i++) {
    s = Math.min(s, p.lat[i]); n = Math.max(n, p.lat[i]); w = Math.min(w, p.lon[i]); e = Math.max(e, p.lon[i]);
  }
  map.fitBounds([[s, w], [n, e]], { paddingTopLeft: [190, 60], paddingBottomRight: [60, 60], maxZoom: 9 });
}

// Track: one polyline per segment; the playhead interpolates between the
// kept vertices' times.
let track = null, playhead = null;
export async function showTrack(mmsi, opts = {}) {
  const q = new URLSearchParams({ zoom: String(Math.round(Math.max(map.getZoom(), 8))) });
  if (opts.from) q.set('from', opts.from);
  if (opts.to) q.set('to', opts.to);
  const tc = await api(`/api/vessels/${mmsi}/track?${q}`);
  layers.tracks.clearLayers();
  track = { mmsi, pts: [] };
  const colors = ['#e4572e', '#17bebb', '#ffc914', '#76b041', '#8a3ffc'];
  tc.features.forEach((f, k) => {
    const coords = f.geometry.type === 'Point' ? [f.geometry.coordinates] : f.geometry.coordinates;
    const ll = coords.map(([lon, lat]) => [lat, lon]);
    coords.forEach(([lon, lat], i) => track.pts.push({ t: f.properties.times[i], lat, lon, sog: f.properties.sog[i] }));
    const color = colors[(f.properties.segment - 1) % colors.length] || colors[0];
    L.polyline(ll, { pane: 'tracks', color: '#fff', weight: 6, opacity: 0.7, interactive: false }).addTo(layers.tracks);
    L.polyline(ll, { pane: 'tracks', color, weight: 3, opacity: 0.95, className: 'track-line' })
      .bindTooltip(`MMSI ${mmsi}, segment ${f.properties.segment}`, { sticky: true }).addTo(layers.tracks);
    if (ll.length) {
      L.circleMarker(ll[0], { pane: 'tracks', radius: 4, color, fillColor: '#fff', fillOpacity: 1, weight: 2 })
        .bindTooltip('Start ' + fmtTime(f.properties.times[0])).addTo(layers.tracks);
    }
  });
  track.pts.sort((a, b) => a.t - b.t);
  playhead = L.circleMarker([0, 0], { pane: 'tracks', radius: 7, color: '#111', weight: 2, fillColor: '#ffc914', fillOpacity: 1, className: 'playhead' });
  if (track.pts.length) {
    const b = L.latLngBounds(track.pts.map((p) => [p.lat, p.lon]));
    if (opts.fit !== false) map.fitBounds(b, { paddingTopLeft: [190, 60], paddingBottomRight: [60, 60], maxZoom: 11 });
    playhead.addTo(layers.tracks);
    setPlayhead(track.pts[track.pts.length - 1].t);
  }
  return { count: tc.positions, vertices: tc.vertices, span: track.pts.length ? [track.pts[0].t, track.pts[track.pts.length - 1].t] : null };
}

export function clearHighlight() { if (layers.highlight) layers.highlight.clearLayers(); }
export function clearTrack() { layers.tracks.clearLayers(); layers.highlight.clearLayers(); track = null; }

export function setPlayhead(t) {
  if (!track || !track.pts.length || !playhead) return;
  const pts = track.pts;
  let lo = 0, hi = pts.length - 1;
  if (t <= pts[0].t) { playhead.setLatLng([pts[0].lat, pts[0].lon]); return; }
  if (t >= pts[hi].t) { playhead.setLatLng([pts[hi].lat, pts[hi].lon]); return; }
  while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (pts[mid].t <= t) lo = mid; else hi = mid; }
  const a = pts[lo], b = pts[hi], f = (t - a.t) / Math.max(1, b.t - a.t);
  playhead.setLatLng([a.lat + (b.lat - a.lat) * f, a.lon + (b.lon - a.lon) * f]);
}

// Events in view, as letter icons coloured by kind.
let evReq = 0;
async function loadEvents() {
  const b = map.getBounds();
  const box = [Math.max(-180, b.getWest()), Math.max(-90, b.getSouth()), Math.min(180, b.getEast()), Math.min(90, b.getNorth())];
  const req = ++evReq;
  try {
    const fc = await api(`/api/events?format=geojson&limit=2000&bbox=${box.map((x) => x.toFixed(4)).join(',')}`);
    if (req !== evReq) return;
    layers.events.clearLayers();
    for (const f of fc.features) {
      const p = f.properties, k = kindOf(p.kind);
      const [lon, lat] = f.geometry.coordinates;
      L.marker([lat, lon], {
        pane: 'eventsPane', keyboard: false, title: `${k.label}: ${p.name || p.mmsi}`,
        icon: L.divIcon({ className: 'ev-marker', html: `<span class="ev-icon" style="background:${k.color}">${esc(k.icon)}</span>`, iconSize: [20, 20] }),
      }).on('click', () => handlers.event(p.id)).addTo(layers.events);
    }
  } catch (e) { console.warn('events:', e.message); }
}
export function reloadEvents() { loadEvents(); }

async function loadPlaces() {
  try {
    const fc = await api('/api/places');
    L.geoJSON(fc, {
      pane: 'zones',
      style: (f) => ({ color: f.properties.high_risk ? '#c0262d' : '#4a6b82', weight: 1.5, dashArray: '5 4', fillOpacity: 0.06 }),
      pointToLayer: (f, ll) => L.circleMarker(ll, { pane: 'zones', radius: 5, color: '#333', weight: 1.5, fillColor: f.properties.high_risk ? '#c0262d' : '#fff', fillOpacity: 1 }),
      onEachFeature: (f, l) => l.bindTooltip(`${esc(f.properties.name)}${f.properties.country ? ' (' + esc(f.properties.country) + ')' : ''}`),
    }).addTo(layers.places);
  } catch (e) { console.warn('places:', e.message); }
}

let imgReq = 0;
async function loadImagery() {
  if (!features.imagery) return;
  const b = map.getBounds();
  const box = [Math.max(-180, b.getWest()), Math.max(-90, b.getSouth()), Math.min(180, b.getEast()), Math.min(90, b.getNorth())].map((x) => x.toFixed(4)).join(',');
  const req = ++imgReq;
  try {
    const [scenes, dets] = await Promise.all([api(`/api/imagery/scenes?bbox=${box}`), api(`/api/imagery/detections?bbox=${box}`)]);
    if (req !== imgReq) return;
    layers.imagery.clearLayers();
    L.geoJSON(scenes, {
      pane: 'zones', style: { color: '#d4a000', weight: 1.5, dashArray: '2 4', fillOpacity: 0.04 },
      onEachFeature: (f, l) => l.bindTooltip(`${esc(f.properties.sensor || 'scene')} ${esc(fmtTime(f.properties.acquired))}: ${f.properties.detections} detections`),
    }).addTo(layers.imagery);
    L.geoJSON(dets, {
      pointToLayer: (f, ll) => L.circleMarker(ll, { pane: 'eventsPane', radius: 4, color: f.properties.dark ? '#c0262d' : '#d4a000', weight: 2, fillColor: '#fff', fillOpacity: 1 }),
      onEachFeature: (f, l) => l.bindTooltip(f.properties.dark ? 'Dark vessel (no AIS)' : `Matched MMSI ${f.properties.mmsi}`),
    }).addTo(layers.imagery);
  } catch (e) { console.warn('imagery:', e.message); }
}

// Highlights for the event page: the event's place and the positions it
// rests on.
export function highlightEvent(e) {
  layers.highlight.clearLayers();
  const k = kindOf(e.kind);
  L.circleMarker([e.lat, e.lon], { pane: 'eventsPane', radius: 16, color: k.color, weight: 3, fill: false, className: 'pulse' }).addTo(layers.highlight);
  for (const p of e.positions || []) {
    L.circleMarker([p.lat, p.lon], { pane: 'eventsPane', radius: 5, color: '#111', weight: 1.5, fillColor: k.color, fillOpacity: 1 })
      .bindTooltip(`MMSI ${p.mmsi} ${fmtTime(p.time)}`).addTo(layers.highlight);
  }
  const pts = [[e.lat, e.lon], ...(e.positions || []).map((p) => [p.lat, p.lon])];
  map.fitBounds(L.latLngBounds(pts).pad(0.5), { paddingTopLeft: [190, 40], maxZoom: 9 });
}

export function vesselCount() { return layers.vessels.count(); }
export function viewBBox() {
  const b = map.getBounds();
  return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x) => Math.round(x * 1e4) / 1e4);
}
