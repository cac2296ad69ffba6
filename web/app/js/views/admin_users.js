// Administration, users and tokens: the users with their role, department and status; a new
// user from pickers drawn from the directory (GET /v1/departments; the server refuses a
// department it lacks, 422 naming the field); per user, the tokens (issue one, shown once;
// revoke one), disabling and enabling the user, moving them to another department; heads
// (acts as "head": they assign their department's tickets to its people) and publishers (an
// agency's system, publishing as its source) are created here too, and so are an enterprise's
// own users (role enterprise: the enterprise's id in the register, checked by the server) and
// grid inspectors (staff of a street office who act as "grid" for the grid they walk).
import { del, get, post, put } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { time } from '../format.js';
import * as ref from '../reference.js';
import { errorText } from './admin.js';

const ROLES = ['staff', 'supervisor', 'inspector', 'auditor', 'admin', 'publisher', 'enterprise'];
const NEEDS_DEPARTMENT = new Set(['staff', 'supervisor', 'inspector']);

export async function renderUsers(box) {
  const list = h('section.card', { 'aria-labelledby': 'users-h' });
  box.append(list, createForm(() => showUsers(list)));
  await showUsers(list);
}

async function showUsers(section) {
  let users;
  try {
    users = (await get('/v1/admin/users')).users;
  } catch (e) {
    section.replaceChildren(h('h2#users-h', t('admin.users.title')), h('p.error', { role: 'alert' }, errorText(e)));
    return;
  }
  const detail = h('div#user-detail', { 'aria-live': 'polite' });
  const cols = ['col.name', 'admin.col.display', 'col.role', 'col.department', 'admin.col.state', 'admin.col.actions'];
  section.replaceChildren(
    h('h2#users-h', t('admin.users.title')),
    h(
      'div.table-wrap',
      h(
        'table.admin-table#users',
        h('caption.visually-hidden', t('admin.users.title')),
        h('thead', h('tr', cols.map((k) => h('th', { scope: 'col' }, t(k))))),
        h(
          'tbody',
          users.map((u) =>
            h(
              'tr',
              { 'data-user': u.name },
              h('td', h('code', u.name)),
              h('td', u.display_name || '—', (u.acts_as || []).includes('head') ? h('span.badge.state', ` ${t('admin.users.head')}`) : null),
              h('td', t(`role.${u.role}`)),
              h('td', u.department ? ref.deptName(u.department) : '—'),
              h('td', u.disabled ? h('span.badge.overdue', t('admin.users.disabled')) : t('admin.users.enabled')),
              h(
                'td.buttons',
                h('button', { type: 'button', 'aria-label': t('admin.users.tokensfor', { name: u.name }), on: { click: () => showTokens(detail, u) } }, t('admin.users.tokens')),
                u.disabled
                  ? h('button', { type: 'button', 'aria-label': t('admin.users.enablefor', { name: u.name }), on: { click: () => update(section, u, { disabled: false }) } }, t('admin.users.enable'))
                  : h('button', { type: 'button', 'aria-label': t('admin.users.disablefor', { name: u.name }), on: { click: () => disable(section, u) } }, t('admin.users.disable')),
                NEEDS_DEPARTMENT.has(u.role)
                  ? h('button', { type: 'button', 'aria-label': t('admin.users.movefor', { name: u.name }), on: { click: () => moveForm(detail, section, u) } }, t('admin.users.move'))
                  : null,
              ),
            ),
          ),
        ),
      ),
    ),
    detail,
  );
}

async function disable(section, u) {
  if (!window.confirm(t('admin.users.confirm', { name: u.name }))) return;
  try {
    await del(`/v1/admin/users/${encodeURIComponent(u.name)}`);
    await showUsers(section);
  } catch (e) {
    section.append(h('p.error', { role: 'alert' }, errorText(e)));
  }
}

// The user as stored with `change` applied (PUT takes the whole user): enabling a disabled
// user (their old tokens stay revoked: issue a new one), another department.
async function update(section, u, change) {
  try {
    await put(`/v1/admin/users/${encodeURIComponent(u.name)}`, { ...u, ...change });
    await showUsers(section);
  } catch (e) {
    section.append(h('p.error', { role: 'alert' }, errorText(e)));
  }
}

