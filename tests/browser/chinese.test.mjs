// The Chinese console shows Chinese throughout: each role signs in with a zh-CN browser,
// visits every view it has (a queue, a ticket with a long history, escalations, audit,
// overview, map, reports, notifications) and no visible text may be a string of the English catalogue
// (i18n.js, fetched from the server as the browser gets it) or a raw id of the deployed
// workflows (a state, verb, fact or category name, from GET /v1/workflows and the tickets'
// categories). The detector is first shown to catch both on purpose, so the test can fail.
// axe-core runs on every view; screenshots at 1440×900.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Server, axe, launch, newPage, shot, signIn, sleep } from './harness.mjs';

const server = new Server('chinese');
let browser;
let a;  // signed for, rectification ordered, progress recorded
let b;  // returned by the department
let d;  // left alone: reminded, overdue, escalated, chained to the inspectors
let oversight;  // the inspectors' ticket chained from d
let english;  // {exact: Set, templates: [RegExp]}
let rawIds;   // Set of ids that must never show raw

before(async () => {
  await server.start();
  await server.seed();
  await server.addUser({ name: 'boss', role: 'admin', display_name: '周强' });
  a = await server.openFireTicket('ent-xw-101', '楼梯间 B 安全出口被杂物堵塞');
  b = await server.openFireTicket('ent-xw-102', '食堂灭火器过期');
  d = await server.openFireTicket('ent-xw-103', '电动自行车在楼道内充电');
  await server.advance('2026-03-02T09:30');
  await server.act('fire', a.id, { verb: 'sign_for' });
  await server.act('fire', a.id, { verb: 'order_rectification', fields: { severity: 'general' }, note: '现场核实属实' });
  await server.act('fire', a.id, { verb: 'progress', note: '已清理杂物，正在更换指示灯' });
  await server.act('fire', b.id, { verb: 'return', reason: '该单位不在本辖区', to_department: 'nj.gulou.fire' });
  for (const at of ['2026-03-03T09:00', '2026-03-05T09:00', '2026-03-10T12:00']) await server.advance(at);
  for (let i = 0; i < 200 && !oversight; i++) {
    const list = await server.must('inspector', 'GET', '/v1/tickets?open=true');
    oversight = list.tickets.find((tk) => tk.parent_id === d.id);
    if (!oversight) await sleep(50);
  }
  assert.ok(oversight, 'the ladder chained an oversight ticket to the inspectors');

  // What must never show raw: every state, verb, fact and category the deployed workflows
  // name, and the categories of the tickets there are.
  const wfs = await server.must('admin', 'GET', '/v1/workflows');
  rawIds = new Set();
  for (const w of wfs.workflows) {
    for (const s of w.states) rawIds.add(s.name);
    for (const v of w.verbs) rawIds.add(v.name);
    for (const f of w.facts) rawIds.add(f);
    for (const s of w.services) rawIds.add(s.code);
  }
  for (const c of wfs.categories) rawIds.add(c.id);
  for (const tk of (await server.must('admin', 'GET', '/v1/tickets?limit=500')).tickets) rawIds.add(tk.category);
  rawIds.delete('');
  assert.ok(rawIds.has('rectifying') && rawIds.has('sign_for') && rawIds.has('fire_safety') && rawIds.has('confirmed'), 'ids from the workflows');

  // The English catalogue, from the module the server gives browsers.
  // (i18n.js imports more words from names.js and words_pictures.js: those imports are
  // pointed at copies too.)
  let source = await (await fetch(`${server.url}/console/js/i18n.js`)).text();
  for (const file of ['names.js', 'words_pictures.js']) {
    const text = await (await fetch(`${server.url}/console/js/${file}`)).text();
    source = source.replace(`'./${file}'`, `"data:text/javascript,${encodeURIComponent(text)}"`);
  }
  const mod = await import(`data:text/javascript,${encodeURIComponent(source)}`);
  const en = mod.catalogue('en');
  const zh = mod.catalogue('zh');
  english = { exact: new Set(), templates: [] };
  for (const [key, text] of Object.entries(en)) {
    if (zh[key] === text || !/[A-Za-z]{2,}/.test(text)) continue;  // the same in both languages
    if (!text.includes('{')) {
      english.exact.add(text);
      continue;
    }
    const literal = text.replace(/\{\w+\}/g, '');
    if (!/[A-Za-z]{3,}/.test(literal)) continue;  // nothing English outside its placeholders
    const escaped = text.split(/\{\w+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    english.templates.push({ key, re: new RegExp(`^${escaped.join('.+')}$`, 's') });
  }
  assert.ok(english.exact.size > 300, `the English catalogue and its names were read (${english.exact.size})`);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  assert.equal(await server.stop(), 0, `serve did not stop cleanly; log in ${server.dir}`);
});

// Every visible text node (and every option of a select, and placeholders), in the page.
function visibleTexts(page) {
  return page.evaluate(() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent.trim();
      const el = n.parentElement;
      if (!text || !el || ['SCRIPT', 'STYLE'].includes(el.tagName)) continue;
      if (el.closest('.visually-hidden')) {
        out.push(text);  // read aloud: it counts as shown
        continue;
      }
      if (el.tagName === 'OPTION' || el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) out.push(text);
    }
    for (const el of document.querySelectorAll('[placeholder]')) out.push(el.getAttribute('placeholder'));
    return out;
  });
}

