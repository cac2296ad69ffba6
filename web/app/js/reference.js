// What every view needs to name things: the signed-in user, department names and the
// workflows' state titles, loaded once per sign-in.
import { get } from './api.js';
import { setZone } from './format.js';
import { lang, labelOf, reasonText } from './i18n.js';

const cache = { me: null, departments: new Map(), workflows: new Map(), categories: new Map(), verbs: new Map() };

export async function load() {
  const [me, deps, wfs] = await Promise.all([
    get('/v1/me'),
    get('/v1/departments'),
    get('/v1/workflows'),
  ]);
  cache.me = me;
  cache.departments = new Map(deps.departments.map((d) => [d.id, d]));
  cache.workflows = new Map(wfs.workflows.map((w) => [w.name, w]));
  // Categories by id: the reference data's hazard classes, then the services workflows
  // offer (a request's category is its service code). Verbs by name, the first declaration.
  cache.categories = new Map((wfs.categories || []).map((c) => [c.id, { en: c.name, zh: c.name_zh }]));
  cache.verbs = new Map();
  for (const w of wfs.workflows) {
    for (const sv of w.services || []) if (!cache.categories.has(sv.code)) cache.categories.set(sv.code, { en: sv.title, zh: sv.title_zh });
    for (const v of w.verbs || []) if (!cache.verbs.has(v.name)) cache.verbs.set(v.name, { en: v.title, zh: v.title_zh });
  }
  setZone(wfs.time_zone);
  return me;
}

export function reset() {
  cache.me = null;
}

export const me = () => cache.me;
export const departments = () => [...cache.departments.values()];
export const workflows = () => [...cache.workflows.values()];

export function deptName(id) {
  if (!id) return '—';
  const d = cache.departments.get(id);
  if (!d) return id;
  return (lang() === 'zh' ? d.name_zh : d.name) || d.name || id;
}

export function stateTitle(workflow, state) {
  const wf = cache.workflows.get(workflow);
  const st = wf && wf.states.find((s) => s.name === state);
  if (!st) return state;
  return (lang() === 'zh' ? st.title_zh : st.title) || st.title || state;
}

export function workflowTitle(name) {
  const wf = cache.workflows.get(name);
  if (!wf) return name;
  return (lang() === 'zh' ? wf.title_zh : wf.title) || name;
}

// Every state of every workflow (for the filter), deduplicated by name.
export function allStates() {
  const seen = new Map();
  for (const wf of cache.workflows.values()) {
    for (const s of wf.states) if (!s.terminal && !seen.has(s.name)) seen.set(s.name, wf.name);
  }
  return [...seen.entries()].map(([name, wf]) => ({ name, title: stateTitle(wf, name) }));
}

// A ticket's title in the current language: the engine titles a ticket with its workflow's
// title (in one language), so that is replaced by the workflow's title in the user's.
export function ticketTitle(tk) {
  const wf = cache.workflows.get(tk.workflow);
  if (!tk.title || (wf && (tk.title === wf.title || tk.title === wf.title_zh))) {
    return workflowTitle(tk.workflow);
  }
  return tk.title;
}

// A name the API sent beside an id (ticket.names: subject, jurisdiction, lead, ...) in the
// user's language, else the id itself.
export function nameOf(tk, key, id) {
  const n = tk.names && tk.names[key];
  if (!n) return id;
  return (lang() === 'zh' ? n.zh : n.en) || id;
}

// What a ticket is about, where, in words: "the report's words · company · place".
export function whatWhere(tk) {
  return [tk.what, nameOf(tk, 'subject', tk.subject), tk.where || nameOf(tk, 'jurisdiction', tk.jurisdiction)].filter(Boolean).join(' · ');
}

const pick = (n) => (n ? (lang() === 'zh' ? n.zh : n.en) || n.en : '');

// A verb's name: as the workflow declares it (that workflow's, else any deployed one's), else
// the console's catalogue (i18n.js), else the verb with underscores as spaces.
export function verbTitle(verb, workflow) {
  if (!verb) return '';
  const wf = workflow && cache.workflows.get(workflow);
  const own = wf && (wf.verbs || []).find((v) => v.name === verb);
  if (own) return (lang() === 'zh' ? own.title_zh : own.title) || own.title;
  return pick(cache.verbs.get(verb)) || labelOf('verb', verb);
}

// A category's name: the reference data's hazard class or a service's title, else the
// console's catalogue of the categories workflows set themselves (self_inspection, ...).
export function categoryName(id) {
  if (!id) return '—';
  return pick(cache.categories.get(id)) || labelOf('cat', id);
}

// Every name an id of the deployed workflows could show raw (for the browser tests).
export function rawIds() {
  const ids = new Set(cache.categories.keys());
  for (const w of cache.workflows.values()) {
    for (const s of w.states) ids.add(s.name);
    for (const v of w.verbs || []) ids.add(v.name);
    for (const f of w.facts || []) ids.add(f);
  }
  return [...ids];
}

// A text a workflow wrote (a reason such as "overdue by 5 working days in " + state) in the
// user's language when it is one of the shipped phrases (i18n.js REASONS), else with every
// word that is a state of `names`' workflows replaced by that state's title; a bare state id
// becomes its title.
export function withStateTitles(text, names) {
  const wfs = names.map((n) => cache.workflows.get(n)).filter(Boolean);
  const stateOf = (word) => wfs.find((w) => w.states.some((s) => s.name === word));
  const known = reasonText(text, (kind, id) => (kind === 'category' ? categoryName(id) : stateOf(id) ? stateTitle(stateOf(id).name, id) : id));
  if (known) return known;
  if (stateOf(String(text))) return stateTitle(stateOf(String(text)).name, String(text));
  return String(text).replace(/\b[a-z][a-z0-9_]*\b/g, (word) => {
    const wf = wfs.find((w) => w.states.some((s) => s.name === word));
    return wf ? `“${stateTitle(wf.name, word)}”` : word;
  });
}
