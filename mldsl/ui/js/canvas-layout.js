// Where the DAG's steps go: laid out by dagre (vendored: layers, crossing minimisation, edges routed around nodes;
// U4), then kept where they are across edits (issue #30 m1: every edit laid the whole graph out again and the
// steps jumped about). A step already drawn keeps its place; a new one goes where dagre puts it, moved down
// past any step in the way; "Tidy" lays everything out afresh.
import { MIN_SCALE, availableWidth } from "./canvas-view.js";
import { S } from "./state.js";

export const W = 170, H = 46;
const GAP = 16;

// dagre's layout, cached by the graph's shape: typing in a card does not lay it out again (300 steps take a while).
function layout(steps, deps, rankdir) {
  const key = rankdir + JSON.stringify(steps.map(s => [s.name, deps[s.name]]));
  S.layouts = S.layouts || new Map();
  if (S.layouts.has(key)) return S.layouts.get(key);
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir, nodesep: 16, ranksep: rankdir === "LR" ? 40 : 30, edgesep: 10, marginx: 6, marginy: 6 });
  g.setDefaultEdgeLabel(() => ({}));
  steps.forEach(s => g.setNode("s:" + s.name, { width: W, height: H }));
  steps.forEach(s => deps[s.name].forEach(d => g.setEdge("s:" + d, "s:" + s.name)));
  dagre.layout(g);
  const out = { rankdir, width: g.graph().width, height: g.graph().height,
    nodes: Object.fromEntries(steps.map(s => { const n = g.node("s:" + s.name); return [s.name, { x: n.x, y: n.y }]; })),
    edges: g.edges().map(e => ({ from: e.v.slice(2), to: e.w.slice(2), points: g.edge(e).points })) };
  if (S.layouts.size > 16) S.layouts.clear();
  S.layouts.set(key, out);
  return out;
}

// Top to bottom, unless that is wider than the canvas and left to right is narrower (a wide fan-out reads
// better as rows, scrolled down, than as a strip scrolled sideways).
function bestLayout(steps, deps) {
  const tb = layout(steps, deps, "TB");
  if (tb.width * MIN_SCALE <= availableWidth()) return tb;
  const lr = layout(steps, deps, "LR");
  return lr.width < tb.width ? lr : tb;
}

const overlaps = (a, b) => Math.abs(a.x - b.x) < W + GAP && Math.abs(a.y - b.y) < H + GAP;

// Whether the axis-parallel segment p-q runs through the box of a step at c (w×h), less a pixel at its rim.
function crosses(p, q, c, w, h) {
  const [x0, x1] = [Math.min(p.x, q.x), Math.max(p.x, q.x)], [y0, y1] = [Math.min(p.y, q.y), Math.max(p.y, q.y)];
  return x1 > c.x - w / 2 + 1 && x0 < c.x + w / 2 - 1 && y1 > c.y - h / 2 + 1 && y0 < c.y + h / 2 - 1;
}

// An edge between steps placed by hand of the layout (not dagre's): out of the source's bottom, into the
// target's top (right and left, left to right), down a lane beside the steps in between, so that it runs
// through none of them (as dagre's routes do). Worked out top to bottom; left to right swaps x and y.
function route(a, b, rankdir, others) {
  const lr = rankdir === "LR", t = p => lr ? { x: p.y, y: p.x } : p;
  const [w, h] = lr ? [H, W] : [W, H];
  const [s, e] = [t(a), t(b)];
  const [top, bottom] = [Math.min(s.y, e.y) - h, Math.max(s.y, e.y) + h];
  const boxes = others.map(t).filter(c => c.y > top && c.y < bottom);  // only the steps between can be in the way
  const down = s.y + h / 2 + 10, up = e.y - h / 2 - 10;
  const lanes = [s.x, e.x, ...boxes.flatMap(c => [c.x - w / 2 - 8, c.x + w / 2 + 8])];
  lanes.sort((x, y) => Math.abs(s.x - x) + Math.abs(x - e.x) - Math.abs(s.x - y) - Math.abs(y - e.x));  // shortest first
  const path = x => [{ x: s.x, y: s.y + h / 2 }, { x: s.x, y: down }, { x, y: down }, { x, y: up }, { x: e.x, y: up }, { x: e.x, y: e.y - h / 2 }];
  const clear = p => p.slice(1).every((q, i) => boxes.every(c => !crosses(p[i], q, c, w, h)));
  const lane = lanes.find(x => clear(path(x)));
  return path(lane === undefined ? e.x : lane).map(t);
}

