// Registration form: show the reporter's identity fields for real-name reports; add accused rows.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var realName = document.getElementById("id_is_real_name");
    var identity = document.getElementById("identity-fields");
    if (realName && identity) {
      var sync = function () { identity.hidden = !realName.checked; };
      realName.addEventListener("change", sync);
      sync();
    }
    var add = document.getElementById("add-accused");
    var template = document.getElementById("accused-row");
    var total = document.getElementById("id_accused-TOTAL_FORMS");
    var max = document.getElementById("id_accused-MAX_NUM_FORMS");
    var body = document.querySelector("#accused-table tbody");
    if (add && template && total && body) {
      add.addEventListener("click", function () {
        var index = parseInt(total.value, 10);
        if (max && index >= parseInt(max.value, 10)) { add.disabled = true; return; }
        var html = template.innerHTML.replace(/__prefix__/g, String(index));
        body.insertAdjacentHTML("beforeend", html);
        total.value = String(index + 1);
      });
    }
  });
})();
