// Porta sandbox: Telegram HTML. Server strings never go through innerHTML: the HTML is parsed
// on a detached document and rebuilt from a whitelist, node by node (links only with safe
// schemes); spoilers and expandable quotes come to life with setupRichText.
import { el } from "./dom.js";

const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:", "tg:"]);
const SIMPLE_TAGS = { b: "b", strong: "strong", i: "i", em: "em", u: "u", ins: "ins", s: "s", strike: "s", del: "del" };

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
