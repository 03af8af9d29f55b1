// mldsl ui: browse the module library, compose a pipeline, see its DAG, check it with the compiler, save it.
// Uses form.js (inlined before this file) for literal values. Talks only to the server that served it.
"use strict";

// --- types: the rules of mldsl.mtypes.assignable (a test runs both on a corpus of type pairs) ----------
function sameValue(v, w) {
  const numeric = x => typeof x === "number" || typeof x === "boolean";  // Python: True == 1
  return numeric(v) && numeric(w) ? Number(v) === Number(w) : v === w;
}

function assignable(src, dst) {
  if (src.kind === "any" || dst.kind === "any") return true;
  if (src.kind === "null") return false;
  if (dst.kind === "float" && src.kind === "int") return true;
  if (dst.kind === "list" || dst.kind === "dict") return src.kind === dst.kind && !!src.item && !!dst.item && assignable(src.item, dst.item);
  if (dst.kind === "enum") {
    if (src.kind === "enum" && src.values && dst.values) return src.values.every(v => dst.values.some(w => sameValue(v, w)));
    return false;
  }
  if (src.kind === "enum") {
    const vals = src.values || [];
    if (dst.kind === "str") return vals.every(v => typeof v === "string");
    if (dst.kind === "int" || dst.kind === "float") return vals.every(v => typeof v === "number" && (dst.kind === "float" || Number.isInteger(v)));
    return false;
  }
  if (dst.kind === "artifact") return src.kind === "artifact" && (!src.format || !dst.format || src.format === dst.format);
  return src.kind === dst.kind;
}

const REFERENCE = /^\$\{\{\s*(params\.\w+|steps\.\w+\.outputs\.\w+(?:\.uri)?)\s*\}\}$/;

// The steps a step's values read from (steps.<name>. anywhere in them).
function upstream(step) {
  const out = new Set();
  for (const m of JSON.stringify(step.with || {}).matchAll(/steps\.(\w+)\./g)) if (m[1] !== step.name) out.add(m[1]);
  return out;
}

// Layers for drawing: a step sits one layer below the furthest step it depends on (cycles are cut).
// `edges`: the compiler's [from, to, conditional] when the pipeline compiles; else read from the values.
function layers(steps, edges) {
  const names = new Set(steps.map(s => s.name));
  const deps = edges
    ? Object.fromEntries(steps.map(s => [s.name, edges.filter(e => e[1] === s.name && names.has(e[0])).map(e => e[0])]))
    : Object.fromEntries(steps.map(s => [s.name, [...upstream(s)].filter(n => names.has(n))]));
  const layer = {};
  const visit = (n, seen) => {
    if (layer[n] !== undefined) return layer[n];
    if (seen.has(n)) return 0;
    seen.add(n);
    const l = deps[n].length ? 1 + Math.max(...deps[n].map(d => visit(d, seen))) : 0;
    seen.delete(n);
    return (layer[n] = l);
  };
  steps.forEach(s => visit(s.name, new Set()));
  return { layer, deps };
}

if (typeof module !== "undefined") module.exports = { assignable, upstream, layers, REFERENCE };

// --- the page --------------------------------------------------------------------------------------------
const S = {
  csrf: "", modules: [], byKey: {}, files: null,
  file: { path: "", token: null, original: null },
  model: null, check: null, seq: 0, timer: null, dirty: false,
  edits: 0, checkedEdits: -1,  // the compiler's edges are drawn only when they are of the model as it is
};
const $ = id => document.getElementById(id);

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (method === "POST") {
    init.headers = { "Content-Type": "application/json", "X-MLDSL-Token": S.csrf };
    init.body = JSON.stringify(body === undefined ? {} : body);
  }
  try {
    const r = await fetch(path, init);
    return { status: r.status, ok: r.ok, data: await r.json() };
  } catch (e) {
    return { status: 0, ok: false, data: { error: "the mldsl ui server is not answering (" + e + ")" } };
  }
}

function setStatus(id, text, good) {
  const s = $(id); s.textContent = text; s.className = "status " + (good === undefined ? "" : good ? "good" : "bad");
}

