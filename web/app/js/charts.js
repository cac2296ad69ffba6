// Small SVG charts for the overview: horizontal bars and a line over days. Each chart is a
// figure with a caption and a visually hidden table of its numbers, so the figures are
// readable without sight.
import { h, svg } from './dom.js';

// Cuts a label to about `px` pixels at the charts' 12 px font (CJK characters are twice as
// wide as Latin ones); the full text stays in the SVG <title>.
function clip(text, px) {
  const s = String(text);
  let width = 0;
  for (let i = 0; i < s.length; i++) {
    width += s.charCodeAt(i) > 0x2e80 ? 12 : 6.6;
    if (width > px) return `${s.slice(0, Math.max(1, i - 1))}…`;
  }
  return s;
}

export function bars(title, rows, opts = {}) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const rowH = 26;
  const labelW = opts.labelWidth || 200;
  const width = 560;
  const height = rows.length * rowH + 8;
  const body = rows.map((r, i) => {
    const w = Math.round(((width - labelW - 60) * r.value) / max);
    const y = 4 + i * rowH;
    return svg(
      'g',
      {},
      svg('text', { x: labelW - 8, y: y + 16, 'text-anchor': 'end', class: 'c-label' }, clip(r.label, labelW - 14), svg('title', {}, r.label)),
      svg('rect', { x: labelW, y: y + 3, width: Math.max(w, 1), height: rowH - 8, class: `c-bar ${r.cls || ''}` }),
      svg('text', { x: labelW + w + 6, y: y + 16, class: 'c-value' }, r.value),
    );
  });
  return figure(title, svg('svg', { viewBox: `0 0 ${width} ${height}`, 'aria-hidden': 'true', class: 'chart' }, body), rows);
}

export function line(title, points) {
  const width = 560;
  const height = 200;
  const pad = 34;
  const max = Math.max(1, ...points.map((p) => p.value));
  const x = (i) => pad + (i * (width - 2 * pad)) / Math.max(1, points.length - 1);
  const y = (v) => height - pad - (v * (height - 2 * pad)) / max;
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(i)},${y(p.value)}`).join(' ');
  const body = [
    svg('line', { x1: pad, y1: height - pad, x2: width - pad, y2: height - pad, class: 'c-axis' }),
    svg('line', { x1: pad, y1: pad, x2: pad, y2: height - pad, class: 'c-axis' }),
    svg('text', { x: pad - 6, y: pad + 4, 'text-anchor': 'end', class: 'c-value' }, max),
    svg('text', { x: pad - 6, y: height - pad, 'text-anchor': 'end', class: 'c-value' }, 0),
    svg('path', { d: path, class: 'c-line' }),
    points.map((p, i) => [
      svg('circle', { cx: x(i), cy: y(p.value), r: 3.5, class: 'c-dot' }),
      i % Math.ceil(points.length / 7) === 0 || i === points.length - 1
        ? svg('text', { x: x(i), y: height - pad + 16, 'text-anchor': 'middle', class: 'c-label' }, p.label)
        : null,
    ]),
  ];
  return figure(title, svg('svg', { viewBox: `0 0 ${width} ${height}`, 'aria-hidden': 'true', class: 'chart' }, body), points);
}

function figure(title, drawing, rows) {
  return h(
    'figure.card.chart-card',
    h('figcaption', h('h2', title)),
    drawing,
    h('table.visually-hidden', h('caption', title), h('tbody', rows.map((r) => h('tr', h('th', { scope: 'row' }, r.label), h('td', r.value))))),
  );
}
