// One ticket: its facts, the actions its state allows this user (with the forms they need),
// the timeline of every record in plain words, and its chain as a graph. With ?as_of= it
// shows the ticket exactly as it stood then (read-only). What the user types is kept in
// `drafts` until the server accepts it, whatever fails in between.
import { ApiError, get, post, query } from '../api.js';
import { announce, h } from '../dom.js';
import { t, verbLabel } from '../i18n.js';
import { localInput, time } from '../format.js';
import * as ref from '../reference.js';
import { chainGraph } from '../chain_graph.js';
import { timeline } from '../timeline.js';

const drafts = new Map();  // `${ticket}/${verb}` -> {field: value}
let state = null;          // {main, id, asOf, data, chain, open: verb|null}

export async function render(main, route) {
  state = { main, id: route.arg, asOf: route.params.get('as_of') || '', data: null, chain: null, open: null, message: null };
  const mine = state;
  await load();
  return () => {
    if (state === mine) state = null;
  };
}

async function load() {
  const s = state;
  const q = query({ as_of: s.asOf });
  try {
    const [data, chain] = await Promise.all([
      get(`/v1/tickets/${encodeURIComponent(s.id)}${q}`),
      get(`/v1/chains/${encodeURIComponent(s.id)}${q}`).catch(() => null),
    ]);
    if (s !== state) return;
    s.data = data;
    s.chain = chain;
    draw();
  } catch (e) {
    if (s !== state) return;
    s.main.replaceChildren(
      h('h1', s.id),
      h('p.error', { role: 'alert' }, e.status === 404 ? t('ticket.notfound') : e.network ? t('error.network') : `${t('error.title', { code: e.code })} — ${e.message}`),
    );
  }
}

function fact(label, value) {
  return [h('dt', label), h('dd', value === '' || value === undefined || value === null ? '—' : value)];
}

function draw() {
  const s = state;
  const tk = s.data.ticket;
  const me = ref.me();
  const header = h(
    'header.ticket-head',
    h('h1', ref.ticketTitle(tk), h('span.sub', ` ${tk.id}`)),
    h(
      'p.badges',
      h('span.badge.state', ref.stateTitle(tk.workflow, tk.state)),
      tk.closed ? h('span.badge.closed', t('badge.closed')) : null,
      tk.overdue ? h('span.badge.overdue', t('badge.overdue')) : null,
      tk.escalated_to ? h('span.badge.escalated', t('badge.escalated', { to: ref.deptName(tk.escalated_to) })) : null,
      tk.pending_extension_days ? h('span.badge.ext', t('badge.extension', { days: tk.pending_extension_days })) : null,
    ),
    s.asOf ? h('p.asof', { role: 'note' }, t('ticket.asof', { time: time(s.data.as_of) })) : null,
    !s.asOf && ['auditor', 'admin'].includes(me.role)
      ? h('p', h('a', { href: `#/audit?ticket=${encodeURIComponent(tk.id)}&at=${encodeURIComponent(localInput(tk.opened_at))}` }, t('ticket.asof.open')))
      : null,
  );
  const facts = h(
    'section.card.facts',
    { 'aria-labelledby': 'facts-h' },
    h('h2#facts-h', t('ticket.facts')),
    h(
      'dl',
      fact(t('ticket.workflow'), `${ref.workflowTitle(tk.workflow)} v${tk.workflow_version} · ${t(`loop.${tk.loop}`)}`),
      fact(t('ticket.lead'), ref.deptName(tk.lead)),
      fact(t('ticket.assist'), (tk.assist || []).map(ref.deptName).join(', ')),
      fact(t('ticket.subject'), tk.subject),
      fact(t('ticket.jurisdiction'), tk.jurisdiction),
      fact(t('ticket.category'), `${tk.category} · ${t(`sev.${tk.severity}`)}`),
      fact(t('ticket.opened'), time(tk.opened_at)),
      fact(t('ticket.deadline'), time(tk.deadline_at)),
      fact(t('ticket.counters'), `${tk.returns} / ${tk.reopens} / ${tk.extensions}`),
      fact(t('ticket.resolution'), tk.resolution || tk.outcome),
      fact(t('ticket.version'), tk.version),
      Object.entries(tk.facts || {})
        .filter(([, v]) => v !== null && v !== '')
        .map(([k, v]) => fact(k, String(v))),
    ),
  );
  const actions = s.asOf ? null : actionsSection(tk, s.data.actions || []);
  const chain = h(
    'section.card.chain-card',
    { 'aria-labelledby': 'chain-h' },
    h('h2#chain-h', t('ticket.chain'), s.chain ? h('span.sub', ` ${s.chain.chain_id}`) : ''),
    s.chain ? chainGraph(s.chain.tickets, tk.id, (m) => `#/ticket/${encodeURIComponent(m.id)}${s.asOf ? `?as_of=${encodeURIComponent(s.asOf)}` : ''}`) : h('p', '—'),
  );
  const history = h('section.card.history', { 'aria-labelledby': 'tl-h' }, h('h2#tl-h', t('ticket.timeline')), timeline(s.data.history || [], tk));
  s.main.replaceChildren(header, h('div.ticket-grid', h('div.col', actions, facts, chain), h('div.col', history)));
}