// --- the library ----------------------------------------------------------------------------------------
async function loadLibrary() {
  const r = await api("GET", "/api/modules");
  if (!r.ok) { setStatus("library-status", r.data.error, false); return; }
  S.modules = r.data.modules;
  S.byKey = {};
  S.modules.forEach(m => m.versions.forEach(v => { S.byKey[v.key] = v; }));
  const problems = r.data.problems.length;
  setStatus("library-status", S.modules.length + " modules" + (problems ? "; " + problems + " problem(s) in module files" : ""), problems ? false : undefined);
  renderLibrary();
}

function matches(m, q) {
  if (!q) return true;
  const v = m.versions[m.versions.length - 1];
  const text = [m.name, v.description, ...v.inputs.map(i => i.name), ...v.outputs.map(o => o.name)].join(" ").toLowerCase();
  return q.toLowerCase().split(/\s+/).every(w => text.includes(w));
}

function ioTable(rows, withDefault) {
  const t = el("table", { class: "io" });
  rows.forEach(r => {
    const req = withDefault && !r.optional && !r.hasDefault;
    t.appendChild(el("tr", {},
      el("td", { class: "mono", text: r.name + (req ? " *" : "") }),
      el("td", { class: "type", text: r.typeText }),
      el("td", { text: (withDefault && r.hasDefault ? "default " + JSON.stringify(r.default) + ". " : "") + (r.description || "") })));
  });
  return t;
}

function renderLibrary() {
  const box = $("modules"); box.textContent = "";
  const q = $("search").value.trim();
  const shown = S.modules.filter(m => matches(m, q));
  shown.forEach(m => {
    const card = el("div", { class: "module", "data-module": m.name });
    const latest = m.versions[m.versions.length - 1];
    const pick = el("select", { class: "version", "aria-label": "version of " + m.name });
    m.versions.slice().reverse().forEach(v => pick.appendChild(el("option", { value: v.key, text: v.version + (v === latest ? " (latest)" : "") })));
    const details = el("div", { class: "details" });
    const show = () => {
      const v = S.byKey[pick.value];
      details.textContent = "";
      details.append(el("p", { text: v.description || "(no description)" }),
        el("p", { class: "source", text: v.origin + " · " + v.run + " · " + v.source }),
        el("h4", { text: "inputs" }), ioTable(v.inputs, true), el("h4", { text: "outputs" }), ioTable(v.outputs, false));
    };
    pick.addEventListener("change", show);
    const add = el("button", { type: "button", class: "add-step", text: "+ Add step" });
    add.addEventListener("click", () => addStep(pick.value));
    card.append(el("div", { class: "module-head" }, el("strong", { text: m.name }), el("span", { class: "badge", text: latest.origin })),
      el("div", { class: "desc", text: latest.description }), el("div", { class: "module-actions" }, pick, add), details);
    card.querySelector(".module-head").addEventListener("click", () => card.classList.toggle("open"));
    show();
    box.appendChild(card);
  });
  if (!shown.length) box.appendChild(el("p", { class: "help", text: "No module matches " + JSON.stringify(q) + "." }));
}

// --- files ---------------------------------------------------------------------------------------------
async function loadFiles() {
  const r = await api("GET", "/api/files");
  if (!r.ok) return;
  S.files = r.data;
  const sel = $("open"); sel.textContent = "";
  sel.appendChild(el("option", { value: "", text: "Open a pipeline…" }));
  r.data.pipelines.forEach(p => sel.appendChild(el("option", { value: JSON.stringify(p), text: p.path + " — " + p.name })));
  $("root").textContent = r.data.root + (r.data.project ? "" : " (no mldsl.yaml: project defaults do not apply)");
  renderCluster();
}

function newPipeline() {
  S.file = { path: "pipelines/new-pipeline.yaml", token: null, original: null };
  S.model = { name: "new-pipeline", description: "", params: [], steps: [] };
  S.check = null; S.dirty = false;
  renderComposer(); scheduleCheck(0);
}

async function openPipeline(p) {
  if (S.dirty && !confirm("Discard the changes to " + S.file.path + "?")) return;
  const r = await api("GET", "/api/open?path=" + encodeURIComponent(p.path) + "&name=" + encodeURIComponent(p.name));
  if (!r.ok) { setStatus("save-status", r.data.error, false); return; }
  S.file = { path: r.data.path, token: r.data.token, original: r.data.original };
  S.model = r.data.model;
  S.check = null; S.dirty = false;
  renderComposer(); scheduleCheck(0);
}

