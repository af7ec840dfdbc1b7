// kms-import-mock console: row selection, the Key actions menu, the confirmation dialog, and
// the deletion through the console's JSON API (with the page's CSRF token). No dependencies.
"use strict";
(function () {
  document.documentElement.classList.add("js");
  var ROOT = "/_kms_import/console/";
  var FLASH = "kms-import-mock-console-flash";
  var token = document.querySelector('meta[name="kms-import-mock-csrf"]').content;
  var region = document.querySelector('meta[name="kms-import-mock-region"]').content;
  var account = document.querySelector('meta[name="kms-import-mock-account"]').content;
  var dialog = document.getElementById("delete-dialog");
  var errorBox = document.getElementById("delete-error");
  var target = null; // {keyId, keyName}

  var select = document.getElementById("region-select");
  select.addEventListener("change", function () { select.form.submit(); });
  var accountSelect = document.getElementById("account-select");
  accountSelect.addEventListener("change", function () { accountSelect.form.submit(); });

  var flash = sessionStorage.getItem(FLASH);
  if (flash) {
    sessionStorage.removeItem(FLASH);
    var box = document.getElementById("flash");
    box.textContent = flash;
    box.hidden = false;
  }

  var opener = null; // the element that opened the dialog: focus returns to it

  function openDialog(keyId, keyName, from) {
    target = { keyId: keyId, keyName: keyName };
    opener = from || document.activeElement;
    document.getElementById("delete-key-name").textContent = keyName;
    errorBox.hidden = true;
    errorBox.textContent = "";
    dialog.querySelector('[data-dialog="confirm"]').disabled = false;
    dialog.showModal();
    // Cancel is the safe choice, so it takes the focus.
    dialog.querySelector('[data-dialog="cancel"]').focus();
  }

  // Escape (the dialog's native cancel) and Cancel both close without deleting.
  dialog.addEventListener("cancel", function () { target = null; });
  dialog.addEventListener("close", function () {
    target = null;
    if (opener && document.contains(opener)) { opener.focus(); }
    opener = null;
  });
  // Tab and Shift+Tab cycle through the dialog's enabled buttons and never leave it.
  dialog.addEventListener("keydown", function (event) {
    if (event.key !== "Tab") { return; }
    var stops = Array.prototype.filter.call(
      dialog.querySelectorAll("button"), function (b) { return !b.disabled; });
    if (!stops.length) { event.preventDefault(); return; }
    var at = stops.indexOf(document.activeElement);
    var next = event.shiftKey ? (at <= 0 ? stops.length - 1 : at - 1)
      : (at === -1 || at === stops.length - 1 ? 0 : at + 1);
    event.preventDefault();
    stops[next].focus();
  });

  dialog.querySelector('[data-dialog="cancel"]').addEventListener("click", function () {
    target = null;
    dialog.close();
  });

  dialog.querySelector('[data-dialog="confirm"]').addEventListener("click", function (event) {
    var button = event.currentTarget;
    if (!target) { return; }
    button.disabled = true;
    fetch(ROOT + "api/delete-key-material", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify({ region: region, account: account, key_id: target.keyId })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (!result.ok) {
        throw new Error((result.body.code ? result.body.code + ": " : "") + result.body.message);
      }
      sessionStorage.setItem(FLASH, "Deleted the key material of " + target.keyName +
        ". The key is now " + result.body.Key.Status + ".");
      window.location.reload();
    }).catch(function (error) {
      errorBox.textContent = error.message;
      errorBox.hidden = false;
      button.disabled = false;
    });
  });

  // The key page: the Key material section's own button.
  var section = document.querySelector('section[aria-label="Key material"]');
  if (section) {
    var button = section.querySelector('[data-action="delete-key-material"]');
    button.addEventListener("click", function () {
      openDialog(section.dataset.keyId, section.dataset.keyName, button);
    });
  }

  // The keys page: row checkboxes and the Key actions menu.
  var actions = document.getElementById("key-actions");
  if (!actions) { return; }
  var menu = document.getElementById("key-actions-menu");
  var item = menu.querySelector('[data-action="delete-key-material"]');
  var items = Array.prototype.slice.call(menu.querySelectorAll('[role="menuitem"]'));

  function selectedRows() {
    return Array.prototype.filter.call(
      document.querySelectorAll("tr[data-key-id]"),
      function (row) { return row.querySelector(".select-key").checked; });
  }

  function refresh() {
    var rows = selectedRows();
    // As in the AWS console: the action applies to exactly one selected key with imported material.
    // aria-disabled, not disabled: a disabled menu item stays focusable (WAI-ARIA menu pattern).
    var off = !(rows.length === 1 && rows[0].dataset.deletable === "true");
    item.setAttribute("aria-disabled", off ? "true" : "false");
  }

  function closeMenu(focusButton) {
    menu.hidden = true;
    actions.setAttribute("aria-expanded", "false");
    if (focusButton) { actions.focus(); }
  }

  function openMenu(index) {
    refresh();
    menu.hidden = false;
    actions.setAttribute("aria-expanded", "true");
    items[index < 0 ? items.length - 1 : index].focus();
  }

  document.querySelectorAll(".select-key").forEach(function (box) {
    box.addEventListener("change", refresh);
  });
  refresh();

  actions.addEventListener("click", function (event) {
    event.stopPropagation();
    if (!menu.hidden) { closeMenu(false); return; }
    openMenu(0);
  });
  actions.addEventListener("keydown", function (event) {
    // Enter and Space arrive as a click; the arrows open the menu at the first or last item.
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      openMenu(event.key === "ArrowDown" ? 0 : -1);
    }
  });
  menu.addEventListener("keydown", function (event) {
    var at = items.indexOf(document.activeElement);
    var n = items.length;
    if (event.key === "ArrowDown") { items[(at + 1) % n].focus(); }
    else if (event.key === "ArrowUp") { items[(at - 1 + n) % n].focus(); }
    else if (event.key === "Home") { items[0].focus(); }
    else if (event.key === "End") { items[n - 1].focus(); }
    else if (event.key === "Escape") { closeMenu(true); }
    else if (event.key === "Tab") { closeMenu(false); return; }
    else { return; }
    event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    if (!menu.hidden && !menu.contains(event.target)) { closeMenu(false); }
  });
  item.addEventListener("click", function () {
    if (item.getAttribute("aria-disabled") === "true") { return; }
    var rows = selectedRows();
    closeMenu(false);
    if (rows.length === 1) { openDialog(rows[0].dataset.keyId, rows[0].dataset.keyName, actions); }
  });
})();
