// The dossier page's progress bar: polls the status while the dossier is laid out, moves the
// bar as units are done, and reloads the page once it is ready or has failed.
(function () {
  "use strict";
  var box = document.querySelector("[data-dossier-status]");
  if (!box) return;
  var status = box.getAttribute("data-status");
  if (status === "ready" || status === "failed") return;
  var url = box.getAttribute("data-dossier-status");
  var bar = document.getElementById("dossier-bar");
  var label = document.getElementById("dossier-status-label");
  var failures = 0;

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        bar.max = data.total;
        bar.value = data.done;
        bar.textContent = data.percent + "%";
        label.textContent = data.label;
        box.setAttribute("data-status", data.status);
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 700);
        }
      })
      .catch(function () {
        failures += 1;
        // The server may restart; give up after a minute and let the reload show the state.
        if (failures < 60) window.setTimeout(poll, 1000);
        else window.location.reload();
      });
  }
  window.setTimeout(poll, 500);
})();