// --- editing ---------------------------------------------------------------------------------------------
function changed(structural) {
  S.dirty = true;
  S.edits++;
  if (structural) renderComposer();
  renderDag();
  scheduleCheck();
}

function uniqueStepName(base) {
  const taken = new Set(S.model.steps.map(s => s.name));
  let name = base.replace(/[^A-Za-z0-9_]/g, "_"), i = 2;
  if (/^[0-9]/.test(name)) name = "s_" + name;
  const stem = name;
  while (taken.has(name)) name = stem + "_" + i++;
  return name;
}

function addStep(key) {
  const name = uniqueStepName(key.split("@")[0]);
  S.model.steps.push({ name, uses: key, with: {}, more: [] });
  changed(true);
  const card = document.querySelector('[data-step="' + name + '"]');
  if (card) card.scrollIntoView({ block: "nearest" });
}

function renameStep(step, to) {
  const from = step.name;
  if (!to || to === from) return;
  if (S.model.steps.some(s => s !== step && s.name === to)) {
    renderComposer();
    const err = document.querySelector('[data-err="step:' + from + '"]');
    if (err) err.textContent = "there is already a step named " + to;
    return;
  }
  step.was = step.was || from;
  step.name = to;
  const pattern = new RegExp("steps\\." + from + "\\.", "g");
  S.model.steps.forEach(s => {
    for (const [k, v] of Object.entries(s.with || {})) if (typeof v === "string") s.with[k] = v.replace(pattern, "steps." + to + ".");
  });
  changed(true);
}

function moduleOf(step) {
  const r = S.check && S.check.resolved[step.name];
  if (r && r.key && S.byKey[r.key]) return S.byKey[r.key];
  return S.byKey[step.uses] || null;
}

function descendants(name) {
  const out = new Set([name]);
  let grew = true;
  while (grew) {
    grew = false;
    S.model.steps.forEach(s => {
      if (!out.has(s.name) && [...upstream(s)].some(u => out.has(u))) { out.add(s.name); grew = true; }
    });
  }
  return out;
}

// What an input may be wired to: params and upstream outputs whose types fit.
function sources(step, input) {
  const groups = [];
  const types = (S.check && S.check.paramTypes) || {};
  const params = S.model.params.filter(p => types[p.name] && assignable(types[p.name], input.type)).map(p => ["params." + p.name, "params." + p.name]);
  if (params.length) groups.push(["params", params]);
  const below = descendants(step.name);
  S.model.steps.forEach(o => {
    if (below.has(o.name)) return;
    const m = moduleOf(o);
    if (!m) return;
    const refs = [];
    m.outputs.forEach(out => {
      const ref = "steps." + o.name + ".outputs." + out.name;
      if (assignable(out.type, input.type)) refs.push([ref, o.name + " → " + out.name + " (" + out.typeText + ")"]);
      if (out.type.kind === "artifact" && assignable({ kind: "str" }, input.type)) refs.push([ref + ".uri", o.name + " → " + out.name + ".uri (str)"]);
    });
    if (refs.length) groups.push([o.name, refs]);
  });
  return groups;
}

function modeOf(value) {
  if (value === undefined) return "unset";
  if (typeof value === "string") {
    const m = REFERENCE.exec(value);
    if (m) return "ref:" + m[1];
    if (value.includes("${{")) return "expr";
  }
  return "value";
}

