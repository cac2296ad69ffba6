// Administration (admin): four panels under #/admin/<panel>. Workflows: a .wf source uploaded
// or pasted, checked by the server (POST /v1/admin/workflows/check: the compiler's
// diagnostics with line and column, the engine's admission, nothing written), its compiled
// listing diffed against the deployed version's, then deployed. Users and tokens
// (admin_users.js). Departments and routing tables as tables (each folded until opened); a routing table
// edited as the record that replaces it. The access log filtered by
// user, ticket and time, in pages.
import { get, post, query } from '../api.js';
import { h } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { time } from '../format.js';
import * as ref from '../reference.js';
import { renderUsers } from './admin_users.js';

const PANELS = ['workflows', 'users', 'reference', 'access'];
// What the admin typed survives a language switch or a trip to another panel.
const draft = { file: 'workflow.wf', source: '', checked: null };

export async function render(main, route) {
  const panel = PANELS.includes(route.arg) ? route.arg : 'workflows';
  main.append(
    h('h1', t('admin.title')),
    h(
      'nav.admin-tabs',
      { 'aria-label': t('admin.title') },
      h(
        'ul',
        PANELS.map((p) =>
          h('li', h('a', { href: `#/admin/${p}`, 'aria-current': p === panel ? 'page' : null }, t(`admin.tab.${p}`))),
        ),
      ),
    ),
  );
  const box = h('div.admin-panel');
  main.append(box);
  if (panel === 'workflows') workflowsPanel(box);
  else if (panel === 'users') await renderUsers(box);
  else if (panel === 'reference') await referencePanel(box);
  else await accessPanel(box, route.params);
  return null;
}

export { errorText };

// ---- workflows --------------------------------------------------------------------------

