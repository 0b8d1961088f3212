// Gradients of complex64 as MLX defines them. A complex number is a pair of
// reals; the vjp is the adjoint of the jvp for the real inner product
// Re(conj(u) v), so a holomorphic f gets vjp(ct) = ct * conj(f'(z)) and
// `grad` of a real-valued function gives df/dRe(z) + i df/dIm(z) (PyTorch's
// convention too; JAX's is its conjugate). This module decides, per
// primitive, whether its rules hold for complex64, and refuses the rest.

import type { MxArray } from "../array.js";
import { complex64 } from "../dtype.js";
import * as ops from "../ops/index.js";
import type { Primitive } from "../primitive.js";
import { Binary, Unary } from "../primitives/elementwise.js";

/**
 * Primitives whose rules hold for complex64 as written: data movement and
 * selects (real-linear maps with real coefficients, their own adjoints'
 * shape), and the elementwise primitives and astype, whose rules treat
 * complex64 themselves (src/primitives/elementwise.ts).
 */
const AS_WRITTEN = new Set([
  "reshape", "transpose", "broadcast", "broadcastAxes", "slice", "asStrided", "contiguous", "concatenate", "pad",
  "gatherAxis", "take", "scatterAxis", "sliceUpdate", "where", "astype", "depends", "sum",
]);

/**
 * Primitives whose rules are written for real inputs as the complex-bilinear
 * transpose (matmul: ct @ b^T; prod: ct times the other factors): their
 * conjugate-linear vjp is conj(rule(conj(ct))); their jvp holds as written.
 */
const HOLOMORPHIC = new Set(["matmul", "prod"]);

type Rule = "as written" | "holomorphic";

/**
 * A primitive of another family declares how its rules treat complex64 with
 * a field `readonly complexRule = "as written"` (its vjp already is the
 * conjugate-linear adjoint, e.g. an FFT's) or `"holomorphic"` (as matmul).
 * A declared rule answers for its own nulls (no cotangent on purpose).
 */
interface DeclaresComplexRule {
  readonly complexRule?: Rule;
}

function ruleOf(prim: Primitive): Rule | undefined {
  const declared = (prim as DeclaresComplexRule).complexRule;
  if (declared) return declared;
  if (prim instanceof Unary || prim instanceof Binary) return "as written";
  if (AS_WRITTEN.has(prim.name)) return "as written";
  if (HOLOMORPHIC.has(prim.name)) return "holomorphic";
  // running sums are linear; running products holomorphic (their rules are products of the inputs)
  if (prim.name === "scan") return prim.params().op === "sum" ? "as written" : prim.params().op === "prod" ? "holomorphic" : undefined;
  return undefined;
}

/** Whether node `n` reads or writes complex64. */
export function touchesComplex(n: MxArray): boolean {
  return n.dtype === complex64 || n.inputs.some((x) => x.dtype === complex64) || (n.siblings?.some((s) => s.dtype === complex64) ?? false);
}

function refusal(transform: string, prim: Primitive): Error {
  return new Error(`[${transform}] ${prim.errorName} has no complex64 gradient rule (primitive ${prim.name}); differentiate a real-valued formulation instead`);
}

/** Rules that give a complex64 input no cotangent on purpose: stopGradient, and those declared by their primitive. */
const blocks = (prim: Primitive) => prim.name === "stopGradient" || (prim as DeclaresComplexRule).complexRule !== undefined;

/**
 * The vjp of the single-output node `n` (complex64 on its input or output
 * side) for cotangent `ct`. A rule that leaves a complex64 input without a
 * cotangent is refused rather than read as zero.
 */
export function complexVjp(transform: string, n: MxArray, ct: MxArray): (MxArray | null)[] {
  const prim = n.primitive!;
  const rule = ruleOf(prim);
  if (!rule) throw refusal(transform, prim);
  const s = { stream: ct.stream };
  const grads = rule === "as written" ? prim.vjp(n.inputs, ct, n) : prim.vjp(n.inputs, ops.conjugate(ct, s), n).map((g) => g && ops.conjugate(g, s));
  if (!blocks(prim) && n.inputs.some((x, i) => x.dtype === complex64 && !grads[i])) throw refusal(transform, prim);
  return grads;
}

/** The jvp of the single-output node `n` (complex64 on its input or output side); a lost tangent is refused as above. */
export function complexJvp(transform: string, n: MxArray, tangents: readonly (MxArray | null)[]): MxArray | null {
  const prim = n.primitive!;
  if (!ruleOf(prim)) throw refusal(transform, prim);
  const t = prim.jvp(n.inputs, tangents, n);
  if (!t && !blocks(prim) && n.inputs.some((x, i) => x.dtype === complex64 && tangents[i])) throw refusal(transform, prim);
  return t;
}

/**
 * Multi-output primitives have no complex64 rules here, but for those whose
 * rules hold as written (depends, a custom function's outputs): a complex64
 * sibling or input of another is refused.
 */
export function refuseComplexSiblings(transform: string, n: MxArray): void {
  if (touchesComplex(n) && ruleOf(n.primitive!) !== "as written") throw refusal(transform, n.primitive!);
}
