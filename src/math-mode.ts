// Which float32 math the WebGPU kernels evaluate: "precise" (mlx-ts's own
// library, wgsl/math-*.wgsl: within 2 ulp of the correctly rounded value
// with IEEE special values on every driver) or "fast" (the driver's builtins),
// chosen for all ops (setMathMode) or per call ({ mathMode }).

import { describeValue, opError } from "./errors.js";

export type MathMode = "precise" | "fast";

let mode: MathMode = "precise";

/** The ops a math mode changes: those with a driver builtin beside the library's function. */
export const MATH_MODE_OPS: ReadonlySet<string> = new Set([
  "exp", "expm1", "log", "log2", "log10", "log1p", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh",
  "power", "sigmoid", "logaddexp", "sqrt", "rsqrt", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2",
]);

/** The math mode of a call of `op`: its `mathMode` option, else the current mode; an invalid value is an error naming the op. */
export function callMathMode(op: string, o: { mathMode?: unknown } | undefined): MathMode {
  const m = o?.mathMode;
  if (m === undefined) return mode;
  if (m !== "precise" && m !== "fast") throw opError(op, `mathMode must be "precise" or "fast", got ${describeValue(m)}`, [], "value");
  return m;
}

/**
 * Selects the WebGPU backend's float32 math for exp, expm1, log, log2, log10,
 * log1p, sinh, cosh, tanh, arcsinh, arccosh, arctanh, power, sigmoid,
 * logaddexp, sqrt, rsqrt, sin, cos, tan, arcsin, arccos, arctan and arctan2.
 * `"precise"` (the default) runs mlx-ts's own library (wgsl/math-exp.wgsl,
 * math-trig.wgsl): measured within 1 ulp of the correctly rounded float32
 * result over every float32 binade on lavapipe and within 2 on the H200
 * (logaddexp: 2^-31 of max(a, b) more where its result cancels), with IEEE
 * special values (NaN for log and sqrt of negatives, signed zeros, subnormal
 * inputs and results, sin(1e20) reduced exactly) on every driver. `"fast"`
 * uses the driver's builtins, held only to WGSL's bounds (exp 3 + 2|x| ulp,
 * log 3 ulp on normal inputs, sin and cos 2^-11 absolute on [-pi, pi]);
 * measured: results below 2^-126 flushed to 0, log(1e-40) = -88 instead of
 * -92, expm1, log1p, sinh and tanh of tiny inputs off by up to 2^30 ulp,
 * arcsinh(-1.8e19) = -inf, arccosh(-2) = -inf (lavapipe); sin 399 ulp at
 * 0.00176 and sin(1e20) = 0 (NVIDIA); arcsin 3613 ulp (lavapipe). erf and
 * erfinv are always precise (WGSL has no builtin); softmax, logsumexp and
 * logcumsumexp use the precise exponentials in both modes. Kernels are
 * compiled and cached per mode; cpu and metal are not affected. The mode is
 * taken when an op is called (a lazy graph built before the switch keeps its
 * mode); one call can choose its own with the `mathMode` option, e.g.
 * `mx.exp(x, { mathMode: "fast" })`.
 * @example
 * ```ts
 * mx.setMathMode("fast");
 * mx.getMathMode(); // "fast"
 * mx.setMathMode("precise");
 * ```
 */
export function setMathMode(m: MathMode): void {
  if (m !== "precise" && m !== "fast") throw opError("setMathMode", `mode must be "precise" or "fast", got ${describeValue(m)}`, [], "value");
  mode = m;
}

/**
 * The current math mode (see setMathMode).
 * @example
 * ```ts
 * mx.getMathMode(); // "precise"
 * ```
 */
export function getMathMode(): MathMode {
  return mode;
}
