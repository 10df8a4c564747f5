// The side panel's pages: vessel, event, cases, case, alerts.
import { api } from './api.js';
import { html, raw, esc, fmtTime, fmtDuration, kindOf, KINDS, vesselLabel } from './util.js';
import * as M from './map.js';

const body = () => document.getElementById('panel-body');
let features = {};
let role = 'viewer';
export function initPanels(f, r) { features = f; role = r; }
const canAnalyse = () => role === 'analyst' || role === 'admin';

export function toast(msg, bad = false) {
  const t = document.getElementById('toast');
  t.textContent = msg; t.className = bad ? 'bad' : ''; t.hidden = false;
  clearTimeout(toast.t); toast.t = setTimeout(() => { t.hidden = true; }, 4000);
}

function render(h) { body().innerHTML = String(h); body().scrollTop = 0; document.getElementById('panel').classList.add('open'); }
function fail(e) { render(html`<p class="error">${e.message}</p>`); }

// The case new items go to, chosen on the cases page.
export const currentCase = {
  get() { return localStorage.getItem('lookout.case') || ''; },
  set(id) { localStorage.setItem('lookout.case', id); },
};

async function addToCase(item) {
  const id = currentCase.get();
  if (!id) { toast('Choose a case first (Cases page, "Collect here").', true); location.hash = '#/cases'; return; }
  try {
    const it = await api(`/api/cases/${id}/items`, { method: 'POST', body: item });
    toast(`Added to case ${id} as ${it.id} (sha256 ${it.sha256.slice(0, 12)}…)`);
  } catch (e) { toast(e.message, true); }
}

function eventRow(e) {
  const k = kindOf(e.kind);
  const span = e.end && e.end !== e.start ? ` · ${fmtDuration(new Date(e.end) - new Date(e.start))}` : '';
  return html`<li class="tl-item"><a href="#/event/${e.id}"><span class="ev-icon" style="background:${k.color}">${k.icon}</span>
    <span class="tl-main"><b>${k.label}</b>${e.port ? ' · ' + e.port : ''}<br><small>${fmtTime(e.start)}${span}</small></span></a></li>`;
}

// strip draws a vessel's events on one time axis: spans for events that
// last (gaps, port visits), ticks for instants; each opens its page.
function strip(v) {
  const evs = v.events.filter((e) => e.start);
  const ts = evs.flatMap((e) => [+new Date(e.start), +new Date(e.end || e.start)]);
  if (v.first_seen) ts.push(+new Date(v.first_seen));
  if (v.last_seen) ts.push(+new Date(v.last_seen));
  if (!evs.length || ts.length < 2) return '';
  const lo = Math.min(...ts), hi = Math.max(...ts), W = 360, span = Math.max(1, hi - lo);
  const x = (t) => 4 + (W - 8) * (t - lo) / span;
  const marks = evs.map((e) => {
    const k = kindOf(e.kind), a = x(+new Date(e.start)), b = x(+new Date(e.end || e.start));
    return html`<a href="#/event/${e.id}"><rect x="${a.toFixed(1)}" y="6" width="${Math.max(3, b - a).toFixed(1)}" height="14" rx="2" fill="${k.color}" opacity="0.85"><title>${k.label} ${fmtTime(e.start)}</title></rect></a>`;
  });
  return html`<svg class="strip" viewBox="0 0 ${W} 36" role="img" aria-label="Events on a time axis">
    <line x1="4" y1="13" x2="${W - 4}" y2="13" stroke="#9aa5b1" stroke-width="1"/>${marks}
    <text x="4" y="33" font-size="9" fill="#5f6b77">${fmtTime(lo / 1000)}</text>
    <text x="${W - 4}" y="33" font-size="9" fill="#5f6b77" text-anchor="end">${fmtTime(hi / 1000)}</text></svg>`;
}

