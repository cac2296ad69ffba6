// One ticket: its facts, the actions its state allows this user (with the forms they need),
// the timeline of every record in plain words, and its chain as a graph. With ?as_of= it
// shows the ticket exactly as it stood then (read-only). What the user types is kept in
// `drafts` until the server accepts it, whatever fails in between.
import { ApiError, get, post, query } from '../api.js';
import { announce, h } from '../dom.js';
import { errorText, labelOf, lang, t } from '../i18n.js';
import { localInput, time } from '../format.js';
import * as ref from '../reference.js';
import { chainGraph } from '../chain_graph.js';
import { timeline } from '../timeline.js';
import { gallery, picker, refsOf } from '../attachments.js';
import { mapCard } from '../place_map.js';
import { EVENT as OUTBOX, keep, keptSection, sendKept } from '../outbox.js';

const drafts = new Map();  // `${ticket}/${verb}` -> {field: value}
let state = null;          // {main, id, asOf, data, chain, open: verb|null}

export async function render(main, route) {
  state = { main, id: route.arg, asOf: route.params.get('as_of') || '', data: null, chain: null, open: null, message: null };
  const mine = state;
  // Actions kept offline (outbox.js): redraw on a change to this ticket's, reload once sent.
  const onOutbox = (ev) => {
    if (state !== mine || ev.detail.ticket !== mine.id || !mine.data) return;
    if (ev.detail.outcome === 'sent' || ev.detail.outcome === 'refused') {
      mine.message = ev.detail.outcome === 'sent' ? t('outbox.sent', { verb: ev.detail.verb }) : null;
      load();
    } else {
      draw();
    }
  };
  window.addEventListener(OUTBOX, onOutbox);
  await load();
  sendKept();
  return () => {
    window.removeEventListener(OUTBOX, onOutbox);
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
    s.left = null;
    s.data = data;
    s.chain = chain;
    draw();
  } catch (e) {
    if (s !== state) return;
    if (e.status === 404 && s.left) {
      s.main.replaceChildren(
        h('h1', s.data ? ref.ticketTitle(s.data.ticket) : s.id),
        h('p.ok.left', { role: 'status', tabindex: '-1' }, s.left),
        h('p', h('a', { href: '#/queue' }, t('ticket.backtoqueue'))),
      );
      announce(s.left);
      s.main.querySelector('.left').focus();
      return;
    }
    s.main.replaceChildren(
      h('h1', s.id),
      h('p.error', { role: 'alert' }, e.status === 404 ? t('ticket.notfound') : errorText(e)),
    );
  }
}

// A body's fields as "key: value" lines, nested ones flattened (attrs as their key: value).
function contentLines(content) {
  const out = [];
  for (const [k, v] of Object.entries(content || {})) {
    if (k === 'attrs' && Array.isArray(v)) v.forEach((a) => out.push([a.key, a.value]));
    else if (v && typeof v === 'object' && !Array.isArray(v)) out.push([k, Object.entries(v).map(([a, b]) => `${a} ${b}`).join(', ')]);
    else out.push([k, Array.isArray(v) ? v.join(', ') : String(v)]);
  }
  return out;
}

// The case file leads the view: what was reported, where, by whom and when (the opening
// event), then everything attached later, each with its source, time and whole content.
function caseSection(tk, entries) {
  const box = h('section.card.case-file', { 'aria-labelledby': 'case-h' }, h('h2#case-h', t('case.title')));
  if (!entries.length) {
    box.append(h('p.muted', tk.trigger === 'chain' ? t('case.chained', { parent: tk.parent_id }) : t('case.none')));
    return box;
  }
  const first = entries[0];
  const c = first.content || {};
  const who = [c.reporter || c.requester, c.reporter_contact || c.contact].filter(Boolean).join(' · ');
  const where = [c.address, ref.nameOf(tk, 'subject', tk.subject), ref.nameOf(tk, 'jurisdiction', tk.jurisdiction), c.location ? `${c.location.lat}, ${c.location.lon}` : ''].filter(Boolean).join(' · ');
  box.append(
    h(
      'dl.case-summary',
      fact(t('case.what'), c.description || tk.what || first.type),
      fact(t('case.where'), where),
      fact(t('case.who'), who ? h('span', who, first.masked ? h('span.muted', ` (${t('case.masked')})`) : null) : first.actor || first.source),
      fact(t('case.when'), `${time(first.occurred_at)} · ${first.source}`),
    ),
  );
  box.append(
    h(
      'ol.case-entries',
      entries.map((e) =>
        h(
          'li.case-entry',
          { 'data-relation': e.relation, 'data-event': e.event_id },
          h('p.case-head', h('strong', t(`case.rel.${e.relation}`)), ` · ${labelOf('evt', e.type)} · ${e.source}${e.actor ? ` (${e.actor})` : ''} · ${time(e.occurred_at)}`),
          h('dl.case-content', contentLines(e.content).map(([k, v]) => fact(labelOf('key', k), k === 'evidence' ? gallery(e.content.evidence) : contentValue(k, v)))),
        ),
      ),
    ),
  );
  return box;
}

