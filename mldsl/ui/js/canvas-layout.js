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

// An edge between placed steps: out of the source's bottom (right, left to right), into the target's top (left).
function route(a, b, rankdir) {
  if (rankdir === "LR") return [{ x: a.x + W / 2, y: a.y }, { x: a.x + W / 2 + 12, y: a.y }, { x: b.x - W / 2 - 12, y: b.y }, { x: b.x - W / 2, y: b.y }];
  return [{ x: a.x, y: a.y + H / 2 }, { x: a.x, y: a.y + H / 2 + 10 }, { x: b.x, y: b.y - H / 2 - 10 }, { x: b.x, y: b.y - H / 2 }];
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
  const same = n => nodes[n] === fresh.nodes[n] || (nodes[n].x === fresh.nodes[n].x && nodes[n].y === fresh.nodes[n].y);
  const edges = fresh.edges.map(e => same(e.from) && same(e.to) ? e : { ...e, points: route(nodes[e.from], nodes[e.to], fresh.rankdir) });
  const xs = placed.map(p => p.x), ys = placed.map(p => p.y);
  const width = Math.max(fresh.width, Math.max(...xs) + W / 2 + 6), height = Math.max(fresh.height, Math.max(...ys) + H / 2 + 6);
  return { rankdir: fresh.rankdir, width, height, nodes, edges };
}

// The layout drawn: the last one's places kept (S.placed; reset by opening a pipeline and by Tidy).
export function stableLayout(steps, deps) {
  const was = S.placed;
  const fresh = was ? layout(steps, deps, was.out.rankdir) : bestLayout(steps, deps);
  if (was && was.fresh === fresh) return was.out;  // the same graph as last drawn
  const memory = was ? { ...was.memory, ...was.out.nodes } : {};
  const out = was ? keepPlaces(fresh, was.out, memory) : fresh;
  S.placed = { fresh, out, memory };
  return out;
}

// A renamed step keeps its place (a copy: `out` may be dagre's cached layout, which must not change).
export function renamePlace(from, to) {
  const p = S.placed && S.placed.out.nodes[from];
  if (!p) return;
  const nodes = { ...S.placed.out.nodes, [to]: p };
  delete nodes[from];
  S.placed = { ...S.placed, fresh: null, out: { ...S.placed.out, nodes } };
}
