// The numerics contract each backend is held to, per op, taken from the specs:
// the CPU reference computes in float64 and rounds once; WebGPU computes in
// float32 with the accuracy the WGSL specification allows (§15.7.4.1
// "Accuracy of Concrete Floating Point Expressions",
// https://www.w3.org/TR/WGSL/#concrete-float-accuracy), which promises nothing
// for NaN, infinities or subnormals in arithmetic (§15.7.2 "Differences from
// IEEE-754": implementations may assume finite values and flush subnormal
// inputs and outputs to zero), so those inputs, and results that would be
// subnormal, are outside the WebGPU contract; sums and matmul are bounded by
// their condition. Metal is held to the Metal Shading Language
// specification's accuracy table for precise math (fast math off, as the
// backend compiles), on wide domains.

import * as mx from "../src/index.js";
import { findBackend, getBackend } from "../backends/backend.js";
import type { Contract } from "../backends/contract.js";
import { bitExactContract } from "./bit-exact.js";

export type { Contract };
import { flushable, ulpDistance, ulpOf } from "./numerics.js";

/** The WGSL accuracy table (§15.7.4.1). */
export const WGSL_ACCURACY = "WGSL §15.7.4.1 (https://www.w3.org/TR/WGSL/#concrete-float-accuracy)";

export function holds(device: { backend: string }, ...dtypes: mx.DType[]): boolean {
  const caps = getBackend(device.backend as "cpu").capabilities.dtypes;
  return dtypes.every((d) => caps.has(d));
}


const EXACT = new Set(["abs", "negative", "sign", "floor", "ceil", "round", "square", "stopGradient", "add", "subtract", "multiply", "maximum", "minimum", "equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual", "logicalAnd", "logicalOr", "cummax", "cummin"]);
/** Correctly rounded on the CPU reference too (float64 has 2p + 2 bits for every narrower format). */
const CPU_EXACT = new Set([...EXACT, "sqrt", "reciprocal", "divide"]);

