// Boot: sign in, build the map, wire search, time slider, router, keys
// and the live alert stream.
import { api, login, onUnauthorized } from './api.js';
import { html, fmtTime, vesselLabel, debounce } from './util.js';
import * as M from './map.js';
import * as P from './panels.js';

const $ = (id) => document.getElementById(id);

async function boot() {
  const me = await api('/api/session');
  if (!me.authenticated) { showLogin(); return; }
  $('login').hidden = true;
  $('who').textContent = `${me.name} · ${me.role}`;
  onUnauthorized(() => showLogin('Your session ended; sign in again.'));
  P.initPanels(me.features, me.role);
  M.initMap($('map'), me.features);
  M.onVesselClick((mmsi) => { location.hash = `#/vessel/${mmsi}`; });
  M.onEventClick((id) => { location.hash = `#/event/${id}`; });
  for (const cb of document.querySelectorAll('#layers input[data-layer]')) {
    cb.onchange = () => M.setLayerVisible(cb.dataset.layer, cb.checked);
    if ((cb.dataset.layer === 'imagery' && !me.features.imagery) || (cb.dataset.layer === 'places' && !me.features.places)) {
      cb.disabled = true; cb.parentElement.title = 'Not available on this server';
    }
  }
  if (!me.features.cases || me.role === 'viewer') $('nav-cases').hidden = true;
  initSearch();
  initKeys();
  await M.loadFlagged();
  await initTime();
  window.addEventListener('hashchange', route);
  route();
  startAlerts();
  document.body.dataset.ready = '1';
}

function showLogin(msg) {
  $('login').hidden = false;
  if (msg) { $('login-error').textContent = msg; $('login-error').hidden = false; }
  $('login-token').focus();
  $('login-form').onsubmit = async (ev) => {
    ev.preventDefault();
    try {
      await login($('login-token').value.trim());
      location.reload();
    } catch (e) {
      $('login-error').textContent = e.message; $('login-error').hidden = false;
    }
  };
}

function route() {
  const h = location.hash.replace(/^#\/?/, '');
  const [page, arg] = h.split('/');
  document.querySelectorAll('#nav a').forEach((a) => a.classList.toggle('active', a.getAttribute('href') === '#/' + page));
  if (page !== 'event') M.clearHighlight();
  switch (page) {
    case 'vessel': return P.showVessel(Number(arg));
    case 'event': return P.showEvent(Number(arg));
    case 'cases': return P.showCases();
    case 'case': return P.showCase(decodeURIComponent(arg || ''));
    case 'alerts': return P.showAlerts();
    default: return P.showHome();
  }
}

// Search: type to search (debounced), arrows move, Enter opens.
function initSearch() {
  const input = $('search'), list = $('search-results'), box = $('search-box');
  let results = [], sel = -1, seq = 0;
  const close = () => { list.hidden = true; box.setAttribute('aria-expanded', 'false'); sel = -1; };
  const paint = () => {
    list.innerHTML = results.length ? results.map((v, i) => String(html`<li role="option" id="sr-${i}" data-i="${i}" aria-selected="${i === sel}" class="${i === sel ? 'sel' : ''}">
        <b>${vesselLabel(v)}</b> <small>MMSI ${v.mmsi}${v.latest && v.latest.imo ? ' · IMO ' + v.latest.imo : ''}${v.latest && v.latest.callsign ? ' · ' + v.latest.callsign : ''}${v.flag ? ' · ' + v.flag : ''}</small></li>`)).join('')
      : '<li class="muted">No vessel found</li>';
    list.hidden = false; box.setAttribute('aria-expanded', 'true');
    if (sel >= 0) input.setAttribute('aria-activedescendant', 'sr-' + sel);
  };
  const open = (v) => { close(); input.value = ''; input.blur(); location.hash = `#/vessel/${v.mmsi}`; };
  const run = debounce(async () => {
    const q = input.value.replace(/^\//, '').trim();
    if (!q) { close(); return; }
    const my = ++seq;
    try {
      const r = await api(`/api/vessels?limit=12&q=${encodeURIComponent(q)}`);
      if (my !== seq) return;
      results = r.vessels; sel = results.length ? 0 : -1; paint();
    } catch (e) { P.toast(e.message, true); }
  }, 150);
  input.addEventListener('input', run);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && results.length) { sel = (sel + 1) % results.length; paint(); e.preventDefault(); }
    else if (e.key === 'ArrowUp' && results.length) { sel = (sel - 1 + results.length) % results.length; paint(); e.preventDefault(); }
    else if (e.key === 'Enter') { if (sel >= 0 && results[sel]) open(results[sel]); e.preventDefault(); }
    else if (e.key === 'Escape') { close(); input.blur(); }
  });
  list.addEventListener('mousedown', (e) => {
    const li = e.target.closest('li[data-i]');
    if (li) { e.preventDefault(); open(results[Number(li.dataset.i)]); }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
}

function initKeys() {
  document.addEventListener('keydown', (e) => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === '/') { e.preventDefault(); $('search').focus(); $('search').select(); }
    else if (e.key === 'a') location.hash = '#/alerts';
    else if (e.key === 'c') location.hash = '#/cases';
    else if (e.key === ' ') { e.preventDefault(); $('play').click(); }
    else if (e.key === 'Escape') { location.hash = '#/'; M.clearTrack(); }
  });
}

