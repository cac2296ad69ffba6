// Reports (统计报表): the figures a bureau reports, from the figure cells the engine keeps
// (GET /v1/reports/figures, /weekly, /town-scores; docs/api.md "Reports"), scoped to what the
// user may see: a span of days grouped by district, street, department or period; the
// weekly brief (seed 004's 每周简报); the quarter's scoring of towns (季度考核). Each table
// downloads as the server's CSV (UTF-8 with a BOM, headers in the user's language).
import { download, get, query } from '../api.js';
import { h } from '../dom.js';
import { errorText, lang, t } from '../i18n.js';
import * as ref from '../reference.js';

let state = null;

const KINDS = ['weekly', 'figures', 'towns'];
const DIMENSIONS = ['district', 'street', 'department', 'workflow', 'day', 'week', 'month', 'quarter'];

// The figure columns of the tables, each with how it is shown.
const COLUMNS = [
  ['opened', 'n'],
  ['proactive_share', 'rate'],
  ['closed', 'n'],
  ['late', 'n'],
  ['on_time_rate', 'rate'],
  ['hazards_found', 'n'],
  ['hazards_rectified', 'n'],
  ['rectification_rate', 'rate'],
  ['duty_completion_rate', 'rate'],
  ['closures', 'n'],
  ['suspensions', 'n'],
];

const pct = (r) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)}%`);
const cell = (row, [key, kind]) => h(`td.num`, kind === 'rate' ? pct(row[key]) : String(row[key] ?? 0));

// The name of a group's value in the user's language.
function groupName(row, dim) {
  const v = row[dim];
  if (v === 'total') return t('reports.total');
  const named = row[`${dim}_name_${lang() === 'zh' ? 'zh' : 'en'}`];
  if (named) return named;
  if (dim === 'department') return ref.deptName(v);
  if (dim === 'workflow') return ref.workflowTitle(v);
  return v || t('reports.unplaced');
}

function table(id, dims, rows, extraHead = [], extraCells = () => []) {
  return h(
    'div.table-wrap',
    h(
      `table.admin-table.reports#${id}`,
      h(
        'thead',
        h('tr', [...extraHead.map((k) => h('th', { scope: 'col' }, t(k))), ...dims.map((d) => h('th', { scope: 'col' }, t(`reports.by.${d}`))), ...COLUMNS.map(([k]) => h('th.num', { scope: 'col' }, t(`reports.col.${k}`)))]),
      ),
      h(
        'tbody',
        rows.map((row) => h('tr', [...extraCells(row), ...dims.map((d) => h('th', { scope: 'row' }, groupName(row, d))), ...COLUMNS.map((c) => cell(row, c))])),
      ),
    ),
  );
}

// Headline figures of a totals object, as a row of cards.
function headline(totals) {
  const items = [
    ['opened', totals.opened],
    ['proactive_share', pct(totals.proactive_share)],
    ['on_time_rate', pct(totals.on_time_rate)],
    ['rectification_rate', pct(totals.rectification_rate)],
    ['duty_completion_rate', pct(totals.duty_completion_rate)],
    ['closures', totals.closures],
    ['suspensions', totals.suspensions],
  ];
  return h(
    'dl.report-headline',
    items.flatMap(([k, v]) => [h('dt', t(`reports.col.${k}`)), h('dd', String(v))]),
  );
}

export async function render(main, route) {
  const params = route.params;
  const kind = KINDS.includes(params.get('kind')) ? params.get('kind') : 'weekly';
  state = { main, kind, params };
  const mine = state;
  main.append(
    h('h1', t('reports.title')),
    h('p.muted', t('reports.intro')),
    h(
      'nav.tabs',
      { 'aria-label': t('reports.kinds') },
      h('ul', KINDS.map((k) => h('li', h('a', { href: `#/reports?kind=${k}`, 'aria-current': k === kind ? 'page' : null }, t(`reports.kind.${k}`))))),
    ),
    form(kind, params),
    h('div#reports-box', h('p', { role: 'status' }, t('loading'))),
  );
  await load();
  return () => {
    if (state === mine) state = null;
  };
}

