// The console on a phone (390×844, the size of a common handset): the queue as cards and a
// ticket with its actions fit the screen's width (no sideways scrolling) in Chinese and in
// English; staff sign for a ticket there; the console is installable (a web app manifest and
// a service worker controlling "/"). axe-core on both views; screenshots at 390 px. Without a
// network an action is kept on the phone, shown as waiting to send, and sent when the network
// returns; one the engine refuses then (someone acted first) is shown with the refusal. A
// photo taken without a network is kept with its action and uploaded before it is sent.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Server, axe, launch, newPage, shot, signIn } from './harness.mjs';

const PHONE = { width: 390, height: 844 };
const server = new Server('phone');
let browser;
let a;
let b;
let c;  // acted on offline, sent when the network returns
let d;  // acted on offline, signed for meanwhile by another device: refused when sent
let e;  // rectification evidence with a photo taken offline
const PHOTO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAACAAAAAYCAIAAAAUMWhjAAAAK0lEQVR42mO4dP0hVqQxLYAkhMschlELRi0YtWDUglELRi0YtWDUgqFhAQDWRWRM4A6POQAAAABJRU5ErkJggg==', 'base64');

before(async () => {
  await server.start();
  await server.seed();
  a = await server.openFireTicket('ent-xw-101', '楼梯间 B 安全出口被杂物堵塞，消防通道指示灯损坏');
  b = await server.openFireTicket('ent-xw-102', 'extinguishers expired in the canteen, second floor');
  await server.advance('2026-03-02T09:30');
  await server.act('fire', b.id, { verb: 'sign_for' });
  c = await server.openFireTicket('ent-xw-103', '配电室门口堆放纸箱');
  d = await server.openFireTicket('ent-xw-104', '仓库喷淋头被遮挡');
  e = await server.openFireTicket('ent-xw-105', '消防栓被货架挡住');
  await server.act('fire', e.id, { verb: 'sign_for' });
  await server.act('fire', e.id, { verb: 'order_rectification', fields: { severity: 'general' } });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  assert.equal(await server.stop(), 0, `serve did not stop cleanly; log in ${server.dir}`);
});

// The page's width beyond the screen's, in CSS pixels (0 when nothing scrolls sideways).
const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

