// Copy the built front-end assets the app serves into web/static/dist (not committed),
// and bundle the process owners' modeller (bpmn-js, its properties panel, dmn-js) with esbuild.
import { build } from "esbuild";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const dist = join(root, "web", "static", "dist");

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
const copies = [
  ["govuk-frontend/dist/govuk/govuk-frontend.min.css", "govuk-frontend.min.css"],
  ["govuk-frontend/dist/govuk/govuk-frontend.min.js", "govuk-frontend.min.js"],
  ["govuk-frontend/dist/govuk/assets", "assets"],
  ["bpmn-js/dist/bpmn-navigated-viewer.production.min.js", "bpmn-navigated-viewer.production.min.js"],
  ["bpmn-js/dist/assets/diagram-js.css", "diagram-js.css"],
  ["bpmn-js/dist/assets/bpmn-js.css", "bpmn-js.css"],
  ["axe-core/axe.min.js", "axe.min.js"],
  ["bpmn-js/dist/assets/bpmn-font", "bpmn-font"],
  ["@bpmn-io/properties-panel/dist/assets/properties-panel.css", "properties-panel.css"],
  ["dmn-js/dist/assets", "dmn-js"],
];
for (const [from, to] of copies) {
  cpSync(join(modules, from), join(dist, to), { recursive: true });
}
// GOV.UK Frontend's compiled CSS points at /assets/; Flask serves them under /static/dist/assets/.
const css = join(dist, "govuk-frontend.min.css");
writeFileSync(css, readFileSync(css, "utf8").replaceAll("url(/assets/", "url(/static/dist/assets/"));
await build({
  entryPoints: [join(root, "web", "static", "src", "modeller.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  outfile: join(dist, "modeller.js"),
  logLevel: "warning",
});
console.log(`front-end assets copied and the modeller bundled to ${dist}`);
