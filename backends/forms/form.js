// mldsl forms: render a form from field descriptors, validate with the same rules as the CLI
// (mldsl.lang.constraints.check_value), and write the YAML. No network, no dependencies.
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

// mldsl.lang.constraints.ARTIFACT_URI, the same rule (tests/test_forms.py compares the two)
const ARTIFACT_URI = /^(s3|gs|gcs|https?|oss|hdfs|az):\/\/[^/\s]+(\/\S*)?$/;
// mldsl.lang.constraints.SECRET_NAME and SECRET_KEY (a Secret's name, a key of its data)
const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
// mldsl.lang.constraints.BLANK: text that is only whitespace, the same class (issue #30 m15)
const BLANK = /^[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+$/;

// mldsl.lang.buckets.bucket_problem, the same rules (the stores' naming rules are cited there)
const STORES = {
  s3: ["S3", /^[a-z0-9.-]+$/, ["xn--", "sthree-", "amzn-s3-demo-"], ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]],
  gs: ["GCS", /^[a-z0-9._-]+$/, ["goog"], []], gcs: ["GCS", /^[a-z0-9._-]+$/, ["goog"], []],
  oss: ["OSS", /^[a-z0-9-]+$/, [], []], az: ["Azure", /^[a-z0-9-]+$/, [], []],
};
function bucketWhy(bucket, store, chars, prefixes, suffixes) {
  const n = [...bucket].length, longest = store === "GCS" && bucket.includes(".") ? 222 : 63;
  if (!chars.test(bucket)) return "use only lowercase ASCII letters, digits, " + ({ S3: "'.' and '-'", GCS: "'-', '_' and '.'" }[store] || "'-'");
  if (n < 3 || n > longest || bucket.split(".").some(p => p.length > 63)) return "it has " + n + " character" + (n === 1 ? "" : "s") + ", and a name has 3 to 63";
  if (!/^[a-z0-9](.*[a-z0-9])?$/s.test(bucket)) return "it must begin and end with a letter or a digit";
  if (bucket.includes("..") || (store === "Azure" && bucket.includes("--"))) return store === "Azure" ? "no two '-' may be adjacent" : "no two '.' may be adjacent";
  if ((store === "S3" || store === "GCS") && /^\d{1,3}(\.\d{1,3}){3}$/.test(bucket)) return "it must not look like an IP address";
  const bad = prefixes.find(p => bucket.startsWith(p)) || suffixes.find(x => bucket.endsWith(x));
  if (bad || (store === "GCS" && bucket.includes("google"))) return store + " reserves '" + (bad || "google") + "'";
  return null;
}
function bucketProblem(uri) {
  const at = uri.indexOf("://");
  const scheme = at < 0 ? "" : uri.slice(0, at);
  if (!Object.prototype.hasOwnProperty.call(STORES, scheme)) return null;
  const store = STORES[scheme];
  const bucket = uri.slice(at + 3).split("/")[0];
  const why = bucketWhy(bucket, ...store);
  return why === null ? null : fmt(bucket) + " is not a valid " + store[0] + " " + (store[0] === "Azure" ? "container" : "bucket") + " name: " + why;
}

// Problems with `value` for field `f` (empty when fine): the rules of mldsl.lang.constraints.check_value.
function check(f, value) {
  if (value === null || value === undefined) return f.optional ? [] : ["null is not allowed here (the input is not optional)"];
  switch (f.kind) {
    case "any": return [];
    case "secret": {
      if (!(value && typeof value === "object" && value.name && value.key)) return ["a secret needs a secret name and a key"];
      const out = [];  // mldsl.lang.constraints.secret_problems: what would reach ${{ secret('name', 'key') }} is checked here
      if (value.name.length > 253 || !SECRET_NAME.test(value.name)) out.push(fmt(value.name) + " is not a Secret name (lowercase letters, digits, '-' and '.')");
      if (value.key.length > 253 || !SECRET_KEY.test(value.key)) out.push(fmt(value.key) + " is not a key of a Secret (letters, digits, '-', '_' and '.')");
      return out;
    }
    case "artifact": {
      if (!(typeof value === "string" && ARTIFACT_URI.test(value))) return ["expected an artifact URI (s3://bucket/key, gs://, https://...), got " + fmt(value) + " (" + typeName(value) + ")"];
      const bucket = bucketProblem(value);
      return bucket ? [bucket] : [];
    }
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
      if (!f.optional && !f.hasDefault && (f.pattern === null || f.pattern === undefined) && BLANK.test(value)) return [fmt(value) + " is only whitespace: a required string needs text"];
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
      const inner = f.itemField || { kind: f.item || "any", values: f.itemValues };
      items.forEach((item, i) => check(inner, item).forEach(p => out.push((isList ? "item " + i : "key '" + Object.keys(value)[i] + "'") + ": " + p)));
      return out;
    }
  }
  return [];
}