// What of `texts` is English or raw: [{text, why}].
function offenders(texts) {
  const found = [];
  for (const text of texts) {
    if (english.exact.has(text)) {
      found.push({ text, why: 'English catalogue' });
      continue;
    }
    const tpl = english.templates.find((x) => x.re.test(text));
    if (tpl) {
      found.push({ text, why: `English catalogue (${tpl.key})` });
      continue;
    }
    for (const token of text.split(/[\s·,，、：:;；()（）“”"'‘’[\]。!?！？/|*]+/)) {
      if (token && rawIds.has(token)) found.push({ text, why: `raw id "${token}"` });
    }
  }
  return found;
}

// Waits until a view has drawn (its own marker), then a moment for late parts.
async function visit(page, hash, ready) {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
  await page.locator(ready).first().waitFor({ timeout: 15000 });
  await page.waitForFunction(() => !document.querySelector('main')?.textContent.includes('加载中…'), null, { timeout: 15000 });
  await sleep(300);
}

test('the detector catches English and raw ids (so this test can fail)', async () => {
  const page = await newPage(browser, server, 'en-US', { width: 1440, height: 900 });
  await signIn(page, server, 'fire');
  await visit(page, `#/ticket/${d.id}`, 'ol.timeline li');
  const found = offenders(await visibleTexts(page));
  assert.ok(found.some((f) => f.text === 'Timeline'), 'an English heading is caught');
  assert.ok(found.some((f) => f.why === 'English catalogue (badge.escalated)'), 'an English sentence is caught by its template');
  await page.evaluate(() => document.querySelector('main').append(Object.assign(document.createElement('p'), { textContent: '状态：rectifying' })));
  assert.ok(offenders(await visibleTexts(page)).some((f) => f.why === 'raw id "rectifying"'), 'a raw state id is caught');
  await page.context().close();
});

// Each role's views: [hash, marker of a drawn view, screenshot name].
function viewsOf(role) {
  const views = [['#/queue', '#queue-status:not(:empty)', 'queue']];
  views.push([`#/ticket/${role === 'staff' ? a.id : d.id}`, 'ol.timeline li', 'ticket']);
  if (['inspector', 'auditor', 'admin'].includes(role)) views.push([`#/ticket/${oversight.id}`, 'ol.timeline li', 'ticket-oversight']);
  if (['auditor', 'admin'].includes(role)) views.push([`#/ticket/${b.id}`, 'ol.timeline li', 'ticket-returned']);
  if (['supervisor', 'inspector', 'admin'].includes(role)) {
    views.push(['#/escalations', '.esc-list', 'escalations']);
    views.push([`#/escalations/${d.id}`, 'figure.chain canvas', 'escalation']);
    if (role !== 'supervisor') views.push([`#/escalations/${oversight.id}`, 'figure.chain canvas', 'escalation-oversight']);
  }
  if (['auditor', 'admin'].includes(role)) {
    views.push([`#/audit?ticket=${d.id}&at=2026-03-10T12:00`, '.asof-card ol.timeline li', 'audit']);
    views.push(['#/audit?ticket=T-NONE&at=2026-03-10T12:00', '.audit-result p.error', 'audit-error']);
  }
  views.push(['#/overview', 'figure.chart-card .echart canvas[data-zr-dom-id="zr_0"]', 'overview']);
  views.push(['#/map', '.map-list h2', 'map']);
  views.push(['#/reports?kind=weekly&week=2026-W10', '#reports-box section h2', 'reports-weekly']);
  views.push(['#/reports?kind=towns&quarter=2026-Q1', '#reports-box section h2', 'reports-towns']);
  views.push(['#/reports?kind=figures&from=2026-03-01&to=2026-03-31&by=street', '#reports-box section h2', 'reports-figures']);
  if (role === 'admin') views.push(['#/notify', 'section.notify-table textarea', 'notify']);
  return views;
}

for (const [user, role] of [['fire', 'staff'], ['office', 'supervisor'], ['inspector', 'inspector'], ['auditor', 'auditor'], ['boss', 'admin']]) {
  test(`${role} (${user}): every view in Chinese, nothing English, no raw ids`, async () => {
    const page = await newPage(browser, server, 'zh-CN', { width: 1440, height: 900 });
    await page.getByRole('heading', { name: '登录' }).waitFor();
    const problems = offenders(await visibleTexts(page)).map((f) => `sign-in: “${f.text}” — ${f.why}`);
    await signIn(page, server, user);
    for (const [hash, ready, name] of viewsOf(role)) {
      await visit(page, hash, ready);
      for (const f of offenders(await visibleTexts(page))) problems.push(`${hash}: “${f.text}” — ${f.why}`);
      for (const v of await axe(page)) problems.push(`${hash}: axe ${v}`);
      await shot(page, `zh-${role}-${name}`);
    }
    if (role === 'auditor') {
      await visit(page, '#/audit?ticket=T-NONE&at=2026-03-10T12:00', '.audit-result p.error');
      assert.match(await page.locator('.audit-result p.error').textContent(), /^不存在，或您无权查看。/, 'a server error in Chinese');
    }
    assert.deepEqual([...new Set(problems)], []);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}
