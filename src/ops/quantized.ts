// Quantization ops with MLX's signatures and layouts (MLX's `mx.quantize`,
// `mx.dequantize`, `mx.quantized_matmul`) in the affine and the microscaling
// modes (mxfp4, mxfp8, nvfp4): weights quantized by MLX load here and give
// the same numbers. Validation lives here, with the checks the primitives'
// validate shares in primitives/quantized.ts.

import { MxArray } from "../array.js";
import { bfloat16, isDType, isFloating, promoteTypes, type DType } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import { checkQmmOperand, checkQuantizable, Dequantize, QuantizedMatmul, Quantize, type QuantizationMode } from "../primitives/quantized.js";
import { broadcastShapes } from "../shape.js";
import { checkResultShape, node, nodes, opStream, type OpOptions } from "./base.js";
import { astype } from "./elementwise.js";
import { take } from "./indexing.js";
import { broadcastTo, reshape } from "./layout.js";
import { asOp, noExtraArguments } from "./strict-options.js";
import { positionalOrOptions } from "./matmul-args.js";
import type { OptionsWithout, PositionalThen } from "../argument-checks.js";
import { batchIndices, checkArray, checkBiases, checkGlobalScale, checkPacked, quantParams, type MicroscalingMode } from "./quantized-args.js";

export type { QuantizationMode } from "../primitives/quantized.js";

export interface QuantizeOptions extends OpOptions {
  /**
   * "affine" (the default): a float scale and bias per group; "mxfp4" / "mxfp8":
   * e2m1 / e4m3 values in groups of 32 sharing a power-of-two scale (e8m0
   * bits); "nvfp4": e2m1 values in groups of 16 sharing an e4m3 scale.
   */
  mode?: QuantizationMode | undefined;
}

export interface QuantizeScaledOptions extends QuantizeOptions {
  /**
   * nvfp4 only: a float32 scalar array, the tensor's global scale (usually its
   * largest magnitude). The e4m3 scales then encode each group's scale times
   * 448 * 6 / globalScale, so they use e4m3's whole range; `dequantize` needs
   * the same globalScale.
   */
  globalScale?: MxArray | undefined;
}

export type { MicroscalingMode } from "./quantized-args.js";

/** The quantization parameters as positionalOrOptions reads them, positionally or from the options: null is MLX's None, the default. */
interface QuantizedPositionals {
  groupSize?: number | null | undefined;
  bits?: number | null | undefined;
}

/** The positional parameters that `quantize` and `dequantize` begin with, in MLX's order: group_size, bits. */
export type GroupSizeAndBits = [["groupSize", number], ["bits", number]];

/** `quantize`'s positional parameters after `w`, in MLX's order: group_size, bits and a mode of `M`. */
export type QuantizeParameters<M extends QuantizationMode> = [...GroupSizeAndBits, ["mode", M]];

/** `quantizedMatmul`'s positional parameters after its arrays, in MLX's order: transpose, group_size, bits, mode. */
export type QuantizedMatmulParameters = [["transpose", boolean], ...QuantizeParameters<QuantizationMode>];

export interface DequantizeOptions extends QuantizeScaledOptions {
  /** The output dtype (default: the promoted dtype of scales and biases; bfloat16 in the microscaling modes). */
  dtype?: DType | undefined;
}

export interface QuantizedMatmulOptions extends QuantizeOptions {
  /** Multiply by the transpose of the dequantized weights (default true, as MLX's linear layers store them). */
  transpose?: boolean | undefined;
  /** Values per scale and bias (default 64; the mode's in the microscaling modes). */
  groupSize?: number | undefined;
  /** Bits per value (default 4; 8 for mxfp8). */
  bits?: number | undefined;
}

