// Hovering an event anywhere (map, timeline, list) highlights it
// everywhere. Nothing is loaded from the network.
(function () {
  "use strict";
  var all = document.querySelectorAll("[data-ev]");
  function mark(n, on) {
    document.querySelectorAll('[data-ev="' + n + '"]').forEach(function (el) {
      el.classList.toggle("hl", on);
    });
  }
  all.forEach(function (el) {
    var n = el.getAttribute("data-ev");
    el.addEventListener("mouseenter", function () { mark(n, true); });
    el.addEventListener("mouseleave", function () { mark(n, false); });
    if (el.tagName.toLowerCase() === "g") {
      el.style.cursor = "pointer";
      el.addEventListener("click", function () {
        var target = document.getElementById("event-" + n);
        if (target) { target.scrollIntoView({behavior: "smooth", block: "start"}); }
      });
    }
  });
  document.body.setAttribute("data-ready", "1");
})();
