// mldsl ui: browse the module library, compose a pipeline, see its DAG, check it with the compiler, save it.
// form.js (a classic script before this module) gives el, widget, fieldBox and check; dagre lays out the DAG.
import { renderDag } from "./canvas.js";
import { canvasDrop } from "./canvas-edit.js";
import { scheduleCheck } from "./check.js";
import { renderComposer } from "./composer.js";
import { changed } from "./edit.js";
import { loadFiles, newPipeline, openMenu } from "./files.js";
import { loadLibrary, renderLibrary } from "./library.js";
import { loadHistory } from "./runs.js";
import { save } from "./save.js";
import { $, S } from "./state.js";
import { undoKeys } from "./undo.js";

function startComposer() {
  S.csrf = document.querySelector('meta[name="mldsl-csrf"]').content;
  $("search").addEventListener("input", renderLibrary);
  $("path").addEventListener("input", () => { S.file.path = $("path").value; scheduleCheck(); });
  $("pipeline-name").addEventListener("input", () => { S.model.name = $("pipeline-name").value; changed(false); });
  $("pipeline-description").addEventListener("input", () => { S.model.description = $("pipeline-description").value; changed(false); });
  $("add-param").addEventListener("click", () => {
    const taken = new Set(S.model.params.map(p => p.name));
    let name = "param", i = 2;
    while (taken.has(name)) name = "param_" + i++;
    S.model.params.push({ name, type: "str" });
    changed(true);
  });
  $("new").addEventListener("click", () => { if (!S.dirty || confirm("Discard the changes to " + S.file.path + "?")) newPipeline(); });
  openMenu($("open"));
  $("save").addEventListener("click", save);
  $("reload").addEventListener("click", () => { S.dirty = false; openPipeline({ path: S.file.path, name: S.file.original }); });
  window.addEventListener("beforeunload", e => { if (S.dirty) e.preventDefault(); });
  newPipeline();
  loadLibrary().then(() => renderComposer());
  loadFiles();
  loadHistory();
  canvasDrop();
  undoKeys();
  let resized = null;  // the fit follows the window (a phone turned sideways)
  window.addEventListener("resize", () => { clearTimeout(resized); resized = setTimeout(renderDag, 150); });
}

if (typeof document !== "undefined" && document.querySelector('meta[name="mldsl-csrf"]')) document.addEventListener("DOMContentLoaded", startComposer);
