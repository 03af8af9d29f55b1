// Opening and starting pipelines.
import { api } from "./api.js";
import { scheduleCheck } from "./check.js";
import { renderCluster } from "./cluster.js";
import { renderComposer } from "./composer.js";
import { followOpen } from "./run-panel.js";
import { $, S, setStatus } from "./state.js";
import { resetHistory } from "./undo.js";

export async function loadFiles() {
  const r = await api("GET", "/api/files");
  if (!r.ok) return;
  S.files = r.data;
  const sel = $("open"); sel.textContent = "";
  sel.appendChild(el("option", { value: "", text: "Open a pipeline…" }));
  r.data.pipelines.forEach(p => sel.appendChild(el("option", { value: JSON.stringify(p), text: p.path + " — " + p.name })));
  $("root").textContent = (r.data.shown_root || r.data.root) + (r.data.project ? "" : " (no mldsl.yaml: project defaults do not apply)");
  renderCluster();
}

export function newPipeline() {
  S.file = { path: "pipelines/new-pipeline.yaml", token: null, original: null };
  S.model = { name: "new-pipeline", description: "", params: [], steps: [] };
  S.check = null; S.dirty = false; S.placed = null;
  renderComposer(); scheduleCheck(0);
  followOpen();
  resetHistory();
}

export async function openPipeline(p) {
  if (S.dirty && !confirm("Discard the changes to " + S.file.path + "?")) return;
  const r = await api("GET", "/api/open?path=" + encodeURIComponent(p.path) + "&name=" + encodeURIComponent(p.name));
  if (!r.ok) { setStatus("save-status", r.data.error, false); return; }
  S.file = { path: r.data.path, token: r.data.token, original: r.data.original };
  S.model = r.data.model;
  S.check = null; S.dirty = false; S.placed = null;
  renderComposer(); scheduleCheck(0);
  followOpen();
  resetHistory();
}

// The "Open a pipeline…" menu (issue #30 m13): ArrowDown on it opened the first pipeline at once. A choice made
// with the arrows (or by typing) only moves in the menu, Enter opens it; a click in its list opens at once.
export function openMenu(sel) {
  let moving = false;
  const open = () => { const v = sel.value; sel.value = ""; if (v) openPipeline(JSON.parse(v)); };
  sel.addEventListener("keydown", ev => {
    if (ev.key === "Enter") { ev.preventDefault(); moving = false; open(); return; }
    moving = /^(Arrow|Page|Home$|End$)/.test(ev.key) || ev.key.length === 1;
  });
  ["mousedown", "blur"].forEach(e => sel.addEventListener(e, () => { moving = false; }));
  sel.addEventListener("change", () => { if (moving) moving = false; else open(); });
}
