// Porta sandbox: building message elements. Server strings never go through innerHTML:
// Telegram HTML is parsed on a detached document and rebuilt from a whitelist, node by node.

const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:", "tg:"]);
const SIMPLE_TAGS = { b: "b", strong: "strong", i: "i", em: "em", u: "u", ins: "ins", s: "s", strike: "s", del: "del" };
const NAME_COLOURS = 7; // .name-0 … .name-6 in app.css

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}
export { el };

export function safeHref(href) {
  const raw = String(href ?? "").trim();
  if (!/^[a-z][a-z0-9+.-]*:/i.test(raw)) return null; // only absolute links with a scheme
  try {
    const url = new URL(raw);
    return SAFE_SCHEMES.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

export function spoiler(children) {
  const span = el("span", {
    class: "spoiler", role: "button", tabindex: "0", "aria-label": "Spoiler, hidden. Activate to show",
  });
  const inner = el("span", { class: "spoiler-inner", "aria-hidden": "true" });
  inner.append(...children);
  span.append(inner);
  return span;
}

function revealSpoiler(span) {
  span.classList.add("revealed");
  span.removeAttribute("role");
  span.setAttribute("tabindex", "-1"); // keeps focus where it was
  span.removeAttribute("aria-label");
  span.firstElementChild?.removeAttribute("aria-hidden");
}

// Spoilers (click, Enter, Space) and expandable quotes inside a container.
export function setupRichText(container) {
  container.addEventListener("click", (e) => {
    const hidden = e.target.closest(".spoiler:not(.revealed)");
    if (hidden) {
      e.preventDefault();
      revealSpoiler(hidden);
      return;
    }
    const toggle = e.target.closest(".bq-toggle");
    if (!toggle) return;
    const open = !toggle.previousElementSibling.classList.toggle("collapsed");
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "Show less" : "Show more";
  });
  container.addEventListener("keydown", (e) => {
    const hidden = e.target.closest?.(".spoiler:not(.revealed)");
    if (hidden && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      revealSpoiler(hidden);
    }
  });
}

function blockquote(source, children) {
  const quote = el("blockquote");
  quote.append(...children);
  if (!source.hasAttribute("expandable")) return quote;
  quote.classList.add("expandable", "collapsed");
  const wrap = el("div", { class: "bq-wrap" }, quote);
  wrap.append(el("button", { type: "button", class: "bq-toggle", "aria-expanded": "false", text: "Show more" }));
  return wrap;
}

function convert(node, parentTag) {
  if (node.nodeType === Node.TEXT_NODE) return [document.createTextNode(node.data)];
  if (node.nodeType !== Node.ELEMENT_NODE) return [];
  const tag = node.localName;
  const kids = () => [...node.childNodes].flatMap((child) => convert(child, tag));
  if (tag in SIMPLE_TAGS) {
    const out = el(SIMPLE_TAGS[tag]);
    out.append(...kids());
    return [out];
  }
  switch (tag) {
    case "a": {
      const href = safeHref(node.getAttribute("href"));
      if (!href) return kids();
      const link = el("a", { href, target: "_blank", rel: "noopener noreferrer" });
      link.append(...kids());
      return [link];
    }
    case "code": {
      const code = el("code");
      const lang = (node.getAttribute("class") || "").match(/^language-([\w+#.-]{1,32})$/);
      if (parentTag === "pre" && lang) {
        code.className = `language-${lang[1]}`;
      }
      code.append(...kids());
      return [code];
    }
    case "pre": {
      const pre = el("pre");
      const code = node.querySelector(":scope > code[class^='language-']");
      const lang = code?.getAttribute("class").match(/^language-([\w+#.-]{1,32})$/);
      if (lang) pre.dataset.lang = lang[1];
      pre.append(...kids());
      return [pre];
    }
    case "tg-spoiler":
      return [spoiler(kids())];
    case "span":
      return node.classList.contains("tg-spoiler") ? [spoiler(kids())] : kids();
    case "blockquote":
      return [blockquote(node, kids())];
    default: // tg-emoji and anything unknown: its text only
      return kids();
  }
}

export function telegramHtml(html) {
  const doc = new DOMParser().parseFromString(`<!doctype html><body>${html}`, "text/html");
  const frag = document.createDocumentFragment();
  frag.append(...[...doc.body.childNodes].flatMap((node) => convert(node, "body")));
  return frag;
}

// ---- small formatters ------------------------------------------------------------------

const pad = (n) => String(n).padStart(2, "0");
export const hhmm = (date) => `${pad(date.getHours())}:${pad(date.getMinutes())}`;
export const dayKey = (date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;

export function dayLabel(date) {
  const today = new Date();
  if (dayKey(date) === dayKey(today)) return "Today";
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (dayKey(date) === dayKey(yesterday)) return "Yesterday";
  const opts = { day: "numeric", month: "long" };
  if (date.getFullYear() !== today.getFullYear()) opts.year = "numeric";
  return date.toLocaleDateString("en-GB", opts);
}

function fileSize(bytes) {
  if (!Number.isFinite(bytes)) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const fileUrl = (id) => `/sandbox/files/${encodeURIComponent(id)}`;

function osm(lat, lon) {
  const la = Number(lat), lo = Number(lon);
  return el("a", {
    class: "osm", target: "_blank", rel: "noopener noreferrer",
    href: `https://www.openstreetmap.org/?mlat=${la}&mlon=${lo}#map=17/${la}/${lo}`,
    text: "Open in OpenStreetMap",
  });
}

const coords = (loc) => el("div", { class: "coords", text: `${Number(loc.latitude).toFixed(5)}, ${Number(loc.longitude).toFixed(5)}` });

function duration(sec) {
  const s = Math.max(0, Math.round(Number(sec) || 0));
  return `${Math.floor(s / 60)}:${pad(s % 60)}`;
}

// ---- messages ----------------------------------------------------------------------------

function media(m) {
  const parts = [];
  if (Array.isArray(m.photo) && m.photo.length) {
    const big = m.photo[m.photo.length - 1];
    parts.push(el("img", {
      class: "photo", src: fileUrl(big.file_id), alt: m.text || "Photo", loading: "lazy",
      width: big.width, height: big.height,
    }));
  }
  if (m.document) {
    const d = m.document;
    const name = d.file_name || "file";
    parts.push(el("div", { class: "doc" },
      el("span", { class: "doc-icon", "aria-hidden": "true", text: "📄" }),
      el("div", { class: "doc-info" },
        el("div", { class: "doc-name", text: name }),
        el("div", { class: "doc-size", text: [fileSize(d.file_size), d.mime_type].filter(Boolean).join(" · ") })),
      el("a", {
        class: "doc-download", href: `${fileUrl(d.file_id)}?download=1`, download: name,
        "aria-label": `Download ${name}`, text: "Download",
      })));
  }
  if (m.voice) {
    parts.push(el("div", { class: "voice-wrap" },
      el("audio", {
        class: "voice", controls: true, preload: "metadata", src: fileUrl(m.voice.file_id),
        "aria-label": `Voice message, ${duration(m.voice.duration)}`,
      })));
  }
  if (m.venue) {
    const v = m.venue;
    parts.push(el("div", { class: "venue" },
      el("div", { class: "venue-title", text: `📍 ${v.title || ""}` }),
      v.address ? el("div", { class: "venue-address", text: v.address }) : null,
      coords(v.location), osm(v.location.latitude, v.location.longitude)));
  } else if (m.location) {
    parts.push(el("div", { class: "location" },
      el("div", { class: "venue-title", text: "📍 Location" }),
      coords(m.location), osm(m.location.latitude, m.location.longitude)));
  }
  if (m.sticker) {
    const emoji = m.sticker.emoji || "🖼️";
    parts.push(el("div", { class: "sticker", role: "img", "aria-label": `Sticker ${emoji}`, text: emoji }));
  }
  return parts;
}

function inlineKeyboard(rows) {
  if (!Array.isArray(rows) || !rows.length) return null;
  const box = el("div", { class: "keyboard", role: "group", "aria-label": "Message buttons" });
  for (const row of rows) {
    const line = el("div", { class: "kb-row" });
    for (const b of row) {
      const href = b.url ? safeHref(b.url) : null;
      if (href) {
        line.append(el("a", {
          class: "inline-btn", href, target: "_blank", rel: "noopener noreferrer", title: "Opens in a new tab", text: b.text,
        }));
      } else if (b.callback_data !== undefined && b.callback_data !== null) {
        line.append(el("button", { type: "button", class: "inline-btn", "data-callback": b.callback_data, text: b.text }));
      } else if (b.copy_text) {
        line.append(el("button", { type: "button", class: "inline-btn", "data-copy": b.copy_text.text ?? "", text: b.text }));
      } else {
        line.append(el("button", {
          type: "button", class: "inline-btn", "aria-disabled": "true",
          title: "Not available in the sandbox", text: b.text,
        }));
      }
    }
    box.append(line);
  }
  return box;
}

function nameColour(key) {
  let h = 0;
  for (const ch of String(key)) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return `name-${h % NAME_COLOURS}`;
}

const SERVICE = {
  forum_topic_created: (name) => (name ? `Topic created: ${name}` : "Topic created"),
  forum_topic_closed: () => "Topic closed",
  forum_topic_reopened: () => "Topic reopened",
  forum_topic_edited: (name) => (name ? `Topic renamed: ${name}` : "Topic edited"),
};

// ctx: {group: bool, userId: number, botName: string}
export function messageElement(m, ctx) {
  const date = new Date(m.date * 1000);
  const from = String(m.from);
  const art = el("article", { class: "msg", "data-message-id": m.message_id, "data-from": from });
  if (m.service) {
    art.classList.add("service");
    const details = m[m.service];
    const name = (details && typeof details === "object" && details.name) || m.text || "";
    const text = (SERVICE[m.service] || (() => m.service.replace(/_/g, " ")))(name);
    art.append(el("div", { class: "body", dir: "auto", text }));
    return art;
  }
  const outgoing = ctx.group ? from !== "bot" && m.user_id === ctx.userId : from === "user";
  art.classList.add(outgoing ? "out" : "in");
  const onlySticker = m.sticker && !m.text && !m.html;
  const bubble = el("div", { class: onlySticker ? "bubble bare" : "bubble", dir: "auto" });
  if (ctx.group && !outgoing) {
    const name = from === "bot" ? ctx.botName : from;
    bubble.append(el("div", { class: `sender ${nameColour(m.user_id ?? from)}`, text: name }));
  }
  bubble.append(...media(m));
  const body = el("div", { class: "body" });
  if (m.html) body.append(telegramHtml(m.html));
  else if (m.text) body.textContent = m.text;
  bubble.append(body);
  bubble.append(el("div", { class: "meta" },
    m.edited ? el("span", { class: "edited", text: "edited" }) : null,
    el("time", { datetime: date.toISOString(), title: date.toLocaleString("en-GB"), text: hhmm(date) })));
  art.append(bubble);
  const kb = inlineKeyboard(m.buttons);
  if (kb) art.append(kb);
  return art;
}

export function dayElement(date) {
  return el("div", { class: "day", "data-day": dayKey(date) }, el("span", { text: dayLabel(date) }));
}

const FOCUSABLE = "button, a[href], audio, [tabindex='0'], summary";

const signatures = new WeakMap();

// Keyed update of the list: items = [{key, sig, build}] in order. Unchanged elements stay.
export function reconcile(container, items) {
  const existing = new Map();
  for (const child of [...container.children]) existing.set(child.dataset.key, child);
  const active = document.activeElement;
  let refocus = null;
  let prev = null;
  const keep = new Set();
  for (const item of items) {
    let node = existing.get(item.key);
    if (!node || signatures.get(node) !== item.sig) {
      const fresh = item.build();
      fresh.dataset.key = item.key;
      signatures.set(fresh, item.sig);
      if (node) {
        if (active && node.contains(active)) {
          const index = [...node.querySelectorAll(FOCUSABLE)].indexOf(active);
          refocus = { node: fresh, index };
        }
        node.replaceWith(fresh);
      }
      node = fresh;
    }
    keep.add(node);
    const wanted = prev ? prev.nextElementSibling : container.firstElementChild;
    if (wanted !== node) container.insertBefore(node, wanted);
    prev = node;
  }
  for (const child of [...container.children]) if (!keep.has(child)) child.remove();
  if (refocus) {
    const targets = [...refocus.node.querySelectorAll(FOCUSABLE)];
    const target = targets[refocus.index] || targets[targets.length - 1];
    if (target) target.focus({ preventScroll: true });
    else {
      refocus.node.tabIndex = -1;
      refocus.node.focus({ preventScroll: true });
    }
  }
}

// ---- the side panel, notices, menus -------------------------------------------------------

export function personLabel(p) {
  const lang = p.language || p.language_code;
  return `${p.first_name}${lang ? ` (${lang})` : ""}${p.role ? ` · ${p.role}` : ""}`;
}

export function personButton(p, pressed) {
  return el("button", {
    type: "button", class: "person", "data-user-id": p.id, "aria-pressed": String(pressed), text: personLabel(p),
  });
}

export function keepFocus(container, attrs, rebuild) {
  const active = document.activeElement;
  const was = container.contains(active) ? attrs.map((a) => active.getAttribute(a)) : null;
  rebuild();
  if (!was) return;
  const match = [...container.querySelectorAll("button")].find((b) => attrs.every((a, i) => b.getAttribute(a) === was[i]));
  (match || container.querySelector("button"))?.focus();
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

let toastTimer = 0;
export function showToast(text) {
  const box = document.getElementById("toast");
  clearTimeout(toastTimer);
  box.textContent = text;
  box.classList.add("show");
  toastTimer = setTimeout(() => {
    box.classList.remove("show");
    box.textContent = "";
  }, 3000);
}

const alerts = [];
let alertReturn = null;
export function showAlert(text) {
  const dialog = document.getElementById("alert");
  if (dialog.open) {
    alerts.push(text);
    return;
  }
  alertReturn = document.activeElement;
  document.getElementById("alert-text").textContent = text;
  dialog.showModal();
  document.getElementById("alert-ok").focus();
}

document.getElementById("alert-ok").addEventListener("click", () => document.getElementById("alert").close());
document.getElementById("alert").addEventListener("close", () => {
  if (alerts.length) {
    showAlert(alerts.shift());
    return;
  }
  if (alertReturn && alertReturn.isConnected) alertReturn.focus();
  else document.getElementById("composer").focus();
  alertReturn = null;
});

// A menu button: arrow keys, Home/End, Escape (focus back), Tab and a click outside close it.
export function setupMenu(button, menu, onChoose) {
  const items = () => [...menu.querySelectorAll("[role='menuitem']")];
  const set = (open, focusBack = false) => {
    menu.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) items()[0].focus();
    else if (focusBack) button.focus();
  };
  button.addEventListener("click", () => set(menu.hidden));
  button.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      set(true);
      if (e.key === "ArrowUp") items().at(-1).focus();
    }
  });
  menu.addEventListener("keydown", (e) => {
    const all = items();
    const i = all.indexOf(document.activeElement);
    const moves = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: all.length - 1 };
    if (e.key in moves) {
      e.preventDefault();
      all[(moves[e.key] + all.length) % all.length].focus();
    } else if (e.key === "Escape") {
      e.preventDefault();
      set(false, true);
    } else if (e.key === "Tab") {
      set(false);
    }
  });
  document.addEventListener("pointerdown", (e) => {
    if (!menu.hidden && !button.parentElement.contains(e.target)) set(false);
  });
  menu.addEventListener("click", (e) => {
    const item = e.target.closest("[role='menuitem']");
    if (!item) return;
    set(false, true);
    onChoose(item.id);
  });
}

export function keyboardRows(rows) {
  return rows.map((row) => el("div", { class: "rk-row" },
    ...row.map((label) => el("button", { type: "button", dir: "auto", text: typeof label === "string" ? label : label.text }))));
}
