// What the browser tests share: a real `closeloop serve --clock manual` on a free loopback
// port in a fresh data directory, seeded through its own API as an administrator would
// (tests/api/api_fixture.cc does the same in C++), users of each role with tokens, and
// Debian's chromium driven headless by playwright-core (never a downloaded browser).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const BIN = process.env.CLOSELOOP_BIN;
export const SOURCE = process.env.CLOSELOOP_SOURCE_DIR;
export const SHOTS = process.env.SCREENSHOT_DIR || path.join(os.tmpdir(), 'closeloop-shots');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export class Server {
  constructor(name) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `cl-browser-${name}-`));
    this.tokens = {};
    this.url = '';
  }

  // Starts serve and waits until it says where it listens and /readyz answers.
  async start(extra = []) {
    if (!BIN || !fs.existsSync(BIN)) throw new Error(`CLOSELOOP_BIN not set or missing: ${BIN}`);
    const args = ['serve', '--data', path.join(this.dir, 'data'), '--http', '127.0.0.1:0', '--clock', 'manual', '--no-sync', ...extra];
    this.log = fs.openSync(path.join(this.dir, 'server.log'), 'a');
    this.proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    const found = new Promise((resolve, reject) => {
      const onData = (chunk) => {
        fs.writeSync(this.log, chunk);
        seen += chunk.toString();
        const m = /serving http:\/\/([0-9.]+):(\d+)/.exec(seen);
        if (m) resolve(`http://${m[1]}:${m[2]}`);
      };
      this.proc.stdout.on('data', onData);
      this.proc.stderr.on('data', onData);
      this.proc.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${seen}`)));
      setTimeout(() => reject(new Error(`serve did not start in 60 s: ${seen}`)), 60000);
    });
    this.url = await found;
    for (let i = 0; i < 300; i++) {
      const r = await fetch(`${this.url}/readyz`).catch(() => null);
      if (r && r.status === 200) break;
      await sleep(50);
    }
    this.tokens.admin = fs.readFileSync(path.join(this.dir, 'data', 'admin-token'), 'utf8').trim();
  }

  // SIGTERM; resolves with the exit code. The data directory is kept when it is not 0.
  async stop() {
    if (!this.proc) return 0;
    const code = await new Promise((resolve) => {
      this.proc.once('exit', (c, sig) => resolve(c ?? 128));
      this.proc.kill('SIGTERM');
    });
    this.proc = null;
    if (code === 0) fs.rmSync(this.dir, { recursive: true, force: true });
    return code;
  }

  async call(user, method, p, body) {
    const headers = {};
    if (user) headers.Authorization = `Bearer ${this.tokens[user]}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(`${this.url}${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch (e) {
      json = null;
    }
    return { status: r.status, body: json, text };
  }

  async must(user, method, p, body, want = [200, 201]) {
    const r = await this.call(user, method, p, body);
    if (!want.includes(r.status)) throw new Error(`${method} ${p} as ${user}: ${r.status} ${r.text}`);
    return r.body;
  }

  async addUser(user) {
    await this.must('admin', 'POST', '/v1/admin/users', user);
    const t = await this.must('admin', 'POST', `/v1/admin/users/${user.name}/tokens`, { label: 'browser-test' });
    this.tokens[user.name] = t.token;
  }

  async advance(to) {
    await this.must('admin', 'POST', '/v1/admin/clock', { to });
  }

  // The Nanjing reference data and the prevention/oversight/enforcement workflows, the clock
  // at Monday 2026-03-02 09:00 Shanghai, and one user per role.
  async seed() {
    const records = [];
    for (const table of ['calendars', 'departments', 'jurisdictions', 'hazard_classes', 'hazard_routing', 'enterprises']) {
      const text = fs.readFileSync(path.join(SOURCE, 'workflows', 'reference', `${table}.jsonl`), 'utf8');
      for (const line of text.split('\n')) if (line.trim()) records.push(JSON.parse(line));
    }
    await this.must('admin', 'POST', '/v1/admin/reference-data', records);
    for (const wf of ['hazard_disposal', 'oversight_case', 'enforcement_case']) {
      const source = fs.readFileSync(path.join(SOURCE, 'workflows', `${wf}.wf`), 'utf8');
      await this.must('admin', 'POST', '/v1/admin/workflows', { file: `${wf}.wf`, source });
    }
    await this.advance('2026-03-02T09:00');
    await this.addUser({ name: 'fire', role: 'staff', department: 'nj.xuanwu.fire', display_name: 'Wang Fang' });
    await this.addUser({ name: 'other', role: 'staff', department: 'nj.gulou.fire', display_name: 'Li Lei' });
    await this.addUser({ name: 'office', role: 'supervisor', department: 'nj.xuanwu.awb', display_name: 'Zhao Min' });
    await this.addUser({ name: 'inspector', role: 'inspector', department: 'nj.xuanwu.jw', display_name: 'Chen Jie' });
    await this.addUser({ name: 'auditor', role: 'auditor', display_name: 'Sun Li' });
    await this.addUser({ name: 'hotline', role: 'publisher', agency: 'hotline-12345', event_types: ['HazardReport'] });
  }

  // A fire-safety hazard reported to 12345 in Xuanwu (routed to nj.xuanwu.fire); resolves
  // with the ticket once the engine has routed it.
  async openFireTicket(subject, description) {
    await this.must('hotline', 'POST', '/v1/events', {
      source: 'hotline-12345',
      subject,
      jurisdiction: 'xuanwu.meiyuan',
      occurred_at: Date.UTC(2026, 2, 2, 1, 0),
      body_type: 'HazardReport',
      body: { category: 'fire_safety', severity: 'general', description },
    });
    for (let i = 0; i < 500; i++) {
      const r = await this.call('admin', 'GET', `/v1/tickets?subject=${subject}&open=true`);
      const tk = r.body && r.body.tickets.find((x) => x.lead);
      if (tk) return tk;
      await sleep(20);
    }
    throw new Error(`no ticket opened for ${subject}`);
  }

  async act(user, id, body) {
    const tk = await this.must(user, 'GET', `/v1/tickets/${id}`);
    return this.must(user, 'POST', `/v1/tickets/${id}/actions`, { expected_version: tk.ticket.version, ...body });
  }
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export async function launch() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/deps.sh installs Debian's chromium`);
  fs.mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

// A fresh browser context (its own localStorage) in `locale`, at laptop size.
export async function newPage(browser, server, locale = 'en-US', viewport = { width: 1366, height: 900 }) {
  // bypassCSP: axe-core is injected as an inline script, which the console's policy refuses.
  const context = await browser.newContext({ locale, viewport, timezoneId: 'Europe/London', acceptDownloads: true, bypassCSP: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.problems = problems;
  await page.goto(`${server.url}/`);
  return page;
}

export async function signIn(page, server, user) {
  await page.getByLabel(/Access token|访问令牌/).fill(server.tokens[user]);
  await page.getByRole('button', { name: /^(Sign in|登录)$/ }).click();
  await page.getByRole('button', { name: /Sign out|退出/ }).waitFor();
}

export async function shot(page, name) {
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// axe-core in the page: the WCAG 2 A/AA rules; returns the serious and critical violations.
export async function axe(page) {
  const source = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: source });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}
