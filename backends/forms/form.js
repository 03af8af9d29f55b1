// mldsl forms: render a form from field descriptors, validate with the same rules as the CLI
// (mldsl.constraints.check_value), and write the YAML. No network, no dependencies.
"use strict";

function fmt(v) {
  if (typeof v === "string") return "'" + v + "'";
  if (typeof v === "boolean") return v ? "true" : "false";
  return JSON.stringify(v);
}

function typeName(v) {
  if (v === null) return "null";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  if (Array.isArray(v)) return "list";
  return "dict";
}

function range(f, v) {
  const out = [];
  if (f.min !== null && f.min !== undefined) {
    if (f.exclusiveMin && v <= f.min) out.push(v + " must be greater than " + f.min);
    else if (!f.exclusiveMin && v < f.min) out.push(v + " is below the minimum " + f.min);
  }
  if (f.max !== null && f.max !== undefined) {
    if (f.exclusiveMax && v >= f.max) out.push(v + " must be less than " + f.max);
    else if (!f.exclusiveMax && v > f.max) out.push(v + " is above the maximum " + f.max);
  }
  return out;
}

function lengthProblems(f, n) {
  const out = [];
  if (f.minLength !== null && f.minLength !== undefined && n < f.minLength) out.push("length " + n + " is below the minimum length " + f.minLength);
  if (f.maxLength !== null && f.maxLength !== undefined && n > f.maxLength) out.push("length " + n + " is above the maximum length " + f.maxLength);
  return out;
}

// mldsl.constraints.ARTIFACT_URI, the same rule (tests/test_forms.py compares the two)
const ARTIFACT_URI = /^(s3|gs|gcs|https?|oss|hdfs|az):\/\/[^/\s]+(\/\S*)?$/;
// mldsl.constraints.SECRET_NAME and SECRET_KEY (a Secret's name, a key of its data)
const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

// Problems with `value` for field `f` (empty when fine): the rules of mldsl.constraints.check_value.
function check(f, value) {
  if (value === null || value === undefined) return f.optional ? [] : ["null is not allowed here (the input is not optional)"];
  switch (f.kind) {
    case "any": return [];
    case "secret": {
      if (!(value && typeof value === "object" && value.name && value.key)) return ["a secret needs a secret name and a key"];
      const out = [];  // mldsl.constraints.secret_problems: what would reach ${{ secret('name', 'key') }} is checked here
      if (value.name.length > 253 || !SECRET_NAME.test(value.name)) out.push(fmt(value.name) + " is not a Secret name (lowercase letters, digits, '-' and '.')");
      if (value.key.length > 253 || !SECRET_KEY.test(value.key)) out.push(fmt(value.key) + " is not a key of a Secret (letters, digits, '-', '_' and '.')");
      return out;
    }
    case "artifact":
      return typeof value === "string" && ARTIFACT_URI.test(value) ? []
        : ["expected an artifact URI (s3://bucket/key, gs://, https://...), got " + fmt(value) + " (" + typeName(value) + ")"];
    case "enum":
      return typeof value !== "boolean" && (f.values || []).some(x => x === value) ? [] : [fmt(value) + " is not one of " + (f.values || []).map(fmt).join(", ")];
    case "bool":
      return typeof value === "boolean" ? [] : ["expected bool, got " + fmt(value) + " (" + typeName(value) + ")"];
    case "int":
    case "float": {
      const ok = typeof value === "number" && isFinite(value) && (f.kind === "float" || Number.isInteger(value));
      return ok ? range(f, value) : ["expected " + f.kind + ", got " + fmt(value) + " (" + typeName(value) + ")"];
    }
    case "str": {
      if (typeof value !== "string") return ["expected str, got " + fmt(value) + " (" + typeName(value) + ")"];
      const out = lengthProblems(f, [...value].length);
      if (f.pattern !== null && f.pattern !== undefined && !new RegExp(f.pattern).test(value)) out.push(fmt(value) + " does not match the pattern '" + f.pattern + "'");
      return out;
    }
    case "list":
    case "dict": {
      const isList = Array.isArray(value);
      if ((f.kind === "list") !== isList || typeof value !== "object") return ["expected " + f.kind + ", got " + fmt(value) + " (" + typeName(value) + ")"];
      const items = isList ? value : Object.values(value);
      const out = lengthProblems(f, items.length);
      const inner = { kind: f.item || "any", values: f.itemValues };
      items.forEach((item, i) => check(inner, item).forEach(p => out.push((isList ? "item " + i : "key '" + Object.keys(value)[i] + "'") + ": " + p)));
      return out;
    }
  }
  return [];
}

