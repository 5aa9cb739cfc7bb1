// 审批链配置：增加、删除审批环节行（CSP 禁止内联脚本，故单独成文件）。
(function () {
  "use strict";
  function renumber(tbody) {
    tbody.querySelectorAll("tr.step-row").forEach(function (row, i) {
      var cell = row.querySelector(".step-number");
      if (cell) { cell.textContent = String(i + 1); }
    });
  }
  function clearRow(row) {
    row.querySelectorAll("select").forEach(function (el) { el.selectedIndex = 0; });
    row.querySelectorAll("input").forEach(function (el) { el.value = ""; });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var table = document.getElementById("chain-steps");
    var add = document.getElementById("add-step");
    if (!table || !add) { return; }
    var tbody = table.querySelector("tbody");
    add.addEventListener("click", function () {
      var rows = tbody.querySelectorAll("tr.step-row");
      var row = rows[rows.length - 1].cloneNode(true);
      clearRow(row);
      tbody.appendChild(row);
      renumber(tbody);
    });
    tbody.addEventListener("click", function (event) {
      var button = event.target.closest(".remove-step");
      if (!button) { return; }
      var row = button.closest("tr.step-row");
      if (tbody.querySelectorAll("tr.step-row").length > 1) { row.remove(); } else { clearRow(row); }
      renumber(tbody);
    });
  });
})();