// Time: the slider spans the last week of data, or the shown track.
const time = { from: 0, to: 0, playing: null, trackMode: false };
function sliderTime() { const v = Number($('time').value) / 1000; return Math.round(time.from + (time.to - time.from) * v); }
function setSlider(t) { $('time').value = String(Math.round(1000 * (t - time.from) / Math.max(1, time.to - time.from))); $('time-label').textContent = fmtTime(t); }

async function initTime() {
  const p = await M.loadPositions();
  const latest = p && p.at ? Math.floor(new Date(p.at) / 1000) : Math.floor(Date.now() / 1000);
  time.from = latest - 7 * 86400; time.to = latest;
  setSlider(latest);
  M.fitPositions(p);
  if (p) document.body.dataset.vessels = String(p.count);
  const reload = debounce(() => { M.loadPositions(sliderTime()).catch((e) => P.toast(e.message, true)); }, 300);
  $('time').addEventListener('input', () => {
    const t = sliderTime();
    $('time-label').textContent = fmtTime(t);
    M.setPlayhead(t);
    if (!time.playing) reload();
  });
  document.addEventListener('track', (e) => {
    const span = e.detail.span;
    if (!span) return;
    time.from = span[0]; time.to = Math.max(span[1], span[0] + 1); time.trackMode = true;
    setSlider(time.to);
  });
  $('play').onclick = () => {
    if (time.playing) { stop(); return; }
    if (Number($('time').value) >= 1000) $('time').value = '0';
    $('play').textContent = '⏸'; $('play').setAttribute('aria-label', 'Pause');
    let last = performance.now(), sinceLoad = 0;
    const step = (now) => {
      const dt = now - last; last = now; sinceLoad += dt;
      const v = Math.min(1000, Number($('time').value) + dt / 20); // the whole span in 20 s
      $('time').value = String(v);
      const t = sliderTime();
      $('time-label').textContent = fmtTime(t);
      M.setPlayhead(t);
      if (sinceLoad > 1500) { sinceLoad = 0; M.loadPositions(t).catch(() => {}); }
      if (v >= 1000) { stop(); return; }
      time.playing = requestAnimationFrame(step);
    };
    time.playing = requestAnimationFrame(step);
  };
  function stop() {
    cancelAnimationFrame(time.playing); time.playing = null;
    $('play').textContent = '▶'; $('play').setAttribute('aria-label', 'Play');
    reload();
  }
}

// Live alerts over Server-Sent Events; the browser reconnects on its own.
function startAlerts() {
  const es = new EventSource('/api/alerts/stream');
  es.addEventListener('alert', (m) => {
    const a = JSON.parse(m.data);
    P.addAlert(a);
    P.toast(`Alert — ${a.watch_name}: ${a.event.kind} ${a.event.name || a.event.mmsi}`);
    M.reloadEvents();
  });
  es.onerror = () => { document.body.dataset.alerts = 'reconnecting'; };
  es.onopen = () => { document.body.dataset.alerts = 'open'; };
}

boot().catch((e) => { console.error('Lookout failed to start:', e); P.toast(e.message, true); });