const ALL: [number, number] = [-Infinity, Infinity];
const EXP_LIBRARY = "wgsl/math-exp.wgsl (mlx-ts's own float32 library), measured over every float32 exponent";
const TRIG_LIBRARY = "wgsl/math-trig.wgsl (mlx-ts's own float32 library), measured over every float32 exponent";
const ERF_LIBRARY = "wgsl/math-erf.wgsl (mlx-ts's own float32 library), measured over every float32 exponent";
/** Results every backend gives bit for bit, signed zeros included (op database entries name them by contractAs). */
const EXACT_EVERYWHERE: Record<string, string> = {
  // src/ops/linalg.ts promises the exact integer sums rounded once everywhere
  integerMatmul: "exact integer sums rounded once to float32 (8-bit matmul, every backend)",
  // a code's table value times a power of two (mxfp4, mxfp8) or an e4m3 scale (nvfp4): -0 codes give -0, as MLX's tables
  microscalingDecode: "decoded codes times their scales: exact, signed zeros included",
  // backends/arange-plan.ts: integer arithmetic on every backend, no float rounding but the last
  arange: "the exact start + i * step rounded once (integer arithmetic, every backend)",
};
/** Bit operations on webgpu (wgsl/math-core.wgsl): NaN, infinities and subnormals are covered, nothing is flushed. */
const NEVER_FLUSH = new Set(["abs", "negative", "sign"]);
const QUOTIENT = "wgsl/quotient.wgsl: correctly rounded on every adapter (the driver's quotient of the significands, corrected by its exact residual, near-ties by long division)";
const WEBGPU: Record<string, Omit<Contract, "special" | "source"> & Partial<Pick<Contract, "special" | "source">>> = {
  divide: { ulps: 0, abs: 0, domain: ALL, special: true, source: QUOTIENT },
  reciprocal: { ulps: 0, abs: 0, domain: ALL, special: true, source: QUOTIENT },
  // mlx-ts's own library over the whole float32 range with IEEE special values (measured: sqrt, rsqrt 0 ulp, the rest 1 ulp from the correctly rounded value, test/math-exp.test.ts)
  sqrt: { ulps: 1, abs: 0, domain: ALL, special: true, source: EXP_LIBRARY },
  rsqrt: { ulps: 1, abs: 0, domain: ALL, special: true, source: EXP_LIBRARY },
  exp: { ulps: 2, abs: 0, domain: ALL, special: true, source: EXP_LIBRARY },
  expm1: { ulps: 2, abs: 0, domain: ALL, special: true, source: EXP_LIBRARY },
  sigmoid: { ulps: 2, abs: 0, domain: ALL, special: true, source: EXP_LIBRARY },
  log: { ulps: 2, abs: 0, domain: ALL, special: true, source: EXP_LIBRARY },
  log2: { ulps: 2, abs: 0, domain: ALL, special: true, source: EXP_LIBRARY },
  log10: { ulps: 2, abs: 0, domain: ALL, special: true, source: EXP_LIBRARY },
  log1p: { ulps: 2, abs: 0, domain: ALL, special: true, source: EXP_LIBRARY },
  // mlx-ts's own library over the whole float32 range with IEEE/C99 special values; ulps: the most
  // measured from the correctly rounded value on lavapipe and the H200 (test/math-trig.test.ts)
  // (sin and cos below 200 take the uncompensated fast path: 1 measured, about 1.5 by its error analysis)
  sin: { ulps: 2, abs: 0, domain: ALL, special: true, source: TRIG_LIBRARY },
  cos: { ulps: 2, abs: 0, domain: ALL, special: true, source: TRIG_LIBRARY },
  tan: { ulps: 1, abs: 0, domain: ALL, special: true, source: TRIG_LIBRARY },
  arcsin: { ulps: 2, abs: 0, domain: ALL, special: true, source: TRIG_LIBRARY },
  arccos: { ulps: 1, abs: 0, domain: ALL, special: true, source: TRIG_LIBRARY },
  arctan: { ulps: 2, abs: 0, domain: ALL, special: true, source: TRIG_LIBRARY },
  arctan2: { ulps: 2, abs: 0, domain: ALL, special: true, source: TRIG_LIBRARY },
  sinh: { ulps: 2, abs: 0, domain: ALL, special: true, source: EXP_LIBRARY },
  cosh: { ulps: 2, abs: 0, domain: ALL, special: true, source: EXP_LIBRARY },
  tanh: { ulps: 2, abs: 0, domain: ALL, special: true, source: EXP_LIBRARY },
  arcsinh: { ulps: 2, abs: 0, domain: ALL, special: true, source: EXP_LIBRARY },
  arccosh: { ulps: 2, abs: 0, domain: ALL, special: true, source: EXP_LIBRARY },
  arctanh: { ulps: 2, abs: 0, domain: ALL, special: true, source: EXP_LIBRARY },
  // where m + log1p(e^-|a-b|) cancels (|m| < ln2) its float32 pairs leave 2^-31 |m| (measured)
  logaddexp: { ulps: 2, abs: 2 ** -30, domain: ALL, special: true, source: EXP_LIBRARY },
  power: { ulps: 2, abs: 0, domain: ALL, special: true, source: EXP_LIBRARY },
  // likewise (measured: 1 ulp each)
  erf: { ulps: 1, abs: 0, domain: ALL, special: true, source: ERF_LIBRARY },
  erfinv: { ulps: 1, abs: 0, domain: ALL, special: true, source: ERF_LIBRARY },
};

/** The MSL specification's single-precision accuracy table, fast math disabled. */
export const MSL_ACCURACY = "MSL specification, Numerical Compliance: accuracy of single-precision functions with fast math disabled (https://developer.apple.com/metal/Metal-Shading-Language-Specification.pdf)";