// Problems with a sweep's dimension `d` ({kind, args}) over the param `f`: the rules of compiler/sweeps.py
// (_dimension), which a test runs side by side with these.
const CONTINUOUS = ["uniform", "loguniform", "normal"];
function dimensionProblems(d, f, strategy) {
  const kind = d.kind, args = d.args;
  const integer = f.kind === "int";
  if (CONTINUOUS.includes(kind) && strategy === "grid") return ["a grid cannot enumerate the continuous distribution '" + kind + "'"];
  if (kind === "values") {
    if (!args.length) return ["the values are empty"];
    for (const v of args) { const p = check(f, v); if (p.length) return ["value " + fmt(v) + ": " + p[0]]; }
    return [];
  }
  if (args.some(a => typeof a !== "number" || !isFinite(a))) return ["every bound must be a number"];
  if (integer && kind === "range" && !args.every(a => Number.isInteger(a))) return ["an int's range needs whole numbers"];
  if (kind === "normal") return args[1] <= 0 ? ["the stddev of a normal distribution must be positive"] : [];
  const low = args[0], high = args[1];
  if (low > high || (kind === "range" && args.length === 3 && args[2] <= 0)) return ["low must not exceed high, and a step must be positive"];
  if (kind === "loguniform" && low <= 0) return ["loguniform needs a positive low bound"];
  for (const bound of [low, high]) { const p = check(f, bound); if (p.length) return ["bound " + bound + ": " + p[0]]; }
  return [];
}

// A value as JSON, which YAML reads with its type, with the characters YAML reads otherwise escaped: NEL, LS and
// PS are line breaks to YAML (a quoted "a\u0085b" read back as "a b"), DEL and the C1 controls and U+FFFE/FFFF
// are not allowed in a YAML stream at all (YAML 1.1 §5.1 c-printable, 1.2 §5.1) (tests/test_forms_roundtrip.py).
function yamlJson(v) {
  return JSON.stringify(v).replace(/[\u007f-\u009f\u2028\u2029\ufffe\uffff]/g, c => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

// YAML for a mapping of values: every value is written as JSON (yamlJson). A sweep also writes its search space
// and settings (`sweep`: {space: [{name, kind, args}], settings: {name: value}}).
function toYaml(mode, doc, values, sweep) {
  const lines = Object.entries(values).map(([k, v]) => k + ": " + yamlJson(v));  // names are identifiers
  if (mode === "with") return (doc.header || "") + (lines.length ? "with:\n" + lines.map(l => "  " + l).join("\n") + "\n" : "with: {}\n");
  if (mode === "sweep") {
    const space = (sweep ? sweep.space : doc.space).map(d => "    " + d.name + ": {" + d.kind + ": " + yamlJson(d.args) + "}\n").join("");
    const settings = sweep ? sweep.settings : Object.fromEntries(doc.settings.map(f => [f.name, f.value]));
    const set = Object.entries(settings).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => "  " + k + ": " + JSON.stringify(v) + "\n").join("");
    return doc.header + "  params:\n" + space + (lines.length ? "  fixed:\n" + lines.map(l => "    " + l).join("\n") + "\n" : "") + set + doc.footer;
  }
  // a params file starts with whose it is and how to use it (backends/forms/marker.py; `mldsl validate` reads it)
  return (doc.header || "") + (lines.length ? lines.join("\n") + "\n" : "{}\n");
}

if (typeof module !== "undefined") module.exports = { check, toYaml, dimensionProblems, bucketProblem };

// --- the page -------------------------------------------------------------------------------
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v; else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  children.forEach(c => c && e.appendChild(c));
  return e;
}