function inputField(step, input) {
  const id = "step:" + step.name + ":with:" + input.name;
  const value = step.with[input.name];
  const mode = modeOf(value);
  const required = !input.optional && !input.hasDefault;
  const box = el("div", { class: "field input", "data-field": id });
  const label = el("label", {}, el("span", { class: "mono", text: input.name + (required ? " *" : "") }), el("span", { class: "type", text: input.typeText }));
  const choice = el("select", { class: "source", "aria-label": "source of " + input.name });
  const opt = (value, text) => el("option", { value, text });
  choice.append(opt("unset", required ? "— not set (required) —" : "— default" + (input.hasDefault ? " " + JSON.stringify(input.default) : "") + " —"),
    opt("value", "a value"), opt("expr", "an expression"));
  const groups = sources(step, input);
  groups.forEach(([name, refs]) => {
    const g = el("optgroup", { label: name === "params" ? "pipeline params" : "from step " + name });
    refs.forEach(([ref, text]) => g.appendChild(opt("ref:" + ref, text)));
    choice.appendChild(g);
  });
  if (mode.startsWith("ref:") && !choice.querySelector('option[value="' + CSS.escape(mode) + '"]')) {
    choice.appendChild(opt(mode, mode.slice(4) + " (does not fit " + input.typeText + ")"));
  }
  choice.value = mode;
  const slot = el("div", { class: "slot" });
  const fill = () => {
    slot.textContent = "";
    const m = choice.value;
    if (m === "value") {
      const current = step.with[input.name];
      let built = false;
      const w = widget({ ...input, hasDefault: current !== undefined || input.hasDefault, default: current !== undefined ? current : input.default }, () => {
        if (!built) return;
        let v = w.read();
        if (v === undefined && input.kind === "bool") v = false;
        if (v === undefined) delete step.with[input.name]; else step.with[input.name] = v;
        changed(false);
      });
      built = true;
      slot.appendChild(w);
    } else if (m === "expr") {
      const t = el("input", { type: "text", class: "mono", placeholder: "${{ params.x }}" });
      t.value = typeof step.with[input.name] === "string" ? step.with[input.name] : "";
      t.addEventListener("input", () => { step.with[input.name] = t.value; changed(false); });
      slot.appendChild(t);
    }
  };
  choice.addEventListener("change", () => {
    const m = choice.value;
    if (m === "unset") delete step.with[input.name];
    else if (m === "value") { if (input.hasDefault) step.with[input.name] = input.default; else delete step.with[input.name]; }
    else if (m === "expr") step.with[input.name] = "${{  }}";
    else step.with[input.name] = "${{ " + m.slice(4) + " }}";
    fill();
    changed(false);
  });
  fill();
  box.append(label, choice, slot);
  if (input.description) box.appendChild(el("div", { class: "help", text: input.description }));
  box.appendChild(el("div", { class: "error", "data-err": id }));
  return box;
}

function stepCard(step, index) {
  const card = el("div", { class: "step field", "data-step": step.name, "data-field": "step:" + step.name });
  const name = el("input", { type: "text", class: "step-name mono", "aria-label": "step name" });
  name.value = step.name;
  name.addEventListener("change", () => renameStep(step, name.value.trim()));
  const module = moduleOf(step);
  const moduleName = step.uses.split("@")[0];
  const uses = el("select", { class: "uses", "aria-label": "module of " + step.name });
  const family = S.modules.find(m => m.name === moduleName);
  const versions = family ? family.versions.map(v => v.key).reverse() : [];
  if (!versions.includes(step.uses)) versions.unshift(step.uses);
  versions.forEach(k => uses.appendChild(el("option", { value: k, text: k + (k === step.uses && module && module.key !== k ? " → " + module.version : "") })));
  uses.value = step.uses;
  uses.addEventListener("change", () => { step.uses = uses.value; changed(true); });
  const remove = el("button", { type: "button", class: "remove", text: "×", "aria-label": "remove step " + step.name });
  remove.addEventListener("click", () => { S.model.steps.splice(S.model.steps.indexOf(step), 1); changed(true); });
  const up = el("button", { type: "button", class: "move", text: "↑", "aria-label": "move up", disabled: index === 0 });
  up.addEventListener("click", () => { const a = S.model.steps; [a[index - 1], a[index]] = [a[index], a[index - 1]]; changed(true); });
  const kind = step.deploy ? el("span", { class: "mono", text: "deploy: " + step.deploy }) : step.approve ? el("span", { class: "mono", text: "approve" })
    : step.pipeline ? el("span", { class: "mono", text: "pipeline: " + step.pipeline }) : uses;
  card.append(el("div", { class: "step-head" }, name, kind, up, remove),
    el("div", { class: "error", "data-err": "step:" + step.name }), el("div", { class: "error", "data-err": "step:" + step.name + ":uses" }));
  if (step.more && step.more.length) card.appendChild(el("div", { class: "help", text: "Also has " + step.more.join(", ") + " (kept as written)." }));
  if (step.deploy) {
    card.appendChild(el("p", { class: "help", text: "Deploys the Serving " + step.deploy + ": edit this step in the YAML; it is kept as written." }));
    return card;
  }
  if (step.approve) {
    card.appendChild(el("p", { class: "help", text: "Waits for a person to approve the run: edit this step in the YAML; it is kept as written." }));
    return card;
  }
  if (step.pipeline) {
    card.appendChild(el("p", { class: "help", text: "Runs the pipeline " + step.pipeline + " as this step: edit this step in the YAML; it is kept as written." }));
    return card;
  }
  if (!module) {
    card.appendChild(el("p", { class: "help", text: "Resolving " + step.uses + "…" }));
    return card;
  }
  module.inputs.forEach(i => card.appendChild(inputField(step, i)));
  const known = new Set(module.inputs.map(i => i.name));
  Object.keys(step.with).filter(k => !known.has(k)).forEach(k => {
    const id = "step:" + step.name + ":with:" + k;
    const drop = el("button", { type: "button", text: "remove" });
    drop.addEventListener("click", () => { delete step.with[k]; changed(true); });
    card.appendChild(el("div", { class: "field input", "data-field": id }, el("label", { text: k + " (not an input of " + module.key + ")" }), drop,
      el("div", { class: "error", "data-err": id })));
  });
  return card;
}