// Another department for a user who acts for one, picked from the directory.
function moveForm(box, section, u) {
  const select = h(
    'select#move-department',
    ref
      .departments()
      .slice()
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((d) => h('option', { value: d.id, selected: d.id === u.department }, `${ref.deptName(d.id)} (${d.id})`)),
  );
  box.replaceChildren(
    h(
      'form.card#move-form',
      { 'aria-labelledby': 'move-h', on: { submit: (e) => { e.preventDefault(); update(section, u, { department: select.value }); } } },
      h('h2#move-h', { tabindex: '-1' }, t('admin.users.movetitle', { name: u.name })),
      h('div.field', h('label', { for: 'move-department' }, t('col.department')), select),
      h('button.primary', { type: 'submit' }, t('admin.users.movesave')),
    ),
  );
  box.querySelector('#move-h').focus();
}

// The user's tokens, with "issue" (the token shown once) and "revoke".
async function showTokens(box, u, issued = null) {
  let tokens;
  try {
    tokens = (await get(`/v1/admin/users/${encodeURIComponent(u.name)}/tokens`)).tokens;
  } catch (e) {
    box.replaceChildren(h('p.error', { role: 'alert' }, errorText(e)));
    return;
  }
  const label = h('input#token-label', { type: 'text', value: 'console' });
  const lifetime = h('input#token-lifetime', { type: 'text', value: '90d', 'aria-describedby': 'token-lifetime-hint' });
  const error = h('div#token-error');
  const issue = async () => {
    try {
      const r = await post(`/v1/admin/users/${encodeURIComponent(u.name)}/tokens`, { label: label.value, lifetime: lifetime.value });
      await showTokens(box, u, r);
    } catch (e) {
      error.replaceChildren(h('p.error', { role: 'alert' }, errorText(e)));
    }
  };
  const revoke = async (id) => {
    try {
      await del(`/v1/admin/tokens/${id}`);
      await showTokens(box, u);
    } catch (e) {
      error.replaceChildren(h('p.error', { role: 'alert' }, errorText(e)));
    }
  };
  box.replaceChildren(
    h(
      'section.card',
      { 'aria-labelledby': 'tokens-h' },
      h('h2#tokens-h', { tabindex: '-1' }, t('admin.tokens.title', { name: u.name })),
      issued
        ? h(
            'div.issued',
            { role: 'status' },
            h('label', { for: 'issued-token' }, t('admin.tokens.issued')),
            h('input#issued-token', { type: 'text', readonly: true, value: issued.token }),
            h('p.muted', t('admin.tokens.once')),
          )
        : null,
      tokens.length
        ? h(
            'table.admin-table#tokens',
            h('caption.visually-hidden', t('admin.tokens.title', { name: u.name })),
            h('thead', h('tr', ['admin.col.id', 'admin.col.label', 'admin.col.created', 'admin.col.expires', 'admin.col.actions'].map((k) => h('th', { scope: 'col' }, t(k))))),
            h(
              'tbody',
              tokens.map((tk) =>
                h(
                  'tr',
                  h('td', h('code', tk.id)),
                  h('td', tk.label || '—'),
                  h('td', time(tk.created_at)),
                  h('td', tk.expired ? t('admin.tokens.expired') : time(tk.expires_at)),
                  h('td', h('button', { type: 'button', 'aria-label': t('admin.tokens.revokeid', { id: tk.id }), on: { click: () => revoke(tk.id) } }, t('admin.tokens.revoke'))),
                ),
              ),
            ),
          )
        : h('p', t('admin.tokens.none')),
      h(
        'div.filters',
        h('div.field', h('label', { for: 'token-label' }, t('admin.col.label')), label),
        h('div.field', h('label', { for: 'token-lifetime' }, t('admin.tokens.lifetime')), lifetime, h('span.muted#token-lifetime-hint', t('admin.tokens.lifetimehint'))),
        h('button.primary#token-issue', { type: 'button', on: { click: issue } }, t('admin.tokens.issue')),
      ),
      error,
    ),
  );
  box.querySelector('#tokens-h').focus();
}

