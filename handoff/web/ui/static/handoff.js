// Handoff web UI: dialogs, the handoff form's dependent fields, header rows, delete confirmation.
// Plain JavaScript, no build step; every form still posts (and validates) on the server.
"use strict";

function openDialog(id) {
  const dialog = document.getElementById(id);
  if (dialog && !dialog.open) dialog.showModal();
}

function syncHandoffForm(form) {
  const method = form.querySelector("select[name=method]");
  if (!method) return;
  const routeHidden = form.dataset.routeHidden === "true";
  const route = form.querySelector("[data-field=route]");
  const encryption = form.querySelector("[data-field=encryption]");
  if (route) route.hidden = routeHidden || method.value === "sip_bye";
  if (encryption) encryption.hidden = method.value !== "sip_invite";
}

function headerHint(input) {
  const hint = input.closest(".header-row").querySelector("[data-hint=x-prefix]");
  const name = input.value.trim();
  const allowed = ["user-to-user", "remote-party-id", "p-preferred-identity", "p-called-party-id"];
  hint.hidden = !name || /^x-/i.test(name) || allowed.includes(name.toLowerCase());
}

function renumberHeaders(list) {
  list.querySelectorAll(".header-row").forEach((row, index) => {
    row.querySelectorAll("[data-name]").forEach((input) => {
      input.name = `sip_headers-${index}-${input.dataset.name}`;
      input.id = `${list.id}-${index}-${input.dataset.name}`;
      const label = row.querySelector(`label[data-for=${input.dataset.name}]`);
      if (label) {
        label.htmlFor = input.id;
        label.textContent = `SIP header ${index + 1} ${input.dataset.name}`;
      }
    });
    const remove = row.querySelector("[data-remove-header]");
    if (remove) remove.setAttribute("aria-label", `Remove SIP header ${index + 1}`);
  });
}

function addHeaderRow(button) {
  const list = document.getElementById(button.dataset.addHeader);
  const template = document.getElementById("header-row-template");
  list.appendChild(template.content.cloneNode(true));
  renumberHeaders(list);
  const rows = list.querySelectorAll(".header-row");
  rows[rows.length - 1].querySelector("input").focus();
}

document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-open-dialog]");
  if (opener) {
    event.preventDefault();
    const details = opener.closest("details");
    if (details) details.open = false;
    openDialog(opener.dataset.openDialog);
    return;
  }
  const closer = event.target.closest("[data-close-dialog]");
  if (closer) {
    event.preventDefault();
    closer.closest("dialog").close();
    return;
  }
  const adder = event.target.closest("[data-add-header]");
  if (adder) {
    event.preventDefault();
    addHeaderRow(adder);
    return;
  }
  const remover = event.target.closest("[data-remove-header]");
  if (remover) {
    event.preventDefault();
    const list = remover.closest(".header-list");
    remover.closest(".header-row").remove();
    renumberHeaders(list);
  }
  // A click outside an open actions menu closes it.
  document.querySelectorAll("details.menu[open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.open = false;
  });
});

document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-handoff-form]");
  if (form && event.target.name === "method") syncHandoffForm(form);
});

document.addEventListener("input", (event) => {
  const target = event.target;
  if (target.matches("[data-confirm-name]")) {
    const button = target.form.querySelector("[data-confirm-button]");
    button.disabled = target.value !== target.dataset.confirmName;
  }
  if (target.matches("[data-name=name]") && target.closest(".header-row")) headerHint(target);
});

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-handoff-form]").forEach(syncHandoffForm);
  document.querySelectorAll(".header-row [data-name=name]").forEach(headerHint);
  document.querySelectorAll("dialog").forEach((dialog) => {
    dialog.addEventListener("close", () => {
      const reset = dialog.querySelector("[data-confirm-name]");
      if (reset) { reset.value = ""; reset.form.querySelector("[data-confirm-button]").disabled = true; }
    });
  });
  const pending = document.querySelector("dialog[data-open-on-load]");
  if (pending) pending.showModal();
  // Tells browser tests (and anyone curious) that the page's controls are wired up.
  document.body.dataset.ready = "true";
});
