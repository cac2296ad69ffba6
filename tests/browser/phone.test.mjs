// The console on a phone (390×844, the size of a common handset): the queue as cards and a
// ticket with its actions fit the screen's width (no sideways scrolling) in Chinese and in
// English; staff sign for a ticket there; the console is installable (a web app manifest and
// a service worker controlling "/"). axe-core on both views; screenshots at 390 px.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Server, axe, launch, newPage, shot, signIn } from './harness.mjs';

const PHONE = { width: 390, height: 844 };
const server = new Server('phone');
let browser;
let a;
let b;

before(async () => {
  await server.start();
  await server.seed();
  a = await server.openFireTicket('ent-xw-101', '楼梯间 B 安全出口被杂物堵塞，消防通道指示灯损坏');
  b = await server.openFireTicket('ent-xw-102', 'extinguishers expired in the canteen, second floor');
  await server.advance('2026-03-02T09:30');
  await server.act('fire', b.id, { verb: 'sign_for' });
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
