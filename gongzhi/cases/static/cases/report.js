// Report form: show thumbnails of the chosen photos and fill in the position on request.
(function () {
  "use strict";
  var input = document.getElementById("id_photos");
  var preview = document.getElementById("photo-preview");
  if (input && preview) {
    input.addEventListener("change", function () {
      preview.textContent = "";
      Array.prototype.forEach.call(input.files, function (file) {
        if (!file.type || file.type.indexOf("image/") !== 0) {
          return;
        }
        var img = document.createElement("img");
        img.className = "rounded border";
        img.width = 72;
        img.height = 72;
        img.style.objectFit = "cover";
        img.alt = file.name;
        img.src = URL.createObjectURL(file);
        preview.appendChild(img);
      });
    });
  }
  var button = document.getElementById("use-location");
  var status = document.getElementById("location-status");
  if (button && status) {
    button.addEventListener("click", function () {
      if (!navigator.geolocation) {
        status.textContent = status.dataset.failed;
        return;
      }
      navigator.geolocation.getCurrentPosition(
        function (position) {
          document.getElementById("id_latitude").value = position.coords.latitude.toFixed(6);
          document.getElementById("id_longitude").value = position.coords.longitude.toFixed(6);
          status.textContent = status.dataset.done;
        },
        function () {
          status.textContent = status.dataset.failed;
        },
        { timeout: 10000 }
      );
    });
  }
})();
