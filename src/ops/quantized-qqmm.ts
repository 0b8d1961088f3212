// MLX's `mx.qqmm` and `mx.gather_qqmm`: products in which both operands are
// quantized (nvfp4 or mxfp8): x on the fly, w too unless it comes packed with
// its scales. Composed of the quantization primitives as MLX's kernels compute
// it: x quantized and dequantized back to its dtype, w quantized, then the
// quantized matmul of the two (nvfp4's global scales applied as MLX does).

import { MxArray } from "../array.js";
import { float32, isFloating, type DType } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import type { QuantParams } from "../primitives/quantized.js";
import type { Stream } from "../device.js";
import { customFunction } from "../transforms/custom.js";
import { opStream, type OpOptions } from "./base.js";
import { zerosLike } from "./creation.js";
import { abs, astype, divide, multiply, stopGradient } from "./elementwise.js";
import { pad, reshape, swapaxes } from "./layout.js";
import { dequantize, gatherQmm, quantize, quantizedMatmul } from "./quantized.js";
import { batchIndices, checkArray, checkGlobalScale, checkPacked, quantParams } from "./quantized-args.js";
import { max } from "./reduction.js";
import { asOp, checkOptions, noExtraArguments } from "./strict-options.js";

export interface QqmmOptions extends OpOptions {
  /** "nvfp4" (the default: e2m1 values in groups of 16 with e4m3 scales) or "mxfp8" (e4m3 values in groups of 32 with e8m0 scales). */
  mode?: "nvfp4" | "mxfp8" | undefined;
  /** The mode's group size (16 for nvfp4, 32 for mxfp8); any other is an error. */
  groupSize?: number | undefined;
  /** The mode's bits (4 for nvfp4, 8 for mxfp8); any other is an error. */
  bits?: number | undefined;
  /** nvfp4: x's float32 global scale (usually max |x|); given with globalScaleW or not at all. */
  globalScaleX?: MxArray | undefined;
  /** nvfp4: w's float32 global scale, the one w was (or is to be) quantized with. */
  globalScaleW?: MxArray | undefined;
}

export interface GatherQqmmOptions extends QqmmOptions {
  /** Integer indices into x's batch (its dims before the last two, flattened); default: every batch in order. */
  lhsIndices?: MxArray | undefined;
  /** Integer indices into w's batch (its dims before the last two, flattened); default: every batch in order. */
  rhsIndices?: MxArray | undefined;
  /** MLX's hint that the indices are sorted (it picks a kernel); the results do not depend on it. */
  sortedIndices?: boolean | undefined;
}

/** nvfp4's 448 * 6: a global scale g makes the e4m3 scales encode scale * 2688 / g. */
const SCALE_RANGE = 2688;

/** The checked arguments shared by qqmm and gatherQqmm. */
interface QqmmArgs {
  x: MxArray;
  w: MxArray;
  scales: MxArray | null;
  q: QuantParams;
  gsx: MxArray | null;
  gsw: MxArray | null;
  /** The contracted length (x's last axis, w's unpacked last axis). */
  K: number;
  N: number;
  s: Stream;
  so: { stream: Stream };
}

function checkFloatOperand(op: string, a: MxArray, name: string): void {
  if (!isFloating(a.dtype) || a.dtype.name === "float64") throw opError(op, `${name} must be float32, float16 or bfloat16 (as MLX), got ${a.dtype.name}`, [a], "type");
}

