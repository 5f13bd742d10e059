// Porta sandbox: building message elements (bubbles, media, inline buttons, day separators)
// and the keyed update of the message list. Message HTML goes through telegram-html.js.
import { el } from "./dom.js";
import { safeHref, telegramHtml } from "./telegram-html.js";

const NAME_COLOURS = 7; // .name-0 … .name-6 in chat.css

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
