// Overview: open tickets by loop, state and department, the overdue trend (tickets overdue at
// the end of each of the last 14 days), the departments with most overdue tickets, and the
// city's enterprises by risk colour, from GET /v1/overview (scoped to what the user may see).
import { get } from '../api.js';
import { h } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { day } from '../format.js';
import * as ref from '../reference.js';
import { bars, line } from '../charts.js';
import { mapCard, openTickets } from '../place_map.js';

let state = null;

export async function render(main) {
  state = { main, timer: null };
  const mine = state;
  // The map is drawn once (the counts above it are redrawn on changes).
  main.append(h('h1', t('overview.title')), h('div.overview#overview', h('p', t('loading'))), mapCard(t('map.overview'), openTickets, { enterprises: true, fit: true }));
  await load();
  return () => {
    clearTimeout(mine.timer);
    if (state === mine) state = null;
  };
}

async function load() {
  const s = state;
  const box = s.main.querySelector('#overview');
  try {
    const o = await get('/v1/overview');
    if (s !== state) return;
    const sorted = (obj, label) =>
      Object.entries(obj)
        .map(([k, v]) => ({ label: label(k), value: v }))
        .sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
    const states = o.by_state.map((r) => ({ label: ref.stateTitle(r.workflow, r.state), value: r.count })).sort((a, b) => b.value - a.value);
    box.replaceChildren(
      h('p.muted', t('overview.scope', { n: o.open_tickets })),
      h(
        'div.charts',
        bars(t('overview.byloop'), sorted(o.by_loop, (k) => t(`loop.${k}`))),
        bars(t('overview.bystate'), states.slice(0, 12)),
        // Each point is the end of a day (the next midnight), or now for today: label the day it closes.
        line(t('overview.trend'), o.overdue_trend.map((p) => ({ label: day(p.at - 1), value: p.overdue }))),
        bars(t('overview.worst'), sorted(o.overdue_by_department, ref.deptName).slice(0, 10), { labelWidth: 260 }),
        bars(t('overview.bydept'), sorted(o.by_department, ref.deptName).slice(0, 12), { labelWidth: 260 }),
        bars(
          t('overview.enterprises'),
          ['red', 'orange', 'yellow', 'blue'].map((c) => ({ label: t(`colour.${c}`), value: o.enterprises_by_colour[c] || 0, cls: `risk-${c}` })),
        ),
      ),
    );
  } catch (e) {
    box.replaceChildren(h('p.error', { role: 'alert' }, errorText(e)));
  }
}

// Live changes: recount at most every 10 s.
export function onChange() {
  const s = state;
  if (!s || s.timer) return;
  s.timer = setTimeout(() => {
    s.timer = null;
    if (s === state) load();
  }, 10000);
}
