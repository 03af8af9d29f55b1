// Canvas editing: ports to wire by dragging, modules dropped from the library.
import { svg } from "./canvas.js";
import { addStep, changed, descendants, moduleOf, setWith } from "./edit.js";
import { feedback } from "./feedback.js";
import { $, S } from "./state.js";
import { assignable } from "./types.js";

// Ports: a step's inputs along its top edge, its outputs along its bottom edge. Dragging from an output port
// to an input port wires them, with the wire menus' rules: the types must fit (assignable) and no cycle.
// Each port is named (issue #30 m2: unlabelled 10 px circles): its name shows beside it while its step is
// pointed at or focused and, while wiring, at every input it fits; its target is a 24 px circle (44 px on a
// phone, app.css) around the dot. The node's description lists them for a screen reader (the card wires them).
export function ports(view, node, step, m, x, y, W, H) {
  const place = (list, atY, kind) => list.forEach((io, i) => {
    const cx = x + (i + 1) * W / (list.length + 1);
    const what = (kind === "in" ? "input " : "output ") + io.name + " (" + io.typeText + ")";
    const port = svg("g", { class: "port " + kind, "data-step": step.name, "data-port": io.name });
    port.append(svg("circle", { cx, cy: atY, r: 12, class: "port-hit" }), svg("circle", { cx, cy: atY, r: 5, class: "port-dot" }),
      svg("title", {}, what + (kind === "out" ? ": drag onto an input to wire it" : "")));
    if (kind === "out") port.addEventListener("pointerdown", ev => startWire(ev, view, step, io));
    const label = svg("text", { x: cx, y: kind === "in" ? atY - 8 : atY + 17, class: "port-label", "text-anchor": "middle", "aria-hidden": "true" }, io.name);
    node.append(port, label);
  });
  place(m.inputs, y, "in");
  place(m.outputs, y + H, "out");
}

// What a node's ports are, for its description: "inputs: a (int), b (str); outputs: c (float)".
export function portsText(m) {
  const list = l => l.map(io => io.name + " (" + io.typeText + ")").join(", ") || "none";
  return "inputs: " + list(m.inputs) + "; outputs: " + list(m.outputs);
}

export function fitsWire(from, out, to, input) {
  if (to.name === from.name || descendants(to.name).has(from.name)) return false;  // no cycle
  return assignable(out.type, input.type);
}

export function startWire(ev, view, from, out) {
  ev.preventDefault(); ev.stopPropagation();
  const svgEl = view.ownerSVGElement;
  const toView = e => { const pt = svgEl.createSVGPoint(); pt.x = e.clientX; pt.y = e.clientY; return pt.matrixTransform(view.getScreenCTM().inverse()); };
  const start = toView(ev);
  const line = svg("line", { x1: start.x, y1: start.y, x2: start.x, y2: start.y, class: "wiring" });
  view.appendChild(line);
  const inputOf = port => { const st = S.model.steps.find(x => x.name === port.dataset.step); const mm = st && moduleOf(st); return [st, mm && mm.inputs.find(i => i.name === port.dataset.port)]; };
  svgEl.querySelectorAll(".port.in").forEach(port => { const [st, input] = inputOf(port); port.classList.add(st && input && fitsWire(from, out, st, input) ? "fits" : "nofit"); });
  const move = e => { const q = toView(e); line.setAttribute("x2", q.x); line.setAttribute("y2", q.y); };
  const up = e => {
    window.removeEventListener("pointermove", move); window.removeEventListener("pointerup", up);
    line.remove();
    svgEl.querySelectorAll(".port.in").forEach(port => port.classList.remove("fits", "nofit"));
    const hit = document.elementFromPoint(e.clientX, e.clientY);
    const port = hit && hit.closest && hit.closest(".port.in");
    if (!port) return;
    const [to, input] = inputOf(port);
    if (!to || !input || !fitsWire(from, out, to, input)) {
      feedback("Not wired: " + from.name + "." + out.name + " (" + out.typeText + ") does not fit " + port.dataset.step + "." + port.dataset.port + (input ? " (" + input.typeText + ")" : "") + ", or would make a cycle.");
      return;
    }
    setWith(to, input.name, "${{ steps." + from.name + ".outputs." + out.name + " }}");
    const steps = S.model.steps, a = steps.indexOf(from), b = steps.indexOf(to);
    if (a > b) { steps.splice(b, 1); steps.splice(steps.indexOf(from) + 1, 0, to); }  // the card list follows the wiring
    feedback("Wired " + from.name + "." + out.name + " → " + to.name + "." + input.name + ".");
    changed(true);
  };
  window.addEventListener("pointermove", move); window.addEventListener("pointerup", up);
}

// A module dragged from the library and dropped on the canvas becomes a step.
export const MODULE_TYPE = "application/x-mldsl-module";
export function canvasDrop() {
  const box = $("dag");
  box.addEventListener("dragover", ev => { if (ev.dataTransfer && [...ev.dataTransfer.types].includes(MODULE_TYPE)) { ev.preventDefault(); box.classList.add("drop"); } });
  box.addEventListener("dragleave", () => box.classList.remove("drop"));
  box.addEventListener("drop", ev => {
    box.classList.remove("drop");
    const key = ev.dataTransfer && ev.dataTransfer.getData(MODULE_TYPE);
    if (!key || !S.byKey[key]) return;
    ev.preventDefault();
    addStep(key);
  });
}
