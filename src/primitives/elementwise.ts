// Elementwise primitives (unary, binary, where, astype) and the table of
// elementwise ops: which dtypes each accepts and what it returns. Ops use the
// table to validate and promote; kernels only see inputs of one common dtype.

import type { MxArray } from "../array.js";
import { bool, complex64, float32, isFloating, isInexact, type DType } from "../dtype.js";
import { ops } from "./ops-ref.js";
import { Primitive, type Spec } from "../primitive.js";
import { broadcastShapes } from "../shape.js";
import { addOptional, alignBatched, on, unbroadcast } from "./autodiff.js";
import { BINARY_DERIVATIVES, UNARY_DERIVATIVES, UNARY_JVP_DERIVATIVES } from "./derivatives.js";
import { complexBinaryJvp, complexBinaryVjp, complexUnaryJvp, complexUnaryVjp } from "./complex-derivatives.js";
import type { MathMode } from "../math-mode.js";
import { opError } from "../errors.js";
import { checkInputCount, checkSameDType } from "./checks.js";

/**
 * Input domains: "float" ops promote bool/integer inputs to float32 first;
 * "numeric" ops keep integers; "integer" ops take bool and integers only;
 * "any" takes every dtype.
 */
export type Domain = "float" | "numeric" | "integer" | "any";

export interface ElementwiseInfo {
  readonly domain: Domain;
  /** The output is bool (predicates, comparisons, logical ops). */
  readonly boolOut?: boolean;
  /** complex64 inputs are supported. */
  readonly complex?: boolean;
}

export const UNARY_OPS = {
  abs: { domain: "numeric", complex: true },
  negative: { domain: "numeric", complex: true },
  sign: { domain: "numeric", complex: true },
  floor: { domain: "numeric" },
  ceil: { domain: "numeric" },
  round: { domain: "numeric", complex: true },
  square: { domain: "numeric", complex: true },
  sqrt: { domain: "float", complex: true },
  rsqrt: { domain: "float", complex: true },
  reciprocal: { domain: "float", complex: true },
  exp: { domain: "float", complex: true },
  expm1: { domain: "float" },
  log: { domain: "float", complex: true },
  log2: { domain: "float", complex: true },
  log10: { domain: "float", complex: true },
  log1p: { domain: "float" },
  sin: { domain: "float", complex: true },
  cos: { domain: "float", complex: true },
  tan: { domain: "float", complex: true },
  arcsin: { domain: "float", complex: true },
  arccos: { domain: "float", complex: true },
  arctan: { domain: "float", complex: true },
  sinh: { domain: "float", complex: true },
  cosh: { domain: "float", complex: true },
  tanh: { domain: "float", complex: true },
  arcsinh: { domain: "float" },
  arccosh: { domain: "float" },
  arctanh: { domain: "float" },
  sigmoid: { domain: "float" },
  erf: { domain: "float" },
  erfinv: { domain: "float" },
  isnan: { domain: "any", boolOut: true, complex: true },
  isinf: { domain: "any", boolOut: true, complex: true },
  isfinite: { domain: "any", boolOut: true, complex: true },
  logicalNot: { domain: "any", boolOut: true },
  bitwiseInvert: { domain: "integer" },
  stopGradient: { domain: "any", complex: true },
} as const satisfies Record<string, ElementwiseInfo>;

export const BINARY_OPS = {
  add: { domain: "numeric", complex: true },
  subtract: { domain: "numeric", complex: true },
  multiply: { domain: "numeric", complex: true },
  divide: { domain: "float", complex: true },
  floorDivide: { domain: "numeric" },
  remainder: { domain: "numeric" },
  power: { domain: "numeric", complex: true },
  maximum: { domain: "numeric", complex: true },
  minimum: { domain: "numeric", complex: true },
  logaddexp: { domain: "float" },
  arctan2: { domain: "float" },
  bitwiseAnd: { domain: "integer" },
  bitwiseOr: { domain: "integer" },
  bitwiseXor: { domain: "integer" },
  leftShift: { domain: "integer" },
  rightShift: { domain: "integer" },
  equal: { domain: "any", boolOut: true, complex: true },
  notEqual: { domain: "any", boolOut: true, complex: true },
  less: { domain: "any", boolOut: true, complex: true },
  lessEqual: { domain: "any", boolOut: true, complex: true },
  greater: { domain: "any", boolOut: true, complex: true },
  greaterEqual: { domain: "any", boolOut: true, complex: true },
  logicalAnd: { domain: "any", boolOut: true },
  logicalOr: { domain: "any", boolOut: true },
} as const satisfies Record<string, ElementwiseInfo>;

