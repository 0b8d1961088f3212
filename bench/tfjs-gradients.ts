// Registers tfjs-core's gradient rules, which tf.variableGrads needs: the
// package's Node bundle leaves them out, and its ES module files (extensionless
// imports) do not load under Node's resolver, so esbuild bundles them here. The
// bundle's registry and engine are tfjs's globals, shared with the main copy.

import { buildSync } from "esbuild";
import { createRequire } from "node:module";

const entry = createRequire(import.meta.url).resolve("@tensorflow/tfjs-core/dist/register_all_gradients.js");
const bundle = buildSync({ entryPoints: [entry], bundle: true, format: "esm", platform: "node", write: false, logLevel: "error" });
await import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0]!.contents).toString("base64")}`);
