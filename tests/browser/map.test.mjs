// The maps, drawn offline by Apache ECharts embedded in the binary: the district and street
// outlines the city ships (scripts/outlines.py), enterprises in their risk colours, open
// tickets as points coloured by state; a click on a point opens its ticket. A city without
// outlines gets its districts at their centres, and the map says so. The same map on the
// overview, the queue and a ticket's page. Nothing is fetched from another origin.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Server, axe, launch, newPage, shot, signIn } from './harness.mjs';

const server = new Server('map');
let browser;
let a;
let b;
let outlines;
let enterprises;

before(async () => {
  await server.start();
  await server.seed();
  a = await server.openFireTicket('ent-xw-101', '楼梯间 B 安全出口被杂物堵塞');
  b = await server.openFireTicket('ent-xw-102', '食堂灭火器过期');
  await server.advance('2026-03-02T09:30');
  await server.act('fire', b.id, { verb: 'sign_for' });
  browser = await launch();
  // What the server ships for the map: Nanjing's 76 street and 11 district outlines.
  const geo = await server.must('fire', 'GET', '/v1/places/outlines');
  const level = (l) => geo.features.filter((f) => f.properties.level === l);
  outlines = {
    streets: level('street').map((f) => f.properties.code),
    districtRings: level('district').reduce((n, f) => n + f.geometry.coordinates.length, 0),
  };
  const ents = (await server.must('fire', 'GET', '/v1/places/enterprises')).enterprises;
  enterprises = Object.fromEntries(['red', 'orange', 'yellow', 'blue'].map((c) => [c, ents.filter((e) => e.risk_colour === c).length]));
});

after(async () => {
  if (browser) await browser.close();
  assert.equal(await server.stop(), 0, `serve did not stop cleanly; log in ${server.dir}`);
});

test('ECharts is served from the binary', async () => {
  const r = await fetch(`${server.url}/console/vendor/echarts.js`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/javascript/);
  assert.ok((await r.text()).length > 500000, 'the whole library');
  assert.equal((await fetch(`${server.url}/console/vendor/echarts-LICENSE.txt`)).status, 200);
});

for (const [locale, lang, size] of [['zh-CN', 'zh', { width: 1440, height: 900 }], ['zh-CN', 'zh-phone', { width: 390, height: 844 }], ['en-US', 'en', { width: 1440, height: 900 }]]) {
  test(`${lang}: the map shows districts and the tickets by state; a click opens one`, async () => {
    const page = await newPage(browser, server, locale, size);
    const foreign = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(server.url) && !req.url().startsWith('data:') && !req.url().startsWith('blob:')) foreign.push(req.url());
    });
    await signIn(page, server, 'fire');
    await page.getByRole('link', { name: lang === 'en' ? 'Map' : '地图', exact: true }).click();
    await page.locator('#map canvas').first().waitFor();
    await page.locator('#map-status', { hasText: lang === 'en' ? /2 open ticket\(s\) on the map, \d+ district/ : /地图上共 2 张在办工单，\d+ 个区/ }).waitFor();
    await page.getByText(lang === 'en' ? /outlines are illustrative/ : /边界为示意/).waitFor();
    // The chart's own model: the street outlines as the map's regions, the district outlines
    // as lines, enterprises by colour, two ticket series (two states).
    const model = await page.evaluate(async () => {
      const echarts = await import('/console/vendor/echarts.js');
      const chart = echarts.getInstanceByDom(document.getElementById('map'));
      const option = chart.getOption();
      const byId = (id) => option.series.find((s) => s.id === id);
      const tickets = option.series.filter((s) => s.data.some((d) => d.id));
      return {
        legend: option.legend[0].data,
        regions: chart.getModel().getComponent('geo').coordinateSystem.regions.map((r) => r.name),
        districtRings: byId('district-outlines').data.length,
        enterprises: Object.fromEntries(['red', 'orange', 'yellow', 'blue'].map((c) => [c, byId(`enterprises-${c}`).data.length])),
        points: tickets.flatMap((s) => s.data.map((d) => ({ id: d.id, colour: s.itemStyle.color }))),
        districts: byId('districts').data.map((d) => d.name),
      };
    });
    assert.equal(model.regions.length, outlines.streets.length, 'every street outline drawn');
    assert.deepEqual(model.regions.sort(), outlines.streets.sort());
    assert.equal(model.districtRings, outlines.districtRings, 'every district outline drawn');
    assert.deepEqual(model.enterprises, enterprises, 'every enterprise in its risk colour');
    assert.equal(model.points.length, 2);
    assert.notEqual(model.points[0].colour, model.points[1].colour, 'two states, two colours');
    const states = lang === 'en' ? ['Dispatched, to sign for', 'Verifying on site'] : ['待签收', '现场核查'];
    for (const st of states) assert.ok(model.legend.includes(st), `the legend names ${st}`);
    assert.ok(model.legend.includes(lang === 'en' ? 'Enterprises, red risk' : '企业（红色风险）'));
    assert.ok(model.districts.includes(lang === 'en' ? 'Xuanwu District' : '玄武区'));
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)) <= 0, 'no sideways scrolling');
    assert.deepEqual(await axe(page), [], 'map accessibility');
    await shot(page, `map-${lang}`);
    // A click on a's point opens a (its position asked again: the screenshot resized the page).
    const xy = await page.evaluate(async (id) => {
      const echarts = await import('/console/vendor/echarts.js');
      const chart = echarts.getInstanceByDom(document.getElementById('map'));
      const series = chart.getOption().series;
      const si = series.findIndex((s) => s.data.some((d) => d.id === id));
      const r = document.getElementById('map').getBoundingClientRect();
      const point = series[si].data.find((d) => d.id === id);
      const [x, y] = chart.convertToPixel({ seriesIndex: si }, point.value);
      return [r.x + x + point.symbolOffset[0], r.y + y + point.symbolOffset[1]];
    }, a.id);
    await page.mouse.click(xy[0], xy[1]);
    await page.getByRole('heading', { level: 1, name: new RegExp(a.id) }).waitFor();
    assert.deepEqual(foreign, [], 'nothing from another origin');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

