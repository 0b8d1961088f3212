#!/usr/bin/env node
// The `mlx-ts` executable: runs the compiled CLI (built by `npm run build`, which `npm install` runs).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = new URL("../dist/node/cli.js", import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error("mlx-ts: the package is not built; run `npm run build` in its folder");
  process.exit(1);
}
await import(main.href);
