// Administration and busy queues in Debian's chromium: an admin checks a workflow with an
// error (the diagnostic by line and column), fixes it, sees the diff against the deployed
// version and deploys; creates a user, issues a token, and that user signs in to its queue;
// the departments, routing tables and the access log as tables; a clerk sorts the queue,
// signs for several tickets at once (each result shown) and is told of new work. axe-core
// on every new view.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { SHOTS, SOURCE, Server, axe, launch, newPage, shot, signIn } from './harness.mjs';

const server = new Server('admin');
let browser;
const opened = [];  // the fire brigade's tickets, oldest first

before(async () => {
  await server.start();
  await server.seed();
  opened.push(await server.openFireTicket('ent-xw-201', 'exit locked in hall A'));
  await server.advance('2026-03-02T09:10');
  opened.push(await server.openFireTicket('ent-xw-202', 'hose reel missing'));
  await server.advance('2026-03-02T09:20');
  opened.push(await server.openFireTicket('ent-xw-203', 'alarm panel faulty'));
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  assert.equal(await server.stop(), 0, `serve did not stop cleanly; log in ${server.dir}`);
});

// Line and column (1-based) of the first `needle` in `text`.
function lineColumn(text, needle) {
  const at = text.indexOf(needle);
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

test('an admin checks a workflow with an error, sees it by line and column, fixes it and deploys', async () => {
  const deployed = (await server.must('admin', 'GET', '/v1/workflows')).workflows.find((w) => w.name === 'hazard_disposal');
  const next = deployed.version + 1;
  const good = fs
    .readFileSync(path.join(SOURCE, 'workflows', 'hazard_disposal.wf'), 'utf8')
    .replace(/^workflow hazard_disposal version \d+/m, `workflow hazard_disposal version ${next}`)
    .replace('  limit 2 hours\n  on sign_for', '  limit 3 hours\n  on sign_for');
  const broken = good.replace('  limit 3 hours\n', '  limit 3 fortnights\n');
  const where = lineColumn(broken, 'fortnights');

  const page = await newPage(browser, server);
  await signIn(page, server, 'admin');
  await page.getByRole('link', { name: 'Administration' }).click();
  await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
  await page.locator('#wf-deployed').getByText('hazard_disposal').waitFor();
  await page.getByLabel('Workflow source').fill(broken);
  await page.getByLabel('File name').fill('hazard_disposal.wf');
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  const diag = page.locator('.diagnostics li.diag-error').first();
  await diag.waitFor();
  const text = await diag.textContent();
  assert.match(text, new RegExp(`^Line ${where.line}, column ${where.column} error E\\d+: .*fortnights`), text);
  assert.equal(await page.getByRole('button', { name: 'Deploy', exact: true }).isDisabled(), true);
  assert.deepEqual(await axe(page), [], 'workflow check with diagnostics: accessibility');
  await shot(page, 'admin-01-workflow-error');
  // The diagnostic takes the caret to its line.
  await diag.getByRole('button').click();
  const caretLine = await page.getByLabel('Workflow source').evaluate((el) => el.value.slice(0, el.selectionStart).split('\n').length);
  assert.equal(caretLine, where.line);
  // Fixed: no errors, the diff against the version in effect, then deploy.
  await page.getByLabel('Workflow source').fill(good);
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.getByText('No errors: this can be deployed.').waitFor();
  await page.getByRole('heading', { name: `hazard_disposal: version ${deployed.version} in effect → version ${next}` }).waitFor();
  assert.ok((await page.locator('pre.diff ins').count()) > 0, 'added lines in the diff');
  assert.ok((await page.locator('pre.diff del').count()) > 0, 'removed lines in the diff');
  assert.equal((await server.must('admin', 'GET', '/v1/workflows')).workflows.find((w) => w.name === 'hazard_disposal').version, deployed.version, 'the check deployed nothing');
  await shot(page, 'admin-02-workflow-diff');
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  await page.getByText(`Deployed: hazard_disposal v${next}.`).waitFor();
  const after = (await server.must('admin', 'GET', '/v1/workflows')).workflows.find((w) => w.name === 'hazard_disposal');
  assert.equal(after.version, next);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an admin creates a user and issues a token; that user signs in and sees its queue', async () => {
  const page = await newPage(browser, server);
  await signIn(page, server, 'admin');
  await page.goto(`${server.url}/#/admin/users`);
  await page.getByRole('heading', { name: 'New user' }).waitFor();
  // A clerk needs a department: said before anything is sent.
  await page.getByLabel('Name', { exact: true }).fill('clerk2');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.getByRole('alert').filter({ hasText: 'acts for a department: pick one.' }).waitFor();
  await page.getByLabel('Display name').fill('Zhou Qing');
  await page.getByLabel('Department').selectOption('nj.xuanwu.fire');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.getByText('User clerk2 created.').waitFor();
  await page.locator('tr[data-user="clerk2"]').waitFor();
  assert.deepEqual(await axe(page), [], 'users view accessibility');
  await page.getByRole('button', { name: 'Tokens of clerk2' }).click();
  await page.getByRole('heading', { name: 'Tokens of clerk2' }).waitFor();
  await page.getByRole('button', { name: 'Issue a token' }).click();
  const issued = page.getByLabel('New token');
  await issued.waitFor();
  const token = await issued.inputValue();
  assert.match(token, /^\S{20,}$/);
  await page.locator('#tokens tbody tr').first().waitFor();
  assert.deepEqual(await axe(page), [], 'tokens view accessibility');
  await shot(page, 'admin-03-users-token');
  // The server refuses a department the directory lacks, whatever the console offers.
  const refused = await server.call('admin', 'POST', '/v1/admin/users', { name: 'ghost', role: 'staff', department: 'nj.nowhere' });
  assert.equal(refused.status, 422);
  assert.equal(refused.body.error.field, 'department');

  server.tokens.clerk2 = token;
  const clerk = await newPage(browser, server);
  await signIn(clerk, server, 'clerk2');
  await clerk.getByRole('heading', { name: /My queue/ }).waitFor();
  await clerk.locator(`tr[data-ticket="${opened[0].id}"]`).waitFor();
  assert.match(await clerk.locator('#who').textContent(), /Zhou Qing/);
  await clerk.context().close();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an admin creates an enterprise\'s own user and a grid inspector from the form; an unknown enterprise is refused on its field', async () => {
  const page = await newPage(browser, server);
  await signIn(page, server, 'admin');
  await page.goto(`${server.url}/#/admin/users`);
  await page.getByRole('heading', { name: 'New user' }).waitFor();
  await page.getByLabel('Name', { exact: true }).fill('plant2');
  await page.getByLabel('Role').selectOption('enterprise');
  await page.getByLabel(/^Enterprise/).fill('ENT-NOPE');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.locator('#user-error [role=alert]').waitFor();
  assert.equal(await page.getByLabel(/^Enterprise/).getAttribute('aria-invalid'), 'true');
  await page.getByLabel(/^Enterprise/).fill('ENT-00002');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.getByText('User plant2 created.').waitFor();
  await page.locator('tr[data-user="plant2"]').waitFor();
  // A grid inspector: staff of a street office, acting as grid in the grid they walk.
  await page.getByLabel('Name', { exact: true }).fill('gridman');
  await page.getByLabel('Role').selectOption('staff');
  await page.getByLabel(/^Enterprise/).fill('');
  await page.getByLabel('Department').selectOption('nj.liuhe.changlu.office');
  await page.getByLabel(/^Grid walked/).fill('liuhe.changlu.g01');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.getByText('User gridman created.').waitFor();
  const users = (await server.must('admin', 'GET', '/v1/admin/users')).users;
  const plant = users.find((u) => u.name === 'plant2');
  assert.equal(plant.role, 'enterprise');
  assert.equal(plant.enterprise, 'ENT-00002');
  assert.equal(plant.department || '', '');
  const grid = users.find((u) => u.name === 'gridman');
  assert.equal(grid.grid, 'liuhe.changlu.g01');
  assert.deepEqual(grid.acts_as, ['grid']);
  assert.deepEqual(await axe(page), [], 'users form with the enterprise and grid fields');
  assert.deepEqual(page.problems.filter((p) => !/status of 4\d\d/.test(p)), []);
  await page.context().close();
});

test('departments, routing tables and the access log filtered by user, as tables', async () => {
  const page = await newPage(browser, server);
  await signIn(page, server, 'admin');
  await page.goto(`${server.url}/#/admin/reference`);
  // Each table folded under its heading until opened.
  await page.getByRole('heading', { name: /^Departments \(\d+\)$/ }).click();
  await page.locator('#departments tbody tr').first().waitFor();
  assert.ok((await page.locator('#departments tbody tr').count()) > 10);
  await page.locator('#departments').getByText('nj.xuanwu.fire', { exact: true }).waitFor();
  await page.getByRole('heading', { name: /^Routing table hazard_routing, version \d+$/ }).click();
  const routing = page.locator('#routing-hazard_routing tbody tr');
  await routing.first().waitFor();
  assert.ok((await routing.count()) > 1);
  await page.screenshot({ path: path.join(SHOTS, 'admin-04-reference.png') });
  // Edited as the record that replaces it: a version not newer is refused with the engine's
  // reason (nothing recorded); the next version is published.
  const before = (await server.must('admin', 'GET', '/v1/admin/routing-tables')).routing_tables.find((tb) => tb.name === 'hazard_routing');
  await page.getByRole('button', { name: 'Edit hazard_routing as a record' }).click();
  const editor = page.getByLabel('The record that replaces hazard_routing (JSON)');
  const record = JSON.parse(await editor.inputValue());
  assert.equal(record.body.version, before.version + 1);
  assert.equal(record.body.rows.length, before.rows.length);
  await editor.fill(JSON.stringify({ ...record, body: { ...record.body, version: before.version } }));
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: /refused/ }).waitFor();
  await page.getByRole('alert').filter({ hasText: /refused/ }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, 'admin-04b-routing-refused.png') });
  await editor.fill(JSON.stringify(record));
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await page.getByText(`Published: hazard_routing version ${before.version + 1}.`).waitFor();
  const now = (await server.must('admin', 'GET', '/v1/admin/routing-tables')).routing_tables.find((tb) => tb.name === 'hazard_routing');
  assert.equal(now.version, before.version + 1);
  assert.deepEqual(now.rows, before.rows);
  await page.getByRole('heading', { name: `Routing table hazard_routing, version ${before.version + 1}` }).waitFor();
  // Fold both again: axe over hundreds of rows takes long and finds nothing the first rows lack.
  await page.getByRole('heading', { name: /^Departments/ }).click();
  await page.getByRole('heading', { name: /^Routing table hazard_routing/ }).click();
  assert.deepEqual(await axe(page), [], 'departments and routing accessibility');
  await page.getByRole('link', { name: 'Access log' }).click();
  await page.getByLabel('User', { exact: true }).fill('hotline');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForFunction(() => location.hash.includes('user=hotline'));
  const rows = page.locator('#access-log tbody tr');
  await rows.first().waitFor();
  for (const cell of await rows.locator('td:nth-child(2)').allTextContents()) assert.equal(cell, 'hotline');
  assert.deepEqual(await axe(page), [], 'access log accessibility');
  await shot(page, 'admin-05-access-log');
  await page.context().close();
});

