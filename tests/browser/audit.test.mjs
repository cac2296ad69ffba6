// The console as auditors and discipline inspectors use it, in Debian's chromium: a ticket
// as it stood at an earlier moment, hash-chain verification and the evidence bundle; an
// overdue order escalated to the inspectors and read with its chain; the overview charts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { Server, axe, launch, newPage, shot, signIn } from './harness.mjs';

const server = new Server('audit');
let browser;
let a;  // signed for at 09:30, rectification ordered at 10:00
let d;  // never signed for: escalates up to the discipline inspectors

before(async () => {
  await server.start();
  await server.seed();
  a = await server.openFireTicket('ent-xw-201', 'fire doors wedged open');
  d = await server.openFireTicket('ent-xw-202', 'sprinkler valve closed');
  await server.advance('2026-03-02T09:30');
  await server.act('fire', a.id, { verb: 'sign_for' });
  await server.advance('2026-03-02T10:00');
  await server.act('fire', a.id, { verb: 'order_rectification', fields: { severity: 'general' } });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  assert.equal(await server.stop(), 0, `serve did not stop cleanly; log in ${server.dir}`);
});

test('an auditor opens a ticket as of an earlier time and sees the earlier state', async () => {
  const page = await newPage(browser, server);
  await signIn(page, server, 'auditor');
  await page.goto(`${server.url}/#/ticket/${a.id}`);
  await page.locator('.badge.state', { hasText: 'Rectifying' }).waitFor();
  await page.getByRole('link', { name: 'Audit', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Audit' }).waitFor();
  await page.getByLabel('Ticket id').fill(a.id);
  await page.getByLabel('Moment (city time, Asia/Shanghai)').fill('2026-03-02T09:10');
  await page.getByRole('button', { name: 'Show' }).click();
  const badge = page.locator('#asof-state');
  await badge.waitFor();
  assert.equal(await badge.getAttribute('data-state'), 'dispatched');
  assert.equal(await badge.textContent(), 'Dispatched, to sign for');
  // The history then had no signing for; the current one has.
  assert.equal(await page.locator('.asof-card').getByText(/Signed for by/).count(), 0);
  await shot(page, '10-audit-asof-0910');
  assert.deepEqual(await axe(page), [], 'audit view accessibility');

  await page.getByLabel('Moment (city time, Asia/Shanghai)').fill('2026-03-02T09:45');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.locator('#asof-state[data-state="verifying"]').waitFor();
  await page.locator('.asof-card').getByText(/Signed for by/).waitFor();

  await page.getByRole('button', { name: 'Verify the hash chains' }).click();
  await page.getByText('Every partition’s hash chain is intact.').waitFor();
  await page.getByText(/State digest/).waitFor();

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download the evidence bundle' }).click(),
  ]);
  const file = await download.path();
  const bundle = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(bundle.format, 'closeloop-evidence/2');
  assert.equal(bundle.chain_id, a.chain_id);
  const records = bundle.partitions.reduce((n, p) => n + p.records.length, 0);
  assert.ok(records >= 4);
  assert.ok(bundle.partitions.every((p) => p.checkpoint.includes('/partition/')));
  // The same bundle checked in the browser, with WebCrypto, against the published key.
  await page.getByRole('button', { name: 'Check the evidence in this browser' }).click();
  await page.locator('#bundle-check').getByText(new RegExp(`Proven in this browser: these ${records} records of chain ${a.chain_id}`)).waitFor();
  await page.locator('#bundle-check').getByText(/under the checkpoint of \d+ records signed at/).first().waitFor();
  await shot(page, '11-audit-checked-in-browser');
  // The printed case file: no console controls, the checkpoint and how to verify it.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.top').isVisible(), false);
  assert.equal(await page.getByRole('button', { name: 'Print the case file' }).isVisible(), false);
  await page.getByText('How to verify this case file').waitFor();
  assert.match(await page.locator('pre.cmd').textContent(), /^closeloop evidence verify evidence-.*\.json --key 'closeloop-/);
  assert.match(await page.locator('pre.note').first().textContent(), /\/partition\/\d+\n\d+\n/);
  const pdf = await page.pdf({ format: 'A4' });
  assert.ok(pdf.length > 10000 && pdf.subarray(0, 5).toString() === '%PDF-', 'a PDF of the case file');
  await shot(page, '11-audit-print');
  await page.emulateMedia({ media: 'screen' });
  // Any altered byte of a record, a proof or a checkpoint is refused by the same code.
  const refusals = await page.evaluate(async (b) => {
    const { checkBundle } = await import('/console/js/evidence_check.js');
    const key = await (await fetch('/.well-known/closeloop-checkpoint-key')).text();
    const flip = (s, i) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const out = [];
    const cases = [
      (x) => { x.partitions[0].records[0].record = flip(x.partitions[0].records[0].record, 10); },
      (x) => { const r = x.partitions[0].records.at(-1); r.proof[0] = flip(r.proof[0], 3); },
      (x) => { x.partitions[0].checkpoint = x.partitions[0].checkpoint.replace(/\n(\d+)\n/, (m, n) => `\n${Number(n) + 1}\n`); },
      (x) => { x.partitions[0].records[0].offset += 1; },
    ];
    for (const alter of cases) {
      const x = structuredClone(b);
      alter(x);
      try {
        await checkBundle(x, key);
        out.push('accepted');
      } catch (e) {
        out.push(e.message);
      }
    }
    return out;
  }, bundle);
  assert.equal(refusals.length, 4);
  for (const r of refusals) assert.notEqual(r, 'accepted', 'an altered bundle was accepted');
  await shot(page, '11-audit-verified');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an overdue order reaches the discipline inspectors, who read why and the chain', async () => {
  // Two hours to sign for, then the ladder: overdue, superior office, and after five more
  // working days an oversight ticket for the commission.
  for (const at of ['2026-03-03T09:00', '2026-03-05T09:00', '2026-03-10T12:00']) await server.advance(at);
  let oversight = null;
  for (let i = 0; i < 200 && !oversight; i++) {
    const list = await server.must('inspector', 'GET', '/v1/tickets?open=true');
    oversight = list.tickets.find((tk) => tk.parent_id === d.id);
    if (!oversight) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(oversight, 'the ladder chained an oversight ticket to the commission');
  const page = await newPage(browser, server);
  await signIn(page, server, 'inspector');
  await page.getByRole('link', { name: 'Escalations', exact: true }).click();
  await page.getByRole('link', { name: new RegExp(oversight.id) }).click();
  await page.getByText(/overdue by 5 working days/).first().waitFor();
  await page.getByText(/Overdue: the deadline/).first().waitFor();
  // The chain drawn by ECharts: two boxes joined by one arrow, and the same two as links.
  await page.locator('figure.chain canvas').first().waitFor();
  const graph = await page.evaluate(async () => {
    const echarts = await import('/console/vendor/echarts.js');
    const option = echarts.getInstanceByDom(document.querySelector('figure.chain .chain-drawing')).getOption();
    return { nodes: option.series[0].data.map((n) => n.name), links: option.series[1].data.length };
  });
  assert.deepEqual(graph.nodes.sort(), [d.id, oversight.id].sort());
  assert.equal(graph.links, 1);
  assert.equal(await page.locator('figure.chain ul.chain-links a').count(), 2);
  assert.deepEqual(await axe(page), [], 'escalations view accessibility');
  await shot(page, '12-escalations');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download the chain’s evidence bundle' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^evidence-.*\.json$/);
  // A click on d's box in the drawing opens d (node positions are the drawing's pixels).
  const box = await page.evaluate(async (id) => {
    const echarts = await import('/console/vendor/echarts.js');
    const el = document.querySelector('figure.chain .chain-drawing');
    el.scrollIntoView();
    const node = echarts.getInstanceByDom(el).getOption().series[0].data.find((n) => n.name === id);
    const r = el.getBoundingClientRect();
    return [r.x + node.value[0], r.y + node.value[1]];
  }, d.id);
  await page.mouse.click(box[0], box[1]);
  await page.getByRole('heading', { level: 1, name: new RegExp(d.id) }).waitFor();
  await page.locator('figure.chain canvas').first().waitFor();
  await shot(page, '13-ticket-chain');
  // And its link below the drawing, by keyboard.
  await page.locator('figure.chain ul.chain-links a').filter({ hasText: oversight.id }).press('Enter');
  await page.getByRole('heading', { level: 1, name: new RegExp(oversight.id) }).waitFor();
  await page.context().close();
});

test('the overview charts open tickets, the overdue trend and enterprises by risk colour', async () => {
  const o = await server.must('auditor', 'GET', '/v1/overview');
  assert.equal(o.overdue_trend.length, 14);
  assert.ok(o.overdue_trend.at(-1).overdue >= 1, 'the escalated order is overdue today');
  assert.equal(o.overdue_trend[0].overdue, 0, 'nothing was overdue two weeks ago');
  assert.ok(o.enterprises > 0);
  const page = await newPage(browser, server);
  await signIn(page, server, 'auditor');
  await page.getByRole('link', { name: 'Overview', exact: true }).click();
  await page.getByRole('heading', { name: 'Enterprises by risk colour' }).waitFor();
  await page.getByRole('heading', { name: 'Overdue tickets, end of each day' }).waitFor();
  // Six figures, each drawn by ECharts with its numbers in a table.
  await page.locator('figure.chart-card .echart canvas[data-zr-dom-id="zr_0"]').nth(5).waitFor();
  assert.equal(await page.locator('figure.chart-card').count(), 6);
  const trend = await page.evaluate(async () => {
    const echarts = await import('/console/vendor/echarts.js');
    const box = [...document.querySelectorAll('figure.chart-card')].find((f) => /Overdue tickets/.test(f.textContent)).querySelector('.echart');
    const option = echarts.getInstanceByDom(box).getOption();
    return { type: option.series[0].type, points: option.series[0].data.length };
  });
  assert.deepEqual(trend, { type: 'line', points: 14 });
  assert.deepEqual(await axe(page), [], 'overview accessibility');
  await shot(page, '14-overview');
  await page.context().close();
});