export type UnaryOp = keyof typeof UNARY_OPS;
export type BinaryOp = keyof typeof BINARY_OPS;

export function elementwiseInfo(op: string): ElementwiseInfo | undefined {
  return (UNARY_OPS as Record<string, ElementwiseInfo>)[op] ?? (BINARY_OPS as Record<string, ElementwiseInfo>)[op];
}

/** The op of an elementwise primitive, applied to new operands in the same math mode (vmap). */
function apply(name: string, xs: readonly MxArray[], mathMode: MathMode = "precise"): MxArray {
  const op = (ops as unknown as Record<string, (...a: unknown[]) => MxArray>)[name]!;
  return op(...xs, mathMode === "fast" ? { ...on(xs[0]!), mathMode } : on(xs[0]!));
}

/** A math mode as params: none for "precise", so precise nodes keep the parameterless form. */
function modeParams(mathMode: MathMode): Readonly<Record<string, unknown>> {
  return mathMode === "fast" ? { mathMode } : {};
}

export class Unary extends Primitive {
  /** `mathMode` picks webgpu's float32 functions (src/math-mode.ts); other backends ignore it. */
  constructor(
    readonly name: UnaryOp,
    readonly mathMode: MathMode = "precise",
  ) {
    super();
  }
  override params() {
    return modeParams(this.mathMode);
  }
  output([x]: readonly Spec[]): Spec {
    const info: ElementwiseInfo = UNARY_OPS[this.name];
    if (info.boolOut) return { shape: x!.shape, dtype: bool };
    if (this.name === "abs" && x!.dtype === complex64) return { shape: x!.shape, dtype: float32 };
    return { shape: x!.shape, dtype: x!.dtype };
  }
  /** complex64 inputs follow MLX's conjugate-linear rules (complex-derivatives.ts). */
  override vjp([x]: readonly MxArray[], ct: MxArray, y: MxArray): (MxArray | null)[] {
    if (x!.dtype === complex64) return [complexUnaryVjp(this.name, x!, ct, y)];
    const d = UNARY_DERIVATIVES[this.name];
    return [d && isFloating(x!.dtype) ? ops.multiply(ct, d(x!, y), on(ct)) : null];
  }
  override jvp([x]: readonly MxArray[], [t]: readonly (MxArray | null)[], y: MxArray): MxArray | null {
    if (x!.dtype === complex64) return t ? complexUnaryJvp(this.name, x!, t, y) : null;
    const d = UNARY_JVP_DERIVATIVES[this.name] ?? UNARY_DERIVATIVES[this.name];
    return d && t && isFloating(x!.dtype) ? ops.multiply(t, d(x!, y), on(t)) : null;
  }
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    return [apply(this.name, [x!], this.mathMode), axis!];
  }
}

/**
 * Inputs share a dtype (the op promotes) and their shapes broadcast to the
 * output's (NumPy rules); kernels read broadcast inputs with zero strides.
 */
