// Porta sandbox: a Telegram-like chat page over the local emulator's JSON API.
import {
  el, messageElement, dayElement, dayKey, dayLabel, reconcile, setupRichText,
  personButton, keepFocus, groupSection, showToast, showAlert, setupMenu, keyboardRows,
} from "./render.js";

const $ = (id) => document.getElementById(id);
const chatBox = $("chat");
const composer = $("composer");
const narrow = window.matchMedia("(max-width: 720px)");
const ROLE_LABELS = { "": "None", operator: "Operator", housing: "Housing staff", youth: "Youth worker", admin: "Admin" };

let state = null;               // last /web/state
let view = { u: null, c: null, t: null };
let loadedKey = null;           // the view whose chat is on screen (toasts initialised for it)
const seenToasts = new Set();
let stick = true;               // the person is at the bottom of the list
let forceBottom = false;        // the person just sent something: show the end
let refreshFailed = false;      // #status shows a loading error
let resetting = false;
let pendingRole = 0;            // role requests in flight: do not overwrite the select meanwhile
let keyboardSig = "";
let keyboardCollapsed = false;
const sigs = {};                // signatures of the panel parts

// ---- talking to the server --------------------------------------------------------------

async function api(method, path, body) {
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
function setStatus(text, kind = "info", clearAfter = 0) {
  const box = $("status");
  clearTimeout(statusTimer);
  box.textContent = text;
  box.className = text ? kind : "";
  if (clearAfter) statusTimer = setTimeout(() => setStatus(""), clearAfter);
}

// Run an action without blocking the page; errors go to #status.
async function act(fn) {
  if ($("status").className === "error") setStatus("");
  refreshFailed = false;
  try {
    return await fn();
  } catch (err) {
    setStatus(err.message, "error");
    return undefined;
  } finally {
    refresh();
  }
}

// ---- the view in location.hash -------------------------------------------------------------

const viewKey = (v = view) => `${v.u}|${v.c ?? ""}|${v.t ?? ""}`;
const num = (s) => (s === null || s === "" || !Number.isFinite(Number(s)) ? null : Number(s));

function hashOf(v) {
  const p = new URLSearchParams();
  if (v.u !== null) p.set("u", v.u);
  if (v.c !== null) p.set("c", v.c);
  if (v.c !== null && v.t !== null) p.set("t", v.t);
  return `#${p}`;
}

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  view = { u: num(p.get("u")), c: num(p.get("c")), t: num(p.get("t")) };
}

// Make the view fit the state (a person that exists, a group they are in); fix the hash.
function resolveView() {
  if (!state) return;
  const users = state.users || [];
  const user = users.find((x) => x.id === view.u) || users[0];
  if (!user) {
    view = { u: null, c: null, t: null };
  } else {
    view.u = user.id;
    const group = (state.groups || []).find((g) => g.chat_id === view.c);
    if (!group || !(user.groups || []).includes(view.c)) view.c = null;
    if (view.c === null || !(group.topics || []).some((t) => t.message_thread_id === view.t)) view.t = null;
  }
  if (location.hash !== hashOf(view)) history.replaceState(null, "", hashOf(view));
}

function openView(u, c = null, t = null) {
  view = { u, c, t };
  const hash = hashOf(view);
  if (location.hash !== hash) location.hash = hash; // hashchange → refresh
  else refresh();
  if (narrow.matches && document.body.classList.contains("panel-open")) {
    setPanel(false, false);
    composer.focus();
  }
}

const currentUser = () => state?.users?.find((x) => x.id === view.u) || null;
const botName = () => state?.bot?.first_name || "Porta";

function target(v = view) {
  if (v.c === null) return {};
  return v.t === null ? { chat_id: v.c } : { chat_id: v.c, thread_id: v.t };
}

function chatUrl(v) {
  const q = new URLSearchParams();
  if (v.c !== null) q.set("chat_id", v.c);
  if (v.c !== null && v.t !== null) q.set("thread_id", v.t);
  const s = q.toString();
  return `/web/users/${encodeURIComponent(v.u)}/chat${s ? `?${s}` : ""}`;
}

// ---- live refresh (coalesced: one in flight, one more after it if needed) -----------------

let busy = false;
let again = false;

async function refresh() {
  if (busy) {
    again = true;
    return;
  }
  busy = true;
  try {
    do {
      again = false;
      await loadOnce();
    } while (again);
    if (refreshFailed) {
      refreshFailed = false;
      if ($("status").className === "error") setStatus("");
    }
  } catch (err) {
    if (!resetting) {
      setStatus(err.message, "error");
      refreshFailed = true;
    }
  } finally {
    busy = false;
  }
}

