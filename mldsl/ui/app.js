// mldsl ui: browse the module library, compose a pipeline, see its DAG, check it with the compiler, save it.
// Uses form.js (inlined before this file) for literal values. Talks only to the server that served it.
"use strict";

// --- types: the rules of mldsl.lang.mtypes.assignable (a test runs both on a corpus of type pairs) ----------
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

// What each step depends on, for drawing (dagre lays the layers out): the compiler's [from, to, conditional]
// `edges` when the pipeline compiles, else what its values read.
function dependencies(steps, edges) {
  const names = new Set(steps.map(s => s.name));
  return edges
    ? Object.fromEntries(steps.map(s => [s.name, edges.filter(e => e[1] === s.name && names.has(e[0])).map(e => e[0])]))
    : Object.fromEntries(steps.map(s => [s.name, [...upstream(s)].filter(n => names.has(n))]));
}

if (typeof module !== "undefined") module.exports = { assignable, upstream, dependencies, REFERENCE, formHint };

// --- the page --------------------------------------------------------------------------------------------
const S = {
  view: { k: 1, tx: 0, ty: 0 },  // the canvas's zoom and pan
  runValues: {},  // what was typed into the run form, by pipeline: kept when the panel is drawn again
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

// Inputs or outputs as a list that wraps in the library's column (a table needed 431 px of a 298 px column: U8).
function ioTable(rows, withDefault) {
  const t = el("ul", { class: "io" });
  rows.forEach(r => {
    const req = withDefault && !r.optional && !r.hasDefault;
    const more = (withDefault && r.hasDefault ? "default " + JSON.stringify(r.default) + ". " : "") + (r.description || "");
    t.appendChild(el("li", {}, el("span", { class: "mono", text: r.name + (req ? " *" : "") }), el("span", { class: "type", text: r.typeText }),
      more ? el("div", { class: "desc", text: more }) : null));
  });
  return t;
}

function renderLibrary() {
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

// A module's latest version of its major is pinned as people write it (`name@1`); an older one exactly.
function pinned(key) {
  const [name, version] = key.split("@");
  const family = S.modules.find(m => m.name === name);
  const major = version.split(".")[0];
  const newest = family && family.versions.filter(v => v.version.split(".")[0] === major).pop();
  return newest && newest.key === key ? name + "@" + major : key;
}

// A short step name: the module's first word (`train` for train-sklearn), else its whole name.
function stepNameFor(module) {
  const taken = new Set(S.model.steps.map(s => s.name));
  const first = module.split(/[-_.]/)[0];
  return uniqueStepName(first && !taken.has(first) && /^[A-Za-z_]/.test(first) ? first : module);
}

function addStep(key) {
  const name = stepNameFor(key.split("@")[0]);
  S.model.steps.push({ name, uses: pinned(key), with: {}, more: [] });
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

// Removing a step can be undone (U10): the bar above the steps offers it until the next structural edit.
function removeStep(step) {
  const before = JSON.stringify(S.model);
  const at = S.model.steps.indexOf(step);
  S.model.steps.splice(at, 1);
  changed(true);
  const bar = $("undo-bar");
  bar.textContent = "";
  const undo = el("button", { type: "button", id: "undo", text: "Undo" });
  undo.addEventListener("click", () => {
    S.model = JSON.parse(before); bar.textContent = ""; changed(true);
    const card = document.querySelector('[data-step="' + CSS.escape(step.name) + '"] input.step-name');
    if (card) card.focus();
  });
  const readers = S.model.steps.filter(o => upstream(o).has(step.name)).map(o => o.name);
  bar.append(el("span", { text: "Removed step " + step.name + (readers.length ? "; " + readers.join(", ") + " read from it: choose another source there" : "") + ". " }), undo);
  undo.focus();
}

function moduleOf(step) {
  const r = S.check && S.check.resolved[step.name];
  if (r && r.key && S.byKey[r.key]) return S.byKey[r.key];
  if (S.byKey[step.uses]) return S.byKey[step.uses];
  // `name@1` or `name@1.2`: the newest version it matches, as the compiler resolves it
  const [name, range] = step.uses.split("@");
  const family = S.modules.find(m => m.name === name);
  const hits = family && range ? family.versions.filter(v => (v.version + ".").startsWith(range + ".")) : [];
  return hits.length ? hits[hits.length - 1] : null;
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

// Whether a str input takes a location (a URI, a URL, a path): only those are offered an output's `.uri` (U9).
function takesLocation(input) {
  return /uri|url|path|location|file|dir|prefix/i.test(input.name + " " + (input.description || ""));
}

// What an input may be wired to: params, and the outputs of steps above this one (in the list) that do not read
// from it, whose types fit (U9: a later step's output is not offered to the first step).
function sources(step, input) {
  const groups = [];
  const types = (S.check && S.check.paramTypes) || {};
  const params = S.model.params.filter(p => types[p.name] && assignable(types[p.name], input.type)).map(p => ["params." + p.name, "params." + p.name]);
  if (params.length) groups.push(["params", params]);
  const below = descendants(step.name);
  const at = S.model.steps.indexOf(step);
  S.model.steps.forEach((o, i) => {
    if (below.has(o.name) || i > at) return;
    const m = moduleOf(o);
    if (!m) return;
    const refs = [];
    m.outputs.forEach(out => {
      const ref = "steps." + o.name + ".outputs." + out.name;
      if (assignable(out.type, input.type)) refs.push([ref, o.name + " → " + out.name + " (" + out.typeText + ")"]);
      if (out.type.kind === "artifact" && input.type.kind === "str" && takesLocation(input)) refs.push([ref + ".uri", o.name + " → " + out.name + ".uri (str)"]);
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
  const dom = domId(id);
  const label = el("label", { for: dom + "-source" }, el("span", { class: "mono", text: input.name + (required ? " *" : "") }), el("span", { class: "type", text: input.typeText }));
  const choice = el("select", { class: "source", id: dom + "-source", "aria-describedby": dom + "-err" });
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
    const from = /^ref:steps\.(\w+)\./.exec(mode);
    const gone = from && !S.model.steps.some(o => o.name === from[1]);
    const later = from && !gone && S.model.steps.findIndex(o => o.name === from[1]) > S.model.steps.indexOf(step);
    choice.appendChild(opt(mode, mode.slice(4) + (gone ? " (step " + from[1] + " was removed: choose another source)"
      : later ? " (step " + from[1] + " is below this one: move it up)" : " (does not fit " + input.typeText + ")")));
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
        setWith(step, input.name, v);
        changed(false);
      }, input.name + " of " + step.name);
      built = true;
      if (w.control) w.control.setAttribute("aria-label", input.name + " of " + step.name + ": value");
      (w.control || w).setAttribute("aria-describedby", dom + "-err");
      slot.appendChild(w);
    } else if (m === "expr") {
      const t = el("input", { type: "text", class: "mono", placeholder: "${{ params.x }}", "aria-label": input.name + " of " + step.name + ": expression", "aria-describedby": dom + "-err" });
      t.value = typeof step.with[input.name] === "string" ? step.with[input.name] : "";
      t.addEventListener("input", () => { setWith(step, input.name, t.value); changed(false); });
      slot.appendChild(t);
    }
  };
  choice.addEventListener("change", () => {
    const m = choice.value;
    if (m === "unset") setWith(step, input.name, undefined);
    else if (m === "value") setWith(step, input.name, input.hasDefault ? input.default : undefined);
    else if (m === "expr") setWith(step, input.name, "${{  }}");
    else setWith(step, input.name, "${{ " + m.slice(4) + " }}");
    fill();
    changed(false);
  });
  fill();
  box.append(label, choice, slot);
  if (input.description) box.appendChild(el("div", { class: "help", text: input.description }));
  box.appendChild(el("div", { class: "error", "data-err": id, id: dom + "-err" }));
  return box;
}

// An element id from a field's key (step:x:with:y): ids may not hold ':' in CSS selectors without escaping.
function domId(key) { return "f-" + key.replace(/[^A-Za-z0-9_-]/g, "-"); }

// Set (or unset, with undefined) a step's input, keeping `with:` in the module's order of inputs (U14).
function setWith(step, name, value) {
  if (value === undefined) delete step.with[name]; else step.with[name] = value;
  const m = moduleOf(step);
  if (!m) return;
  const order = m.inputs.map(i => i.name);
  const rank = k => { const i = order.indexOf(k); return i < 0 ? order.length : i; };
  const keys = Object.keys(step.with);
  const sorted = keys.slice().sort((a, b) => rank(a) - rank(b));
  if (sorted.join("\n") !== keys.join("\n")) step.with = Object.fromEntries(sorted.map(k => [k, step.with[k]]));
}

function stepCard(step, index) {
  const card = el("div", { class: "step field", "data-step": step.name, "data-field": "step:" + step.name });
  const name = el("input", { type: "text", class: "step-name mono", "aria-label": "name of step " + step.name });
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
  remove.addEventListener("click", () => removeStep(step));
  const up = el("button", { type: "button", class: "move", text: "↑", "aria-label": "move step " + step.name + " up", disabled: index === 0 });
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
  card.appendChild(stepProps(step));
  const known = new Set(module.inputs.map(i => i.name));
  Object.keys(step.with).filter(k => !known.has(k)).forEach(k => {
    const id = "step:" + step.name + ":with:" + k;
    const drop = el("button", { type: "button", text: "remove", "aria-label": "remove " + k + " from step " + step.name });
    drop.addEventListener("click", () => { delete step.with[k]; changed(true); });
    card.appendChild(el("div", { class: "field input", "data-field": id }, el("label", { text: k + " (not an input of " + module.key + ")" }), drop,
      el("div", { class: "error", "data-err": id })));
  });
  return card;
}

const PARAM_TYPES = ["str", "int", "float", "bool", "artifact", "enum", "secret", "list[str]", "list[int]", "list[float]", "dict[str, str]"];

function parseDefault(text, type) {
  if (text === "") return undefined;
  if (type === "str" || type === "artifact") return text;
  try { return JSON.parse(text); } catch (e) { return text; }
}

function paramRow(p) {
  const id = "param:" + p.name;
  const row = el("div", { class: "param field", "data-field": id });
  const name = el("input", { type: "text", class: "mono", "aria-label": "name of param " + p.name }); name.value = p.name;
  name.addEventListener("change", () => {
    const to = name.value.trim();
    if (!to || to === p.name) return;
    if (S.model.params.some(q => q !== p && q.name === to)) {
      name.value = p.name;
      row.querySelector("[data-err]").textContent = "there is already a param named " + to;
      return;
    }
    const pattern = new RegExp("params\\." + p.name + "\\b", "g");
    S.model.steps.forEach(s => {
      for (const [k, v] of Object.entries(s.with)) if (typeof v === "string") s.with[k] = v.replace(pattern, "params." + to);
      if (s.reads) s.reads = s.reads.map(r => r === p.name ? to : r);
    });
    p.was = p.was || p.name;
    p.name = to; changed(true);
  });
  const type = el("select", { "aria-label": "type of param " + p.name });
  const types = PARAM_TYPES.includes(p.type) ? PARAM_TYPES : [p.type, ...PARAM_TYPES];
  types.forEach(t => type.appendChild(el("option", { value: t, text: t })));
  type.value = p.type;
  type.addEventListener("change", () => {
    p.type = type.value;
    if (p.type !== "enum") delete p.values;
    // a default of the old type would make the declaration wrong (and every reader "unknown param"): drop it (U11)
    if (p.default !== undefined && !defaultFits(p)) delete p.default;
    changed(true);
  });
  const collection = /^(list|dict)\[(?:str, )?(\w+)\]$/.exec(p.type);
  const remove = el("button", { type: "button", class: "remove", text: "×", "aria-label": "remove param " + p.name });
  remove.addEventListener("click", () => { S.model.params.splice(S.model.params.indexOf(p), 1); changed(true); });
  let def = null;
  if (!collection) {
    def = el("input", { type: "text", class: "mono", placeholder: "default (none: required)", "aria-label": "default of param " + p.name, "aria-describedby": domId(id) + "-err" });
    def.value = p.default === undefined ? "" : typeof p.default === "string" ? p.default : JSON.stringify(p.default);
    if (p.type === "secret") { def.disabled = true; def.placeholder = "no default: a secret is given to each run"; }
    def.addEventListener("input", () => { const v = parseDefault(def.value, p.type); if (v === undefined) delete p.default; else p.default = v; changed(false); });
  }
  row.append(el("div", { class: "param-line" }, name, type, def, remove));
  if (collection) {  // a list or dict default is typed as rows, not JSON (U12)
    let rows = null;
    rows = widget({ kind: collection[1], item: collection[2], hasDefault: p.default !== undefined, default: p.default }, () => {
      if (!rows) return;
      const v = rows.read();
      if ((Array.isArray(v) ? v.length : Object.keys(v).length) === 0) delete p.default; else p.default = v;
      changed(false);
    }, "default of param " + p.name);
    row.append(el("div", { class: "sub-label", text: "default (no rows: required)" }), rows);
  }
  if (p.type === "enum") {
    const numeric = (p.values || []).length > 0 && p.values.every(v => typeof v === "number");
    let built = false;
    const values = widget({ kind: "list", item: "str", hasDefault: true, default: (p.values || []).map(String) }, () => {
      if (!built) return;
      p.values = values.read().filter(v => v !== undefined).map(v => numeric && v.trim() !== "" && !isNaN(Number(v)) ? Number(v) : v);
      changed(false);
    }, "values of param " + p.name);
    built = true;
    row.append(el("div", { class: "sub-label", text: "values" }), values);
  }
  row.appendChild(paramDetails(p));
  row.appendChild(el("div", { class: "error", "data-err": id, id: domId(id) + "-err" }));
  return row;
}

// A param's description, limits and whether it may be left out (U12), in a panel that opens on demand.
function paramDetails(p) {
  const box = el("details", { class: "props" });
  const given = ["description", "min", "max", "pattern", "optional"].filter(k => p[k] !== undefined);
  box.appendChild(el("summary", { text: "More" + (given.length ? ": " + given.join(", ") : "") }));
  const numeric = p.type === "int" || p.type === "float";
  const textual = p.type === "str";
  const field = (key, label, kind) => {
    const fid = domId("param:" + p.name + ":" + key);
    let input;
    if (kind === "bool") {
      input = el("input", { type: "checkbox", id: fid }); input.checked = p[key] === true;
      input.addEventListener("change", () => { if (input.checked) p[key] = true; else delete p[key]; changed(false); });
    } else {
      input = el("input", { type: kind === "number" ? "number" : "text", step: kind === "number" ? "any" : null, id: fid, class: kind === "text" ? "" : "mono" });
      input.value = p[key] === undefined ? "" : String(p[key]);
      input.addEventListener("input", () => {
        if (input.value === "") delete p[key]; else p[key] = kind === "number" ? Number(input.value) : input.value;
        changed(false);
      });
    }
    return el("div", { class: "prop" }, el("label", { for: fid, text: label }), input);
  };
  box.append(field("description", "Description", "text"));
  if (numeric) box.append(field("min", "Minimum", "number"), field("max", "Maximum", "number"));
  if (textual) box.append(field("pattern", "Pattern (a regular expression the value must match)", "pattern"));
  box.append(field("optional", "May be left empty (optional)", "bool"));
  return box;
}

// A step's properties (U12): when, for each, retries, timeout, cache, resources; checked by the compiler live.
const PROPS = [
  ["when", "Run only when", "expr", "e.g. ${{ steps.evaluate.outputs.auc >= params.min_auc }}; empty: always"],
  ["for_each", "For each item of", "list", "an expression (${{ params.regions }}) or a list [\"eu\", \"us\"]; the step reads ${{ item }}"],
  ["parallelism", "Items at once", "int", "with for each: how many items run at once: a number, or a param such as ${{ params.max_parallel }}"],
  ["retries", "Retries", "int", "how many times a failed attempt is tried again"],
  ["timeout", "Timeout", "text", "a duration: 90s, 30m, 2h"],
  ["cache", "Reuse results for", "ttl", "a duration such as 7d; empty: always run"],
  ["continue_on_failure", "The run goes on when this step fails", "bool", ""],
];

function propValue(kind, text, old) {
  if (text === "") return undefined;
  if (kind === "int") return /^-?\d+$/.test(text.trim()) ? Number(text) : text;
  if (kind === "list") { if (text.trim().startsWith("[")) { try { return JSON.parse(text); } catch (e) { return text; } } return text; }
  if (kind === "ttl") return { ...(old && typeof old === "object" ? old : {}), ttl: text };
  return text;
}

function propText(kind, v) {
  if (v === undefined || v === null) return "";
  if (kind === "ttl") return typeof v === "object" ? String(v.ttl || "") : String(v);
  if (kind === "int" && typeof v === "object") return String(v.limit === undefined ? "" : v.limit);
  return typeof v === "string" ? v : JSON.stringify(v);
}

function stepProps(step) {
  step.props = step.props || {};
  const props = step.props;
  const given = Object.keys(props);
  const box = el("details", { class: "props", "data-props": step.name });
  box.appendChild(el("summary", { text: "Properties" + (given.length ? ": " + given.join(", ") : " (when, for each, retries, timeout, cache, resources)") }));
  const fieldBoxFor = (key, label, control, help) => {
    const fid = "step:" + step.name + ":prop:" + key;
    control.id = domId(fid);
    control.setAttribute("aria-describedby", domId(fid) + "-err");
    return el("div", { class: "field prop", "data-field": fid }, el("label", { for: control.id, text: label }), control,
      help ? el("div", { class: "help", text: help }) : null, el("div", { class: "error", "data-err": fid, id: domId(fid) + "-err" }));
  };
  PROPS.forEach(([key, label, kind, help]) => {
    let control;
    if (kind === "bool") {
      control = el("input", { type: "checkbox" }); control.checked = props[key] === true;
      control.addEventListener("change", () => { if (control.checked) props[key] = true; else delete props[key]; changed(false); });
    } else {
      control = el("input", { type: "text", class: kind === "text" || kind === "ttl" ? "" : "mono" });
      control.value = propText(kind, props[key]);
      const base = props[key];  // what was written: a retry backoff or a cache's other keys are kept
      control.addEventListener("input", () => {
        let v = propValue(kind, control.value, base);
        if (key === "retries" && base && typeof base === "object" && typeof v === "number") v = { ...base, limit: v };
        if (v === undefined) delete props[key]; else props[key] = v;
        changed(false);
      });
    }
    box.appendChild(fieldBoxFor(key, label, control, help));
  });
  const res = el("div", { class: "field prop", "data-field": "step:" + step.name + ":prop:resources" }, el("div", { class: "sub-label", text: "Resources of its pods" }));
  ["cpu", "memory", "gpu"].forEach(k => {
    const fid = domId("step:" + step.name + ":prop:resources:" + k);
    const input = el("input", { type: "text", id: fid, class: "mono", placeholder: { cpu: "2 or 500m", memory: "8Gi", gpu: "1" }[k] });
    const cur = props.resources && props.resources[k];
    input.value = cur === undefined ? "" : String(cur);
    input.addEventListener("input", () => {
      const r = { ...(props.resources || {}) };
      const t = input.value.trim();
      if (t === "") delete r[k]; else r[k] = k !== "memory" && /^\d+$/.test(t) ? Number(t) : t;
      if (Object.keys(r).length) props.resources = r; else delete props.resources;
      changed(false);
    });
    res.append(el("label", { for: fid, class: "bound", text: k }), input);
  });
  res.appendChild(el("div", { class: "error", "data-err": "step:" + step.name + ":prop:resources" }));
  box.appendChild(res);
  return box;
}

// The pipeline's outputs, schedule and exit handler (U12).
function pipelineSettings() {
  const m = S.model;
  const box = $("pipeline-settings"); box.textContent = "";
  let outputs = null;
  outputs = widget({ kind: "dict", item: "str", hasDefault: !!m.outputs, default: m.outputs || {} }, () => {
    if (!outputs) return;
    const v = outputs.read();
    m.outputs = Object.keys(v).length ? v : null;
    changed(false);
  }, "pipeline output");
  box.append(el("div", { class: "field", "data-field": "outputs" }, el("div", { class: "sub-label", text: "Outputs: a name and the expression it takes, e.g. ${{ steps.evaluate.outputs.auc }}" }), outputs,
    el("div", { class: "error", "data-err": "outputs" })));
  const sched = m.schedule || {};
  const cron = el("input", { type: "text", class: "mono", id: "schedule-cron", placeholder: "0 3 * * * (empty: no schedule)" });
  cron.value = Array.isArray(sched.cron) ? sched.cron.join("; ") : (sched.cron || "");
  const tz = el("input", { type: "text", id: "schedule-timezone", placeholder: "Europe/Paris" });
  tz.value = sched.timezone || "";
  const setSchedule = () => {
    const crons = cron.value.split(";").map(c => c.trim()).filter(Boolean);
    if (!crons.length) { m.schedule = null; changed(false); return; }
    const next = { ...(m.schedule || {}), cron: crons.length === 1 ? crons[0] : crons };
    if (tz.value.trim()) next.timezone = tz.value.trim(); else delete next.timezone;
    m.schedule = next;
    changed(false);
  };
  cron.addEventListener("input", setSchedule); tz.addEventListener("input", setSchedule);
  box.append(el("div", { class: "field", "data-field": "schedule" },
    el("label", { for: "schedule-cron", text: "Schedule (cron; several separated by ;)" }), cron,
    el("label", { for: "schedule-timezone", text: "Time zone" }), tz, el("div", { class: "error", "data-err": "schedule" })));
  const exit = m.on_exit;
  const exitBox = el("div", { class: "field", "data-field": "on_exit" }, el("label", { for: "on-exit-uses", text: "On exit, run (a module, after the run whatever its outcome)" }));
  if (exit && exit.steps) exitBox.appendChild(el("p", { class: "help", text: "An exit DAG of " + Object.keys(exit.steps).join(", ") + ": kept as written." }));
  else {
    const uses = el("select", { id: "on-exit-uses" });
    uses.appendChild(el("option", { value: "", text: "(nothing)" }));
    S.modules.forEach(mod => mod.versions.forEach(v => uses.appendChild(el("option", { value: pinned(v.key), text: pinned(v.key) }))));
    if (exit && exit.uses && !uses.querySelector('option[value="' + CSS.escape(exit.uses) + '"]')) uses.appendChild(el("option", { value: exit.uses, text: exit.uses }));
    uses.value = exit ? exit.uses : "";
    uses.addEventListener("change", () => { m.on_exit = uses.value ? { ...(m.on_exit || {}), uses: uses.value } : null; changed(false); });
    exitBox.append(uses, exit && exit.with ? el("p", { class: "help", text: "Its inputs (" + Object.keys(exit.with).join(", ") + ") are kept as written." }) : null);
  }
  exitBox.appendChild(el("div", { class: "error", "data-err": "on_exit" }));
  box.appendChild(exitBox);
}

// Whether a param's default is a value of its (new) type, by form.js's rules.
function defaultFits(p) {
  const m = /^(list|dict)\[(?:str, )?(\w+)\]$/.exec(p.type);
  const f = m ? { kind: m[1], item: m[2] } : { kind: p.type, values: p.values };
  if (f.kind === "enum") return (p.values || []).includes(p.default);
  return check(f, p.default).length === 0;
}

// Re-rendering rebuilds the cards: focus goes back to the control it was on (by id or name), caret included.
function keepingFocus(render) {
  const a = document.activeElement;
  const key = a && a !== document.body ? (a.id ? "#" + CSS.escape(a.id) : a.getAttribute("aria-label") ? '[aria-label="' + CSS.escape(a.getAttribute("aria-label")) + '"]' : null) : null;
  const caret = a && typeof a.selectionStart === "number" ? a.selectionStart : null;
  render();
  if (!key || document.activeElement === a) return;
  const again = document.querySelector(key);
  if (again) { again.focus({ preventScroll: true }); if (caret !== null && typeof again.setSelectionRange === "function") try { again.setSelectionRange(caret, caret); } catch (e) { /* not a text box */ } }
}

function renderComposer() { keepingFocus(renderComposerNow); }

function renderComposerNow() {
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
  pipelineSettings();
  showDiagnostics();
  renderDag();
}

// --- checking -----------------------------------------------------------------------------------------------
function scheduleCheck(delay) {
  clearTimeout(S.timer);
  setStatus("status", "checking…");
  S.pending = true;
  S.timer = setTimeout(runCheck, delay === undefined ? 250 : delay);
}

async function runCheck() {
  S.pending = false;
  const seq = ++S.seq, edits = S.edits;
  S.inflight = (S.inflight || 0) + 1;  // with S.pending: whether the page may still redraw on its own (tests wait)
  let r;
  try { r = await api("POST", "/api/check", { path: S.file.path, token: S.file.token, original: S.file.original, model: S.model }); }
  finally { S.inflight--; }
  // a newer check is on its way, or was scheduled by an edit made meanwhile: this answer is of an older model
  if (seq !== S.seq || S.pending) return;
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

// The compiler's hints speak YAML; the composer's user sees fields (U13). Each rule rewrites one phrasing.
const FORM_HINTS = [
  [/add it under '?with:'?/gi, "set it in the step's card (choose a value, an expression or a wire)"],
  [/under '?with:'?/gi, "in the step's card"],
  [/quote (?:the|it|this) value[^;.]*/gi, "the composer writes text as text: type it as it should read"],
  [/\(quote it in YAML[^)]*\)/gi, ""],
  [/in (?:the )?YAML/gi, "here"],
  [/add '?(\w+):'? under metadata/gi, "fill in $1 at the top"],
  [/under '?params:'?/gi, "in Params"],
];
function formHint(hint) { return FORM_HINTS.reduce((h, [re, to]) => h.replace(re, to), hint).trim(); }
function diagText(d) { return d.message + " [" + d.code + "]" + (d.hint ? " — " + formHint(d.hint) : ""); }

function showDiagnostics() {
  document.querySelectorAll("[data-err]").forEach(e => { e.textContent = ""; });
  document.querySelectorAll(".field.invalid").forEach(e => e.classList.remove("invalid"));
  document.querySelectorAll("[aria-invalid]").forEach(e => e.removeAttribute("aria-invalid"));
  const general = $("problems"); general.textContent = "";
  if (!S.check) return;
  for (const [field, diags] of Object.entries(S.check.fields)) {
    const target = field && document.querySelector('[data-err="' + CSS.escape(field) + '"]');
    if (!target) { diags.forEach(d => general.appendChild(el("li", { text: "line " + d.line + ": " + diagText(d) }))); continue; }
    target.textContent = diags.map(diagText).join("\n");
    const panel = target.closest("details");
    if (panel) panel.open = true;
    const box = target.closest(".field");
    if (box) {
      box.classList.add("invalid");
      // the field's own controls (not a nested input's) are marked for assistive technology
      const own = [...box.querySelectorAll("input, select")].filter(c => c.closest(".field") === box);
      (own.length ? own : [...box.querySelectorAll("input.step-name, select.uses")]).forEach(c => c.setAttribute("aria-invalid", "true"));
    }
  }
  S.check.elsewhere.forEach(d => general.appendChild(el("li", { text: d.path + ":" + d.line + ": " + diagText(d) })));
  renderDag();
}

// --- the DAG, drawn as SVG ---------------------------------------------------------------------------------------
const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// Which of `to`'s inputs read which of `from`'s outputs (for an edge's hover text).
function wiresBetween(from, to) {
  const out = [];
  for (const [input, v] of Object.entries(to.with || {})) {
    for (const m of JSON.stringify(v).matchAll(/steps\.(\w+)\.outputs\.(\w+)(\.uri)?/g)) if (m[1] === from) out.push(m[2] + (m[3] || "") + " → " + input);
  }
  return out;
}

// The params a step reads: in its values, and (as opened) in its `when`, `for_each` and the rest.
function paramsRead(step) {
  return new Set([...[...JSON.stringify(step.with || {}).matchAll(/params\.(\w+)/g)].map(m => m[1]), ...(step.reads || [])]);
}

// The DAG, laid out by dagre (vendored: layers, crossing minimisation, edges routed around nodes; U4). Params
// sit on top with light edges to the steps that read them; the exit handler sits below; hovering an edge
// says which output feeds which input; a node is a button that takes you to its card.
function renderDag() {
  const box = $("dag"); box.textContent = "";
  const steps = S.model ? S.model.steps : [];
  if (!steps.length) { box.appendChild(el("p", { class: "help", text: "The DAG appears here: drag a module from the library onto it, or use + Add step." })); return; }
  const edges = S.check && S.check.edges && S.checkedEdits === S.edits ? S.check.edges : null;
  const deps = dependencies(steps, edges);
  const conditional = new Set((edges || []).filter(e => e[2]).map(e => e[0] + "->" + e[1]));
  const W = 170, H = 46;
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "TB", nodesep: 16, ranksep: 30, edgesep: 10, marginx: 6, marginy: 6 });
  g.setDefaultEdgeLabel(() => ({}));
  steps.forEach(s => g.setNode("s:" + s.name, { width: W, height: H }));
  const readers = {};
  steps.forEach(s => paramsRead(s).forEach(n => { (readers[n] = readers[n] || []).push(s.name); }));
  steps.forEach(s => deps[s.name].forEach(d => g.setEdge("s:" + d, "s:" + s.name)));
  dagre.layout(g);
  const exit = S.check && S.checkedEdits === S.edits ? S.check.onExit : null;
  const graph = g.graph();
  const width = Math.max(graph.width, exit ? W + 12 : 0), height = graph.height + (exit ? H + 24 : 0);
  const svgEl = svg("svg", { width, height, viewBox: "0 0 " + width + " " + height, role: "group",
    "aria-label": "pipeline DAG: " + steps.length + " step" + (steps.length > 1 ? "s" : "") + "; each step is a button that opens its card" });
  const defs = svg("defs");
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
  marker.appendChild(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrowhead" }));
  defs.appendChild(marker); svgEl.appendChild(defs);
  // everything drawn goes into one group that zoom and pan move (the canvas)
  const view = svg("g", { class: "view", transform: "translate(" + S.view.tx + " " + S.view.ty + ") scale(" + S.view.k + ")" });
  svgEl.appendChild(view);
  const byName = Object.fromEntries(steps.map(s => [s.name, s]));
  g.edges().forEach(e => {
    const pts = g.edge(e).points;
    const d = "M " + pts.map(q => q.x.toFixed(1) + " " + q.y.toFixed(1)).join(" L ");
    const from = e.v.slice(2), to = e.w.slice(2);
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
    const n = g.node("s:" + s.name), x = n.x - W / 2, y = n.y - H / 2;
    const m = moduleOf(s);
    const label = s.name + " " + (m ? m.key : s.uses) + (bad.has(s.name) ? " (has problems)" : "");
    const tid = "dag-" + domId(s.name);
    const node = svg("g", { class: "node" + (bad.has(s.name) ? " bad" : ""), "data-node": s.name, tabindex: "0", role: "button",
      "aria-describedby": tid + "-more" });
    const rect = svg("rect", { x, y, width: W, height: H, rx: 6 });
    rect.appendChild(svg("title", { id: tid + "-more" }, label + "; reads " + ([...upstream(s)].join(", ") || "no step")));
    // one text, two lines: its name is what it shows ("load read-table@1.0.0")
    const text = svg("text", {});
    text.append(svg("tspan", { x: x + 10, y: y + 19, class: "name" }, s.name), document.createTextNode(" "),
      svg("tspan", { x: x + 10, y: y + 36, class: "mod" }, m ? m.key : s.uses));
    node.append(rect, text);
    if (m) ports(view, node, s, m, x, y, W, H);
    node.addEventListener("click", ev => { if (!ev.target.closest(".port")) goTo(s.name); });
    node.addEventListener("keydown", ev => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); goTo(s.name); } });
    view.appendChild(node);
  });
  if (exit) {
    const y = graph.height + 12;
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
    box.appendChild(chips);
  }
  box.append(canvasTools(svgEl, view), svgEl);
  canvasPan(svgEl, view);
}

