// The module library: search, versions, + Add step, drag onto the canvas.
import { api } from "./api.js";
import { MODULE_TYPE } from "./canvas-edit.js";
import { addStep } from "./edit.js";
import { $, S, setStatus } from "./state.js";

export async function loadLibrary() {
  const r = await api("GET", "/api/modules");
  if (!r.ok) { setStatus("library-status", r.data.error, false); return; }
  S.modules = r.data.modules;
  S.byKey = {};
  S.modules.forEach(m => m.versions.forEach(v => { S.byKey[v.key] = v; }));
  const problems = r.data.problems.length;
  setStatus("library-status", S.modules.length + " modules" + (problems ? "; " + problems + " problem(s) in module files" : ""), problems ? false : undefined);
  renderLibrary();
}

export function matches(m, q) {
  if (!q) return true;
  const v = m.versions[m.versions.length - 1];
  const text = [m.name, v.description, ...v.inputs.map(i => i.name), ...v.outputs.map(o => o.name)].join(" ").toLowerCase();
  return q.toLowerCase().split(/\s+/).every(w => text.includes(w));
}

// Inputs or outputs as a list that wraps in the library's column (a table needed 431 px of a 298 px column: U8).
export function ioTable(rows, withDefault) {
  const t = el("ul", { class: "io" });
  rows.forEach(r => {
    const req = withDefault && !r.optional && !r.hasDefault;
    const more = (withDefault && r.hasDefault ? "default " + JSON.stringify(r.default) + ". " : "") + (r.description || "");
    t.appendChild(el("li", {}, el("span", { class: "mono", text: r.name + (req ? " *" : "") }), el("span", { class: "type", text: r.typeText }),
      more ? el("div", { class: "desc", text: more }) : null));
  });
  return t;
}

export function renderLibrary() {
  const box = $("modules"); box.textContent = "";
  const q = $("search").value.trim();
  const shown = S.modules.filter(m => matches(m, q));
  shown.forEach(m => {
    const card = el("div", { class: "module", "data-module": m.name, draggable: "true", title: "drag onto the DAG to add a step" });
    card.addEventListener("dragstart", ev => { ev.dataTransfer.setData(MODULE_TYPE, card.querySelector("select.version").value); ev.dataTransfer.effectAllowed = "copy"; });
    const latest = m.versions[m.versions.length - 1];
    const pick = el("select", { class: "version", "aria-label": "version of " + m.name });
    m.versions.slice().reverse().forEach(v => pick.appendChild(el("option", { value: v.key, text: v.version + (v === latest ? " (latest)" : "") })));
    const details = el("div", { class: "details" });
    const show = () => {
      const v = S.byKey[pick.value];
      details.textContent = "";
      // the card shows the latest version's description; another version's is shown only when it differs
      details.append(v.description !== latest.description ? el("p", { text: v.description || "(no description)" }) : null,
        el("p", { class: "source", text: v.origin + " · " + v.run + " · " + v.source }),
        el("h4", { text: "inputs" }), ioTable(v.inputs, true), el("h4", { text: "outputs" }), ioTable(v.outputs, false));
    };
    pick.addEventListener("change", show);
    const add = el("button", { type: "button", class: "add-step", text: "+ Add step", "aria-label": "+ Add step " + m.name });
    add.addEventListener("click", () => addStep(pick.value));
    const toggle = el("button", { type: "button", class: "module-head", "aria-expanded": "false", title: "show the inputs and outputs of " + m.name },
      el("strong", { text: m.name }), el("span", { class: "badge", text: latest.origin }));
    card.append(toggle, el("div", { class: "desc", text: latest.description }), el("div", { class: "module-actions" }, pick, add), details);
    toggle.addEventListener("click", () => toggle.setAttribute("aria-expanded", String(card.classList.toggle("open"))));
    show();
    box.appendChild(card);
  });
  if (!shown.length) box.appendChild(el("p", { class: "help", text: "No module matches " + JSON.stringify(q) + "." }));
}
