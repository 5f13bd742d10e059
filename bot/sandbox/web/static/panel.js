// Porta sandbox: the side panel. People, a new person, the role in Porta, the groups and their
// topics, the demo reset; on phones the panel is a drawer (☰, ✕, backdrop, Escape).
import { el, keepFocus } from "./dom.js";
import { $, page, api, act, setStatus, refresh, num, hashOf, currentUser, botName } from "./state.js";

const narrow = window.matchMedia("(max-width: 720px)");
const ROLE_LABELS = { "": "None", operator: "Operator", housing: "Housing staff", youth: "Youth worker", admin: "Admin" };

let pendingRole = 0;            // role requests in flight: do not overwrite the select meanwhile
const sigs = {};                // signatures of the panel parts

export function openView(u, c = null, t = null) {
  page.view = { u, c, t };
  const hash = hashOf(page.view);
  if (location.hash !== hash) location.hash = hash; // hashchange → refresh
  else refresh();
  if (narrow.matches && document.body.classList.contains("panel-open")) {
    setPanel(false, false);
    $("composer").focus();
  }
}

// ---- building it ------------------------------------------------------------------------------

export function personLabel(p) {
  const lang = p.language || p.language_code;
  return `${p.first_name}${lang ? ` (${lang})` : ""}${p.role ? ` · ${p.role}` : ""}`;
}

export function personButton(p, pressed) {
  return el("button", {
    type: "button", class: "person", "data-user-id": p.id, "aria-pressed": String(pressed), text: personLabel(p),
  });
}

function topicButton(g, topic, view) {
  const thread = topic ? topic.message_thread_id : null;
  const pressed = view.c === g.chat_id && view.t === thread;
  const colour = topic && Number.isFinite(topic.icon_color) ? `#${topic.icon_color.toString(16).padStart(6, "0")}` : null;
  const dot = el("span", { class: "topic-dot", "aria-hidden": "true" });
  if (colour) dot.style.backgroundColor = colour;
  return el("button", {
    type: "button", class: "topic", "data-chat-id": g.chat_id, "data-thread-id": thread === null ? "" : thread,
    "aria-pressed": String(pressed),
  }, dot, el("span", { class: "topic-name", text: topic ? `${topic.closed ? "🔒 " : ""}${topic.name}` : "# General" }),
  topic?.closed ? el("span", { class: "visually-hidden", text: " (closed)" }) : null);
}

export function groupSection(g, view) {
  const headingId = `group-${String(g.chat_id).replace(/\W/g, "_")}`;
  return el("section", { class: "group", "aria-labelledby": headingId },
    el("h3", { id: headingId, text: g.title }),
    g.team ? el("p", { class: "hint", text: `Team: ${g.team}` }) : null,
    topicButton(g, null, view),
    ...(g.topics || []).map((t) => topicButton(g, t, view)));
}

function changed(part, value) {
  const sig = JSON.stringify(value);
  if (sigs[part] === sig) return false;
  sigs[part] = sig;
  return true;
}

export function renderPanel() {
  const { state, view } = page;
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

export function setPanel(open, moveFocus = true) {
  document.body.classList.toggle("panel-open", open);
  $("panel-toggle").setAttribute("aria-expanded", String(open));
  $("backdrop").hidden = !open;
  if (open && moveFocus) ($("people").querySelector("[aria-pressed='true']") || $("panel").querySelector("button, input, select"))?.focus();
  else if (!open && moveFocus) $("panel-toggle").focus();
}

// ---- panel controls -----------------------------------------------------------------------

$("people").addEventListener("click", (e) => {
  const button = e.target.closest("button.person");
  if (button) openView(Number(button.dataset.userId));
});
$("groups").addEventListener("click", (e) => {
  const button = e.target.closest("button.topic");
  if (button) openView(page.view.u, Number(button.dataset.chatId), num(button.dataset.threadId));
});
$("back-to-bot").addEventListener("click", () => openView(page.view.u));

$("role").addEventListener("change", async (e) => {
  if (page.view.u === null) return;
  const u = page.view.u;
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
  page.resetting = true;
  const ok = await act(() => api("POST", "/web/reset"));
  page.resetting = false;
  button.disabled = false;
  button.removeAttribute("aria-busy");
  if (ok) {
    page.loadedKey = null;
    page.seenToasts.clear();
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
