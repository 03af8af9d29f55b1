// Saving, and a save refused because the file changed on disk.
import { api } from "./api.js";
import { showDiagnostics } from "./check.js";
import { renderComposer } from "./composer.js";
import { loadFiles } from "./files.js";
import { $, S, setStatus } from "./state.js";

export async function save() {
  $("save").disabled = true;
  setStatus("save-status", "saving…");
  const r = await api("POST", "/api/save", { path: S.file.path, token: S.file.token, original: S.file.original, model: S.model });
  $("save").disabled = false;
  $("reload").hidden = true;
  $("conflict").hidden = true;
  if (r.ok) {
    S.file = { path: r.data.path, token: r.data.token, original: r.data.original };
    [...S.model.steps, ...S.model.params].forEach(x => { delete x.was; });
    S.dirty = false;
    S.check = r.data;
    S.checkedEdits = S.edits;
    renderComposer();
    $("yaml").textContent = r.data.yaml;
    setStatus("save-status", "saved " + r.data.path, true);
    loadFiles();
    return;
  }
  if (r.data.report) { S.check = r.data.report; showDiagnostics(); }
  if (r.data.field === "path") $("err-path").textContent = r.data.error;
  if (r.data.conflict) showConflict(r.data);
  setStatus("save-status", r.data.error, false);
}

// A save refused because the file changed: besides dropping one's changes, keep them over the disk's version
// (after reading the diff) or save them as a copy (issue #14 U16).
export function showConflict(data) {
  $("reload").hidden = false;
  $("conflict").hidden = false;
  $("conflict-diff").textContent = data.diff || "(the pipeline is no longer in that file: save yours as a copy)";
  $("keep-mine").hidden = !data.diskToken;
  $("keep-mine").onclick = () => { S.file.token = data.diskToken; $("conflict").hidden = true; save(); };
  $("save-copy").onclick = () => {
    const stem = S.file.path.replace(/\.ya?ml$/, "");
    S.file = { path: stem + "-copy.yaml", token: null, original: null };
    S.model.name = S.model.name + "-copy";
    $("conflict").hidden = true;
    renderComposer();
    save();
  };
  $("conflict-diff").focus();
}
