// The overview's charts, drawn by Apache ECharts on a canvas (echarts_mount.js): horizontal bars and a
// line over days. Each chart is a figure with a caption, the drawing (role img, labelled by
// the caption) and a visually hidden table of its numbers, so the figures read without sight.
import { h } from './dom.js';
import { t } from './i18n.js';
import { mount } from './echarts_mount.js';

const ACCENT = '#1d5fa8';
const RISK = { 'risk-red': '#c62828', 'risk-orange': '#e06b00', 'risk-yellow': '#d9a000', 'risk-blue': '#1d5fa8' };
const TEXT = { color: '#1b2430', fontSize: 12 };
const AXIS = { lineStyle: { color: '#8895a5' } };

// Rows top to bottom as given: [{label, value, cls}] (cls a risk colour).
export function bars(title, rows, opts = {}) {
  const box = drawing('bars', 26 * rows.length + 16);
  const labelWidth = opts.labelWidth || 200;
  mount(
    box,
    {
      animation: false,
      grid: { left: labelWidth, right: 48, top: 4, bottom: 4 },
      tooltip: { trigger: 'item', renderMode: 'richText' },
      xAxis: { type: 'value', show: false, max: (v) => Math.max(1, v.max) },
      yAxis: {
        type: 'category',
        inverse: true,
        data: rows.map((r) => r.label),
        axisTick: { show: false },
        axisLine: AXIS,
        axisLabel: { ...TEXT, width: labelWidth - 12, overflow: 'truncate' },
      },
      series: [
        {
          type: 'bar',
          barCategoryGap: '30%',
          data: rows.map((r) => ({ value: r.value, name: r.label, itemStyle: { color: RISK[r.cls] || ACCENT } })),
          label: { show: true, position: 'right', ...TEXT },
        },
      ],
    },
    { missing: () => box.replaceChildren(h('p.muted', t('chart.nolib'))) },
  );
  return figure(title, box, rows);
}

// Points left to right: [{label, value}].
export function line(title, points) {
  const box = drawing('line', 220);
  mount(
    box,
    {
      animation: false,
      grid: { left: 40, right: 16, top: 16, bottom: 28 },
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      xAxis: { type: 'category', data: points.map((p) => p.label), axisLine: AXIS, axisLabel: { ...TEXT } },
      yAxis: { type: 'value', minInterval: 1, axisLine: { show: true, ...AXIS }, axisLabel: TEXT, splitLine: { lineStyle: { color: '#e3e7ec' } } },
      series: [{ type: 'line', data: points.map((p) => p.value), lineStyle: { color: '#c62828', width: 2.5 }, itemStyle: { color: '#c62828' }, symbolSize: 7 }],
    },
    { missing: () => box.replaceChildren(h('p.muted', t('chart.nolib'))) },
  );
  return figure(title, box, points);
}

// The element ECharts draws in; its height set through the CSSOM (the console's
// Content-Security-Policy admits no inline style attributes).
function drawing(kind, height) {
  const box = h(`div.echart.chart-${kind}`, { role: 'img' });
  box.style.height = `${height}px`;
  return box;
}

let seq = 0;
function figure(title, box, rows) {
  const id = `chart-${++seq}`;
  box.setAttribute('aria-labelledby', id);
  return h(
    'figure.card.chart-card',
    h('figcaption', h(`h2#${id}`, title)),
    box,
    h('table.visually-hidden', h('caption', title), h('tbody', rows.map((r) => h('tr', h('th', { scope: 'row' }, r.label), h('td', r.value))))),
  );
}