async function loadOnce() {
  state = await api("GET", "/web/state");
  resolveView();
  renderPanel();
  if (view.u === null) {
    showNoOne();
    shown(state.version);
    return;
  }
  const key = viewKey();
  const chat = await api("GET", chatUrl(view));
  if (key !== viewKey()) {
    again = true; // the view changed meanwhile
    return;
  }
  renderChat(chat, key);
  shown(Math.min(state.version ?? 0, chat.version ?? state.version ?? 0));
}

// The version of the server's world the page shows (tests wait for it).
function shown(version) {
  if (Number.isFinite(version)) document.body.dataset.version = String(version);
}

// ---- the side panel --------------------------------------------------------------------------

function changed(part, value) {
  const sig = JSON.stringify(value);
  if (sigs[part] === sig) return false;
  sigs[part] = sig;
  return true;
}

function renderPanel() {
  const user = currentUser();
  for (const node of document.querySelectorAll(".bot-name")) node.textContent = botName();

  const people = $("people");
  if (changed("people", [state.users, view.u])) {
    keepFocus(people, ["data-user-id"], () => {
      people.replaceChildren(...state.users.map((p) => personButton(p, p.id === view.u)));
      if (!state.users.length) people.append(el("p", { class: "hint", text: "No one yet: create a person below." }));
    });
  }

  const langSelect = $("new-language");
  if (changed("languages", state.languages)) {
    const chosen = langSelect.value;
    langSelect.replaceChildren(
      ...(state.languages || []).map((l) => el("option", { value: l.code, text: `${l.name} (${l.code})` })),
      el("option", { value: "", text: "No language (none sent)" }));
    if (chosen !== "" && [...langSelect.options].some((o) => o.value === chosen)) langSelect.value = chosen;
  }

  const role = $("role");
  if (changed("roles", state.roles)) {
    role.replaceChildren(...["", ...(state.roles || [])].map((r) => el("option", { value: r, text: ROLE_LABELS[r] || r })));
  }
  role.disabled = !user;
  if (user && !pendingRole) role.value = user.role || "";

  $("back-to-bot").setAttribute("aria-pressed", String(view.c === null));
  const groups = $("groups");
  const mine = user ? (state.groups || []).filter((g) => (user.groups || []).includes(g.chat_id)) : [];
  if (changed("groups", [mine, view.c, view.t])) {
    keepFocus(groups, ["data-chat-id", "data-thread-id"], () => {
      groups.replaceChildren(...mine.map((g) => groupSection(g, view)));
      if (!mine.length) groups.append(el("p", { class: "hint", text: "Not a member of any staff group." }));
    });
  }
}

function setPanel(open, moveFocus = true) {
  document.body.classList.toggle("panel-open", open);
  $("panel-toggle").setAttribute("aria-expanded", String(open));
  $("backdrop").hidden = !open;
  if (open && moveFocus) ($("people").querySelector("[aria-pressed='true']") || $("panel").querySelector("button, input, select"))?.focus();
  else if (!open && moveFocus) $("panel-toggle").focus();
}

// ---- the chat ------------------------------------------------------------------------------

const atBottom = () => chatBox.scrollHeight - chatBox.scrollTop - chatBox.clientHeight < 48;
const toBottom = () => { chatBox.scrollTop = chatBox.scrollHeight; };

function showNoOne() {
  loadedKey = null;
  chatBox.replaceChildren();
  $("chat-title").textContent = "No one yet";
  $("chat-sub").textContent = "Create a person in the side panel";
  $("empty").hidden = true;
  $("typing").hidden = true;
  renderKeyboard([]);
}

