// The console's maps, drawn offline by Apache ECharts: the outlines of the city's districts
// and streets the city ships (GET /v1/places/outlines, illustrative: scripts/outlines.py),
// or, when it ships none, its districts at their centre points and a note saying so; tickets
// as points coloured by state and enterprises as points in their risk colour. A click on a
// ticket opens it; a click on an enterprise opens the queue searched for its tickets.
// Used by the map view, the overview, the queue and a ticket's page.
import { get, query } from './api.js';
import { h } from './dom.js';
import { errorText, lang, t } from './i18n.js';
import { mount } from './echarts_mount.js';
import * as ref from './reference.js';

export const STATE_PALETTE = ['#1d5fa8', '#2e8b47', '#d9a000', '#e06b00', '#5b2a86', '#0f7c8c', '#8a5a00', '#6b7785', '#b03a8a', '#3f6e1e'];
export const RISK = { red: '#c62828', orange: '#e06b00', yellow: '#d9a000', blue: '#1d5fa8' };
let cache = null;  // {places, outlines|null, enterprises|null} per page load: reference data

// The places, their outlines (null when the city ships none) and, when asked, enterprises.
export async function placeData(withEnterprises) {
  if (!cache) {
    cache = Promise.all([
      get('/v1/places'),
      get('/v1/places/outlines').catch((e) => {
        if (e.status === 404 && e.code === 'no_outlines') return null;
        throw e;
      }),
    ]).then(([p, o]) => ({ places: p.places, outlines: o, enterprises: null }));
    cache.catch(() => (cache = null));
  }
  const data = await cache;
  if (withEnterprises && !data.enterprises) data.enterprises = (await get('/v1/places/enterprises')).enterprises;
  return data;
}

const name = (p) => (lang() === 'zh' ? p.name_zh : p.name) || p.code;

// The place a ticket is drawn at: its jurisdiction or the nearest ancestor with a position.
export function placeOf(byCode, code) {
  for (let c = code || ''; c; c = c.includes('.') ? c.slice(0, c.lastIndexOf('.')) : '') {
    const p = byCode.get(c);
    if (p && (p.lat || p.lon)) return p;
  }
  return null;
}

// A fixed offset in pixels per ticket from its rank at its place, so tickets of one place fan
// out on a spiral around its centre instead of covering each other, at any zoom.
function spread(i) {
  if (!i) return [0, 0];
  const angle = i * 2.4;
  const r = 9 * Math.sqrt(i);
  return [Math.round(Math.cos(angle) * r), Math.round(Math.sin(angle) * r)];
}

