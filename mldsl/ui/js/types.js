// The rules of mldsl.lang.mtypes.assignable and what a step reads (pure: Node runs them in the tests).

export function sameValue(v, w) {
  const numeric = x => typeof x === "number" || typeof x === "boolean";  // Python: True == 1
  return numeric(v) && numeric(w) ? Number(v) === Number(w) : v === w;
}

export function assignable(src, dst) {
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

export const REFERENCE = /^\$\{\{\s*(params\.\w+|steps\.\w+\.outputs\.\w+(?:\.uri)?)\s*\}\}$/;

// The steps a step waits for: what its values and properties (when, for each…) read (steps.<name>. anywhere in
// them) and its `after:` (issue #30 m4: removing a step named only the steps whose inputs read it).
export function upstream(step) {
  const out = new Set(step.after || []);
  for (const m of JSON.stringify([step.with || {}, step.props || {}]).matchAll(/steps\.(\w+)\./g)) out.add(m[1]);
  out.delete(step.name);
  return out;
}

// What each step depends on, for drawing (dagre lays the layers out): the compiler's [from, to, conditional]
// `edges` when the pipeline compiles, else what its values read; sorted, so that the same graph from either
// is laid out the same (the layout before the first check stays when the check answers).
export function dependencies(steps, edges) {
  const names = new Set(steps.map(s => s.name));
  const of = s => edges ? edges.filter(e => e[1] === s.name).map(e => e[0]) : [...upstream(s)];
  return Object.fromEntries(steps.map(s => [s.name, [...new Set(of(s))].filter(n => names.has(n)).sort()]));
}