function actionsSection(tk, actions) {
  const s = state;
  const box = h('section.card.actions', { 'aria-labelledby': 'act-h' }, h('h2#act-h', t('ticket.actions')));
  if (s.message) box.append(h('p.ok', { role: 'status' }, s.message));
  if (!actions.length) {
    box.append(h('p.muted', t('ticket.noactions')));
    return box;
  }
  box.append(
    h(
      'div.verbs',
      actions.map((a) =>
        h(
          'button',
          {
            type: 'button',
            'data-verb': a.verb,
            'aria-expanded': s.open === a.verb ? 'true' : 'false',
            'aria-controls': s.open === a.verb ? `form-${a.verb}` : null,
            class: s.open === a.verb ? 'primary' : '',
            on: {
              click: () => {
                s.open = s.open === a.verb ? null : a.verb;
                s.message = null;
                draw();
                const first = s.main.querySelector(`#form-${a.verb} input, #form-${a.verb} textarea, #form-${a.verb} select, #form-${a.verb} button`);
                if (first) first.focus();
              },
            },
          },
          verbLabel(a.verb),
        ),
      ),
    ),
  );
  const open = actions.find((a) => a.verb === s.open);
  if (open) box.append(actionForm(tk, open));
  return box;
}

// The form of one verb: the fields the API says it needs, filled from the draft.
function actionForm(tk, action) {
  const key = `${tk.id}/${action.verb}`;
  const draft = drafts.get(key) || {};
  drafts.set(key, draft);
  const id = (f) => `a-${action.verb}-${f}`;
  const keep = (f) => (e) => (draft[f] = e.target.value);
  const fields = [];
  const names = action.fields && action.fields.length ? action.fields : action.verb === 'progress' ? ['note'] : [];
  for (const f of names) {
    if (f === 'reason' || f === 'note') {
      fields.push(h('div.field', h('label', { for: id(f) }, t(`field.${f}`)), h(`textarea#${id(f)}`, { name: f, rows: 3, required: f === 'reason', value: draft[f] || '', on: { input: keep(f) } })));
    } else if (f === 'days') {
      fields.push(h('div.field', h('label', { for: id(f) }, t('field.days')), h(`input#${id(f)}`, { name: f, type: 'number', min: 1, max: 30, required: true, value: draft[f] || '', on: { input: keep(f) } })));
    } else if (f === 'evidence') {
      fields.push(h('div.field', h('label', { for: id(f) }, t('field.evidence')), h(`textarea#${id(f)}`, { name: f, rows: 3, required: true, placeholder: 'https://…', value: draft[f] || '', on: { input: keep(f) } })));
    } else if (f === 'to_department') {
      fields.push(
        h(
          'div.field',
          h('label', { for: id(f) }, t('field.to_department')),
          h(`select#${id(f)}`, { name: f, required: true, on: { change: keep(f) } }, h('option', { value: '' }, '—'), ref.departments().map((d) => h('option', { value: d.id, selected: draft[f] === d.id }, ref.deptName(d.id)))),
        ),
      );
    }
  }
  if (action.verb === 'order_rectification') {
    if (!draft.severity) draft.severity = tk.severity === 'major' ? 'major' : 'general';
    fields.push(
      h('div.field', h('label', { for: id('severity') }, t('field.severity')), h(`select#${id('severity')}`, { name: 'severity', on: { change: keep('severity') } }, ['general', 'major'].map((v) => h('option', { value: v, selected: draft.severity === v }, t(`sev.${v}`))))),
    );
  }
  const error = h('p.error', { role: 'alert', id: id('error'), hidden: true });
  const form = h(
    'form.action-form',
    { id: `form-${action.verb}`, 'aria-label': verbLabel(action.verb), 'aria-describedby': id('error'), on: { submit: (e) => { e.preventDefault(); submit(tk, action, draft, key, error, form); } } },
    action.conditional ? h('p.muted', t('ticket.conditional')) : null,
    fields,
    error,
    h(
      'div.buttons',
      h('button.primary', { type: 'submit' }, t('action.submit', { verb: verbLabel(action.verb) })),
      h('button', { type: 'button', on: { click: () => { state.open = null; draw(); } } }, t('action.cancel')),
    ),
  );
  return form;
}

