// Builds what Node loads from the package: dist/node/, the entries index, nn,
// optimizers and cli (cli/main.ts) bundled by esbuild with their shared code
// in common chunks (one copy of the library whichever entries a program
// imports). A bundle loads in about a third of the time of the ~420 modules
// tsc emits; tsc still emits the declarations (dist/**/*.d.ts). Dependencies
// stay external, and every file the code finds at run time (wgsl/, msl/, the
// native addon, conformance/numpy_eval.py) is found two levels up, as from
// the sources. usage: node scripts/build-node.mjs [--out DIR]  (default DIR: dist)

import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = resolve(process.argv[2] === "--out" && process.argv[3] ? process.argv[3] : join(ROOT, "dist"));

await esbuild.build({
  absWorkingDir: ROOT,
  entryPoints: { index: "index.ts", nn: "nn.ts", optimizers: "optimizers.ts", cli: "cli/main.ts" },
  outdir: join(out, "node"),
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  // classes and functions keep their names where esbuild renames a clash (nn.LayerNorm beside the
  // LayerNorm primitive): module reprs and errors print them
  keepNames: true,
  // the maps name the TypeScript sources, which the package ships beside them
  sourcemap: true,
  sourcesContent: false,
  logLevel: "warning",
});
console.log(`built ${join(out, "node")}`);
