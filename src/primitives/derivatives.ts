// The derivatives of the elementwise ops, as ops: for a unary op df/dx given
// the input x and the output y; for a binary op (df/da, df/db). A missing
// entry (comparisons, bitwise and logical ops, predicates) means no gradient
// flows; non-smooth ops follow MLX (mlx/primitives.cpp): abs at 0 and
// sign/floor/ceil/round give 0; on a tie maximum(a, b) and minimum(a, b)
// give the whole derivative to b (Maximum::vjp's masks a > b and a <= b,
// Minimum::vjp's a < b and a >= b), so relu = maximum(x, 0) has 0 at 0.

import type { MxArray } from "../array.js";
import { ops } from "./ops-ref.js";
import { on } from "./autodiff.js";
import type { BinaryOp, UnaryOp } from "./elementwise.js";

type UnaryDerivative = (x: MxArray, y: MxArray) => MxArray;
type BinaryDerivative = (a: MxArray, b: MxArray, y: MxArray) => [MxArray | null, MxArray | null];

const zeros = (x: MxArray) => ops.zerosLike(x, on(x));

export const UNARY_DERIVATIVES: Partial<Record<UnaryOp, UnaryDerivative>> = {
  abs: (x) => ops.sign(x, on(x)),
  negative: (x) => ops.fullLike(x, -1, on(x)),
  sign: zeros,
  floor: zeros,
  ceil: zeros,
  round: zeros,
  square: (x) => ops.multiply(x, 2, on(x)),
  sqrt: (_x, y) => ops.divide(0.5, y, on(y)),
  rsqrt: (x, y) => ops.multiply(ops.divide(y, x, on(x)), -0.5, on(x)),
  reciprocal: (_x, y) => ops.negative(ops.square(y, on(y)), on(y)),
  exp: (_x, y) => y,
  // MLX's Expm1::vjp: out + 1 (its jvp, exp(x), is UNARY_JVP_DERIVATIVES')
  expm1: (_x, y) => ops.add(y, 1, on(y)),
  log: (x) => ops.reciprocal(x, on(x)),
  log2: (x) => ops.reciprocal(ops.multiply(x, Math.LN2, on(x)), on(x)),
  log10: (x) => ops.reciprocal(ops.multiply(x, Math.LN10, on(x)), on(x)),
  log1p: (x) => ops.reciprocal(ops.add(x, 1, on(x)), on(x)),
  sin: (x) => ops.cos(x, on(x)),
  cos: (x) => ops.negative(ops.sin(x, on(x)), on(x)),
  tan: (_x, y) => ops.add(ops.square(y, on(y)), 1, on(y)),
  arcsin: (x) => ops.rsqrt(ops.subtract(1, ops.square(x, on(x)), on(x)), on(x)),
  arccos: (x) => ops.negative(ops.rsqrt(ops.subtract(1, ops.square(x, on(x)), on(x)), on(x)), on(x)),
  arctan: (x) => ops.reciprocal(ops.add(ops.square(x, on(x)), 1, on(x)), on(x)),
  sinh: (x) => ops.cosh(x, on(x)),
  cosh: (x) => ops.sinh(x, on(x)),
  tanh: (_x, y) => ops.subtract(1, ops.square(y, on(y)), on(y)),
  arcsinh: (x) => ops.rsqrt(ops.add(ops.square(x, on(x)), 1, on(x)), on(x)),
  arccosh: (x) => ops.rsqrt(ops.subtract(ops.square(x, on(x)), 1, on(x)), on(x)),
  arctanh: (x) => ops.reciprocal(ops.subtract(1, ops.square(x, on(x)), on(x)), on(x)),
  sigmoid: (_x, y) => ops.multiply(y, ops.subtract(1, y, on(y)), on(y)),
  erf: (x) => ops.multiply(ops.exp(ops.negative(ops.square(x, on(x)), on(x)), on(x)), 2 / Math.sqrt(Math.PI), on(x)),
  erfinv: (_x, y) => ops.multiply(ops.exp(ops.square(y, on(y)), on(y)), Math.sqrt(Math.PI) / 2, on(y)),
};

/**
 * Where the jvp's derivative differs from the vjp's (MLX's rules differ):
 * expm1's jvp is t * exp(x) (Expm1::jvp), which keeps the tangent for x
 * below about -17 where expm1(x) + 1 rounds to 0 in float32.
 */
export const UNARY_JVP_DERIVATIVES: Partial<Record<UnaryOp, UnaryDerivative>> = {
  expm1: (x) => ops.exp(x, on(x)),
};

/** `cmp(a, b)` as 1 or 0 in a's dtype: the mask of an operand of maximum or minimum (MLX's). */
function mask(a: MxArray, b: MxArray, cmp: "greater" | "less" | "greaterEqual" | "lessEqual"): MxArray {
  const o = on(a);
  return ops.astype(ops[cmp](a, b, o), a.dtype, o);
}

export const BINARY_DERIVATIVES: Partial<Record<BinaryOp, BinaryDerivative>> = {
  add: (a, b) => [ops.onesLike(a, on(a)), ops.onesLike(b, on(b))],
  subtract: (a, b) => [ops.onesLike(a, on(a)), ops.fullLike(b, -1, on(b))],
  multiply: (a, b) => [b, a],
  divide: (a, b) => [ops.reciprocal(b, on(b)), ops.negative(ops.divide(a, ops.square(b, on(b)), on(b)), on(b))],
  floorDivide: (a, b) => [zeros(a), zeros(b)],
  // a - b * floor(a / b): 1 and -floor(a / b)
  remainder: (a, b) => [ops.onesLike(a, on(a)), ops.negative(ops.floorDivide(a, b, on(a)), on(a))],
  // b a^(b-1), and y log(a) (0 where a is 0 and y is 0, as the limit)
  power: (a, b, y) => {
    const o = on(a);
    const da = ops.multiply(b, ops.power(a, ops.subtract(b, 1, o), o), o);
    const db = ops.where(ops.equal(y, 0, o), 0, ops.multiply(y, ops.log(a, o), o), o);
    return [da, db];
  },
  // MLX's masks: a ties to b, so b takes the derivative where a == b (and neither does where one is NaN)
  maximum: (a, b) => [mask(a, b, "greater"), mask(a, b, "lessEqual")],
  minimum: (a, b) => [mask(a, b, "less"), mask(a, b, "greaterEqual")],
  logaddexp: (a, b, y) => [ops.exp(ops.subtract(a, y, on(a)), on(a)), ops.exp(ops.subtract(b, y, on(b)), on(b))],
  // atan2(a, b): b / (a^2 + b^2) and -a / (a^2 + b^2)
  arctan2: (a, b) => {
    const o = on(a);
    const r = ops.add(ops.square(a, o), ops.square(b, o), o);
    return [ops.divide(b, r, o), ops.negative(ops.divide(a, r, o), o)];
  },
};