/**
 * Quantizes the last axis of `w` in groups as MLX does. Affine mode (the
 * default): groups of `groupSize` (32, 64 or 128) values with `bits` bits
 * (2, 3, 4, 5, 6 or 8) each get a scale and a bias (the group's edge value,
 * so its largest magnitude is exact), values are rounded to
 * `round((w - bias) / scale)` and packed little-end first into uint32 words;
 * returns `[wq, scales, biases]`, scales and biases in w's dtype. Microscaling
 * modes ("mxfp4", "mxfp8", "nvfp4"): each group's scale (uint8 bits: e8m0,
 * or e4m3 for nvfp4) comes from its largest magnitude, values are rounded to
 * e2m1 (4 bits) or e4m3 (8 bits); returns `[wq, scales]`. In nvfp4 mode an
 * optional float32 `globalScale` (MLX's `global_scale`, usually the tensor's
 * largest magnitude) stretches the e4m3 scales by 448 * 6 / globalScale, as MLX.
 * MLX's `quantize(w, group_size, bits, mode)`: groupSize, bits and mode
 * positionally (null or undefined: the default), or in the options.
 * @example
 * ```ts
 * const w = mx.reshape(mx.remainder(mx.arange(32, mx.float32), 16), [1, 32]); // 0..15 twice
 * const [wq, scales, biases] = mx.quantize(w, 32, 4);
 * await scales.tolist(); // [[-1]]
 * await biases.tolist(); // [[15]]
 * await wq.tolist(); // [[0x89abcdef, 0x01234567, 0x89abcdef, 0x01234567]]
 * const [fq, fs] = mx.quantize(mx.full([1, 32], 3, mx.float32), 32, 4, "mxfp4");
 * await fs.tolist(); // [[126]]
 * await fq.tolist(); // [[0x77777777, 0x77777777, 0x77777777, 0x77777777]]
 * // nvfp4 with a global scale of 6: the group's scale 3 / 6 is encoded as 0.5 * 448 = 224 (code 0x76)
 * const [, ns] = mx.quantize(mx.full([1, 16], 3, mx.float32), undefined, undefined, { mode: "nvfp4", globalScale: mx.array(6, mx.float32) });
 * await ns.tolist(); // [[0x76]]
 * ```
 */
export function quantize(w: MxArray, ...rest: PositionalThen<QuantizeParameters<"affine">, QuantizeScaledOptions & { mode?: "affine" | undefined }>): [MxArray, MxArray, MxArray];
/**
 * `quantize` in a microscaling mode ("mxfp4", "mxfp8", "nvfp4"), given
 * positionally (MLX's `quantize(w, group_size, bits, mode)`): `[wq, scales]`, no biases.
 * @example
 * ```ts
 * const [wq, scales] = mx.quantize(mx.ones([1, 32]), 32, 4, "mxfp4");
 * scales.dtype.name; // "uint8"
 * ```
 */
export function quantize(w: MxArray, groupSize: number | null | undefined, bits: number | null | undefined, mode: MicroscalingMode, o?: OptionsWithout<QuantizeScaledOptions, "mode">): [MxArray, MxArray];
/**
 * `quantize` in a microscaling mode ("mxfp4", "mxfp8", "nvfp4") given in the options: `[wq, scales]`, no biases.
 * @example
 * ```ts
 * const [wq, scales] = mx.quantize(mx.ones([1, 32]), { mode: "mxfp4" });
 * scales.dtype.name; // "uint8"
 * ```
 */
export function quantize(w: MxArray, ...rest: PositionalThen<GroupSizeAndBits, QuantizeScaledOptions & { mode: MicroscalingMode }>): [MxArray, MxArray];
/**
 * `quantize` with a mode known only at run time: three arrays in affine mode, two in the microscaling modes.
 * @example
 * ```ts
 * const mode: mx.QuantizationMode = "affine";
 * mx.quantize(mx.ones([1, 32]), 32, 4, mode).length; // 3
 * mx.quantize(mx.ones([1, 32]), 32, 4, { mode }).length; // 3
 * ```
 */