// A date-shaped string (format: date, or a YYYY-MM-DD pattern) is typed as YYYY-MM-DD, its help says so (#30 M4).
function isDate(f) {
  return f.kind === "str" && (f.format === "date" || /\\d\{4\}-\\d\{2\}-\\d\{2\}/.test(f.pattern || ""));
}

// The limits of a field in words, shown before anything is typed (issue #14 F7).
function limitsText(f) {
  const parts = [];
  const num = f.kind === "int" ? "a whole number" : f.kind === "float" ? "a number" : null;
  const has = x => x !== null && x !== undefined;
  if (num) {
    const lo = has(f.min) ? (f.exclusiveMin ? "greater than " : "at least ") + f.min : null;
    const hi = has(f.max) ? (f.exclusiveMax ? "less than " : "at most ") + f.max : null;
    parts.push(num + (lo || hi ? ", " + [lo, hi].filter(Boolean).join(" and ") : ""));
  }
  const unit = f.kind === "list" ? "items" : f.kind === "dict" ? "keys" : "characters";
  if (has(f.minLength) && has(f.maxLength)) parts.push(f.minLength + " to " + f.maxLength + " " + unit);
  else if (has(f.minLength)) parts.push("at least " + f.minLength + " " + unit);
  else if (has(f.maxLength)) parts.push("at most " + f.maxLength + " " + unit);
  if (isDate(f)) parts.push("a date, YYYY-MM-DD");
  else if (has(f.pattern)) {
    const lit = /^\^((?:[A-Za-z0-9 :\/_,=@-]|\\[.\/?+*()[\]{}$^|-])+)$/.exec(f.pattern);
    parts.push(lit ? "starts with " + lit[1].replace(/\\(.)/g, "$1") : "must match the pattern " + f.pattern);
  }
  if (f.kind === "artifact") parts.push("a URI: s3://bucket/key, gs://, https://…" + (f.format ? " (" + f.format + ")" : ""));
  return parts.join("; ");
}

function scalarInput(kind, f, value, onChange) {
  if (kind === "bool") {
    const c = el("input", { type: "checkbox" }); c.checked = value === true; c.addEventListener("change", onChange); c.read = () => c.checked; return c;
  }
  if (kind === "enum" && f.values) {
    const s = el("select", {});
    if (f.optional || value === undefined) s.appendChild(el("option", { value: "", text: "(none)" }));
    f.values.forEach((v, i) => { const o = el("option", { value: String(i), text: String(v) }); if (v === value) o.selected = true; s.appendChild(o); });
    s.addEventListener("change", onChange); s.read = () => s.value === "" ? undefined : f.values[Number(s.value)]; return s;
  }
  const numeric = kind === "int" || kind === "float";
  const date = isDate(f);
  // plain text boxes (issue #30 M3, M4): a browser's number box drops what it cannot read (`1,5` became 15,
  // `abc` nothing) and its date picker reorders what is typed (2024-06-15 became 02/02/40615); here what is
  // typed stays as typed, and is read as a number or a date only when it is one, else refused with a message
  const i = el("input", { type: "text", inputmode: numeric ? (kind === "int" ? "numeric" : "decimal") : null,
                          placeholder: date ? "YYYY-MM-DD" : null, autocomplete: numeric || date ? "off" : null });
  if (value !== undefined && value !== null) i.value = String(value);
  i.addEventListener("input", onChange);
  i.read = () => {
    if (i.value === "") return undefined;
    if (!numeric) return i.value;
    return NUMBER.test(i.value.trim()) ? Number(i.value.trim()) : i.value;
  };
  if (numeric) i.problems = () => i.value === "" || NUMBER.test(i.value.trim()) ? [] : [notANumber(i.value)];
  if (date) i.problems = () => i.value === "" || isCalendarDate(i.value) ? [] : [JSON.stringify(i.value) + " is not a date: write it as YYYY-MM-DD, e.g. 2024-06-15"];
  return i;
}

// What a number may be typed as: digits, a sign, one '.', an exponent (what YAML and Python read as a number).
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function notANumber(text) {
  const why = /^\s*[+-]?\d+,\d+\s*$/.test(text) ? ": write decimals with a point (" + text.trim().replace(",", ".") + ")"
    : " (digits, '-', '.', and an exponent such as 1e-3)";
  return JSON.stringify(text) + " is not a number" + why;
}