function workflowsPanel(box) {
  const deployed = ref.workflows();
  const editor = h('textarea#wf-source.wf-source', {
    rows: 18,
    spellcheck: 'false',
    'aria-describedby': 'wf-hint',
    value: draft.source,
    on: {
      input: (e) => {
        draft.source = e.target.value;
        draft.checked = null;
        deploy.disabled = true;
      },
    },
  });
  const fileName = h('input#wf-file', { type: 'text', value: draft.file, on: { input: (e) => (draft.file = e.target.value) } });
  const picker = h('input#wf-upload', {
    type: 'file',
    accept: '.wf,text/plain',
    on: {
      change: async (e) => {
        const f = e.target.files[0];
        if (!f) return;
        draft.source = await f.text();
        draft.file = f.name;
        draft.checked = null;
        editor.value = draft.source;
        fileName.value = f.name;
        deploy.disabled = true;
      },
    },
  });
  const out = h('div#wf-result', { 'aria-live': 'polite' });
  const check = h('button.primary#wf-check', { type: 'button', on: { click: () => runCheck(editor, out, deploy) } }, t('admin.wf.check'));
  const deploy = h('button#wf-deploy', { type: 'button', disabled: !draft.checked?.deployable, on: { click: () => runDeploy(out, deploy) } }, t('admin.wf.deploy'));
  box.append(
    h(
      'section.card',
      { 'aria-labelledby': 'wf-deployed-h' },
      h('h2#wf-deployed-h', t('admin.wf.deployed')),
      h(
        'table.admin-table#wf-deployed',
        h('caption.visually-hidden', t('admin.wf.deployed')),
        h('thead', h('tr', ['admin.col.workflow', 'admin.col.version', 'admin.col.loop', 'admin.col.title'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h(
          'tbody',
          deployed.map((w) => h('tr', h('td', h('code', w.name)), h('td', String(w.version)), h('td', t(`loop.${w.loop}`)), h('td', ref.workflowTitle(w.name)))),
        ),
      ),
    ),
    h(
      'section.card',
      { 'aria-labelledby': 'wf-edit-h' },
      h('h2#wf-edit-h', t('admin.wf.new')),
      h('p.muted#wf-hint', t('admin.wf.hint')),
      h('div.field', h('label', { for: 'wf-upload' }, t('admin.wf.upload')), picker),
      h('div.field', h('label', { for: 'wf-file' }, t('admin.wf.file')), fileName),
      h('div.field', h('label', { for: 'wf-source' }, t('admin.wf.source')), editor),
      h('div.buttons', check, deploy),
      out,
    ),
  );
  if (draft.checked) showCheck(out, draft.checked, editor);
}

async function runCheck(editor, out, deploy) {
  out.replaceChildren(h('p', { role: 'status' }, t('loading')));
  const sent = editor.value;
  try {
    const r = await post('/v1/admin/workflows/check', { file: draft.file || 'workflow.wf', source: sent });
    if (sent !== editor.value) return;  // edited meanwhile: check again
    draft.checked = r;
    deploy.disabled = !r.deployable;
    showCheck(out, r, editor);
  } catch (e) {
    out.replaceChildren(h('p.error', { role: 'alert' }, errorText(e)));
  }
}

// Moves the editor's caret to `line`:`column` (1-based) and selects that line.
function caretTo(editor, line, column) {
  const lines = editor.value.split('\n');
  let at = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) at += lines[i].length + 1;
  const start = at + Math.max(0, column - 1);
  editor.focus();
  editor.setSelectionRange(start, at + (lines[line - 1] || '').length);
}

function showCheck(out, r, editor) {
  const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
  const parts = [
    h(
      r.deployable ? 'p.ok' : 'p.error',
      { role: r.deployable ? 'status' : 'alert' },
      r.deployable ? t('admin.wf.ok') : errors ? t('admin.wf.errors', { n: errors }) : t('admin.wf.refused', { why: r.refused || '' }),
    ),
  ];
  if (r.diagnostics.length) {
    parts.push(
      h(
        'ul.diagnostics',
        r.diagnostics.map((d) =>
          h(
            `li.diag-${d.severity}`,
            h(
              'button.link',
              { type: 'button', on: { click: () => caretTo(editor, d.line, d.column) } },
              t('admin.wf.at', { line: d.line, column: d.column }),
            ),
            ` ${t(`admin.wf.sev.${d.severity}`)} ${d.code}: ${d.message}`,
          ),
        ),
      ),
    );
  }
  for (const wf of r.workflows || []) {
    parts.push(
      h(
        'div.wf-diff',
        h(
          'h3',
          wf.deployed_version
            ? t('admin.wf.diff', { name: wf.name, from: wf.deployed_version, to: wf.version })
            : t('admin.wf.first', { name: wf.name, to: wf.version }),
        ),
        diffView(wf.deployed_listing || '', wf.listing),
      ),
    );
  }
  out.replaceChildren(...parts);
}

async function runDeploy(out, deploy) {
  deploy.disabled = true;
  try {
    const r = await post('/v1/admin/workflows', { file: draft.file || 'workflow.wf', source: draft.source });
    out.replaceChildren(h('p.ok', { role: 'status' }, t('admin.wf.done', { list: r.deployed.map((d) => `${d.name} v${d.version}`).join(', ') })));
    draft.checked = null;
    await ref.load();
  } catch (e) {
    out.replaceChildren(h('p.error', { role: 'alert' }, errorText(e)));
  }
}

// A line diff (longest common subsequence) of `before` and `after`, as a list of kept,
// removed and added lines; unchanged runs longer than 6 lines are folded.
function diffView(before, after) {
  const a = before ? before.split('\n') : [];
  const b = after.split('\n');
  const n = a.length;
  const m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const rows = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) rows.push([' ', a[i++], j++]);
    else if (j < m && (i >= n || lcs[i][j + 1] >= lcs[i + 1][j])) rows.push(['+', b[j++]]);
    else rows.push(['-', a[i++]]);
  }
  const changed = rows.filter((r) => r[0] !== ' ').length;
  const lines = [];
  for (let k = 0; k < rows.length; ) {
    if (rows[k][0] !== ' ') {
      lines.push(h(rows[k][0] === '+' ? 'ins.diff-add' : 'del.diff-del', `${rows[k][0]} ${rows[k][1]}`));
      k++;
      continue;
    }
    let e = k;
    while (e < rows.length && rows[e][0] === ' ') e++;
    const run = rows.slice(k, e);
    const keep = run.length > 6 ? [...run.slice(0, 2), null, ...run.slice(-2)] : run;
    for (const r of keep) lines.push(r ? h('span.diff-same', `  ${r[1]}`) : h('span.diff-fold', t('admin.wf.folded', { n: run.length - 4 })));
    k = e;
  }
  return h(
    'div',
    h('p.muted', t('admin.wf.changed', { n: changed })),
    h('pre.diff', { tabindex: '0', 'aria-label': t('admin.wf.difflabel') }, lines.map((l) => [l, '\n'])),
  );
}