export function quantize(w: MxArray, ...rest: PositionalThen<QuantizeParameters<QuantizationMode>, QuantizeScaledOptions>): MxArray[];
export function quantize(w: MxArray, ...rest: PositionalThen<QuantizeParameters<QuantizationMode>, QuantizeScaledOptions>): MxArray[] {
  noExtraArguments("quantize", arguments, 5);
  return asOp("quantize", () => {
    const op = "quantize";
    const o = positionalOrOptions(op, rest, ["groupSize", "bits", "mode"], ["globalScale"]) as QuantizedPositionals & QuantizeScaledOptions;
    const a = checkArray(op, w, "w");
    const q = quantParams(op, o.groupSize, o.bits, o.mode);
    const gscale = checkGlobalScale(op, o.globalScale, q);
    const s = opStream(op, o, a, gscale);
    checkQuantizable(op, a, q);
    return nodes(new Quantize(q), gscale ? [a, gscale] : [a], s);
  });
}

/**
 * The weights `quantize` packed, unpacked (MLX's `mx.dequantize`): affine
 * `scales * q + biases` per group, or in a microscaling mode (biases null)
 * the scale times the e2m1 / e4m3 value; computed once and rounded, as MLX:
 * affine in the scales' and biases' promoted dtype, then cast to `dtype` where
 * one is given; the microscaling modes straight to `dtype`, from float32
 * steps (default dtype: the scales' and biases' promoted dtype; bfloat16 in
 * the microscaling modes). nvfp4 weights quantized with a `globalScale` need
 * it here too: each group's scale is then its e4m3 value times
 * globalScale / (448 * 6), in float32. MLX's `dequantize(w, scales, biases, group_size,
 * bits, mode, dtype)`: groupSize, bits, mode and dtype positionally, or in
 * the options.
 * @example
 * ```ts
 * const w = mx.reshape(mx.arange(32, mx.float32), [1, 32]);
 * const [wq, scales, biases] = mx.quantize(w, 32, 8);
 * const back = mx.dequantize(wq, scales, biases, 32, 8);
 * back.shape; // [1, 32]
 * await mx.allclose(back, w, { atol: 0.07 }).item(); // true
 * const [fq, fs] = mx.quantize(mx.array([[-3, 0.25, ...new Array(30).fill(1)]]), undefined, undefined, { mode: "mxfp8" });
 * await mx.slice(mx.dequantize(fq, fs, null, undefined, undefined, { mode: "mxfp8" }), [0, 0], [1, 3]).tolist(); // [[-3, 0.25, 1]]
 * mx.dequantize(fq, fs, null, 32, 8, "mxfp8", mx.float32).dtype.name; // "float32"
 * ```
 */
export function dequantize(
  w: MxArray, scales: MxArray, biases: MxArray | null,
  ...rest: PositionalThen<[...QuantizeParameters<QuantizationMode>, ["dtype", DType]], DequantizeOptions>
): MxArray {
  noExtraArguments("dequantize", arguments, 8);
  return asOp("dequantize", () => {
    const op = "dequantize";
    const o = positionalOrOptions(op, rest, ["groupSize", "bits", "mode", "dtype"], ["globalScale"]) as QuantizedPositionals & DequantizeOptions;
    const a = checkArray(op, w, "w"), sc = checkArray(op, scales, "scales");
    const q = quantParams(op, o.groupSize, o.bits, o.mode);
    const bi = checkBiases(op, biases, q);
    const gscale = checkGlobalScale(op, o.globalScale, q);
    const s = opStream(op, o, a, sc, bi, gscale);
    checkPacked(op, a, sc, bi, q);
    const dtype = o.dtype ?? (bi ? promoteTypes(sc.dtype, bi.dtype) : bfloat16);
    if (!isDType(dtype) || !isFloating(dtype)) throw opError(op, `dtype must be a real floating dtype, got ${describeValue(dtype)}`, [], "type");
    const so = { stream: s };
    // affine: computed in the scales' and biases' dtype, then cast to dtype (MLX's astype(affine_dequantize(...), dtype));
    // the microscaling modes compute in dtype itself (MLX's fp_dequantize)
    const compute = bi ? promoteTypes(sc.dtype, bi.dtype) : dtype;
    const prim = new Dequantize(q, compute);
    checkResultShape(op, prim.output([a]).shape, `w unpacked (${a.shape[a.shape.length - 1]} words of ${q.bits}-bit values along its last axis)`, [a]);
    const out = node(prim, bi ? [a, astype(sc, compute, so), astype(bi, compute, so)] : gscale ? [a, sc, gscale] : [a, sc], s);
    return compute === dtype ? out : astype(out, dtype, so);
  });
}

