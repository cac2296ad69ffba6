// People, not only departments (承办人), in Debian's chromium: the head of the fire brigade
// assigns a ticket to a clerk from the ticket view and sees it in the timeline; the clerk
// signs in and finds it under "My tickets" (and nothing of a colleague's); the head
// bulk-assigns from the queue, each ticket judged by the engine and each result listed (one
// refused: already that person's); the head's "People and load" table counts each person's
// open, overdue and due-today tickets; the same in Chinese shows no English. axe-core on the
// new views; screenshots of each.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Server, axe, launch, newPage, shot, signIn } from './harness.mjs';

const server = new Server('people');
let browser;
const opened = [];

before(async () => {
  await server.start();
  await server.seed();
  await server.addUser({ name: 'firehead', role: 'staff', department: 'nj.xuanwu.fire', display_name: 'Zhou Qiang', acts_as: ['head'] });
  await server.addUser({ name: 'clerk2', role: 'staff', department: 'nj.xuanwu.fire', display_name: 'Li Na' });
  opened.push(await server.openFireTicket('ent-xw-301', 'exit blocked in hall C'));
  opened.push(await server.openFireTicket('ent-xw-302', 'extinguishers expired'));
  opened.push(await server.openFireTicket('ent-xw-303', 'sprinkler valve closed'));
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  assert.equal(await server.stop(), 0, `serve did not stop cleanly; log in ${server.dir}`);
});

