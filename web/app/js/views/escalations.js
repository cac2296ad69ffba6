// Escalations: what the ladder sent to this user's office (inspectors: oversight tickets led
// by or escalated to their commission; supervisors: escalated tickets in their jurisdiction),
// why it reached them (the escalation, overdue, return and chaining records of the ticket and
// of the ticket it came from), and the chain as evidence, downloadable as a bundle. The list
// is filtered (state, words, overdue, arbitration), sorted, and paged with "more" and the
// total, never cut off.
import { download, get, query } from '../api.js';
import { h } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { time } from '../format.js';
import * as ref from '../reference.js';
import { chainGraph } from '../chain_graph.js';
import { sentence } from '../timeline.js';
import { exportButton } from '../export.js';
import { filterForm, sortOptions } from '../filters.js';

const WHY = new Set(['TicketEscalated', 'TicketOverdue', 'TicketReturned', 'TicketChained', 'TicketReopened', 'TicketOpened']);
let state = null;

export async function render(main, route) {
  state = { main, id: route.arg, route, tickets: [], next: '', total: null };
  const mine = state;
  const me = ref.me();
  const p = route.params;
  main.append(h('h1', t('esc.title')), h('p.muted', t('esc.intro')), filters(p, route.arg));
  main.append(exportButton('escalations', () => (me.role === 'inspector' ? { open: 'true' } : { open: 'true', escalated: 'true' })));
  const list = h('ul#esc-items');
  const status = h('p.muted#esc-status', { role: 'status' });
  const more = h('button#esc-more', { type: 'button', hidden: true, on: { click: () => load(true) } }, t('queue.more'));
  const nav = h('nav.esc-list.card', { 'aria-label': t('esc.title') }, status, list, more);
  const detail = h('section.esc-detail#esc-detail', { 'aria-live': 'polite' });
  main.append(h('div#esc-error'), h('div.esc-grid', nav, detail));
  const load = async (next) => {
    const q = query({
      open: 'true',
      escalated: me.role === 'inspector' ? '' : 'true',
      state: p.get('state'),
      overdue: p.get('overdue'),
      arbitration: p.get('arbitration'),
      q: p.get('q'),
      sort: p.get('sort'),
      limit: 50,
      cursor: next ? mine.next : '',
    });
    status.textContent = t('loading');
    try {
      const page = await get(`/v1/tickets${q}`);
      if (mine !== state) return;
      mine.tickets = next ? mine.tickets.concat(page.tickets) : page.tickets;
      mine.next = page.next_cursor || '';
      mine.total = page.total ?? null;
      list.replaceChildren(...mine.tickets.map((tk) => item(tk, mine.id)));
      more.hidden = !mine.next;
      status.textContent = !mine.tickets.length
        ? t('esc.empty')
        : mine.total !== null
          ? t('queue.count.of', { n: mine.tickets.length, total: mine.total })
          : mine.next
            ? t('queue.count.more', { n: mine.tickets.length })
            : t('queue.count', { n: mine.tickets.length });
    } catch (e) {
      status.textContent = '';
      main.querySelector('#esc-error').replaceChildren(h('p.error', { role: 'alert' }, errorText(e)));
    }
  };
  await load(false);
  if (mine.id) await showDetail(detail, mine.id);
  else detail.append(h('p.muted', t('esc.pick')));
  return () => {
    if (state === mine) state = null;
  };
}

