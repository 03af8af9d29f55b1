// The canvas's view (issue #30 B1): fit to the column's width but never below a legible scale, zoom, pan,
// scroll, and finding a step by name. A big pipeline scrolls inside its own box, which grows with the graph.
import { $, S } from "./state.js";

// The smallest scale the fit may choose: a step's name (13 px) stays over 14 px tall on screen (a test measures it).
export const MIN_SCALE = 1;
export const MAX_ZOOM = 3, MIN_ZOOM = 0.3;

// The scale the drawing gets: the fit (by the width of the canvas) times the user's zoom.
export function scaleOf() { return (S.fit || 1) * S.view.k; }

// The width the canvas has to fill (its scroll box's, less a scrollbar's worth), when it is laid out.
export function availableWidth() {
  const box = $("dag-canvas");
  const w = box ? box.clientWidth : 0;
  return w > 0 ? w - 4 : 400;
}

// The fit for a drawing `width` wide: shrink to the canvas, never below MIN_SCALE, never grow past 1.
export function fitFor(width) { return Math.min(1, Math.max(MIN_SCALE, availableWidth() / Math.max(width, 1))); }

export function applyView() {
  const view = document.querySelector("#dag g.view");
  if (!view || !S.drawn) return;
  const s = scaleOf();
  view.setAttribute("transform", "translate(" + S.view.tx + " " + S.view.ty + ") scale(" + +s.toFixed(4) + ")");
  const svgEl = view.ownerSVGElement;
  svgEl.setAttribute("width", Math.ceil(S.drawn.width * s + Math.max(0, S.view.tx)));
  svgEl.setAttribute("height", Math.ceil(S.drawn.height * s + Math.max(0, S.view.ty)));
}

function zoom(f) { S.view.k = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, S.view.k * f)); applyView(); const c = $("dag-canvas"); if (c.onscroll) c.onscroll(); }

// The toolbar is built once: a check's answer draws the graph again, never the search box being typed in.
export function canvasTools(tidy) {
  const bar = el("div", { class: "canvas-tools", role: "toolbar", "aria-label": "canvas" });
  const button = (text, label, act) => { const b = el("button", { type: "button", text, "aria-label": label, title: label }); b.addEventListener("click", act); bar.appendChild(b); };
  button("+", "zoom in", () => zoom(1.25));
  button("−", "zoom out", () => zoom(0.8));
  button("Fit", "fit the whole pipeline", () => { S.view = { k: 1, tx: 0, ty: 0 }; applyView(); const c = $("dag-canvas"); c.scrollLeft = 0; c.scrollTop = 0; });
  button("Tidy", "Tidy: lay the steps out afresh (edits keep them where they are)", tidy);
  const find = el("input", { type: "search", id: "dag-find", placeholder: "Find a step", "aria-label": "find a step by name", "aria-describedby": "dag-found" });
  const found = el("span", { class: "help", id: "dag-found", role: "status", "aria-live": "polite" });
  find.addEventListener("input", () => { S.find = { q: find.value.trim(), at: 0 }; showFound(true); });
  find.addEventListener("keydown", ev => {
    if (ev.key === "Enter") { ev.preventDefault(); if (S.find) { S.find.at += ev.shiftKey ? -1 : 1; showFound(true); } }
    if (ev.key === "Escape") { find.value = ""; S.find = null; showFound(false); }
  });
  bar.append(find, found, el("span", { class: "help", text: "Drag an output port onto an input port to wire it; drag the background to pan." }));
  return bar;
}

// The steps whose name holds the query (any case), in the order of the list.
function matchesOf(q) {
  if (!q || !S.model) return [];
  const low = q.toLowerCase();
  return S.model.steps.map(s => s.name).filter(n => n.toLowerCase().includes(low));
}

// Marks the matches on the canvas; with `scroll`, brings the current one into view (the canvas and the page).
export function showFound(scroll) {
  document.querySelectorAll("#dag .node.found, #dag .node.current").forEach(n => n.classList.remove("found", "current"));
  const out = $("dag-found");
  if (!out) return;
  const q = S.find && S.find.q;
  if (!q) { out.textContent = ""; return; }
  const hits = matchesOf(q);
  if (!hits.length) { out.textContent = "no step matches " + JSON.stringify(q); return; }
  const at = ((S.find.at % hits.length) + hits.length) % hits.length;
  hits.forEach((name, i) => {
    const n = document.querySelector('#dag [data-node="' + CSS.escape(name) + '"]');
    if (n) n.classList.add("found", ...(i === at ? ["current"] : []));
  });
  out.textContent = hits[at] + " (" + (at + 1) + " of " + hits.length + (hits.length > 1 ? "; Enter: next" : "") + ")";
  const node = document.querySelector('#dag [data-node="' + CSS.escape(hits[at]) + '"]');
  if (scroll && node) node.scrollIntoView({ block: "center", inline: "center" });
}

