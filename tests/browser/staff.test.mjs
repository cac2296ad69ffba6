// The console as staff and supervisors use it, in Debian's chromium: sign in, the queue with
// working time left, sign for and rectify (a photo and a PDF attached through the file picker,
// the photo's thumbnail on the ticket), an API error shown with the typed input kept,
// a supervisor approving an extension, another department seeing nothing, live updates,
// Chinese and English, keyboard use and axe-core on every view visited.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Server, axe, launch, newPage, shot, signIn } from './harness.mjs';

const server = new Server('staff');
let browser;
let a;  // signed for and rectified in the browser
let b;  // returned (stale), then extended by the supervisor

// A 32x24 PNG (a green door on a grey wall) and a one-page PDF: the evidence staff attach.
const PHOTO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAACAAAAAYCAIAAAAUMWhjAAAAK0lEQVR42mO4dP0hVqQxLYAkhMschlELRi0YtWDUglELRi0YtWDUgqFhAQDWRWRM4A6POQAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n2 0 obj <</Type/Pages/Kids[]/Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n');

before(async () => {
  await server.start();
  await server.seed();
  a = await server.openFireTicket('ent-xw-101', 'blocked fire exit, stairwell B');
  b = await server.openFireTicket('ent-xw-102', 'extinguishers expired in the canteen');
  await server.advance('2026-03-02T09:30');
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  assert.equal(await server.stop(), 0, `serve did not stop cleanly; log in ${server.dir}`);
});

