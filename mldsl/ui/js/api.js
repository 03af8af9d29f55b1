// Requests to the server that served the page (the CSRF token on every write).
import { S } from "./state.js";

export async function api(method, path, body) {
  const init = { method, headers: {} };
  if (method === "POST") {
    init.headers = { "Content-Type": "application/json", "X-MLDSL-Token": S.csrf };
    init.body = JSON.stringify(body === undefined ? {} : body);
  }
  try {
    const r = await fetch(path, init);
    return { status: r.status, ok: r.ok, data: await r.json() };
  } catch (e) {
    return { status: 0, ok: false, data: { error: "the mldsl ui server is not answering (" + e + ")" } };
  }
}
