// Lists leave the console as CSV that spreadsheet software opens correctly (UTF-8 with a
// byte-order mark, headers and values in the user's language, every ticket the list's
// filters match), and a ticket prints as a clean case file for staff too (print media: no
// controls, the case file, facts, timeline and chain).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { Server, launch, newPage, shot, signIn } from './harness.mjs';

const server = new Server('export');
let browser;
const opened = [];

before(async () => {
  await server.start();
  await server.seed();
  opened.push(await server.openFireTicket('ent-xw-101', '楼梯间 B 安全出口被杂物堵塞'));
  opened.push(await server.openFireTicket('ent-xw-102', '=HYPERLINK("http://example.invalid") "quoted", comma'));
  opened.push(await server.openFireTicket('ent-xw-103', '电动自行车在楼道内充电'));
  await server.advance('2026-03-02T09:30');
  await server.act('fire', opened[0].id, { verb: 'sign_for' });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  assert.equal(await server.stop(), 0, `serve did not stop cleanly; log in ${server.dir}`);
});

// Clicks the export button and returns the downloaded file's name and bytes.
async function exportCsv(page, name) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
  const file = await download.path();
  return { name: download.suggestedFilename(), bytes: fs.readFileSync(file) };
}

// RFC 4180 rows of a CSV text (quoted fields, doubled quotes, CRLF).
function parse(text) {
  const rows = [];
  for (const line of text.split('\r\n').filter(Boolean)) {
    const row = [];
    for (const m of line.matchAll(/"((?:[^"]|"")*)"(?:,|$)/g)) row.push(m[1].replace(/""/g, '"'));
    rows.push(row);
  }
  return rows;
}

test('the queue exports as CSV: BOM, Chinese headers and names, every ticket, formulas neutralised', async () => {
  const page = await newPage(browser, server, 'zh-CN');
  await signIn(page, server, 'fire');
  await page.locator(`tr[data-ticket="${opened[2].id}"]`).waitFor();
  const { name, bytes } = await exportCsv(page, '导出 CSV');
  assert.match(name, /^queue-2026-03-02\.csv$/);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte-order mark');
  const rows = parse(bytes.subarray(3).toString('utf8'));
  assert.deepEqual(rows[0].slice(0, 4), ['工单', '标题', '事项', '状态']);
  assert.equal(rows.length, 1 + opened.length);
  const byId = new Map(rows.slice(1).map((r) => [r[0], r]));
  for (const tk of opened) assert.ok(byId.has(tk.id), `${tk.id} exported`);
  const first = byId.get(opened[0].id);
  assert.equal(first[2], '楼梯间 B 安全出口被杂物堵塞');
  assert.equal(first[3], '现场核查');
  assert.equal(first[4], '消防安全');
  assert.equal(first[6], '玄武区消防救援大队');
  assert.match(first[9], /^2026-03-02 \d\d:\d\d$/);
  assert.equal(byId.get(opened[1].id)[2], `'=HYPERLINK("http://example.invalid") "quoted", comma`);
  await page.locator('.export-status', { hasText: '已导出 3 张工单' }).waitFor();
  await page.context().close();
});

test('in English the headers are English; escalations export too', async () => {
  const page = await newPage(browser, server, 'en-US');
  await signIn(page, server, 'office');
  await page.getByRole('link', { name: 'Escalations', exact: true }).click();
  const { name, bytes } = await exportCsv(page, 'Export as CSV');
  assert.match(name, /^escalations-2026-03-02\.csv$/);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const rows = parse(bytes.subarray(3).toString('utf8'));
  assert.deepEqual(rows[0].slice(0, 4), ['Ticket', 'Title', 'What', 'State']);
  assert.equal(rows.length, 1, 'nothing is escalated yet: the header alone');
  await page.context().close();
});

test('a ticket prints as a case file for staff: no controls, case file, timeline and chain', async () => {
  const page = await newPage(browser, server, 'zh-CN', { width: 1440, height: 900 });
  await signIn(page, server, 'fire');
  await page.goto(`${server.url}/#/ticket/${opened[0].id}`);
  await page.locator('ol.timeline li').first().waitFor();
  await page.locator('figure.chain canvas').first().waitFor();
  await page.emulateMedia({ media: 'print' });
  const shown = async (sel) => page.locator(sel).first().evaluate((el) => el.checkVisibility());
  for (const sel of ['header.top', 'section.actions', 'section.actions button']) assert.equal(await shown(sel), false, `${sel} is not printed`);
  for (const sel of ['section.case-file', 'section.facts', 'ol.timeline', 'figure.chain canvas']) assert.equal(await shown(sel), true, `${sel} is printed`);
  const pdf = await page.pdf({ format: 'A4' });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  await shot(page, 'print-zh-ticket');
  await page.emulateMedia({ media: 'screen' });
  await page.context().close();
});
