// Name-search picker: as the worker types a name, ask the server (scoped, masked names) and
// offer the matches; choosing one fills the hidden id. Editing the text again clears the choice.
(function () {
  document.querySelectorAll(".picker").forEach(function (box) {
    var url = box.getAttribute("data-picker-url");
    var hidden = box.querySelector("input[type=hidden]");
    var search = box.querySelector(".picker-q");
    var list = box.querySelector(".picker-results");
    var timer = null;
    function show(items) {
      list.innerHTML = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        var b = document.createElement("button");
        b.type = "button";
        b.className = "btn btn-small";
        b.setAttribute("role", "option");
        b.textContent = item.label;
        b.addEventListener("click", function () {
          hidden.value = String(item.id);
          search.value = item.label;
          list.innerHTML = "";
        });
        li.appendChild(b);
        list.appendChild(li);
      });
      if (!items.length && search.value.trim()) {
        var empty = document.createElement("li");
        empty.className = "muted small";
        empty.textContent = search.getAttribute("data-empty") || "—";
        list.appendChild(empty);
      }
    }
    search.addEventListener("input", function () {
      hidden.value = "";
      clearTimeout(timer);
      var q = search.value.trim();
      if (!q) { show([]); return; }
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (data) { show(data.items || []); })
          .catch(function () { show([]); });
      }, 250);
    });
  });
})();
