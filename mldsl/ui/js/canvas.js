// The DAG, drawn as SVG: laid out by dagre, the view (fit, zoom, pan, find) in canvas-view.js.
import { ports, portsText } from "./canvas-edit.js";
import { H, W, stableLayout } from "./canvas-layout.js";
import { applyView, canvasPan, canvasTools, fitFor, minimap, scaleOf, showFound } from "./canvas-view.js";
import { moduleOf } from "./edit.js";
import { $, S, domId } from "./state.js";
import { dependencies, upstream } from "./types.js";

export const SVG = "http://www.w3.org/2000/svg";
export function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// Which of `to`'s inputs read which of `from`'s outputs (for an edge's hover text).
export function wiresBetween(from, to) {
  const out = [];
  for (const [input, v] of Object.entries(to.with || {})) {
    for (const m of JSON.stringify(v).matchAll(/steps\.(\w+)\.outputs\.(\w+)(\.uri)?/g)) if (m[1] === from) out.push(m[2] + (m[3] || "") + " → " + input);
  }
  return out;
}

// The params a step reads: in its values, and (as opened) in its `when`, `for_each` and the rest.
export function paramsRead(step) {
  return new Set([...[...JSON.stringify(step.with || {}).matchAll(/params\.(\w+)/g)].map(m => m[1]), ...(step.reads || [])]);
}

// The canvas's parts: a toolbar built once, the params' chips and the scroll box the drawing goes in.
function canvasBox() {
  const box = $("dag");
  if (!$("dag-canvas")) {
    box.textContent = "";
    box.append(canvasTools(() => { S.placed = null; renderDag(); }), legend(), el("div", { id: "dag-chips" }), el("div", { class: "canvas-frame" }, el("div", { id: "dag-canvas", class: "canvas" })));
  }
  return { chips: $("dag-chips"), canvas: $("dag-canvas"), tools: box.querySelector(".canvas-tools"), legend: $("dag-legend") };
}

// What the drawing's marks mean (issue #30 m2: dashed edges were explained nowhere).
function legend() {
  const list = el("ul", { id: "dag-legend", class: "dag-legend", "aria-label": "legend of the DAG" });
  const mark = (kind, text) => list.appendChild(el("li", {}, el("span", { class: "mark " + kind, "aria-hidden": "true" }), document.createTextNode(text)));
  mark("edge", "runs after");
  mark("edge dashed", "runs only when its condition holds");
  mark("port", "input port");
  mark("port out", "output port: drag it onto an input to wire them");
  return list;
}