function isCalendarDate(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

// Rows of a list or a dict: each row is named for assistive technology, removing one says which, and focus
// moves to the new row or the next one (issue #14 F6); an empty row or key and a repeated key are problems.
function rowsWidget(f, value, onChange, keyed, name) {
  const box = el("div", { class: "rows" });
  const rows = [];
  const noun = keyed ? "key" : "item";
  const relabel = () => rows.forEach((r, i) => {
    const n = name + " " + noun + " " + (i + 1);
    if (r.key) r.key.setAttribute("aria-label", n);
    (r.input.control || r.input).setAttribute("aria-label", keyed ? "value of " + n : n);
    r.rm.setAttribute("aria-label", "remove " + n);
  });
  const add = (k, v, focus) => {
    const row = el("div", { class: "row" });
    const key = keyed ? el("input", { type: "text", placeholder: "key" }) : null;
    if (key) { key.value = k || ""; key.addEventListener("input", onChange); row.appendChild(key); }
    const itemName = name + " " + noun + " " + (rows.length + 1);
    const input = f.itemField && (f.itemField.kind === "list" || f.itemField.kind === "dict")
      ? rowsWidget(f.itemField, v, onChange, f.itemField.kind === "dict", itemName)
      : scalarInput(f.item || "str", { values: f.itemValues, kind: f.item }, v, onChange);
    if (input.classList.contains("rows")) input.setAttribute("role", "group");
    row.appendChild(input);
    const rm = el("button", { type: "button", class: "remove", text: "×" });
    const entry = { key, input, rm };
    rm.addEventListener("click", () => {
      const at = rows.indexOf(entry);
      rows.splice(at, 1); row.remove(); relabel(); onChange();
      (rows[at] ? rows[at].rm : addButton).focus();
    });
    row.appendChild(rm);
    rows.push(entry); box.insertBefore(row, addButton); relabel(); onChange();
    if (focus) (key || input.control || input).focus();
  };
  const addButton = el("button", { type: "button", class: "add", text: "+ " + noun, "aria-label": "add " + noun + " to " + name });
  addButton.addEventListener("click", () => add("", undefined, true));
  box.appendChild(addButton);
  if (Array.isArray(value)) value.forEach(v => add("", v));
  else if (value && typeof value === "object") Object.entries(value).forEach(([k, v]) => add(k, v));
  box.read = () => {
    if (keyed) { const o = {}; rows.forEach(r => { o[r.key.value] = r.input.read(); }); return o; }
    return rows.map(r => r.input.read());
  };
  box.problems = () => {
    const out = [], seen = new Set();
    rows.forEach((r, i) => {
      const where = keyed ? (r.key.value === "" ? "row " + (i + 1) : "the value of key '" + r.key.value + "'") : "item " + (i + 1);
      if (keyed && r.key.value === "") out.push("row " + (i + 1) + " has no key: type one or remove the row (×)");
      else if (keyed && seen.has(r.key.value)) out.push("key '" + r.key.value + "' is given twice: keep one");
      if (keyed) seen.add(r.key.value);
      if (r.input.problems) r.input.problems().forEach(p => out.push(where + ": " + p));
      else if (r.input.read() === undefined && (f.item || "str") !== "bool") out.push(where + " is empty: fill it or remove " + (keyed ? "the row" : "it") + " (×)");
    });
    return out;
  };
  return box;
}

// The control for one field. `name` names it for assistive technology where it is a group of controls.
function widget(f, onChange, name) {
  const value = f.hasDefault ? f.default : undefined;  // 0, false and "" are real defaults
  const label = name || f.name;
  let w;
  if (f.kind === "list") w = rowsWidget(f, value, onChange, false, label);
  else if (f.kind === "dict") w = rowsWidget(f, value, onChange, true, label);
  else if (f.kind === "secret") {
    w = el("div", { class: "secret" });
    const sname = el("input", { type: "text", placeholder: "secret name", "aria-label": "secret name of " + label });
    const key = el("input", { type: "text", placeholder: "key", "aria-label": "key in the secret of " + label });
    [sname, key].forEach(i => { i.addEventListener("input", onChange); w.appendChild(i); });
    w.read = () => (sname.value || key.value) ? { name: sname.value, key: key.value } : undefined;
  } else {
    w = scalarInput(f.kind === "artifact" ? "str" : f.kind, f, value, onChange);
    if (f.kind === "artifact") w.setAttribute("placeholder", "s3://bucket/path" + (f.format ? " (" + f.format + ")" : ""));
    w.control = w;
  }
  if (!w.control) w.setAttribute("role", "group");
  return w;
}

// Label, limits, help and error of a field, tied to its control (or group) for assistive technology.
function fieldBox(f, w, id, labelText, extra) {
  const target = w.control || w;
  target.id = id;
  const label = w.control ? el("label", { for: id, text: labelText }) : el("label", { id: id + "-label", text: labelText });
  if (!w.control) target.setAttribute("aria-labelledby", id + "-label");
  const limits = limitsText(f);
  const described = [];
  const part = (cls, text, suffix) => { if (!text) return null; described.push(id + suffix); return el("div", { class: cls, id: id + suffix, text }); };
  const box = el("div", { class: "field", ...(extra || {}) }, label, w,
    part("limits help", limits, "-limits"), part("help", f.description, "-help"));
  const note = el("div", { class: "note help", id: id + "-note" });
  const error = el("div", { class: "error", id: id + "-err" });
  box.append(note, error);
  described.push(id + "-note", id + "-err");
  target.setAttribute("aria-describedby", described.join(" "));
  box.show = (problems, note_) => {
    error.textContent = problems.join("; ");
    note.textContent = note_ || "";
    box.classList.toggle("invalid", problems.length > 0);
    if (problems.length) target.setAttribute("aria-invalid", "true"); else target.removeAttribute("aria-invalid");
  };
  return box;
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

// Names of a dimension's bounds, by its kind.
const BOUNDS = { range: ["start", "stop", "step"], normal: ["mean", "stddev"] };

// A sweep's search space and settings as fields (issue #14 F13): each dimension keeps its kind; its values or
// bounds are edited and checked as the compiler checks them.
function sweepSections(doc, form, onChange) {
  const dims = [], settings = [];
  const space = el("fieldset", { class: "space" }, el("legend", { text: "Search space (" + doc.strategy + ")" }));
  doc.space.forEach(d => {
    const id = "space-" + d.name;
    const box = el("div", { class: "field", "data-space": d.name });
    const title = d.name + " (" + d.field.kind + "): " + d.kind;
    let read;
    if (d.kind === "values") {
      const w = widget({ kind: "list", item: d.field.kind, itemValues: d.field.values, hasDefault: true, default: d.args }, onChange, d.name + " value");
      w.id = id; w.setAttribute("aria-labelledby", id + "-label");
      box.append(el("label", { id: id + "-label", text: title }), w);
      read = () => ({ args: w.read(), own: w.problems() });
    } else {
      const names = BOUNDS[d.kind] || ["low", "high"];
      const row = el("div", { class: "bounds" });
      const inputs = names.map((n, i) => {
        const input = scalarInput("float", {}, d.args[i], onChange);
        input.id = id + "-" + n;
        row.append(el("label", { for: input.id, class: "bound", text: n }), input);
        return input;
      });
      box.append(el("div", { class: "label", id: id + "-label", text: title }), row);
      read = () => ({ args: inputs.map(i => i.read()), own: inputs.flatMap(i => i.problems()) });
    }
    const error = el("div", { class: "error", id: id + "-err" });
    box.appendChild(error);
    box.querySelectorAll("input, select").forEach(c => c.setAttribute("aria-describedby", id + "-err"));
    space.appendChild(box);
    dims.push({ d, box, error, read });
  });
  const set = el("fieldset", { class: "settings" }, el("legend", { text: "Trials" }));
  doc.settings.forEach(f => {
    const w = scalarInput("int", f, f.value === null ? undefined : f.value, onChange);
    const box = fieldBox(f, w, "setting-" + f.name, f.name + (f.optional ? "" : " *"), { "data-setting": f.name });
    set.appendChild(box);
    settings.push({ f, w, box });
  });
  form.append(space, set, el("h2", { class: "fixed-title", text: "Fixed params" }));
  return {
    read() {
      let errors = 0;
      const out = { space: [], settings: {} };
      dims.forEach(({ d, box, error, read }) => {
        const got = read();
        const problems = got.own.length ? got.own : got.args.some(a => a === undefined) ? ["every bound is needed"] : dimensionProblems({ kind: d.kind, args: got.args }, d.field, doc.strategy);
        error.textContent = problems.join("; ");
        box.classList.toggle("invalid", problems.length > 0);
        box.querySelectorAll("input, select").forEach(c => { if (problems.length) c.setAttribute("aria-invalid", "true"); else c.removeAttribute("aria-invalid"); });
        errors += problems.length;
        out.space.push({ name: d.name, kind: d.kind, args: got.args });
      });
      settings.forEach(({ f, w, box }) => {
        const v = w.read();
        const own = w.problems();
        const problems = own.length ? own : v === undefined ? (f.optional ? [] : ["required"]) : check(f, v);
        box.show(problems);
        errors += problems.length;
        out.settings[f.name] = v;
      });
      return { ...out, errors };
    },
  };
}

function start() {
  const data = document.getElementById("mldsl-form");
  if (!data) return;  // another page (mldsl ui) that uses the widgets and rules only
  const doc = JSON.parse(data.textContent);
  const form = document.getElementById("form"), out = document.getElementById("yaml"), status = document.getElementById("status");
  const why = document.getElementById("download-why");
  const inputs = {}, boxes = {}, touched = new Set();
  let built = false;  // widgets report changes while they are being built: wait for the whole form
  const update = () => {
    if (!built) return;
    const values = {}; let errors = 0;
    for (const f of doc.fields) {
      const w = inputs[f.name]; let v = w.read();
      if (v === undefined && f.kind === "bool" && !f.optional) v = false;
      // an untouched optional list or mapping is left out, not written as [] or {} (issue #14 F3)
      const empty = (f.kind === "list" && v.length === 0) || (f.kind === "dict" && Object.keys(v).length === 0);
      const missing = v === undefined || (empty && !f.hasDefault && f.optional);
      const own = w.problems ? w.problems() : [];
      const problems = own.length ? own : missing ? (f.optional || f.hasDefault ? [] : ["required"]) : check(f, v);
      if (!missing && typeof v === "object" && f.kind !== "secret" && nestedOpen(v)) problems.push("'${{' cannot be written inside a list or a mapping");
      // an emptied field takes the default: say so rather than fall back silently (issue #14 F8)
      const note = missing && f.hasDefault && !own.length ? "Empty: the default " + JSON.stringify(f.default) + " applies." : "";
      boxes[f.name].show(problems, note);
      errors += problems.length;
      // an untouched default is left out (the default applies), except a sweep's own fixed values, which must be
      // written (their default is the fixed value); a value the user typed is written even when it equals the
      // default (issue #30 m15: the download says what the user saw and chose)
      const isDefault = f.hasDefault && JSON.stringify(v) === JSON.stringify(f.default);
      const kept = touched.has(f.name) || (doc.mode === "sweep" && (doc.fixed || []).includes(f.name));
      if (!missing && !own.length && !(isDefault && !kept)) values[f.name] = f.kind === "secret" ? secretValue(v) : literalText(v);
    }
    let state;
    if (sweep) { state = sweep.read(); errors += state.errors; }
    out.textContent = toYaml(doc.mode, doc, values, state);
    status.textContent = errors ? errors + " problem" + (errors > 1 ? "s" : "") + " to fix" : "valid";
    status.className = errors ? "bad" : "good";
    document.getElementById("download").disabled = errors > 0;
    why.textContent = errors ? "Download is off until the fields marked in red are fixed." : "";
  };
  const sweep = doc.mode === "sweep" && doc.space ? sweepSections(doc, form, () => update()) : null;
  for (const f of doc.fields) {
    const w = widget(f, () => { if (built) touched.add(f.name); update(); });
    inputs[f.name] = w;
    const box = fieldBox(f, w, "f-" + f.name, f.name + (f.optional || f.hasDefault ? "" : " *"), { "data-name": f.name });
    boxes[f.name] = box;
    form.appendChild(box);
  }
  built = true;
  document.getElementById("download").addEventListener("click", () => {
    const a = el("a", { href: URL.createObjectURL(new Blob([out.textContent], { type: "text/yaml" })), download: doc.filename });
    document.body.appendChild(a); a.click(); a.remove();
  });
  update();
}

if (typeof document !== "undefined") document.addEventListener("DOMContentLoaded", start);
