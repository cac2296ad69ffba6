// The map: the city's districts and streets and the open tickets, drawn offline with Apache
// ECharts (embedded in the binary from npm; web/CMakeLists.txt). The project ships no
// outlines, only the centre point the reference data gives each district, street and grid
// (GET /v1/places): districts are drawn as labelled circles at their centres, streets as
// dots, and each ticket at the centre of its place, spread a little so they do not hide each
// other. The view says so. Points are coloured by the ticket's state; a click opens it.
import { get, query } from '../api.js';
import { h } from '../dom.js';
import { errorText, lang, t } from '../i18n.js';
import * as ref from '../reference.js';

const PALETTE = ['#1d5fa8', '#2e8b47', '#d9a000', '#e06b00', '#5b2a86', '#0f7c8c', '#8a5a00', '#6b7785', '#b03a8a', '#3f6e1e'];
const MAX_PAGES = 10;  // 5,000 open tickets at most on one map
let state = null;

export async function render(main) {
  state = { main, chart: null, onResize: null };
  const mine = state;
  const box = h('div.map-box#map', { role: 'img', 'aria-label': t('map.aria') });
  const list = h('div.map-list');
  main.append(h('h1', t('map.title')), h('p.muted.map-note', t('map.note')), h('p#map-status', { role: 'status' }, t('loading')), box, list);
  let echarts;
  try {
    echarts = await import('../../vendor/echarts.js');
  } catch (e) {
    main.querySelector('#map-status').replaceChildren(h('span.error', t('map.nolib')));
    return null;
  }
  try {
    const [places, tickets] = await Promise.all([get('/v1/places'), openTickets()]);
    if (state !== mine) return null;
    draw(echarts, box, list, places.places, tickets);
  } catch (e) {
    main.querySelector('#map-status').replaceChildren(h('span.error', errorText(e)));
  }
  return () => {
    if (mine.chart) mine.chart.dispose();
    if (mine.onResize) window.removeEventListener('resize', mine.onResize);
    if (state === mine) state = null;
  };
}

async function openTickets() {
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

// A fixed offset per ticket from its rank at its place, so tickets of one place fan out on a
// spiral around its centre instead of covering each other; `unit` is about 8 screen pixels
// in degrees. The same list always lands at the same spots.
function spread(i, unit) {
  const angle = i * 2.4;
  const r = unit * (1 + 0.7 * i);
  return [Math.cos(angle) * r, Math.sin(angle) * r];
}

// The state's colour beside a listed ticket (set through the CSSOM: the console's
// Content-Security-Policy admits no inline style attributes).
function dot(colour) {
  const el = h('span.map-dot', { 'aria-hidden': 'true' });
  el.style.background = colour;
  return el;
}

function placeOf(byCode, code) {
  for (let c = code || ''; c; c = c.includes('.') ? c.slice(0, c.lastIndexOf('.')) : '') {
    const p = byCode.get(c);
    if (p && (p.lat || p.lon)) return p;
  }
  return null;
}

function draw(echarts, box, list, places, tickets) {
  const s = state;
  const zh = lang() === 'zh';
  const name = (p) => (zh ? p.name_zh : p.name) || p.code;
  const byCode = new Map(places.map((p) => [p.code, p]));
  const districts = places.filter((p) => p.level === 'district' && (p.lat || p.lon));
  const streets = places.filter((p) => p.level === 'street' && (p.lat || p.lon));
  const states = [...new Set(tickets.map((tk) => `${tk.workflow}/${tk.state}`))];
  const colourOf = new Map(states.map((k, i) => [k, PALETTE[i % PALETTE.length]]));
  const lons = places.filter((p) => p.lat || p.lon).map((p) => p.lon);
  const lonRange = lons.length ? Math.max(...lons) - Math.min(...lons) || 0.1 : 0.1;
  const unit = (8 * lonRange) / Math.max(box.clientWidth, 200);
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
    const [dx, dy] = spread(n, unit);
    placed.push({ tk, lon: p.lon + dx, lat: p.lat + dy, place: name(p) });
  }
  // One scatter series per state, so the legend names the colours.
  const ticketSeries = states.map((k) => {
    const [wf, st] = k.split('/');
    return {
      name: ref.stateTitle(wf, st),
      type: 'scatter',
      symbolSize: 9,
      itemStyle: { color: colourOf.get(k), borderColor: '#fff', borderWidth: 1 },
      data: placed
        .filter((x) => `${x.tk.workflow}/${x.tk.state}` === k)
        .map((x) => ({ value: [x.lon, x.lat], id: x.tk.id, name: `${x.tk.id} · ${ref.ticketTitle(x.tk)} · ${x.place}`, itemStyle: x.tk.overdue ? { borderColor: '#a11b1b', borderWidth: 2 } : undefined })),
      z: 3,
    };
  });
  s.chart = echarts.init(box, null, { renderer: 'canvas' });
  s.chart.setOption({
    animation: false,
    aria: { enabled: true },
    tooltip: { trigger: 'item', renderMode: 'richText', formatter: (p) => p.name },
    legend: { type: 'scroll', bottom: 0, data: ticketSeries.map((x) => x.name) },
    grid: { left: 8, right: 8, top: 8, bottom: 40, containLabel: false },
    // Wheel or pinch to zoom, drag to pan (a click still opens a ticket).
    dataZoom: [
      { type: 'inside', xAxisIndex: 0, filterMode: 'none' },
      { type: 'inside', yAxisIndex: 0, filterMode: 'none' },
    ],
    xAxis: { type: 'value', scale: true, show: false },
    yAxis: { type: 'value', scale: true, show: false },
    series: [
      {
        name: t('map.districts'),
        type: 'scatter',
        symbolSize: 46,
        itemStyle: { color: 'rgba(29,95,168,0.10)', borderColor: 'rgba(29,95,168,0.5)', borderWidth: 1 },
        label: { show: true, formatter: (p) => p.name, color: '#12324f', fontSize: 12, fontWeight: 600 },
        data: districts.map((p) => ({ value: [p.lon, p.lat], name: name(p) })),
        silent: true,
        z: 1,
      },
      {
        name: t('map.streets'),
        type: 'scatter',
        symbolSize: 4,
        itemStyle: { color: '#9aa5b1' },
        data: streets.map((p) => ({ value: [p.lon, p.lat], name: name(p) })),
        z: 2,
      },
      ...ticketSeries,
    ],
  });
  s.chart.on('click', (p) => {
    if (p.data && p.data.id) location.hash = `#/ticket/${encodeURIComponent(p.data.id)}`;
  });
  s.onResize = () => s.chart && s.chart.resize();
  window.addEventListener('resize', s.onResize);
  s.main.querySelector('#map-status').textContent = t('map.count', { n: placed.length, places: districts.length });
  // The same tickets as links, for keyboards and screen readers (the canvas is not).
  list.replaceChildren(
    h('h2', t('map.list')),
    ...(unplaced.length ? [h('p.muted', t('map.unplaced', { n: unplaced.length }))] : []),
    h(
      'ul.map-tickets',
      placed.slice(0, 200).map((x) => h('li', dot(colourOf.get(`${x.tk.workflow}/${x.tk.state}`)), h('a', { href: `#/ticket/${encodeURIComponent(x.tk.id)}` }, x.tk.id), ` · ${ref.ticketTitle(x.tk)} · ${ref.stateTitle(x.tk.workflow, x.tk.state)} · ${x.place}`)),
    ),
  );
}
