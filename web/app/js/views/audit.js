// Audit: pick a ticket and a moment and see the ticket, its history and its chain exactly as
// they stood then (the server folds the log up to that instant); verify every partition's
// hash chain; read the state digest; download a chain's evidence bundle, or check it here
// with WebCrypto (evidence_check.js).
import { ApiError, download, get, query } from '../api.js';
import { h } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { cityZone, time } from '../format.js';
import * as ref from '../reference.js';
import { chainGraph } from '../chain_graph.js';
import { timeline } from '../timeline.js';
import { saveBundle } from './escalations.js';
import { checkBundle } from '../evidence_check.js';

export async function render(main, route) {
  const p = route.params;
  const ticket = p.get('ticket') || '';
  const at = p.get('at') || '';
  const form = h(
    'form.card.audit-form',
    {
      'aria-labelledby': 'replay-h',
      on: {
        submit: (e) => {
          e.preventDefault();
          const f = e.target.elements;
          location.hash = `#/audit${query({ ticket: f.ticket.value.trim(), at: f.at.value.trim().replace(' ', 'T') })}`;
        },
      },
    },
    h('h2#replay-h', t('audit.replay')),
    h('div.field', h('label', { for: 'au-ticket' }, t('audit.ticket')), h('input#au-ticket', { name: 'ticket', required: true, value: ticket, spellcheck: 'false', size: 30 })),
    h('div.field', h('label', { for: 'au-at' }, t('audit.when', { zone: cityZone() })), h('input#au-at', { name: 'at', type: 'text', inputmode: 'numeric', pattern: '\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}', placeholder: t('date.hint'), 'aria-describedby': 'au-at-hint', required: true, value: at.replace('T', ' ') }), h('span.muted#au-at-hint', t('date.hint'))),
    h('button.primary', { type: 'submit' }, t('audit.show')),
  );
  const verifyStatus = h('div#verify-result', { role: 'status' });
  const tools = h(
    'section.card.audit-tools',
    { 'aria-label': t('audit.verify') },
    h('button#verify', { type: 'button', on: { click: () => verify(verifyStatus) } }, t('audit.verify')),
    verifyStatus,
  );
  const result = h('section.audit-result#audit-result');
  main.append(h('h1', t('audit.title')), h('div.audit-top', form, tools), result);
  if (ticket && at) await replay(result, ticket, at);
  return null;
}

async function replay(box, id, at) {
  // The moment is Shanghai wall time; the API reads an ISO time without offset as such.
  const asOf = `${at.length === 16 ? `${at}:00` : at}`;
  try {
    const q = query({ as_of: asOf });
    const [data, chain] = await Promise.all([
      get(`/v1/tickets/${encodeURIComponent(id)}${q}`),
      get(`/v1/chains/${encodeURIComponent(id)}${q}`),
    ]);
    const tk = data.ticket;
    const status = h('p', { role: 'status' });
    const checked = h('div#bundle-check', { role: 'status' });
    box.append(
      h(
        'div.card.asof-card',
        h('h2', t('ticket.asof', { time: time(data.as_of) })),
        h(
          'p.badges',
          h('a', { href: `#/ticket/${encodeURIComponent(tk.id)}` }, tk.id),
          ' ',
          h('span.badge.state#asof-state', { 'data-state': tk.state }, ref.stateTitle(tk.workflow, tk.state)),
          tk.overdue ? h('span.badge.overdue', t('badge.overdue')) : null,
          tk.closed ? h('span.badge.closed', t('badge.closed')) : null,
          h('span.muted', ` ${t('ticket.version')} ${tk.version} · ${t('ticket.lead')}: ${ref.deptName(tk.lead)}`),
        ),
        timeline(data.history || [], tk),
      ),
      h('div.card', h('h2', t('ticket.chain'), h('span.sub', ` ${chain.chain_id}`)), chainGraph(chain.tickets, tk.id, (m) => `#/audit${query({ ticket: m.id, at })}`)),
      h(
        'div.card',
        h('button#bundle', { type: 'button', on: { click: () => saveBundle(id, status) } }, t('audit.download')),
        ' ',
        h('button#check-bundle', { type: 'button', on: { click: () => checkHere(id, checked) } }, t('audit.check')),
        status,
        checked,
      ),
    );
  } catch (e) {
    box.append(h('p.error', { role: 'alert' }, errorText(e)));
  }
}

async function verify(box) {
  box.replaceChildren(t('loading'));
  try {
    const [v, d] = await Promise.all([get('/v1/audit/verify'), get('/v1/audit/digest')]);
    box.replaceChildren(
      h(v.intact ? 'p.ok' : 'p.error', v.intact ? t('audit.verified') : t('audit.broken', { problem: v.problem })),
      h('ul', v.heads.map((hd) => h('li', t('audit.partition', { p: hd.partition, n: hd.end_offset, hash: `${hd.last_hash.slice(0, 16)}…` })))),
      h('p', `${t('audit.digest')}: `, h('code', d.digest)),
    );
  } catch (e) {
    box.replaceChildren(h('p.error', { role: 'alert' }, errorText(e)));
  }
}

// Fetches the chain's bundle and the log's published key, and checks the bundle here with
// WebCrypto (evidence_check.js), independently of the server's own verifier.
async function checkHere(id, box) {
  box.replaceChildren(t('loading'));
  try {
    const [file, keyFile] = await Promise.all([
      download(`/v1/chains/${encodeURIComponent(id)}/evidence`),
      download('/.well-known/closeloop-checkpoint-key'),
    ]);
    const bundle = JSON.parse(await file.blob.text());
    const proven = await checkBundle(bundle, await keyFile.blob.text());
    box.replaceChildren(
      h('p.ok', t('audit.checked', { n: proven.records, chain: proven.chain, log: proven.log })),
      h(
        'ul',
        proven.partitions.map((p) =>
          h('li', t('audit.checkedPartition', { p: p.partition, at: p.offsets.join(', '), size: p.size, time: p.signedAt ? time(p.signedAt) : '—', root: `${p.root.slice(0, 16)}…` })),
        ),
      ),
      h('p.muted', t('audit.checkedHow', { key: proven.key })),
      // What a reader of the printed case file needs to check it again without this console.
      h(
        'div.verify-howto',
        h('h3', t('audit.howto')),
        h('p', t('audit.howtoText')),
        h('pre.cmd', `closeloop evidence verify ${file.name} --key '${proven.key}'`),
        ...bundle.partitions.map((p) => h('pre.note', { 'aria-label': t('audit.checkpointOf', { p: p.partition }) }, p.checkpoint)),
      ),
      h('button#print-casefile.no-print', { type: 'button', on: { click: () => window.print() } }, t('audit.print')),
    );
  } catch (e) {
    if (e instanceof ApiError) {
      box.replaceChildren(h('p.error', { role: 'alert' }, errorText(e)));
      return;
    }
    const message = e instanceof Error ? e.message : String(e);
    box.replaceChildren(h('p.error', { role: 'alert' }, t('audit.notProven', { problem: message })));
  }
}