for (const [locale, lang] of [['zh-CN', 'zh'], ['en-US', 'en']]) {
  test(`${lang}: the queue and a ticket fit 390 px; staff sign for on the phone`, async () => {
    const page = await newPage(browser, server, locale, PHONE);
    await signIn(page, server, 'fire');
    const row = page.locator(`tr[data-ticket="${a.id}"]`);
    await row.waitFor();
    // A card: the header row is hidden and each value carries its column's name.
    assert.equal(await row.evaluate((tr) => getComputedStyle(tr).display), 'block');
    assert.equal(await page.locator('table.queue thead').evaluate((el) => el.getBoundingClientRect().height <= 1), true);
    const labels = await row.locator('td').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-label')));
    assert.ok(labels.includes(lang === 'zh' ? '状态' : 'State'), `the card's labels: ${labels.join(', ')}`);
    assert.ok((await overflow(page)) <= 0, `the queue scrolls sideways by ${await overflow(page)} px`);
    assert.deepEqual(await axe(page), [], 'queue on a phone');
    await shot(page, `phone-${lang}-queue`);

    await row.getByRole('link', { name: a.id }).click();
    await page.locator('ol.timeline li').first().waitFor();
    assert.ok((await overflow(page)) <= 0, `the ticket scrolls sideways by ${await overflow(page)} px`);
    await shot(page, `phone-${lang}-ticket`);
    if (lang === 'zh') {
      await page.getByRole('button', { name: '签收', exact: true }).click();
      await page.getByRole('textbox', { name: '备注' }).fill('已到现场');
      assert.ok((await overflow(page)) <= 0, 'the open form fits');
      await page.getByRole('button', { name: '提交：签收' }).click();
      await page.locator('.actions p.ok', { hasText: '签收：已完成' }).waitFor();
      assert.ok((await overflow(page)) <= 0, 'the ticket after the action fits');
    }
    assert.deepEqual(await axe(page), [], 'ticket on a phone');
    await shot(page, `phone-${lang}-ticket-after`);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

test('the console installs to a home screen: a manifest and a service worker for "/"', async () => {
  const m = await fetch(`${server.url}/console/manifest.webmanifest`);
  assert.equal(m.status, 200);
  assert.match(m.headers.get('content-type'), /^application\/manifest\+json/);
  const manifest = await m.json();
  assert.equal(manifest.start_url, '/');
  assert.equal(manifest.display, 'standalone');
  assert.ok(manifest.icons.length >= 1);
  for (const icon of manifest.icons) assert.equal((await fetch(new URL(icon.src, server.url))).status, 200, icon.src);
  const sw = await fetch(`${server.url}/console/sw.js`);
  assert.equal(sw.headers.get('service-worker-allowed'), '/');

  const page = await newPage(browser, server, 'zh-CN', PHONE);
  assert.equal(await page.locator('link[rel="manifest"]').getAttribute('href'), '/console/manifest.webmanifest');
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  assert.equal(scope, `${server.url}/`);
  // Once installed, the shell opens without the network; the API is never answered from the cache.
  await page.reload();
  await page.evaluate(async () => {
    for (let i = 0; i < 50 && !navigator.serviceWorker.controller; i++) await new Promise((r) => setTimeout(r, 100));
  });
  assert.ok(await page.evaluate(() => !!navigator.serviceWorker.controller), 'the worker controls the page');
  await page.context().setOffline(true);
  await page.reload();
  await page.getByRole('heading', { name: '登录' }).waitFor();
  const api = await page.evaluate(async () => {
    try {
      await fetch('/v1/me');
      return 'answered';
    } catch (e) {
      return 'network error';
    }
  });
  assert.equal(api, 'network error');
  await page.context().setOffline(false);
  await page.context().close();
});

// What the browser logs for requests made while the network is cut (the live feed's too).
const OFFLINE = /ERR_INTERNET_DISCONNECTED|ERR_NETWORK_CHANGED|Failed to fetch/;

// Signs for ticket `tk` on the phone with the network cut: the action is kept, not done.
async function signForOffline(page, tk, note) {
  await page.goto(`${server.url}/#/ticket/${tk.id}`);
  await page.locator('ol.timeline li').first().waitFor();
  await page.context().setOffline(true);
  await page.getByRole('button', { name: '签收', exact: true }).click();
  await page.getByRole('textbox', { name: '备注' }).fill(note);
  await page.getByRole('button', { name: '提交：签收' }).click();
  await page.locator('.actions p.ok', { hasText: '当前无网络：“签收”已暂存在本设备上' }).waitFor();
  await page.locator('section.outbox li.waiting', { hasText: '等待发送' }).waitFor();
  const server_ = await server.must('fire', 'GET', `/v1/tickets/${tk.id}`);
  assert.equal(server_.ticket.state, tk.state, 'nothing reached the server');
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('closeloop.outbox')).length), 1, 'kept on the device');
}

test('offline: an action is kept on the phone and sent when the network returns', async () => {
  const page = await newPage(browser, server, 'zh-CN', PHONE);
  await signIn(page, server, 'fire');
  await page.locator(`tr[data-ticket="${c.id}"]`).waitFor();
  await signForOffline(page, c, '现场无信号，稍后发送');
  const before = await page.locator('ol.timeline li').count();
  assert.ok((await overflow(page)) <= 0, 'the kept action fits');
  assert.deepEqual(await axe(page), [], 'a kept action on a phone');
  await shot(page, 'phone-zh-offline-kept');
  await page.context().setOffline(false);
  await page.locator('.actions p.ok', { hasText: '网络恢复后已发送：“签收”' }).waitFor();
  await page.locator('section.outbox').waitFor({ state: 'detached' });
  await page.waitForFunction((n) => document.querySelectorAll('ol.timeline li').length > n, before);
  const after = await server.must('fire', 'GET', `/v1/tickets/${c.id}`);
  assert.notEqual(after.ticket.state, c.state, 'the engine took the action');
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('closeloop.outbox')).length), 0, 'nothing left to send');
  await shot(page, 'phone-zh-offline-sent');
  assert.deepEqual(page.problems.filter((p) => !OFFLINE.test(p)), []);
  await page.context().close();
});