function renderChat(chat, key) {
  const first = key !== loadedKey;
  const user = currentUser();
  const group = view.c !== null;
  if (first) {
    chatBox.replaceChildren();
    keyboardCollapsed = false;
  }
  stick = first || forceBottom || atBottom();
  forceBottom = false;
  $("chat-title").textContent = chat.title;
  document.title = `${chat.title} · Porta sandbox`;
  $("chat-avatar").textContent = view.t !== null ? "#" : Array.from(chat.title || "?")[0];
  $("chat-avatar").classList.toggle("is-group", group);
  const groupTitle = (state.groups || []).find((g) => g.chat_id === view.c)?.title;
  $("chat-sub").textContent = chat.typing ? "typing…" : !group ? "bot" : view.t === null ? "General" : groupTitle || "topic";
  chatBox.setAttribute("dir", chat.dir === "rtl" ? "rtl" : "ltr");
  if (!group && user?.language) chatBox.setAttribute("lang", user.language);
  else chatBox.removeAttribute("lang");

  const ctx = { group, userId: view.u, botName: botName() };
  const ctxSig = `|${group}|${view.u}|${ctx.botName}`;
  const items = [];
  let lastDay = null;
  for (const m of chat.messages || []) {
    const date = new Date(m.date * 1000);
    const day = dayKey(date);
    if (day !== lastDay) {
      items.push({ key: `d:${day}`, sig: dayLabel(date), build: () => dayElement(date) });
      lastDay = day;
    }
    items.push({ key: `m:${m.message_id}`, sig: JSON.stringify(m) + ctxSig, build: () => messageElement(m, ctx) });
  }
  reconcile(chatBox, items);

  const empty = !(chat.messages || []).length;
  $("empty").hidden = !empty;
  $("start").hidden = group;
  $("empty-text").textContent = group ? "No messages here yet." : `Start a chat with ${botName()}.`;

  $("typing").hidden = !chat.typing;
  $("typing-text").textContent = `${botName()} is typing…`;
  composer.placeholder = chat.placeholder || "Message";
  renderKeyboard(chat.keyboard || []);
  if (stick) toBottom();
  handleToasts(chat.toasts || [], first);
  loadedKey = key;
}

function renderKeyboard(rows) {
  const box = $("reply-keyboard");
  const sig = JSON.stringify(rows);
  if (sig !== keyboardSig) {
    keyboardSig = sig;
    keyboardCollapsed = false;
    const active = document.activeElement;
    const index = box.contains(active) ? [...box.querySelectorAll("button")].indexOf(active) : -1;
    box.replaceChildren(...keyboardRows(rows));
    if (index >= 0) {
      const buttons = box.querySelectorAll("button");
      (buttons[index] || buttons[buttons.length - 1] || composer).focus();
    }
  }
  const has = rows.length > 0;
  box.hidden = !has || keyboardCollapsed;
  $("kb-toggle").hidden = !has;
  $("kb-toggle").setAttribute("aria-expanded", String(has && !keyboardCollapsed));
}

// ---- callback answers -----------------------------------------------------------------------

function handleToasts(toasts, first) {
  for (const t of toasts) {
    if (seenToasts.has(t.id)) continue;
    if (first) {
      seenToasts.add(t.id);
      continue;
    }
    if (!t.answered) continue; // wait for the bot's answer
    seenToasts.add(t.id);
    if (!t.text) continue;
    if (t.show_alert) showAlert(t.text);
    else showToast(t.text);
  }
}

// ---- sending ------------------------------------------------------------------------------

function send(kind, value, v = { ...view }) {
  if (v.u === null) return Promise.resolve();
  forceBottom = true;
  return act(() => api("POST", `/web/users/${v.u}/send`, { kind, value, ...target(v) }));
}

function autosize() {
  composer.style.height = "auto";
  composer.style.height = `${Math.min(composer.scrollHeight, 160)}px`;
}

async function sendComposer() {
  const text = composer.value;
  if (!text.trim()) return;
  composer.value = "";
  autosize();
  const result = await send("text", text);
  if (result === undefined && !composer.value) {
    composer.value = text; // not sent: give the text back
    autosize();
  }
}

$("composer-form").addEventListener("submit", (e) => {
  e.preventDefault();
  sendComposer();
});
composer.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
    e.preventDefault();
    sendComposer();
  }
});
composer.addEventListener("input", autosize);

$("start").addEventListener("click", () => send("text", "/start"));

$("reply-keyboard").addEventListener("click", (e) => {
  const button = e.target.closest("button");
  if (button) send("text", button.textContent);
});
$("kb-toggle").addEventListener("click", () => {
  keyboardCollapsed = !keyboardCollapsed;
  renderKeyboard(JSON.parse(keyboardSig || "[]"));
});

// inline buttons (spoilers and expandable quotes: setupRichText)
setupRichText(chatBox);
chatBox.addEventListener("click", (e) => {
  const button = e.target.closest("button.inline-btn");
  if (!button) return;
  const msg = button.closest(".msg");
  if (button.dataset.callback !== undefined) {
    const v = { ...view };
    button.classList.add("pending");
    button.setAttribute("aria-busy", "true");
    const body = { message_id: Number(msg.dataset.messageId), data: button.dataset.callback };
    if (v.c !== null) body.chat_id = v.c;
    act(() => api("POST", `/web/users/${v.u}/tap`, body)).finally(() => {
      button.classList.remove("pending");
      button.removeAttribute("aria-busy");
    });
  } else if (button.dataset.copy !== undefined) {
    navigator.clipboard?.writeText(button.dataset.copy).then(() => showToast("Copied"), () => showToast(button.dataset.copy));
  } else {
    showToast("This button does nothing in the sandbox.");
  }
});
chatBox.addEventListener("scroll", () => { stick = atBottom(); }, { passive: true });
chatBox.addEventListener("load", () => { if (stick) toBottom(); }, true); // images arriving

