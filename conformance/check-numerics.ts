// mx.checkNumerics(fn, inputs, { backends }): runs a user function on the
// reference backend and on each backend asked for (the same input values
// placed on each), and reports per output and backend the max absolute,
// relative and ulp error against the reference and the worst elements.

import * as mx from "../src/index.js";
import { checkOptions } from "../src/ops/strict-options.js";
import { deviceFor } from "../src/device.js";
import { describeValue } from "../src/errors.js";
import { collectArrays } from "../src/tidy.js";
import { ulpDistance } from "./numerics.js";

export interface ElementError {
  /** Row-major index in the output. */
  index: number;
  got: number | boolean | bigint;
  want: number | boolean | bigint;
  ulps: number;
}

export interface BackendNumerics {
  backend: string;
  maxAbs: number;
  maxRel: number;
  /** In ulps of the output dtype (0 or Infinity for integer and bool outputs). */
  maxUlp: number;
  /** The elements farthest from the reference, worst first. */
  worst: ElementError[];
}

export interface OutputNumerics {
  /** Position among the function's outputs (arrays found in its result, in order). */
  output: number;
  shape: number[];
  dtype: string;
  backends: BackendNumerics[];
}

export interface CheckNumericsOptions {
  /** Backends to compare (default: every registered backend but the reference). */
  backends?: readonly mx.BackendName[] | undefined;
  /** The backend the others are compared with (default: cpu). */
  reference?: mx.BackendName | undefined;
  /** How many worst elements to report per output and backend (default 5). */
  worst?: number | undefined;
}

const flat = (x: unknown): unknown[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);

/** `fn`'s outputs with `inputs` (their values) placed on `backend`, evaluated and read. */
async function runOn(backend: mx.BackendName, fn: (...xs: mx.MxArray[]) => unknown, inputs: { shape: number[]; dtype: mx.DType; values: unknown[] }[]) {
  const device = deviceFor(backend);
  const o = { stream: device };
  const xs = inputs.map((x) => mx.reshape(mx.array(x.values as number[], x.dtype, o), x.shape, o));
  const prev = mx.defaultDevice();
  mx.setDefaultDevice(device);
  let result: unknown;
  try {
    result = fn(...xs);
  } finally {
    mx.setDefaultDevice(prev);
  }
  if (result instanceof Promise) throw new TypeError("[checkNumerics] fn must return arrays synchronously (it is evaluated for you)");
  const outs = collectArrays(result);
  if (!outs.length) throw new TypeError("[checkNumerics] fn returned no arrays");
  await mx.eval(outs);
  return Promise.all(outs.map(async (a) => ({ shape: [...a.shape], dtype: a.dtype, values: flat(await a.tolist()) })));
}

function errorOf(g: unknown, w: unknown, dtype: mx.DType): { abs: number; rel: number; ulps: number } {
  if (typeof g === "bigint" || typeof w === "bigint" || typeof g === "boolean" || typeof w === "boolean") {
    const same = g === w;
    const abs = same ? 0 : typeof g === "bigint" || typeof w === "bigint" ? Number(BigInt(g as bigint) - BigInt(w as bigint)) : 1;
    return { abs: Math.abs(abs), rel: same ? 0 : Infinity, ulps: same ? 0 : Infinity };
  }
  const gn = g as number, wn = w as number;
  if (Number.isNaN(gn) || Number.isNaN(wn)) return Number.isNaN(gn) && Number.isNaN(wn) ? { abs: 0, rel: 0, ulps: 0 } : { abs: Infinity, rel: Infinity, ulps: Infinity };
  if (gn === wn) return { abs: 0, rel: 0, ulps: 0 };
  const abs = Math.abs(gn - wn);
  return { abs, rel: wn === 0 ? Infinity : abs / Math.abs(wn), ulps: dtype.kind === "float" ? ulpDistance(gn, wn, dtype) : Infinity };
}