/** Validation as MLX's: the mode, x float, w float (scales absent) or packed uint32 with its scales, global scales in pairs (nvfp4). */
function qqmmArgs(op: string, x: unknown, w: unknown, scales: unknown, o: QqmmOptions | undefined): QqmmArgs {
  const xa = checkArray(op, x, "x"), wa = checkArray(op, w, "w");
  const mode: unknown = o?.mode ?? "nvfp4";
  if (mode !== "nvfp4" && mode !== "mxfp8") throw opError(op, `mode must be 'nvfp4' or 'mxfp8', got ${describeValue(mode)}`, [], "value");
  const q = quantParams(op, o?.groupSize, o?.bits, mode);
  const sc = scales === undefined || scales === null ? null : checkArray(op, scales, "scales");
  const gsx = checkGlobalScale(op, o?.globalScaleX, q), gsw = checkGlobalScale(op, o?.globalScaleW, q);
  if (!gsx !== !gsw) throw opError(op, "globalScaleX and globalScaleW must be given together or not at all", [], "value");
  const s = opStream(op, o, xa, wa, sc, gsx, gsw);
  checkFloatOperand(op, xa, "x");
  if (wa.ndim < 2) throw opError(op, `w must have at least 2 dimensions, got ${wa.ndim}`, [wa], "value");
  let K: number;
  if (wa.dtype.name === "uint32") {
    if (!sc) throw opError(op, "scales must be given when w is quantized (uint32)", [wa], "value");
    K = checkPacked(op, wa, sc, null, q);
  } else {
    if (sc) throw opError(op, "scales must be null when w is not quantized: w is quantized on the fly", [wa, sc], "value");
    checkFloatOperand(op, wa, "w");
    K = wa.shape[wa.ndim - 1]!;
  }
  if (xa.ndim < 1 || xa.shape[xa.ndim - 1] !== K) {
    throw opError(op, `the last axis of x must match w's (unpacked) last axis ${K}, got x [${xa.shape.join(", ")}]`, [xa, wa], "value");
  }
  if (K % q.groupSize !== 0) throw opError(op, `the last axis of x (${K}) must be a multiple of groupSize ${q.groupSize} (x is quantized along it)`, [xa], "value");
  return { x: xa, w: wa, scales: sc, q, gsx, gsw, K, N: wa.shape[wa.ndim - 2]!, s, so: { stream: s } };
}

/** x rounded to its quantized grid and back to its dtype (MLX's quantize-dequantize of the activations). */
function roundTrip(x: MxArray, q: QuantParams, gs: MxArray | null, so: OpOptions): MxArray {
  const o = { mode: q.mode, globalScale: gs ?? undefined, ...so };
  const [xq, xs] = quantize(x, q.groupSize, q.bits, o);
  return dequantize(xq!, xs!, null, q.groupSize, q.bits, { ...o, dtype: x.dtype });
}

/** w packed (as given, or quantized now with its global scale) and its scales. */
function packedWeights(w: MxArray, scales: MxArray | null, q: QuantParams, gsw: MxArray | null, so: OpOptions): [MxArray, MxArray] {
  if (scales) return [w, scales];
  const [wq, ws] = quantize(w, q.groupSize, q.bits, { mode: q.mode, globalScale: gsw ?? undefined, ...so });
  return [wq!, ws!];
}

/**
 * The product of the round-tripped x by the packed weights through `matmul`
 * (a quantized matmul of x-like input and the packed w); with w's global
 * scale, the float32 product times globalScaleW / 2688, cast to `dtype`.
 */
function scaledProduct(xhat: MxArray, gsw: MxArray | null, dtype: DType, so: OpOptions, matmul: (x: MxArray) => MxArray): MxArray {
  if (!gsw) return matmul(xhat);
  const y = matmul(astype(xhat, float32, so));
  return astype(multiply(y, divide(reshape(gsw, [], so), SCALE_RANGE, so), so), dtype, so);
}

/** qqmm of 2-D a [M, L] and float b [N, L], each quantized along L. */
function product(a: MxArray, b: MxArray, q: QuantParams, gsa: MxArray | null, gsb: MxArray | null, so: OpOptions): MxArray {
  const [bq, bs] = packedWeights(b, null, q, gsb, so);
  return scaledProduct(roundTrip(a, q, gsa, so), gsb, a.dtype, so, (xh) => quantizedMatmul(xh, bq, bs, null, { mode: q.mode, ...so }));
}

/**
 * `product` for the gradients, whose contracted axis (x's rows, or w's) need
 * not be a multiple of the group size: both operands are padded with zeros
 * along it (the zeros change no group's scale and add nothing to the sums).
 */
