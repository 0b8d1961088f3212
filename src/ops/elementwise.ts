// Elementwise ops: promotion (with weak scalars), broadcasting and domain
// checks, then one Unary/Binary/Where/AsType node. Also the composites
// clip, isclose, allclose and arrayEqual.

import { MxArray } from "../array.js";
import { bool, complex64, float32, isInexact, isIntegral, type DType, isDType } from "../dtype.js";
import { opError } from "../errors.js";
import {
  AsType, BINARY_OPS, Binary, UNARY_OPS, Unary, Where,
  type BinaryOp, type ElementwiseInfo, type UnaryOp,
} from "../primitives/elementwise.js";
import { sameShape } from "../shape.js";
import { checkArrayLike, node, onStream, resultType, streamOf, toArray, type ArrayLike, type OpOptions } from "./base.js";
import { all } from "./reduction.js";

export function astype(x: MxArray, dtype: DType, o?: OpOptions): MxArray {
  if (!(x instanceof MxArray)) throw opError("astype", `input must be an mx array, got ${typeof x}`, [], "type");
  if (!isDType(dtype)) throw opError("astype", `dtype must be an mx dtype (e.g. mx.float32), got ${String(dtype)}`, [x], "type");
  if (x.dtype === dtype) return x;
  return node(new AsType(dtype), [x], streamOf(o, x));
}

/** The dtype an op computes in, after its domain rule (float ops lift integers to float32). */
function domainDType(op: string, info: ElementwiseInfo, d: DType, inputs: MxArray[]): DType {
  if (d === complex64 && !info.complex) {
    throw opError(op, `complex64 is not supported; valid: real dtypes`, inputs, "type");
  }
  switch (info.domain) {
    case "float":
      return isInexact(d) ? d : float32;
    case "integer":
      if (!isIntegral(d)) throw opError(op, `requires bool or integer inputs, got ${d.name}`, inputs, "type");
      return d;
    default:
      return d;
  }
}

function unaryOp(op: UnaryOp) {
  const prim = new Unary(op); // parameterless and immutable: one instance serves every node
  return (x: ArrayLike, o?: OpOptions): MxArray => {
    const s = streamOf(o, x);
    const a = toArray(op, checkArrayLike(op, x), s);
    if (a.dtype === bool && (op === "negative" || op === "sign")) {
      throw opError(op, `not supported for bool; use logicalNot`, [a], "type");
    }
    const d = domainDType(op, UNARY_OPS[op], a.dtype, [a]);
    return node(prim, [astype(a, d, { stream: s })], s);
  };
}

function binaryOp(op: BinaryOp) {
  const prim = new Binary(op); // parameterless and immutable: one instance serves every node
  return (x: ArrayLike, y: ArrayLike, o?: OpOptions): MxArray => {
    const s = streamOf(o, x, y);
    checkArrayLike(op, x, "first input");
    checkArrayLike(op, y, "second input");
    const common = resultType(x, y);
    const a = toArray(op, x, s, common);
    const b = toArray(op, y, s, common);
    if (common === bool && op === "subtract") throw opError(op, `not supported for bool; use logicalXor via notEqual`, [a, b], "type");
    const d = domainDType(op, BINARY_OPS[op], common, [a, b]);
    const so = { stream: s };
    return node(prim, [astype(a, d, so), astype(b, d, so)], s);
  };
}

export const abs = unaryOp("abs");
export const negative = unaryOp("negative");
export const sign = unaryOp("sign");
export const floor = unaryOp("floor");
export const ceil = unaryOp("ceil");
export const round = unaryOp("round");
export const square = unaryOp("square");
export const sqrt = unaryOp("sqrt");
export const rsqrt = unaryOp("rsqrt");
export const reciprocal = unaryOp("reciprocal");
export const exp = unaryOp("exp");
export const expm1 = unaryOp("expm1");
export const log = unaryOp("log");
export const log2 = unaryOp("log2");
export const log10 = unaryOp("log10");
export const log1p = unaryOp("log1p");
export const sin = unaryOp("sin");
export const cos = unaryOp("cos");
export const tan = unaryOp("tan");
export const arcsin = unaryOp("arcsin");
export const arccos = unaryOp("arccos");
export const arctan = unaryOp("arctan");
export const sinh = unaryOp("sinh");
export const cosh = unaryOp("cosh");
export const tanh = unaryOp("tanh");
export const arcsinh = unaryOp("arcsinh");
export const arccosh = unaryOp("arccosh");
export const arctanh = unaryOp("arctanh");
export const sigmoid = unaryOp("sigmoid");
export const erf = unaryOp("erf");
export const erfinv = unaryOp("erfinv");
export const isnan = unaryOp("isnan");
export const isinf = unaryOp("isinf");
export const isfinite = unaryOp("isfinite");
export const logicalNot = unaryOp("logicalNot");
export const bitwiseInvert = unaryOp("bitwiseInvert");
export const stopGradient = unaryOp("stopGradient");

