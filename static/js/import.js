/* Excel import with progress. On the import page: the upload's progress bar, then the import's
   own page. On that page (#import-status): the rows checked, polled from its JSON status, then the
   edit page or the errors. Without this script the form posts as usual and the status page
   reloads itself (a <noscript> refresh). */
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form || !window.XMLHttpRequest) { return; }
  var box = document.getElementById("import-progress");
  var bar = document.getElementById("import-progress-bar");
  var label = document.getElementById("import-progress-label");
  var text = document.getElementById("import-progress-text");

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.setRequestHeader("X-Requested-With", "fetch");
    box.hidden = false;
    button.disabled = true;
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { bar.value = Math.round(e.loaded * 100 / e.total); }
    });
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value");  // indeterminate: the server is checking the rows
      label.textContent = form.getAttribute("data-busy-text");
      text.textContent = form.getAttribute("data-busy-text");
    });
    xhr.addEventListener("load", function () {
      var type = xhr.getResponseHeader("Content-Type") || "";
      if (type.indexOf("application/json") === 0) {
        var data = JSON.parse(xhr.responseText);
        window.location.assign(data.redirect);
        return;
      }
      // A refused import: show the page the server made (errors next to the file, the error table).
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var main = doc.getElementById("main");
      if (!main) { failed(); return; }
      document.getElementById("main").replaceWith(document.importNode(main, true));
      var again = document.getElementById("import-form");
      if (again) { again.removeAttribute("id"); }  // a plain post from now on
      var focus = document.querySelector(".import-errors, .has-error input");
      if (focus) { focus.setAttribute("tabindex", "-1"); focus.focus(); }
    });
    xhr.addEventListener("error", failed);
    function failed() {
      box.hidden = true;
      button.disabled = false;
      text.textContent = form.getAttribute("data-failed-text");
      box.hidden = false;
    }
    xhr.send(new FormData(form));
  });
})();

/* 替换现有明细 deletes every saved row: while that mode is chosen the form asks first (confirm.js
   reads data-confirm at submit; a submit always follows a click on the button, Enter included). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[type=submit]") : null;
    var form = button && button.form;
    if (!form || !form.hasAttribute("data-replace-confirm")) { return; }
    var chosen = form.querySelector("input[name=mode]:checked");
    if (chosen && chosen.value === "replace") {
      form.setAttribute("data-confirm", form.getAttribute("data-replace-confirm"));
    } else {
      form.removeAttribute("data-confirm");
    }
  }, true);
})();

(function () {
  "use strict";
  var status = document.getElementById("import-status");
  if (!status || !window.fetch) { return; }
  var bar = document.getElementById("import-progress-bar");
  var text = document.getElementById("import-progress-text");
  var url = status.getAttribute("data-status-url");
  var failures = 0;

  function show(data) {
    if (data.total) {
      bar.max = data.total;
      bar.value = data.done;
    } else {
      bar.removeAttribute("value");  // indeterminate: the sheet does not say how many rows it has
    }
    if (text.textContent !== data.text) { text.textContent = data.text; }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        show(data);
        if (data.finished) {
          // The status page itself leads on: the edit page, or the errors with the form.
          window.location.replace(status.getAttribute("data-next-url"));
          return;
        }
        window.setTimeout(poll, 700);
      })
      .catch(function () {
        failures += 1;
        if (failures >= 5) { text.textContent = status.getAttribute("data-failed-text"); }
        window.setTimeout(poll, 2000);
      });
  }
  window.setTimeout(poll, 300);
})();
