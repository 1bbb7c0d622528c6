// "Add another row" for a Django formset: clones the <template data-formset-empty> row with the
// next index. Without JavaScript the page still offers its blank rows (the button stays hidden).
(function () {
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var form = button.closest("form");
    var total = form.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var body = form.querySelector("[data-formset-body]");
    var empty = form.querySelector("template[data-formset-empty]");
    var max = parseInt(button.getAttribute("data-max"), 10) || 20;
    if (!total || !body || !empty) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var n = parseInt(total.value, 10);
      if (n >= max) { button.disabled = true; return; }
      var html = empty.innerHTML.replace(/__prefix__/g, String(n));
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(n + 1);
      var first = body.lastElementChild.querySelector("input");
      if (first) first.focus();
      if (n + 1 >= max) button.disabled = true;
    });
  });
})();