// --- canvas editing: ports to wire by dragging, zoom and pan, modules dropped from the library ------------------
// Ports: a step's inputs along its top edge, its outputs along its bottom edge. Dragging from an output port
// to an input port wires them, with the wire menus' rules: the types must fit (assignable) and no cycle.
function ports(view, node, step, m, x, y, W, H) {
  const place = (list, atY, kind) => list.forEach((io, i) => {
    const cx = x + (i + 1) * W / (list.length + 1);
    const port = svg("circle", { cx, cy: atY, r: 5, class: "port " + kind, "data-step": step.name, "data-port": io.name });
    port.appendChild(svg("title", {}, (kind === "in" ? "input " : "output ") + io.name + " (" + io.typeText + ")" + (kind === "out" ? ": drag onto an input to wire it" : "")));
    if (kind === "out") port.addEventListener("pointerdown", ev => startWire(ev, view, step, io));
    node.appendChild(port);
  });
  place(m.inputs, y, "in");
  place(m.outputs, y + H, "out");
}

function fitsWire(from, out, to, input) {
  if (to.name === from.name || descendants(to.name).has(from.name)) return false;  // no cycle
  return assignable(out.type, input.type);
}

function startWire(ev, view, from, out) {
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
    const bar = $("undo-bar");
    if (!to || !input || !fitsWire(from, out, to, input)) {
      bar.textContent = "Not wired: " + from.name + "." + out.name + " (" + out.typeText + ") does not fit " + port.dataset.step + "." + port.dataset.port + (input ? " (" + input.typeText + ")" : "") + ", or would make a cycle.";
      return;
    }
    setWith(to, input.name, "${{ steps." + from.name + ".outputs." + out.name + " }}");
    const steps = S.model.steps, a = steps.indexOf(from), b = steps.indexOf(to);
    if (a > b) { steps.splice(b, 1); steps.splice(steps.indexOf(from) + 1, 0, to); }  // the card list follows the wiring
    bar.textContent = "Wired " + from.name + "." + out.name + " → " + to.name + "." + input.name + ".";
    changed(true);
  };
  window.addEventListener("pointermove", move); window.addEventListener("pointerup", up);
}

