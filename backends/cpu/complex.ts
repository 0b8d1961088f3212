// complex64 on the CPU reference: elementwise math in float64 on (re, im)
// pairs, each component rounded once to float32 (comparisons in MLX's order:
// real part, then imaginary part); casts to and from real dtypes (real part
// kept, imaginary part dropped) and where.

import type { Backend, OutputSpec, Tensor } from "../backend.js";
import { complex64, float32 } from "../../src/dtype.js";
import { castExpr, readAs, runMap } from "./elementwise.js";
import { broadcastView } from "../strides.js";
import { allocOutput, elementOffsets, wordsOf } from "./tensor.js";
import { rint } from "./math.js";

/** A complex number as (real, imaginary) part. */
export type C = [number, number];

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
  // C99 csqrt: an infinite imaginary part gives +inf + i b, whatever a is (NaN included)
  if (b === Infinity || b === -Infinity) return [Infinity, b];
  if (a === 0 && b === 0) return [0, b];
  const r = Math.hypot(a, b);
  if (a >= 0) {
    const t = Math.sqrt((a + r) / 2);
    return [t, b / (2 * t)];
  }
  const t = Math.sqrt((r - a) / 2);
  return [Math.abs(b) / (2 * t), b < 0 || Object.is(b, -0) ? -t : t];
}

/** `hyp * t` (hyp a cosh or sinh factor): a zero `t` gives a zero signed as the product (never inf * 0 = NaN). */
function scaled(hyp: number, t: number): number {
  return t === 0 ? (hyp < 0 || Object.is(hyp, -0) ? -t : t) : hyp * t;
}

/** tanh(x + iy) (Kahan's formulation); past |x| = 10 the real part is +-1 in float32 and the imaginary part 2 sin(2y) e^-2|x|. */
function ctanh([x, y]: C): C {
  if (Math.abs(x) > 10) return [Math.sign(x), 4 * Math.sin(y) * Math.cos(y) * Math.exp(-2 * Math.abs(x))];
  const t = Math.tan(y), beta = 1 + t * t, s = Math.sinh(x), rho = Math.sqrt(1 + s * s), den = 1 + beta * s * s;
  return [(beta * rho * s) / den, t / den];
}

/** MLX's order of complex64: by real part, ties by imaginary part; comparisons with NaN parts are false. */
const after = ([a, b]: C, [c, d]: C) => a > c || (a === c && b > d);
const notBefore = ([a, b]: C, [c, d]: C) => a > c || (a === c && b >= d);
const hasNaN = ([a, b]: C) => a !== a || b !== b;

/** z^w as MLX defines it: exp(w log z), and 0^w = 0 (NaN when w has a NaN part). */
function cpow(z: C, w: C): C {
  if (z[0] === 0 && z[1] === 0) return hasNaN(w) ? [NaN, NaN] : [0, 0];
  const lnr = Math.log(Math.hypot(z[0], z[1])), th = Math.atan2(z[1], z[0]);
  const mag = Math.exp(w[0] * lnr - w[1] * th), phase = w[1] * lnr + w[0] * th;
  return [mag * Math.cos(phase), mag * Math.sin(phase)];
}

const clog = ([a, b]: C): C => [Math.log(Math.hypot(a, b)), Math.atan2(b, a)];
/** copysign: |x| with the sign of s (a NaN s counts as positive). */
const withSign = (x: number, s: number): number => (s < 0 || Object.is(s, -0) ? -Math.abs(x) : Math.abs(x));

/**
 * For finite X, Y >= 0 the two quantities casin and cacos are built from (Hull, Fairgrieve and Tang, 1997):
 * with A = (|z + 1| + |z - 1|) / 2, `d` = sqrt(A^2 - X^2) (so arcsin's real part is atan2(X, d), arccos's
 * atan2(d, x)) and `h` = acosh A = log1p((A - 1) + sqrt((A - 1)(A + 1))), where A - 1 and A - X are formed from
 * differences that do not cancel (R - (X + 1) = Y^2 / (R + X + 1), and so on). float64 holds the squares of
 * float32 parts without overflow or underflow, so no other region needs its own formula.
 */
function arcsinParts(X: number, Y: number): { d: number; h: number } {
  const R = Math.hypot(X + 1, Y), S = Math.hypot(X - 1, Y), A = (R + S) / 2, y2 = Y * Y;
  const rMinus = y2 / (R + X + 1); // R - (X + 1)
  const aMinus1 = X < 1 ? (rMinus + y2 / (S + 1 - X)) / 2 : (rMinus + S + (X - 1)) / 2;
  const aMinusX = X <= 1 ? (rMinus + S + (1 - X)) / 2 : (rMinus + y2 / (S + (X - 1))) / 2;
  return { d: Math.sqrt((A + X) * aMinusX), h: Math.log1p(aMinus1 + Math.sqrt(aMinus1 * (A + 1))) };
}

const isNaNPart = (v: number) => v !== v;

/** C99's casin (NumPy's): odd and conjugate-symmetric, so its parts take z's signs. */
function casin([x, y]: C): C {
  const X = Math.abs(x), Y = Math.abs(y);
  if (isNaNPart(x)) return [NaN, Y === Infinity ? y : NaN];
  if (isNaNPart(y)) return X === 0 ? [x, NaN] : X === Infinity ? [NaN, Infinity] : [NaN, NaN];
  if (X === Infinity || Y === Infinity) return [withSign(Math.atan2(X, Y), x), withSign(Infinity, y)];
  const { d, h } = arcsinParts(X, Y);
  return [withSign(Math.atan2(X, d), x), withSign(h, y)];
}

