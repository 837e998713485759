/* Drafting pages: add, remove and reorder rows; the live preview. No inline script (CSP).
   Without this file the page still works: empty extra rows, "Delete" checkboxes and an order field. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");
  Array.prototype.forEach.call(document.querySelectorAll(".js-only"), function (el) { el.hidden = false; });

  // Rich text for manual notices: an editable area mirrored into the textarea, which is what is
  // posted (and sanitised by the server). Without this script the textarea takes HTML directly.
  Array.prototype.forEach.call(document.querySelectorAll(".rt-toolbar"), function (toolbar) {
    var textarea = document.getElementById(toolbar.getAttribute("data-for"));
    if (!textarea) { return; }
    var editor = document.createElement("div");
    editor.className = "rt-editor";
    editor.contentEditable = "true";
    editor.setAttribute("role", "textbox");
    editor.setAttribute("aria-multiline", "true");
    var label = document.querySelector("label[for='" + textarea.id + "']");
    if (label) { label.id = label.id || textarea.id + "_label"; editor.setAttribute("aria-labelledby", label.id); }
    editor.innerHTML = textarea.value;
    textarea.parentNode.insertBefore(editor, textarea);
    textarea.classList.add("hidden");
    if (label) { label.addEventListener("click", function () { editor.focus(); }); }
    editor.addEventListener("input", function () {
      textarea.value = editor.innerHTML;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    });
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-cmd]");
      if (!button) { return; }
      var cmd = button.getAttribute("data-cmd");
      var value = button.getAttribute("data-value");
      if (cmd === "createLink") {
        value = window.prompt(toolbar.getAttribute("data-link-prompt"), "https://");
        if (!value || !/^https?:\/\//i.test(value)) { return; }
      }
      editor.focus();
      document.execCommand(cmd, false, value);
      textarea.value = editor.innerHTML;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  var form = document.getElementById("notice-form");
  if (!form) { return; }

  var body = document.getElementById("rows-body");
  var template = document.getElementById("row-template");
  var total = form.querySelector("input[name$='-TOTAL_FORMS']");
  var previewUrl = form.getAttribute("data-preview-url");
  var previewBox = document.getElementById("preview-content");

  function visibleRows() {
    if (!body) { return []; }
    return Array.prototype.filter.call(body.querySelectorAll("tr.row-form"), function (tr) { return !tr.hidden; });
  }

  function rowHasData(tr) {
    return Array.prototype.some.call(tr.querySelectorAll("input, select"), function (el) {
      var name = el.name || "";
      if (/-(ORDER|DELETE)$/.test(name) || el.type === "hidden") { return false; }
      return el.value !== "";
    });
  }

  // 序号 follows the order; the order field is what the server sorts by.
  function renumber() {
    var n = 0;
    visibleRows().forEach(function (tr) {
      var order = tr.querySelector("input[name$='-ORDER']");
      var label = tr.querySelector(".row-number");
      if (rowHasData(tr)) {
        n += 1;
        if (order) { order.value = n; }
        if (label) { label.textContent = n; }
      } else {
        if (order) { order.value = ""; }
        if (label) { label.textContent = ""; }
      }
    });
  }

  function syncRatio(tr) {
    var option = tr.querySelector("select[name$='-option']");
    var ratio = tr.querySelector("input[name$='-ratio']");
    if (!option || !ratio) { return; }
    var whole = option.value === "whole";
    ratio.readOnly = whole;
    if (whole) { ratio.value = "100"; }
  }

  function addRow() {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("tbody");
    holder.innerHTML = html.trim();
    var tr = holder.querySelector("tr");
    body.appendChild(tr);
    total.value = index + 1;
    Array.prototype.forEach.call(tr.querySelectorAll(".js-only"), function (el) { el.hidden = false; });
    var first = tr.querySelector("input[name$='-name']");
    if (first) { first.focus(); }
  }

  function move(tr, step) {
    var rows = visibleRows();
    var i = rows.indexOf(tr);
    var j = i + step;
    if (j < 0 || j >= rows.length) { return; }
    if (step < 0) { body.insertBefore(tr, rows[j]); } else { body.insertBefore(rows[j], tr); }
    var button = tr.querySelector(step < 0 ? ".move-up" : ".move-down");
    if (button) { button.focus(); }
  }

  function removeRow(tr) {
    var del = tr.querySelector("input[name$='-DELETE']");
    if (del) { del.checked = true; }
    tr.hidden = true;
  }

  var timer = null;
  var pending = null;
  function schedulePreview() {
    if (!previewUrl || !previewBox) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(refreshPreview, 400);
  }

  function refreshPreview() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    previewBox.classList.add("preview-busy");
    fetch(previewUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      signal: pending.signal
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      previewBox.innerHTML = html;
      previewBox.classList.remove("preview-busy");
    }).catch(function (error) {
      if (error.name !== "AbortError") { previewBox.classList.remove("preview-busy"); }
    });
  }

  if (body) {
    body.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) { return; }
      var tr = button.closest("tr");
      if (button.classList.contains("move-up")) { move(tr, -1); }
      else if (button.classList.contains("move-down")) { move(tr, 1); }
      else if (button.classList.contains("remove-row")) { removeRow(tr); }
      else { return; }
      renumber();
      schedulePreview();
    });
    body.addEventListener("change", function (event) {
      if (event.target.matches("select[name$='-option']")) { syncRatio(event.target.closest("tr")); }
    });
    visibleRows().forEach(syncRatio);
  }
  var addButton = document.getElementById("add-row");
  if (addButton) {
    addButton.addEventListener("click", function () { addRow(); renumber(); });
  }
  // After a refused save, keyboard users start at the first field the server marked.
  var firstError = form.querySelector(".has-error input, .has-error select, .has-error textarea");
  if (firstError) { firstError.focus(); }
  form.addEventListener("input", function () { renumber(); schedulePreview(); });
  form.addEventListener("change", function () { renumber(); schedulePreview(); });
  renumber();
})();