// Zoom (buttons, or Ctrl + wheel) and pan (drag the background) of the canvas; kept across re-renders.
function applyView(view) { view.setAttribute("transform", "translate(" + S.view.tx + " " + S.view.ty + ") scale(" + S.view.k + ")"); }

function canvasTools(svgEl, view) {
  const zoom = f => { S.view.k = Math.min(3, Math.max(0.3, S.view.k * f)); applyView(view); };
  const bar = el("div", { class: "canvas-tools", role: "toolbar", "aria-label": "canvas" });
  const button = (text, label, act) => { const b = el("button", { type: "button", text, "aria-label": label, title: label }); b.addEventListener("click", act); bar.appendChild(b); };
  button("+", "zoom in", () => zoom(1.25));
  button("−", "zoom out", () => zoom(0.8));
  button("Fit", "fit the whole pipeline", () => { S.view = { k: 1, tx: 0, ty: 0 }; applyView(view); });
  bar.appendChild(el("span", { class: "help", text: "Drag an output port onto an input port to wire it; drag the background to pan." }));
  svgEl.addEventListener("wheel", ev => { if (!ev.ctrlKey) return; ev.preventDefault(); zoom(ev.deltaY < 0 ? 1.1 : 0.9); }, { passive: false });
  return bar;
}