/** C99's cacos (NumPy's): the real part in [+0, pi], the imaginary part with the sign opposite to Im z's. */
function cacos([x, y]: C): C {
  const X = Math.abs(x), Y = Math.abs(y);
  if (isNaNPart(x)) return [NaN, Y === Infinity ? -y : NaN];
  if (isNaNPart(y)) return X === 0 ? [Math.PI / 2, NaN] : X === Infinity ? [NaN, -Infinity] : [NaN, NaN];
  if (X === Infinity || Y === Infinity) return [Math.atan2(Y, x), withSign(Infinity, -y)];
  const { d, h } = arcsinParts(X, Y);
  return [Math.atan2(d, x), withSign(h, -y)];
}

/**
 * C99's catan (NumPy's), odd and conjugate-symmetric. For finite z its parts directly (Kahan's form): the real part
 * atan2(2x, (1 - y)(1 + y) - x^2) / 2, the imaginary part log1p(4|y| / ((1 - |y|)^2 + x^2)) / 4 with y's sign, so that
 * a large |y| beside a tiny x does not cancel (nor the sign of the real part on the branch cuts: arctan(1e-45 - 1e30i)
 * is +pi/2); an infinite part gives +-pi/2 + 0i.
 */
function catan([x, y]: C): C {
  const X = Math.abs(x), Y = Math.abs(y);
  if (isNaNPart(x)) return [NaN, Y === 0 ? y : Y === Infinity ? withSign(0, y) : NaN];
  if (isNaNPart(y)) return X === Infinity ? [withSign(Math.PI / 2, x), 0] : [NaN, NaN];
  if (X === Infinity || Y === Infinity) return [withSign(Math.PI / 2, x), withSign(0, y)];
  return [Math.atan2(2 * x, (1 - y) * (1 + y) - x * x) / 2, withSign(Math.log1p((4 * Y) / ((1 - Y) * (1 - Y) + x * x)) / 4, y)];
}

const UNARY: Record<string, (z: C) => C | number | boolean> = {
  abs: ([a, b]) => Math.hypot(a, b),
  negative: ([a, b]) => [-a, -b],
  square: ([a, b]) => [a * a - b * b, 2 * a * b],
  sqrt: csqrt,
  reciprocal: (z) => div([1, 0], z),
  // a zero imaginary part stays (C99 cexp: exp(inf + 0i) = inf + 0i, where e^a sin(0) would be inf * 0)
  exp: ([a, b]) => (b === 0 ? [Math.exp(a), b] : [Math.exp(a) * Math.cos(b), Math.exp(a) * Math.sin(b)]),
  log: clog,
  // log z / ln 2 and log z / ln 10 (MLX)
  log2: (z) => clog(z).map((v) => v / Math.LN2) as C,
  log10: (z) => clog(z).map((v) => v / Math.LN10) as C,
  rsqrt: (z) => div([1, 0], csqrt(z)),
  // each part half to even (MLX)
  round: ([a, b]) => [rint(a), rint(b)],
  sin: ([a, b]) => [Math.sin(a) * Math.cosh(b), Math.cos(a) * Math.sinh(b)],
  cos: ([a, b]) => [Math.cos(a) * Math.cosh(b), -Math.sin(a) * Math.sinh(b)],
  sinh: ([a, b]) => [scaled(Math.sinh(a), Math.cos(b)), scaled(Math.cosh(a), Math.sin(b))],
  cosh: ([a, b]) => [scaled(Math.cosh(a), Math.cos(b)), scaled(Math.sinh(a), Math.sin(b))],
  tanh: ctanh,
  // tan z = -i tanh(iz)
  tan: ([a, b]) => {
    const [p, q] = ctanh([-b, a]);
    return [q, -p];
  },
  // C99's (NumPy's) inverse functions, accurate in each part (MLX's log formulas cancel next to the real axis)
  arccos: cacos,
  arcsin: casin,
  arctan: catan,
  // z / |z|, 0 at 0 (MLX)
  sign: (z) => (z[0] === 0 && z[1] === 0 ? z : div(z, [Math.hypot(z[0], z[1]), 0])),
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
  greater: after,
  greaterEqual: notBefore,
  less: (x, y) => after(y, x),
  lessEqual: (x, y) => notBefore(y, x),
  // a NaN in x returns x; otherwise the later (earlier) of the two in the order above, y on ties
  maximum: (x, y) => (hasNaN(x) || after(x, y) ? x : y),
  minimum: (x, y) => (hasNaN(x) || after(y, x) ? x : y),
  power: cpow,
};

/**
 * How a complex64 scatter folds an update `u` into the accumulated `acc` (float64 pairs, rounded once
 * when stored): add and multiply as complex numbers, maximum and minimum in MLX's order (as the binary ops).
 */
export function complexFold(mode: "add" | "multiply" | "maximum" | "minimum"): (acc: C, u: C) => C {
  return BINARY[mode] as (acc: C, u: C) => C;
}

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