const PARAM_TYPES = ["str", "int", "float", "bool", "artifact", "enum", "list[str]", "list[int]", "list[float]", "dict[str, str]"];

function parseDefault(text, type) {
  if (text === "") return undefined;
  if (type === "str" || type === "artifact") return text;
  try { return JSON.parse(text); } catch (e) { return text; }
}

function paramRow(p) {
  const id = "param:" + p.name;
  const row = el("div", { class: "param field", "data-field": id });
  const name = el("input", { type: "text", class: "mono", "aria-label": "param name" }); name.value = p.name;
  name.addEventListener("change", () => {
    const to = name.value.trim();
    if (!to || to === p.name) return;
    if (S.model.params.some(q => q !== p && q.name === to)) {
      name.value = p.name;
      row.querySelector("[data-err]").textContent = "there is already a param named " + to;
      return;
    }
    const pattern = new RegExp("params\\." + p.name + "\\b", "g");
    S.model.steps.forEach(s => { for (const [k, v] of Object.entries(s.with)) if (typeof v === "string") s.with[k] = v.replace(pattern, "params." + to); });
    p.was = p.was || p.name;
    p.name = to; changed(true);
  });
  const type = el("select", { "aria-label": "param type" });
  const types = PARAM_TYPES.includes(p.type) ? PARAM_TYPES : [p.type, ...PARAM_TYPES];
  types.forEach(t => type.appendChild(el("option", { value: t, text: t })));
  type.value = p.type;
  type.addEventListener("change", () => { p.type = type.value; if (p.type !== "enum") delete p.values; changed(true); });
  const def = el("input", { type: "text", class: "mono", placeholder: "default (none: required)", "aria-label": "param default" });
  def.value = p.default === undefined ? "" : typeof p.default === "string" ? p.default : JSON.stringify(p.default);
  def.addEventListener("input", () => { const v = parseDefault(def.value, p.type); if (v === undefined) delete p.default; else p.default = v; changed(false); });
  const remove = el("button", { type: "button", class: "remove", text: "×", "aria-label": "remove param " + p.name });
  remove.addEventListener("click", () => { S.model.params.splice(S.model.params.indexOf(p), 1); changed(true); });
  row.append(el("div", { class: "param-line" }, name, type, def, remove));
  if (p.type === "enum") {
    const values = el("input", { type: "text", class: "mono", placeholder: '["a", "b"]', "aria-label": "enum values" });
    values.value = p.values ? JSON.stringify(p.values) : "";
    values.addEventListener("change", () => { try { p.values = JSON.parse(values.value); } catch (e) { p.values = values.value.split(",").map(s => s.trim()).filter(Boolean); } changed(true); });
    row.appendChild(values);
  }
  row.appendChild(el("div", { class: "error", "data-err": id }));
  return row;
}

