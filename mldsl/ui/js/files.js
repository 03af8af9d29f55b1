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
  $("root").textContent = r.data.root + (r.data.project ? "" : " (no mldsl.yaml: project defaults do not apply)");
  renderCluster();
}

export function newPipeline() {
  S.file = { path: "pipelines/new-pipeline.yaml", token: null, original: null };
  S.model = { name: "new-pipeline", description: "", params: [], steps: [] };
  S.check = null; S.dirty = false;
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
  S.check = null; S.dirty = false;
  renderComposer(); scheduleCheck(0);
  followOpen();
  resetHistory();
}
