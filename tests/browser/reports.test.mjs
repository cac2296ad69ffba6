// The Xuanwu safety-committee office's Monday morning (seed 004: 每周分析研判, 季度考核): it opens
// Reports, reads last week's brief (two 12345 calls: one dismissed on site on time, one
// nobody signed for), the figures by street, and the quarter's scores of its towns, and
// downloads the brief as CSV for the meeting: a byte-order mark and Chinese headings.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { Server, axe, launch, newPage, shot, signIn } from './harness.mjs';

const server = new Server('reports');
let browser;

before(async () => {
  await server.start();
  await server.seed();
  const a = await server.openFireTicket('ent-xw-201', '楼梯间 B 安全出口被杂物堵塞');
  await server.openFireTicket('ent-xw-202', '食堂灭火器过期');
  await server.act('fire', a.id, { verb: 'sign_for' });
  await server.act('fire', a.id, { verb: 'dismiss', reason: '到场核实，安全出口畅通' });
  await server.advance('2026-03-02T12:00');  // the second call is late at 11:00
  await server.advance('2026-03-09T09:00');  // Monday of the next week
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  assert.equal(await server.stop(), 0, `serve did not stop cleanly; log in ${server.dir}`);
});

// The table's body as rows of cell texts.
async function rows(page, selector) {
  return page.locator(`${selector} tbody tr`).evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
}

test('the office reads last week\'s brief in Chinese and downloads it as CSV', async () => {
  const page = await newPage(browser, server, 'zh-CN');
  await signIn(page, server, 'office');
  await page.getByRole('link', { name: '统计报表' }).click();
  // The default brief is the last whole week: 2 to 8 March.
  await page.getByRole('heading', { name: /2026-W10 周\(2026-03-02 至 2026-03-08\)/ }).waitFor();
  const headline = await page.locator('dl.report-headline').textContent();
  assert.match(headline, /新受理2/);
  assert.match(headline, /按期办结率50\.0%/);
  const depts = await rows(page, '#report-departments');
  assert.equal(depts.length, 1);
  assert.match(depts[0][0], /玄武区消防/);
  assert.equal(depts[0][1], '2', 'opened');
  assert.equal(depts[0][4], '1', 'went overdue');
  assert.equal(depts[0][5], '50.0%', 'on-time rate');
  const problems = await axe(page);
  assert.deepEqual(problems, []);
  await shot(page, 'reports-weekly-zh');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载 CSV' }).click()]);
  assert.equal(download.suggestedFilename(), 'weekly-2026-W10.csv');
  const bytes = fs.readFileSync(await download.path());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte-order mark');
  const lines = bytes.subarray(3).toString('utf8').split('\r\n');
  assert.match(lines[0], /^部门,部门名称,部门名称\(英文\),新受理,/);
  assert.match(lines[1], /^nj\.xuanwu\.fire,玄武区消防/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('figures by street, and the towns ranked by their quarter\'s score', async () => {
  const page = await newPage(browser, server, 'en-US');
  await signIn(page, server, 'office');
  await page.evaluate(() => {
    location.hash = '#/reports?kind=figures&from=2026-03-01&to=2026-03-31&by=street';
  });
  const figures = page.locator('#report-figures');
  await figures.waitFor();
  const streets = await rows(page, '#report-figures');
  assert.deepEqual(streets.map((r) => r[0]), ['Meiyuan Xincun Subdistrict']);
  assert.equal(streets[0][1], '2');

  // The form changes the grouping, and the route with it.
  await page.getByLabel('Group by').selectOption('department');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForFunction(() => location.hash.includes('by=department'));
  await page.locator('#report-figures th', { hasText: 'Department' }).first().waitFor();

  await page.getByRole('link', { name: 'Town scores (quarter)' }).click();
  await page.getByLabel('Quarter').fill('2026-Q1');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.locator('#report-towns').waitFor();
  const towns = await rows(page, '#report-towns');
  assert.equal(towns[0][0], '1', 'ranked first');
  assert.equal(towns[0][1], '33.3', 'on time 1 of 2 (x 30), proactive 0 of 2 (x 15): 15 of 45');
  assert.equal(towns[0][2], 'Meiyuan Xincun Subdistrict');
  assert.ok(towns.length > 1, 'every town of the district, scored or not');
  assert.deepEqual(towns[1].slice(0, 2), ['—', '—'], 'a town with nothing to measure is unranked');
  await shot(page, 'reports-towns-en');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