/**
 * `x @ dequantize(w)^T` (or `x @ dequantize(w)` with `transpose: false`)
 * without materialising the dequantized matrix (MLX's
 * `mx.quantized_matmul`). Batch dims of x and w broadcast when w has any.
 * The output dtype is x's promoted with the scales' (affine) or x's
 * (microscaling modes, where biases is null). MLX's
 * `quantized_matmul(x, w, scales, biases, transpose, group_size, bits, mode)`:
 * transpose, groupSize, bits and mode positionally, or in the options.
 * @example
 * ```ts
 * const w = mx.reshape(mx.remainder(mx.arange(64, mx.float32), 16), [2, 32]);
 * const [wq, scales, biases] = mx.quantize(w, 32, 4);
 * const y = mx.quantizedMatmul(mx.ones([1, 32]), wq, scales, biases, { groupSize: 32, bits: 4 });
 * await y.tolist(); // [[240, 240]]
 * await mx.quantizedMatmul(mx.ones([1, 32]), wq, scales, biases, true, 32, 4).tolist(); // [[240, 240]]
 * await mx.quantizedMatmul(mx.ones([1, 32]), wq, scales, biases, true, { groupSize: 32, bits: 4 }).tolist(); // [[240, 240]]
 * ```
 */
export function quantizedMatmul(
  x: MxArray, w: MxArray, scales: MxArray, biases: MxArray | null,
  ...rest: PositionalThen<QuantizedMatmulParameters, QuantizedMatmulOptions>
): MxArray {
  noExtraArguments("quantizedMatmul", arguments, 9);
  return asOp("quantizedMatmul", () => {
    const op = "quantizedMatmul";
    const o = positionalOrOptions(op, rest, ["transpose", "groupSize", "bits", "mode"]) as QuantizedMatmulOptions;
    const xa = checkArray(op, x, "x"), a = checkArray(op, w, "w"), sc = checkArray(op, scales, "scales");
    const q = quantParams(op, o?.groupSize, o?.bits, o?.mode);
    const bi = checkBiases(op, biases, q);
    const transpose = o.transpose ?? true;
    if (typeof transpose !== "boolean") throw opError(op, `transpose must be a boolean, got ${describeValue(transpose)}`, [], "type");
    const s = opStream(op, o, xa, a, sc, bi);
    const Kw = checkPacked(op, a, sc, bi, q);
    checkQmmOperand(op, xa, a, Kw, transpose);
    const nw = a.ndim;
    const dtype = bi ? promoteTypes(xa.dtype, promoteTypes(sc.dtype, bi.dtype)) : xa.dtype;
    if (!isFloating(dtype)) throw opError(op, `x must be a real floating array, got ${xa.dtype.name}`, [xa], "type");
    const so = { stream: s };
    let inputs = bi ? [astype(xa, dtype, so), a, astype(sc, dtype, so), astype(bi, dtype, so)] : [xa, a, sc];
    if (nw > 2) {
      if (xa.ndim < 2) throw opError(op, "x must have at least 2 dimensions when w has batch dimensions", [xa, a], "value");
      const batch = broadcastShapes(op, xa.shape.slice(0, -2), a.shape.slice(0, -2));
      inputs = inputs.map((t) => broadcastTo(t, [...batch, ...t.shape.slice(-2)], so));
    }
    return node(new QuantizedMatmul(q, transpose), inputs, s);
  });
}

export interface GatherQmmOptions extends QuantizedMatmulOptions {
  /** Integer indices into x's batch (its dims before the last two, flattened); default: every batch in order. */
  lhsIndices?: MxArray | undefined;
  /** Integer indices into w's batch (its dims before the last two, flattened); default: every batch in order. */
  rhsIndices?: MxArray | undefined;
  /** MLX's hint that rhsIndices are sorted (it picks a kernel); the results do not depend on it. */
  sortedIndices?: boolean | undefined;
}