// A fact's value in words: yes / no for booleans, a known code (a resolution) by its name.
// A free text names states by their titles (ref.withStateTitles).
function factValue(v, workflows) {
  if (typeof v === 'boolean') return labelOf('val', String(v));
  const s = String(v);
  // A workflow's or a department's id (origin_workflow, origin_lead) by its name.
  if (ref.workflowTitle(s) !== s) return ref.workflowTitle(s);
  if (ref.deptName(s) !== s) return ref.deptName(s);
  if (!/^[a-z0-9]+(_[a-z0-9]+)*$/.test(s)) return ref.withStateTitles(s, workflows);
  const named = labelOf('val', s);
  return named !== s.replace(/_/g, ' ') ? named : ref.withStateTitles(s, workflows);
}

// A case-file value: categories and severities by name, the rest as published.
function contentValue(k, v) {
  if (k === 'category' || k === 'incident_type' || k === 'service_code') return ref.categoryName(v);
  if (k === 'severity') return t(`sev.${v}`);
  return v;
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
      fact(t('ticket.assignee'), tk.assignee ? ref.nameOf(tk, 'assignee', tk.assignee) : t('ticket.unassigned')),
      fact(t('ticket.assist'), (tk.assist || []).map(ref.deptName).join(', ')),
      fact(t('ticket.subject'), ref.nameOf(tk, 'subject', tk.subject)),
      fact(t('ticket.jurisdiction'), ref.nameOf(tk, 'jurisdiction', tk.jurisdiction)),
      fact(t('ticket.category'), `${ref.categoryName(tk.category)} · ${t(`sev.${tk.severity}`)}`),
      fact(t('ticket.opened'), time(tk.opened_at)),
      fact(t('ticket.deadline'), time(tk.deadline_at)),
      fact(t('ticket.counters'), `${tk.returns} / ${tk.reopens} / ${tk.extensions}`),
      fact(t('ticket.resolution'), tk.resolution || tk.outcome ? labelOf('val', tk.resolution || tk.outcome) : ''),
      fact(t('ticket.version'), tk.version),
      Object.entries(tk.facts || {})
        .filter(([, v]) => v !== null && v !== '')
        .map(([k, v]) => fact(labelOf('fact', k), factValue(v, [tk.workflow, tk.facts.origin_workflow].filter(Boolean)))),
    ),
  );
  const caseFile = caseSection(tk, s.data.case_file || []);
  const actions = s.asOf ? null : actionsSection(tk, s.data.actions || []);
  const chain = h(
    'section.card.chain-card',
    { 'aria-labelledby': 'chain-h' },
    h('h2#chain-h', t('ticket.chain'), s.chain ? h('span.sub', ` ${s.chain.chain_id}`) : ''),
    s.chain ? chainGraph(s.chain.tickets, tk.id, (m) => `#/ticket/${encodeURIComponent(m.id)}${s.asOf ? `?as_of=${encodeURIComponent(s.asOf)}` : ''}`) : h('p', '—'),
  );
  const history = h('section.card.history', { 'aria-labelledby': 'tl-h' }, h('h2#tl-h', t('ticket.timeline')), timeline(s.data.history || [], tk));
  const where = mapCard(t('map.ticket'), [tk], { focus: tk.jurisdiction, enterprises: new Set([tk.subject]) });
  s.main.replaceChildren(header, caseFile, h('div.ticket-grid', h('div.col', actions, keptSection(tk.id), facts, where, chain), h('div.col', history)));
}

// A verb's name: the title its workflow declares, else the console's own label.
function actionLabel(a) {
  return a.declared ? titled(a) : ref.verbTitle(a.verb, state.data.ticket.workflow);
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
          actionLabel(a),
        ),
      ),
    ),
  );
  const open = actions.find((a) => a.verb === s.open);
  if (open) box.append(actionForm(tk, open));
  return box;
}

// A declared text in the user's language: the workflow's zh title, else its English one.
function titled(x) {
  return lang() === 'zh' && x.title_zh ? x.title_zh : x.title;
}