// The ECharts option for `data` (placeData) and `tickets`; `opts.enterprises` draws them,
// `opts.focus` a place code to centre on, `opts.fit` starts on the tickets' part of the city.
// Returns {option, placed, unplaced, colourOf}.
export function mapOption(echarts, data, tickets, opts = {}) {
  const byCode = new Map(data.places.map((p) => [p.code, p]));
  const located = data.places.filter((p) => p.lat || p.lon);
  const districts = located.filter((p) => p.level === 'district');
  const outlines = data.outlines ? data.outlines.features : [];
  const streetsOf = outlines.filter((f) => f.properties.level === 'street');
  const districtRings = outlines
    .filter((f) => f.properties.level === 'district')
    .flatMap((f) => (f.geometry.type === 'MultiPolygon' ? f.geometry.coordinates.flat() : f.geometry.coordinates));
  // ECharts draws a geo component from a registered map: the street outlines, or, when the
  // city ships none, one invisible frame around its places so points still have a projection.
  const mapName = data.outlines ? 'closeloop-streets' : 'closeloop-frame';
  if (!echarts.getMap(mapName)) echarts.registerMap(mapName, data.outlines ? { type: 'FeatureCollection', features: streetsOf } : frame(located));
  const states = [...new Set(tickets.map((tk) => `${tk.workflow}/${tk.state}`))];
  const colourOf = new Map(states.map((k, i) => [k, STATE_PALETTE[i % STATE_PALETTE.length]]));
  const perPlace = new Map();
  const placed = [];
  const unplaced = [];
  for (const tk of tickets) {
    const p = placeOf(byCode, tk.jurisdiction);
    if (!p) {
      unplaced.push(tk);
      continue;
    }
    const n = perPlace.get(p.code) || 0;
    perPlace.set(p.code, n + 1);
    placed.push({ tk, lon: p.lon, lat: p.lat, offset: spread(n), place: name(p) });
  }
  const series = [];
  if (districtRings.length) {
    series.push({
      id: 'district-outlines',
      name: t('map.districts.outline'),
      type: 'lines',
      coordinateSystem: 'geo',
      polyline: true,
      silent: true,
      lineStyle: { color: '#3d5573', width: 1.8, opacity: 0.9 },
      data: districtRings.map((ring) => ({ coords: ring })),
      z: 2,
    });
  }
  series.push({
    id: 'districts',
    name: t(data.outlines ? 'map.districts.name' : 'map.districts'),
    type: 'scatter',
    coordinateSystem: 'geo',
    symbolSize: data.outlines ? 0 : 46,
    itemStyle: { color: 'rgba(29,95,168,0.10)', borderColor: 'rgba(29,95,168,0.5)', borderWidth: 1 },
    label: { show: true, formatter: (p) => p.name, color: '#12324f', fontSize: 12, fontWeight: 600 },
    data: districts.map((p) => ({ value: [p.lon, p.lat], name: name(p) })),
    silent: true,
    z: 3,
  });
  if (opts.enterprises && data.enterprises) {
    const shown = opts.enterprises instanceof Set ? data.enterprises.filter((e) => opts.enterprises.has(e.id)) : data.enterprises;
    for (const colour of ['blue', 'yellow', 'orange', 'red']) {
      if (!shown.some((e) => e.risk_colour === colour)) continue;
      series.push({
        id: `enterprises-${colour}`,
        name: t(`map.enterprises.${colour}`),
        type: 'scatter',
        coordinateSystem: 'geo',
        symbol: 'diamond',
        symbolSize: colour === 'red' ? 8 : 6,
        itemStyle: { color: RISK[colour], opacity: 0.85 },
        data: shown
          .filter((e) => e.risk_colour === colour)
          .map((e) => ({ value: [e.lon, e.lat], enterprise: e.id, name: `${lang() === 'zh' ? e.name_zh : e.name} · ${t(`colour.${colour}`)}` })),
        z: 4,
      });
    }
  }
  // One scatter series per state, so the legend names the colours.
  for (const k of states) {
    const [wf, st] = k.split('/');
    series.push({
      id: `state-${k}`,
      name: ref.stateTitle(wf, st),
      type: 'scatter',
      coordinateSystem: 'geo',
      symbolSize: opts.focus ? 14 : 9,
      itemStyle: { color: colourOf.get(k), borderColor: '#fff', borderWidth: 1 },
      data: placed
        .filter((x) => `${x.tk.workflow}/${x.tk.state}` === k)
        .map((x) => ({ value: [x.lon, x.lat], symbolOffset: x.offset, id: x.tk.id, name: `${x.tk.id} · ${ref.ticketTitle(x.tk)} · ${x.place}`, itemStyle: x.tk.overdue ? { borderColor: '#a11b1b', borderWidth: 2 } : undefined })),
      z: 5,
    });
  }
  const focus = opts.focus ? placeOf(byCode, opts.focus) : null;
  const fitted = opts.fit && !focus ? fitTo(placed) : null;
  const option = {
    animation: false,
    tooltip: { trigger: 'item', renderMode: 'richText', formatter: (p) => p.name },
    legend: { type: 'scroll', bottom: 0, data: series.filter((s) => !['district-outlines', 'districts'].includes(s.id)).map((s) => s.name) },
    geo: {
      map: mapName,
      nameProperty: 'code',
      roam: true,
      // A ticket's own map starts close in, on its street (the wheel or a pinch zooms out).
      ...(focus ? { center: [focus.lon, focus.lat], zoom: focus.level === 'district' ? 3 : 6 } : {}),
      // A list's map (the queue's, the overview's) starts on the part of the city its tickets
      // are in, not on the whole city.
      ...(fitted ? { boundingCoords: fitted } : {}),
      // Centred, as large as fits above the legend, keeping the city's proportions.
      layoutCenter: ['50%', '47%'],
      layoutSize: '90%',
      silent: true,
      label: { show: false },
      itemStyle: data.outlines ? { areaColor: '#eef2f7', borderColor: '#a9b4c0', borderWidth: 0.6 } : { areaColor: 'rgba(0,0,0,0)', borderColor: 'rgba(0,0,0,0)' },
      emphasis: { disabled: true },
      select: { disabled: true },
    },
    series,
  };
  return { option, placed, unplaced, colourOf };
}

