// The numerics contract each backend is held to in the op tests. The CPU
// reference computes in float64 and rounds once; WebGPU computes in float32
// with the accuracy the WGSL spec allows ("Floating Point Accuracy" table of
// the WGSL specification: correctly rounded + - *, 2.5 ulp division, 3 + 2|x|
// ulp exp, absolute 2^-11 sin/cos on [-pi, pi], ...), and the spec makes no
// promise for NaN, infinities or subnormals in arithmetic, so those inputs are
// outside the WebGPU contract (kernels that test bits, like isnan, keep them).

import * as mx from "../../index.js";
import { getBackend } from "../../backends/backend.js";
import type { Device } from "../../src/device.js";
import { ulpDistance } from "./reference.js";

export function holds(device: Device, ...dtypes: mx.DType[]): boolean {
  const caps = getBackend(device.backend).capabilities.dtypes;
  return dtypes.every((d) => caps.has(d));
}

export interface Contract {
  /** CPU reference: allowed distance in ulps of the output dtype from the float64 result rounded once. */
  dtypeUlps?: number;
  /** Allowed error in float32 ulps of the float64 result (0: correctly rounded, compared bit for bit). */
  ulps: number;
  /** Allowed absolute error on top of `ulps`. */
  abs: number;
  /** Inputs the contract covers (each operand). */
  domain: [number, number];
  /** NaN, infinities and subnormals are covered. */
  special: boolean;
  /** Zero inputs are outside the contract (WGSL leaves atan2(0, 0) undefined). */
  nonzero?: boolean;
}

const EXACT = new Set(["abs", "negative", "sign", "floor", "ceil", "round", "square", "stopGradient", "add", "subtract", "multiply", "maximum", "minimum", "equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual", "logicalAnd", "logicalOr"]);
/** Correctly rounded on the CPU reference too (float64 has 2p + 2 bits for every narrower format). */
const CPU_EXACT = new Set([...EXACT, "sqrt", "reciprocal", "divide"]);

const ALL: [number, number] = [-Infinity, Infinity];
const WEBGPU: Record<string, Omit<Contract, "special">> = {
  divide: { ulps: 2.5, abs: 0, domain: [-1e30, 1e30] },
  reciprocal: { ulps: 2.5, abs: 0, domain: [-1e30, 1e30] },
  sqrt: { ulps: 4.5, abs: 0, domain: [0, 1e30] },
  rsqrt: { ulps: 2, abs: 0, domain: [1e-30, 1e30] },
  exp: { ulps: 3 + 2 * 20, abs: 0, domain: [-20, 20] },
  expm1: { ulps: 3 + 2 * 20, abs: 2 ** -21, domain: [-20, 20] },
  sigmoid: { ulps: 64, abs: 2 ** -22, domain: [-20, 20] },
  log: { ulps: 3, abs: 2 ** -21, domain: [1e-30, 1e30] },
  log2: { ulps: 3, abs: 2 ** -21, domain: [1e-30, 1e30] },
  log10: { ulps: 5, abs: 2 ** -21, domain: [1e-30, 1e30] },
  log1p: { ulps: 8, abs: 2 ** -21, domain: [-0.999, 1e30] },
  sin: { ulps: 0, abs: 2 ** -11, domain: [-Math.PI, Math.PI] },
  cos: { ulps: 0, abs: 2 ** -11, domain: [-Math.PI, Math.PI] },
  tan: { ulps: 64, abs: 2 ** -10, domain: [-1.2, 1.2] },
  arcsin: { ulps: 4096, abs: 2 ** -20, domain: [-1, 1] },
  arccos: { ulps: 4096, abs: 2 ** -20, domain: [-1, 1] },
  arctan: { ulps: 4096, abs: 0, domain: [-1e30, 1e30] },
  arctan2: { ulps: 4096, abs: 2 ** -20, domain: [-1e30, 1e30], nonzero: true },
  sinh: { ulps: 64, abs: 2 ** -20, domain: [-10, 10] },
  cosh: { ulps: 64, abs: 2 ** -20, domain: [-10, 10] },
  tanh: { ulps: 64, abs: 2 ** -20, domain: [-10, 10] },
  arcsinh: { ulps: 64, abs: 2 ** -18, domain: [-1e10, 1e10] },
  arccosh: { ulps: 64, abs: 2 ** -18, domain: [1, 1e10] },
  arctanh: { ulps: 64, abs: 2 ** -18, domain: [-0.999, 0.999] },
  logaddexp: { ulps: 64, abs: 2 ** -20, domain: [-50, 50] },
  power: { ulps: 256, abs: 2 ** -20, domain: [2 ** -8, 64] },
};

export function contract(device: Device, op: string): Contract {
  if (device.backend === "cpu") return { ulps: 0, abs: 0, dtypeUlps: CPU_EXACT.has(op) ? 0 : 1, domain: ALL, special: true };
  if (EXACT.has(op)) return { ulps: 0, abs: 0, domain: [-1e30, 1e30], special: false };
  const c = WEBGPU[op];
  if (!c) throw new Error(`no WebGPU contract for ${op}`);
  return { ...c, special: false };
}

const F32_TINY = 2 ** -126;

/** A value inside the contract: in the domain, and (unless special values are covered) finite and not subnormal. */
export function covered(c: Contract, x: number): boolean {
  if (!c.special && (!Number.isFinite(x) || (x !== 0 && Math.abs(x) < F32_TINY))) return false;
  if (c.nonzero && x === 0) return false;
  return Number.isNaN(x) || (x >= c.domain[0] && x <= c.domain[1]);
}

function ulpOf(v: number, mantBits: number, minExp: number): number {
  const e = Math.max(v === 0 ? minExp : Math.floor(Math.log2(Math.abs(v))), minExp);
  return 2 ** (e - mantBits);
}

const MANT: Record<string, [number, number]> = { float16: [10, -14], bfloat16: [7, -126], float32: [23, -126], float64: [52, -1022] };

/**
 * Whether `got` (a value of `dtype`) meets the contract for the float64 result `want`:
 * the float32 error bound plus one rounding to the output dtype. Contracts with 0 ulps
 * compare against `rounded` (want rounded once to the dtype) exactly.
 */
export function meets(c: Contract, got: number, want: number, rounded: number, dtype: mx.DType): boolean {
  if (c.dtypeUlps !== undefined) {
    // float64 outputs of transcendental functions: both sides are libm-level, a few ulp
    const n = c.dtypeUlps === 0 ? 0 : dtype === mx.float64 ? 4 : c.dtypeUlps;
    return ulpDistance(got, rounded, dtype) <= n;
  }
  if (Number.isNaN(want) || Number.isNaN(rounded)) return Number.isNaN(got);
  if (c.ulps === 0 && c.abs === 0) return Object.is(got, rounded) || (got === 0 && rounded === 0 && !c.special);
  if (!Number.isFinite(rounded)) return got === rounded || (!c.special && Math.abs(got) > 1e30);
  const [m, e] = MANT[dtype.name]!;
  const bound = c.ulps * ulpOf(want, 23, -126) + c.abs + ulpOf(want, m, e);
  return Math.abs(got - want) <= bound;
}
