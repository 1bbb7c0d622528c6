/* Import job page: poll the job's status and move the progress bar; reload when finished so
   that the error report (or the result) is shown. Plain JS, no libraries. */
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || box.getAttribute("data-finished") === "1") {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");
  var delay = 1000;

  function set(field, value) {
    var nodes = document.querySelectorAll('[data-field="' + field + '"]');
    for (var i = 0; i < nodes.length; i++) {
      nodes[i].textContent = value;
    }
  }

  function poll() {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onload = function () {
      if (xhr.status !== 200) {
        window.setTimeout(poll, delay * 3);
        return;
      }
      var s = JSON.parse(xhr.responseText);
      bar.value = s.percent;
      bar.textContent = s.percent + "%";
      set("percent", s.percent);
      set("processed_rows", s.processed_rows);
      set("total_rows", s.total_rows);
      set("status_label", s.status_label);
      if (s.message) {
        set("message", s.message);
      }
      if (s.finished) {
        window.location.reload();
      } else {
        window.setTimeout(poll, delay);
      }
    };
    xhr.onerror = function () {
      window.setTimeout(poll, delay * 3);
    };
    xhr.send();
  }

  window.setTimeout(poll, 500);
})();
