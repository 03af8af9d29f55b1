// Runs, local and cluster, newest first, polled while one is going.
import { api } from "./api.js";
import { $, S } from "./state.js";

export const RUNNING = new Set(["Running", "Pending", "Starting"]);
export function ago(iso) {
  if (!iso) return "";
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  return s < 90 ? Math.round(s) + " s ago" : s < 5400 ? Math.round(s / 60) + " min ago" : s < 129600 ? Math.round(s / 3600) + " h ago" : Math.round(s / 86400) + " d ago";
}
export function seconds(d) { return d === undefined || d === null ? "" : d < 90 ? d.toFixed(1) + " s" : (d / 60).toFixed(1) + " min"; }

export async function loadHistory(soon) {
  clearTimeout(S.historyTimer);
  const r = await api("GET", "/api/history");
  const box = $("runs"); box.textContent = "";
  if (!r.ok) { box.appendChild(el("p", { class: "bad", text: r.data.error })); return; }
  const all = [...r.data.local, ...r.data.cluster];
  if (r.data.clusterError) box.appendChild(el("p", { class: "help", text: "Cluster runs could not be listed: " + r.data.clusterError }));
  if (!all.length) box.appendChild(el("p", { class: "help", text: "No runs yet: Run a pipeline above (or mldsl run in a terminal)." }));
  const list = el("ul", { class: "run-list" });
  all.forEach(run => {
    // a run still going counts its time from its start (its record's duration is of its last write)
    const duration = RUNNING.has(run.status) && run.started ? seconds(Math.max(0, (Date.now() - Date.parse(run.started)) / 1000))
      : run.duration !== undefined && run.duration !== null ? seconds(run.duration)
      : run.finished && run.started ? seconds((Date.parse(run.finished) - Date.parse(run.started)) / 1000) : "";
    const changed = Object.entries(run.where === "local" ? (run.changed || {}) : (run.params || {})).map(([k, v]) => k + "=" + (typeof v === "string" ? v : JSON.stringify(v)));
    const outs = Object.entries(run.outputs || {}).filter(([, v]) => typeof v !== "string" || v.length < 40).map(([k, v]) => k + "=" + (typeof v === "number" ? +v.toFixed(4) : v));
    const item = el("li", { class: "run", "data-run": run.id || "", "data-status": run.status },
      el("span", { class: "phase " + String(run.status).toLowerCase(), text: run.status }),
      el("strong", { text: " " + (run.pipeline || "?") }),
      el("span", { class: "help", text: " · " + (run.where === "local" ? "this machine" : "cluster") + " · " + ago(run.started) + (duration ? " · " + duration : "") }),
      changed.length ? el("div", { class: "help mono", text: "params: " + changed.join(", ") }) : null,
      outs.length ? el("div", { class: "mono", text: "outputs: " + outs.join(", ") }) : null,
      run.message ? el("div", { class: "bad", text: run.message }) : null,
      // a step that succeeded with a warning (a webhook not delivered, issue #30 m7) is not a plain success
      ...Object.entries(run.warnings || {}).map(([step, w]) => el("div", { class: "warn", "data-warning": step, text: "warning: step '" + step + "' succeeded, but " + w })),
      RUNNING.has(run.status) ? progress(run) : null);
    if (run.link) item.appendChild(el("a", { href: run.link, target: "_blank", rel: "noopener", text: "open in the Argo UI" }));
    if (run.where === "local" && run.id) {
      const more = el("button", { type: "button", class: "show-run", text: "steps and logs", "aria-expanded": "false", "aria-label": "steps and logs of " + run.id });
      const details = el("div", { class: "run-details" });
      more.addEventListener("click", async () => {
        if (more.getAttribute("aria-expanded") === "true") { details.textContent = ""; more.setAttribute("aria-expanded", "false"); S.openRun = null; return; }
        S.openRun = run.id;
        await showRun(run.id, details);
        more.setAttribute("aria-expanded", "true");
      });
      item.append(more, details);
      if (S.openRun === run.id) { showRun(run.id, details); more.setAttribute("aria-expanded", "true"); }
    }
    list.appendChild(item);
  });
  box.appendChild(list);
  const going = all.some(x => RUNNING.has(x.status));
  S.historyTimer = setTimeout(loadHistory, going || soon ? 1500 : 15000);
}

