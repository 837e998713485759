/* Confirmation before decisive actions (通过, 退回, 撤回发布, 提交, 批量停用, 发送提醒, 删除 …).
   A form or its submit button carries data-confirm (what will happen, to whom); the action waits
   for 确定 in a modal <dialog>, which keeps the focus inside and gives it back on close.
   Without this script the forms submit directly, as before. */
(function () {
  "use strict";
  var dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  var title = document.getElementById("confirm-title");
  var message = document.getElementById("confirm-message");
  var ok = dialog.querySelector("[data-confirm-ok]");
  var cancel = dialog.querySelector("[data-confirm-cancel]");
  var defaultTitle = title.textContent;
  var current = null;  // {form, submitter}

  function source(form, submitter) {
    if (submitter && submitter.hasAttribute("data-confirm")) { return submitter; }
    if (form.hasAttribute("data-confirm")) { return form; }
    return null;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter || null;
    var from = source(form, submitter);
    if (!from || form.getAttribute("data-confirmed") === "1") { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    current = { form: form, submitter: submitter };
    title.textContent = from.getAttribute("data-confirm-title") || defaultTitle;
    message.textContent = "";
    from.getAttribute("data-confirm").split("\n").forEach(function (line) {
      var p = document.createElement("p");
      p.textContent = line;
      message.appendChild(p);
    });
    // A list of what the action touches (the units of a reminder, the selected staff …).
    var listId = from.getAttribute("data-confirm-list");
    var list = listId && document.getElementById(listId);
    if (list) { message.appendChild(list.content ? list.content.cloneNode(true) : list.cloneNode(true)); }
    // …or fetched when asked (who a reminder reaches now, who has no e-mail address).
    var url = from.getAttribute("data-confirm-fetch");
    if (url) {
      var holder = document.createElement("div");
      holder.setAttribute("aria-busy", "true");
      message.appendChild(holder);
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          Array.prototype.forEach.call(doc.body.childNodes, function (node) { holder.appendChild(document.importNode(node, true)); });
          holder.removeAttribute("aria-busy");
        })
        .catch(function () { holder.removeAttribute("aria-busy"); });
    }
    ok.textContent = from.getAttribute("data-confirm-ok") || ok.getAttribute("data-default-label");
    ok.className = from.getAttribute("data-confirm-style") === "danger" ? "danger" : "primary";
    dialog.showModal();
    cancel.focus();
  }, true);

  function close(confirmed) {
    var action = current;
    current = null;
    dialog.close();
    if (!action) { return; }
    if (confirmed) {
      action.form.setAttribute("data-confirmed", "1");
      if (typeof action.form.requestSubmit === "function") { action.form.requestSubmit(action.submitter || undefined); }
      else { action.form.submit(); }
    } else {
      action.form.dispatchEvent(new CustomEvent("confirm-cancelled"));
      (action.submitter || action.form.querySelector("[type=submit]") || document.body).focus();
    }
  }

  ok.addEventListener("click", function () { close(true); });
  cancel.addEventListener("click", function () { close(false); });
  dialog.addEventListener("cancel", function (event) { event.preventDefault(); close(false); });
})();

/* Esc closes an open 更多 menu (<details class="more">) and gives the focus back to its summary. */
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") { return; }
  Array.prototype.forEach.call(document.querySelectorAll("details.more[open]"), function (menu) {
    menu.open = false;
    var summary = menu.querySelector("summary");
    if (summary && menu.contains(document.activeElement)) { summary.focus(); }
  });
});
