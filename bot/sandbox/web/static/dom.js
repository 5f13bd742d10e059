// Porta sandbox: the two DOM helpers every module uses. Text always goes in as text nodes.

// el("a", {class, text, href…}, ...children): null, undefined and false attributes or children are left out.
export function el(tag, attrs = {}, ...children) {
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

// Rebuild a container of buttons; focus goes back to the button with the same attributes.
export function keepFocus(container, attrs, rebuild) {
  const active = document.activeElement;
  const was = container.contains(active) ? attrs.map((a) => active.getAttribute(a)) : null;
  rebuild();
  if (!was) return;
  const match = [...container.querySelectorAll("button")].find((b) => attrs.every((a, i) => b.getAttribute(a) === was[i]));
  (match || container.querySelector("button"))?.focus();
}
