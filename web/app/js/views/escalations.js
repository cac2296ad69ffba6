// Escalations: what the ladder sent to this user's office (inspectors: oversight tickets led
// by or escalated to their commission; supervisors: escalated tickets in their jurisdiction),
// why it reached them (the escalation, overdue, return and chaining records of the ticket and
// of the ticket it came from), and the chain as evidence, downloadable as a bundle.
import { download, get, query } from '../api.js';
import { h } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { time } from '../format.js';
import * as ref from '../reference.js';
import { chainGraph } from '../chain_graph.js';
import { sentence } from '../timeline.js';
import { exportButton } from '../export.js';

const WHY = new Set(['TicketEscalated', 'TicketOverdue', 'TicketReturned', 'TicketChained', 'TicketReopened', 'TicketOpened']);
let state = null;

export async function render(main, route) {
  state = { main, id: route.arg };
  const mine = state;
  const me = ref.me();
  main.append(h('h1', t('esc.title')), h('p.muted', t('esc.intro')));
  main.append(exportButton('escalations', () => (me.role === 'inspector' ? { open: 'true' } : { open: 'true', escalated: 'true' })));
  const q = me.role === 'inspector' ? query({ open: 'true', limit: 200 }) : query({ open: 'true', escalated: 'true', limit: 200 });
  let list;
  try {
    list = await get(`/v1/tickets${q}`);
  } catch (e) {
    main.append(h('p.error', { role: 'alert' }, errorText(e)));
    return null;
  }
  const items = list.tickets;
  const nav = h(
    'nav.esc-list.card',
    { 'aria-label': t('esc.title') },
    items.length
      ? h(
          'ul',
          items.map((tk) =>
            h(
              'li',
              h(
                'a',
                { href: `#/escalations/${encodeURIComponent(tk.id)}`, 'aria-current': tk.id === mine.id ? 'true' : null },
                h('strong', tk.id),
                h('span', ` ${ref.ticketTitle(tk)}`),
                h('div.muted', `${ref.stateTitle(tk.workflow, tk.state)} · ${ref.deptName(tk.facts?.origin_lead || tk.lead)}`),
                tk.overdue ? h('span.badge.overdue', t('badge.overdue')) : null,
              ),
            ),
          ),
        )
      : h('p', t('esc.empty')),
  );
  const detail = h('section.esc-detail#esc-detail', { 'aria-live': 'polite' });
  main.append(h('div.esc-grid', nav, detail));
  if (mine.id) await showDetail(detail, mine.id);
  else detail.append(h('p.muted', t('esc.pick')));
  return () => {
    if (state === mine) state = null;
  };
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