test('the outlines the server ships: every district and street of the city in effect', async () => {
  assert.equal(outlines.streets.length, 76);
  assert.equal(outlines.districtRings, 11);
  assert.ok(Object.values(enterprises).reduce((x, y) => x + y) > 300);
  const r = await server.call('fire', 'GET', '/v1/places/outlines');
  for (const f of r.body.features) {
    assert.match(f.geometry.type, /^(Multi)?Polygon$/);
    assert.ok(f.properties.name && f.properties.name_zh, `${f.properties.code} is named`);
  }
});

test('a city without outlines: the map says so and draws its districts at their centres', async () => {
  const page = await newPage(browser, server, 'zh-CN', { width: 1440, height: 900 });
  await page.route('**/v1/places/outlines', (route) =>
    route.fulfill({ status: 404, contentType: 'application/json', body: JSON.stringify({ error: { code: 'no_outlines', message: 'no outlines ship for the places in effect' } }) }),
  );
  await signIn(page, server, 'fire');
  await page.goto(`${server.url}/#/map`);
  await page.locator('#map canvas').first().waitFor();
  await page.getByText(/本市未提供行政区边界数据/).waitFor();
  await page.locator('#map-status', { hasText: /地图上共 2 张在办工单/ }).waitFor();
  const model = await page.evaluate(async () => {
    const echarts = await import('/console/vendor/echarts.js');
    const option = echarts.getInstanceByDom(document.getElementById('map')).getOption();
    return { outlines: option.series.some((s) => s.id === 'district-outlines'), districts: option.series.find((s) => s.id === 'districts').symbolSize };
  });
  assert.deepEqual(model, { outlines: false, districts: 46 }, 'circles at the centres, no outline drawn');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

// The pixel of ticket `id`'s point on the map in element `sel`, once drawn (null if never).
async function pointOf(page, sel, id) {
  for (let i = 0; i < 50; i++) {
    const xy = await pointNow(page, sel, id).catch(() => null);
    if (xy) return xy;
    await page.waitForTimeout(100);
  }
  return null;
}

async function pointNow(page, sel, id) {
  return page.evaluate(
    async ([sel, id]) => {
      const echarts = await import('/console/vendor/echarts.js');
      const box = document.querySelector(sel);
      const chart = echarts.getInstanceByDom(box);
      const series = chart.getOption().series;
      const si = series.findIndex((s) => s.data.some((d) => d.id === id));
      if (si < 0) return null;
      const r = box.getBoundingClientRect();
      // The point's place, and its offset there (tickets of one place fan out around it).
      const point = series[si].data.find((d) => d.id === id);
      const [x, y] = chart.convertToPixel({ seriesIndex: si }, point.value);
      return [r.x + x + point.symbolOffset[0], r.y + y + point.symbolOffset[1]];
    },
    [sel, id],
  );
}

test('the same map on a ticket, the queue and the overview; a click on a point opens its ticket', async () => {
  const page = await newPage(browser, server, 'zh-CN', { width: 1440, height: 900 });
  await signIn(page, server, 'fire');
  // The queue: the map of the listed tickets, folded until asked for.
  await page.locator('#queue-table tbody tr').first().waitFor();
  await page.locator('details.map-details summary').click();
  await page.locator('details.map-details .map-box canvas').first().waitFor();
  await page.locator('details.map-details .map-box').scrollIntoViewIfNeeded();
  let xy = await pointOf(page, 'details.map-details .map-box', a.id);
  assert.ok(xy, 'a is on the queue’s map');
  assert.ok(await pointOf(page, 'details.map-details .map-box', b.id), 'b is on the queue’s map');
  // The queue's map starts on its tickets' part of the city, not on the whole city.
  const fit = await page.evaluate(async () => {
    const echarts = await import('/console/vendor/echarts.js');
    const chart = echarts.getInstanceByDom(document.querySelector('details.map-details .map-box'));
    const option = chart.getOption();
    const points = option.series.filter((s) => s.id.startsWith('state-')).flatMap((s) => s.data.map((d) => d.value));
    const places = (await (await fetch('/v1/places', { headers: { Authorization: `Bearer ${localStorage.getItem('closeloop.token')}` } })).json()).places;
    return { box: option.geo[0].boundingCoords, points, lons: places.filter((p) => p.lon).map((p) => p.lon) };
  });
  assert.ok(fit.box, 'the queue’s map has an extent of its own');
  const [[west, north], [east, south]] = fit.box;
  for (const [lon, lat] of fit.points) assert.ok(lon > west && lon < east && lat > south && lat < north, `${lon},${lat} is inside the extent`);
  assert.ok(east - west < (Math.max(...fit.lons) - Math.min(...fit.lons)) / 2, 'narrower than half the city');
  assert.deepEqual(await axe(page), [], 'queue with its map: accessibility');
  await shot(page, 'map-queue-zh');
  await page.mouse.click(xy[0], xy[1]);
  await page.getByRole('heading', { level: 1, name: new RegExp(a.id) }).waitFor();
  // The ticket: its own point, on its street's outline.
  const where = page.locator('section.map-card .map-box');
  await where.locator('canvas').first().waitFor();
  xy = await pointOf(page, 'section.map-card .map-box', a.id);
  assert.ok(xy, 'the ticket is on its map');
  await page.locator('section.map-card').scrollIntoViewIfNeeded();
  assert.deepEqual(await axe(page), [], 'ticket with its map: accessibility');
  await shot(page, 'map-ticket-zh');
  await page.context().close();

  // The overview (an auditor): every open ticket and the enterprises.
  const audit = await newPage(browser, server, 'zh-CN', { width: 1440, height: 900 });
  await signIn(audit, server, 'auditor');
  await audit.goto(`${server.url}/#/overview`);
  await audit.locator('section.map-card .map-box canvas').first().waitFor();
  await audit.locator('figure.chart-card .echart canvas[data-zr-dom-id="zr_0"]').nth(5).waitFor();
  await audit.locator('section.map-card .map-box').scrollIntoViewIfNeeded();
  xy = await pointOf(audit, 'section.map-card .map-box', b.id);
  assert.ok(xy, 'b is on the overview’s map');
  await shot(audit, 'map-overview-zh');
  await audit.mouse.click(xy[0], xy[1]);
  await audit.getByRole('heading', { level: 1, name: new RegExp(b.id) }).waitFor();
  assert.deepEqual(audit.problems, []);
  await audit.context().close();
});
