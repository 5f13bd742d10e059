// Porta sandbox: a Telegram-like chat page over the local emulator's JSON API. This module boots
// the page: the view in location.hash, the coalesced refresh, the chat on screen, the live
// stream of changes. The side panel is panel.js; what the person sends is composer.js.
import { $, page, api, setStatus, act, onRefresh, num, hashOf, currentUser, botName } from "./state.js";
import { messageElement, dayElement, dayKey, dayLabel, reconcile } from "./render.js";
import { setupRichText } from "./telegram-html.js";
import { showToast, showAlert } from "./notices.js";
import { renderPanel } from "./panel.js";
import { renderKeyboard, reopenKeyboard } from "./composer.js";

const chatBox = $("chat");
const composer = $("composer");

let stick = true;               // the person is at the bottom of the list

// ---- the view in location.hash -------------------------------------------------------------

const viewKey = (v = page.view) => `${v.u}|${v.c ?? ""}|${v.t ?? ""}`;

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  page.view = { u: num(p.get("u")), c: num(p.get("c")), t: num(p.get("t")) };
}

// Make the view fit the state (a person that exists, a group they are in); fix the hash.
function resolveView() {
  const { state, view } = page;
  if (!state) return;
  const users = state.users || [];
  const user = users.find((x) => x.id === view.u) || users[0];
  if (!user) {
    page.view = { u: null, c: null, t: null };
  } else {
    view.u = user.id;
    const group = (state.groups || []).find((g) => g.chat_id === view.c);
    if (!group || !(user.groups || []).includes(view.c)) view.c = null;
    if (view.c === null || !(group.topics || []).some((t) => t.message_thread_id === view.t)) view.t = null;
  }
  if (location.hash !== hashOf(page.view)) history.replaceState(null, "", hashOf(page.view));
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
    if (page.refreshFailed) {
      page.refreshFailed = false;
      if ($("status").className === "error") setStatus("");
    }
  } catch (err) {
    if (!page.resetting) {
      setStatus(err.message, "error");
      page.refreshFailed = true;
    }
  } finally {
    busy = false;
  }
}
onRefresh(refresh);

async function loadOnce() {
  page.state = await api("GET", "/web/state");
  resolveView();
  renderPanel();
  if (page.view.u === null) {
    showNoOne();
    shown(page.state.version);
    return;
  }
  const key = viewKey();
  const chat = await api("GET", chatUrl(page.view));
  if (key !== viewKey()) {
    again = true; // the view changed meanwhile
    return;
  }
  renderChat(chat, key);
  shown(Math.min(page.state.version ?? 0, chat.version ?? page.state.version ?? 0));
}

// The version of the server's world the page shows (tests wait for it).
function shown(version) {
  if (Number.isFinite(version)) document.body.dataset.version = String(version);
}

// ---- the chat ------------------------------------------------------------------------------

const atBottom = () => chatBox.scrollHeight - chatBox.scrollTop - chatBox.clientHeight < 48;
const toBottom = () => { chatBox.scrollTop = chatBox.scrollHeight; };

function showNoOne() {
  page.loadedKey = null;
  chatBox.replaceChildren();
  $("chat-title").textContent = "No one yet";
  $("chat-sub").textContent = "Create a person in the side panel";
  $("empty").hidden = true;
  $("typing").hidden = true;
  renderKeyboard([]);
}

function renderChat(chat, key) {
  const { state, view } = page;
  const first = key !== page.loadedKey;
  const user = currentUser();
  const group = view.c !== null;
  if (first) {
    chatBox.replaceChildren();
    reopenKeyboard();
  }
  stick = first || page.forceBottom || atBottom();
  page.forceBottom = false;
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
  page.loadedKey = key;
}

// ---- callback answers -----------------------------------------------------------------------

function handleToasts(toasts, first) {
  for (const t of toasts) {
    if (page.seenToasts.has(t.id)) continue;
    if (first) {
      page.seenToasts.add(t.id);
      continue;
    }
    if (!t.answered) continue; // wait for the bot's answer
    page.seenToasts.add(t.id);
    if (!t.text) continue;
    if (t.show_alert) showAlert(t.text);
    else showToast(t.text);
  }
}

// inline buttons (spoilers and expandable quotes: setupRichText)
setupRichText(chatBox);
chatBox.addEventListener("click", (e) => {
  const button = e.target.closest("button.inline-btn");
  if (!button) return;
  const msg = button.closest(".msg");
  if (button.dataset.callback !== undefined) {
    const v = { ...page.view };
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
