// The cluster: apply the project, launch a sweep.
import { api } from "./api.js";
import { refreshState, renderRunPanel } from "./run-panel.js";
import { loadHistory } from "./runs.js";
import { $, S } from "./state.js";

// A button does nothing more while its request is in flight: a double click starts one run, not two (U5).
export function busy(btn, work) {
  btn.addEventListener("click", async () => {
    if (btn.disabled) return;
    btn.disabled = true; btn.setAttribute("aria-busy", "true");
    try { await work(); } finally { btn.disabled = false; btn.removeAttribute("aria-busy"); if (btn.recheck) btn.recheck(); }
  });
}

export function say(text, good) { $("cluster-log").prepend(el("li", { class: good ? "good" : "bad", text })); }

// --- the cluster: apply the project, launch a sweep ------------------------------------------------------------
export async function renderCluster() {
  const box = $("cluster"); box.textContent = "";
  const c = S.files.cluster;
  if (!c.configured) {
    box.appendChild(el("p", { class: "help", text: "No cluster configured (" + c.via + "). Set ARGO_SERVER or a kubeconfig and restart to apply, run and launch sweeps from here." }));
  } else {
    box.appendChild(el("p", { class: "help", text: "Cluster: " + c.via + ". These act on the saved files, as mldsl apply and mldsl submit do." }));
    if (c.can_apply) {
      const applyBtn = el("button", { type: "button", id: "apply", text: "Apply project" });
      busy(applyBtn, async () => {
        const r = await api("POST", "/api/apply", {});
        if (r.ok) r.data.lines.forEach(l => say(l, true)); else say(r.data.error, false);
        refreshState();
      });
      box.appendChild(applyBtn);
    } else {
      box.appendChild(el("p", { class: "help", id: "apply-note", text: "Apply needs a kubeconfig or an in-cluster account (the Argo Server only starts runs): run mldsl apply where one is set." }));
    }
  }
  const r = await api("GET", "/api/runs");
  if (!r.ok) return;
  renderRunPanel(r.data, c);
  if (c.configured && r.data.sweeps.length) {
    const sweep = el("select", { id: "launch-sweep", "aria-label": "sweep to launch" });
    r.data.sweeps.forEach(n => sweep.appendChild(el("option", { value: n, text: n })));
    const launch = el("button", { type: "button", id: "launch", text: "Launch sweep" });
    busy(launch, async () => {
      const s = await api("POST", "/api/launch", { sweep: sweep.value });
      if (s.ok) s.data.started.forEach(l => say(l + " started", true)); else say(s.data.error, false);
      loadHistory();
    });
    box.append(el("h3", { text: "Launch a sweep" }), sweep, launch);
  }
}
