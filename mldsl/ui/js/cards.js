// The step cards: each input's source (a value, an expression, a wire) and the step's properties.
import { changed, descendants, moduleOf, removeStep, renameStep, setWith } from "./edit.js";
import { checkedName } from "./names.js";
import { $, S, domId } from "./state.js";
import { REFERENCE, assignable } from "./types.js";

// Whether a str input takes a location (a URI, a URL, a path): only those are offered an output's `.uri` (U9).
// above this many wire sources, a menu's options are made when it is first used (see inputField)
export const LAZY_OPTIONS = 40;

export function takesLocation(input) {
  return /uri|url|path|location|file|dir|prefix/i.test(input.name + " " + (input.description || ""));
}

// What an input may be wired to: params, and the outputs of steps above this one (in the list) that do not read
// from it, whose types fit (U9: a later step's output is not offered to the first step).
export function sources(step, input) {
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

export function modeOf(value) {
  if (value === undefined) return "unset";
  if (typeof value === "string") {
    const m = REFERENCE.exec(value);
    if (m) return "ref:" + m[1];
    if (value.includes("${{")) return "expr";
  }
  return "value";
}

export function inputField(step, input) {
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
  const offered = new Map(groups.flatMap(([, refs]) => refs.map(([ref, text]) => ["ref:" + ref, text])));
  const addGroups = before => groups.forEach(([name, refs]) => {
    const g = el("optgroup", { label: name === "params" ? "pipeline params" : "from step " + name });
    refs.forEach(([ref, text]) => g.appendChild(opt("ref:" + ref, text)));
    choice.insertBefore(g, before);
  });
  // a big pipeline offers thousands of wires per menu (138,000 options at 300 steps): a menu with many gets them
  // when it is first used (focus, a press, a key), and shows only its current wire until then
  const lazy = offered.size > LAZY_OPTIONS;
  if (!lazy) addGroups(null);
  else if (offered.has(mode)) {
    const current = opt(mode, offered.get(mode));
    current.dataset.current = "";
    choice.appendChild(current);
  }
  if (mode.startsWith("ref:") && !offered.has(mode)) {
    const from = /^ref:steps\.(\w+)\./.exec(mode);
    const gone = from && !S.model.steps.some(o => o.name === from[1]);
    const later = from && !gone && S.model.steps.findIndex(o => o.name === from[1]) > S.model.steps.indexOf(step);
    choice.appendChild(opt(mode, mode.slice(4) + (gone ? " (step " + from[1] + " was removed: choose another source)"
      : later ? " (step " + from[1] + " is below this one: move it up)" : " (does not fit " + input.typeText + ")")));
  }
  choice.value = mode;
  if (lazy) {
    const fill = () => {
      if (choice.dataset.filled) return;
      choice.dataset.filled = "true";
      const shown = choice.value;
      choice.querySelector("option[data-current]")?.remove();
      const stale = [...choice.options].find(o => o.value.startsWith("ref:"));
      addGroups(stale || null);
      choice.value = shown;
    };
    for (const kind of ["focus", "mousedown", "touchstart", "keydown"]) choice.addEventListener(kind, fill);
  }
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

export function stepCard(step, index) {
  const card = el("div", { class: "step field", "data-step": step.name, "data-field": "step:" + step.name });
  const name = el("input", { type: "text", class: "step-name mono", "aria-label": "name of step " + step.name });
  name.value = step.name;
  const naming = el("div", { class: "error", id: domId("name-of-step:" + step.name), "aria-live": "polite" });
  checkedName(name, naming, "step", step.name, () => S.model.steps.filter(s => s !== step).map(s => s.name), to => renameStep(step, to));
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
  card.append(el("div", { class: "step-head" }, name, kind, up, remove), naming,
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
  if (step.pipeline) card.appendChild(el("p", { class: "help", text: "Runs the pipeline " + step.pipeline + " as this step: its params are the inputs below, its outputs this step's." }));
  if (!module) {
    card.appendChild(el("p", { class: "help", text: step.pipeline ? "Reading the params and outputs of pipeline " + step.pipeline + "… (a pipeline with problems shows none: see its file)" : "Resolving " + step.uses + "…" }));
    return card;
  }
  module.inputs.forEach(i => card.appendChild(inputField(step, i)));
  card.appendChild(stepProps(step, step.pipeline ? ["when"] : null));
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

// A step's properties (U12): when, for each, retries, timeout, cache, resources; checked by the compiler live.
export const PROPS = [
  ["when", "Run only when", "expr", "e.g. ${{ steps.evaluate.outputs.auc >= params.min_auc }}; empty: always"],
  ["for_each", "For each item of", "list", "an expression (${{ params.regions }}) or a list [\"eu\", \"us\"]; the step reads ${{ item }}"],
  ["parallelism", "Items at once", "int", "with for each: how many items run at once: a number, or a param such as ${{ params.max_parallel }}"],
  ["retries", "Retries", "int", "how many times a failed attempt is tried again"],
  ["timeout", "Timeout", "text", "a duration: 90s, 30m, 2h"],
  ["cache", "Reuse results for", "ttl", "a duration such as 7d; empty: always run"],
  ["continue_on_failure", "The run goes on when this step fails", "bool", ""],
];

export function propValue(kind, text, old) {
  if (text === "") return undefined;
  if (kind === "int") return /^-?\d+$/.test(text.trim()) ? Number(text) : text;
  if (kind === "list") { if (text.trim().startsWith("[")) { try { return JSON.parse(text); } catch (e) { return text; } } return text; }
  if (kind === "ttl") return { ...(old && typeof old === "object" ? old : {}), ttl: text };
  return text;
}

export function propText(kind, v) {
  if (v === undefined || v === null) return "";
  if (kind === "ttl") return typeof v === "object" ? String(v.ttl || "") : String(v);
  if (kind === "int" && typeof v === "object") return String(v.limit === undefined ? "" : v.limit);
  return typeof v === "string" ? v : JSON.stringify(v);
}

// `only`: the properties a step of its kind may have (a pipeline step: when; the rest belongs to its pipeline's steps).
export function stepProps(step, only) {
  step.props = step.props || {};
  const props = step.props;
  const given = Object.keys(props);
  const box = el("details", { class: "props", "data-props": step.name });
  box.appendChild(el("summary", { text: "Properties" + (given.length ? ": " + given.join(", ") : only ? " (" + only.join(", ") + ")" : " (when, for each, retries, timeout, cache, resources)") }));
  const fieldBoxFor = (key, label, control, help) => {
    const fid = "step:" + step.name + ":prop:" + key;
    control.id = domId(fid);
    control.setAttribute("aria-describedby", domId(fid) + "-err");
    return el("div", { class: "field prop", "data-field": fid }, el("label", { for: control.id, text: label }), control,
      help ? el("div", { class: "help", text: help }) : null, el("div", { class: "error", "data-err": fid, id: domId(fid) + "-err" }));
  };
  PROPS.filter(([key]) => !only || only.includes(key)).forEach(([key, label, kind, help]) => {
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
  if (!only) box.appendChild(res);
  return box;
}