test('a clerk sorts the queue, signs for several tickets at once, and is told of new work', async () => {
  const page = await newPage(browser, server);
  await signIn(page, server, 'fire');
  await page.getByRole('heading', { name: /My queue/ }).waitFor();
  await page.locator(`tr[data-ticket="${opened[2].id}"]`).waitFor();
  await page.getByLabel('Sort by').selectOption({ label: 'Opened (newest first)' });
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForFunction(() => location.hash.includes('sort=-opened'));
  await page.getByText('3 of 3 ticket(s) shown', { exact: false }).waitFor();
  const order = await page.locator('#queue-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.ticket));
  assert.deepEqual(order, [opened[2].id, opened[1].id, opened[0].id]);
  assert.deepEqual(await axe(page), [], 'sorted queue with bulk selection: accessibility');

  // Bulk sign-for: two tickets, each its own action and result; then one already signed for.
  await page.getByRole('checkbox', { name: `Select ${opened[0].id}` }).check();
  await page.getByRole('checkbox', { name: `Select ${opened[1].id}` }).check();
  await page.getByRole('button', { name: 'Sign for selected (2)' }).click();
  await page.locator('#bulk-results li.ok', { hasText: `${opened[0].id}: signed for` }).waitFor();
  await page.locator('#bulk-results li.ok', { hasText: `${opened[1].id}: signed for` }).waitFor();
  for (const tk of opened.slice(0, 2)) assert.equal((await server.must('admin', 'GET', `/v1/tickets/${tk.id}`)).ticket.state, 'verifying');
  await shot(page, 'admin-06-bulk-sign');
  await page.locator('#queue-table tbody tr').first().waitFor();
  await page.getByRole('checkbox', { name: `Select ${opened[0].id}` }).check();
  await page.getByRole('checkbox', { name: `Select ${opened[2].id}` }).check();
  await page.getByRole('button', { name: 'Sign for selected (2)' }).click();
  await page.locator('#bulk-results li.error', { hasText: `${opened[0].id}: sign for is not open to you in its state` }).waitFor();
  await page.locator('#bulk-results li.ok', { hasText: `${opened[2].id}: signed for` }).waitFor();

  // New work: counted in the tab title and a badge, the row marked, until marked as seen.
  await page.locator('#live.on').waitFor();
  const title = await page.title();
  const fresh = await server.openFireTicket('ent-xw-204', 'sprinkler valve shut');
  await page.locator(`tr[data-ticket="${fresh.id}"] .badge.new`).waitFor({ timeout: 15000 });
  await page.getByText('1 new', { exact: true }).waitFor();
  assert.equal(await page.title(), `(1) ${title}`);
  assert.deepEqual(await axe(page), [], 'queue with new work: accessibility');
  await shot(page, 'admin-07-new-work');
  await page.getByRole('button', { name: 'Mark as seen' }).click();
  assert.equal(await page.title(), title);
  assert.equal(await page.locator('.badge.new:visible').count(), 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the administration in Chinese: every tab titled from the catalogue', async () => {
  const page = await newPage(browser, server, 'zh-CN');
  await signIn(page, server, 'admin');
  await page.getByRole('link', { name: '系统管理' }).click();
  await page.getByRole('heading', { level: 1, name: '系统管理' }).waitFor();
  for (const name of ['工作流', '用户与令牌', '部门与分派表', '访问日志']) await page.getByRole('link', { name }).waitFor();
  await page.getByRole('button', { name: '检查', exact: true }).waitFor();
  assert.deepEqual(await axe(page), [], 'Chinese administration accessibility');
  await shot(page, 'admin-08-zh');
  await page.context().close();
  // The clerk's queue in Chinese: sorting, flags and bulk sign-for from the catalogue.
  const clerk = await newPage(browser, server, 'zh-CN');
  await signIn(clerk, server, 'fire');
  await clerk.getByRole('heading', { name: /我的待办/ }).waitFor();
  await clerk.getByLabel('排序').selectOption({ label: '严重程度' });
  await clerk.getByRole('button', { name: '应用' }).click();
  await clerk.waitForFunction(() => location.hash.includes('sort=severity'));
  await clerk.getByText(/显示 \d+ \/ 共 \d+ 张工单/).waitFor();
  await clerk.getByRole('button', { name: /^批量签收（0）$/ }).waitFor();
  for (const label of ['延期待批', '协调裁决中', '被退回', '仅已升级', '仅本部门协办的工单']) await clerk.getByLabel(label).waitFor();
  assert.deepEqual(await axe(clerk), [], 'Chinese sorted queue accessibility');
  await shot(clerk, 'admin-10-queue-zh');
  await clerk.context().close();
});

test('escalations: filters kept in the address, a total or "more", never a silent cut', async () => {
  // The order never signed for (ent-xw-204) runs out of time and the ladder escalates it.
  for (const at of ['2026-03-03T09:00', '2026-03-05T09:00']) await server.advance(at);
  let escalated = [];
  for (let i = 0; i < 100 && !escalated.length; i++) {
    escalated = (await server.must('office', 'GET', '/v1/tickets?open=true&escalated=true')).tickets;
    if (!escalated.length) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(escalated.length >= 1, 'an escalated ticket');
  const page = await newPage(browser, server);
  await signIn(page, server, 'office');
  await page.getByRole('link', { name: 'Escalations' }).click();
  await page.getByRole('heading', { level: 1, name: 'Escalations' }).waitFor();
  await page.locator('#esc-filters').getByLabel('Overdue only').check();
  await page.locator('#esc-filters').getByLabel('Sort by').selectOption({ label: 'Severity' });
  await page.locator('#esc-filters').getByRole('button', { name: 'Apply' }).click();
  await page.waitForFunction(() => location.hash.includes('overdue=true') && location.hash.includes('sort=severity'));
  await page.locator('#esc-status', { hasText: `${escalated.length} of ${escalated.length} ticket(s) shown` }).waitFor();
  assert.equal(await page.locator('#esc-items li').count(), escalated.length);
  assert.equal(await page.locator('#esc-filters').getByLabel('Overdue only').isChecked(), true);
  // Opening one keeps the filters.
  await page.locator('#esc-items a').first().click();
  await page.waitForFunction(() => /#\/escalations\/[^?]+\?.*overdue=true/.test(location.hash));
  await page.locator('#esc-detail h2').first().waitFor();
  assert.deepEqual(await axe(page), [], 'escalations with filters: accessibility');
  await shot(page, 'admin-09-escalations');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
