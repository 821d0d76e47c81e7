// Draws the case's process diagram and marks the task(s) the case is waiting on.
// Without JavaScript (or if drawing fails) the page's list "Where the case is now" says the same in words.
(function () {
  "use strict";
  var figure = document.getElementById("case-diagram-figure");
  var container = document.getElementById("case-diagram");
  if (!figure || !container || typeof window.BpmnJS !== "function" || !window.fetch) {
    return;
  }
  var current = JSON.parse(container.getAttribute("data-current") || "[]");
  figure.hidden = false;
  var viewer = new window.BpmnJS({ container: container });
  fetch(container.getAttribute("data-src"), { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error("diagram not available: " + response.status); }
      return response.text();
    })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get("canvas");
      var elements = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      current.forEach(function (id) {
        if (elements.get(id)) { canvas.addMarker(id, "current-task"); }
      });
    })
    .catch(function () {
      viewer.destroy();
      figure.hidden = true;
    });
})();