export class Binary extends Primitive {
  /** `mathMode` picks webgpu's float32 functions (src/math-mode.ts); other backends ignore it. */
  constructor(
    readonly name: BinaryOp,
    readonly mathMode: MathMode = "precise",
  ) {
    super();
  }
  override params() {
    return modeParams(this.mathMode);
  }
  /** One dtype for both operands: a kernel reads both as the first's. */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 2);
    checkSameDType(this.name, inputs, ["the first operand", "the second operand"]);
  }
  output([a, b]: readonly Spec[]): Spec {
    const info: ElementwiseInfo = BINARY_OPS[this.name];
    return { shape: broadcastShapes(this.name, a!.shape, b!.shape), dtype: info.boolOut ? bool : a!.dtype };
  }
  override vjp([a, b]: readonly MxArray[], ct: MxArray, y: MxArray): (MxArray | null)[] {
    if (a!.dtype === complex64) return complexBinaryVjp(this.name, a!, b!, ct, y);
    const d = BINARY_DERIVATIVES[this.name];
    if (!d || !isFloating(a!.dtype)) return [null, null];
    const [da, db] = d(a!, b!, y);
    return [da && unbroadcast(ops.multiply(ct, da, on(ct)), a!.shape), db && unbroadcast(ops.multiply(ct, db, on(ct)), b!.shape)];
  }
  override jvp([a, b]: readonly MxArray[], [ta, tb]: readonly (MxArray | null)[], y: MxArray): MxArray | null {
    if (a!.dtype === complex64) return complexBinaryJvp(this.name, a!, b!, [ta ?? null, tb ?? null], y);
    const d = BINARY_DERIVATIVES[this.name];
    if (!d || !isFloating(a!.dtype)) return null;
    const [da, db] = d(a!, b!, y);
    const sa = ta && da ? ops.multiply(ta, da, on(ta)) : null;
    const sb = tb && db ? ops.multiply(tb, db, on(tb)) : null;
    const t = addOptional(sa, sb);
    return t ? ops.broadcastTo(t, y.shape, on(t)) : null;
  }
  override vmap(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray, number] {
    return [apply(this.name, alignBatched(inputs, axes), this.mathMode), 0];
  }
}

/** where(cond, x, y): cond is bool, x and y share a dtype; the three shapes broadcast. */
export class Where extends Primitive {
  readonly name = "where";
  /** A bool condition and values of one dtype (kernels read them as the output's). */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 3);
    if (inputs[0]!.dtype !== bool) throw opError(this.name, `the condition must be bool, got ${inputs[0]!.dtype.name}`, inputs, "type");
    checkSameDType(this.name, inputs.slice(1), ["x", "y"]);
  }
  output([c, x, y]: readonly Spec[]): Spec {
    return { shape: broadcastShapes("where", c!.shape, x!.shape, y!.shape), dtype: x!.dtype };
  }
  /** The cotangent goes to x where the condition holds, to y elsewhere; the condition gets none. */
  override vjp([c, x, y]: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    const o = on(ct);
    return [null, unbroadcast(ops.where(c!, ct, 0, o), x!.shape), unbroadcast(ops.where(c!, 0, ct, o), y!.shape)];
  }
  override jvp([c]: readonly MxArray[], [, tx, ty]: readonly (MxArray | null)[], out: MxArray): MxArray | null {
    if (!tx && !ty) return null;
    return ops.where(c!, tx ?? 0, ty ?? 0, on(out));
  }
  override vmap(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray, number] {
    const [c, x, y] = alignBatched(inputs, axes);
    return [ops.where(c!, x!, y!, on(x!)), 0];
  }
}

/** Conversion to `dtype`; the rules for every pair are in the README (casts). */
export class AsType extends Primitive {
  readonly name = "astype";
  constructor(readonly dtype: DType) {
    super();
  }
  override params() {
    return { dtype: this.dtype.name };
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: x!.shape, dtype: this.dtype };
  }
  override vjp([x]: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    // complex64 to real keeps the real part, so its cotangent is ct + 0i; real to complex64 passes Re(ct) back
    return [isInexact(x!.dtype) ? ops.astype(ct, x!.dtype, on(ct)) : null];
  }
  override jvp(_x: readonly MxArray[], [t]: readonly (MxArray | null)[]): MxArray | null {
    return t && isInexact(this.dtype) ? ops.astype(t, this.dtype, on(t)) : null;
  }
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    return [ops.astype(x!, this.dtype, on(x!)), axis!];
  }
}