// Dragging the background scrolls the canvas; what its scroll cannot take moves the drawing (pan).
export function canvasPan(svgEl) {
  const box = $("dag-canvas");
  svgEl.addEventListener("pointerdown", ev => {
    // an edge is background here (it only says what it carries), and so is an input port's target (a drop target only)
    if (ev.target.closest(".port.out") || (ev.target.closest(".node") && !ev.target.closest(".port.in"))) return;
    let lastX = ev.clientX, lastY = ev.clientY;
    svgEl.setPointerCapture(ev.pointerId);
    svgEl.classList.add("panning");
    const move = e => {
      const dx = e.clientX - lastX, dy = e.clientY - lastY;
      lastX = e.clientX; lastY = e.clientY;
      const left = box.scrollLeft, top = box.scrollTop;
      box.scrollLeft = left - dx; box.scrollTop = top - dy;
      S.view.tx += dx - (left - box.scrollLeft); S.view.ty += dy - (top - box.scrollTop);
      applyView();
    };
    const up = () => { svgEl.removeEventListener("pointermove", move); svgEl.removeEventListener("pointerup", up); svgEl.classList.remove("panning"); };
    svgEl.addEventListener("pointermove", move); svgEl.addEventListener("pointerup", up);
  });
  svgEl.addEventListener("wheel", ev => { if (!ev.ctrlKey) return; ev.preventDefault(); zoom(ev.deltaY < 0 ? 1.1 : 0.9); }, { passive: false });
}

// A minimap (issue #30 B1) when the drawing overflows its box: every step as a dot-sized box, the part on
// screen as a frame; a click or a drag on it scrolls the canvas there. For the mouse: the keyboard has
// Find a step and the scroll box itself.
export function minimap(laid, scale) {
  const box = $("dag-canvas"), old = $("dag-minimap");
  if (old) old.remove();
  const W = laid.width * scale, H = laid.height * scale;
  if (W <= box.clientWidth + 2 && H <= box.clientHeight + 2) return;
  const k = Math.min(120 / laid.width, 160 / laid.height);
  const map = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  map.id = "dag-minimap";
  map.setAttribute("aria-hidden", "true");
  map.setAttribute("width", Math.ceil(laid.width * k)); map.setAttribute("height", Math.ceil(laid.height * k));
  const rect = (x, y, w, h, cls) => {
    const r = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    Object.entries({ x, y, width: w, height: h, class: cls }).forEach(([a, v]) => r.setAttribute(a, v));
    map.appendChild(r);
    return r;
  };
  Object.values(laid.nodes).forEach(n => rect((n.x - 85) * k, (n.y - 23) * k, Math.max(2, 170 * k), Math.max(2, 46 * k), "mini-node"));
  const frame = rect(0, 0, 0, 0, "mini-frame");
  const follow = () => {
    const f = k / scaleOf();  // the zoom may have changed since
    frame.setAttribute("x", box.scrollLeft * f); frame.setAttribute("y", box.scrollTop * f);
    frame.setAttribute("width", box.clientWidth * f); frame.setAttribute("height", box.clientHeight * f);
  };
  const go = ev => {
    const r = map.getBoundingClientRect(), f = scaleOf() / k;
    box.scrollLeft = (ev.clientX - r.left) * f - box.clientWidth / 2;
    box.scrollTop = (ev.clientY - r.top) * f - box.clientHeight / 2;
  };
  map.addEventListener("pointerdown", ev => {
    ev.preventDefault(); go(ev);
    try { map.setPointerCapture(ev.pointerId); } catch (e) { /* a pointer the browser does not know */ }
    const move = e => go(e);
    const up = () => { map.removeEventListener("pointermove", move); map.removeEventListener("pointerup", up); };
    map.addEventListener("pointermove", move); map.addEventListener("pointerup", up);
  });
  box.onscroll = follow;
  box.parentElement.appendChild(map);
  follow();
}
