// Modal dialogs on the native <dialog>: focus moves in, Tab stays inside, Escape closes, and
// focus returns to the control that opened it.
import { h } from "./dom.js";

/**
 * openDialog({title, body, actions, onSubmit}): `body` and `actions` are nodes inside one form;
 * `onSubmit(form, dialog)` runs on submit and closes the dialog unless it returns false.
 */
export function openDialog({ title, description, body = [], submitLabel, submitClass = "primary", onSubmit, id }) {
  const opener = document.activeElement;
  const titleId = `${id || "dialog"}-title`;
  const descId = description ? `${id || "dialog"}-desc` : null;
  const form = h("form", { novalidate: true },
    h("div", { class: "dialog-head" }, h("h2", { id: titleId }, title)),
    h("div", { class: "dialog-body" },
      description ? h("p", { id: descId }, description) : null,
      h("p", { class: "form-error", role: "alert", hidden: true }),
      body),
    h("div", { class: "dialog-foot" },
      h("button", { class: "btn", type: "button", value: "cancel", onclick: () => dialog.close() }, "Cancel"),
      h("button", { class: `btn ${submitClass}`, type: "submit" }, submitLabel)));
  const dialog = h("dialog", { id, "aria-labelledby": titleId, "aria-describedby": descId }, form);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if ((await onSubmit(form, dialog)) !== false) dialog.close();
  });
  dialog.addEventListener("close", () => {
    dialog.remove();
    if (opener && opener.isConnected) opener.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  const first = form.querySelector("[autofocus]") || form.querySelector("input:not([type=hidden]), select, textarea") || form.querySelector("button[type=submit]");
  first?.focus();
  return dialog;
}
