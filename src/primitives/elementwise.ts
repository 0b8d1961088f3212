// Elementwise primitives (unary, binary, where, astype) and the table of
// elementwise ops: which dtypes each accepts and what it returns. Ops use the
// table to validate and promote; kernels only see inputs of one common dtype.

import { bool, complex64, float32, type DType } from "../dtype.js";
import { Primitive, type Spec } from "../primitive.js";
import { broadcastShapes } from "../shape.js";

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
  sign: { domain: "numeric" },
  floor: { domain: "numeric" },
  ceil: { domain: "numeric" },
  round: { domain: "numeric" },
  square: { domain: "numeric", complex: true },
  sqrt: { domain: "float", complex: true },
  rsqrt: { domain: "float" },
  reciprocal: { domain: "float", complex: true },
  exp: { domain: "float", complex: true },
  expm1: { domain: "float" },
  log: { domain: "float", complex: true },
  log2: { domain: "float" },
  log10: { domain: "float" },
  log1p: { domain: "float" },
  sin: { domain: "float", complex: true },
  cos: { domain: "float", complex: true },
  tan: { domain: "float" },
  arcsin: { domain: "float" },
  arccos: { domain: "float" },
  arctan: { domain: "float" },
  sinh: { domain: "float" },
  cosh: { domain: "float" },
  tanh: { domain: "float" },
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
  power: { domain: "numeric" },
  maximum: { domain: "numeric" },
  minimum: { domain: "numeric" },
  logaddexp: { domain: "float" },
  arctan2: { domain: "float" },
  bitwiseAnd: { domain: "integer" },
  bitwiseOr: { domain: "integer" },
  bitwiseXor: { domain: "integer" },
  leftShift: { domain: "integer" },
  rightShift: { domain: "integer" },
  equal: { domain: "any", boolOut: true, complex: true },
  notEqual: { domain: "any", boolOut: true, complex: true },
  less: { domain: "any", boolOut: true },
  lessEqual: { domain: "any", boolOut: true },
  greater: { domain: "any", boolOut: true },
  greaterEqual: { domain: "any", boolOut: true },
  logicalAnd: { domain: "any", boolOut: true },
  logicalOr: { domain: "any", boolOut: true },
} as const satisfies Record<string, ElementwiseInfo>;

export type UnaryOp = keyof typeof UNARY_OPS;
export type BinaryOp = keyof typeof BINARY_OPS;

export function elementwiseInfo(op: string): ElementwiseInfo | undefined {
  return (UNARY_OPS as Record<string, ElementwiseInfo>)[op] ?? (BINARY_OPS as Record<string, ElementwiseInfo>)[op];
}

export class Unary extends Primitive {
  constructor(readonly name: UnaryOp) {
    super();
  }
  output([x]: readonly Spec[]): Spec {
    const info: ElementwiseInfo = UNARY_OPS[this.name];
    if (info.boolOut) return { shape: x!.shape, dtype: bool };
    if (this.name === "abs" && x!.dtype === complex64) return { shape: x!.shape, dtype: float32 };
    return { shape: x!.shape, dtype: x!.dtype };
  }
}

/**
 * Inputs share a dtype (the op promotes) and their shapes broadcast to the
 * output's (NumPy rules); kernels read broadcast inputs with zero strides.
 */
export class Binary extends Primitive {
  constructor(readonly name: BinaryOp) {
    super();
  }
  output([a, b]: readonly Spec[]): Spec {
    const info: ElementwiseInfo = BINARY_OPS[this.name];
    return { shape: broadcastShapes(this.name, a!.shape, b!.shape), dtype: info.boolOut ? bool : a!.dtype };
  }
}

/** where(cond, x, y): cond is bool, x and y share a dtype; the three shapes broadcast. */
export class Where extends Primitive {
  readonly name = "where";
  output([c, x, y]: readonly Spec[]): Spec {
    return { shape: broadcastShapes("where", c!.shape, x!.shape, y!.shape), dtype: x!.dtype };
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
}