// ---- departments and routing tables -----------------------------------------------------

async function referencePanel(box) {
  let tables;
  try {
    tables = await get('/v1/admin/routing-tables');
  } catch (e) {
    box.append(h('p.error', { role: 'alert' }, errorText(e)));
    return;
  }
  const cols = ['admin.col.id', 'admin.col.name', 'admin.col.name_zh', 'admin.col.kind', 'admin.col.district', 'admin.col.jurisdiction', 'admin.col.parent'];
  box.append(
    h(
      'details.card.ref-table',
      h('summary', h('h2#ref-dept-h', t('admin.ref.departments', { n: ref.departments().length }))),
      h(
        'div.table-wrap',
        h(
          'table.admin-table#departments',
          h('caption.visually-hidden', t('admin.ref.departments', { n: ref.departments().length })),
          h('thead', h('tr', cols.map((k) => h('th', { scope: 'col' }, t(k))))),
          h(
            'tbody',
            ref.departments().map((d) =>
              h('tr', h('td', h('code', d.id)), h('td', d.name), h('td', { lang: 'zh-CN' }, d.name_zh), h('td', d.kind), h('td', d.district), h('td', d.jurisdiction), h('td', d.parent ? ref.deptName(d.parent) : '—')),
            ),
          ),
        ),
      ),
    ),
  );
  for (const tb of tables.routing_tables) {
    const id = `routing-${tb.name}`;
    // Folded: a city's routing tables run to hundreds of rows each.
    const section = h('details.card.ref-table', h('summary', h(`h2#${id}-h`, t('admin.ref.routing', { name: tb.name, v: tb.version || '—' }))));
    if (tb.missing) {
      section.append(h('p', t('admin.ref.missing')));
    } else {
      section.append(
        h('p.muted', t('admin.ref.fallback', { dept: ref.deptName(tb.fallback) })),
        h(
          'div.table-wrap',
          h(
            `table.admin-table#${id}`,
            h('caption.visually-hidden', tb.name),
            h('thead', h('tr', [...tb.columns, t('admin.col.lead'), t('admin.col.assist'), t('admin.col.rule')].map((c) => h('th', { scope: 'col' }, c)))),
            h(
              'tbody',
              tb.rows.map((r) =>
                h('tr', tb.columns.map((c) => h('td', r.match[c] ?? t('any'))), h('td', ref.deptName(r.lead)), h('td', r.assist.map((d) => ref.deptName(d)).join(', ') || '—'), h('td', h('code', r.rule))),
              ),
            ),
          ),
        ),
      );
    }
    if (!tb.missing) section.append(routingEditor(tb, () => box.replaceChildren() || referencePanel(box)));
    box.append(section);
  }
}

