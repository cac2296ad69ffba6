// People and load (承办人): for the head of a department, each person of it with their open
// assigned tickets, how many are overdue and how many fall due before the city's midnight
// (GET /v1/departments/{id}/people, read from the engine's assignee index), each row linking
// to that person's tickets. Also the queue's tabs (department queue, my tickets, people) and
// the people a head may assign to, shared with the queue's bulk assign.
import { get } from '../api.js';
import { h } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { time } from '../format.js';
import * as ref from '../reference.js';

let state = null;

// Whether the signed-in user directs their department's work (acts as its head).
export function isHead(me = ref.me()) {
  return !!me && me.role === 'staff' && (me.acts_as || []).includes('head');
}

// The tabs above a department's queue: its queue, my tickets, and (for a head) its people.
export function tabs(current) {
  const me = ref.me();
  if (!me || me.role !== 'staff') return null;
  const items = [
    ['dept', '#/queue', t('queue.tab.dept')],
    ['mine', '#/queue?assignee=me', t('queue.tab.mine')],
  ];
  if (isHead(me)) items.push(['people', '#/people', t('queue.tab.people')]);
  return h(
    'nav.tabs',
    { 'aria-label': t('queue.tabs') },
    h('ul', items.map(([key, href, label]) => h('li', h('a', { href, 'aria-current': key === current ? 'page' : null }, label)))),
  );
}

// The people of the user's department with their load (a head's only).
export async function people() {
  const me = ref.me();
  return get(`/v1/departments/${encodeURIComponent(me.department)}/people`);
}

export const personLabel = (p) => (p.name ? `${p.name} (${p.user})` : p.user);

export async function render(main) {
  state = { main };
  const mine = state;
  const me = ref.me();
  main.append(
    h('h1', t('people.title'), me && me.department ? h('span.sub', ` · ${ref.deptName(me.department)}`) : ''),
    tabs('people'),
    h('div#people-box', h('p', { role: 'status' }, t('loading'))),
  );
  await load();
  return () => {
    if (state === mine) state = null;
  };
}

async function load() {
  const s = state;
  const box = s.main.querySelector('#people-box');
  try {
    const data = await people();
    if (s !== state) return;
    box.replaceChildren(draw(data));
  } catch (e) {
    if (s !== state) return;
    box.replaceChildren(h('p.error', { role: 'alert' }, errorText(e)));
  }
}

function draw(data) {
  if (!data.people.length) return h('p.muted', t('people.none'));
  const cols = ['people.col.person', 'people.col.open', 'people.col.overdue', 'people.col.today', 'people.col.status'];
  return h(
    'div',
    h('p.muted', t('people.intro', { dept: ref.deptName(data.department), time: time(data.now) })),
    h(
      'div.table-wrap',
      h(
        'table.admin-table.people#people-table',
        h('caption.visually-hidden', t('people.caption')),
        h('thead', h('tr', cols.map((k) => h('th', { scope: 'col' }, t(k))))),
        h(
          'tbody',
          data.people.map((p) =>
            h(
              'tr',
              { 'data-user': p.user },
              h('th', { scope: 'row' }, h('a', { href: `#/queue?assignee=${encodeURIComponent(p.user)}` }, personLabel(p))),
              h('td.num', String(p.open)),
              h(`td.num${p.overdue ? '.bad' : ''}`, String(p.overdue)),
              h('td.num', String(p.due_today)),
              h('td', p.enabled ? t('people.enabled') : t('people.disabled')),
            ),
          ),
        ),
      ),
    ),
  );
}

export function onChange() {
  if (state) load();
}