export async function showHome() {
  render(html`<h2>Welcome</h2>
    <p>Search a vessel with <kbd>/</kbd>, pick one on the map, or open an event icon.</p>
    <p class="muted" id="home-stats">Loading…</p>
    <h3>Keys</h3>
    <ul class="keys"><li><kbd>/</kbd> search</li><li><kbd>↑</kbd><kbd>↓</kbd><kbd>Enter</kbd> choose a result</li>
    <li><kbd>Space</kbd> play / pause the track</li><li><kbd>a</kbd> alerts · <kbd>c</kbd> cases · <kbd>Esc</kbd> close</li></ul>`);
  try {
    const s = await api('/api/stats');
    document.getElementById('home-stats').textContent =
      `${s.vessels.toLocaleString()} vessels · ${s.positions.toLocaleString()} positions · ${M.vesselCount().toLocaleString()} on the map now`;
  } catch (e) { /* shown elsewhere */ }
}

export async function showVessel(mmsi) {
  render(html`<p class="muted">Loading vessel ${mmsi}…</p>`);
  let v;
  try { v = await api(`/api/vessels/${mmsi}`); } catch (e) { fail(e); return; }
  const latest = v.latest || {};
  const sanctions = v.sanctions.map((s) => html`<div class="hit">
      <div><b>${s.list}</b> ${s.program ? '· ' + s.program : ''} <span class="score">${Math.round(s.score * 100)}%</span></div>
      <div>${s.entity_name}</div>
      <p>${s.explanation}</p>
      ${Array.isArray(s.reasons) ? html`<ul class="reasons">${s.reasons.map((r) => html`<li><b>${r.field}</b>: ${r.query} ${r.listed && r.listed !== r.query ? '≈ ' + r.listed : ''}${r.note ? ' — ' + r.note : ''}</li>`)}</ul>` : ''}
      <a href="#/event/${s.event_id}">screening event</a></div>`);
  const hist = v.history.map((h) => html`<tr><td>${h.name || '—'}</td><td>${h.imo || ''}</td><td>${h.callsign || ''}</td><td>${h.flag || ''}</td>
      <td>${fmtTime(h.first_seen)}<br>${fmtTime(h.last_seen)}</td></tr>`);
  render(html`<h2 id="vessel-title">${vesselLabel(v)}</h2>
    <p class="ids">MMSI <b>${v.mmsi}</b>${latest.imo ? html` · IMO <b>${latest.imo}</b>` : ''}${latest.callsign ? ' · ' + latest.callsign : ''}
      ${v.flag ? html` · flag <b>${v.flag}</b>` : ''}</p>
    <p class="muted">${v.positions.toLocaleString()} positions · seen ${fmtTime(v.first_seen)} – ${fmtTime(v.last_seen)}</p>
    <div class="actions">
      <button id="btn-track" type="button">Show track</button>
      ${canAnalyse() ? html`<button id="btn-add" type="button">Add to case</button><button id="btn-watch" type="button">Watch</button>` : ''}
    </div>
    <p id="track-info" class="muted"></p>
    ${v.sanctions.length ? html`<h3 class="danger">Sanctions hits (${v.sanctions.length})</h3>${sanctions}` : html`<h3>Sanctions</h3><p class="muted">No hits recorded.</p>`}
    <h3>Identity history (${v.history.length})</h3>
    <table class="hist"><thead><tr><th>Name</th><th>IMO</th><th>Call sign</th><th>Flag</th><th>Seen</th></tr></thead><tbody>${hist}</tbody></table>
    <h3>Events (${v.events.length})</h3>
    ${strip(v)}
    <ol class="timeline" id="vessel-events">${v.events.map(eventRow)}</ol>`);
  const loadTrack = async () => {
    try {
      const t = await M.showTrack(mmsi);
      document.getElementById('track-info').textContent = t.count
        ? `Track: ${t.count.toLocaleString()} positions, ${t.vertices.toLocaleString()} drawn at this zoom.` : 'No positions stored.';
      document.dispatchEvent(new CustomEvent('track', { detail: t }));
    } catch (e) { toast(e.message, true); }
  };
  document.getElementById('btn-track').onclick = loadTrack;
  const add = document.getElementById('btn-add');
  if (add) add.onclick = () => addToCase({ kind: 'vessel', mmsi });
  const watch = document.getElementById('btn-watch');
  if (watch) watch.onclick = async () => {
    try {
      await api('/api/watches', { method: 'POST', body: { name: `${vesselLabel(v)} (${mmsi})`, mmsis: [mmsi] } });
      toast(`Watching ${vesselLabel(v)}: its events will appear under Alerts.`);
    } catch (e) { toast(e.message, true); }
  };
  loadTrack();
}