function canvasPan(svgEl, view) {
  svgEl.addEventListener("pointerdown", ev => {
    if (ev.target.closest(".node, .port, .link")) return;
    const scale = svgEl.viewBox.baseVal.width / svgEl.getBoundingClientRect().width;
    const x0 = ev.clientX, y0 = ev.clientY, tx = S.view.tx, ty = S.view.ty;
    svgEl.setPointerCapture(ev.pointerId);
    svgEl.classList.add("panning");
    const move = e => { S.view.tx = tx + (e.clientX - x0) * scale; S.view.ty = ty + (e.clientY - y0) * scale; applyView(view); };
    const up = () => { svgEl.removeEventListener("pointermove", move); svgEl.removeEventListener("pointerup", up); svgEl.classList.remove("panning"); };
    svgEl.addEventListener("pointermove", move); svgEl.addEventListener("pointerup", up);
  });
}

// A module dragged from the library and dropped on the canvas becomes a step.
const MODULE_TYPE = "application/x-mldsl-module";
function canvasDrop() {
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

// --- saving -----------------------------------------------------------------------------------------------------
async function save() {
  $("save").disabled = true;
  setStatus("save-status", "saving…");
  const r = await api("POST", "/api/save", { path: S.file.path, token: S.file.token, original: S.file.original, model: S.model });
  $("save").disabled = false;
  $("reload").hidden = true;
  $("conflict").hidden = true;
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
  if (r.data.conflict) showConflict(r.data);
  setStatus("save-status", r.data.error, false);
}

// A save refused because the file changed: besides dropping one's changes, keep them over the disk's version
// (after reading the diff) or save them as a copy (issue #14 U16).
function showConflict(data) {
  $("reload").hidden = false;
  $("conflict").hidden = false;
  $("conflict-diff").textContent = data.diff || "(the pipeline is no longer in that file: save yours as a copy)";
  $("keep-mine").hidden = !data.diskToken;
  $("keep-mine").onclick = () => { S.file.token = data.diskToken; $("conflict").hidden = true; save(); };
  $("save-copy").onclick = () => {
    const stem = S.file.path.replace(/\.ya?ml$/, "");
    S.file = { path: stem + "-copy.yaml", token: null, original: null };
    S.model.name = S.model.name + "-copy";
    $("conflict").hidden = true;
    renderComposer();
    save();
  };
  $("conflict-diff").focus();
}

// --- the cluster -----------------------------------------------------------------------------------------------
// A button does nothing more while its request is in flight: a double click starts one run, not two (U5).
function busy(btn, work) {
  btn.addEventListener("click", async () => {
    if (btn.disabled) return;
    btn.disabled = true; btn.setAttribute("aria-busy", "true");
    try { await work(); } finally { btn.disabled = false; btn.removeAttribute("aria-busy"); if (btn.recheck) btn.recheck(); }
  });
}

function say(text, good) { $("cluster-log").prepend(el("li", { class: good ? "good" : "bad", text })); }

// --- the cluster: apply the project, launch a sweep ------------------------------------------------------------
async function renderCluster() {
  const box = $("cluster"); box.textContent = "";
  const c = S.files.cluster;
  if (!c.configured) {
    box.appendChild(el("p", { class: "help", text: "No cluster configured (" + c.via + "). Set ARGO_SERVER or a kubeconfig and restart to apply, run and launch sweeps from here." }));
  } else {
    box.appendChild(el("p", { class: "help", text: "Cluster: " + c.via + ". These act on the saved files, as mldsl apply and mldsl submit do." }));
    if (c.can_apply) {
      const applyBtn = el("button", { type: "button", id: "apply", text: "Apply project" });
      busy(applyBtn, async () => {
        const r = await api("POST", "/api/apply", {});
        if (r.ok) r.data.lines.forEach(l => say(l, true)); else say(r.data.error, false);
        refreshState();
      });
      box.appendChild(applyBtn);
    } else {
      box.appendChild(el("p", { class: "help", id: "apply-note", text: "Apply needs a kubeconfig or an in-cluster account (the Argo Server only starts runs): run mldsl apply where one is set." }));
    }
  }
  const r = await api("GET", "/api/runs");
  if (!r.ok) return;
  renderRunPanel(r.data, c);
  if (c.configured && r.data.sweeps.length) {
    const sweep = el("select", { id: "launch-sweep", "aria-label": "sweep to launch" });
    r.data.sweeps.forEach(n => sweep.appendChild(el("option", { value: n, text: n })));
    const launch = el("button", { type: "button", id: "launch", text: "Launch sweep" });
    busy(launch, async () => {
      const s = await api("POST", "/api/launch", { sweep: sweep.value });
      if (s.ok) s.data.started.forEach(l => say(l + " started", true)); else say(s.data.error, false);
      loadHistory();
    });
    box.append(el("h3", { text: "Launch a sweep" }), sweep, launch);
  }
}

// --- one Run action: save, then run here or on the cluster (applying a stale copy first) -------------------
let refreshState = () => {};

function renderRunPanel(data, c) {
  const box = $("run-panel"); box.textContent = "";
  const names = Object.keys(data.pipelines);
  if (!names.length) { box.appendChild(el("p", { class: "help", text: "Save a pipeline to run it." })); return; }
  const pick = el("select", { id: "run-pipeline" });
  names.forEach(n => pick.appendChild(el("option", { value: n, text: n })));
  if (S.model && names.includes(S.model.name)) pick.value = S.model.name;
  const where = el("fieldset", { class: "where" }, el("legend", { text: "Where" }));
  const radio = (value, text, disabled) => {
    const id = "where-" + value;
    const input = el("input", { type: "radio", name: "where", id, value, disabled });
    where.append(el("span", { class: "choice" }, input, el("label", { for: id, text })));
    return input;
  };
  const local = radio("local", "this machine (mldsl run)");
  const remote = radio("cluster", "the cluster" + (c.configured ? "" : " (none configured)"), !c.configured);
  (c.configured ? remote : local).checked = true;
  const state = el("p", { class: "help", id: "cluster-state", role: "status", "aria-live": "polite" });
  const form = el("div", { class: "run-form" });
  let fields = [], boxes = {}, inputs = {};
  const runBtn = el("button", { type: "button", id: "submit-run", text: "Save and run" });
  const why = el("span", { class: "help", id: "run-why" });
  // params are checked as they are typed, at their fields, with their limits shown before (U6)
  const problemsOf = () => {
    let n = 0;
    const params = {};
    fields.forEach(f => {
      const w = inputs[f.name];
      let v = w.read();
      if (v === undefined && f.kind === "bool") v = false;
      const own = w.problems ? w.problems() : [];
      const missing = v === undefined;
      const problems = own.length ? own : missing ? (f.optional || f.hasDefault ? [] : ["required"]) : check(f, v);
      boxes[f.name].show(problems, missing && f.hasDefault ? "Empty: the default " + JSON.stringify(f.default) + " applies." : "");
      n += problems.length;
      if (!missing && !(f.hasDefault && JSON.stringify(v) === JSON.stringify(f.default))) params[f.name] = v;
    });
    return { n, params };
  };
  const recheck = () => {
    const { n } = problemsOf();
    S.runValues[pick.value] = Object.fromEntries(fields.map(f => [f.name, inputs[f.name].read()]).filter(([, v]) => v !== undefined));
    runBtn.disabled = n > 0;
    why.textContent = n ? "Fix the " + (n > 1 ? n + " params" : "param") + " marked in red to run." : "";
  };
  runBtn.recheck = recheck;
  const fill = () => {
    form.textContent = ""; boxes = {}; inputs = {};
    fields = data.pipelines[pick.value] || [];
    const kept = S.runValues[pick.value] || {};
    fields.forEach(f => {
      const w = widget(f.name in kept ? { ...f, hasDefault: true, default: kept[f.name] } : f, () => recheck());
      inputs[f.name] = w;
      const b = fieldBox(f, w, "run-" + f.name, f.name + (f.optional || f.hasDefault ? "" : " *"), { "data-name": f.name });
      boxes[f.name] = b;
      form.appendChild(b);
    });
    recheck();
    refreshState();
  };
  // whether the cluster's copy of the pipeline matches the saved files (U6)
  refreshState = async () => {
    if (!remote.checked) { state.textContent = ""; return; }
    state.textContent = "checking the cluster's copy…";
    const r = await api("GET", "/api/cluster-state?pipeline=" + encodeURIComponent(pick.value));
    const text = { unchanged: "The cluster's copy matches the saved file.", configured: "The cluster's copy is stale: Run applies the saved project first.",
      created: "The cluster has no copy yet: Run applies the saved project first.", unknown: "The cluster's copy could not be compared" };
    state.textContent = r.ok ? text[r.data.state] + (r.data.state === "unknown" && r.data.detail ? " (" + r.data.detail + ")." : "") : r.data.error;
  };
  pick.addEventListener("change", fill);
  [local, remote].forEach(x => x.addEventListener("change", refreshState));
  busy(runBtn, async () => {
    const { n, params } = problemsOf();
    if (n) return;
    const pipeline = pick.value;
    if (S.dirty && S.model && S.model.name === pipeline) {  // Run acts on the saved files: save first
      await save();
      if (S.dirty) { say("not run: the pipeline could not be saved (see above)", false); return; }
    }
    const r = await api("POST", "/api/run", { pipeline, params, where: local.checked ? "local" : "cluster" });
    if (r.ok) r.data.lines.forEach(l => say(l, true)); else say(r.data.error, false);
    refreshState();
    loadHistory(true);
  });
  box.append(el("label", { for: "run-pipeline", text: "Pipeline (as saved)" }), pick, where, state, form, el("div", { class: "run-actions" }, runBtn, why));
  fill();
}

// --- runs: local and cluster, newest first, polled while one is going -------------------------------------
const RUNNING = new Set(["Running", "Pending", "Starting"]);
function ago(iso) {
  if (!iso) return "";
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  return s < 90 ? Math.round(s) + " s ago" : s < 5400 ? Math.round(s / 60) + " min ago" : s < 129600 ? Math.round(s / 3600) + " h ago" : Math.round(s / 86400) + " d ago";
}
function seconds(d) { return d === undefined || d === null ? "" : d < 90 ? d.toFixed(1) + " s" : (d / 60).toFixed(1) + " min"; }

async function loadHistory(soon) {
  clearTimeout(S.historyTimer);
  const r = await api("GET", "/api/history");
  const box = $("runs"); box.textContent = "";
  if (!r.ok) { box.appendChild(el("p", { class: "bad", text: r.data.error })); return; }
  const all = [...r.data.local, ...r.data.cluster];
  if (r.data.clusterError) box.appendChild(el("p", { class: "help", text: "Cluster runs could not be listed: " + r.data.clusterError }));
  if (!all.length) box.appendChild(el("p", { class: "help", text: "No runs yet: Run a pipeline above (or mldsl run in a terminal)." }));
  const list = el("ul", { class: "run-list" });
  all.forEach(run => {
    const duration = run.duration !== undefined ? seconds(run.duration)
      : run.finished && run.started ? seconds((Date.parse(run.finished) - Date.parse(run.started)) / 1000) : "";
    const changed = Object.entries(run.where === "local" ? (run.changed || {}) : (run.params || {})).map(([k, v]) => k + "=" + (typeof v === "string" ? v : JSON.stringify(v)));
    const outs = Object.entries(run.outputs || {}).filter(([, v]) => typeof v !== "string" || v.length < 40).map(([k, v]) => k + "=" + (typeof v === "number" ? +v.toFixed(4) : v));
    const item = el("li", { class: "run", "data-run": run.id || "", "data-status": run.status },
      el("span", { class: "phase " + String(run.status).toLowerCase(), text: run.status }),
      el("strong", { text: " " + (run.pipeline || "?") }),
      el("span", { class: "help", text: " · " + (run.where === "local" ? "this machine" : "cluster") + " · " + ago(run.started) + (duration ? " · " + duration : "") }),
      changed.length ? el("div", { class: "help mono", text: "params: " + changed.join(", ") }) : null,
      outs.length ? el("div", { class: "mono", text: "outputs: " + outs.join(", ") }) : null,
      run.message ? el("div", { class: "bad", text: run.message }) : null);
    if (run.link) item.appendChild(el("a", { href: run.link, target: "_blank", rel: "noopener", text: "open in the Argo UI" }));
    if (run.where === "local" && run.id) {
      const more = el("button", { type: "button", class: "show-run", text: "steps and logs", "aria-expanded": "false", "aria-label": "steps and logs of " + run.id });
      const details = el("div", { class: "run-details" });
      more.addEventListener("click", async () => {
        if (more.getAttribute("aria-expanded") === "true") { details.textContent = ""; more.setAttribute("aria-expanded", "false"); S.openRun = null; return; }
        S.openRun = run.id;
        await showRun(run.id, details);
        more.setAttribute("aria-expanded", "true");
      });
      item.append(more, details);
      if (S.openRun === run.id) { showRun(run.id, details); more.setAttribute("aria-expanded", "true"); }
    }
    list.appendChild(item);
  });
  box.appendChild(list);
  const going = all.some(x => RUNNING.has(x.status));
  S.historyTimer = setTimeout(loadHistory, going || soon ? 1500 : 15000);
}

async function showRun(id, box) {
  const r = await api("GET", "/api/history/run?run=" + encodeURIComponent(id));
  box.textContent = "";
  if (!r.ok) { box.appendChild(el("p", { class: "bad", text: r.data.error })); return; }
  box.appendChild(el("p", { class: "help mono", text: r.data.folder }));
  Object.entries(r.data.steps).forEach(([name, st]) => {
    const d = el("details", { class: "step-run" }, el("summary", { text: name + ": " + st.phase + (st.cached ? " (cached)" : "") + (st.duration !== undefined ? ", " + seconds(st.duration) : "") }));
    const outs = Object.entries(st.outputs || {}).map(([k, v]) => k + "=" + (typeof v === "string" ? v : JSON.stringify(v)));
    if (outs.length) d.appendChild(el("div", { class: "mono", text: outs.join(", ") }));
    if (st.notebook) d.appendChild(el("div", { class: "mono", text: "notebook " + st.notebook.file + " as it ran: " + st.notebook.executed
      + Object.entries(st.notebook.html || {}).map(([k, v]) => "; as HTML (" + k + "): " + v).join("") }));
    d.appendChild(el("pre", { class: "log", tabindex: "0", "aria-label": "log of " + name, text: st.log || "(no output)" }));
    box.appendChild(d);
  });
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
  loadHistory();
  canvasDrop();
}

if (typeof document !== "undefined" && document.querySelector('meta[name="mldsl-csrf"]')) document.addEventListener("DOMContentLoaded", startComposer);