/**
 * Metal, precise math: the MSL table's ulp bounds over the functions' whole
 * ranges (clipped here to where float32 results stay finite); the functions
 * mlx-ts composes itself in msl/common.metal (expm1, log1p, sigmoid,
 * logaddexp, pow for negative bases, erf, erfinv) get the composed bound.
 */
const METAL: Record<string, Omit<Contract, "special" | "source">> = {
  divide: { ulps: 2.5, abs: 0, domain: [-1e30, 1e30] },
  reciprocal: { ulps: 2.5, abs: 0, domain: [-1e30, 1e30] },
  sqrt: { ulps: 3, abs: 0, domain: [0, 1e30] },
  rsqrt: { ulps: 2, abs: 0, domain: [1e-30, 1e30] },
  exp: { ulps: 4, abs: 0, domain: [-80, 80] },
  expm1: { ulps: 16, abs: 2 ** -23, domain: [-80, 80] },
  sigmoid: { ulps: 16, abs: 2 ** -23, domain: [-80, 80] },
  log: { ulps: 4, abs: 0, domain: [1e-30, 1e30] },
  log2: { ulps: 4, abs: 0, domain: [1e-30, 1e30] },
  log10: { ulps: 4, abs: 0, domain: [1e-30, 1e30] },
  log1p: { ulps: 16, abs: 2 ** -23, domain: [-0.999, 1e30] },
  sin: { ulps: 4, abs: 0, domain: [-1e4, 1e4] },
  cos: { ulps: 4, abs: 0, domain: [-1e4, 1e4] },
  tan: { ulps: 6, abs: 0, domain: [-1e4, 1e4] },
  arcsin: { ulps: 4, abs: 0, domain: [-1, 1] },
  arccos: { ulps: 4, abs: 0, domain: [-1, 1] },
  arctan: { ulps: 5, abs: 0, domain: [-1e30, 1e30] },
  arctan2: { ulps: 6, abs: 0, domain: [-1e30, 1e30], nonzero: true },
  sinh: { ulps: 4, abs: 0, domain: [-80, 80] },
  cosh: { ulps: 4, abs: 0, domain: [-80, 80] },
  tanh: { ulps: 5, abs: 0, domain: [-1e30, 1e30] },
  arcsinh: { ulps: 4, abs: 0, domain: [-1e30, 1e30] },
  arccosh: { ulps: 4, abs: 0, domain: [1, 1e30] },
  arctanh: { ulps: 5, abs: 0, domain: [-0.999, 0.999] },
  logaddexp: { ulps: 16, abs: 2 ** -22, domain: [-80, 80] },
  power: { ulps: 16, abs: 0, domain: [2 ** -8, 64] },
  erf: { ulps: 0, abs: 1e-6, domain: [-1e30, 1e30] },
  erfinv: { ulps: 0, abs: 1e-6, domain: [-0.999, 0.999] },
};
const COMPOSED = new Set(["expm1", "log1p", "sigmoid", "logaddexp", "erf", "erfinv"]);

/**
 * WebGPU's linear algebra (backends/webgpu/linalg*.ts: blocked float32 kernels): per matrix,
 * max |error| <= c n u cond(A) max |reference| for inv, solve, solveTriangular, triInv (A the
 * triangle) and cholesky (cond(A)^1/2), and ||Q R - A||max <= c n u ||A||max for qr; measured
 * on lavapipe for n 1..200 and cond(A) up to 1e4: c at most 0.49 (test/linalg-webgpu.test.ts).
 */
export const WEBGPU_LINALG = { c: 2, u: 2 ** -24, source: "blocked float32 factorizations, measured (test/linalg-webgpu.test.ts)" };

