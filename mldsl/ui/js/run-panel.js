// One Run action: save, then run here or on the cluster (applying a stale copy first).
import { api } from "./api.js";
import { busy, say } from "./cluster.js";
import { loadHistory } from "./runs.js";
import { save } from "./save.js";
import { $, S } from "./state.js";

export let refreshState = () => {};
// Points the panel at the pipeline open in the composer (issue #30 M1); set when the panel is drawn.
export let followOpen = () => {};

export function renderRunPanel(data, c) {
  const box = $("run-panel"); box.textContent = "";
  const names = Object.keys(data.pipelines);
  if (!names.length) { box.appendChild(el("p", { class: "help", text: "Save a pipeline to run it." })); return; }
  const pick = el("select", { id: "run-pipeline" });
  names.forEach(n => pick.appendChild(el("option", { value: n, text: n })));
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
    if (!data.pipelines[pick.value]) form.appendChild(el("p", { class: "help", text: "Not saved yet: Save and run saves it first, then runs it with its params' defaults." }));
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
    if (S.dirty && S.model && S.model.name === pipeline) {  // Run acts on the saved files: save the open one first
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
  // the pipeline open in the composer is the one Run runs, once it has steps (a new, empty one is not)
  followOpen = () => {
    const stale = pick.querySelector("option[data-unsaved]");
    if (stale) stale.remove();
    const open = S.model && S.model.name;
    if (!open || (!names.includes(open) && !S.model.steps.length)) { if (stale) fill(); return; }
    if (!names.includes(open)) pick.appendChild(el("option", { value: open, text: open + " (not saved yet)", "data-unsaved": "" }));
    if (pick.value !== open || stale) { pick.value = open; fill(); }
  };
  followOpen();
}