async function submit(tk, action, draft, key, error, form) {
  const s = state;
  const body = { verb: action.verb, expected_version: tk.version };
  if (action.as_role) body.as_role = action.as_role;
  for (const f of ['reason', 'note', 'to_department', 'days', 'evidence']) {
    const v = (draft[f] || '').trim();
    if (!v) continue;
    if (f === 'days') body.days = Number.parseInt(v, 10);
    else if (f === 'evidence') body.evidence = v.split(/\s*\n\s*/).filter(Boolean);
    else body[f] = v;
  }
  if (action.verb === 'order_rectification' && draft.severity) body.fields = { severity: draft.severity };
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  error.hidden = true;
  try {
    const res = await post(`/v1/tickets/${encodeURIComponent(tk.id)}/actions`, body);
    drafts.delete(key);
    if (s !== state) return;
    s.open = null;
    const after = res.ticket || tk;
    s.message = t('ticket.done', { verb: verbLabel(action.verb), state: ref.stateTitle(after.workflow, after.state) });
    announce(s.message);
    await load();
    const ok = s.main.querySelector('.actions .ok');
    if (ok && s === state) {
      ok.setAttribute('tabindex', '-1');
      ok.focus();
    }
  } catch (e) {
    if (s !== state) return;
    button.disabled = false;
    error.hidden = false;
    if (e instanceof ApiError && e.network) error.textContent = t('error.network');
    else if (e.status === 409 && e.currentVersion !== undefined) error.textContent = t('error.stale', { v: e.currentVersion });
    else error.textContent = `${t('error.title', { code: e.code })} — ${e.message}${e.field ? ` (${e.field})` : ''}`;
    const bad = e.field && form.querySelector(`[name="${e.field}"]`);
    if (bad) {
      bad.setAttribute('aria-invalid', 'true');
      bad.focus();
    } else {
      error.setAttribute('tabindex', '-1');
      error.focus();
    }
    if (e.status === 409) {
      // The form stays as typed (the draft survives a reload too); the user reloads when ready.
      error.append(' ', h('button', { type: 'button', on: { click: () => load() } }, t('ticket.reload')));
    }
  }
}

// A change on the live feed: reload this ticket if it (or its chain) changed, unless the
// user is typing into a form; then offer the reload instead of losing their words.
export function onChange(change) {
  const s = state;
  if (!s || s.asOf || !s.data) return;
  const tk = change.ticket;
  if (!change.reset && (!tk || (tk.id !== s.id && tk.chain_id !== s.data.ticket.chain_id))) return;
  if (tk && tk.id === s.id && tk.version === s.data.ticket.version) return;
  if (s.open) {
    if (s.main.querySelector('.changed')) return;
    const note = h('p.changed', { role: 'status' }, t('ticket.changed'), ' ', h('button', { type: 'button', on: { click: () => load() } }, t('ticket.reload')));
    s.main.querySelector('.actions').prepend(note);
    return;
  }
  load();
}