function paddedProduct(a: MxArray, b: MxArray, q: QuantParams, gsa: MxArray | null, gsb: MxArray | null, so: OpOptions): MxArray {
  const L = a.shape[1]!, extra = (q.groupSize - (L % q.groupSize)) % q.groupSize;
  if (extra === 0) return product(a, b, q, gsa, gsb, so);
  const widths: [number, number][] = [[0, 0], [0, extra]];
  return product(pad(a, widths, so), pad(b, widths, so), q, gsa, gsb, so);
}

/**
 * Matrix product of x and the transpose of w with both quantized (MLX's
 * `mx.qqmm`): x [..., K] is quantized along K on the fly and dequantized back
 * to its dtype, w [N, K] is quantized the same way unless given packed
 * (uint32) with its `scales`, and the result is the quantized matmul of the
 * two, [..., N] in x's dtype. Modes "nvfp4" (the default) and "mxfp8"; in
 * nvfp4 both operands may carry a float32 global scale (`globalScaleX`,
 * `globalScaleW`, given together), as `quantize` takes. Composed of
 * quantize, dequantize and quantizedMatmul, the steps of MLX's kernels. The
 * gradients are MLX's (w must be given unquantized): the cotangent is itself
 * quantized (its global scale: its largest magnitude) and multiplied by w
 * (for x) or x (for w) quantized along the other axis; where that axis is no
 * multiple of the group size, both sides are padded with zeros (MLX refuses
 * these shapes). No jvp, as MLX.
 * @example
 * ```ts
 * const x = mx.full([2, 32], 1.5, mx.float32);
 * const w = mx.concatenate([mx.full([1, 32], 6, mx.float32), mx.full([1, 32], -3, mx.float32)]);
 * const y = mx.qqmm(x, w); // nvfp4: these values are exact on its grid
 * await y.tolist(); // [[288, -144], [288, -144]]
 * const [wq, scales] = mx.quantize(w, undefined, undefined, { mode: "mxfp8" });
 * await mx.qqmm(x, wq, scales, { mode: "mxfp8" }).tolist(); // [[288, -144], [288, -144]]
 * ```
 */
export function qqmm(x: MxArray, w: MxArray, scales?: MxArray | null, o?: QqmmOptions): MxArray {
  noExtraArguments("qqmm", arguments, 4);
  return asOp("qqmm", () => {
    const op = "qqmm";
    checkOptions(op, o, ["mode", "groupSize", "bits", "globalScaleX", "globalScaleW"]);
    const a = qqmmArgs(op, x, w, scales, o);
    const { q, so, K, N } = a;
    if (a.w.ndim !== 2) throw opError(op, `w must be a matrix (MLX's qqmm takes 2-D weights; gatherQqmm takes batches), got ${a.w.ndim} dimensions`, [a.w], "value");
    const packed = a.scales !== null, global = a.gsx !== null;
    const fn = customFunction(
      (x1: MxArray, w1: MxArray, ...rest: MxArray[]) => {
        // the rules below stand for the body's derivatives: tangents do not enter it
        const [x2, w2] = [stopGradient(x1, so), stopGradient(w1, so)];
        const sc = packed ? rest[0]! : null;
        const [gsx, gsw] = global ? rest.slice(packed ? 1 : 0) : [null, null];
        const [wq, ws] = packedWeights(w2, sc, q, gsw ?? null, so);
        return scaledProduct(roundTrip(x2, q, gsx ?? null, so), gsw ?? null, x2.dtype, so, (xh) => quantizedMatmul(xh, wq, ws, null, { mode: q.mode, ...so }));
      },
      {
        vjp: ([x2, w2, ...rest], [ct]) => {
          if (packed) throw new Error("[qqmm] has no gradient when w is given quantized: pass w unquantized to differentiate (as MLX)");
          const [gsx, gsw] = global ? rest : [null, null];
          const amax = global ? astype(max(abs(ct!, so), so), float32, so) : null;
          const dx = paddedProduct(ct!, swapaxes(w2!, 0, 1, so), q, amax, gsw ?? null, so);
          const dw = paddedProduct(swapaxes(ct!, 0, 1, so), swapaxes(x2!, 0, 1, so), q, amax, gsx ?? null, so);
          return [astype(dx, x2!.dtype, so), astype(dw, w2!.dtype, so), ...(global ? [zerosLike(gsx!, so), zerosLike(gsw!, so)] : [])];
        },
        jvp: () => {
          throw new Error("[qqmm] has no jvp (MLX defines none)");
        },
      },
    );
    const x2 = a.x.ndim === 2 ? a.x : reshape(a.x, [-1, K], so);
    const y = fn(x2, a.w, ...(packed ? [a.scales!] : []), ...(global ? [a.gsx!, a.gsw!] : []));
    return a.x.ndim === 2 ? y : reshape(y, [...a.x.shape.slice(0, -1), N], so);
  });
}