// The form of one verb, drawn only from what its workflow declares (actions[].fields): each
// field's kind, choices, range and whether it is required. Filled from the draft.
function actionForm(tk, action) {
  const key = `${tk.id}/${action.verb}`;
  const draft = drafts.get(key) || {};
  drafts.set(key, draft);
  const id = (f) => `a-${action.verb}-${f}`;
  const keep = (f) => (e) => (draft[f] = e.target.value);
  const fields = (action.fields || []).map((f) => {
    const attrs = { name: f.param, required: f.required, 'data-kind': f.kind, on: { input: keep(f.name), change: keep(f.name) } };
    let control;
    if (f.kind === 'choice' || f.kind === 'person' || f.kind === 'yes_no' || f.kind === 'department') {
      const options =
        f.kind === 'choice' || f.kind === 'person'
          ? f.choices.map((c) => ({ value: c.value, label: titled(c) }))
          : f.kind === 'yes_no'
            ? [{ value: 'yes', label: t('field.yes') }, { value: 'no', label: t('field.no') }]
            : ref.departments().map((d) => ({ value: d.id, label: ref.deptName(d.id) }));
      control = h(`select#${id(f.name)}`, attrs, h('option', { value: '' }, '—'), options.map((o) => h('option', { value: o.value, selected: draft[f.name] === o.value }, o.label)));
    } else if (f.kind === 'number' || f.kind === 'working_days') {
      control = h(`input#${id(f.name)}`, { ...attrs, type: 'number', min: f.min, max: f.max, step: f.kind === 'working_days' ? 1 : 'any', value: draft[f.name] || '' });
    } else if (f.kind === 'attachments') {
      draft[f.name] ||= [];
      control = picker(id(f.name), f.param, f.required, draft[f.name]);
    } else {
      control = h(`textarea#${id(f.name)}`, { ...attrs, rows: 3, value: draft[f.name] || '' });
    }
    const range = f.kind === 'working_days' && f.max ? ` (${t('field.upto', { n: f.max })})` : '';
    // The required mark sits beside the label, not in it: the control's accessible name is the
    // declared title alone, and `required` on the control tells assistive technology.
    return h('div.field', h('label', { for: id(f.name) }, titled(f), range), f.required ? h('span.req', { 'aria-hidden': 'true' }, ' *') : null, control);
  });
  const error = h('p.error', { role: 'alert', id: id('error'), hidden: true });
  const form = h(
    'form.action-form',
    { id: `form-${action.verb}`, 'aria-label': actionLabel(action), 'aria-describedby': id('error'), on: { submit: (e) => { e.preventDefault(); submit(tk, action, draft, key, error, form); } } },
    action.conditional ? h('p.muted', t('ticket.conditional')) : null,
    fields,
    error,
    h(
      'div.buttons',
      h('button.primary', { type: 'submit' }, t('action.submit', { verb: actionLabel(action) })),
      h('button', { type: 'button', on: { click: () => { state.open = null; draw(); } } }, t('action.cancel')),
    ),
  );
  return form;
}

async function submit(tk, action, draft, key, error, form) {
  const s = state;
  const body = { verb: action.verb, expected_version: tk.version };
  if (action.as_role) body.as_role = action.as_role;
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  error.hidden = true;
  const photos = [];  // chosen without a network: kept with the action (outbox.js)
  for (const f of action.fields || []) {
    if (f.kind === 'attachments') {
      try {
        const { refs, offline } = await refsOf(draft[f.name] || []);
        if (refs.length) body.evidence = refs;
        photos.push(...offline);
      } catch (e) {
        button.disabled = false;
        error.hidden = false;
        error.textContent = `${e.message} (${f.param})`;
        const picker = form.querySelector(`[name="${f.param}"]`);
        if (picker) {
          picker.setAttribute('aria-invalid', 'true');
          picker.focus();
        }
        return;
      }
      continue;
    }
    const v = (draft[f.name] || '').trim();
    if (!v) continue;
    if (f.param.startsWith('fields.')) (body.fields ||= {})[f.name] = v;
    else if (f.kind === 'working_days') body.days = Number.parseInt(v, 10);
    else body[f.name] = v;
  }
  try {
    if (photos.length) throw new ApiError(0, null, true);  // its photos need the network first
    const res = await post(`/v1/tickets/${encodeURIComponent(tk.id)}/actions`, body);
    drafts.delete(key);
    if (s !== state) return;
    s.open = null;
    const after = res.ticket || tk;
    s.message = res.status === 'pending'
      ? t('ticket.pending', { verb: actionLabel(action) })
      : t('ticket.done', { verb: actionLabel(action), state: ref.stateTitle(after.workflow, after.state) });
    // The action may take the ticket out of this user's view (a return to another unit): say
    // what happened and where it went, instead of "no such ticket".
    s.left = t('ticket.left', { verb: actionLabel(action), state: ref.stateTitle(after.workflow, after.state), dept: ref.deptName(after.lead) });
    announce(s.message);
    await load();
    const ok = s.main.querySelector('.actions .ok');
    if (ok && s === state) {
      ok.setAttribute('tabindex', '-1');
      ok.focus();
    }
  } catch (e) {
    if (s !== state) return;
    if (e instanceof ApiError && e.network && !s.asOf) {
      // No network: keep the action on this device; it is sent when the network returns.
      try {
        await keep(tk, body, photos);
      } catch (kept) {
        button.disabled = false;
        error.hidden = false;
        error.textContent = `${t('error.network')} (${kept.message || kept})`;
        return;
      }
      drafts.delete(key);
      s.open = null;
      s.message = t('outbox.queued', { verb: actionLabel(action) });
      announce(s.message);
      draw();
      return;
    }
    button.disabled = false;
    error.hidden = false;
    if (e instanceof ApiError && e.network) error.textContent = t('error.network');
    else if (e.status === 409 && e.currentVersion !== undefined) error.textContent = t('error.stale', { v: e.currentVersion });
    else error.textContent = errorText(e);
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
