// The page's shared state and its small DOM helpers.

export const S = {
  view: { k: 1, tx: 0, ty: 0 },  // the canvas's zoom and pan
  runValues: {},  // what was typed into the run form, by pipeline: kept when the panel is drawn again
  csrf: "", modules: [], byKey: {}, files: null,
  file: { path: "", token: null, original: null },
  model: null, check: null, seq: 0, timer: null, dirty: false,
  edits: 0, checkedEdits: -1,  // the compiler's edges are drawn only when they are of the model as it is
};
export const $ = id => document.getElementById(id);

export function setStatus(id, text, good) {
  const s = $(id); s.textContent = text; s.className = "status " + (good === undefined ? "" : good ? "good" : "bad");
}

// An element id from a field's key (step:x:with:y): ids may not hold ':' in CSS selectors without escaping.
export function domId(key) { return "f-" + key.replace(/[^A-Za-z0-9_-]/g, "-"); }

// The tests (and a curious reader's console) look at the page's state: the module's S, on the window.
window.S = S;