/**
 * `qqmm` of batches picked by indices (MLX's `mx.gather_qqmm`, the
 * mixture-of-experts product with both sides quantized): x [...A, M, K] and
 * w [...B, N, K] (float, or packed with `scales`); element i of the broadcast
 * index shape I is `qqmm(x[lhsIndices[i]], w[rhsIndices[i]])`, indices flat
 * over A and B (default: every batch in order); the result is [...I, M, N]
 * in x's dtype. Computed as MLX: x round-tripped through its quantization, w
 * quantized, then `gatherQmm`. No gradient, as MLX.
 * @example
 * ```ts
 * const experts = mx.stack([mx.full([2, 32], 6, mx.float32), mx.full([2, 32], 3, mx.float32)]); // [2, 2, 32]
 * const y = mx.gatherQqmm(mx.full([1, 32], 1.5, mx.float32), experts, null, { rhsIndices: mx.array([1, 0, 1], mx.uint32) });
 * y.shape; // [3, 1, 2]
 * await y.tolist(); // [[[144, 144]], [[288, 288]], [[144, 144]]]
 * ```
 */
export function gatherQqmm(x: MxArray, w: MxArray, scales?: MxArray | null, o?: GatherQqmmOptions): MxArray {
  noExtraArguments("gatherQqmm", arguments, 4);
  return asOp("gatherQqmm", () => {
    const op = "gatherQqmm";
    checkOptions(op, o, ["mode", "groupSize", "bits", "globalScaleX", "globalScaleW", "lhsIndices", "rhsIndices", "sortedIndices"]);
    if (o?.sortedIndices !== undefined && typeof o.sortedIndices !== "boolean") throw opError(op, `sortedIndices must be a boolean, got ${describeValue(o.sortedIndices)}`, [], "type");
    const a = qqmmArgs(op, x, w, scales, o);
    const { q, so } = a;
    if (a.x.ndim < 2) throw opError(op, `x must have at least 2 dimensions, got ${a.x.ndim}`, [a.x], "value");
    const lhs = batchIndices(op, o?.lhsIndices, "lhsIndices", a.x.shape.slice(0, -2), a.s);
    const rhs = batchIndices(op, o?.rhsIndices, "rhsIndices", a.w.shape.slice(0, -2), a.s);
    const packed = a.scales !== null, global = a.gsx !== null;
    const noGradient = () => {
      throw new Error("[gatherQqmm] has no gradient (MLX defines none)");
    };
    // the indices are arguments too, so that the derived vmap maps them
    const fn = customFunction(
      (x1: MxArray, w1: MxArray, li: MxArray, ri: MxArray, ...rest: MxArray[]) => {
        const [x2, w2] = [stopGradient(x1, so), stopGradient(w1, so)];
        const sc = packed ? rest[0]! : null;
        const [gsx, gsw] = global ? rest.slice(packed ? 1 : 0) : [null, null];
        const [wq, ws] = packedWeights(w2, sc, q, gsw ?? null, so);
        const picked = (xh: MxArray) => gatherQmm(xh, wq, ws, null, { lhsIndices: li, rhsIndices: ri, mode: q.mode, ...so });
        return scaledProduct(roundTrip(x2, q, gsx ?? null, so), gsw ?? null, x2.dtype, so, picked);
      },
      { vjp: noGradient, jvp: noGradient },
    );
    return fn(a.x, a.w, lhs, rhs, ...(packed ? [a.scales!] : []), ...(global ? [a.gsx!, a.gsw!] : []));
  });
}