// A run still going (issue #30 M2): how many steps are done, and each started step's phase and time.
function progress(run) {
  const steps = Object.entries(run.steps || {});
  const done = steps.filter(([, st]) => !RUNNING.has(st.phase)).length;
  const box = el("div", { class: "progress", "data-progress": done + "/" + steps.length });
  box.appendChild(el("div", { class: "help", text: steps.length ? done + " of " + steps.length + " steps done" : "starting…" }));
  const list = el("ul", { class: "progress-steps" });
  steps.forEach(([name, st]) => {
    const time = RUNNING.has(st.phase) && st.started ? seconds(Math.max(0, (Date.now() - Date.parse(st.started)) / 1000)) : seconds(st.duration);
    list.appendChild(el("li", { class: "mono", "data-step-progress": name },
      el("span", { class: "phase " + String(st.phase).toLowerCase(), text: st.phase }), el("span", { text: " " + (st.label || name) + (time ? " · " + time : "") })));
  });
  box.appendChild(list);
  if (run.id && steps.some(([, st]) => RUNNING.has(st.phase))) runningTail(run.id, box);
  return box;
}

// The end of the running steps' logs, under the progress (their record's logs, read as they grow).
async function runningTail(id, box) {
  const r = await api("GET", "/api/history/run?run=" + encodeURIComponent(id));
  if (!r.ok) return;
  Object.entries(r.data.steps).filter(([, st]) => RUNNING.has(st.phase) && st.log).forEach(([name, st]) => {
    const tail = st.log.split("\n").slice(-8).join("\n");
    box.appendChild(el("pre", { class: "log running-tail", tabindex: "0", "aria-label": "the end of the log of " + name + ", as it runs", text: tail }));
  });
}

export async function showRun(id, box) {
  const r = await api("GET", "/api/history/run?run=" + encodeURIComponent(id));
  box.textContent = "";
  if (!r.ok) { box.appendChild(el("p", { class: "bad", text: r.data.error })); return; }
  box.appendChild(el("p", { class: "help mono", text: r.data.folder }));
  Object.entries(r.data.steps).forEach(([key, st]) => {
    const name = st.label || key;  // the user's name: "load (in forest)", not forest__load (issue #30 m8)
    const failed = st.phase === "Failed" || st.phase === "Error";
    const state = st.warning ? st.phase + " with a warning" : st.phase;
    const d = el("details", { class: "step-run", "data-phase": st.warning ? "Warning" : st.phase },
      el("summary", { text: name + ": " + state + (st.cached ? " (cached)" : "") + (st.duration !== undefined ? ", " + seconds(st.duration) : "") }));
    // a failed step is open, its error first, the user's frames before the libraries' (issue #30 m6)
    if (failed) d.open = true;
    if (st.message && (failed || st.warning)) d.appendChild(el("div", { class: failed ? "bad" : "warn", text: st.message }));
    if (st.warning) d.appendChild(el("div", { class: "warn", text: "warning: " + st.warning }));
    if (st.failure) d.appendChild(el("pre", { class: "log failure", tabindex: "0", "aria-label": "the error of " + name, text: st.failure }));
    const outs = Object.entries(st.outputs || {}).map(([k, v]) => k + "=" + (typeof v === "string" ? v : JSON.stringify(v)));
    if (outs.length) d.appendChild(el("div", { class: "mono", text: outs.join(", ") }));
    if (st.notebook) d.appendChild(el("div", { class: "mono", text: "notebook " + st.notebook.file + " as it ran: " + st.notebook.executed
      + Object.entries(st.notebook.html || {}).map(([k, v]) => "; as HTML (" + k + "): " + v).join("") }));
    // every log of the step: a Spark or training job's, each replica's (issue #30 M5), each under its path
    const logs = st.logs && st.logs.length ? st.logs : [{ path: null, tail: st.log }];
    logs.forEach((log, i) => {
      if (log.path) d.appendChild(el("div", { class: "help mono log-path", text: log.path }));
      d.appendChild(el("pre", { class: "log", tabindex: "0", "aria-label": "log of " + name + (i && log.path ? " (" + log.path + ")" : ""),
        text: log.tail || "(no output)" }));
    });
    box.appendChild(d);
  });
}
