// Hovering an event anywhere (maps, timeline, tables, list) highlights it
// everywhere; a map marker may stand for several events ("3 7 12").
// Clicking a marker goes to its (first) event. Nothing is loaded from the
// network.
(function () {
  "use strict";
  var all = document.querySelectorAll("[data-ev]");
  function mark(list, on) {
    list.split(" ").forEach(function (n) {
      if (!n) { return; }
      document.querySelectorAll('[data-ev~="' + n + '"]').forEach(function (el) {
        el.classList.toggle("hl", on);
      });
    });
  }
  all.forEach(function (el) {
    var list = el.getAttribute("data-ev");
    el.addEventListener("mouseenter", function () { mark(list, true); });
    el.addEventListener("mouseleave", function () { mark(list, false); });
    if (el.tagName.toLowerCase() === "g") {
      el.style.cursor = "pointer";
      el.addEventListener("click", function () {
        var target = document.getElementById("event-" + list.split(" ")[0]);
        if (target) { target.scrollIntoView({behavior: "smooth", block: "start"}); }
      });
    }
  });
  document.body.setAttribute("data-ready", "1");
})();
