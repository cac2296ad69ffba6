// An enterprise's safety manager in the console (role enterprise): signs in with the
// enterprise's own token, sees the orders about its own company and no other's, and no menu
// beyond its queue; opens an order and is offered its own verbs (sign for the rectification
// order, submit its photos), never the department's; signs for it. axe-core on both views.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Server, axe, launch, newPage, shot, signIn } from './harness.mjs';

const server = new Server('enterprise');
let browser;
let mine;    // a rectification order about the mall (ENT-00060)
let theirs;  // one about another mall of the district (ENT-00058)

before(async () => {
  await server.start();
  await server.seed();
  await server.addUser({ name: 'mall', role: 'enterprise', enterprise: 'ENT-00060', display_name: '南京同创商业管理有限公司 安全管理员' });
  mine = await server.openFireTicket('ENT-00060', '北侧安全出口被铁链锁住');
  theirs = await server.openFireTicket('ENT-00058', '地下车库消火栓被遮挡');
  for (const tk of [mine, theirs]) {
    await server.act('fire', tk.id, { verb: 'sign_for' });
    await server.act('fire', tk.id, { verb: 'order_rectification' });
  }
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  assert.equal(await server.stop(), 0, `serve did not stop cleanly; log in ${server.dir}`);
});

test('zh: the mall sees its own order only, with its own verbs, and signs for it', async () => {
  const page = await newPage(browser, server, 'zh-CN');
  await signIn(page, server, 'mall');
  await page.getByRole('heading', { name: '本企业的整改单、报警与检查任务' }).waitFor();
  const row = page.locator(`tr[data-ticket="${mine.id}"]`);
  await row.waitFor();
  assert.equal(await page.locator(`tr[data-ticket="${theirs.id}"]`).count(), 0, "another mall's order is listed");
  // The queue is the whole menu: no overview, map, escalations or audit.
  const menu = await page.locator('#nav a').allTextContents();
  assert.deepEqual(menu.length, 1, `menu: ${menu.join(', ')}`);
  // Nothing a role lacks shows as a stray word, and no live stream is attempted for it.
  assert.ok(!(await page.locator('main').textContent()).includes('null'), 'a stray "null" in the queue');
  assert.equal((await page.locator('#live').textContent()).trim(), '', 'the live mark of a stream it may not open');
  assert.deepEqual(await axe(page), [], 'enterprise queue');
  await shot(page, 'enterprise-zh-queue');

  await row.getByRole('link', { name: mine.id }).click();
  await page.locator('ol.timeline li').first().waitFor();
  await page.getByRole('button', { name: '签收整改通知', exact: true }).waitFor();
  // Its rectification photos, as evidence of the order (the department checks them).
  assert.equal(await page.getByRole('button', { name: '提交整改材料', exact: true }).count(), 1);
  // The department's verbs are not the mall's to press.
  assert.equal(await page.getByRole('button', { name: '退回企业整改报告', exact: true }).count(), 0);
  assert.equal(await page.getByRole('button', { name: '申请延期', exact: true }).count(), 0);
  await page.getByRole('button', { name: '签收整改通知', exact: true }).click();
  await page.getByRole('textbox', { name: '备注' }).fill('已收到，安全部负责整改');
  await page.getByRole('button', { name: '提交：签收整改通知' }).click();
  await page.locator('.actions p.ok', { hasText: '签收整改通知' }).waitFor();
  assert.deepEqual(await axe(page), [], 'enterprise ticket');
  await shot(page, 'enterprise-zh-ticket');
  assert.deepEqual(page.problems, []);
  await page.context().close();

  // What the engine recorded: the order signed, by the mall's own account.
  const after = await server.must('admin', 'GET', `/v1/tickets/${mine.id}`);
  assert.equal(after.ticket.facts.order_signed, true);
});

test("en: opening another mall's order by its address shows nothing of it", async () => {
  const page = await newPage(browser, server, 'en-US');
  await signIn(page, server, 'mall');
  await page.goto(`${server.url}/#/ticket/${theirs.id}`);
  await page.locator('.error, p.error, [role="alert"]').first().waitFor();
  const text = await page.locator('main').textContent();
  assert.ok(!text.includes('地下车库消火栓被遮挡'), 'the other mall\'s report is shown');
  await page.context().close();
});
