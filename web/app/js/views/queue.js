// My queue: the open tickets the user may see (staff: their department's, by deadline), with
// the working time left before each deadline, urgency colours, overdue and escalated badges,
// filters kept in the address (so a filtered queue can be bookmarked) and live refresh.
// Queues that carry volume: sorted by deadline, time left, opened or severity and filtered
// for pending extensions, arbitration, returned, escalated or assisting tickets (server-side:
// GET /v1/tickets sort= and flags, with the total); pages that say how many remain; a bulk
// sign-for sent as one action per ticket, each result shown; new work announced in the tab
// title, a badge and (when the user asked for it) a desktop notification.
// People (承办人): tabs for the department's queue, "my tickets" (?assignee=me: the tickets
// assigned to the user, from the engine's assignee index) and, for a head, the people's load
// (people.js); a head's bulk assign, one assign action per ticket, each result shown.
import { get, post, query } from '../api.js';
import { announce, h } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { span, time, urgency } from '../format.js';
import * as ref from '../reference.js';
import { exportButton } from '../export.js';
import { filterForm, sortOptions } from '../filters.js';
import { mapCard } from '../place_map.js';
import { isHead, people, personLabel, tabs } from './people.js';

const LOOPS = ['prevention', 'violation', 'incident', 'request'];
const SORTS = ['deadline', 'time_left', 'opened', '-opened', 'severity'];
const FLAGS = ['extension', 'arbitration', 'returned', 'escalated'];
const BULK_VERB = 'sign_for';
const ACTORS = ['staff', 'supervisor', 'inspector'];
let state = null;  // {main, route, tickets, next, total, now, refreshTimer, pending, ...}
// New work since the user last looked, kept across re-renders of the queue: ids seen, the
// count of ids that arrived after, and whether desktop notifications were asked for.
const seen = { key: null, ids: null, fresh: new Set(), notify: false };

// Whether the listing is a department's queue (ordered by deadline from its index).
const byIndex = (p, me) => !!p.get('assignee') || (me.role === 'staff' && p.get('involved') !== 'true') || (['auditor', 'admin'].includes(me.role) && !!p.get('department'));

