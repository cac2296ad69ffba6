// Sign in with a bearer token. In demo mode, to a browser on the server's own machine, the
// server lists its demo people and their tokens, never the administrator's (GET
// /v1/demo/credentials answers 404 on other servers and 403 to other machines, and the list
// stays hidden).
import { ApiError, get } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';

let draft = '';  // what was typed, kept across a language switch or a failed attempt

export async function render(main, route, ctx) {
  const error = h('p.error', { role: 'alert', id: 'signin-error', hidden: true });
  const input = h('input#token', {
    type: 'password',
    name: 'token',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    value: draft,
    'aria-describedby': 'signin-error',
    on: { input: (e) => (draft = e.target.value) },
  });
  const tryToken = async (value) => {
    error.hidden = true;
    try {
      await get('/v1/me', value.trim());
      draft = '';
      await ctx.signedIn(value.trim());
    } catch (e) {
      error.hidden = false;
      error.textContent = e instanceof ApiError && e.network ? t('error.network') : `${t('signin.bad')} ${e.message}`;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  };
  const form = h(
    'form.card.signin',
    { on: { submit: (e) => { e.preventDefault(); tryToken(input.value); } } },
    h('p', t('signin.intro')),
    h('label', { for: 'token' }, t('signin.token')),
    input,
    error,
    h('button.primary', { type: 'submit' }, t('signin.submit')),
  );
  main.append(h('h1', t('signin.title')), form);

  let demo = null;
  try {
    demo = await get('/v1/demo/credentials', '');
  } catch (e) {
    demo = null;  // not a demo server
  }
  if (demo && demo.users && demo.users.length) {
    main.append(
      h(
        'section.card.demo',
        { 'aria-labelledby': 'demo-h' },
        h('h2#demo-h', t('signin.demo')),
        h('p', t('signin.demo.intro')),
        h(
          'table',
          h('thead', h('tr', h('th', { scope: 'col' }, t('col.name')), h('th', { scope: 'col' }, t('col.role')), h('th', { scope: 'col' }, t('col.department')), h('th', { scope: 'col' }, ''))),
          h(
            'tbody',
            demo.users
              .filter((u) => u.role !== 'publisher')
              .map((u) =>
                h(
                  'tr',
                  h('td', u.display_name || u.name, h('div.muted', u.name)),
                  h('td', t(`role.${u.role}`)),
                  h('td', u.department || '—'),
                  h('td', h('button', { type: 'button', 'data-user': u.name, on: { click: () => tryToken(u.token) } }, t('signin.use', { name: u.display_name || u.name }))),
                ),
              ),
          ),
        ),
      ),
    );
  }
}
