// The forms of the console, each drawn from its workflow's verb declaration, in Debian's
// chromium: staff read the case file first and dismiss a false alarm with a reason; a
// supervisor reports a unit's dereliction with a reason; the discipline inspector records an
// accountability decision from the forms of 问责; a return that takes a ticket out of the
// user's scope says what happened.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Server, axe, launch, newPage, shot, signIn } from './harness.mjs';

const server = new Server('forms');
let browser;

before(async () => {
  await server.start();
  await server.seed();
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  assert.equal(await server.stop(), 0, `serve did not stop cleanly; log in ${server.dir}`);
});

// The action `verb` open to `user` on ticket `id`, as the API declares it.
async function declared(user, id, verb) {
  const tk = await server.must(user, 'GET', `/v1/tickets/${id}`);
  const a = tk.actions.find((x) => x.verb === verb);
  assert.ok(a, `${verb} is open to ${user}`);
  assert.equal(a.declared, true, `${verb} is declared by its workflow`);
  return a;
}

// Opens the form of `action` and checks it holds exactly the declared fields: one labelled
// control per field (a select with the declared choices for a choice), required as declared.
async function openDeclaredForm(page, action) {
  await page.getByRole('button', { name: action.title, exact: true }).click();
  const form = page.locator(`#form-${action.verb}`);
  await form.waitFor();
  assert.equal(await form.locator('.field').count(), action.fields.length, `${action.verb}: one control per declared field`);
  for (const f of action.fields) {
    // Exact, but for working days whose label also says their bound ("(up to 10)").
    const control = form.getByLabel(f.title, { exact: f.kind !== 'working_days' });
    assert.equal(await control.count(), 1, `${action.verb}: a control labelled "${f.title}"`);
    assert.equal(await control.getAttribute('name'), f.param);
    assert.equal((await control.getAttribute('required')) !== null, f.required, `${f.name} required as declared`);
    if (f.kind === 'choice') {
      const options = await control.locator('option').evaluateAll((os) => os.map((o) => [o.value, o.textContent]).filter(([v]) => v));
      assert.deepEqual(options, f.choices.map((c) => [c.value, c.title]), `${f.name}: the declared choices`);
    }
  }
  return form;
}

test('staff read the case file first and dismiss a false alarm with a reason', async () => {
  const t = await server.openFireTicket('ent-xw-201', 'smoke seen on the third floor of the warehouse');
  await server.act('fire', t.id, { verb: 'sign_for' });
  const page = await newPage(browser, server);
  await signIn(page, server, 'fire');
  await page.goto(`${server.url}/#/ticket/${t.id}`);
  const caseFile = page.locator('section.case-file');
  await caseFile.getByText('smoke seen on the third floor of the warehouse').first().waitFor();
  assert.equal(await caseFile.locator('li.case-entry[data-relation="opened"]').count(), 1);
  assert.match(await caseFile.locator('.case-summary').textContent(), /hotline-12345/);

  const action = await declared('fire', t.id, 'dismiss');
  const form = await openDeclaredForm(page, action);
  // Sent without its reason the browser holds the form back; the API would answer 422.
  const bare = await server.call('fire', 'POST', `/v1/tickets/${t.id}/actions`, { verb: 'dismiss' });
  assert.equal(bare.status, 422);
  assert.equal(bare.body.error.field, 'reason');
  await form.getByLabel(action.fields.find((f) => f.name === 'reason').title).fill('A steam leak from the boiler room, no fire; checked with the site manager');
  assert.deepEqual(await axe(page), [], 'dismiss form accessibility');
  await shot(page, '21-dismiss-form');
  await page.getByRole('button', { name: `Submit: ${action.title}` }).click();
  await page.locator('.actions p.ok', { hasText: `${action.title}: done` }).waitFor();
  const now = await server.must('admin', 'GET', `/v1/tickets/${t.id}`);
  assert.equal(now.ticket.closed, true);
  assert.equal(now.ticket.resolution, 'false_alarm');
  assert.equal(now.ticket.facts.dismiss_reason, 'A steam leak from the boiler room, no fire; checked with the site manager');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a supervisor reports dereliction with a reason, and the inspector records an accountability decision', async () => {
  const t = await server.openFireTicket('ent-xw-202', 'fire doors chained shut at the night market');
  const office = await newPage(browser, server);
  await signIn(office, server, 'office');
  await office.goto(`${server.url}/#/ticket/${t.id}`);
  await office.locator('section.case-file').getByText('fire doors chained shut at the night market').first().waitFor();
  const report = await declared('office', t.id, 'report_dereliction');
  const form = await openDeclaredForm(office, report);
  await form.getByLabel(report.fields[0].title).fill('Third report this month; the unit has not signed for any of them');
  await shot(office, '22-dereliction-form');
  await office.getByRole('button', { name: `Submit: ${report.title}` }).click();
  await office.locator('.actions p.ok', { hasText: `${report.title}: done` }).waitFor();
  await office.context().close();

  // The ladder's dereliction step chains an oversight ticket to Xuanwu's commission.
  let oversight = null;
  for (let i = 0; i < 200 && !oversight; i++) {
    const list = await server.must('inspector', 'GET', '/v1/tickets?open=true');
    oversight = list.tickets.find((tk) => tk.parent_id === t.id);
    if (!oversight) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(oversight, 'an oversight ticket for the commission');
  await server.act('inspector', oversight.id, { verb: 'sign_for' });

  const page = await newPage(browser, server);
  await signIn(page, server, 'inspector');
  await page.goto(`${server.url}/#/ticket/${oversight.id}`);
  const decide = await declared('inspector', oversight.id, 'record_decision');
  const decisionForm = await openDeclaredForm(page, decide);
  const decision = decide.fields.find((f) => f.name === 'decision');
  assert.ok(decision.choices.some((c) => c.value === 'admonishment'));
  await decisionForm.getByLabel(decision.title, { exact: true }).selectOption('admonishment');
  await decisionForm.getByLabel(decide.fields.find((f) => f.name === 'reason').title).fill('The unit ignored three reports of chained fire doors');
  assert.deepEqual(await axe(page), [], 'accountability form accessibility');
  await shot(page, '23-accountability-form');
  await page.getByRole('button', { name: `Submit: ${decide.title}` }).click();
  await page.locator('.actions p.ok', { hasText: `${decide.title}: done` }).waitFor();
  const now = await server.must('admin', 'GET', `/v1/tickets/${oversight.id}`);
  assert.equal(now.ticket.state, 'decided');
  assert.equal(now.ticket.facts.accountability, 'admonishment');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a return that takes the ticket out of your scope says it was recorded and where it went', async () => {
  const t = await server.openFireTicket('ent-xw-203', 'gas smell in a restaurant kitchen');
  const page = await newPage(browser, server);
  await signIn(page, server, 'fire');
  await page.goto(`${server.url}/#/ticket/${t.id}`);
  const ret = await declared('fire', t.id, 'return');
  const form = await openDeclaredForm(page, ret);
  await form.getByLabel(ret.fields.find((f) => f.name === 'reason').title).fill('Gas in a kitchen is urban management’s, not fire rescue’s');
  await page.getByRole('button', { name: `Submit: ${ret.title}` }).click();
  const said = page.locator('p.left', { hasText: `${ret.title}: recorded` });
  await said.waitFor();
  assert.match(await said.textContent(), /outside your view/);
  await page.getByRole('link', { name: 'Back to the queue' }).waitFor();
  await shot(page, '24-returned-out-of-scope');
  await page.context().close();
});
