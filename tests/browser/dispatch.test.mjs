// The incident loop's one-step dispatch in the console, in Debian's chromium: the district
// command centre dispatches to a chemical leak in the park after the park depot's recount,
// sees each team and depot with its distance by road, what the depots have left and what is
// short; an expert declines and the console shows who was drawn in their place.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { SOURCE, Server, axe, launch, newPage, shot, signIn, sleep } from './harness.mjs';

const server = new Server('dispatch');
let browser;

function table(name) {
  const text = fs.readFileSync(path.join(SOURCE, 'workflows', 'reference', `${name}.jsonl`), 'utf8');
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

before(async () => {
  await server.start();
  await server.seed();
  const records = [];
  for (const name of ['rescue_teams', 'material_depots', 'experts', 'plans']) records.push(...table(name));
  // The park depot's recount: 20 chemical suits there, none at the city reserve.
  const depots = table('material_depots')[0];
  const doc = JSON.parse(depots.body.content_json);
  for (const d of doc.items) {
    for (const i of d.items) if (i.item === 'chemical_suit') i.quantity = d.id === 'DEPOT-016' ? 20 : 0;
  }
  records.push({ ...depots, body: { ...depots.body, version: 2, content_json: JSON.stringify(doc) } });
  await server.must('admin', 'POST', '/v1/admin/reference-data', records);
  const source = fs.readFileSync(path.join(SOURCE, 'workflows', 'incident_response.wf'), 'utf8');
  await server.must('admin', 'POST', '/v1/admin/workflows', { file: 'incident_response.wf', source });
  await server.advance('2026-03-02T14:00');
  await server.addUser({ name: 'centre', role: 'staff', department: 'nj.liuhe.emb', display_name: 'Liu Yang' });
  await server.addUser({ name: 'alarm119', role: 'publisher', agency: '110-119-120', event_types: ['IncidentReport'] });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  assert.equal(await server.stop(), 0, `serve did not stop cleanly; log in ${server.dir}`);
});

async function waitFor(fn, what) {
  for (let i = 0; i < 500; i++) {
    const v = await fn();
    if (v) return v;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('the centre sees what was dispatched, how far by road, what is short, and the experts\u2019 answers', async () => {
  await server.must('alarm119', 'POST', '/v1/events', {
    source: '110-119-120',
    subject: 'ENT-00002',
    jurisdiction: 'liuhe.changlu.g09',
    occurred_at: Date.UTC(2026, 2, 2, 6, 0),
    body_type: 'IncidentReport',
    body: { incident_type: 'hazardous_chemical_leak', level: 'general', address: '长芦街道' },
  });
  const tk = await waitFor(async () => {
    const r = await server.call('admin', 'GET', '/v1/tickets?subject=ENT-00002&open=true');
    return r.body && r.body.tickets.find((x) => x.lead);
  }, 'the incident ticket');
  await server.act('centre', tk.id, { verb: 'sign_for' });
  await server.act('centre', tk.id, { verb: 'dispatch' });
  const sent = await waitFor(async () => {
    const r = await server.must('centre', 'GET', `/v1/tickets/${tk.id}`);
    return (r.history || []).find((x) => x.body_type === 'ResourcesDispatched');
  }, 'the dispatch');
  const experts = sent.body.experts;
  assert.equal(experts.length, 2);
  await server.act('centre', tk.id, {
    verb: 'expert_answer',
    reason: '在外地出差，无法到场',
    fields: { expert: experts[0], answer: 'decline' },
  });
  const answer = await waitFor(async () => {
    const r = await server.must('centre', 'GET', `/v1/tickets/${tk.id}`);
    return (r.history || []).find((x) => x.body_type === 'ExpertAnswered');
  }, 'the answer');
  const replacement = answer.body.replacement;
  assert.ok(replacement && !experts.includes(replacement));

  const page = await newPage(browser, server);
  await signIn(page, server, 'centre');
  await page.goto(`${server.url}/#/ticket/${tk.id}`);
  const legs = page.locator('li.tl-ResourcesDispatched ul.dispatch-legs');
  await legs.waitFor();
  const teams = legs.locator('li.leg-team');
  assert.equal(await teams.count(), 2);
  for (const text of await teams.allTextContents()) assert.match(text, /TEAM-\d+ \((hazmat|fire_rescue)\) — [\d.]+ km by road/);
  const suits = legs.locator('li.leg-material', { hasText: 'chemical_suit' });
  assert.equal(await suits.count(), 1);
  assert.match(await suits.textContent(), /chemical_suit 20 套 from DEPOT-016 — [\d.]+ km by road; 0 left/);
  const short = legs.locator('li.shortage');
  assert.equal(await short.count(), 1);
  assert.equal(await short.textContent(), 'Short: chemical_suit, 10 of 30 not available');
  assert.ok((await legs.locator('li.passed', { hasText: 'EXP-0023' }).textContent()).includes('employed by the enterprise concerned'));
  const declined = page.locator('li.tl-ExpertAnswered .tl-text');
  assert.equal(
    await declined.textContent(),
    `Expert ${experts[0]} declined: 在外地出差，无法到场; ${replacement} drawn in their place (seed ${answer.body.seed}, from ${answer.body.qualified.length} qualified).`,
  );
  await shot(page, 'dispatch-ticket');
  const violations = await axe(page);
  assert.deepEqual(violations, [], JSON.stringify(violations, null, 1));

  // The same in Chinese.
  const zh = await newPage(browser, server, 'zh-CN');
  await signIn(zh, server, 'centre');
  await zh.goto(`${server.url}/#/ticket/${tk.id}`);
  const zlegs = zh.locator('li.tl-ResourcesDispatched ul.dispatch-legs');
  await zlegs.waitFor();
  assert.equal(await zlegs.locator('li.shortage').textContent(), '缺口：chemical_suit 需 30，缺 10');
  assert.match(await zlegs.locator('li.leg-team').first().textContent(), /道路 [\d.]+ 公里/);
  await shot(zh, 'dispatch-ticket-zh');
});