/** Ops bounded by their condition number on a float32 accumulator. */
const CONDITIONED = new Set(["sum", "mean", "prod", "matmul", "logsumexp", "softmax", "linspace", "cumsum", "cumprod", "logcumsumexp"]);
// mx.fast: per-element bounds from float32 accumulation (norms) and the float32 angle (rope), see conformance/opdb-fast.ts
for (const op of ["fast.rmsNorm", "fast.layerNorm", "fast.rope"]) CONDITIONED.add(op);
CONDITIONED.add("fast.scaledDotProductAttention"); // float32 dot products, exp and online-softmax accumulation: conformance/opdb-fast-attention.ts

/** The contract of `op` on backend `backend`, for float outputs: the one the backend declares, else its table (an outside backend is held to WGSL's). */
export function contractFor(backend: string, op: string): Contract {
  const declared = findBackend(backend)?.contract?.(op);
  if (declared) return declared;
  const bitExact = bitExactContract(backend, op);
  if (bitExact) return bitExact;
  const exact = EXACT_EVERYWHERE[op];
  if (exact) return { ulps: 0, abs: 0, domain: ALL, special: true, source: exact };
  if (backend === "cpu") {
    return { ulps: 0, abs: 0, dtypeUlps: CPU_EXACT.has(op) ? 0 : 1, domain: ALL, special: true, source: "the reference: float64, rounded once" };
  }
  if (backend === "metal") return metalContract(op);
  if (op === "fft") return { ulps: 0, abs: 0, domain: [-1e30, 1e30], special: false, condition: { c: GPU_FFT.c, u: GPU_FFT.u }, source: GPU_FFT.source };
  if (op.startsWith("complex64.")) return webgpuComplexContract(op.slice("complex64.".length));
  if (CONDITIONED.has(op)) {
    return { ulps: 0, abs: 0, domain: [-1e30, 1e30], special: false, condition: { c: 2, u: 2 ** -24 }, source: `float32 accumulation, ${WGSL_ACCURACY} (+ - * correctly rounded) and §15.7.5 reassociation` };
  }
  if (NEVER_FLUSH.has(op)) return { ulps: 0, abs: 0, domain: ALL, special: true, source: "wgsl/math-core.wgsl: exact bit operations, subnormals never flushed" };
  if (EXACT.has(op)) return { ulps: 0, abs: 0, domain: [-1e30, 1e30], special: false, source: `${WGSL_ACCURACY}: correctly rounded or exact` };
  const c = WEBGPU[op];
  if (!c) throw new Error(`no WebGPU contract for ${op}`);
  return { special: false, source: WGSL_ACCURACY, ...c };
}

/**
 * complex64 on metal (float2, the reference's formulas in float32; conformance/opdb-complex.ts
 * names its ops "complex64.<op>"): each component within c u |w| + a u of the reference, w its
 * complex result (sum, cumsum: c n u sum|terms| per component; prod, cumprod: c n u |w|; matmul: c K u (|A| @ |B|)).
 * Measured on the MSL execution layer (u |w| units): add 0, multiply 2.0, divide 2.2, abs 2.5,
 * sqrt 2.0, exp 2.0, sin 3.0, cos 2.3, log 4.5, sinh 3.0, cosh 2.8, tanh 5.4, tan 4.9, sign 2.0,
 * power 18.3 (parts of 0.1 to 3.2: the error grows with |w log z|), angle 0 (arctan2 of the parts),
 * comparisons, maximum and minimum exact (20000 draws each on the op database's ranges); arcsin,
 * arccos, arctan 2.0 u |w| + 2.5 u (measured with MLX's log formulas, parts 10^-3 to 10^3; since
 * 2026-12-08 Hull et al.'s, within 4 ulps of NumPy in each part: test/complex-ops.test.ts), rsqrt 2.6, log2 2.6, log10 2.2, round exact; the
 * bounds add the MSL table's ulps of the float functions each formula composes.
 */