// A routing table as the record that would replace it (RoutingTableUpdated, the next
// version), edited as JSON and published through POST /v1/admin/reference-data; the server's
// refusal (a version not newer, a column no workflow gives, ...) is shown, the text kept.
function routingEditor(tb, reload) {
  const id = `edit-${tb.name}`;
  const record = {
    body_type: 'RoutingTableUpdated',
    body: {
      table_name: tb.name,
      version: tb.version + 1,
      rows: tb.rows.map((r) => ({ match: Object.entries(r.match).map(([key, value]) => ({ key, value })), lead: r.lead, assist: r.assist })),
      fallback: tb.fallback,
    },
  };
  const editor = h(`textarea#${id}.wf-source`, { rows: 14, spellcheck: 'false', value: JSON.stringify(record, null, 2) });
  const out = h('div', { 'aria-live': 'polite' });
  const publish = async () => {
    let body;
    try {
      body = JSON.parse(editor.value);
    } catch (e) {
      out.replaceChildren(h('p.error', { role: 'alert' }, t('notify.badjson', { why: e.message })));
      return;
    }
    try {
      await post('/v1/admin/reference-data', body);
      out.replaceChildren(h('p.ok', { role: 'status' }, t('admin.ref.published', { name: tb.name, v: body.body?.version })));
      setTimeout(reload, 800);
    } catch (e) {
      out.replaceChildren(h('p.error', { role: 'alert' }, errorText(e)));
    }
  };
  const wrap = h('div', { hidden: true }, h('label', { for: id }, t('admin.ref.record', { name: tb.name })), editor, h('div.buttons', h('button.primary', { type: 'button', on: { click: publish } }, t('admin.ref.publish'))), out);
  return h(
    'div',
    h('button', { type: 'button', 'aria-expanded': 'false', on: { click: (e) => { wrap.hidden = !wrap.hidden; e.target.setAttribute('aria-expanded', String(!wrap.hidden)); } } }, t('admin.ref.edit', { name: tb.name })),
    wrap,
  );
}

// ---- the access log ---------------------------------------------------------------------

async function accessPanel(box, params) {
  const field = (id, label, attrs) => h('div.field', h('label', { for: id }, label), h(`input#${id}`, attrs));
  const form = h(
    'form.filters.card#access-filters',
    {
      'aria-label': t('admin.log.filters'),
      on: {
        submit: (e) => {
          e.preventDefault();
          const q = {};
          for (const el of e.target.elements) if (el.name) q[el.name] = el.value;
          location.hash = `#/admin/access${query(q)}`;
        },
      },
    },
    field('log-user', t('admin.log.user'), { type: 'text', name: 'user', value: params.get('user') || '' }),
    field('log-ticket', t('admin.log.ticket'), { type: 'text', name: 'ticket', value: params.get('ticket') || '' }),
    field('log-since', t('admin.log.since'), { type: 'datetime-local', name: 'since', value: params.get('since') || '' }),
    field('log-until', t('admin.log.until'), { type: 'datetime-local', name: 'until', value: params.get('until') || '' }),
    h('button.primary', { type: 'submit' }, t('queue.apply')),
  );
  const status = h('p.muted#log-status', { role: 'status' });
  const body = h('tbody');
  const more = h('button#log-more', { type: 'button', hidden: true }, t('queue.more'));
  const cols = ['admin.col.at', 'admin.col.user', 'col.role', 'admin.col.request', 'admin.col.status', 'admin.col.detail'];
  box.append(
    form,
    h('div#log-error'),
    status,
    h(
      'div.table-wrap',
      h('table.admin-table#access-log', h('caption.visually-hidden', t('admin.tab.access')), h('thead', h('tr', cols.map((k) => h('th', { scope: 'col' }, t(k))))), body),
    ),
    more,
  );
  let shown = 0;
  const load = async (cursor) => {
    status.textContent = t('loading');
    try {
      const page = await get(`/v1/admin/access-log${query({ user: params.get('user'), ticket: params.get('ticket'), since: params.get('since'), until: params.get('until'), limit: 100, cursor })}`);
      for (const e of page.entries) {
        body.append(
          h('tr', h('td', time(e.at)), h('td', e.user), h('td', e.role ? t(`role.${e.role}`) : '—'), h('td', h('code', `${e.method} ${e.target}`)), h('td', String(e.status)), h('td', e.detail || '')),
        );
      }
      shown += page.entries.length;
      more.hidden = !page.next_cursor;
      more.onclick = () => load(page.next_cursor);
      status.textContent = page.next_cursor ? t('admin.log.more', { n: shown }) : t('admin.log.count', { n: shown });
    } catch (e) {
      status.textContent = '';
      box.querySelector('#log-error').replaceChildren(h('p.error', { role: 'alert' }, errorText(e)));
    }
  };
  await load('');
}