// The map's extent for `placed` tickets: [[west, north], [east, south]] around their places,
// widened by a sixth (and at least 0.02°, about 2 km) on each side so points on the edge
// and their fanned-out neighbours stay inside. null when no ticket has a place.
export function fitTo(placed) {
  if (!placed.length) return null;
  const lons = placed.map((x) => x.lon);
  const lats = placed.map((x) => x.lat);
  let [w, e, s, n] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const padLon = Math.max((e - w) / 6, 0.02);
  const padLat = Math.max((n - s) / 6, 0.02);
  return [[w - padLon, n + padLat], [e + padLon, s - padLat]];
}

// A rectangle around the places, widened a little: the projection when no outlines ship.
function frame(located) {
  const lons = located.map((p) => p.lon);
  const lats = located.map((p) => p.lat);
  const [x0, x1, y0, y1] = [Math.min(...lons) - 0.03, Math.max(...lons) + 0.03, Math.min(...lats) - 0.03, Math.max(...lats) + 0.03];
  return { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code: 'frame' }, geometry: { type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] } }] };
}

// Clicks: a ticket opens it, an enterprise opens the queue searched for its tickets.
export function onPointClick(chart) {
  chart.on('click', (p) => {
    if (p.data && p.data.id) location.hash = `#/ticket/${encodeURIComponent(p.data.id)}`;
    else if (p.data && p.data.enterprise) location.hash = `#/queue?q=${encodeURIComponent(p.data.enterprise)}`;
  });
}

// The note under a map: the outlines are illustrative, or the city ships none.
export function outlineNote(data) {
  return h('p.muted.map-note', t(data.outlines ? 'map.note.outlines' : 'map.note'));
}

// The state's colour beside a listed ticket (set through the CSSOM: the console's
// Content-Security-Policy admits no inline style attributes).
export function dot(colour) {
  const el = h('span.map-dot', { 'aria-hidden': 'true' });
  el.style.background = colour;
  return el;
}

const MAX_PAGES = 10;  // 5,000 open tickets at most on one map

// The open tickets the user may see, up to 5,000.
export async function openTickets() {
  let out = [];
  let cursor = '';
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await get(`/v1/tickets${query({ open: 'true', limit: 500, cursor })}`);
    out = out.concat(page.tickets);
    cursor = page.next_cursor || '';
    if (!cursor) break;
  }
  return out;
}

// A card with a map of `tickets` (an array, or a function giving a promise of one): the
// overview's, the queue's and a ticket's. `opts` as mapOption's. The card's update(tickets)
// redraws it with other tickets.
export function mapCard(title, tickets, opts = {}) {
  const box = h('div.map-box.map-small', { role: 'img', 'aria-label': t('map.aria.small') });
  const note = h('p.muted.map-note');
  const card = h('section.card.map-card', h('h2', title), box, note);
  let chart = null;
  let lib = null;
  let data = null;
  const draw = (list) => {
    if (chart) chart.setOption(mapOption(lib, data, list, opts).option, { replaceMerge: ['series'] });
  };
  card.update = (list) => {
    tickets = list;
    draw(list);
  };
  (async () => {
    try {
      const [d, list] = await Promise.all([placeData(opts.enterprises), typeof tickets === 'function' ? tickets() : tickets]);
      data = d;
      if (typeof tickets === 'function') tickets = list;  // unless update() came first
      note.replaceChildren(t(data.outlines ? 'map.note.outlines' : 'map.note'));
      await mount(
        box,
        (echarts) => {
          lib = echarts;
          return mapOption(echarts, data, tickets, opts).option;
        },
        {
          setup: (c) => {
            chart = c;
            onPointClick(c);
          },
          missing: () => box.replaceChildren(h('p.muted', t('map.nolib'))),
        },
      );
    } catch (e) {
      note.replaceChildren(h('span.error', errorText(e)));
    }
  })();
  return card;
}