export const add = binaryOp("add");
export const subtract = binaryOp("subtract");
export const multiply = binaryOp("multiply");
export const divide = binaryOp("divide");
export const floorDivide = binaryOp("floorDivide");
export const remainder = binaryOp("remainder");
export const power = binaryOp("power");
export const maximum = binaryOp("maximum");
export const minimum = binaryOp("minimum");
export const logaddexp = binaryOp("logaddexp");
export const arctan2 = binaryOp("arctan2");
export const bitwiseAnd = binaryOp("bitwiseAnd");
export const bitwiseOr = binaryOp("bitwiseOr");
export const bitwiseXor = binaryOp("bitwiseXor");
export const leftShift = binaryOp("leftShift");
export const rightShift = binaryOp("rightShift");
export const equal = binaryOp("equal");
export const notEqual = binaryOp("notEqual");
export const less = binaryOp("less");
export const lessEqual = binaryOp("lessEqual");
export const greater = binaryOp("greater");
export const greaterEqual = binaryOp("greaterEqual");
export const logicalAnd = binaryOp("logicalAnd");
export const logicalOr = binaryOp("logicalOr");

/** Elements of `x` where `condition` is true, else of `y` (all three broadcast). */
export function where(condition: ArrayLike, x: ArrayLike, y: ArrayLike, o?: OpOptions): MxArray {
  const s = streamOf(o, condition, x, y);
  const so = { stream: s };
  checkArrayLike("where", condition, "condition");
  checkArrayLike("where", x, "x");
  checkArrayLike("where", y, "y");
  const d = resultType(x, y);
  const c = astype(toArray("where", condition, s, bool), bool, so);
  const a = astype(toArray("where", x, s, d), d, so);
  const b = astype(toArray("where", y, s, d), d, so);
  return node(new Where(), [c, a, b], s);
}

/** Limits values to [min, max]; either bound may be null. NaN stays NaN. */
export function clip(x: ArrayLike, min: ArrayLike | null, max: ArrayLike | null, o?: OpOptions): MxArray {
  if (min === null && max === null) throw opError("clip", "at least one of min and max must be given", [], "value");
  const s = streamOf(o, x, min, max);
  let out = toArray("clip", checkArrayLike("clip", x), s);
  if (min !== null) out = maximum(out, min, { stream: s });
  if (max !== null) out = minimum(out, max, { stream: s });
  return out;
}

export interface CloseOptions extends OpOptions {
  rtol?: number | undefined;
  atol?: number | undefined;
  equalNan?: boolean | undefined;
}

/** |a - b| <= atol + rtol * |b| elementwise; infinities compare equal when they match. */
export function isclose(a: ArrayLike, b: ArrayLike, o: CloseOptions = {}): MxArray {
  const rtol = o.rtol ?? 1e-5, atol = o.atol ?? 1e-8;
  const d = resultType(a, b);
  const s = streamOf(o, a, b);
  o = onStream(o, s);
  const x = toArray("isclose", checkArrayLike("isclose", a), s, d);
  const y = toArray("isclose", checkArrayLike("isclose", b), s, d);
  const diff = abs(subtract(astype(x, isInexact(d) ? d : float32, o), astype(y, isInexact(d) ? d : float32, o), o), o);
  const bound = add(multiply(abs(y, o), rtol, o), atol, o);
  // an infinite b is close only to itself (|inf - -inf| <= inf would pass the bound)
  let out = logicalOr(logicalAnd(lessEqual(diff, bound, o), isfinite(y, o), o), equal(x, y, o), o);
  if (o.equalNan) out = logicalOr(out, logicalAnd(isnan(x, o), isnan(y, o), o), o);
  return out;
}

export function allclose(a: ArrayLike, b: ArrayLike, o: CloseOptions = {}): MxArray {
  const close = isclose(a, b, o);
  return all(close, { stream: close.stream });
}

/** True when shapes match and all elements are equal (NaN equal to NaN with `equalNan`). */
export function arrayEqual(a: ArrayLike, b: ArrayLike, o: { equalNan?: boolean | undefined } & OpOptions = {}): MxArray {
  const s = streamOf(o, a, b);
  o = onStream(o, s);
  const x = toArray("arrayEqual", checkArrayLike("arrayEqual", a), s);
  const y = toArray("arrayEqual", checkArrayLike("arrayEqual", b), s);
  if (!sameShape(x.shape, y.shape)) return toArray("arrayEqual", false, s, bool);
  let eq = equal(x, y, o);
  if (o.equalNan) eq = logicalOr(eq, logicalAnd(isnan(x, o), isnan(y, o), o), o);
  return all(eq, o);
}
