// 新增 opens the drafting engineer's 新建公告 choice page inside a <dialog>; without JS (or if the
// fetch fails) the button stays a plain link to that page.
(function () {
  "use strict";
  var button = document.getElementById("create-notice");
  var dialog = document.getElementById("create-dialog");
  if (!button || !dialog || typeof dialog.showModal !== "function") return;
  var body = dialog.querySelector("[data-dialog-body]");
  button.addEventListener("click", function (event) {
    event.preventDefault();
    fetch(button.dataset.dialogUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var content = doc.querySelector("[data-dialog-content]") || doc.querySelector(".create-choice") ||
          doc.querySelector("#main");
        if (!content) throw new Error("no content");
        body.replaceChildren.apply(body, Array.prototype.map.call(content.childNodes, function (n) {
          return document.importNode(n, true);
        }));
        dialog.showModal();
      })
      .catch(function () { window.location.href = button.href; });
  });
  dialog.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-dialog]") || event.target === dialog) dialog.close();
  });
})();