// The list's filters, kept in the address (with the ticket shown, if any).
function filters(p, id) {
  const check = (name, label) =>
    h('div.field.check', h(`input#e-${name}`, { type: 'checkbox', name, checked: p.get(name) === 'true' }), h('label', { for: `e-${name}` }, label));
  return filterForm(
    'form.filters.card#esc-filters',
    `#/escalations${id ? `/${encodeURIComponent(id)}` : ''}`,
    h(
      'div.field',
      h('label', { for: 'e-state' }, t('queue.state')),
      h('select#e-state', { name: 'state' }, h('option', { value: '' }, t('any')), ref.allStates().map((s) => h('option', { value: s.name, selected: s.name === p.get('state') }, s.title))),
    ),
    h('div.field', h('label', { for: 'e-q' }, t('queue.q')), h('input#e-q', { type: 'search', name: 'q', value: p.get('q') || '' })),
    h(
      'div.field',
      h('label', { for: 'e-sort' }, t('queue.sort')),
      // Escalations are never one department's queue: without sort= they come as stored.
      h('select#e-sort', { name: 'sort' }, sortOptions(['deadline', 'opened', '-opened', 'severity'], p.get('sort') || '', false)),
    ),
    check('overdue', t('queue.overdue')),
    check('arbitration', t('queue.flag.arbitration')),
    h('button.primary', { type: 'submit' }, t('queue.apply')),
  );
}

function item(tk, current) {
  const qs = state && state.route.params.toString() ? `?${state.route.params.toString()}` : '';
  return h(
    'li',
    h(
      'a',
      { href: `#/escalations/${encodeURIComponent(tk.id)}${qs}`, 'aria-current': tk.id === current ? 'true' : null },
      h('strong', tk.id),
      h('span', ` ${ref.ticketTitle(tk)}`),
      h('div.muted', `${ref.stateTitle(tk.workflow, tk.state)} · ${ref.deptName(tk.facts?.origin_lead || tk.lead)}`),
      tk.overdue ? h('span.badge.overdue', t('badge.overdue')) : null,
    ),
  );
}

async function whyRecords(id) {
  const data = await get(`/v1/tickets/${encodeURIComponent(id)}`);
  return { ticket: data.ticket, records: (data.history || []).filter((r) => WHY.has(r.body_type)) };
}

async function showDetail(box, id) {
  const me = ref.me();
  try {
    const [own, chain] = await Promise.all([whyRecords(id), get(`/v1/chains/${encodeURIComponent(id)}`)]);
    const tk = own.ticket;
    const origin = tk.parent_id ? await whyRecords(tk.parent_id).catch(() => null) : null;
    const whyList = (title, part) =>
      h(
        'div',
        h('h3', title),
        h(
          'ul.why',
          part.records.map((r) => h('li', h('time', time(r.recorded_at)), ' ', sentence(r, part.ticket))),
        ),
      );
    box.append(
      h(
        'div.card',
        h('h2', h('a', { href: `#/ticket/${encodeURIComponent(tk.id)}` }, `${tk.id} · ${ref.ticketTitle(tk)}`)),
        tk.facts && tk.facts.reason ? h('p.reason', h('strong', `${t('col.why')}: `), ref.withStateTitles(tk.facts.reason, [tk.workflow, tk.facts.origin_workflow].filter(Boolean))) : null,
        whyList(tk.id, own),
        origin ? whyList(`${origin.ticket.id} · ${ref.deptName(origin.ticket.lead)}`, origin) : null,
      ),
      h('div.card', h('h2', t('ticket.chain'), h('span.sub', ` ${chain.chain_id}`)), chainGraph(chain.tickets, tk.id, (m) => `#/ticket/${encodeURIComponent(m.id)}`)),
    );
    if (['inspector', 'auditor', 'admin'].includes(me.role)) {
      const status = h('p', { role: 'status' });
      box.append(
        h(
          'div.card',
          h('button', { type: 'button', on: { click: () => saveBundle(id, status) } }, t('esc.evidence')),
          status,
        ),
      );
    }
  } catch (e) {
    box.append(h('p.error', { role: 'alert' }, errorText(e)));
  }
}

// Fetches the evidence bundle with the token and hands it to the browser as a download.
export async function saveBundle(id, status) {
  status.textContent = t('loading');
  try {
    const file = await download(`/v1/chains/${encodeURIComponent(id)}/evidence`);
    const url = URL.createObjectURL(file.blob);
    const a = h('a', { href: url, download: file.name }, file.name);
    status.replaceChildren(t('audit.downloaded', { file: '' }), a);
    a.click();
  } catch (e) {
    status.replaceChildren(h('span.error', { role: 'alert' }, errorText(e)));
  }
}