test('the console is served at / from the binary with its cache and security headers', async () => {
  const r = await fetch(`${server.url}/`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/html/);
  assert.match(r.headers.get('content-security-policy'), /default-src 'self'/);
  const etag = r.headers.get('etag');
  assert.ok(etag, 'an ETag');
  const again = await fetch(`${server.url}/`, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  const js = await fetch(`${server.url}/console/js/main.js`);
  assert.match(js.headers.get('content-type'), /text\/javascript/);
  assert.equal((await fetch(`${server.url}/console/js/nope.js`)).status, 404);
  assert.equal((await fetch(`${server.url}/console/../admin-token`)).status, 404);
});

test('staff sign in, see their queue with working time left, sign for a ticket and submit rectification', async () => {
  const page = await newPage(browser, server);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.deepEqual(await axe(page), [], 'sign-in page accessibility');
  await shot(page, '01-signin');
  await signIn(page, server, 'fire');

  await page.getByRole('heading', { name: /My queue/ }).waitFor();
  const rowA = page.locator(`tr[data-ticket="${a.id}"]`);
  await rowA.waitFor();
  await page.locator(`tr[data-ticket="${b.id}"]`).waitFor();
  // Dispatched at 09:00 with a 2-hour limit, now 09:30: 1 h 30 min of working time left.
  assert.equal((await rowA.locator('.countdown').textContent()).trim(), '1 h 30 min');
  assert.equal(await rowA.getAttribute('class'), 'u-ok');  // 3/4 of the 2-hour limit left
  assert.deepEqual(await axe(page), [], 'queue accessibility');
  await shot(page, '02-queue');

  await rowA.getByRole('link', { name: a.id }).click();
  await page.getByRole('heading', { level: 1, name: new RegExp(a.id) }).waitFor();
  await page.getByText(/Routed to/).first().waitFor();

  const act = async (verb, fill) => {
    await page.getByRole('button', { name: verb, exact: true }).click();
    if (fill) await fill();
    await page.getByRole('button', { name: `Submit: ${verb}` }).click();
    await page.locator('.actions p.ok', { hasText: `${verb}: done` }).waitFor();
  };
  await act('Sign for');
  assert.equal(await page.locator('.badge.state').textContent(), 'Verifying on site');
  await act('Order rectification', () => page.getByLabel('Severity').selectOption('general'));
  assert.equal(await page.locator('.badge.state').textContent(), 'Rectifying');
  await page.getByRole('button', { name: 'Submit rectification evidence', exact: true }).click();
  assert.deepEqual(await axe(page), [], 'ticket view with an action form: accessibility');
  // Evidence through the file picker: a photo and a PDF are uploaded as soon as they are
  // chosen; a "photo" that is not one is refused with the server's reason and removed.
  const picker = page.getByLabel('Photos and documents');
  assert.equal(await picker.getAttribute('type'), 'file');
  assert.equal(await picker.getAttribute('accept'), 'image/jpeg,image/png,image/webp,application/pdf');
  assert.equal(await page.getByLabel('Take a photo').getAttribute('capture'), 'environment');
  await picker.setInputFiles([
    { name: 'exit-b.png', mimeType: 'image/png', buffer: PHOTO },
    { name: 'fire-door-test.pdf', mimeType: 'application/pdf', buffer: PDF },
    { name: 'not-a-photo.png', mimeType: 'image/png', buffer: Buffer.from('<svg onload="alert(1)"/>') },
  ]);
  const chosen = page.locator('.chosen li');
  await chosen.filter({ hasText: /exit-b\.png — uploaded/ }).waitFor();
  await chosen.filter({ hasText: /fire-door-test\.pdf — uploaded/ }).waitFor();
  await chosen.filter({ hasText: 'not-a-photo.png — Content-Type says image/png but the bytes are markup' }).waitFor();
  // A refused file holds the form back, with its reason, until it is removed.
  await page.getByRole('button', { name: 'Submit: Submit rectification evidence' }).click();
  await page.locator('#form-submit_evidence p.error', { hasText: 'not-a-photo.png: Content-Type says image/png' }).waitFor();
  assert.equal(await picker.evaluate((el) => el === document.activeElement), true);
  assert.equal((await server.must('admin', 'GET', `/v1/tickets/${a.id}`)).ticket.state, 'rectifying');
  await page.getByRole('button', { name: 'Remove not-a-photo.png' }).click();
  assert.equal(await chosen.count(), 2);
  await page.getByLabel('What the evidence shows').fill('Stairwell B cleared, door rehung');
  await shot(page, '03-ticket-form');
  await page.getByRole('button', { name: 'Submit: Submit rectification evidence' }).click();
  await page.locator('.actions p.ok', { hasText: 'Submit rectification evidence: done' }).waitFor();
  assert.equal(await page.locator('.badge.state').textContent(), 'Review');
  await page.getByText(/Rectification evidence submitted \(2 item\(s\)\)/).waitFor();
  const now = await server.must('admin', 'GET', `/v1/tickets/${a.id}`);
  assert.equal(now.ticket.state, 'reviewing');
  assert.equal(now.ticket.lead, 'nj.xuanwu.fire');
  const hex = createHash('sha256').update(PHOTO).digest('hex');
  const cited = now.case_file.find((e) => e.relation === 'evidence');
  assert.deepEqual(cited.content.evidence, [`sha256:${hex}`, `sha256:${createHash('sha256').update(PDF).digest('hex')}`]);
  // The case file shows the photo as a thumbnail, fetched with the token (a blob: URL, the
  // image decoded), and the PDF as a link; both open the file.
  const evidence = page.locator('section.case-file li.case-entry[data-relation="evidence"]');
  const thumb = evidence.locator('img.thumb');
  await thumb.waitFor();
  assert.match(await thumb.getAttribute('src'), /^blob:/);
  await page.waitForFunction((el) => el.complete && el.naturalWidth === 32, await thumb.elementHandle());
  assert.match(await thumb.getAttribute('alt'), new RegExp(`Photo: file 1 \\(${hex.slice(0, 10)}\\)`));
  await evidence.getByRole('link', { name: /PDF document: file 2/ }).waitFor();
  // Clicking the thumbnail opens the photo itself in a new tab.
  const [opened] = await Promise.all([page.context().waitForEvent('page'), evidence.locator('a:has(img.thumb)').click()]);
  await opened.waitForLoadState();
  assert.match(opened.url(), /^blob:/);
  assert.equal(await opened.evaluate(() => document.contentType), 'image/png');
  await opened.close();
  await page.locator('ol.timeline img.thumb').first().waitFor();
  await shot(page, '04-ticket');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a refused action is shown plainly and what the user typed is kept', async () => {
  const page = await newPage(browser, server);
  await signIn(page, server, 'fire');
  await page.goto(`${server.url}/#/ticket/${b.id}`);
  await page.getByRole('button', { name: 'Return', exact: true }).click();
  const reason = page.getByLabel("Why it is not this unit's");
  await reason.fill('Not ours: the canteen belongs to the district school board');
  // Someone signs for it first: the form's version is stale now.
  await server.act('fire', b.id, { verb: 'sign_for' });
  await page.getByRole('button', { name: 'Submit: Return' }).click();
  const alert = page.getByRole('alert').filter({ hasText: /Someone changed this ticket first/ });
  await alert.waitFor();
  assert.equal(await page.getByLabel("Why it is not this unit's").inputValue(), 'Not ours: the canteen belongs to the district school board');
  await shot(page, '05-refused');
  await page.context().close();
});

test('a supervisor approves an extension the staff requested', async () => {
  await server.act('fire', b.id, { verb: 'order_rectification', fields: { severity: 'general' } });
  await server.act('fire', b.id, { verb: 'request_extension', days: 3, reason: 'replacement extinguishers on order' });
  const page = await newPage(browser, server);
  await signIn(page, server, 'office');
  const row = page.locator(`tr[data-ticket="${b.id}"]`);
  await row.waitFor();
  await row.getByText('Extension of 3 day(s) requested').waitFor();
  await row.getByRole('link').click();
  await page.getByText(/Asked for 3 more working day\(s\)/).waitFor();
  await page.getByRole('button', { name: 'Approve the extension', exact: true }).click();
  await page.getByRole('button', { name: 'Submit: Approve the extension' }).click();
  await page.locator('.actions p.ok', { hasText: 'Approve the extension: done' }).waitFor();
  await page.getByText(/Extension of 3 working day\(s\) approved/).waitFor();
  assert.equal(await page.locator('.badge.ext').count(), 0);
  const now = await server.must('admin', 'GET', `/v1/tickets/${b.id}`);
  assert.equal(now.ticket.extensions, 1);
  assert.equal(now.ticket.pending_extension_days, 0);
  await shot(page, '06-supervisor-extension');
  assert.deepEqual(await axe(page), [], 'supervisor ticket view accessibility');
  await page.context().close();
});

test('a ticket of another department is not visible', async () => {
  const page = await newPage(browser, server);
  await signIn(page, server, 'other');
  await page.getByRole('heading', { name: /My queue/ }).waitFor();
  await page.locator('#queue-status').filter({ hasText: /No open tickets match|ticket\(s\) shown/ }).waitFor();
  assert.equal(await page.locator(`tr[data-ticket="${a.id}"]`).count(), 0);
  assert.equal(await page.locator(`tr[data-ticket="${b.id}"]`).count(), 0);
  await page.goto(`${server.url}/#/ticket/${a.id}`);
  await page.getByRole('alert').filter({ hasText: 'No such ticket, or it is not visible to you.' }).waitFor();
  assert.equal(await page.getByText('Blocked fire exit').count(), 0);
  await shot(page, '07-other-department');
  await page.context().close();
});

test('a new ticket appears in the open queue by itself (live updates)', async () => {
  const page = await newPage(browser, server);
  await signIn(page, server, 'fire');
  await page.locator(`tr[data-ticket="${a.id}"]`).waitFor();
  await page.locator('#live.on').waitFor();
  const c = await server.openFireTicket('ent-xw-103', 'smoke detector disabled');
  await page.locator(`tr[data-ticket="${c.id}"]`).waitFor({ timeout: 15000 });
  await page.context().close();
});

test('Chinese follows the browser, the switch changes language, and the queue reads on a wall screen', async () => {
  const page = await newPage(browser, server, 'zh-CN', { width: 2560, height: 1440 });
  await page.getByRole('heading', { name: '登录' }).waitFor();
  await signIn(page, server, 'fire');
  await page.getByRole('heading', { name: /我的待办/ }).waitFor();
  await page.locator(`tr[data-ticket="${b.id}"]`).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  assert.deepEqual(await axe(page), [], 'Chinese queue accessibility');
  await shot(page, '08-queue-zh-wall');
  await page.getByLabel('语言').selectOption('en');
  await page.getByRole('heading', { name: /My queue/ }).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: /My queue/ }).waitFor();  // the choice is remembered
  await page.context().close();
});

test('the queue works from the keyboard: skip link, ticket link, action button', async () => {
  const page = await newPage(browser, server);
  await signIn(page, server, 'fire');
  await page.locator(`tr[data-ticket="${b.id}"]`).waitFor();
  await page.reload();  // as on arrival: nothing focused, the skip link comes first
  await page.locator(`tr[data-ticket="${b.id}"]`).waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'skip-link');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate((id) => document.activeElement.textContent === id, b.id);
  }
  assert.ok(reached, 'Tab reaches the ticket link');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: new RegExp(b.id) }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1');
  let button = false;
  for (let i = 0; i < 10 && !button; i++) {
    await page.keyboard.press('Tab');
    button = await page.evaluate(() => document.activeElement.dataset.verb === 'progress');
  }
  assert.ok(button, 'Tab reaches the first action');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'a-progress-note');
  await page.context().close();
});