/**
 * Quantized matmuls of batches picked by indices (MLX's `mx.gather_qmm`, the
 * mixture-of-experts product): output `[...I, M, N]` where element `i` of the
 * broadcast index shape I is `quantizedMatmul(x[lhsIndices[i]], w[rhsIndices[i]])`,
 * batches counted over x's and w's dims before the last two. Without indices it
 * is `quantizedMatmul`. Out-of-range indices are clamped, as `take` does.
 * Composed of `take` and `quantizedMatmul`: the picked weights stay quantized.
 * MLX's `gather_qmm(x, w, scales, biases, lhs_indices, rhs_indices, transpose,
 * group_size, bits, mode)`: those positionally (null: MLX's None), or in the
 * options; `sortedIndices` only in the options (keyword-only in MLX too).
 * @example
 * ```ts
 * const w = mx.stack([mx.ones([2, 32]), mx.full([2, 32], 2)]); // two experts
 * const [wq, scales, biases] = mx.quantize(w, 32, 4);
 * const y = mx.gatherQmm(mx.ones([1, 32]), wq, scales, biases, { rhsIndices: mx.array([1, 0, 1], mx.uint32), groupSize: 32, bits: 4 });
 * y.shape; // [3, 1, 2]
 * await y.tolist(); // [[[64, 64]], [[32, 32]], [[64, 64]]]
 * await mx.gatherQmm(mx.ones([1, 32]), wq, scales, biases, null, mx.array([1], mx.uint32), true, 32, 4).tolist(); // [[[64, 64]]]
 * ```
 */
export function gatherQmm(
  x: MxArray, w: MxArray, scales: MxArray, biases: MxArray | null,
  ...rest: PositionalThen<[["lhsIndices", MxArray], ["rhsIndices", MxArray], ...QuantizedMatmulParameters], GatherQmmOptions>
): MxArray {
  noExtraArguments("gatherQmm", arguments, 11);
  return asOp("gatherQmm", () => {
    const op = "gatherQmm";
    const o = positionalOrOptions(op, rest, ["lhsIndices", "rhsIndices", "transpose", "groupSize", "bits", "mode"], ["sortedIndices"]) as GatherQmmOptions;
    if (o.sortedIndices !== undefined && typeof o.sortedIndices !== "boolean") throw opError(op, `sortedIndices must be a boolean, got ${describeValue(o.sortedIndices)}`, [], "type");
    const { lhsIndices: lhsGiven, rhsIndices: rhsGiven, sortedIndices: _hint, ...qo } = o;
    // null indices (positionally) are MLX's None: every batch in order
    const [lhsIndices, rhsIndices] = [lhsGiven ?? undefined, rhsGiven ?? undefined];
    if (lhsIndices === undefined && rhsIndices === undefined) return quantizedMatmul(x, w, scales, biases, qo);
    const xa = checkArray(op, x, "x"), a = checkArray(op, w, "w"), sc = checkArray(op, scales, "scales");
    const s = opStream(op, o, xa, a, sc, biases, lhsIndices, rhsIndices);
    const so = { stream: s };
    if (xa.ndim < 2) throw opError(op, `x must have at least 2 dimensions, got ${xa.ndim}`, [xa], "value");
    if (a.ndim < 2) throw opError(op, `w must have at least 2 dimensions, got ${a.ndim}`, [a], "value");
    let lhs = batchIndices(op, lhsIndices, "lhsIndices", xa.shape.slice(0, -2), s);
    let rhs = batchIndices(op, rhsIndices, "rhsIndices", a.shape.slice(0, -2), s);
    const shape = broadcastShapes(op, lhs.shape, rhs.shape);
    [lhs, rhs] = [broadcastTo(lhs, shape, so), broadcastTo(rhs, shape, so)];
    const pick = (t: MxArray, idx: MxArray) => take(reshape(t, [-1, ...t.shape.slice(-2)], so), reshape(idx, [-1], so), 0, so);
    const y = quantizedMatmul(pick(xa, lhs), pick(a, rhs), pick(sc, rhs), biases instanceof MxArray ? pick(biases, rhs) : biases, { ...qo, stream: s });
    return reshape(y, [...shape, ...y.shape.slice(-2)], so);
  });
}
