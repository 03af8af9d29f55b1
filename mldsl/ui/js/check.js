// The live check: the compiler's answer, its diagnostics at their fields.
import { api } from "./api.js";
import { renderDag } from "./canvas.js";
import { renderComposer } from "./composer.js";
import { diagText } from "./hints.js";
import { $, S, setStatus } from "./state.js";

export function scheduleCheck(delay) {
  clearTimeout(S.timer);
  setStatus("status", "checking…");
  S.pending = true;
  S.timer = setTimeout(runCheck, delay === undefined ? 250 : delay);
}

export async function runCheck() {
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
  // a long order would take a dozen lines above the DAG (issue #30 B1): past 8 steps, its ends only
  const shown = order.length > 8 ? [order[0], "…", order[order.length - 1]] : order;
  const valid = order.length ? "valid: " + order.length + " step" + (order.length > 1 ? "s" : "") + " in order " + shown.join(" → ") : "valid (no steps yet)";
  setStatus("status", n ? n + " problem" + (n > 1 ? "s" : "") + " to fix" : valid, !n);
  saveState(n);
}

export function showDiagnostics() {
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

// Why Save is off, said beside it; and "saved" no longer shown once the pipeline changed (issue #30 m3).
// A save's own answer (saved, or why it was refused) stays until the next edit or check says otherwise.
const SAVE_OFF = /^Save is off/;
export function saveState(n) {
  $("save").disabled = n > 0;
  const status = $("save-status").textContent;
  const mine = status === "" || SAVE_OFF.test(status) || status === "unsaved changes" || (status.startsWith("saved ") && S.dirty);
  if (!mine) return;
  if (n > 0) setStatus("save-status", "Save is off until the " + (n > 1 ? n + " problems" : "problem") + " marked in red " + (n > 1 ? "are" : "is") + " fixed.", false);
  else setStatus("save-status", S.dirty ? "unsaved changes" : "");
}