test('the head assigns a ticket to a clerk, and the timeline says so', async () => {
  const page = await newPage(browser, server);
  await signIn(page, server, 'firehead');
  await page.goto(`${server.url}/#/ticket/${opened[0].id}`);
  await page.getByRole('button', { name: 'Assign', exact: true }).click();
  await page.getByLabel('Person').selectOption('fire');
  await page.getByLabel('Reason').fill('she inspected hall C last week');
  await page.getByRole('button', { name: 'Submit: Assign' }).click();
  await page.locator('.timeline li.tl-TicketAssigned').getByText('Assigned to Wang Fang (fire) — “she inspected hall C last week”.').waitFor();
  await page.locator('.facts dd').getByText('Wang Fang', { exact: true }).waitFor();
  // Once someone has it, the action is a reassignment and the person is not offered again.
  await page.getByRole('button', { name: 'Reassign', exact: true }).click();
  const offered = await page.getByLabel('Person').locator('option').allTextContents();
  assert.ok(offered.some((o) => o.includes('Li Na')), offered.join());
  assert.ok(!offered.some((o) => o.includes('Wang Fang')), offered.join());
  await shot(page, 'people-assign');
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the clerk finds the ticket under My tickets, and not a colleague\'s', async () => {
  await server.act('firehead', opened[1].id, { verb: 'assign', assignee: 'clerk2', as_role: 'head' });
  const page = await newPage(browser, server);
  await signIn(page, server, 'fire');
  await page.getByRole('link', { name: 'My tickets' }).click();
  await page.getByRole('heading', { level: 1, name: /My tickets/ }).waitFor();
  await page.locator(`#queue-table tr[data-ticket="${opened[0].id}"]`).waitFor();
  const rows = await page.locator('#queue-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.ticket));
  assert.deepEqual(rows, [opened[0].id]);
  assert.equal(await page.getByRole('link', { name: 'People and load' }).count(), 0, 'a clerk has no people tab');
  await shot(page, 'people-my-tickets');
  assert.deepEqual(await axe(page), []);
  // The department's queue is one click away and holds all three.
  await page.getByRole('link', { name: 'Department queue' }).click();
  await page.locator(`#queue-table tr[data-ticket="${opened[2].id}"]`).waitFor();
  assert.equal(await page.locator('#queue-table tbody tr').count(), 3);
  await page.locator(`#queue-table tr[data-ticket="${opened[1].id}"]`).getByText('Assigned: Li Na').waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the head bulk-assigns from the queue, each result shown, and sees the load table', async () => {
  const page = await newPage(browser, server);
  await signIn(page, server, 'firehead');
  await page.getByRole('link', { name: 'My queue' }).click();
  await page.locator(`#queue-table tr[data-ticket="${opened[2].id}"]`).waitFor();
  await page.locator('#bulk-person option[value="fire"]').waitFor({ state: 'attached' });
  await page.getByLabel('Assign to').selectOption('fire');
  for (const tk of opened) await page.getByLabel(`Select ${tk.id}`).check();
  await page.getByRole('button', { name: 'Assign selected (3)' }).click();
  const results = page.locator('#bulk-results li');
  await page.waitForFunction(() => [...document.querySelectorAll('#bulk-results li')].length === 3 && ![...document.querySelectorAll('#bulk-results li')].some((li) => /Loading/.test(li.textContent)));
  const texts = await results.allTextContents();
  assert.match(texts[0], /already assigned to fire/);  // the first was hers already
  assert.match(texts[1], /assigned to Wang Fang \(fire\)/);  // reassigned from Li Na
  assert.match(texts[2], /assigned to Wang Fang \(fire\)/);
  await shot(page, 'people-bulk-assign');

  await page.getByRole('link', { name: 'People and load' }).click();
  await page.getByRole('heading', { level: 1, name: /People and load/ }).waitFor();
  const row = (user) => page.locator(`#people-table tr[data-user="${user}"] td`);
  await row('fire').first().waitFor();
  assert.deepEqual(await row('fire').allTextContents(), ['3', '0', '3', 'Active']);
  assert.deepEqual(await row('clerk2').allTextContents(), ['0', '0', '0', 'Active']);
  await shot(page, 'people-load');
  assert.deepEqual(await axe(page), []);

  // Past the deadlines (2 hours to sign for), the engine marks them overdue: red in the table.
  await server.advance('2026-03-02T12:00');
  await page.reload();
  await page.waitForFunction(() => {
    const cells = document.querySelectorAll('#people-table tr[data-user="fire"] td');
    return cells.length && cells[1].textContent === '3';
  });
  assert.deepEqual(await row('fire').allTextContents(), ['3', '3', '0', 'Active']);
  await shot(page, 'people-load-overdue');
  // A person's name opens their tickets.
  await page.getByRole('link', { name: 'Wang Fang (fire)' }).click();
  await page.getByRole('heading', { level: 1, name: /Tickets assigned to fire/ }).waitFor();
  await page.locator(`#queue-table tr[data-ticket="${opened[2].id}"]`).waitFor();
  assert.equal(await page.locator('#queue-table tbody tr').count(), 3);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('in Chinese, the people view and the assign form show no English', async () => {
  const page = await newPage(browser, server, 'zh-CN');
  await signIn(page, server, 'firehead');
  await page.goto(`${server.url}/#/people`);
  await page.getByRole('heading', { level: 1, name: /人员与工作量/ }).waitFor();
  await page.locator('#people-table tr[data-user="fire"] td').first().waitFor();
  const text = await page.locator('main').innerText();
  for (const english of ['People and load', 'Person', 'Open', 'Overdue', 'Due today', 'Active', 'My tickets', 'Department queue']) {
    assert.ok(!text.includes(english), `"${english}" in the Chinese view:\n${text}`);
  }
  assert.match(text, /今日到期/);
  await shot(page, 'people-load-zh');
  await page.goto(`${server.url}/#/ticket/${opened[1].id}`);
  await page.getByRole('button', { name: '改派承办人', exact: true }).click();
  await page.getByLabel('承办人').first().waitFor();
  const form = await page.locator('form.action-form').innerText();
  assert.ok(!/Person|Reason|Reassign/.test(form), form);
  await page.locator('.timeline li.tl-TicketAssigned').first().waitFor();
  const tl = await page.locator('.timeline').innerText();
  assert.match(tl, /承办人由 Li Na \(clerk2\) 改为 Wang Fang \(fire\)/);
  await shot(page, 'people-assign-zh');
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