/** real, imag, conj and conjugate of complex64 move the parts (imag: the real part of z * -i) and flip a sign: exact on every backend. */
const EXACT_PARTS: Record<string, { c: number; a: number }> = { real: { c: 0, a: 0 }, imag: { c: 0, a: 0 }, conj: { c: 0, a: 0 }, conjugate: { c: 0, a: 0 } };
const METAL_COMPLEX: Record<string, { c: number; a: number }> = {
  add: { c: 1, a: 0 }, subtract: { c: 1, a: 0 }, negative: { c: 1, a: 0 }, stopGradient: { c: 1, a: 0 },
  multiply: { c: 4, a: 0 }, square: { c: 4, a: 0 }, divide: { c: 8, a: 0 }, reciprocal: { c: 8, a: 0 }, abs: { c: 8, a: 0 },
  sqrt: { c: 16, a: 0 }, log: { c: 16, a: 16 }, exp: { c: 24, a: 0 }, sin: { c: 24, a: 0 }, cos: { c: 24, a: 0 },
  sum: { c: 2, a: 0 }, prod: { c: 4, a: 0 }, matmul: { c: 4, a: 0 }, equal: { c: 0, a: 0 }, notEqual: { c: 0, a: 0 },
  sinh: { c: 16, a: 0 }, cosh: { c: 16, a: 0 }, tanh: { c: 24, a: 0 }, tan: { c: 24, a: 0 }, sign: { c: 8, a: 0 },
  power: { c: 64, a: 0 }, angle: { c: 8, a: 0 }, maximum: { c: 0, a: 0 }, minimum: { c: 0, a: 0 },
  less: { c: 0, a: 0 }, lessEqual: { c: 0, a: 0 }, greater: { c: 0, a: 0 }, greaterEqual: { c: 0, a: 0 },
  cumsum: { c: 2, a: 0 }, cumprod: { c: 4, a: 0 },
  arcsin: { c: 16, a: 16 }, arccos: { c: 16, a: 16 }, arctan: { c: 16, a: 16 },
  rsqrt: { c: 16, a: 0 }, log2: { c: 16, a: 16 }, log10: { c: 16, a: 16 }, round: { c: 0, a: 0 },
  ...EXACT_PARTS,
};
export function complexBound(op: string): { c: number; a: number } {
  const b = METAL_COMPLEX[op];
  if (!b) throw new Error(`no complex64 contract for ${op}`);
  return b;
}

/**
 * complex64 on webgpu (vec2<f32>, wgsl/complex.wgsl: the reference's formulas in float32 on mlx-ts's
 * WGSL math library, so the same on every adapter): each component within c u |w| + a u of the
 * reference, as METAL_COMPLEX (sum, cumsum: c n u sum|terms|; prod, cumprod: c n u |w|; matmul: c K u (|A| @ |B|)).
 * Measured on lavapipe (test/webgpu-complex64.test.ts: 4096 draws per op over parts 10^-11 to
 * 10^11, e^-4 to e^4 for exp and the trigonometric ones, and special values; u |w| units): add,
 * subtract, negative, round, comparisons exact, multiply 2.0, square 1.9, divide 2.2, reciprocal
 * 2.0, abs 2.5, sqrt 2.0, rsqrt 2.5, log 2.0, log2 2.7, log10 3.1, exp 2.0, sin 3.1, cos 3.4,
 * sinh 3.2, cosh 3.4, tanh 4.0, tan 4.0, sign 2.0, power 22.7 (parts of 0.2 to 4.5), prod 0.06 n,
 * arcsin, arccos, arctan 2.5 u |w| + 2.4 u (measured with MLX's log formulas, parts up to e^13; since
 * 2026-12-08 Hull et al.'s, within 4 ulps of NumPy in each part: test/complex-ops.test.ts);
 * the bounds are about twice these (the driver's + - * / may round differently, WGSL allows
 * division 2.5 ulp), the log family with 2 u absolute where log |z| cancels near |z| = 1.
 */
