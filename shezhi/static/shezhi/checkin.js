/* Activity check-in. The organiser's QR page reloads itself so that the code rotates; the
   volunteer's check-in form adds the phone's position where the activity has a geofence.
   Plain JS, no libraries. */
(function () {
  "use strict";
  var qr = document.getElementById("checkin-qr");
  if (qr) {
    // The rotation is a setting (SHEZHI_CHECKIN_QR_ROTATION_SECONDS) the page passes in.
    var seconds = parseInt(qr.getAttribute("data-refresh"), 10);
    if (seconds > 0) {
      window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
    }
  }
  var form = document.getElementById("checkin-form");
  if (!form || form.getAttribute("data-geofence") !== "1" || !navigator.geolocation) {
    return;
  }
  var located = false;
  form.addEventListener("submit", function (event) {
    if (located) {
      return;
    }
    event.preventDefault();
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        form.elements.latitude.value = pos.coords.latitude;
        form.elements.longitude.value = pos.coords.longitude;
        located = true;
        form.submit();
      },
      function () {
        located = true;  // let the server explain that the position is required
        form.submit();
      },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 30000 }
    );
  });
})();
