// 员工管理: the "已选中N项" counter, select-all, and the branch toggles of the permission tree.
// Everything here is an enhancement: the batch bar and the tree work as plain forms without it.
(function () {
  "use strict";

  function initBatch(form) {
    var counter = form.querySelector(".selected-count");
    var all = form.querySelector("input.select-all");
    var rows = function () { return form.querySelectorAll("input.select-row"); };
    function update() {
      var n = Array.prototype.filter.call(rows(), function (box) { return box.checked; }).length;
      if (counter) {
        counter.textContent = counter.dataset.template.replace("%(count)s", String(n));
        counter.classList.remove("hidden");
      }
      if (all) {
        all.checked = n > 0 && n === rows().length;
        all.indeterminate = n > 0 && n < rows().length;
      }
    }
    if (all) {
      all.addEventListener("change", function () {
        rows().forEach(function (box) { box.checked = all.checked; });
        update();
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target.classList.contains("select-row")) { update(); }
    });
    update();
  }

  function initTree(tree) {
    tree.querySelectorAll(":scope > li").forEach(function (branch) {
      var toggle = branch.querySelector(".branch-toggle");
      var leaves = branch.querySelectorAll("ul input[type=checkbox]");
      if (!toggle) { return; }
      function sync() {
        var n = Array.prototype.filter.call(leaves, function (box) { return box.checked; }).length;
        toggle.checked = n === leaves.length;
        toggle.indeterminate = n > 0 && n < leaves.length;
      }
      toggle.classList.remove("hidden");
      toggle.addEventListener("change", function () {
        leaves.forEach(function (box) { box.checked = toggle.checked; });
        sync();
      });
      leaves.forEach(function (box) { box.addEventListener("change", sync); });
      sync();
    });
  }

  document.querySelectorAll("form.staff-batch").forEach(initBatch);
  document.querySelectorAll(".perm-tree").forEach(initTree);
})();
