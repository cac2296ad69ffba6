// The notification tables in the console, as an administrator edits them in Debian's
// chromium: the duty roster at its version, an edit the server refuses (a paged person
// left without the phone the SMS subscription needs) shown with its field beside the
// editor, the fix saved as the next version; a stale version refused plainly; the same view
// in Chinese; axe finds no serious or critical violation.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Server, axe, launch, newPage, shot, signIn } from './harness.mjs';

const server = new Server('notify');
let browser;

const roster = (version) => ({
  version,
  rosters: [
    {
      id: 'env-duty',
      name: '环境应急值班',
      calendar: 'prc',
      people: [
        { id: 'wang', name: '王伟', phone: '13900000001' },
        { id: 'li', name: '李娜', phone: '13900000002' },
      ],
      shifts: [
        { id: 'day', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '08:00', to: '20:00', order: ['wang', 'li'] },
        { id: 'night', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '20:00', to: '08:00', order: ['li', 'wang'] },
      ],
    },
  ],
});

before(async () => {
  await server.start();
  await server.seed();
  await server.must('admin', 'PUT', '/v1/admin/notify/rosters', roster(1));
  await server.must('admin', 'PUT', '/v1/admin/notify/subscriptions', {
    version: 1,
    subscriptions: [
      {
        id: 'duty',
        match: { types: ['TicketOpened'], severities: ['major'] },
        channel: 'sms',
        to: [{ roster: 'env-duty' }],
        ack_within: '10m',
        gateway: { url: 'http://127.0.0.1:9/sms', content_type: 'application/json', body: '{{"to": "{phone}", "text": "{message}"}}' },
        template: { zh: { body: '重大告警 {ticket_id}，请确认：{ack_url}' } },
      },
    ],
  });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  assert.equal(await server.stop(), 0, `serve did not stop cleanly; log in ${server.dir}`);
});

async function openRosters(page) {
  await page.getByRole('link', { name: /^(Notifications|通知)$/ }).click();
  await page.getByRole('heading', { level: 1, name: /^(Notifications|通知配置)$/ }).waitFor();
  const editor = page.locator('#notify-rosters-json');
  await editor.waitFor();
  return editor;
}

test('an admin edits the duty roster, sees the refusal beside the editor, fixes it and saves', async () => {
  const page = await newPage(browser, server);
  await signIn(page, server, 'admin');
  const editor = await openRosters(page);
  const section = page.locator('section', { has: page.locator('#notify-rosters-json') });
  await section.getByText('Version in effect: 1').waitFor();
  const table = JSON.parse(await editor.inputValue());
  assert.equal(table.rosters[0].people[1].phone, '13900000002');

  // li gets an e-mail instead of her phone: the SMS paging subscription could not reach her.
  delete table.rosters[0].people[1].phone;
  table.rosters[0].people[1].email = 'li@example.gov.cn';
  await editor.fill(JSON.stringify(table, null, 2));
  await section.getByRole('button', { name: 'Save as version 2' }).click();
  const error = page.locator('#notify-rosters-error');
  await error.waitFor();
  assert.equal(await error.locator('.notify-field').textContent(), 'rosters[0].people[1].phone');
  assert.match(await error.textContent(), /'li' is on shift 'day', and subscription 'duty' sends SMS/);
  assert.equal(await editor.getAttribute('aria-invalid'), 'true');
  assert.equal((await server.must('admin', 'GET', '/v1/admin/notify/rosters')).version, 1, 'nothing published');
  await shot(page, '40-notify-roster-refused');
  assert.deepEqual(await axe(page), [], 'notifications view accessibility (with the refusal)');

  // The fix: her phone back, and a holiday shift.
  table.rosters[0].people[1].phone = '13900000002';
  table.rosters[0].shifts.push({ id: 'holiday', days: ['holiday'], from: '09:00', to: '09:00', order: ['li'] });
  await editor.fill(JSON.stringify(table, null, 2));
  await section.getByRole('button', { name: 'Save as version 2' }).click();
  await section.getByText('Saved: version 2 is in effect.').waitFor();
  assert.equal(await page.locator('#notify-rosters-error').isHidden(), true);
  const now = await server.must('admin', 'GET', '/v1/admin/notify/rosters');
  assert.equal(now.version, 2);
  assert.equal(now.rosters[0].shifts[2].id, 'holiday');
  assert.deepEqual(page.problems, []);
});

test('a version published meanwhile is refused plainly; the view reads in Chinese', async () => {
  const page = await newPage(browser, server, 'zh-CN');
  await signIn(page, server, 'admin');
  const editor = await openRosters(page);
  const section = page.locator('section', { has: page.locator('#notify-rosters-json') });
  await section.getByText('当前生效版本：2').waitFor();
  // Someone else publishes version 3 after this page loaded version 2.
  const other = await server.must('admin', 'GET', '/v1/admin/notify/rosters');
  other.version = 3;
  await server.must('admin', 'PUT', '/v1/admin/notify/rosters', other);
  const mine = JSON.parse(await editor.inputValue());
  mine.rosters[0].name = '环境应急值班（新）';
  await editor.fill(JSON.stringify(mine, null, 2));
  await section.getByRole('button', { name: '保存为版本 3' }).click();
  const error = page.locator('#notify-rosters-error');
  await error.getByText(/未保存：在您打开版本 2 之后，已有其他版本发布/).waitFor();
  assert.equal(JSON.parse(await editor.inputValue()).rosters[0].name, '环境应急值班（新）', 'the text is kept');
  await shot(page, '41-notify-stale-zh');
  assert.deepEqual(await axe(page), [], 'notifications view accessibility (Chinese, stale)');

  // Reloading shows version 3; saving then publishes version 4.
  await section.getByRole('button', { name: '放弃修改并重新加载' }).click();
  await section.getByText('当前生效版本：3').waitFor();
  const fresh = JSON.parse(await editor.inputValue());
  fresh.rosters[0].name = '环境应急值班（新）';
  await editor.fill(JSON.stringify(fresh, null, 2));
  await section.getByRole('button', { name: '保存为版本 4' }).click();
  await section.getByText('已保存：版本 4 已生效。').waitFor();
  assert.equal((await server.must('admin', 'GET', '/v1/admin/notify/rosters')).rosters[0].name, '环境应急值班（新）');
  assert.deepEqual(page.problems, []);
});