// YAML for a mapping of values: every value is written as JSON, which YAML reads with its type.
function toYaml(mode, doc, values) {
  const lines = Object.entries(values).map(([k, v]) => k + ": " + JSON.stringify(v));
  if (mode === "with") return lines.length ? "with:\n" + lines.map(l => "  " + l).join("\n") + "\n" : "with: {}\n";
  if (mode === "sweep") return doc.header + (lines.length ? "  fixed:\n" + lines.map(l => "    " + l).join("\n") + "\n" : "") + doc.footer;
  return lines.length ? lines.join("\n") + "\n" : "{}\n";
}

if (typeof module !== "undefined") module.exports = { check, toYaml };

// --- the page -------------------------------------------------------------------------------
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v; else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  children.forEach(c => c && e.appendChild(c));
  return e;
}

function scalarInput(kind, f, value, onChange) {
  if (kind === "bool") {
    const c = el("input", { type: "checkbox" }); c.checked = value === true; c.addEventListener("change", onChange); c.read = () => c.checked; return c;
  }
  if (kind === "enum" && f.values) {
    const s = el("select", {});
    if (f.optional || value === undefined) s.appendChild(el("option", { value: "", text: "" }));
    f.values.forEach((v, i) => { const o = el("option", { value: String(i), text: String(v) }); if (v === value) o.selected = true; s.appendChild(o); });
    s.addEventListener("change", onChange); s.read = () => s.value === "" ? undefined : f.values[Number(s.value)]; return s;
  }
  const numeric = kind === "int" || kind === "float";
  const i = el("input", { type: numeric ? "number" : "text", step: numeric ? (kind === "int" ? "1" : "any") : null,
                          min: numeric ? f.min : null, max: numeric ? f.max : null });
  if (value !== undefined && value !== null) i.value = String(value);
  i.addEventListener("input", onChange);
  i.read = () => {
    if (i.value === "") return undefined;
    if (!numeric) return i.value;
    const n = Number(i.value); return isNaN(n) ? i.value : n;
  };
  return i;
}

function rowsWidget(f, value, onChange, keyed) {
  const box = el("div", { class: "rows" });
  const rows = [];
  const add = (k, v) => {
    const row = el("div", { class: "row" });
    const key = keyed ? el("input", { type: "text", placeholder: "key" }) : null;
    if (key) { key.value = k || ""; key.addEventListener("input", onChange); row.appendChild(key); }
    const input = scalarInput(f.item || "str", { values: f.itemValues }, v, onChange);
    row.appendChild(input);
    const rm = el("button", { type: "button", class: "remove", text: "×", "aria-label": "remove" });
    rm.addEventListener("click", () => { rows.splice(rows.indexOf(entry), 1); row.remove(); onChange(); });
    row.appendChild(rm);
    const entry = { key, input };
    rows.push(entry); box.insertBefore(row, addButton); onChange();
  };
  const addButton = el("button", { type: "button", class: "add", text: keyed ? "+ key" : "+ item" });
  addButton.addEventListener("click", () => add("", undefined));
  box.appendChild(addButton);
  if (Array.isArray(value)) value.forEach(v => add("", v));
  else if (value && typeof value === "object") Object.entries(value).forEach(([k, v]) => add(k, v));
  box.read = () => {
    if (keyed) { const o = {}; rows.forEach(r => { o[r.key.value] = r.input.read(); }); return o; }
    return rows.map(r => r.input.read());
  };
  return box;
}