// `fresh` (dagre's) with the steps of `was` where they were; edges between moved steps routed anew. A step
// that comes back (Undo of a removal) goes where it was (`memory`), when that place is still free.
function keepPlaces(fresh, was, memory) {
  const nodes = {}, placed = [];
  Object.keys(fresh.nodes).forEach(n => { if (was.nodes[n]) { nodes[n] = was.nodes[n]; placed.push(nodes[n]); } });
  Object.keys(fresh.nodes).forEach(n => {
    if (nodes[n]) return;
    const back = memory[n] && !placed.some(p => overlaps(p, memory[n]));
    const at = { ...(back ? memory[n] : fresh.nodes[n]) };
    while (placed.some(p => overlaps(p, at))) { if (fresh.rankdir === "LR") at.x += W + GAP; else at.y += H + GAP; }
    nodes[n] = at; placed.push(at);
  });
  // an edge drawn before between steps that stayed keeps its route; one whose two ends moved alike (dagre
  // shifted the graph for a new step) keeps dagre's route, shifted; the others go round the steps in between
  const shift = n => [nodes[n].x - fresh.nodes[n].x, nodes[n].y - fresh.nodes[n].y];
  const before = new Map(was.edges.filter(e => nodes[e.from] === was.nodes[e.from] && nodes[e.to] === was.nodes[e.to]).map(e => [e.from + ">" + e.to, e]));
  const edges = fresh.edges.map(e => {
    if (before.has(e.from + ">" + e.to)) return before.get(e.from + ">" + e.to);
    const [dx, dy] = shift(e.from), [ex, ey] = shift(e.to);
    if (dx !== ex || dy !== ey || !e.points) return { ...e, points: route(nodes[e.from], nodes[e.to], fresh.rankdir, Object.keys(nodes).filter(n => n !== e.from && n !== e.to).map(n => nodes[n])) };
    return dx || dy ? { ...e, points: e.points.map(q => ({ x: q.x + dx, y: q.y + dy })) } : e;
  });
  const xs = placed.map(p => p.x), ys = placed.map(p => p.y);
  const width = Math.max(fresh.width, Math.max(...xs) + W / 2 + 6), height = Math.max(fresh.height, Math.max(...ys) + H / 2 + 6);
  return { rankdir: fresh.rankdir, width, height, nodes, edges };
}

// The layout drawn: the last one's places kept (S.placed; reset by opening a pipeline and by Tidy).
export function stableLayout(steps, deps) {
  const was = S.placed;
  const key = JSON.stringify(steps.map(s => [s.name, deps[s.name]]));
  if (was && was.key === key) return was.out;  // the same graph as last drawn
  const memory = was ? { ...was.memory, ...was.out.nodes } : {};
  let out;
  if (!was) out = bestLayout(steps, deps);
  // every step has its place already (a step removed, a wire added): no layout to make (300 steps take seconds)
  else if (steps.every(s => was.out.nodes[s.name])) out = keepPlaces(asPlaced(steps, deps, was.out), was.out, memory);
  else out = keepPlaces(layout(steps, deps, was.out.rankdir), was.out, memory);
  S.placed = { key, out, memory };
  return out;
}

// The graph of `steps` at the places of `out`, its edges not yet routed.
function asPlaced(steps, deps, out) {
  const edges = steps.flatMap(s => deps[s.name].map(d => ({ from: d, to: s.name, points: null })));
  return { rankdir: out.rankdir, width: out.width, height: out.height, nodes: Object.fromEntries(steps.map(s => [s.name, out.nodes[s.name]])), edges };
}

// A renamed step keeps its place (a copy: `out` may be dagre's cached layout, which must not change).
export function renamePlace(from, to) {
  const p = S.placed && S.placed.out.nodes[from];
  if (!p) return;
  const nodes = { ...S.placed.out.nodes, [to]: p };
  delete nodes[from];
  S.placed = { ...S.placed, key: null, out: { ...S.placed.out, nodes } };
}
