// The console's shell: sign-in gate, navigation by role, the language switch, hash routes
// (#/queue, #/people, #/ticket/ID, #/escalations, #/audit, #/overview, #/reports, #/notify, #/admin/PANEL) and the
// live feed.
import { get, setToken, token } from './api.js';
import { announce, clear, h } from './dom.js';
import { detectLanguage, errorText, lang, setLanguage, t } from './i18n.js';
import * as live from './live.js';
import * as ref from './reference.js';
import * as admin from './views/admin.js';
import * as audit from './views/audit.js';
import * as escalations from './views/escalations.js';
import * as notify from './views/notify.js';
import * as overview from './views/overview.js';
import * as people from './views/people.js';
import * as reports from './views/reports.js';
import * as queue from './views/queue.js';
import * as signin from './views/signin.js';
import * as ticket from './views/ticket.js';
import * as map from './views/map.js';
import './pwa.js';
import './cards.js';

const VIEWS = { signin, queue, ticket, escalations, audit, overview, reports, notify, admin, map, people };
let active = null;  // {view, cleanup}
// Focus moves to a view's heading when the user navigates in the console, not on the page's
// first load, where the user starts at the top (the skip link first).
let firstRender = true;

// Which views a role has, in menu order.
function menuFor(role) {
  const items = [];
  // An enterprise's own account: the queue of its own orders, alarms and duties, nothing else.
  if (['staff', 'supervisor', 'inspector', 'auditor', 'admin', 'enterprise'].includes(role)) items.push('queue');
  if (['supervisor', 'inspector', 'admin'].includes(role)) items.push('escalations');
  if (['auditor', 'admin'].includes(role)) items.push('audit');
  if (['staff', 'supervisor', 'inspector', 'auditor', 'admin'].includes(role)) items.push('overview');
  if (['staff', 'supervisor', 'inspector', 'auditor', 'admin'].includes(role)) items.push('reports');
  if (['staff', 'supervisor', 'inspector', 'auditor', 'admin'].includes(role)) items.push('map');
  if (role === 'admin') items.push('notify');
  if (role === 'admin') items.push('admin');
  return items;
}

function parseRoute() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, qs = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || '', arg: parts[1] || '', params: new URLSearchParams(qs) };
}

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function renderChrome() {
  document.getElementById('skip-link').textContent = t('skip');
  document.getElementById('lang-label').textContent = t('language');
  document.getElementById('lang').value = lang();
  const out = document.getElementById('signout');
  out.textContent = t('signout');
  const me = ref.me();
  out.hidden = !me;
  const nav = clear(document.getElementById('nav'));
  const who = clear(document.getElementById('who'));
  if (!me) return;
  const current = parseRoute().name;
  nav.append(
    h(
      'ul',
      menuFor(me.role).map((name) =>
        h(
          'li',
          h(
            'a',
            { href: `#/${name}`, 'aria-current': current === name ? 'page' : null },
            t(`nav.${name}`),
          ),
        ),
      ),
    ),
  );
  who.append(
    h('span.who-name', me.display_name || me.name),
    ' · ',
    h('span.who-role', t(`role.${me.role}`)),
    me.department ? ` · ${ref.deptName(me.department)}` : '',
  );
}

// Each route renders into a fresh container of its own: a view still loading when the user
// moves on finishes into its detached container, harmlessly, and is cleaned up then.
let generation = 0;

async function route() {
  const gen = ++generation;
  const r = parseRoute();
  if (active && active.cleanup) active.cleanup();
  active = null;
  if (!token()) {
    r.name = 'signin';
  } else if (!ref.me()) {
    try {
      await ref.load();
      // The live stream is the staff's (an enterprise's queue refreshes when it is opened).
      if (ref.me().role !== 'enterprise') live.start();
    } catch (e) {
      if (e.status === 401) {
        setToken('');
        r.name = 'signin';
      } else {
        const main = clear(document.getElementById('main'));
        main.append(h('p.error', { role: 'alert' }, errorText(e)));
        return;
      }
    }
    if (gen !== generation) return;
  }
  const me = ref.me();
  if (me && (r.name === 'signin' || !VIEWS[r.name])) {
    r.name = menuFor(me.role)[0] || 'queue';
    history.replaceState(null, '', `#/${r.name}`);
  }
  renderChrome();
  const root = h('div.view');
  clear(document.getElementById('main')).append(root);
  const view = VIEWS[r.name];
  const cleanup = await view.render(root, r, { go, signedIn });
  if (gen !== generation) {
    if (cleanup) cleanup();
    return;
  }
  active = { view, cleanup };
  const heading = root.querySelector('h1');
  if (heading) {
    document.title = `${heading.textContent} · closeloop`;
    heading.setAttribute('tabindex', '-1');
    if (!firstRender) heading.focus({ preventScroll: true });
  }
  firstRender = false;
}

async function signedIn(newToken) {
  setToken(newToken);
  ref.reset();
  go('#/');
}

function signOut() {
  live.stop();
  setToken('');
  ref.reset();
  go('#/signin');
}

live.onChange((change) => {
  if (active && active.view.onChange) active.view.onChange(change);
});

setLanguage(detectLanguage(), false);
document.getElementById('lang').addEventListener('change', (e) => {
  setLanguage(e.target.value, true);
  announce(e.target.value === 'zh' ? '已切换到中文' : 'Switched to English');
  // Re-render: the views keep what the user typed in module state (drafts), so nothing is lost.
  route();
});
document.getElementById('signout').addEventListener('click', signOut);
// The skip link moves focus itself: following its #main would be taken for a route.
document.getElementById('skip-link').addEventListener('click', (e) => {
  e.preventDefault();
  document.getElementById('main').focus();
});
window.addEventListener('hashchange', route);
route();

// For the browser tests and for debugging: the route currently shown.
window.closeloopConsole = { route: () => parseRoute(), get };
