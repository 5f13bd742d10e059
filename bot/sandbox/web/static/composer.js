// Porta sandbox: what the person sends. The composer (Enter sends, Shift+Enter a new line; the
// text comes back if it was not sent), Start, the bot's reply keyboard, the attach menu and uploads.
import { el } from "./dom.js";
import { setupMenu } from "./notices.js";
import { $, page, api, act } from "./state.js";

const composer = $("composer");

let keyboardSig = "";
let keyboardCollapsed = false;

function target(v) {
  if (v.c === null) return {};
  return v.t === null ? { chat_id: v.c } : { chat_id: v.c, thread_id: v.t };
}

export function send(kind, value, v = { ...page.view }) {
  if (v.u === null) return Promise.resolve();
  page.forceBottom = true;
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

// ---- the reply keyboard -----------------------------------------------------------------------

function keyboardRows(rows) {
  return rows.map((row) => el("div", { class: "rk-row" },
    ...row.map((label) => el("button", { type: "button", dir: "auto", text: typeof label === "string" ? label : label.text }))));
}

// A chat opened afresh shows its keyboard even if it was collapsed in the one before.
export function reopenKeyboard() {
  keyboardCollapsed = false;
}

export function renderKeyboard(rows) {
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

$("reply-keyboard").addEventListener("click", (e) => {
  const button = e.target.closest("button");
  if (button) send("text", button.textContent);
});
$("kb-toggle").addEventListener("click", () => {
  keyboardCollapsed = !keyboardCollapsed;
  renderKeyboard(JSON.parse(keyboardSig || "[]"));
});

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
  if (!file || page.view.u === null) return;
  const v = { ...page.view };
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
  page.forceBottom = true;
  act(() => api("POST", `/web/users/${v.u}/upload`, form));
}
$("file-photo").addEventListener("change", (e) => upload("photo", e.target));
$("file-document").addEventListener("change", (e) => upload("document", e.target));