function renderComposer() {
  const m = S.model;
  $("path").value = S.file.path;
  $("path").disabled = S.file.token !== null;
  $("pipeline-name").value = m.name;
  $("pipeline-description").value = m.description;
  const params = $("params"); params.textContent = "";
  m.params.forEach(p => params.appendChild(paramRow(p)));
  const steps = $("steps"); steps.textContent = "";
  m.steps.forEach((s, i) => steps.appendChild(stepCard(s, i)));
  if (!m.steps.length) steps.appendChild(el("p", { class: "help", text: "Add steps from the library on the left." }));
  showDiagnostics();
  renderDag();
}

// --- checking -----------------------------------------------------------------------------------------------
function scheduleCheck(delay) {
  clearTimeout(S.timer);
  setStatus("status", "checking…");
  S.timer = setTimeout(runCheck, delay === undefined ? 250 : delay);
}

async function runCheck() {
  const seq = ++S.seq, edits = S.edits;
  const r = await api("POST", "/api/check", { path: S.file.path, token: S.file.token, original: S.file.original, model: S.model });
  if (seq !== S.seq) return;  // a newer check is on its way
  S.checkedEdits = edits;
  document.body.dataset.checks = String(seq);
  $("err-path").textContent = "";
  if (!r.ok) {
    if (r.data.field === "path") $("err-path").textContent = r.data.error;
    setStatus("status", r.data.error, false);
    return;
  }
  const before = S.check && JSON.stringify([S.check.resolved, S.check.paramTypes]);
  S.check = r.data;
  if (before !== JSON.stringify([r.data.resolved, r.data.paramTypes])) renderComposer(); else showDiagnostics();
  $("yaml").textContent = r.data.yaml;
  const n = r.data.errors;
  const order = r.data.order || [];
  const valid = order.length ? "valid: " + order.length + " step" + (order.length > 1 ? "s" : "") + " in order " + order.join(" → ") : "valid (no steps yet)";
  setStatus("status", n ? n + " problem" + (n > 1 ? "s" : "") + " to fix" : valid, !n);
  $("save").disabled = n > 0;
}

function diagText(d) { return d.message + " [" + d.code + "]" + (d.hint ? " — " + d.hint : ""); }

function showDiagnostics() {
  document.querySelectorAll("[data-err]").forEach(e => { e.textContent = ""; });
  document.querySelectorAll(".field.invalid").forEach(e => e.classList.remove("invalid"));
  const general = $("problems"); general.textContent = "";
  if (!S.check) return;
  for (const [field, diags] of Object.entries(S.check.fields)) {
    const target = field && document.querySelector('[data-err="' + CSS.escape(field) + '"]');
    if (!target) { diags.forEach(d => general.appendChild(el("li", { text: "line " + d.line + ": " + diagText(d) }))); continue; }
    target.textContent = diags.map(diagText).join("\n");
    const box = target.closest(".field");
    if (box) box.classList.add("invalid");
  }
  S.check.elsewhere.forEach(d => general.appendChild(el("li", { text: d.path + ":" + d.line + ": " + diagText(d) })));
  renderDag();
}

