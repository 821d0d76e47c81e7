// The process owners' modeller: bpmn-js with its properties panel for .bpmn drafts, dmn-js for .dmn drafts.
// Bundled by bin/build-assets.mjs (esbuild) into web/static/dist/modeller.js.
import BpmnModeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";
import DmnModeler from "dmn-js/lib/Modeler";

function showResult(target, result) {
  target.textContent = "";
  var heading = document.createElement("h3");
  heading.className = "govuk-heading-s";
  heading.textContent = result.ok ? "Saved. The draft passes every check." : "Saved. The draft has problems:";
  target.appendChild(heading);
  var list = document.createElement("ul");
  list.className = "govuk-list govuk-list--bullet";
  (result.errors || []).forEach(function (message) {
    var item = document.createElement("li");
    item.textContent = message;
    list.appendChild(item);
  });
  (result.tests || []).forEach(function (test) {
    var item = document.createElement("li");
    item.textContent = "Test case \u201c" + test.name + "\u201d " + (test.passed ? "passed: " : "failed: ") + test.message;
    list.appendChild(item);
  });
  target.appendChild(list);
  target.focus();
}

function start() {
  var root = document.getElementById("modeller");
  if (!root) { return; }
  var kind = root.getAttribute("data-kind");
  var canvas = document.getElementById("modeller-canvas");
  var modeller = kind === "dmn"
    ? new DmnModeler({ container: canvas })
    : new BpmnModeler({
        container: canvas,
        propertiesPanel: { parent: "#modeller-properties" },
        additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule],
      });
  var status = document.getElementById("modeller-status");
  root.hidden = false;
  fetch(root.getAttribute("data-src"), { credentials: "same-origin" })
    .then(function (response) { return response.text(); })
    .then(function (xml) { return modeller.importXML(xml); })
    .then(function () {
      if (kind !== "dmn") { modeller.get("canvas").zoom("fit-viewport"); }
      root.setAttribute("data-ready", "true");
    })
    .catch(function (err) { status.textContent = "The diagram could not be opened: " + err.message; });

  document.getElementById("modeller-save").addEventListener("click", function () {
    status.textContent = "Saving\u2026";
    modeller.saveXML({ format: true })
      .then(function (saved) {
        return fetch(root.getAttribute("data-save"), {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": root.getAttribute("data-csrf") },
          body: JSON.stringify({ xml: saved.xml }),
        });
      })
      .then(function (response) { return response.json(); })
      .then(function (result) {
        if (result.error) { status.textContent = result.error; return; }
        status.textContent = "";
        showResult(document.getElementById("modeller-result"), result);
      })
      .catch(function (err) { status.textContent = "Not saved: " + err.message; });
  });
  window.appModeller = modeller;
}

function startFormPreviews() {
  document.querySelectorAll("[data-form-editor]").forEach(function (editor) {
    var textarea = editor.querySelector("textarea");
    var preview = editor.querySelector("[data-form-preview]");
    var timer = null;
    function refresh() {
      fetch(editor.getAttribute("data-preview"), {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": editor.getAttribute("data-csrf") },
        body: JSON.stringify({ schema: textarea.value }),
      }).then(function (r) { return r.text(); }).then(function (html) { preview.innerHTML = html; });
    }
    textarea.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 400); });
    refresh();
  });
}

start();
startFormPreviews();
