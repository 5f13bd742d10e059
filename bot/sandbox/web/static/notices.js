// Porta sandbox: notices and menus. The toast (a callback's short answer, "Copied"), the alert
// dialog (answers with show_alert, queued one after another; focus goes back where it was)
// and menu buttons such as the composer's attach menu.

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