// The DAG. Params sit on top as chips that mark the steps reading them; the exit handler sits below; hovering
// an edge says which output feeds which input; a node is a button that takes you to its card.
export function renderDag() {
  const { chips: chipBox, canvas, tools, legend: key } = canvasBox();
  const keep = { left: canvas.scrollLeft, top: canvas.scrollTop };
  chipBox.textContent = ""; canvas.textContent = "";
  const steps = S.model ? S.model.steps : [];
  tools.hidden = key.hidden = !steps.length;
  if (!steps.length) { const m = $("dag-minimap"); if (m) m.remove(); canvas.appendChild(el("p", { class: "help", text: "The DAG appears here: drag a module from the library onto it, or use + Add step." })); return; }
  const edges = S.check && S.check.edges && S.checkedEdits === S.edits ? S.check.edges : null;
  const deps = dependencies(steps, edges);
  const conditional = new Set((edges || []).filter(e => e[2]).map(e => e[0] + "->" + e[1]));
  const readers = {};
  steps.forEach(s => paramsRead(s).forEach(n => { (readers[n] = readers[n] || []).push(s.name); }));
  const laid = stableLayout(steps, deps);
  const exit = S.check && S.checkedEdits === S.edits ? S.check.onExit : null;
  const width = Math.max(laid.width, exit ? W + 12 : 0), height = laid.height + (exit ? H + 24 : 0);
  S.drawn = { width, height, rankdir: laid.rankdir };
  S.fit = fitFor(width);
  const svgEl = svg("svg", { role: "group", "data-rankdir": laid.rankdir,
    "aria-label": "pipeline DAG: " + steps.length + " step" + (steps.length > 1 ? "s" : "") + "; each step is a button that opens its card" });
  const defs = svg("defs");
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
  marker.appendChild(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrowhead" }));
  defs.appendChild(marker); svgEl.appendChild(defs);
  // everything drawn goes into one group that zoom and pan move (the canvas)
  const view = svg("g", { class: "view" });
  svgEl.appendChild(view);
  const byName = Object.fromEntries(steps.map(s => [s.name, s]));
  laid.edges.forEach(({ from, to, points }) => {
    const d = "M " + points.map(q => q.x.toFixed(1) + " " + q.y.toFixed(1)).join(" L ");
    const wires = wiresBetween(from, byName[to]);
    const title = from + " → " + to + (wires.length ? ": " + wires.join(", ") : " (after)")
        + (conditional.has(from + "->" + to) ? "; runs only when its condition holds" : "");
    const grp = svg("g", { class: "link" });
    grp.append(svg("path", { d, class: "edge" + (conditional.has(from + "->" + to) ? " conditional" : ""), "marker-end": "url(#arrow)", "data-edge": from + "->" + to }),
      svg("path", { d, class: "hit" }, undefined));
    grp.lastChild.appendChild(svg("title", {}, title));
    view.appendChild(grp);
  });
  const bad = new Set(Object.keys((S.check && S.check.fields) || {}).filter(f => f.startsWith("step:")).map(f => f.split(":")[1]));
  const goTo = name => {
    const c = document.querySelector('[data-step="' + CSS.escape(name) + '"]');
    if (c) { c.scrollIntoView({ block: "center" }); const i = c.querySelector("input.step-name"); if (i) i.focus({ preventScroll: true }); }
  };
  steps.forEach(s => {
    const n = laid.nodes[s.name], x = n.x - W / 2, y = n.y - H / 2;
    const m = moduleOf(s);
    const label = s.name + " " + (m ? m.key : s.uses) + (bad.has(s.name) ? " (has problems)" : "");
    const tid = "dag-" + domId(s.name);
    const node = svg("g", { class: "node" + (bad.has(s.name) ? " bad" : ""), "data-node": s.name, tabindex: "0", role: "button",
      "aria-describedby": tid + "-more" });
    const rect = svg("rect", { x, y, width: W, height: H, rx: 6 });
    rect.appendChild(svg("title", { id: tid + "-more" }, label + "; reads " + ([...upstream(s)].join(", ") || "no step") + (m ? "; " + portsText(m) : "")));
    // one text, two lines: its name is what it shows ("load read-table@1.0.0")
    const text = svg("text", {});
    text.append(svg("tspan", { x: x + 10, y: y + 19, class: "name" }, s.name), document.createTextNode(" "),
      svg("tspan", { x: x + 10, y: y + 36, class: "mod" }, m ? m.key : s.uses));
    node.append(rect, text);
    if (m) ports(view, node, s, m, x, y, W, H);
    node.addEventListener("click", () => goTo(s.name));  // a tap on an output port, not dragged, too
    node.addEventListener("keydown", ev => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); goTo(s.name); } });
    view.appendChild(node);
  });
  if (exit) {
    const y = laid.height + 12;
    const node = svg("g", { class: "exit", "data-exit": "" });
    node.append(svg("title", {}, "on exit: " + exit + " (runs after the pipeline, whatever its outcome)"), svg("rect", { x: 6, y, width: W, height: H, rx: 6 }),
      svg("text", { x: 16, y: y + 19, class: "name" }, "on exit"), svg("text", { x: 16, y: y + 36, class: "mod" }, exit.length > 26 ? exit.slice(0, 25) + "…" : exit));
    view.appendChild(node);
  }
  // params: a row of chips above the graph; pointing at one (or focusing it) marks the steps that read it
  if (S.model.params.length) {
    const chips = el("ul", { class: "dag-params", "aria-label": "params and the steps that read them" });
    S.model.params.forEach(p => {
      const who = readers[p.name] || [];
      const chip = el("li", { tabindex: "0", "data-param-chip": p.name, title: p.type + "; read by " + (who.join(", ") || "no step"),
        "aria-label": p.name + " (" + p.type + "), read by " + (who.join(", ") || "no step") }, el("span", { text: p.name }));
      const mark = on => who.forEach(w => { const n = svgEl.querySelector('[data-node="' + CSS.escape(w) + '"]'); if (n) n.classList.toggle("reads", on); });
      ["mouseenter", "focus"].forEach(ev => chip.addEventListener(ev, () => mark(true)));
      ["mouseleave", "blur"].forEach(ev => chip.addEventListener(ev, () => mark(false)));
      chips.appendChild(chip);
    });
    chipBox.appendChild(chips);
  }
  canvas.appendChild(svgEl);
  applyView();
  canvas.scrollLeft = keep.left; canvas.scrollTop = keep.top;
  canvasPan(svgEl);
  minimap(S.drawn.width === laid.width ? laid : { ...laid, width: S.drawn.width, height: S.drawn.height }, scaleOf());
  showFound(false);
}
