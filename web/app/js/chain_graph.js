// A chain drawn as a tree: each ticket a box (id, workflow, state, lead), each parent -> child
// link an arrow. Boxes are links to the ticket, so the graph is usable by keyboard; the
// figure also carries a text description for screen readers.
import { h, svg } from './dom.js';
import { t } from './i18n.js';
import { deptName, stateTitle, workflowTitle } from './reference.js';

const W = 280;
const H = 74;
const GAP_X = 40;
const GAP_Y = 26;

// Tree layout: depth by parent links, rows in the chain's order (by opening time).
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
    pos.set(tk.id, { x: 10 + d * (W + GAP_X), y: 10 + row * (H + GAP_Y) });
  }
  return { pos, byId };
}

function clip(text, n) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

export function chainGraph(tickets, currentId, hrefFor) {
  if (!tickets.length) return h('p', '—');
  const { pos, byId } = layout(tickets);
  let width = 0;
  let height = 0;
  for (const p of pos.values()) {
    width = Math.max(width, p.x + W + 10);
    height = Math.max(height, p.y + H + 10);
  }
  const edges = [];
  for (const tk of tickets) {
    const parent = byId.get(tk.parent_id);
    if (!parent) continue;
    const a = pos.get(parent.id);
    const b = pos.get(tk.id);
    edges.push(
      svg('path', {
        class: 'edge',
        d: `M${a.x + W},${a.y + H / 2} C${a.x + W + GAP_X / 2},${a.y + H / 2} ${b.x - GAP_X / 2},${b.y + H / 2} ${b.x},${b.y + H / 2}`,
        'marker-end': 'url(#arrow)',
      }),
    );
  }
  const nodes = tickets.map((tk) => {
    const p = pos.get(tk.id);
    const cls = ['node', tk.closed ? 'closed' : '', tk.overdue ? 'overdue' : '', tk.id === currentId ? 'current' : '']
      .filter(Boolean)
      .join(' ');
    const label = `${tk.id}: ${workflowTitle(tk.workflow)}, ${stateTitle(tk.workflow, tk.state)}, ${deptName(tk.lead)}`;
    const a = svg(
      'a',
      { href: hrefFor(tk), class: cls, 'aria-label': label },
      svg('rect', { x: p.x, y: p.y, width: W, height: H, rx: 8 }),
      svg('text', { x: p.x + 10, y: p.y + 20, class: 'n-id' }, tk.id),
      svg('text', { x: p.x + 10, y: p.y + 38 }, clip(workflowTitle(tk.workflow), 36)),
      svg('text', { x: p.x + 10, y: p.y + 55, class: 'n-state' }, stateTitle(tk.workflow, tk.state)),
      svg('text', { x: p.x + 10, y: p.y + 69, class: 'n-dept' }, clip(deptName(tk.lead), 40)),
    );
    return a;
  });
  const desc = tickets
    .map((tk) => `${tk.id}${tk.parent_id ? ` ← ${tk.parent_id}` : ''}: ${stateTitle(tk.workflow, tk.state)}`)
    .join('; ');
  return h(
    'figure.chain',
    svg(
      'svg',
      { viewBox: `0 0 ${width} ${height}`, width, height, role: 'group', 'aria-label': t('ticket.chain') },
      svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' }, svg('path', { d: 'M0,0 L10,5 L0,10 z' }))),
      edges,
      nodes,
    ),
    h('figcaption.visually-hidden', desc),
  );
}
