// Ctrl+Z (⌘Z) undoes the last edit of the pipeline (issue #30 M6): every edit leaves a snapshot of the model;
// typing in one field within a second is one edit. In a text box, Ctrl+Z stays the box's own (its text).
import { renderDag } from "./canvas.js";
import { scheduleCheck } from "./check.js";
import { renderComposer } from "./composer.js";
import { feedback } from "./feedback.js";
import { S } from "./state.js";

const KEEP = 100;

// A new pipeline or one just opened: nothing to undo.
export function resetHistory() { S.history = [{ snap: JSON.stringify(S.model), at: Date.now(), typing: false }]; }

// After an edit: its snapshot (a structural edit always gets its own; keystrokes in a row share one).
export function remember(structural) {
  if (!S.history) resetHistory();
  const h = S.history, last = h[h.length - 1], snap = JSON.stringify(S.model), now = Date.now();
  if (last.snap === snap) return;
  if (!structural && last.typing && h.length > 1 && now - last.at < 1000) h[h.length - 1] = { snap, at: now, typing: true };
  else h.push({ snap, at: now, typing: !structural });
  if (h.length > KEEP) h.shift();
}

export function undo() {
  const h = S.history || [];
  if (h.length < 2) { feedback("Nothing to undo."); return; }
  h.pop();
  S.model = JSON.parse(h[h.length - 1].snap);
  S.dirty = true; S.edits++;
  renderComposer(); renderDag(); scheduleCheck();
  feedback("Undone (Ctrl+Z again for the edit before).");
}

function editingText(target) {
  return target && (target.isContentEditable || target.tagName === "TEXTAREA"
    || (target.tagName === "INPUT" && !["checkbox", "radio", "button", "submit"].includes(target.type)));
}

export function undoKeys() {
  document.addEventListener("keydown", ev => {
    if ((ev.ctrlKey || ev.metaKey) && !ev.shiftKey && !ev.altKey && ev.key.toLowerCase() === "z" && !editingText(ev.target)) {
      ev.preventDefault();
      undo();
    }
  });
}
