// A chain drawn as a tree by Apache ECharts on a canvas (a graph series, echarts_mount.js): each ticket a
// box (id, workflow, state, lead), each parent -> child link an arrow; a click on a box opens
// that ticket. Below the drawing the same tickets are links, for keyboards and screen readers.
import { h } from './dom.js';
import { t } from './i18n.js';
import { mount } from './echarts_mount.js';
import { deptName, stateTitle, workflowTitle } from './reference.js';

const W = 270;
const H = 74;
const GAP_X = 56;
const GAP_Y = 22;
const PAD = 6;

// Tree layout: depth by parent links, rows in the chain's order (by opening time); positions
// are the boxes' centres in pixels.
function layout(tickets) {
  const byId = new Map(tickets.map((tk) => [tk.id, tk]));
  const depth = new Map();
  const depthOf = (tk, guard = 0) => {
    if (depth.has(tk.id)) return depth.get(tk.id);
    const parent = byId.get(tk.parent_id);
    const d = parent && guard < 50 ? depthOf(parent, guard + 1) + 1 : 0;
    depth.set(tk.id, d);
    return d;
  };
  const rows = new Map();
  const pos = new Map();
  for (const tk of tickets) {
    const d = depthOf(tk);
    const row = rows.get(d) || 0;
    rows.set(d, row + 1);
    pos.set(tk.id, { x: PAD + W / 2 + d * (W + GAP_X), y: PAD + H / 2 + row * (H + GAP_Y) });
  }
  return { pos, byId };
}

// A box's colours, drawn as its label's background and border (a graph symbol's border is
// stretched with the symbol; a label's is not).
function look(tk, currentId) {
  const fill = tk.closed ? '#eceff2' : '#f7f9fc';
  if (tk.id === currentId) return { backgroundColor: '#e1ecf8', borderColor: '#1d5fa8', borderWidth: 3 };
  if (tk.overdue) return { backgroundColor: fill, borderColor: '#c62828', borderWidth: 2 };
  return { backgroundColor: fill, borderColor: '#7d8a99', borderWidth: 1.5 };
}

export function chainGraph(tickets, currentId, hrefFor) {
  if (!tickets.length) return h('p', '—');
  const { pos, byId } = layout(tickets);
  let width = 0;
  let height = 0;
  for (const p of pos.values()) {
    width = Math.max(width, p.x + W / 2 + PAD);
    height = Math.max(height, p.y + H / 2 + PAD);
  }
  const describe = (tk) => `${tk.id}: ${workflowTitle(tk.workflow)}, ${stateTitle(tk.workflow, tk.state)}, ${deptName(tk.lead)}`;
  const box = h('div.echart.chain-drawing', { role: 'img', 'aria-label': `${t('ticket.chain')}: ${tickets.map(describe).join('; ')}` });
  // Pixel for pixel: the drawing is as large as the tree (the figure scrolls sideways when the
  // screen is narrower).
  box.style.width = `${width}px`;
  box.style.height = `${height}px`;
  const edges = tickets.filter((tk) => byId.has(tk.parent_id)).map((tk) => ({ source: tk.parent_id, target: tk.id }));
  mount(
    box,
    {
      animation: false,
      // A hidden pixel grid the size of the drawing: node positions are pixels (ECharts' own
      // fitting of a graph to its box divides by the tree's extent, which is 0 for one row).
      grid: { left: 0, right: 0, top: 0, bottom: 0 },
      xAxis: { type: 'value', show: false, min: 0, max: width },
      yAxis: { type: 'value', show: false, min: 0, max: height, inverse: true },
      series: [
        {
          type: 'graph',
          layout: 'none',
          coordinateSystem: 'cartesian2d',
          symbol: 'rect',
          symbolSize: [W, H],
          itemStyle: { color: 'rgba(255,255,255,0)' },
          emphasis: { disabled: true },
          label: {
            show: true,
            position: 'inside',
            align: 'left',
            verticalAlign: 'middle',
            offset: [-W / 2, 0],
            width: W - 20,
            height: H - 12,
            padding: [6, 10],
            borderRadius: 6,
            overflow: 'truncate',
            color: '#1b2430',
            fontSize: 12,
            lineHeight: 16,
            rich: { id: { fontWeight: 700, fontSize: 12 }, st: { color: '#123c66', fontSize: 12 }, dept: { color: '#4f5b69', fontSize: 11 } },
            formatter: (p) => p.data.text,
          },
          data: tickets.map((tk) => ({
            name: tk.id,
            value: [pos.get(tk.id).x, pos.get(tk.id).y],
            label: look(tk, currentId),
            text: [`{id|${clip(tk.id, 40)}}`, clip(workflowTitle(tk.workflow), 30), `{st|${clip(stateTitle(tk.workflow, tk.state), 34)}}`, `{dept|${clip(deptName(tk.lead), 32)}}`].join('\n'),
          })),
          z: 2,
        },
        // Parent -> child arrows from box edge to box edge (a graph's own links end at the
        // boxes' centres, under the boxes).
        {
          type: 'lines',
          coordinateSystem: 'cartesian2d',
          silent: true,
          symbol: ['none', 'arrow'],
          symbolSize: 9,
          lineStyle: { color: '#5f6b7a', width: 1.5, opacity: 1 },
          data: edges.map(({ source, target }) => {
            const a = pos.get(source);
            const b = pos.get(target);
            return { coords: [[a.x + W / 2, a.y], [b.x - W / 2 - 1, b.y]] };
          }),
          z: 1,
        },
      ],
    },
    {
      setup: (chart) => {
        chart.on('click', (p) => {
          const tk = p.dataType === 'node' && byId.get(p.data.name);
          if (tk) location.hash = hrefFor(tk);
        });
      },
      missing: () => box.replaceChildren(h('p.muted', t('chart.nolib'))),
    },
  );
  return h(
    'figure.chain',
    box,
    h(
      'figcaption',
      h(
        'ul.chain-links',
        tickets.map((tk) =>
          h('li', h('a', { href: hrefFor(tk), 'aria-current': tk.id === currentId ? 'page' : null }, tk.id), ` ${tk.parent_id && byId.has(tk.parent_id) ? `← ${tk.parent_id} · ` : '· '}${stateTitle(tk.workflow, tk.state)}`),
        ),
      ),
    ),
  );
}

// Rich-text markup characters in names would be read as markup: drop them, and cut long text.
function clip(text, n) {
  const s = String(text).replace(/[{}|]/g, ' ');
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
