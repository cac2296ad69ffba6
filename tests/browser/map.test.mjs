// The map, drawn offline by Apache ECharts embedded in the binary: districts at their centres
// (the project ships no outlines, and the view says so), open tickets as points coloured by
// state; a click on a point opens its ticket. Nothing is fetched from another origin.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Server, axe, launch, newPage, shot, signIn } from './harness.mjs';

const server = new Server('map');
let browser;
let a;
let b;

before(async () => {
  await server.start();
  await server.seed();
  a = await server.openFireTicket('ent-xw-101', '楼梯间 B 安全出口被杂物堵塞');
  b = await server.openFireTicket('ent-xw-102', '食堂灭火器过期');
  await server.advance('2026-03-02T09:30');
  await server.act('fire', b.id, { verb: 'sign_for' });
  browser = await launch();
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
    await page.getByText(lang === 'en' ? /Positions are approximate/ : /位置为近似/).waitFor();
    // The chart's own model: two ticket series (two states), points where the places are.
    const model = await page.evaluate(async () => {
      const echarts = await import('/console/vendor/echarts.js');
      const chart = echarts.getInstanceByDom(document.getElementById('map'));
      const option = chart.getOption();
      const tickets = option.series.filter((s) => s.data.some((d) => d.id));
      const district = option.series[0].data;
      return {
        legend: option.legend[0].data,
        points: tickets.flatMap((s) => s.data.map((d) => ({ id: d.id, colour: s.itemStyle.color }))),
        districts: district.map((d) => d.name),
      };
    });
    assert.equal(model.points.length, 2);
    assert.notEqual(model.points[0].colour, model.points[1].colour, 'two states, two colours');
    assert.deepEqual(model.legend.sort(), (lang === 'en' ? ['Dispatched, to sign for', 'Verifying on site'] : ['待签收', '现场核查']).sort());
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
      const [x, y] = chart.convertToPixel({ seriesIndex: si }, series[si].data.find((d) => d.id === id).value);
      return [r.x + x, r.y + y];
    }, a.id);
    await page.mouse.click(xy[0], xy[1]);
    await page.getByRole('heading', { level: 1, name: new RegExp(a.id) }).waitFor();
    assert.deepEqual(foreign, [], 'nothing from another origin');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}
