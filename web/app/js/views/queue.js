// My queue: the open tickets the user may see (staff: their department's, by deadline), with
// the working time left before each deadline, urgency colours, overdue and escalated badges,
// filters kept in the address (so a filtered queue can be bookmarked) and live refresh.
import { get, query } from '../api.js';
import { announce, h } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { span, time, urgency } from '../format.js';
import * as ref from '../reference.js';
import { exportButton } from '../export.js';

const LOOPS = ['prevention', 'violation', 'incident', 'request'];
let state = null;  // {main, route, tickets, next, now, refreshTimer, pending}

export async function render(main, route) {
  state = { main, route, tickets: [], next: '', now: 0, refreshTimer: null, pending: 0 };
  const mine = state;
  const me = ref.me();
  const p = route.params;
  const title = me.role === 'staff' ? t('queue.title') : t('queue.title.all');
  main.append(
    h('h1', title, me.department ? h('span.sub', ` · ${ref.deptName(me.department)}`) : ''),
    filtersForm(p, me),
    exportButton('queue', () => ({ open: 'true', ...Object.fromEntries(['state', 'loop', 'department', 'q', 'overdue', 'escalated', 'involved'].map((k) => [k, p.get(k)])) })),
    h('div#queue-error'),
    h('p.muted#queue-status', { role: 'status' }),
    h('div.table-wrap', h('table.queue#queue-table', { 'aria-describedby': 'queue-status' })),
    h('button#more', { type: 'button', hidden: true, on: { click: () => load(true) } }, t('queue.more')),
  );
  await load(false);
  return () => {
    clearTimeout(mine.refreshTimer);
    if (state === mine) state = null;
  };
}

function filtersForm(p, me) {
  const select = (id, label, options, value) =>
    h(
      'div.field',
      h('label', { for: id }, label),
      h(`select#${id}`, { name: id.replace('f-', '') }, h('option', { value: '' }, t('any')), options.map(([v, text]) => h('option', { value: v, selected: v === value }, text))),
    );
  const check = (id, label, value) =>
    h('div.field.check', h(`input#${id}`, { type: 'checkbox', name: id.replace('f-', ''), checked: value === 'true' }), h('label', { for: id }, label));
  const fields = [
    select('f-state', t('queue.state'), ref.allStates().map((s) => [s.name, s.title]), p.get('state') || ''),
    select('f-loop', t('queue.loop'), LOOPS.map((l) => [l, t(`loop.${l}`)]), p.get('loop') || ''),
  ];
  if (['auditor', 'admin'].includes(me.role)) {
    fields.push(select('f-department', t('queue.department'), ref.departments().map((d) => [d.id, ref.deptName(d.id)]), p.get('department') || ''));
  }
  fields.push(
    h('div.field', h('label', { for: 'f-q' }, t('queue.q')), h('input#f-q', { type: 'search', name: 'q', value: p.get('q') || '' })),
    check('f-overdue', t('queue.overdue'), p.get('overdue')),
    check('f-escalated', t('queue.escalated'), p.get('escalated')),
  );
  if (me.role === 'staff') fields.push(check('f-involved', t('queue.involved'), p.get('involved')));
  return h(
    'form.filters.card',
    {
      'aria-label': t('queue.filters'),
      on: {
        submit: (e) => {
          e.preventDefault();
          const q = {};
          for (const el of e.target.elements) {
            if (!el.name) continue;
            if (el.type === 'checkbox') q[el.name] = el.checked ? 'true' : '';
            else q[el.name] = el.value;
          }
          location.hash = `#/queue${query(q)}`;
        },
      },
    },
    fields,
    h('button.primary', { type: 'submit' }, t('queue.apply')),
  );
}

function apiQuery(more) {
  const p = state.route.params;
  return query({
    open: 'true',
    state: p.get('state'),
    loop: p.get('loop'),
    department: p.get('department'),
    q: p.get('q'),
    overdue: p.get('overdue'),
    escalated: p.get('escalated'),
    involved: p.get('involved'),
    limit: 50,
    cursor: more ? state.next : '',
  });
}

