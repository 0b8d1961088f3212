// complex64 on the CPU reference: elementwise math in float64 on (re, im)
// pairs, each component rounded once to float32; casts to and from real
// dtypes (real part kept, imaginary part dropped) and where.

import type { Backend, OutputSpec, Tensor } from "../backend.js";
import { complex64, float32 } from "../../src/dtype.js";
import { castExpr, readAs, runMap } from "./elementwise.js";
import { broadcastView } from "../strides.js";
import { allocOutput, elementOffsets, wordsOf } from "./tensor.js";

type C = [number, number];

function div([a, b]: C, [c, d]: C): C {
  // Smith's algorithm
  if (Math.abs(c) >= Math.abs(d)) {
    if (c === 0 && d === 0) return [a / c, b / c];
    const r = d / c, den = c + d * r;
    return [(a + b * r) / den, (b - a * r) / den];
  }
  const r = c / d, den = c * r + d;
  return [(a * r + b) / den, (b * r - a) / den];
}

function csqrt([a, b]: C): C {
  if (a === 0 && b === 0) return [0, b];
  const r = Math.hypot(a, b);
  if (a >= 0) {
    const t = Math.sqrt((a + r) / 2);
    return [t, b / (2 * t)];
  }
  const t = Math.sqrt((r - a) / 2);
  return [Math.abs(b) / (2 * t), b < 0 || Object.is(b, -0) ? -t : t];
}

const UNARY: Record<string, (z: C) => C | number | boolean> = {
  abs: ([a, b]) => Math.hypot(a, b),
  negative: ([a, b]) => [-a, -b],
  square: ([a, b]) => [a * a - b * b, 2 * a * b],
  sqrt: csqrt,
  reciprocal: (z) => div([1, 0], z),
  exp: ([a, b]) => [Math.exp(a) * Math.cos(b), Math.exp(a) * Math.sin(b)],
  log: ([a, b]) => [Math.log(Math.hypot(a, b)), Math.atan2(b, a)],
  sin: ([a, b]) => [Math.sin(a) * Math.cosh(b), Math.cos(a) * Math.sinh(b)],
  cos: ([a, b]) => [Math.cos(a) * Math.cosh(b), -Math.sin(a) * Math.sinh(b)],
  isnan: ([a, b]) => a !== a || b !== b,
  isinf: ([a, b]) => Math.abs(a) === Infinity || Math.abs(b) === Infinity,
  isfinite: ([a, b]) => Number.isFinite(a) && Number.isFinite(b),
  stopGradient: (z) => z,
};

const BINARY: Record<string, (x: C, y: C) => C | boolean> = {
  add: ([a, b], [c, d]) => [a + c, b + d],
  subtract: ([a, b], [c, d]) => [a - c, b - d],
  multiply: ([a, b], [c, d]) => [a * c - b * d, a * d + b * c],
  divide: div,
  equal: ([a, b], [c, d]) => a === c && b === d,
  notEqual: ([a, b], [c, d]) => a !== c || b !== d,
};

/** Applies `f` to each element (as a pair) of complex inputs and stores the result in `out`. */
function mapComplex(backend: Backend, inputs: readonly Tensor[], out: OutputSpec, f: (...zs: C[]) => C | number | boolean): Tensor {
  const { t, w } = allocOutput(backend, out);
  const srcs = inputs.map((x) => ({ w: wordsOf(x) as Float32Array, off: elementOffsets(broadcastView(x, out.shape)) }));
  const n = out.shape.reduce((a, b) => a * b, 1);
  const isC = out.dtype === complex64;
  for (let i = 0; i < n; i++) {
    const r = f(...srcs.map(({ w: sw, off }): C => [sw[2 * off[i]!]!, sw[2 * off[i]! + 1]!]));
    if (isC) {
      const [re, im] = r as C;
      w[2 * i] = re;
      w[2 * i + 1] = im;
    } else w[i] = typeof r === "boolean" ? (r ? 1 : 0) : (r as number);
  }
  return t;
}

export function complexUnary(op: string): ((b: Backend, x: Tensor, out: OutputSpec) => Tensor) | undefined {
  const f = UNARY[op];
  return f && ((b, x, out) => mapComplex(b, [x], out, f));
}

export function complexBinary(op: string): ((b: Backend, x: Tensor, y: Tensor, out: OutputSpec) => Tensor) | undefined {
  const f = BINARY[op];
  return f && ((b, x, y, out) => mapComplex(b, [x, y], out, f));
}

/** astype with complex64 on either side: the real part is kept, a real input gets imaginary part 0. */
export function complexCast(backend: Backend, x: Tensor, out: OutputSpec): Tensor {
  if (x.dtype === complex64 && out.dtype === complex64) return mapComplex(backend, [x], out, (z) => z);
  if (x.dtype === complex64) {
    const re = mapComplex(backend, [x], { shape: out.shape, dtype: float32 }, ([a]) => a);
    try {
      return runMap(backend, [re], out, ["@"], castExpr(float32, out.dtype));
    } finally {
      backend.release(re.buffer);
    }
  }
  const re = runMap(backend, [x], { shape: x.shape, dtype: float32 }, [readAs(x.dtype)], castExpr(x.dtype, float32));
  try {
    return interleave(backend, re, out);
  } finally {
    backend.release(re.buffer);
  }
}

function interleave(backend: Backend, re: Tensor, out: OutputSpec): Tensor {
  const { t, w } = allocOutput(backend, out);
  const rw = wordsOf(re);
  const n = re.shape.reduce((a, b) => a * b, 1);
  for (let i = 0; i < n; i++) {
    w[2 * i] = rw[i] as number;
    w[2 * i + 1] = 0;
  }
  return t;
}