export async function render(main, route) {
  state = { main, route, tickets: [], next: '', total: null, now: 0, refreshTimer: null, pending: 0, selected: new Set() };
  const mine = state;
  const me = ref.me();
  const p = route.params;
  const assignee = p.get('assignee');
  const enterprise = me.role === 'enterprise';
  const title = enterprise ? t('queue.title.enterprise') : assignee === 'me' ? t('queue.title.mine') : assignee ? t('queue.title.person', { who: assignee }) : me.role === 'staff' ? t('queue.title') : t('queue.title.all');
  // Element.append writes a null as the text "null": the parts a role lacks are left out.
  const parts = [
    h('h1', title, me.department ? h('span.sub', ` · ${ref.deptName(me.department)}`) : ''),
    tabs(assignee === 'me' ? 'mine' : assignee ? 'people' : 'dept'),
    filtersForm(p, me),
    newWorkBar(),
    exportButton('queue', () => ({ open: 'true', ...Object.fromEntries(['state', 'loop', 'department', 'q', 'overdue', 'escalated', 'involved', 'sort', 'extension', 'returned', 'arbitration', 'assisting', 'assignee'].map((k) => [k, p.get(k)])) })),
    h('div#queue-error'),
    h('p.muted#queue-status', { role: 'status' }),
    ACTORS.includes(me.role) ? bulkBar() : null,
    h('div.table-wrap', h('table.queue#queue-table', { 'aria-describedby': 'queue-status' })),
    h('button#more', { type: 'button', hidden: true, on: { click: () => load(true) } }, t('queue.more')),
    // The map reads the city's places, which are not an enterprise's to read.
    enterprise ? null : h('details.map-details.no-print', h('summary', t('map.queue')), (state.map = mapCard(t('map.queue'), () => state.tickets, { fit: true }))),
  ];
  main.append(...parts.filter((part) => part !== null));
  const key = `${me.name}?${p}`;  // another user or other filters: start afresh
  if (seen.key !== key) Object.assign(seen, { key, ids: null, fresh: new Set() });
  await load(false);
  setTimeout(showNew, 0);  // after the shell has titled the page
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
  const search = h('div.field', h('label', { for: 'f-q' }, t('queue.q')), h('input#f-q', { type: 'search', name: 'q', value: p.get('q') || '' }));
  // An enterprise lists its own tickets by state, loop and text (the server orders and flags
  // only within a department's scope).
  if (me.role === 'enterprise') {
    fields.push(search);
    return filterForm('form.filters.card', '#/queue', fields, h('button.primary', { type: 'submit' }, t('queue.apply')));
  }
  fields.push(
    search,
    h(
      'div.field',
      h('label', { for: 'f-sort' }, t('queue.sort')),
      h('select#f-sort', { name: 'sort' }, sortOptions(SORTS, p.get('sort') || '', byIndex(p, me))),
    ),
    check('f-overdue', t('queue.overdue'), p.get('overdue')),
    FLAGS.map((f) => check(`f-${f}`, t(`queue.flag.${f}`), p.get(f))),
  );
  if (['staff', 'auditor', 'admin'].includes(me.role)) fields.push(check('f-assisting', t('queue.flag.assisting'), p.get('assisting')));
  if (me.role === 'staff') fields.push(check('f-involved', t('queue.involved'), p.get('involved')));
  // The tab's assignee stays when the filters change.
  if (p.get('assignee')) fields.push(h('input', { type: 'hidden', name: 'assignee', value: p.get('assignee') }));
  return filterForm(
    'form.filters.card',
    '#/queue',
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
    sort: p.get('sort'),
    extension: p.get('extension'),
    arbitration: p.get('arbitration'),
    returned: p.get('returned'),
    assisting: p.get('assisting'),
    assignee: p.get('assignee'),
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
    s.total = page.total ?? null;
    s.now = page.now;
    noticeNew(page.tickets, more);
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
  if (tk.assignee) out.push(h('span.badge.assignee', t('badge.assignee', { who: ref.nameOf(tk, 'assignee', tk.assignee) })));
  return out;
}

function draw() {
  const s = state;
  const bulk = ACTORS.includes(ref.me().role);
  // Only what is shown stays selected (a ticket that left the list is not acted on unseen).
  const shown = new Set(s.tickets.map((tk) => tk.id));
  for (const id of [...s.selected]) if (!shown.has(id)) s.selected.delete(id);
  const table = s.main.querySelector('#queue-table');
  table.replaceChildren(
    h('caption.visually-hidden', t('queue.title')),
    h(
      'thead',
      h('tr', bulk ? h('th', { scope: 'col' }, h('span.visually-hidden', t('queue.bulk.select'))) : null, ['col.ticket', 'col.title', 'col.state', 'col.severity', 'col.deadline', 'col.left', 'col.flags'].map((k) => h('th', { scope: 'col' }, t(k)))),
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
          `tr.u-${tk.overdue ? 'overdue' : u}${seen.fresh.has(tk.id) ? '.fresh' : ''}`,
          { 'data-ticket': tk.id },
          bulk
            ? h(
                'td',
                h('input.pick', {
                  type: 'checkbox',
                  checked: s.selected.has(tk.id),
                  'aria-label': t('queue.bulk.pick', { id: tk.id }),
                  on: { change: (e) => pick(tk.id, e.target.checked) },
                }),
              )
            : null,
          h('td', h('a', { href: `#/ticket/${encodeURIComponent(tk.id)}` }, tk.id), seen.fresh.has(tk.id) ? h('span.badge.new', t('queue.new.one')) : null),
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
  if (s.map && s.map.update) s.map.update(s.tickets);
  const status = s.main.querySelector('#queue-status');
  // Never a silent end: the total when the server counted it, else whether more follow.
  const count =
    s.total !== null
      ? t('queue.count.of', { n: s.tickets.length, total: s.total })
      : s.next
        ? t('queue.count.more', { n: s.tickets.length })
        : t('queue.count', { n: s.tickets.length });
  status.textContent = s.tickets.length ? `${count} · ${t('queue.now', { time: time(s.now) })}` : t('queue.empty');
  updateBulk();
  showNew();
}

// ---- bulk sign-for ----------------------------------------------------------------------

function bulkBar() {
  const head = isHead();
  const bar = h(
    'div.bulk.card#bulk',
    h('button#bulk-sign', { type: 'button', disabled: true, on: { click: bulkSign } }, t('queue.bulk.sign', { n: 0 })),
    head
      ? h(
          'span.bulk-assign',
          h('label', { for: 'bulk-person' }, t('queue.bulk.person')),
          h('select#bulk-person', { on: { change: updateBulk } }, h('option', { value: '' }, '—')),
          h('button#bulk-assign', { type: 'button', disabled: true, on: { click: bulkAssign } }, t('queue.bulk.assign', { n: 0 })),
        )
      : null,
    h('button#bulk-all', { type: 'button', on: { click: () => pickAll() } }, t('queue.bulk.all')),
    h('ul#bulk-results', { 'aria-live': 'polite' }),
  );
  if (head) {
    // The enabled people of the department, from its people listing.
    people()
      .then((data) => {
        const select = bar.querySelector('#bulk-person');
        for (const p of data.people.filter((x) => x.enabled)) select.append(h('option', { value: p.user }, personLabel(p)));
      })
      .catch(() => {});
  }
  return bar;
}

function pick(id, on) {
  if (on) state.selected.add(id);
  else state.selected.delete(id);
  updateBulk();
}

function pickAll() {
  const s = state;
  const all = s.tickets.every((tk) => s.selected.has(tk.id));
  for (const tk of s.tickets) pick(tk.id, !all);
  for (const box of s.main.querySelectorAll('input.pick')) box.checked = !all;
}

function updateBulk() {
  const b = state && state.main.querySelector('#bulk-sign');
  if (!b) return;
  b.textContent = t('queue.bulk.sign', { n: state.selected.size });
  b.disabled = state.selected.size === 0;
  const a = state.main.querySelector('#bulk-assign');
  if (!a) return;
  a.textContent = t('queue.bulk.assign', { n: state.selected.size });
  a.disabled = state.selected.size === 0 || !state.main.querySelector('#bulk-person').value;
}

const bulkSign = () => bulk(BULK_VERB, {}, 'queue.bulk.done', 'queue.bulk.notopen', 'queue.bulk.summary', '#bulk-sign');

function bulkAssign() {
  const select = state.main.querySelector('#bulk-person');
  const who = select.selectedOptions[0] ? select.selectedOptions[0].textContent : select.value;
  return bulk('assign', { assignee: select.value }, 'queue.bulk.assigned', 'queue.bulk.noassign', 'queue.bulk.assign.summary', '#bulk-assign', { who });
}

// One action per ticket, in turn, each with the version just read: the engine judges each;
// the result of every one is listed (done, not open in this state, or the server's refusal).
async function bulk(verb, extra, doneKey, notOpenKey, summaryKey, buttonId, vars = {}) {
  const s = state;
  const ids = [...s.selected];
  const list = s.main.querySelector('#bulk-results');
  const button = s.main.querySelector(buttonId);
  button.disabled = true;
  list.replaceChildren();
  let done = 0;
  for (const id of ids) {
    const item = h('li', `${id}: ${t('loading')}`);
    list.append(item);
    try {
      const data = await get(`/v1/tickets/${encodeURIComponent(id)}`);
      const action = (data.actions || []).find((a) => a.verb === verb);
      if (!action) {
        item.className = 'error';
        item.textContent = `${id}: ${t(notOpenKey)}`;
        continue;
      }
      await post(`/v1/tickets/${encodeURIComponent(id)}/actions`, { verb, expected_version: data.ticket.version, as_role: action.as_role, ...extra });
      item.className = 'ok';
      item.textContent = `${id}: ${t(doneKey, vars)}`;
      s.selected.delete(id);
      done += 1;
    } catch (e) {
      item.className = 'error';
      item.textContent = `${id}: ${errorText(e)}`;
    }
  }
  announce(t(summaryKey, { done, n: ids.length }));
  if (s === state) await load(false);
}

// ---- new work ---------------------------------------------------------------------------

function newWorkBar() {
  const ask =
    'Notification' in window && Notification.permission !== 'denied'
      ? h(
          'button#notify-me',
          {
            type: 'button',
            on: {
              click: async () => {
                seen.notify = (await Notification.requestPermission()) === 'granted';
                showNew();
              },
            },
          },
          t('queue.new.desktop'),
        )
      : null;
  return h(
    'div.newwork#newwork',
    h('span.badge.new#new-count', { role: 'status', hidden: true }),
    h('button#new-seen', { type: 'button', hidden: true, on: { click: markSeen } }, t('queue.new.seen')),
    ask,
  );
}

// Tickets on the first page that were not there before count as new (the first load only
// records what is there).
function noticeNew(tickets, more) {
  if (seen.ids === null) {
    seen.ids = new Set(tickets.map((tk) => tk.id));
    return;
  }
  const arrived = tickets.filter((tk) => !seen.ids.has(tk.id));
  for (const tk of tickets) seen.ids.add(tk.id);
  if (more || !arrived.length) return;
  for (const tk of arrived) seen.fresh.add(tk.id);
  if (seen.notify && document.hidden) {
    new Notification(t('queue.new.title', { n: arrived.length }), { body: arrived.map((tk) => tk.id).join(', ') });
  }
}

function markSeen() {
  seen.fresh.clear();
  if (state) draw();
}

function showNew() {
  const s = state;
  if (!s) return;
  const n = seen.fresh.size;
  const badge = s.main.querySelector('#new-count');
  badge.hidden = n === 0;
  badge.textContent = t('queue.new.count', { n });
  s.main.querySelector('#new-seen').hidden = n === 0;
  const ask = s.main.querySelector('#notify-me');
  if (ask) ask.hidden = seen.notify;
  const base = document.title.replace(/^\(\d+\) /, '');
  document.title = n ? `(${n}) ${base}` : base;
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