// --- the DAG, drawn as SVG ---------------------------------------------------------------------------------------
const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function renderDag() {
  const box = $("dag"); box.textContent = "";
  const steps = S.model ? S.model.steps : [];
  if (!steps.length) { box.appendChild(el("p", { class: "help", text: "The DAG appears here." })); return; }
  const edges = S.check && S.check.edges && S.checkedEdits === S.edits ? S.check.edges : null;
  const { layer, deps } = layers(steps, edges);
  const conditional = new Set((edges || []).filter(e => e[2]).map(e => e[0] + "->" + e[1]));
  // top to bottom: one row per layer (a step sits below every step it reads from)
  const W = 170, H = 46, GX = 18, GY = 34;
  const rows = {};
  const pos = {};
  steps.forEach(s => { const l = layer[s.name]; rows[l] = (rows[l] || 0) + 1; pos[s.name] = [rows[l] - 1, l]; });
  const width = Math.max(...Object.values(rows)) * (W + GX) + 10, height = (Math.max(...Object.values(layer)) + 1) * (H + GY) + 10;
  const g = svg("svg", { width, height, viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": "pipeline DAG" });
  const defs = svg("defs");
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
  marker.appendChild(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrowhead" }));
  defs.appendChild(marker); g.appendChild(defs);
  const at = n => [5 + pos[n][0] * (W + GX), 5 + pos[n][1] * (H + GY)];
  steps.forEach(s => deps[s.name].forEach(d => {
    const [x1, y1] = at(d), [x2, y2] = at(s.name);
    const a = [x1 + W / 2, y1 + H], b = [x2 + W / 2, y2], mid = (a[1] + b[1]) / 2;
    g.appendChild(svg("path", { d: `M ${a[0]} ${a[1]} C ${a[0]} ${mid}, ${b[0]} ${mid}, ${b[0]} ${b[1]}`, class: "edge" + (conditional.has(d + "->" + s.name) ? " conditional" : ""), "marker-end": "url(#arrow)", "data-edge": d + "->" + s.name }));
  }));
  const bad = new Set(Object.keys((S.check && S.check.fields) || {}).filter(f => f.startsWith("step:")).map(f => f.split(":")[1]));
  steps.forEach(s => {
    const [x, y] = at(s.name);
    const node = svg("g", { class: "node" + (bad.has(s.name) ? " bad" : ""), "data-node": s.name });
    const m = moduleOf(s);
    node.append(svg("title", {}, s.name + " uses " + s.uses), svg("rect", { x, y, width: W, height: H, rx: 6 }),
      svg("text", { x: x + 10, y: y + 19, class: "name" }, s.name), svg("text", { x: x + 10, y: y + 36, class: "mod" }, m ? m.key : s.uses));
    node.addEventListener("click", () => { const c = document.querySelector('[data-step="' + s.name + '"]'); if (c) c.scrollIntoView({ block: "center" }); });
    g.appendChild(node);
  });
  box.appendChild(g);
}

// --- saving -----------------------------------------------------------------------------------------------------
async function save() {
  $("save").disabled = true;
  setStatus("save-status", "saving…");
  const r = await api("POST", "/api/save", { path: S.file.path, token: S.file.token, original: S.file.original, model: S.model });
  $("save").disabled = false;
  $("reload").hidden = true;
  if (r.ok) {
    S.file = { path: r.data.path, token: r.data.token, original: r.data.original };
    [...S.model.steps, ...S.model.params].forEach(x => { delete x.was; });
    S.dirty = false;
    S.check = r.data;
    S.checkedEdits = S.edits;
    renderComposer();
    $("yaml").textContent = r.data.yaml;
    setStatus("save-status", "saved " + r.data.path, true);
    loadFiles();
    return;
  }
  if (r.data.report) { S.check = r.data.report; showDiagnostics(); }
  if (r.data.field === "path") $("err-path").textContent = r.data.error;
  if (r.data.conflict) $("reload").hidden = false;
  setStatus("save-status", r.data.error, false);
}

// --- the cluster -----------------------------------------------------------------------------------------------
async function renderCluster() {
  const box = $("cluster"); box.textContent = "";
  const c = S.files.cluster;
  if (!c.configured) {
    box.appendChild(el("p", { class: "help", text: "No cluster configured (" + c.via + "). Set ARGO_SERVER or a kubeconfig and restart to apply, run and launch sweeps from here." }));
    return;
  }
  const log = el("ul", { id: "cluster-log" });
  const say = (text, good) => log.prepend(el("li", { class: good ? "good" : "bad", text }));
  box.appendChild(el("p", { class: "help", text: "Cluster: " + c.via + ". These act on the saved files, as mldsl apply and mldsl submit do." }));
  // a button does nothing more while its request is in flight: a double click starts one run, not two
  const busy = (btn, work) => btn.addEventListener("click", async () => {
    if (btn.disabled) return;
    btn.disabled = true; btn.setAttribute("aria-busy", "true");
    try { await work(); } finally { btn.disabled = false; btn.removeAttribute("aria-busy"); }
  });
  if (c.can_apply) {
    const applyBtn = el("button", { type: "button", id: "apply", text: "Apply project" });
    busy(applyBtn, async () => {
      const r = await api("POST", "/api/apply", {});
      if (r.ok) r.data.lines.forEach(l => say(l, true)); else say(r.data.error, false);
    });
    box.appendChild(applyBtn);
  } else {
    box.appendChild(el("p", { class: "help", id: "apply-note", text: "Apply needs a kubeconfig or an in-cluster account (the Argo Server only starts runs): run mldsl apply where one is set." }));
  }
  const r = await api("GET", "/api/runs");
  if (!r.ok) return;
  const pick = el("select", { id: "run-pipeline", "aria-label": "pipeline to run" });
  Object.keys(r.data.pipelines).forEach(n => pick.appendChild(el("option", { value: n, text: n })));
  const form = el("div", { class: "run-form" });
  let inputs = {};
  const fill = () => {
    form.textContent = ""; inputs = {};
    (r.data.pipelines[pick.value] || []).forEach(f => {
      const w = widget(f, () => {});
      inputs[f.name] = w;
      form.appendChild(el("div", { class: "field", "data-name": f.name }, el("label", { class: "mono", text: f.name }), w,
        f.description ? el("div", { class: "help", text: f.description }) : null));
    });
  };
  pick.addEventListener("change", fill);
  const submitBtn = el("button", { type: "button", id: "submit-run", text: "Submit run" });
  busy(submitBtn, async () => {
    const params = {}, problems = [];
    (r.data.pipelines[pick.value] || []).forEach(f => {
      let v = inputs[f.name].read();
      if (v === undefined && f.kind === "bool") v = false;
      if (v === undefined || (f.hasDefault && JSON.stringify(v) === JSON.stringify(f.default))) return;
      check(f, v).forEach(p => problems.push(f.name + ": " + p));
      params[f.name] = v;
    });
    if (problems.length) { say(problems.join("; "), false); return; }
    const s = await api("POST", "/api/submit", { pipeline: pick.value, params });
    say(s.ok ? "workflow/" + s.data.workflow + " submitted" : s.data.error, s.ok);
  });
  box.append(el("h3", { text: "Run a pipeline" }), pick, form, submitBtn);
  if (r.data.sweeps.length) {
    const sweep = el("select", { id: "launch-sweep", "aria-label": "sweep to launch" });
    r.data.sweeps.forEach(n => sweep.appendChild(el("option", { value: n, text: n })));
    const launch = el("button", { type: "button", id: "launch", text: "Launch sweep" });
    busy(launch, async () => {
      const s = await api("POST", "/api/launch", { sweep: sweep.value });
      if (s.ok) s.data.started.forEach(l => say(l + " started", true)); else say(s.data.error, false);
    });
    box.append(el("h3", { text: "Launch a sweep" }), sweep, launch);
  }
  box.appendChild(log);
  fill();
}

function startComposer() {
  S.csrf = document.querySelector('meta[name="mldsl-csrf"]').content;
  $("search").addEventListener("input", renderLibrary);
  $("path").addEventListener("input", () => { S.file.path = $("path").value; scheduleCheck(); });
  $("pipeline-name").addEventListener("input", () => { S.model.name = $("pipeline-name").value; changed(false); });
  $("pipeline-description").addEventListener("input", () => { S.model.description = $("pipeline-description").value; changed(false); });
  $("add-param").addEventListener("click", () => {
    const taken = new Set(S.model.params.map(p => p.name));
    let name = "param", i = 2;
    while (taken.has(name)) name = "param_" + i++;
    S.model.params.push({ name, type: "str" });
    changed(true);
  });
  $("new").addEventListener("click", () => { if (!S.dirty || confirm("Discard the changes to " + S.file.path + "?")) newPipeline(); });
  $("open").addEventListener("change", () => { const v = $("open").value; $("open").value = ""; if (v) openPipeline(JSON.parse(v)); });
  $("save").addEventListener("click", save);
  $("reload").addEventListener("click", () => { S.dirty = false; openPipeline({ path: S.file.path, name: S.file.original }); });
  window.addEventListener("beforeunload", e => { if (S.dirty) e.preventDefault(); });
  newPipeline();
  loadLibrary().then(() => renderComposer());
  loadFiles();
}

if (typeof document !== "undefined" && document.querySelector('meta[name="mldsl-csrf"]')) document.addEventListener("DOMContentLoaded", startComposer);