export async function showEvent(id) {
  render(html`<p class="muted">Loading event ${id}…</p>`);
  let e;
  try { e = await api(`/api/events/${id}`); } catch (err) { fail(err); return; }
  const k = kindOf(e.kind);
  const dur = new Date(e.end) - new Date(e.start);
  const val = (b) => {
    if (Array.isArray(b) && b.every((x) => x && typeof x === 'object')) {
      return html`<ul class="plain">${b.map((x) => html`<li>${Object.entries(x).map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' · ')}</li>`)}</ul>`;
    }
    return typeof b === 'object' && b !== null ? JSON.stringify(b) : b;
  };
  const kv = (o) => Object.entries(o || {}).map(([a, b]) => html`<tr><th>${a.replaceAll('_', ' ')}</th><td>${val(b)}</td></tr>`);
  render(html`<h2><span class="ev-icon big" style="background:${k.color}">${k.icon}</span> ${k.label}</h2>
    <p class="ids"><a href="#/vessel/${e.mmsi}">${e.name || 'MMSI ' + e.mmsi}</a>${e.other_mmsi ? html` with <a href="#/vessel/${e.other_mmsi}">${e.other_name || 'MMSI ' + e.other_mmsi}</a>` : ''}${e.port ? ' · ' + e.port : ''}</p>
    <p class="explanation">${e.explanation}</p>
    <p class="muted">${fmtTime(e.start)} – ${fmtTime(e.end)}${dur > 0 ? ' (' + fmtDuration(dur) + ')' : ''} · confidence ${Math.round(e.confidence * 100)}%
      ${e.withdrawn ? html` · <b class="danger">withdrawn</b>` : ''}${e.revision ? ' · revision ' + e.revision : ''}</p>
    ${canAnalyse() ? html`<div class="actions"><button id="btn-add" type="button">Add to case</button></div>` : ''}
    ${e.candidates && e.candidates.length ? html`<h3>Candidate ports</h3><table class="kv">${e.candidates.map((c) => html`<tr><th>${c.port}${c.high_risk ? ' ⚠' : ''}</th><td>score ${c.score.toFixed(2)} · detour ${Math.round(c.detour_km)} km · up to ${c.max_dwell_h.toFixed(1)} h</td></tr>`)}</table>` : ''}
    <h3>Detector</h3><table class="kv"><tr><th>name</th><td>${e.detector} ${e.version}</td></tr>${kv(e.params)}</table>
    ${e.details ? html`<h3>Measurements</h3><table class="kv">${kv(e.details)}</table>` : ''}
    <h3>Positions used (${(e.positions || []).length})</h3>
    <ol class="plain">${(e.positions || []).map((p) => html`<li>${fmtTime(p.time)} · ${p.lat.toFixed(4)}, ${p.lon.toFixed(4)}</li>`)}</ol>
    <h3>Nearby imagery</h3><div id="event-imagery" class="muted">${features.imagery ? 'Looking…' : 'No imagery catalogue on this server.'}</div>`);
  M.highlightEvent(e);
  if (e.mmsi) {
    const pad = Math.max(6 * 3600e3, dur);
    M.showTrack(e.mmsi, { from: new Date(new Date(e.start) - pad).toISOString(), to: new Date(+new Date(e.end) + pad).toISOString(), fit: false })
      .catch((err) => toast(err.message, true));
  }
  const add = document.getElementById('btn-add');
  if (add) add.onclick = () => addToCase({ kind: 'event', event_id: e.id });
  if (features.imagery) {
    const box = [e.lon - 0.5, e.lat - 0.5, e.lon + 0.5, e.lat + 0.5].map((x) => x.toFixed(4)).join(',');
    const from = new Date(new Date(e.start) - 2 * 86400e3).toISOString(), to = new Date(+new Date(e.end) + 2 * 86400e3).toISOString();
    try {
      const sc = await api(`/api/imagery/scenes?bbox=${box}&from=${from}&to=${to}`);
      document.getElementById('event-imagery').innerHTML = sc.features.length
        ? String(html`<ul class="plain">${sc.features.map((f) => html`<li>${f.properties.sensor || f.properties.provider} · ${fmtTime(f.properties.acquired)} · ${f.properties.detections} detections</li>`)}</ul>`)
        : 'No scenes within 0.5° and two days.';
    } catch (err) { document.getElementById('event-imagery').textContent = err.message; }
  }
}

