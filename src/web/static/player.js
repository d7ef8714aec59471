// Segment links seek the player instead of opening the file. Pages work
// without this script: the links then open the access copy at that time.
(function () {
  "use strict";
  var player = document.getElementById("player");
  if (!player) { return; }
  var items = document.querySelectorAll(".segment[data-start], .cue[data-start]");
  Array.prototype.forEach.call(items, function (el) {
    var link = el.querySelector("a") || el;
    link.addEventListener("click", function (ev) {
      var t = parseFloat(el.getAttribute("data-start"));
      if (isNaN(t)) { return; }
      ev.preventDefault();
      player.currentTime = t;
      player.play();
    });
  });
})();
