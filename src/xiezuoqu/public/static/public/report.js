// 网络举报表单的渐进增强：不启用脚本时表单同样可用。
// 1. 选择“匿名举报”时收起实名信息；2. 村（社区）下拉框只显示所选乡镇（街道）的村。
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var identity = document.getElementById("identity");
    var radios = document.querySelectorAll("input[name='mode']");
    function syncIdentity() {
      var anonymous = document.querySelector("input[name='mode'][value='anonymous']");
      if (identity && anonymous) { identity.hidden = anonymous.checked; }
    }
    radios.forEach(function (r) { r.addEventListener("change", syncIdentity); });
    syncIdentity();

    document.querySelectorAll("select[name$='-township']").forEach(function (township) {
      var village = document.getElementById(township.id.replace(/township$/, "village"));
      if (!village) { return; }
      function syncVillages() {
        var label = township.selectedOptions.length ? township.selectedOptions[0].textContent : "";
        village.querySelectorAll("optgroup").forEach(function (group) {
          var show = !township.value || group.label === label;
          group.hidden = !show;
          group.disabled = !show;
        });
        var chosen = village.selectedOptions.length ? village.selectedOptions[0] : null;
        if (chosen && chosen.parentElement && chosen.parentElement.disabled) { village.value = ""; }
      }
      township.addEventListener("change", syncVillages);
      syncVillages();
    });
  });
})();