const WEBGPU_COMPLEX: Record<string, { c: number; a: number }> = {
  add: { c: 1, a: 0 }, subtract: { c: 1, a: 0 }, negative: { c: 1, a: 0 }, stopGradient: { c: 1, a: 0 },
  multiply: { c: 4, a: 0 }, square: { c: 4, a: 0 }, divide: { c: 6, a: 0 }, reciprocal: { c: 4, a: 0 }, abs: { c: 6, a: 0 },
  sqrt: { c: 4, a: 0 }, rsqrt: { c: 6, a: 0 }, log: { c: 4, a: 2 }, log2: { c: 6, a: 2 }, log10: { c: 6, a: 2 },
  exp: { c: 4, a: 0 }, sin: { c: 8, a: 0 }, cos: { c: 8, a: 0 }, sinh: { c: 8, a: 0 }, cosh: { c: 8, a: 0 },
  tanh: { c: 8, a: 0 }, tan: { c: 8, a: 0 }, sign: { c: 4, a: 0 }, power: { c: 48, a: 0 }, angle: { c: 4, a: 0 },
  sum: { c: 2, a: 0 }, prod: { c: 4, a: 0 }, cumsum: { c: 2, a: 0 }, cumprod: { c: 4, a: 0 }, matmul: { c: 4, a: 0 }, round: { c: 0, a: 0 },
  arcsin: { c: 6, a: 6 }, arccos: { c: 6, a: 6 }, arctan: { c: 6, a: 6 },
  equal: { c: 0, a: 0 }, notEqual: { c: 0, a: 0 }, maximum: { c: 0, a: 0 }, minimum: { c: 0, a: 0 },
  less: { c: 0, a: 0 }, lessEqual: { c: 0, a: 0 }, greater: { c: 0, a: 0 }, greaterEqual: { c: 0, a: 0 },
  ...EXACT_PARTS,
};
export function webgpuComplexBound(op: string): { c: number; a: number } {
  const b = WEBGPU_COMPLEX[op];
  if (!b) throw new Error(`no webgpu complex64 contract for ${op}`);
  return b;
}
/** The contract of complex64 op `op` on webgpu; an op its kernels refuse (backends/webgpu/complex64-support.ts) is held to exact values, as it produces none. */
function webgpuComplexContract(op: string): Contract {
  const b = WEBGPU_COMPLEX[op];
  if (!b) return { ulps: 0, abs: 0, domain: [-1e30, 1e30], special: true, source: "complex64 kernel refused on webgpu (no values to bound)" };
  return { ulps: 0, abs: 0, domain: [-1e30, 1e30], special: true, condition: { c: b.c, a: b.a, u: 2 ** -24 }, source: "complex64 as vec2<f32> on the WGSL math library: each component within c u |w| of the reference (measured, conformance/contracts.ts WEBGPU_COMPLEX)" };
}

/**
 * mx.linalg on metal (float32, msl/linalg.metal): |got - x|max <= c n u κ |x|max against the float64
 * reference x, u = 2^-24, κ = ‖A‖∞ ‖A^-1‖∞ of the matrix operand (cholesky: its square root; qr: Q and
 * R each, signs as the reference's). Measured on the MSL execution layer over n = 1..64 with κ up to
 * 1e4 (test/linalg-metal.test.ts): solve 0.38, inv 0.39, cholesky 0.90, solveTriangular 0.58,
 * triInv 0.19, qr 0.36; the op database's linalg cells (contractAs "matmul") hold it too.
 */
export const METAL_LINALG_C = 4;

/**
 * mx.fft on metal and webgpu (msl/fft.metal, wgsl/fft.wgsl: mixed-radix (4, 2, 3, 5, 7, 11, 13) Stockham
 * passes on float32 pairs for lengths 2^a 3^b 5^c 7^d 11^e 13^f, Bluestein's chirp-z for other lengths, twiddle
 * and chirp tables from float64): each output
 * component within c log2(2N) u sum|terms| of the reference, N the transform's size, the terms
 * those of its sums (sum |x| over the transformed block; times 1/N for an inverse, 2/N for irfft;
 * times the norm's scale). Measured for N = 2..16384 forward and inverse, in units of
 * u log2(N) sum|x|: at most 0.55 on the MSL execution layer (N = 4), 0.1 from N = 1024 on
 * (relative l2 error 1.3 to 3.2 u); in units of u log2(2N) sum|x| at most 0.48 on lavapipe
 * (test/fft.test.ts checks c against NumPy on every backend).
 */
