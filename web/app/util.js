// Small helpers shared by the UI modules.

// esc makes text safe to put in HTML: every string from the API is
// outside data (vessel names come from radio broadcasts).
export function esc(v) {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

// html is a tagged template that escapes every interpolated value unless
// it is wrapped in raw().
export function html(strings, ...vals) {
  let out = strings[0];
  vals.forEach((v, i) => {
    if (Array.isArray(v)) out += v.map((x) => (x instanceof Raw ? x.s : esc(x))).join('');
    else out += v instanceof Raw ? v.s : esc(v);
    out += strings[i + 1];
  });
  return new Raw(out);
}

export class Raw { constructor(s) { this.s = s; } toString() { return this.s; } }
export const raw = (s) => new Raw(s);

export function fmtTime(t) {
  if (!t) return '—';
  const d = typeof t === 'number' ? new Date(t * 1000) : new Date(t);
  if (isNaN(d)) return '—';
  return d.toISOString().replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, 'Z');
}

export function fmtDuration(ms) {
  const h = ms / 3600e3;
  if (h < 1) return `${Math.round(ms / 60e3)} min`;
  if (h < 48) return `${h.toFixed(1)} h`;
  return `${(h / 24).toFixed(1)} days`;
}

export function debounce(fn, ms) {
  let t;
  return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}

// Event kinds: a letter and a colour each, for map icons and timelines.
export const KINDS = {
  port_visit: { label: 'Port visit', icon: 'P', color: '#2b7bb9' },
  gap: { label: 'AIS gap', icon: 'G', color: '#7a4fd6' },
  dark_port_visit: { label: 'Dark port visit', icon: 'D', color: '#c0262d' },
  encounter: { label: 'Encounter', icon: 'E', color: '#e07b00' },
  loitering: { label: 'Loitering', icon: 'L', color: '#9a7b00' },
  spoofing: { label: 'Spoofing', icon: 'S', color: '#d6336c' },
  draught_change: { label: 'Draught change', icon: 'd', color: '#0f8a7e' },
  identity_change: { label: 'Identity change', icon: 'I', color: '#5c6f82' },
  geofence: { label: 'Zone entry', icon: 'Z', color: '#b35900' },
  sanctions_hit: { label: 'Sanctions hit', icon: '!', color: '#a1001a' },
  dark_detection: { label: 'Dark detection', icon: 'X', color: '#222' },
  risk_change: { label: 'Risk change', icon: 'R', color: '#8a3ffc' },
};
export const kindOf = (k) => KINDS[k] || { label: k, icon: '?', color: '#666' };

export function vesselLabel(v) {
  const id = v.latest || v;
  return id.name || (id.imo ? `IMO ${id.imo}` : `MMSI ${v.mmsi}`);
}
