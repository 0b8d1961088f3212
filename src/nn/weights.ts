// Module checkpoints as MLX writes them: the parameters flattened to dotted
// keys (`layers.0.weight`) in an .npz or .safetensors file, and loaded back
// from such a file or from [key, array] pairs, checked against the module.

import { MxArray } from "../array.js";
import { describeValue } from "../errors.js";
import { load, savez, saveSafetensors } from "../io/index.js";
import type { OpOptions } from "../ops/base.js";
import { treeFlatten, treeUnflatten } from "../transforms/utils.js";
import { checkBool, options } from "./checks.js";
import type { Module } from "./module.js";

export interface LoadWeightsOptions extends OpOptions {
  /** Require exactly the module's parameters, with their shapes (default true, as MLX). */
  strict?: boolean | undefined;
}

/** The module's parameters as MLX's flat [dotted key, array] pairs. */
function flatParameters(module: Module): Map<string, MxArray> {
  return new Map(treeFlatten(module.parameters()) as [string, MxArray][]);
}

/** The pairs of a weights argument: a file path (loaded with mx.load), pairs, or an object of arrays. */
function weightPairs(op: string, weights: unknown, o: LoadWeightsOptions): [string, unknown][] {
  if (typeof weights === "string") {
    const loaded = load(weights, o.stream === undefined ? {} : { stream: o.stream });
    if (loaded instanceof MxArray) throw new TypeError(`[${op}] '${weights}' holds a single array (an .npy file); weights are a file of named arrays (.npz or .safetensors)`);
    const arrays = Array.isArray(loaded) ? loaded[0] : loaded;
    return Object.entries(arrays);
  }
  if (Array.isArray(weights)) {
    return weights.map((p, i) => {
      if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== "string") throw new TypeError(`[${op}] weights[${i}] must be a [key, array] pair, got ${describeValue(p)}`);
      return [p[0], p[1]];
    });
  }
  if (weights !== null && typeof weights === "object" && !(weights instanceof MxArray)) return Object.entries(weights);
  throw new TypeError(`[${op}] weights must be a file path, a list of [key, array] pairs or an object of arrays, got ${describeValue(weights)}`);
}

/** MLX's `load_weights`: checks (when strict) that the keys and shapes are the module's, then updates it. */
export function loadWeightsInto(module: Module, weights: unknown, o: LoadWeightsOptions = {}): void {
  const op = "Module.loadWeights";
  const strict = checkBool(op, "strict", options(op, o, ["strict", "stream"]).strict ?? true);
  const pairs = weightPairs(op, weights, o);
  if (strict) {
    const current = flatParameters(module);
    const given = new Map(pairs);
    const extra = [...given.keys()].filter((k) => !current.has(k));
    if (extra.length) throw new Error(`[${op}] received parameters not in the model: ${extra.join(", ")}`);
    const missing = [...current.keys()].filter((k) => !given.has(k));
    if (missing.length) throw new Error(`[${op}] missing parameters: ${missing.join(", ")}`);
    for (const [k, v] of current) {
      const w = given.get(k);
      if (!(w instanceof MxArray)) throw new TypeError(`[${op}] parameter '${k}' must be an MxArray, got ${describeValue(w)}`);
      if (w.shape.join() !== v.shape.join()) throw new Error(`[${op}] expected shape [${v.shape.join(", ")}] but received shape [${w.shape.join(", ")}] for parameter '${k}'`);
    }
  }
  if (pairs.length) module.update(treeUnflatten(pairs) as Record<string, unknown>, { strict: false });
}

/** MLX's `save_weights`: the flat parameters to `file`, .npz or .safetensors by its extension. */
export async function saveWeightsOf(module: Module, file: unknown): Promise<void> {
  const op = "Module.saveWeights";
  if (typeof file !== "string") throw new TypeError(`[${op}] file must be a path ending in .npz or .safetensors, got ${describeValue(file)}`);
  const arrays = Object.fromEntries(flatParameters(module));
  if (file.endsWith(".npz")) return savez(file, arrays);
  if (file.endsWith(".safetensors")) return saveSafetensors(file, arrays);
  throw new Error(`[${op}] unsupported file extension in '${file}': use .npz or .safetensors`);
}
