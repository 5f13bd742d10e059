// Porta sandbox: what the page's modules share. The last /web/state and the view (in `page`),
// talking to the server, the status line and refresh(), which app.js hands over at boot:
// panel.js and composer.js ask for a refresh through here, never by importing app.js.

export const $ = (id) => document.getElementById(id);

export const page = {
  state: null,                  // last /web/state
  view: { u: null, c: null, t: null },
  loadedKey: null,              // the view whose chat is on screen (toasts initialised for it)
  seenToasts: new Set(),
  forceBottom: false,           // the person just sent something: show the end
  refreshFailed: false,         // #status shows a loading error
  resetting: false,
};

let refresher = () => {};
export function onRefresh(fn) {
  refresher = fn;
}
export const refresh = () => refresher();

// ---- talking to the server --------------------------------------------------------------

export async function api(method, path, body) {
  const init = { method, headers: { Accept: "application/json" } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init).catch(() => {
    throw new Error("The sandbox server cannot be reached.");
  });
  const data = await res.json().catch(() => null);
  if (!res.ok || data?.error) throw new Error(data?.error || `${method} ${path}: HTTP ${res.status}`);
  return data;
}

let statusTimer = 0;
export function setStatus(text, kind = "info", clearAfter = 0) {
  const box = $("status");
  clearTimeout(statusTimer);
  box.textContent = text;
  box.className = text ? kind : "";
  if (clearAfter) statusTimer = setTimeout(() => setStatus(""), clearAfter);
}

// Run an action without blocking the page; errors go to #status.
export async function act(fn) {
  if ($("status").className === "error") setStatus("");
  page.refreshFailed = false;
  try {
    return await fn();
  } catch (err) {
    setStatus(err.message, "error");
    return undefined;
  } finally {
    refresh();
  }
}

// ---- the view: {u: person, c: group chat or null, t: topic or null} ----------------------

export const num = (s) => (s === null || s === "" || !Number.isFinite(Number(s)) ? null : Number(s));

export function hashOf(v) {
  const p = new URLSearchParams();
  if (v.u !== null) p.set("u", v.u);
  if (v.c !== null) p.set("c", v.c);
  if (v.c !== null && v.t !== null) p.set("t", v.t);
  return `#${p}`;
}

export const currentUser = () => page.state?.users?.find((x) => x.id === page.view.u) || null;
export const botName = () => page.state?.bot?.first_name || "Porta";
