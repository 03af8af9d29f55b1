// Edits of the model: add, rename, remove steps; set their inputs.
import { renderDag } from "./canvas.js";
import { renamePlace } from "./canvas-layout.js";
import { scheduleCheck } from "./check.js";
import { renderComposer } from "./composer.js";
import { followOpen } from "./run-panel.js";
import { feedback } from "./feedback.js";
import { $, S, setStatus } from "./state.js";
import { remember } from "./undo.js";
import { upstream } from "./types.js";

export function changed(structural) {
  S.dirty = true;
  if ($("save-status").textContent.startsWith("saved ")) setStatus("save-status", "unsaved changes");
  S.edits++;
  if (structural) renderComposer();
  renderDag();
  followOpen();
  remember(structural);
  scheduleCheck();
}

export function uniqueStepName(base) {
  const taken = new Set(S.model.steps.map(s => s.name));
  let name = base.replace(/[^A-Za-z0-9_]/g, "_"), i = 2;
  if (/^[0-9]/.test(name)) name = "s_" + name;
  const stem = name;
  while (taken.has(name)) name = stem + "_" + i++;
  return name;
}

// A module's latest version of its major is pinned as people write it (`name@1`); an older one exactly.
export function pinned(key) {
  const [name, version] = key.split("@");
  const family = S.modules.find(m => m.name === name);
  const major = version.split(".")[0];
  const newest = family && family.versions.filter(v => v.version.split(".")[0] === major).pop();
  return newest && newest.key === key ? name + "@" + major : key;
}

// A short step name: the module's first word (`train` for train-sklearn), else its whole name.
export function stepNameFor(module) {
  const taken = new Set(S.model.steps.map(s => s.name));
  const first = module.split(/[-_.]/)[0];
  return uniqueStepName(first && !taken.has(first) && /^[A-Za-z_]/.test(first) ? first : module);
}

export function addStep(key) {
  const name = stepNameFor(key.split("@")[0]);
  S.model.steps.push({ name, uses: pinned(key), with: {}, more: [] });
  changed(true);
  // the new step's editor takes the focus (issue #30 m13: it stayed on the library's button)
  const card = document.querySelector('[data-step="' + name + '"]');
  if (card) { card.scrollIntoView({ block: "nearest" }); card.querySelector("input.step-name").focus({ preventScroll: true }); }
}

export function renameStep(step, to) {
  const from = step.name;
  if (!to || to === from) return;
  if (S.model.steps.some(s => s !== step && s.name === to)) return;  // said under its box as it was typed (names.js)
  step.was = step.was || from;
  step.name = to;
  renamePlace(from, to);
  renameReferences("steps", from, to);
  changed(true);
}

// A renamed step or param, renamed everywhere the model refers to it: the steps' inputs and properties (when,
// for each…), the pipeline's outputs and its exit handler (issue #30 M10: a param renamed in with: only was
// still named the old way in on_exit, and the next save wrote the old name back: MLD301 unknown param).
export function renameReferences(kind, from, to) {
  const pattern = new RegExp("\\b" + kind + "\\." + from + "\\b", "g");
  const fix = v => typeof v === "string" ? v.replace(pattern, kind + "." + to)
    : Array.isArray(v) ? v.map(fix) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fix(x)])) : v;
  S.model.steps.forEach(s => {
    if (kind === "steps" && s.after) s.after = s.after.map(a => a === from ? to : a);
    if (s.with) s.with = fix(s.with);
    if (s.props) s.props = fix(s.props);
  });
  if (S.model.outputs) S.model.outputs = fix(S.model.outputs);
  if (S.model.on_exit) S.model.on_exit = fix(S.model.on_exit);
}

// Removing a step can be undone (U10): the bar above the steps offers it until the next structural edit.
export function removeStep(step) {
  const before = JSON.stringify(S.model);
  const at = S.model.steps.indexOf(step);
  S.model.steps.splice(at, 1);
  changed(true);
  const undo = el("button", { type: "button", id: "undo", text: "Undo" });
  undo.addEventListener("click", () => {
    S.model = JSON.parse(before); feedback(""); changed(true);
    const card = document.querySelector('[data-step="' + CSS.escape(step.name) + '"] input.step-name');
    if (card) card.focus();
  });
  const readers = S.model.steps.filter(o => upstream(o).has(step.name)).map(o => o.name);
  // every step that waited for it, by a wire, a condition, for each or after: (issue #30 m4 named one of four)
  const names = readers.length > 1 ? readers.slice(0, -1).join(", ") + " and " + readers[readers.length - 1] : readers[0];
  feedback("Removed step " + step.name + (readers.length ? "; " + names + (readers.length > 1 ? " depend" : " depends") + " on it: fix " + (readers.length > 1 ? "them" : "it") + " where marked" : "") + ". ", undo);
  undo.focus({ preventScroll: true });  // the bar is on screen, fixed: the page does not jump to it (#30 M6)
}

export function moduleOf(step) {
  const r = S.check && S.check.resolved[step.name];
  if (step.pipeline) return r && r.pipeline ? r.pipeline : null;  // its params and outputs, as the compiler types them (#30 M9)
  if (r && r.key && S.byKey[r.key]) return S.byKey[r.key];
  if (S.byKey[step.uses]) return S.byKey[step.uses];
  // `name@1` or `name@1.2`: the newest version it matches, as the compiler resolves it
  const [name, range] = step.uses.split("@");
  const family = S.modules.find(m => m.name === name);
  const hits = family && range ? family.versions.filter(v => (v.version + ".").startsWith(range + ".")) : [];
  return hits.length ? hits[hits.length - 1] : null;
}

// The step and every step downstream of it. The readers of each step are worked out once per edit: the cards
// ask for every input (a 300-step pipeline's cards took seconds, asking again for each).
export function descendants(name) {
  const memo = S.readers;
  if (!memo || memo.model !== S.model || memo.edits !== S.edits) {
    const readers = new Map();
    S.model.steps.forEach(s => upstream(s).forEach(u => { if (!readers.has(u)) readers.set(u, []); readers.get(u).push(s.name); }));
    S.readers = { model: S.model, edits: S.edits, readers };
  }
  const out = new Set([name]), todo = [name];
  while (todo.length) (S.readers.readers.get(todo.pop()) || []).forEach(r => { if (!out.has(r)) { out.add(r); todo.push(r); } });
  return out;
}

// Set (or unset, with undefined) a step's input, keeping `with:` in the module's order of inputs (U14).
export function setWith(step, name, value) {
  if (value === undefined) delete step.with[name]; else step.with[name] = value;
  const m = moduleOf(step);
  if (!m) return;
  const order = m.inputs.map(i => i.name);
  const rank = k => { const i = order.indexOf(k); return i < 0 ? order.length : i; };
  const keys = Object.keys(step.with);
  const sorted = keys.slice().sort((a, b) => rank(a) - rank(b));
  if (sorted.join("\n") !== keys.join("\n")) step.with = Object.fromEntries(sorted.map(k => [k, step.with[k]]));
}