function widget(f, onChange) {
  const value = f.hasDefault ? f.default : undefined;  // 0, false and "" are real defaults
  if (f.kind === "list") return rowsWidget(f, value, onChange, false);
  if (f.kind === "dict") return rowsWidget(f, value, onChange, true);
  if (f.kind === "secret") {
    const box = el("div", { class: "secret" });
    const name = el("input", { type: "text", placeholder: "secret name" }), key = el("input", { type: "text", placeholder: "key" });
    [name, key].forEach(i => { i.addEventListener("input", onChange); box.appendChild(i); });
    box.read = () => (name.value || key.value) ? { name: name.value, key: key.value } : undefined;
    return box;
  }
  const input = scalarInput(f.kind === "artifact" ? "str" : f.kind, f, value, onChange);
  if (f.kind === "artifact") input.setAttribute("placeholder", "s3://bucket/path" + (f.format ? " (" + f.format + ")" : ""));
  return input;
}

function secretValue(v) { return "${{ secret('" + v.name + "', '" + v.key + "') }}"; }

// Text as the user typed it: mldsl reads `${{` as the start of an expression, so a literal one is written as
// the expression that gives it (the CLI compiles ${{ '${{' }} back to the text); inside a list or a mapping
// no expression is allowed, so there it is a problem to fix.
const OPEN = "${{";
function literalText(v) { return typeof v === "string" && v.includes(OPEN) ? v.split(OPEN).join("${{ '${{' }}") : v; }
function nestedOpen(v) {
  if (typeof v === "string") return v.includes(OPEN);
  if (Array.isArray(v)) return v.some(nestedOpen);
  return v !== null && typeof v === "object" ? Object.entries(v).some(([k, x]) => k.includes(OPEN) || nestedOpen(x)) : false;
}

function start() {
  const data = document.getElementById("mldsl-form");
  if (!data) return;  // another page (mldsl ui) that uses the widgets and rules only
  const doc = JSON.parse(data.textContent);
  const form = document.getElementById("form"), out = document.getElementById("yaml"), status = document.getElementById("status");
  const inputs = {};
  let built = false;  // widgets report changes while they are being built: wait for the whole form
  const update = () => {
    if (!built) return;
    const values = {}; let errors = 0;
    for (const f of doc.fields) {
      const w = inputs[f.name]; let v = w.read();
      if (v === undefined && f.kind === "bool" && !f.optional) v = false;
      const missing = v === undefined || (f.kind === "list" && v.length === 0 && !f.hasDefault && f.optional);
      const problems = missing ? (f.optional || f.hasDefault ? [] : ["required"]) : check(f, v);
      if (!missing && typeof v === "object" && f.kind !== "secret" && nestedOpen(v)) problems.push("'${{' cannot be written inside a list or a mapping");
      const msg = document.getElementById("err-" + f.name);
      msg.textContent = problems.join("; ");
      w.closest(".field").classList.toggle("invalid", problems.length > 0);
      errors += problems.length;
      // a value equal to the default is left out (the default applies), except a sweep's fixed values, which must be written
      const isDefault = f.hasDefault && JSON.stringify(v) === JSON.stringify(f.default);
      if (!missing && !(isDefault && doc.mode !== "sweep")) values[f.name] = f.kind === "secret" ? secretValue(v) : literalText(v);
    }
    out.textContent = toYaml(doc.mode, doc, values);
    status.textContent = errors ? errors + " problem" + (errors > 1 ? "s" : "") + " to fix" : "valid";
    status.className = errors ? "bad" : "good";
    document.getElementById("download").disabled = errors > 0;
  };
  for (const f of doc.fields) {
    const w = widget(f, () => update());
    inputs[f.name] = w;
    const label = el("label", { text: f.name + (f.optional || f.hasDefault ? "" : " *") });
    const field = el("div", { class: "field", "data-name": f.name }, label, w,
      f.description ? el("div", { class: "help", text: f.description }) : null,
      el("div", { class: "error", id: "err-" + f.name }));
    form.appendChild(field);
  }
  built = true;
  document.getElementById("download").addEventListener("click", () => {
    const a = el("a", { href: URL.createObjectURL(new Blob([out.textContent], { type: "text/yaml" })), download: doc.filename });
    document.body.appendChild(a); a.click(); a.remove();
  });
  update();
}

if (typeof document !== "undefined") document.addEventListener("DOMContentLoaded", start);
