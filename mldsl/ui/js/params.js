// The params' rows and the pipeline's settings (outputs, schedule, exit handler).
import { changed, renameReferences, pinned } from "./edit.js";
import { checkedName } from "./names.js";
import { $, S, domId } from "./state.js";

export const PARAM_TYPES = ["str", "int", "float", "bool", "artifact", "enum", "secret", "list[str]", "list[int]", "list[float]", "dict[str, str]"];

export function parseDefault(text, type) {
  if (text === "") return undefined;
  if (type === "str" || type === "artifact") return text;
  try { return JSON.parse(text); } catch (e) { return text; }
}

export function paramRow(p) {
  const id = "param:" + p.name;
  const row = el("div", { class: "param field", "data-field": id });
  const name = el("input", { type: "text", class: "mono", "aria-label": "name of param " + p.name }); name.value = p.name;
  const naming = el("div", { class: "error", id: domId("name-of-param:" + p.name), "aria-live": "polite" });
  checkedName(name, naming, "param", p.name, () => S.model.params.filter(q => q !== p).map(q => q.name), to => {
    renameReferences("params", p.name, to);
    S.model.steps.forEach(s => { if (s.reads) s.reads = s.reads.map(r => r === p.name ? to : r); });
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
  row.append(el("div", { class: "param-line" }, name, type, def, remove), naming);
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
export function paramDetails(p) {
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
      // a limit is kept as typed (issue #30 M3): read as a number when it is one (form.js's NUMBER), else the
      // text goes to the compiler, which refuses it at this field
      input = el("input", { type: "text", inputmode: kind === "number" ? "decimal" : null, id: fid, class: kind === "text" ? "" : "mono" });
      input.value = p[key] === undefined ? "" : String(p[key]);
      input.addEventListener("input", () => {
        const t = input.value.trim();
        if (input.value === "") delete p[key]; else p[key] = kind === "number" && NUMBER.test(t) ? Number(t) : input.value;
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

// The pipeline's outputs, schedule and exit handler (U12).
export function pipelineSettings() {
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
export function defaultFits(p) {
  const m = /^(list|dict)\[(?:str, )?(\w+)\]$/.exec(p.type);
  const f = m ? { kind: m[1], item: m[2] } : { kind: p.type, values: p.values };
  if (f.kind === "enum") return (p.values || []).includes(p.default);
  return check(f, p.default).length === 0;
}