export async function showCases() {
  if (!features.cases) { render(html`<h2>Cases</h2><p class="muted">This server has no evidence log.</p>`); return; }
  if (!canAnalyse()) { render(html`<h2>Cases</h2><p class="muted">Cases need the analyst role.</p>`); return; }
  let r;
  try { r = await api('/api/cases'); } catch (e) { fail(e); return; }
  const cur = currentCase.get();
  render(html`<h2>Cases</h2>
    <form id="new-case" class="inline"><input id="case-title" placeholder="New case title" required maxlength="300" aria-label="New case title"><button type="submit">Open case</button></form>
    <ul class="cases">${r.cases.map((c) => html`<li class="${c.id === cur ? 'current' : ''}"><a href="#/case/${c.id}"><b>${c.id}</b> ${c.title}</a>
      <small>${c.items} items · ${fmtTime(c.created)}</small>
      <button type="button" class="collect" data-id="${c.id}">${c.id === cur ? 'Collecting here' : 'Collect here'}</button></li>`)}</ul>`);
  document.getElementById('new-case').onsubmit = async (ev) => {
    ev.preventDefault();
    try {
      const c = await api('/api/cases', { method: 'POST', body: { title: document.getElementById('case-title').value } });
      currentCase.set(c.id);
      location.hash = `#/case/${c.id}`;
    } catch (e) { toast(e.message, true); }
  };
  for (const b of body().querySelectorAll('button.collect')) {
    b.onclick = () => { currentCase.set(b.dataset.id); showCases(); toast(`New evidence goes to ${b.dataset.id}.`); };
  }
}

export async function showCase(id) {
  render(html`<p class="muted">Loading case ${id}…</p>`);
  let c;
  try { c = await api(`/api/cases/${encodeURIComponent(id)}`); } catch (e) { fail(e); return; }
  const current = new Set(c.current);
  render(html`<h2>${c.id}: ${c.title}</h2>
    <p class="muted">opened ${fmtTime(c.created)} by ${c.created_by}</p>
    <div class="actions">
      ${features.dossier ? html`<button id="btn-dossier" type="button">Export dossier</button>` : ''}
      <button id="btn-collect" type="button">${currentCase.get() === c.id ? 'Collecting here' : 'Collect here'}</button>
    </div>
    <form id="note-form" class="inline"><input id="note-text" placeholder="Add a note" required aria-label="Note"><button type="submit">Add note</button></form>
    <h3>Evidence (${c.items.length})</h3>
    <ol class="items" id="case-items">${c.items.map((it) => html`<li class="${current.has(it.id) ? '' : 'superseded'}">
      <b>${it.id}</b> <span class="tag">${it.kind}</span> ${it.ref || ''}
      <div>${it.description || ''}</div>
      <small>${it.added_by} · ${fmtTime(it.added)} · sha256 <code>${it.sha256.slice(0, 16)}…</code> · ${it.size} bytes</small>
      <a href="/api/cases/${c.id}/items/${it.id}" download>download</a>
      ${it.kind === 'vessel' && it.ref ? html` · <a href="#/vessel/${it.ref.replace('MMSI ', '')}">open vessel</a>` : ''}
      ${it.kind === 'event' && it.ref ? html` · <a href="#/event/${it.ref.split(' ')[1]}">open event</a>` : ''}</li>`)}</ol>
    <h3>Chain of custody (${c.custody.length})</h3>
    <ol class="plain custody">${c.custody.map((e) => html`<li>${fmtTime(e.time)} · ${e.who} <b>${e.action}</b> ${e.target || 'case'}</li>`)}</ol>`);
  document.getElementById('btn-collect').onclick = () => { currentCase.set(c.id); toast(`New evidence goes to ${c.id}.`); showCase(c.id); };
  document.getElementById('note-form').onsubmit = async (ev) => {
    ev.preventDefault();
    try {
      await api(`/api/cases/${c.id}/items`, { method: 'POST', body: { kind: 'note', text: document.getElementById('note-text').value } });
      showCase(c.id);
    } catch (e) { toast(e.message, true); }
  };
  const dos = document.getElementById('btn-dossier');
  if (dos) dos.onclick = async () => {
    dos.disabled = true; dos.textContent = 'Rendering…';
    try {
      const resp = await api(`/api/cases/${c.id}/dossier`, { method: 'POST', raw: true });
      const blob = await resp.blob();
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob); a.download = `${c.id}-dossier.zip`;
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
      toast(`Dossier of ${c.id} exported (${Math.round(blob.size / 1024)} KiB); the export is in the chain of custody.`);
      document.body.dataset.dossier = String(blob.size);
      showCase(c.id);
    } catch (e) { toast(e.message, true); dos.disabled = false; dos.textContent = 'Export dossier'; }
  };
}