/**
 * Runs `fn` on the reference backend (cpu by default) and on each backend asked
 * for (default: every other registered one), with the same input values placed
 * on each, and reports per output and backend the max absolute, relative and
 * ulp error against the reference, with the worst elements.
 * @example
 * ```ts
 * const x = mx.array([0.5, 1, 2], mx.float32);
 * const others = mx.registeredBackends().map((b) => b.name).filter((b) => b !== "cpu");
 * const [out] = await mx.checkNumerics((v) => mx.exp(v), [x], { backends: others });
 * out!.shape; // [3]
 * out!.backends.length === others.length; // true
 * ```
 */
export async function checkNumerics(fn: (...xs: mx.MxArray[]) => unknown, inputs: readonly mx.MxArray[], o: CheckNumericsOptions = {}): Promise<OutputNumerics[]> {
  if (typeof fn !== "function") throw new TypeError(`[checkNumerics] fn must be a function, got ${describeValue(fn)}`);
  if (!Array.isArray(inputs)) throw new TypeError(`[checkNumerics] inputs must be a list of mx arrays, got ${describeValue(inputs)}`);
  if (o === null || typeof o !== "object") throw new TypeError(`[checkNumerics] options must be an object such as { backends, reference }, got ${describeValue(o)}`);
  checkOptions("checkNumerics", o, ["backends", "reference", "worst"], false);
  if (o.reference !== undefined && typeof o.reference !== "string") throw new TypeError(`[checkNumerics] reference must be a backend name, got ${describeValue(o.reference)}`);
  if (o.backends !== undefined && !(Array.isArray(o.backends) && o.backends.every((b) => typeof b === "string"))) {
    throw new TypeError(`[checkNumerics] backends must be a list of backend names, got ${describeValue(o.backends)}`);
  }
  if (o.worst !== undefined && !(Number.isInteger(o.worst) && o.worst >= 0)) throw new TypeError(`[checkNumerics] worst must be a non-negative integer, got ${describeValue(o.worst)}`);
  const reference = o.reference ?? "cpu";
  const registered = mx.registeredBackends().map((b) => b.name);
  const backends = o.backends ?? registered.filter((b) => b !== reference);
  for (const b of [reference, ...backends]) {
    if (!registered.includes(b)) throw new Error(`[checkNumerics] backend '${b}' is not available; registered: ${registered.join(", ")}`);
  }
  const hostInputs = await Promise.all(inputs.map(async (x, i) => {
    if (!(x instanceof mx.MxArray)) throw new TypeError(`[checkNumerics] input ${i} must be an mx array, got ${describeValue(x)}`);
    return { shape: [...x.shape], dtype: x.dtype, values: flat(await x.tolist()) };
  }));
  const want = await runOn(reference, fn, hostInputs);
  const report: OutputNumerics[] = want.map((w, k) => ({ output: k, shape: w.shape, dtype: w.dtype.name, backends: [] }));
  for (const b of backends) {
    const got = await runOn(b, fn, hostInputs);
    got.forEach((g, k) => {
      const w = want[k]!;
      if (g.dtype !== w.dtype || g.shape.join() !== w.shape.join()) {
        throw new Error(`[checkNumerics] output ${k} is ${g.dtype.name}[${g.shape}] on ${b} but ${w.dtype.name}[${w.shape}] on ${reference}`);
      }
      const errs = g.values.map((v, i) => ({ i, ...errorOf(v, w.values[i], w.dtype) }));
      const worst = [...errs].sort((a, c) => c.ulps - a.ulps || c.abs - a.abs).slice(0, o.worst ?? 5).filter((e) => e.ulps > 0 || e.abs > 0);
      report[k]!.backends.push({
        backend: b,
        maxAbs: errs.reduce((m, e) => Math.max(m, e.abs), 0),
        maxRel: errs.reduce((m, e) => Math.max(m, e.rel), 0),
        maxUlp: errs.reduce((m, e) => Math.max(m, e.ulps), 0),
        worst: worst.map((e) => ({ index: e.i, got: g.values[e.i] as number, want: w.values[e.i] as number, ulps: e.ulps })),
      });
    });
  }
  return report;
}
