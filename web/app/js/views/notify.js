// Notifications (admin): the subscription table and the duty roster table in effect, each
// shown at its version and edited as JSON; saving publishes the next version through
// PUT /v1/admin/notify/{subscriptions,rosters}. The server decides: a 422 shows its field
// and reason beside the editor (the text is kept to fix it), a 409 says plainly that another
// version was published since the table was opened. Drafts survive a language switch.
import { get, put } from '../api.js';
import { h } from '../dom.js';
import { errorText, t } from '../i18n.js';

const TABLES = [
  { key: 'subscriptions', path: '/v1/admin/notify/subscriptions' },
  { key: 'rosters', path: '/v1/admin/notify/rosters' },
];
const drafts = {};  // key -> {base, text}: what the user typed against version `base`

export async function render(main) {
  main.append(h('h1', t('notify.title')), h('p.muted', t('notify.intro')));
  for (const table of TABLES) {
    const section = h('section.card.notify-table', { 'aria-labelledby': `notify-${table.key}-h` });
    main.append(section);
    await showTable(section, table);
  }
  return null;
}

// `expect`: a version just published, which the engine may take a moment to apply.
async function showTable(section, table, expect = 0) {
  let current;
  try {
    current = await get(table.path);
    for (let i = 0; i < 50 && (current.version || 0) < expect; i++) {
      await new Promise((r) => setTimeout(r, 100));
      current = await get(table.path);
    }
  } catch (e) {
    section.replaceChildren(h(`h2#notify-${table.key}-h`, t(`notify.${table.key}`)));
    section.append(h('p.error', { role: 'alert' }, errorText(e)));
    return;
  }
  section.replaceChildren(h(`h2#notify-${table.key}-h`, t(`notify.${table.key}`)));
  const version = current.version || 0;
  const content = { ...current };
  delete content.version;
  const draft = drafts[table.key];
  const text = draft && draft.base === version ? draft.text : JSON.stringify(content, null, 2);
  const ids = { editor: `notify-${table.key}-json`, error: `notify-${table.key}-error`, hint: `notify-${table.key}-hint` };
  const status = h('p.notify-version', { 'aria-live': 'polite' }, t('notify.version', { v: version }));
  const error = h(`div.error#${ids.error}`, { role: 'alert', hidden: true });
  const editor = h(`textarea#${ids.editor}.notify-json`, {
    rows: 18,
    spellcheck: 'false',
    'aria-describedby': `${ids.hint} ${ids.error}`,
    value: text,
    on: { input: (e) => (drafts[table.key] = { base: version, text: e.target.value }) },
  });
  const showError = (field, message) => {
    error.replaceChildren(field ? h('p', t('notify.field'), ' ', h('code.notify-field', field)) : '', h('p', message));
    error.hidden = false;
    editor.setAttribute('aria-invalid', 'true');
  };
  const save = h('button.primary', { type: 'submit' }, t('notify.save', { v: version + 1 }));
  const reload = h('button', { type: 'button', on: { click: () => { delete drafts[table.key]; showTable(section, table); } } }, t('notify.reload'));
  const form = h(
    'form.notify-form',
    {
      on: {
        submit: async (e) => {
          e.preventDefault();
          error.hidden = true;
          editor.removeAttribute('aria-invalid');
          let body;
          try {
            body = JSON.parse(editor.value);
          } catch (x) {
            return showError('', t('notify.badjson', { why: x.message }));
          }
          if (!body || typeof body !== 'object' || Array.isArray(body)) return showError('', t('notify.notobject'));
          body.version = version + 1;
          save.disabled = true;
          try {
            const r = await put(table.path, body);
            delete drafts[table.key];
            await showTable(section, table, r.version);
            section.querySelector('.notify-version').textContent = t('notify.saved', { v: r.version });
          } catch (x) {
            save.disabled = false;
            if (x.network) return showError('', t('error.network'));
            if (x.status === 409) return showError('', t('notify.stale', { v: version }));
            showError(x.field, x.message);
          }
        },
      },
    },
    h('label', { for: ids.editor }, t('notify.editor', { table: t(`notify.${table.key}`) })),
    h(`p.muted#${ids.hint}`, t(`notify.hint.${table.key}`)),
    editor,
    error,
    h('div.notify-buttons', save, ' ', reload),
  );
  section.append(status, form);
}
