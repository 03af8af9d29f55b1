// Drawing the whole composer again, keeping focus where it was.
import { renderDag } from "./canvas.js";
import { stepCard } from "./cards.js";
import { showDiagnostics } from "./check.js";
import { paramRow, pipelineSettings } from "./params.js";
import { $, S } from "./state.js";

// Re-rendering rebuilds the cards: focus goes back to the control it was on (by id or name), caret included.
export function keepingFocus(render) {
  const a = document.activeElement;
  const key = a && a !== document.body ? (a.id ? "#" + CSS.escape(a.id) : a.getAttribute("aria-label") ? '[aria-label="' + CSS.escape(a.getAttribute("aria-label")) + '"]' : null) : null;
  const caret = a && typeof a.selectionStart === "number" ? a.selectionStart : null;
  render();
  if (!key || document.activeElement === a) return;
  const again = document.querySelector(key);
  if (again) { again.focus({ preventScroll: true }); if (caret !== null && typeof again.setSelectionRange === "function") try { again.setSelectionRange(caret, caret); } catch (e) { /* not a text box */ } }
}

export function renderComposer() { keepingFocus(renderComposerNow); }

export function renderComposerNow() {
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