// Alerts: the live list (kept across page changes) and the watches.
const alerts = [];
let unseen = 0;
export function addAlert(a) {
  alerts.unshift(a);
  if (alerts.length > 500) alerts.pop();
  if (location.hash !== '#/alerts') {
    unseen++;
    const b = document.getElementById('alert-count');
    b.textContent = String(unseen); b.hidden = false;
  } else showAlerts();
}

export async function showAlerts() {
  unseen = 0;
  document.getElementById('alert-count').hidden = true;
  let ws = [];
  try { ws = (await api('/api/watches')).watches; } catch (e) { toast(e.message, true); }
  render(html`<h2>Alerts <span class="live" title="Live stream connected">live</span></h2>
    <ol class="timeline" id="alert-list">${alerts.length ? alerts.map((a) => html`<li class="tl-item"><a href="#/event/${a.event.id || ''}">
      <span class="ev-icon" style="background:${kindOf(a.event.kind).color}">${kindOf(a.event.kind).icon}</span>
      <span class="tl-main"><b>${a.watch_name}</b>: ${kindOf(a.event.kind).label} · ${a.event.name || a.event.mmsi}<br><small>${fmtTime(a.event.start)} · ${a.event.explanation}</small></span></a></li>`)
      : html`<li class="muted">No alerts since this page opened.</li>`}</ol>
    <h3>Watches (${ws.length})</h3>
    <ul class="watches">${ws.map((w) => html`<li><b>${w.name}</b> <small>${[(w.kinds || []).join(', '), (w.mmsis || []).length ? w.mmsis.length + ' vessels' : '', w.bbox ? 'area' : '', w.webhook ? 'webhook' : ''].filter(Boolean).join(' · ')}</small>
      ${canAnalyse() ? html`<button type="button" class="del-watch" data-id="${w.id}" aria-label="Delete watch ${w.name}">✕</button>` : ''}</li>`)}</ul>
    ${canAnalyse() ? html`<h3>New watch</h3>
    <form id="watch-form" class="stack">
      <input id="watch-name" placeholder="Name, e.g. Entry into DPRK waters" required maxlength="200" aria-label="Watch name">
      <fieldset><legend>Kinds (none: any)</legend>${Object.entries(KINDS).map(([k, v]) => html`<label class="chk"><input type="checkbox" name="kind" value="${k}"> ${v.label}</label>`)}</fieldset>
      <label class="chk"><input type="checkbox" id="watch-area"> Only in the area now on the map</label>
      <input id="watch-hook" type="url" placeholder="Webhook URL (optional)" aria-label="Webhook URL">
      <button type="submit">Create watch</button>
    </form>` : ''}`);
  for (const b of body().querySelectorAll('button.del-watch')) {
    b.onclick = async () => { try { await api(`/api/watches/${b.dataset.id}`, { method: 'DELETE' }); showAlerts(); } catch (e) { toast(e.message, true); } };
  }
  const f = document.getElementById('watch-form');
  if (f) f.onsubmit = async (ev) => {
    ev.preventDefault();
    const body = { name: document.getElementById('watch-name').value, kinds: [...f.querySelectorAll('input[name=kind]:checked')].map((x) => x.value) };
    if (document.getElementById('watch-area').checked) body.bbox = M.viewBBox();
    const hook = document.getElementById('watch-hook').value.trim();
    if (hook) body.webhook = hook;
    try { await api('/api/watches', { method: 'POST', body }); toast('Watch created.'); showAlerts(); } catch (e) { toast(e.message, true); }
  };
}

export { esc, raw };
