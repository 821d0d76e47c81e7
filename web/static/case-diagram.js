// Draws the case's process diagram and marks what is done, what is being worked on and what waits
// (timers, messages); elements with no mark are still to come.
// Without JavaScript (or if drawing fails) the page's list "Where the case is now" says the same in words.
(function () {
  "use strict";
  var figure = document.getElementById("case-diagram-figure");
  var container = document.getElementById("case-diagram");
  if (!figure || !container || typeof window.BpmnJS !== "function" || !window.fetch) {
    return;
  }
  var progress = JSON.parse(container.getAttribute("data-progress") || "{}");
  var markers = { completed: "completed-element", current: "current-task", waiting: "waiting-element" };
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
      Object.keys(markers).forEach(function (state) {
        (progress[state] || []).forEach(function (id) {
          if (elements.get(id)) { canvas.addMarker(id, markers[state]); }
        });
      });
    })
    .catch(function () {
      viewer.destroy();
      figure.hidden = true;
    });
})();
