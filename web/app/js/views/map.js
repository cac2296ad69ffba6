// The map: the city's district and street outlines (shipped with the city, drawn offline by
// Apache ECharts from the binary; place_map.js), its enterprises in their risk colours and
// the open tickets coloured by state. A city that ships no outlines gets its districts at
// their centre points, and the view says so. A click on a ticket opens it; the same tickets
// are listed below as links for keyboards and screen readers (the canvas is not).
import { h } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { loadECharts } from '../echarts_mount.js';
import * as ref from '../reference.js';
import { dot, mapOption, onPointClick, openTickets, placeData } from '../place_map.js';

let state = null;

export async function render(main) {
  state = { main, chart: null, onResize: null };
  const mine = state;
  const box = h('div.map-box#map', { role: 'img', 'aria-label': t('map.aria') });
  const note = h('p.muted.map-note#map-note');
  const list = h('div.map-list');
  main.append(h('h1', t('map.title')), note, h('p#map-status', { role: 'status' }, t('loading')), box, list);
  const echarts = await loadECharts();
  if (!echarts) {
    main.querySelector('#map-status').replaceChildren(h('span.error', t('map.nolib')));
    return null;
  }
  try {
    const [data, tickets] = await Promise.all([placeData(true), openTickets()]);
    if (state !== mine) return null;
    note.textContent = t(data.outlines ? 'map.note.outlines' : 'map.note');
    draw(echarts, box, list, data, tickets);
  } catch (e) {
    main.querySelector('#map-status').replaceChildren(h('span.error', errorText(e)));
  }
  return () => {
    if (mine.chart) mine.chart.dispose();
    if (mine.onResize) window.removeEventListener('resize', mine.onResize);
    if (state === mine) state = null;
  };
}

function draw(echarts, box, list, data, tickets) {
  const s = state;
  const { option, placed, unplaced, colourOf } = mapOption(echarts, data, tickets, { enterprises: true });
  s.chart = echarts.init(box, null, { renderer: 'canvas' });
  s.chart.setOption(option);
  onPointClick(s.chart);
  s.onResize = () => s.chart && s.chart.resize();
  window.addEventListener('resize', s.onResize);
  const districts = data.places.filter((p) => p.level === 'district' && (p.lat || p.lon)).length;
  s.main.querySelector('#map-status').textContent = `${t('map.count', { n: placed.length, places: districts })} ${t('map.enterprises.count', { n: data.enterprises.length })}`;
  list.replaceChildren(
    h('h2', t('map.list')),
    ...(unplaced.length ? [h('p.muted', t('map.unplaced', { n: unplaced.length }))] : []),
    h(
      'ul.map-tickets',
      placed.slice(0, 200).map((x) => h('li', dot(colourOf.get(`${x.tk.workflow}/${x.tk.state}`)), h('a', { href: `#/ticket/${encodeURIComponent(x.tk.id)}` }, x.tk.id), ` · ${ref.ticketTitle(x.tk)} · ${ref.stateTitle(x.tk.workflow, x.tk.state)} · ${x.place}`)),
    ),
  );
}