// ---- attach menu and uploads --------------------------------------------------------------------------

const attachActions = {
  "attach-photo": () => $("file-photo").click(),
  "attach-document": () => $("file-document").click(),
  "attach-voice": () => send("voice", null),
  "attach-location": () => send("location", null),
  "attach-sticker": () => send("sticker", null),
};
setupMenu($("attach"), $("attach-menu"), (id) => attachActions[id]?.());

function upload(kind, input) {
  const file = input.files && input.files[0];
  input.value = "";
  if (!file || view.u === null) return;
  const v = { ...view };
  const form = new FormData();
  form.append("kind", kind);
  form.append("file", file, file.name);
  const caption = composer.value.trim();
  if (caption) {
    form.append("caption", caption);
    composer.value = "";
    autosize();
  }
  for (const [name, value] of Object.entries(target(v))) form.append(name, String(value));
  forceBottom = true;
  act(() => api("POST", `/web/users/${v.u}/upload`, form));
}
$("file-photo").addEventListener("change", (e) => upload("photo", e.target));
$("file-document").addEventListener("change", (e) => upload("document", e.target));

// ---- panel controls -----------------------------------------------------------------------

$("people").addEventListener("click", (e) => {
  const button = e.target.closest("button.person");
  if (button) openView(Number(button.dataset.userId));
});
$("groups").addEventListener("click", (e) => {
  const button = e.target.closest("button.topic");
  if (button) openView(view.u, Number(button.dataset.chatId), num(button.dataset.threadId));
});
$("back-to-bot").addEventListener("click", () => openView(view.u));

$("role").addEventListener("change", async (e) => {
  if (view.u === null) return;
  const u = view.u;
  const role = e.target.value || null;
  pendingRole += 1;
  try {
    await act(() => api("POST", `/web/users/${u}/role`, { role }));
  } finally {
    pendingRole -= 1;
  }
});

$("new-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const name = $("new-name").value.trim();
  if (!name) {
    setStatus("Enter a first name for the new person.", "error");
    $("new-name").focus();
    return;
  }
  const user = await act(() => api("POST", "/web/users", { first_name: name, language_code: $("new-language").value || null }));
  if (user && user.id !== undefined) {
    $("new-name").value = "";
    setStatus(`${user.first_name} created.`, "info", 4000);
    openView(user.id);
  }
});

$("reset").addEventListener("click", async () => {
  const button = $("reset");
  if (button.getAttribute("aria-busy") === "true") return;
  button.setAttribute("aria-busy", "true");
  button.disabled = true;
  setStatus("Resetting…", "info");
  resetting = true;
  const ok = await act(() => api("POST", "/web/reset"));
  resetting = false;
  button.disabled = false;
  button.removeAttribute("aria-busy");
  if (ok) {
    loadedKey = null;
    seenToasts.clear();
    setStatus("Demo reset.", "info", 4000);
    refresh();
  }
});

$("panel-toggle").addEventListener("click", () => setPanel(!document.body.classList.contains("panel-open")));
$("backdrop").addEventListener("click", () => setPanel(false));
$("panel-close").addEventListener("click", () => setPanel(false));
$("panel").addEventListener("keydown", (e) => {
  if (e.key === "Escape" && narrow.matches && document.body.classList.contains("panel-open")) {
    e.preventDefault();
    setPanel(false);
  }
});
narrow.addEventListener("change", () => { if (!narrow.matches) setPanel(false, false); });

// ---- start ----------------------------------------------------------------------------------

window.addEventListener("hashchange", () => {
  delete document.body.dataset.version; // a new view: not shown yet
  readHash();
  refresh();
});

let events = null;
function connect() {
  events = new EventSource("/web/events");
  events.onopen = () => {
    if ($("status").textContent.startsWith("Connection lost")) setStatus("");
  };
  events.onmessage = () => refresh();
  events.onerror = () => {
    if (events.readyState === EventSource.CLOSED) {
      setStatus("Connection lost: reconnecting…", "info");
      setTimeout(connect, 3000);
    } else if (!$("status").textContent) {
      setStatus("Connection lost: reconnecting…", "info");
    }
  };
}

readHash();
refresh();
connect();