test('offline: an action the engine refuses when sent is shown plainly, with the refusal', async () => {
  const page = await newPage(browser, server, 'zh-CN', PHONE);
  await signIn(page, server, 'fire');
  await page.locator(`tr[data-ticket="${d.id}"]`).waitFor();
  await signForOffline(page, d, '离线签收');
  // Meanwhile a colleague signs for the same ticket from another device.
  await server.act('fire', d.id, { verb: 'sign_for', note: '同事已签收' });
  await page.context().setOffline(false);
  const refused = page.locator('section.outbox li.refused');
  await refused.waitFor();
  assert.match(await refused.textContent(), /被拒绝.*离线时（.*）所做的“签收”在发送时被拒绝：他人已先更新该工单（现为第 \d+ 版），该操作未生效/);
  assert.ok((await overflow(page)) <= 0, 'the refusal fits');
  assert.deepEqual(await axe(page), [], 'a refused kept action on a phone');
  await shot(page, 'phone-zh-offline-refused');
  // Shown until dismissed; never sent again.
  await page.reload();
  await page.locator('section.outbox li.refused').waitFor();
  await refused.getByRole('button', { name: '知道了' }).click();
  await page.locator('section.outbox').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('closeloop.outbox')).length), 0);
  assert.deepEqual(page.problems.filter((p) => !OFFLINE.test(p)), []);
  await page.context().close();
});

// How many photos the console keeps on this device (outbox.js: IndexedDB "closeloop-outbox").
const keptPhotos = (page) =>
  page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('closeloop-outbox', 1);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('files').objectStore('files').count();
          req.onsuccess = () => {
            open.result.close();
            resolve(req.result);
          };
        };
      }),
  );

test('offline: a photo taken without a network goes with its action, uploaded first when the network returns', async () => {
  const page = await newPage(browser, server, 'zh-CN', PHONE);
  await signIn(page, server, 'fire');
  await page.goto(`${server.url}/#/ticket/${e.id}`);
  await page.locator('ol.timeline li').first().waitFor();
  await page.context().setOffline(true);
  await page.getByRole('button', { name: '提交整改材料', exact: true }).click();
  // The camera's photo cannot be uploaded now: it is kept with the form, and says so.
  await page.getByLabel('拍照').setInputFiles([{ name: 'hydrant.png', mimeType: 'image/png', buffer: PHOTO }]);
  await page.locator('.chosen li', { hasText: 'hydrant.png — 当前无网络：已暂存在本设备上，随操作一并上传' }).waitFor();
  await page.getByRole('textbox', { name: '说明' }).fill('货架已移开');
  await page.getByRole('button', { name: '提交：提交整改材料' }).click();
  await page.locator('section.outbox li.waiting', { hasText: '含 1 张待上传的照片' }).waitFor();
  assert.equal((await server.must('fire', 'GET', `/v1/tickets/${e.id}`)).ticket.state, 'rectifying', 'nothing reached the server');
  // The photo's bytes are on the device (IndexedDB), not in localStorage's text.
  assert.ok(!(await page.evaluate(() => localStorage.getItem('closeloop.outbox'))).includes('iVBOR'));
  assert.ok((await overflow(page)) <= 0, 'the kept action with its photo fits');
  assert.deepEqual(await axe(page), [], 'a kept action with a photo');
  await shot(page, 'phone-zh-offline-photo-kept');
  assert.equal(await keptPhotos(page), 1, 'the photo is kept on the device');
  await page.context().setOffline(false);
  await page.locator('section.outbox').waitFor({ state: 'detached' });
  let now;
  for (let i = 0; i < 50; i++) {
    now = await server.must('fire', 'GET', `/v1/tickets/${e.id}`);
    if (now.ticket.state !== 'rectifying') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(now.ticket.state, 'reviewing', 'the engine took the evidence');
  const cited = now.case_file.find((x) => x.relation === 'evidence');
  assert.deepEqual(cited.content.evidence, [`sha256:${createHash('sha256').update(PHOTO).digest('hex')}`], 'the photo itself, by its hash');
  // The uploaded photo is the one the case file shows, and nothing is left on the device.
  await page.locator('section.case-file li.case-entry[data-relation="evidence"] img.thumb').waitFor();
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('closeloop.outbox')).length), 0);
  assert.equal(await keptPhotos(page), 0, 'the kept photo is gone from the device once sent');
  await shot(page, 'phone-zh-offline-photo-sent');
  assert.deepEqual(page.problems.filter((p) => !OFFLINE.test(p)), []);
  await page.context().close();
});