// A new user: name, display name, role, department (from the directory; required for the
// roles that act for one).
function createForm(refresh) {
  const error = h('div#user-error');
  const dept = h(
    'select#user-department',
    { name: 'department' },
    h('option', { value: '' }, t('admin.users.nodept')),
    ref
      .departments()
      .slice()
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((d) => h('option', { value: d.id }, `${ref.deptName(d.id)} (${d.id})`)),
  );
  const role = h('select#user-role', { name: 'role' }, ROLES.map((r) => h('option', { value: r }, t(`role.${r}`))));
  const form = h(
    'form.card#user-form',
    {
      'aria-labelledby': 'user-form-h',
      on: {
        submit: async (e) => {
          e.preventDefault();
          error.replaceChildren();
          for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
          const body = { name: form.elements.name.value.trim(), role: role.value, display_name: form.elements.display_name.value.trim() };
          if (dept.value && role.value !== 'publisher') body.department = dept.value;
          if (dept.value && role.value === 'enterprise') delete body.department;
          const actsAs = [];
          if (role.value === 'staff' && form.elements.head.checked) actsAs.push('head');
          const grid = form.elements.grid.value.trim();
          if (role.value === 'staff' && grid) {
            actsAs.push('grid');
            body.grid = grid;
          }
          if (actsAs.length) body.acts_as = actsAs;
          if (role.value === 'publisher') body.agency = form.elements.agency.value.trim();
          if (role.value === 'enterprise') body.enterprise = form.elements.enterprise.value.trim();
          if (NEEDS_DEPARTMENT.has(role.value) && !dept.value) {
            dept.setAttribute('aria-invalid', 'true');
            error.replaceChildren(h('p.error', { role: 'alert' }, t('admin.users.needdept', { role: t(`role.${role.value}`) })));
            dept.focus();
            return;
          }
          try {
            await post('/v1/admin/users', body);
            error.replaceChildren(h('p.ok', { role: 'status' }, t('admin.users.created', { name: body.name })));
            form.elements.name.value = '';
            form.elements.display_name.value = '';
            await refresh();
          } catch (err) {
            const el = err.field && form.elements[err.field];
            if (el) {
              el.setAttribute('aria-invalid', 'true');
              el.focus();
            }
            error.replaceChildren(h('p.error', { role: 'alert' }, errorText(err)));
          }
        },
      },
    },
    h('h2#user-form-h', t('admin.users.new')),
    h(
      'div.filters',
      h('div.field', h('label', { for: 'user-name' }, t('col.name')), h('input#user-name', { type: 'text', name: 'name', required: true, pattern: '[a-z0-9._\\-]+', 'aria-describedby': 'user-name-hint' }), h('span.muted#user-name-hint', t('admin.users.namehint'))),
      h('div.field', h('label', { for: 'user-display' }, t('admin.col.display')), h('input#user-display', { type: 'text', name: 'display_name' })),
      h('div.field', h('label', { for: 'user-role' }, t('col.role')), role),
      h('div.field', h('label', { for: 'user-department' }, t('col.department')), dept),
      h('div.field.check', h('input#user-head', { type: 'checkbox', name: 'head' }), h('label', { for: 'user-head' }, t('admin.users.ashead'))),
      h('div.field', h('label', { for: 'user-agency' }, t('admin.users.agency')), h('input#user-agency', { type: 'text', name: 'agency', 'aria-describedby': 'user-agency-hint' }), h('span.muted#user-agency-hint', t('admin.users.agencyhint'))),
      h('div.field', h('label', { for: 'user-enterprise' }, t('admin.users.enterprise')), h('input#user-enterprise', { type: 'text', name: 'enterprise', 'aria-describedby': 'user-enterprise-hint' }), h('span.muted#user-enterprise-hint', t('admin.users.enterprisehint'))),
      h('div.field', h('label', { for: 'user-grid' }, t('admin.users.grid')), h('input#user-grid', { type: 'text', name: 'grid', 'aria-describedby': 'user-grid-hint' }), h('span.muted#user-grid-hint', t('admin.users.gridhint'))),
    ),
    h('button.primary', { type: 'submit' }, t('admin.users.create')),
    error,
  );
  return form;
}
