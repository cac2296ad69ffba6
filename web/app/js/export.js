// Lists as CSV for spreadsheet software: every ticket the list's query matches (all pages,
// not only those shown), UTF-8 with a byte-order mark so that Excel and WPS open Chinese
// correctly, headers and values in the user's language, CRLF line ends (RFC 4180).
import { get, query } from './api.js';
import { h } from './dom.js';
import { errorText, t } from './i18n.js';
import { localInput, time } from './format.js';
import * as ref from './reference.js';

const PAGE = 500;
const MAX_PAGES = 40;  // 20,000 tickets: beyond that the file says it is cut, and where

// One field: quoted, quotes doubled; a leading = + - @ is neutralised so that a spreadsheet
// never runs what a reporter typed as a formula (CSV injection).
function field(v) {
  let s = v === undefined || v === null ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

const COLUMNS = [
  ['col.ticket', (tk) => tk.id],
  ['col.title', (tk) => ref.ticketTitle(tk)],
  ['case.what', (tk) => tk.what || ''],
  ['col.state', (tk) => ref.stateTitle(tk.workflow, tk.state)],
  ['ticket.category', (tk) => ref.categoryName(tk.category)],
  ['col.severity', (tk) => t(`sev.${tk.severity}`)],
  ['ticket.lead', (tk) => ref.deptName(tk.lead)],
  ['ticket.subject', (tk) => ref.nameOf(tk, 'subject', tk.subject)],
  ['ticket.jurisdiction', (tk) => ref.nameOf(tk, 'jurisdiction', tk.jurisdiction)],
  ['ticket.opened', (tk) => time(tk.opened_at)],
  ['col.deadline', (tk) => time(tk.deadline_at)],
  ['badge.overdue', (tk) => (tk.overdue ? t('field.yes') : t('field.no'))],
  ['csv.escalated', (tk) => (tk.escalated_to ? ref.deptName(tk.escalated_to) : '')],
];

export function toCsv(tickets) {
  const lines = [COLUMNS.map(([k]) => field(t(k))).join(',')];
  for (const tk of tickets) lines.push(COLUMNS.map(([, f]) => field(f(tk))).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

// Every page of GET /v1/tickets for `params`; {tickets, now, cut}.
async function fetchAll(params) {
  let tickets = [];
  let cursor = '';
  let now = 0;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await get(`/v1/tickets${query({ ...params, limit: PAGE, cursor })}`);
    tickets = tickets.concat(page.tickets);
    now = page.now || now;
    cursor = page.next_cursor || '';
    if (!cursor) return { tickets, now, cut: false };
  }
  return { tickets, now, cut: true };
}

// A button that exports the list `params()` gives (a query of GET /v1/tickets) as
// `<name>-<date>.csv`, with a status line saying how many went out.
export function exportButton(name, params) {
  const status = h('span.export-status', { role: 'status' });
  const button = h(
    'button.export',
    {
      type: 'button',
      on: {
        click: async () => {
          button.disabled = true;
          status.textContent = t('loading');
          try {
            const { tickets, now, cut } = await fetchAll(params());
            const blob = new Blob([toCsv(tickets)], { type: 'text/csv;charset=utf-8' });
            const file = `${name}-${localInput(now || Date.now()).slice(0, 10)}.csv`;
            const a = h('a', { href: URL.createObjectURL(blob), download: file }, file);
            status.replaceChildren(t(cut ? 'csv.cut' : 'csv.done', { n: tickets.length }), ' ', a);
            a.click();
          } catch (e) {
            status.replaceChildren(h('span.error', errorText(e)));
          } finally {
            button.disabled = false;
          }
        },
      },
    },
    t('csv.export'),
  );
  return h('div.export.no-print', button, ' ', status);
}
