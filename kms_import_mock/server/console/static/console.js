// kms-import-mock console: row selection, the Key actions menu, the confirmation dialog, and
// the deletion through the console's JSON API (with the page's CSRF token). No dependencies.
"use strict";
(function () {
  document.documentElement.classList.add("js");
  var ROOT = "/_kms_import/console/";
  var FLASH = "kms-import-mock-console-flash";
  var token = document.querySelector('meta[name="kms-import-mock-csrf"]').content;
  var region = document.querySelector('meta[name="kms-import-mock-region"]').content;
  var dialog = document.getElementById("delete-dialog");
  var errorBox = document.getElementById("delete-error");
  var target = null; // {keyId, keyName}

  var select = document.getElementById("region-select");
  select.addEventListener("change", function () { select.form.submit(); });

  var flash = sessionStorage.getItem(FLASH);
  if (flash) {
    sessionStorage.removeItem(FLASH);
    var box = document.getElementById("flash");
    box.textContent = flash;
    box.hidden = false;
  }

  function openDialog(keyId, keyName) {
    target = { keyId: keyId, keyName: keyName };
    document.getElementById("delete-key-name").textContent = keyName;
    errorBox.hidden = true;
    errorBox.textContent = "";
    dialog.querySelector('[data-dialog="confirm"]').disabled = false;
    dialog.showModal();
    dialog.querySelector('[data-dialog="cancel"]').focus();
  }

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
      body: JSON.stringify({ region: region, key_id: target.keyId })
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
      openDialog(section.dataset.keyId, section.dataset.keyName);
    });
  }

  // The keys page: row checkboxes and the Key actions menu.
  var actions = document.getElementById("key-actions");
  if (!actions) { return; }
  var menu = document.getElementById("key-actions-menu");
  var item = menu.querySelector('[data-action="delete-key-material"]');

  function selectedRows() {
    return Array.prototype.filter.call(
      document.querySelectorAll("tr[data-key-id]"),
      function (row) { return row.querySelector(".select-key").checked; });
  }

  function refresh() {
    var rows = selectedRows();
    // As in the AWS console: the action applies to exactly one selected key with imported material.
    item.disabled = !(rows.length === 1 && rows[0].dataset.deletable === "true");
  }

  function closeMenu() {
    menu.hidden = true;
    actions.setAttribute("aria-expanded", "false");
  }

  document.querySelectorAll(".select-key").forEach(function (box) {
    box.addEventListener("change", refresh);
  });
  refresh();

  actions.addEventListener("click", function (event) {
    event.stopPropagation();
    if (!menu.hidden) { closeMenu(); return; }
    refresh();
    menu.hidden = false;
    actions.setAttribute("aria-expanded", "true");
    if (!item.disabled) { item.focus(); }
  });
  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeMenu(); actions.focus(); }
  });
  document.addEventListener("click", function (event) {
    if (!menu.hidden && !menu.contains(event.target)) { closeMenu(); }
  });
  item.addEventListener("click", function () {
    var rows = selectedRows();
    closeMenu();
    if (rows.length === 1) { openDialog(rows[0].dataset.keyId, rows[0].dataset.keyName); }
  });
})();
