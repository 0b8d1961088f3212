// WGSL sources from wgsl/, filled and compiled once: `{{SLOT}}` markers in a
// kernel file are replaced with generated snippets (each file documents its
// slots), dtypes.wgsl with quotient.wgsl (and math.wgsl with the math-*.wgsl library where asked) are prepended, and the
// pipelines are cached per kernel file by a key that determines the slots and
// helpers (the source is built only on a miss). The files come from
// kernel-files.ts: read from disk in Node, bundled as strings in the browser.

import { kernelFile } from "./kernel-files.js";

const files = new Map<string, string>();

function source(name: string): string {
  let s = files.get(name);
  if (s === undefined) {
    s = kernelFile(name);
    if (s === undefined) throw new Error(`[webgpu] kernel source wgsl/${name}.wgsl not found`);
    files.set(name, s);
  }
  return s;
}

/** The kernel `name` with its slots filled, preceded by the shared helper files. */
export function kernelSource(name: string, slots: Record<string, string | number>, helpers: string[] = ["dtypes"]): string {
  let body = source(name);
  for (const [k, v] of Object.entries(slots)) body = body.split(`{{${k}}}`).join(String(v));
  const missing = /\{\{(\w+)\}\}/.exec(body);
  if (missing) throw new Error(`[webgpu] slot {{${missing[1]}}} of wgsl/${name}.wgsl was not filled`);
  return [...helpers.flatMap(helperSources), body].join("\n");
}

/** The files of mlx-ts's WGSL math library, prepended after math.wgsl where "math" is asked (those present). */
const MATH_LIBRARY = ["math-core", "math-trig", "math-erf", "math-exp"];

/**
 * A helper's sources: "math" is math.wgsl and the library (about 60 KB of
 * WGSL, which every pipeline that includes it pays for in compile time),
 * "math-basic" math.wgsl alone (casts, integer division and powers, the fast
 * mode's float helpers).
 */
function helperSources(name: string): string[] {
  if (name === "dtypes") return [source("dtypes"), source("quotient")];
  if (name === "math-basic") return [source("math")];
  if (name !== "math") return [source(name)];
  return [source(name), ...MATH_LIBRARY.flatMap((f) => kernelFile(f) ?? [])];
}

/** Whether WGSL `code` calls the math library (whose names all start with mx_ or Mx). */
export const usesMathLibrary = (code: string): boolean => /\b(mx_|Mx)/.test(code);

export interface PipelineCache {
  /** The pipeline of kernel `file` for `key` (which determines its slots and helpers), built from `make()` on first use. */
  get(file: string, key: string, make: () => { label: string; code: string; layout: GPUPipelineLayout }): GPUComputePipeline;
}

/** Compiles each distinct kernel once; compile errors are collected by `onError` with the kernel's label. */
export function pipelineCache(device: GPUDevice, onError: (label: string, message: string) => void): PipelineCache {
  const byFile = new Map<string, Map<string, GPUComputePipeline>>();
  return {
    get(file, key, make) {
      let cache = byFile.get(file);
      if (!cache) byFile.set(file, (cache = new Map()));
      let p = cache.get(key);
      if (!p) {
        const { label, code, layout } = make();
        device.pushErrorScope("validation");
        const module = device.createShaderModule({ label, code });
        p = device.createComputePipeline({ label, layout, compute: { module, entryPoint: "main" } });
        void device.popErrorScope().then((err) => {
          if (err) onError(label, err.message);
        });
        cache.set(key, p);
      }
      return p;
    },
  };
}
