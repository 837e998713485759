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

  // 定时发布时间 only with 定时发布 (create and edit pages); a field with an error stays visible.
  Array.prototype.forEach.call(document.querySelectorAll("[data-scheduled-field]"), function (field) {
    var owner = field.closest("form");
    function sync() {
      var mode = owner.querySelector("input[name='publish_mode']:checked");
      field.hidden = !(mode && mode.value === "scheduled") && !field.querySelector(".has-error");
    }
    owner.addEventListener("change", function (event) { if (event.target.name === "publish_mode") { sync(); } });
    sync();
  });

  var form = document.getElementById("notice-form");
  if (!form) { return; }

  var body = document.getElementById("rows-body");
  var template = document.getElementById("row-template");
  var total = form.querySelector("input[name$='-TOTAL_FORMS']");
  var previewUrl = form.getAttribute("data-preview-url");
  var previewBox = document.getElementById("preview-content");
  var previewFailed = document.getElementById("preview-failed");
  var undoBar = document.getElementById("undo-bar");
  var removed = [];  // rows removed since the page was opened, newest last: 撤销 brings them back

  // --- unsaved changes -------------------------------------------------------------------
  var dirty = false;
  var submitting = false;
  function markDirty() { dirty = true; }
  window.addEventListener("beforeunload", function (event) {
    if (!dirty || submitting) { return; }
    event.preventDefault();
    event.returnValue = form.getAttribute("data-unsaved-message") || "";
    return event.returnValue;
  });
  form.addEventListener("submit", function () {
    submitting = true;
    // The page is leaving: no preview request should race the save.
    window.clearTimeout(timer);
    if (pending) { pending.abort(); }
  });
  // A confirmation dialog that is cancelled leaves the page: the guard must hold again.
  form.addEventListener("confirm-cancelled", function () { submitting = false; });

  function rows() {
    if (!body) { return []; }
    return Array.prototype.filter.call(body.querySelectorAll("li.row-form"), function (li) { return !li.hidden; });
  }

  function rowHasData(li) {
    return Array.prototype.some.call(li.querySelectorAll("input, select"), function (el) {
      var name = el.name || "";
      if (/-(ORDER|DELETE|id)$/.test(name) || el.type === "hidden") { return false; }
      return el.value !== "";
    });
  }

  // The order field is what the server sorts the page's rows by.
  function renumber() {
    var n = 0;
    rows().forEach(function (li) {
      var order = li.querySelector("input[name$='-ORDER']");
      if (rowHasData(li) || li.querySelector("input[name$='-id']").value) {
        n += 1;
        if (order) { order.value = n; }
      } else if (order) { order.value = ""; }
    });
  }

  // 采购项目整体预留 fixes the ratio at 100; switching back restores what the user had typed.
  function syncRatio(li, changed) {
    var option = li.querySelector("select[name$='-option']");
    var ratio = li.querySelector("input[name$='-ratio']");
    if (!option || !ratio) { return; }
    var whole = option.value === "whole";
    if (whole) {
      if (changed && !ratio.readOnly) { ratio.setAttribute("data-typed", ratio.value); }
      ratio.value = "100";
    } else if (ratio.readOnly) {
      ratio.value = ratio.getAttribute("data-typed") || "";
    }
    ratio.readOnly = whole;
  }

  function addRow() {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("ol");
    holder.innerHTML = html.trim();
    var li = holder.querySelector("li");
    body.appendChild(li);
    total.value = index + 1;
    Array.prototype.forEach.call(li.querySelectorAll(".js-only"), function (el) { el.hidden = false; });
    var first = li.querySelector("input[name$='-name']");
    if (first) { first.focus(); }
  }

  function move(li, step) {
    var list = rows();
    var i = list.indexOf(li);
    var j = i + step;
    if (j < 0 || j >= list.length) { return; }
    if (step < 0) { body.insertBefore(li, list[j]); } else { body.insertBefore(list[j], li); }
    var button = li.querySelector(step < 0 ? ".move-up" : ".move-down");
    if (button) { button.focus(); }
  }

  function showUndo() {
    if (!undoBar) { return; }
    var last = removed[removed.length - 1];
    undoBar.hidden = !last;
    if (!last) { return; }
    var text = undoBar.querySelector(".undo-text");
    var name = last.querySelector("input[name$='-name']");
    var label = last.querySelector(".row-title").textContent.trim();
    text.textContent = text.getAttribute("data-template").replace("{name}", "“" + label + (name && name.value ? " " + name.value : "") + "”");
  }

  function removeRow(li) {
    var del = li.querySelector("input[name$='-DELETE']");
    if (del) { del.checked = true; }
    li.hidden = true;
    removed.push(li);
    showUndo();
    document.getElementById("undo-remove").focus();
  }

  function undoRemove() {
    var li = removed.pop();
    if (!li) { return; }
    var del = li.querySelector("input[name$='-DELETE']");
    if (del) { del.checked = false; }
    li.hidden = false;
    showUndo();
    var button = li.querySelector(".remove-row");
    if (button) { button.focus(); }
  }

  // --- the preview: the server adds this page's typed rows to the stored ones --------------
  var timer = null;
  var pending = null;
  function schedulePreview() {
    if (!previewUrl || !previewBox) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(refreshPreview, 400);
  }

  function placeRowNotes() {
    Array.prototype.forEach.call(form.querySelectorAll(".row-policy"), function (p) { p.hidden = true; p.textContent = ""; });
    // A row that misses a threshold shows its 未达标原因 beside the note; one that no longer
    // does hides it unless a reason was chosen (the server drops it when the row is saved).
    var shortfall = {};
    Array.prototype.forEach.call(previewBox.querySelectorAll(".row-notes li[data-for]"), function (note) {
      var li = form.querySelector("li.row-form[data-prefix='" + note.getAttribute("data-for") + "']");
      var box = li && li.querySelector(".row-policy");
      if (box) { box.textContent = note.textContent; box.hidden = false; }
      if (note.hasAttribute("data-shortfall")) { shortfall[note.getAttribute("data-for")] = true; }
    });
    Array.prototype.forEach.call(form.querySelectorAll("li.row-form"), function (li) {
      var cell = li.querySelector(".cell-shortfall_reason");
      var select = cell && cell.querySelector("select");
      if (cell) { cell.hidden = !shortfall[li.getAttribute("data-prefix")] && !(select && select.value); }
    });
  }

  function refreshPreview() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    previewBox.classList.add("preview-busy");
    var data = new FormData(form);
    data.delete("intent");
    fetch(previewUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      signal: pending.signal
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      previewBox.innerHTML = html;
      previewBox.classList.remove("preview-busy");
      if (previewFailed) { previewFailed.hidden = true; }
      placeRowNotes();
    }).catch(function (error) {
      if (error.name === "AbortError") { return; }
      previewBox.classList.remove("preview-busy");
      if (previewFailed) { previewFailed.hidden = false; }
    });
  }

  if (body) {
    body.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) { return; }
      var li = button.closest("li.row-form");
      if (button.classList.contains("move-up")) { move(li, -1); }
      else if (button.classList.contains("move-down")) { move(li, 1); }
      else if (button.classList.contains("remove-row")) { removeRow(li); }
      else { return; }
      markDirty();
      renumber();
      schedulePreview();
    });
    body.addEventListener("change", function (event) {
      if (event.target.matches("select[name$='-option']")) { syncRatio(event.target.closest("li"), true); }
    });
    rows().forEach(function (li) { syncRatio(li, false); });
  }
  var undoButton = document.getElementById("undo-remove");
  if (undoButton) {
    undoButton.addEventListener("click", function () { undoRemove(); renumber(); schedulePreview(); });
  }
  var addButton = document.getElementById("add-row");
  if (addButton) {
    addButton.addEventListener("click", function () { addRow(); renumber(); });
  }
  // After a refused save, keyboard users start at the first field the server marked; after a
  // refused 提交, at the list of reasons.
  var problems = document.getElementById("submit-problems");
  var firstError = form.querySelector(".has-error input, .has-error select, .has-error textarea");
  if (problems) { problems.focus(); } else if (firstError) { firstError.focus(); }
  if (form.querySelector(".has-error")) { dirty = true; }  // a refused save: the typed values are not stored
  form.addEventListener("input", function () { markDirty(); renumber(); schedulePreview(); });
  form.addEventListener("change", function () { markDirty(); renumber(); schedulePreview(); });
  renumber();
  if (previewBox) { placeRowNotes(); }
})();