// Loads the first page (or the next one), then the working time left for each ticket.
async function load(more) {
  const s = state;
  const status = s.main.querySelector('#queue-status');
  status.textContent = t('loading');
  try {
    const page = await get(`/v1/tickets${apiQuery(more)}`);
    if (s !== state) return;
    s.tickets = more ? s.tickets.concat(page.tickets) : page.tickets;
    s.next = page.next_cursor || '';
    s.now = page.now;
    await withWorkingTime(s.tickets, s.now);
    if (s !== state) return;
    s.main.querySelector('#queue-error').replaceChildren();
    draw();
  } catch (e) {
    if (s !== state) return;  // the user has moved on
    status.textContent = '';
    s.main.querySelector('#queue-error').replaceChildren(
      h('p.error', { role: 'alert' }, errorText(e)),
    );
  }
}

// Asks the server for each ticket's working time left (now -> deadline) and the state's whole
// working-time limit (entered -> deadline), on the engine's calendar.
async function withWorkingTime(tickets, now) {
  const due = tickets.filter((tk) => tk.deadline_at > 0);
  if (!due.length) return;
  const spans = [];
  for (const tk of due) spans.push(`${now}:${tk.deadline_at}`, `${tk.state_entered_at}:${tk.deadline_at}`);
  const wt = await get(`/v1/working-time?spans=${spans.join(',')}`);
  due.forEach((tk, i) => {
    tk._left = wt.working_ms[2 * i];
    tk._total = wt.working_ms[2 * i + 1];
    tk._dayMs = wt.working_day_ms;
  });
}

function badges(tk) {
  const out = [];
  if (tk.overdue) out.push(h('span.badge.overdue', t('badge.overdue')));
  if (tk.escalated_to) out.push(h('span.badge.escalated', t('badge.escalated', { to: ref.deptName(tk.escalated_to) })));
  if (tk.pending_extension_days) out.push(h('span.badge.ext', t('badge.extension', { days: tk.pending_extension_days })));
  return out;
}

function draw() {
  const s = state;
  const table = s.main.querySelector('#queue-table');
  table.replaceChildren(
    h('caption.visually-hidden', t('queue.title')),
    h(
      'thead',
      h('tr', ['col.ticket', 'col.title', 'col.state', 'col.severity', 'col.deadline', 'col.left', 'col.flags'].map((k) => h('th', { scope: 'col' }, t(k)))),
    ),
    h(
      'tbody',
      s.tickets.map((tk) => {
        const u = tk.deadline_at ? urgency(tk._left ?? tk.deadline_at - s.now, tk._total) : 'none';
        const left = !tk.deadline_at
          ? t('left.none')
          : tk._left === undefined
            ? '—'
            : tk._left < 0 || tk.overdue
              ? t('left.overdue', { t: span(Math.abs(tk._left), tk._dayMs) })
              : span(tk._left, tk._dayMs);
        return h(
          `tr.u-${tk.overdue ? 'overdue' : u}`,
          { 'data-ticket': tk.id },
          h('td', h('a', { href: `#/ticket/${encodeURIComponent(tk.id)}` }, tk.id)),
          h('td', ref.ticketTitle(tk), h('div.what', ref.whatWhere(tk)), h('div.muted', `${tk.subject} · ${tk.jurisdiction}`)),
          h('td', ref.stateTitle(tk.workflow, tk.state)),
          h('td', t(`sev.${tk.severity}`)),
          h('td', time(tk.deadline_at)),
          h('td.left', h('span.countdown', left)),
          h('td', badges(tk)),
        );
      }),
    ),
  );
  s.main.querySelector('#more').hidden = !s.next;
  const status = s.main.querySelector('#queue-status');
  status.textContent = s.tickets.length
    ? `${t('queue.count', { n: s.tickets.length })} · ${t('queue.now', { time: time(s.now) })}`
    : t('queue.empty');
}

// A change arrived on the live feed: refresh (at most every 1.5 s) and say so.
export function onChange() {
  const s = state;
  if (!s) return;
  s.pending += 1;
  if (s.refreshTimer) return;
  s.refreshTimer = setTimeout(async () => {
    const n = s.pending;
    s.pending = 0;
    s.refreshTimer = null;
    if (s !== state) return;
    await load(false);
    announce(t('live.updated', { n }));
  }, 1500);
}