export const GPU_FFT = { c: 4, u: 2 ** -24, source: "float32 mixed-radix (4, 2, 3, 5, 7, 11, 13) Stockham and Bluestein FFT, measured (conformance/contracts.ts GPU_FFT)" };

function metalContract(op: string): Contract {
  if (op === "fft") return { ulps: 0, abs: 0, domain: [-1e30, 1e30], special: false, condition: { c: GPU_FFT.c, u: GPU_FFT.u }, source: GPU_FFT.source };
  if (op.startsWith("complex64.")) {
    const { c, a } = complexBound(op.slice("complex64.".length));
    return { ulps: 0, abs: 0, domain: [-1e30, 1e30], special: true, condition: { c, a, u: 2 ** -24 }, source: "complex64 as float2: each component within c u |w| of the reference (measured, conformance/contracts.ts METAL_COMPLEX)" };
  }
  if (CONDITIONED.has(op)) {
    return { ulps: 0, abs: 0, domain: [-1e30, 1e30], special: false, condition: { c: 2, u: 2 ** -24 }, source: `float32 accumulation in simdgroup and threadgroup order, ${MSL_ACCURACY} (+ - * correctly rounded)` };
  }
  if (EXACT.has(op)) return { ulps: 0, abs: 0, domain: [-1e30, 1e30], special: false, source: `${MSL_ACCURACY}: correctly rounded or exact` };
  const c = METAL[op];
  if (!c) throw new Error(`no Metal contract for ${op}`);
  return { ...c, special: false, source: COMPOSED.has(op) ? `msl/common.metal over ${MSL_ACCURACY}` : MSL_ACCURACY };
}

/** The contract of `op` on `device`'s backend. */
export function contract(device: { backend: string }, op: string): Contract {
  return contractFor(device.backend, op);
}

/** A value inside the contract: in the domain, and (unless special values are covered) finite and not subnormal. */
export function covered(c: Contract, x: number): boolean {
  if (!c.special && (!Number.isFinite(x) || flushable(x))) return false;
  if (c.nonzero && x === 0) return false;
  return Number.isNaN(x) || (x >= c.domain[0] && x <= c.domain[1]);
}

/**
 * Whether `got` (a value of `dtype`) meets the contract for the float64 result `want`:
 * the float32 error bound plus one rounding to the output dtype. Contracts with 0 ulps
 * compare against `rounded` (want rounded once to the dtype) exactly.
 */
export function meets(c: Contract, got: number, want: number, rounded: number, dtype: mx.DType): boolean {
  // a result float32 would hold as a subnormal is outside a contract without special values: the driver may flush it (check.ts skips such elements)
  if (!c.special && got === 0 && flushable(want)) return true;
  if (c.dtypeUlps !== undefined) {
    // float64 outputs of transcendental functions: both sides are libm-level, a few ulp
    const n = c.dtypeUlps === 0 ? 0 : dtype === mx.float64 ? 4 : c.dtypeUlps;
    return ulpDistance(got, rounded, dtype) <= n;
  }
  if (Number.isNaN(want) || Number.isNaN(rounded)) return Number.isNaN(got);
  if (c.ulps === 0 && c.abs === 0) return Object.is(got, rounded) || (got === 0 && rounded === 0 && !c.special);
  if (!Number.isFinite(rounded)) return got === rounded || (!c.special && Math.abs(got) > 1e30);
  const bound = c.ulps * ulpOf(want, "float32") + c.abs + ulpOf(want, dtype);
  return Math.abs(got - want) <= bound;
}