// The period pickers of each kind; submitting changes the route (so a report has a link).
function form(kind, params) {
  const field = (name, label, attrs) =>
    h('label', t(label), ' ', h('input', { name, value: params.get(name) || '', ...attrs }));
  const parts = [];
  if (kind === 'weekly') parts.push(field('week', 'reports.week', { placeholder: '2026-W11', pattern: '\\d{4}-W\\d{2}', size: 9 }));
  if (kind === 'towns') parts.push(field('quarter', 'reports.quarter', { placeholder: '2026-Q1', pattern: '\\d{4}-Q[1-4]', size: 8 }));
  if (kind === 'figures') {
    parts.push(field('from', 'reports.from', { type: 'date' }), field('to', 'reports.to', { type: 'date' }));
    const by = params.get('by') || 'district';
    parts.push(
      h(
        'label',
        t('reports.group'),
        ' ',
        h('select', { name: 'by' }, DIMENSIONS.map((d) => h('option', { value: d, selected: d === by }, t(`reports.by.${d}`)))),
      ),
    );
  }
  const f = h('form.report-form', ...parts, h('button', { type: 'submit' }, t('reports.show')));
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    const values = { kind };
    for (const el of f.elements) if (el.name && el.value) values[el.name] = el.value;
    location.hash = `#/reports${query(values)}`;
  });
  return f;
}

function path(s, csv) {
  const p = s.params;
  const lang_ = csv ? { format: 'csv', lang: lang() } : {};
  if (s.kind === 'weekly') return `/v1/reports/weekly${query({ week: p.get('week'), ...lang_ })}`;
  if (s.kind === 'towns') return `/v1/reports/town-scores${query({ quarter: p.get('quarter'), ...lang_ })}`;
  return `/v1/reports/figures${query({ from: p.get('from'), to: p.get('to'), by: p.get('by') || 'district', ...lang_ })}`;
}

function csvButton(s) {
  const status = h('span.muted', { role: 'status' });
  const button = h('button', { type: 'button' }, t('reports.csv'));
  button.addEventListener('click', async () => {
    try {
      const file = await download(path(s, true));
      const a = h('a', { href: URL.createObjectURL(file.blob), download: file.name });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (e) {
      status.textContent = errorText(e);
    }
  });
  return h('p.actions', button, ' ', status);
}

async function load() {
  const s = state;
  const box = s.main.querySelector('#reports-box');
  try {
    const data = await get(path(s, false));
    if (s !== state) return;
    box.replaceChildren(draw(s, data), csvButton(s));
  } catch (e) {
    if (s !== state) return;
    box.replaceChildren(h('p.error', { role: 'alert' }, errorText(e)));
  }
}

function draw(s, data) {
  if (s.kind === 'weekly') {
    return h(
      'section',
      h('h2', t('reports.weekof', { week: data.week, from: data.from, to: data.to })),
      headline(data.totals),
      h('p.muted', t('reports.compare', { before: data.previous_week.opened, ytd: data.year_to_date.opened, rate: pct(data.year_to_date.rectification_rate) })),
      h('h3', t('reports.by.district')),
      data.by_district.length ? table('report-districts', ['district'], data.by_district) : h('p.muted', t('reports.none')),
      h('h3', t('reports.by.department')),
      data.by_department.length ? table('report-departments', ['department'], data.by_department) : h('p.muted', t('reports.none')),
    );
  }
  if (s.kind === 'towns') {
    const head = ['reports.rank', 'reports.score'];
    const cells = (row) => [
      h('td.num', row.rank === null ? '—' : String(row.rank)),
      h('td.num.score', row.score === null ? '—' : row.score.toFixed(1)),
    ];
    const rows = data.towns.map((r) => ({ ...r.figures, town: r.town, town_name_zh: r.town_name_zh, town_name_en: r.town_name_en, rank: r.rank, score: r.score }));
    return h(
      'section',
      h('h2', t('reports.quarterof', { quarter: data.quarter, from: data.from, to: data.to })),
      h('p.muted', t('reports.weights', data.weights)),
      rows.length ? table('report-towns', ['town'], rows, head, cells) : h('p.muted', t('reports.none')),
    );
  }
  const dim = data.by[0] || 'district';
  return h(
    'section',
    h('h2', t('reports.span', { from: data.from, to: data.to })),
    headline(data.totals),
    data.rows.length ? table('report-figures', [dim], data.rows) : h('p.muted', t('reports.none')),
  );
}
