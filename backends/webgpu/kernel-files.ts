// The WGSL kernel files in Node: read from the package's wgsl/ folder (beside
// dist/ when installed). The browser bundle replaces this module with one that
// holds every wgsl/*.wgsl file as a string (scripts/build-browser.mjs).

import { readFileSync } from "node:fs";

// from backends/webgpu (tsx, tests) wgsl/ is two levels up; from dist/backends/webgpu, three
const WGSL_DIRS = [new URL("../../wgsl/", import.meta.url), new URL("../../../wgsl/", import.meta.url)];

/** The text of wgsl/`name`.wgsl, or undefined when there is no such file. */
export function kernelFile(name: string): string | undefined {
  for (const dir of WGSL_DIRS) {
    try {
      return readFileSync(new URL(`${name}.wgsl`, dir), "utf8");
    } catch {
      // try the next location
    }
  }
  return undefined;
}
