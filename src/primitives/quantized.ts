// Quantization primitives in MLX's layouts: quantize (outputs: packed uint32
// words, scales, and in affine mode biases), dequantize, and the quantized
// matmul that unpacks weights as it multiplies. Values of `bits` bits sit
// little-end first in the uint32 words of a row; every group of `groupSize`
// values along the last axis shares a scale (affine: a float scale and bias;
// mxfp4 / mxfp8: a power of two in e8m0 bits, values e2m1 / e4m3; nvfp4: an
// e4m3 scale, e2m1 values, groups of 16).

import type { MxArray } from "../array.js";
import { isFloating, uint32, uint8, type DType } from "../dtype.js";
import { describeValue, opError, type Described } from "../errors.js";
import { Primitive, type Spec } from "../primitive.js";
import { on } from "./autodiff.js";
import { batchAll } from "./layout.js";
import { ops } from "./ops-ref.js";
import type { OpOptions } from "../ops/index.js";
import { checkBool, checkChoice, checkDType, checkInputCount, checkRank, checkSameDType } from "./checks.js";

export type QuantizationMode = "affine" | "mxfp4" | "mxfp8" | "nvfp4";

/** The quantization parameters every quantized primitive carries. */
export interface QuantParams {
  readonly groupSize: number;
  readonly bits: number;
  readonly mode: QuantizationMode;
}

const MODES: readonly QuantizationMode[] = ["affine", "mxfp4", "mxfp8", "nvfp4"];
const GROUP_SIZES = [32, 64, 128];
const BITS = [2, 3, 4, 5, 6, 8];
/** Each microscaling mode's fixed group size and bits. */
export const MICRO: Record<Exclude<QuantizationMode, "affine">, { groupSize: number; bits: number }> = { mxfp4: { groupSize: 32, bits: 4 }, mxfp8: { groupSize: 32, bits: 8 }, nvfp4: { groupSize: 16, bits: 4 } };

/** groupSize and bits as MLX allows them in `mode`, or an error naming `op`. */
export function checkQuantParams(op: string, groupSize: unknown, bits: unknown, mode: QuantizationMode): QuantParams {
  if (mode !== "affine") {
    const want = MICRO[mode];
    if (groupSize !== want.groupSize) throw opError(op, `mode '${mode}' requires groupSize ${want.groupSize}, got ${describeValue(groupSize)}`, [], "value");
    if (bits !== want.bits) throw opError(op, `mode '${mode}' requires bits ${want.bits}, got ${describeValue(bits)}`, [], "value");
    return { groupSize: want.groupSize, bits: want.bits, mode };
  }
  if (typeof groupSize !== "number" || !GROUP_SIZES.includes(groupSize)) throw opError(op, `groupSize ${describeValue(groupSize)} is not supported; valid: ${GROUP_SIZES.join(", ")}`, [], "value");
  if (typeof bits !== "number" || !BITS.includes(bits)) throw opError(op, `bits ${describeValue(bits)} is not supported; valid: ${BITS.join(", ")}`, [], "value");
  return { groupSize, bits, mode };
}

/** A primitive's `q` checked: an object of a mode and the groupSize and bits it allows. */
function quantOf(op: string, q: unknown): QuantParams {
  if (q === null || typeof q !== "object") throw opError(op, `q must be the quantization parameters { groupSize, bits, mode }, got ${describeValue(q)}`, [], "type");
  const { groupSize, bits, mode } = q as Record<string, unknown>;
  return checkQuantParams(op, groupSize, bits, checkChoice(op, "mode", mode, MODES));
}

/** MLX's rule for a global scale (nvfp4): one float32 element. */
export function checkGlobalScaleSpec(op: string, g: Described): void {
  const size = g.shape.reduce((a, b) => a * b, 1);
  if (size !== 1) throw opError(op, `globalScale must be a scalar (one element), got shape [${g.shape.join(", ")}]`, [g], "value");
  if (g.dtype.name !== "float32") throw opError(op, `globalScale must be float32, got ${g.dtype.name}`, [g], "type");
}

/** w (packed) against scales and biases: uint32 words, same leading shape, K = words * 32 / bits = groups * groupSize; K, or an error naming `op`. */
export function checkPacked(op: string, w: Described, scales: Described, biases: Described | null, q: QuantParams): number {
  if (w.dtype.name !== "uint32") throw opError(op, `the quantized weights w must be uint32, got ${w.dtype.name}`, [w], "type");
  const nw = w.shape.length, ns = scales.shape.length;
  if (nw < 2) throw opError(op, `the quantized weights w must have at least 2 dimensions, got ${nw}`, [w], "value");
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  if (biases) {
    if (!isFloating(scales.dtype) || !isFloating(biases.dtype)) throw opError(op, `scales and biases must be real floating arrays, got ${scales.dtype.name} and ${biases.dtype.name}`, [scales, biases], "type");
    if (!same(scales.shape, biases.shape)) throw opError(op, `scales and biases must have the same shape, got [${scales.shape.join(", ")}] and [${biases.shape.join(", ")}]`, [scales, biases], "value");
  } else if (scales.dtype.name !== "uint8") {
    throw opError(op, `scales must be uint8 (the scale bits) in mode '${q.mode}', got ${scales.dtype.name}`, [scales], "type");
  }
  if (ns !== nw || !same(scales.shape.slice(0, -1), w.shape.slice(0, -1))) {
    throw opError(op, `scales must have w's shape but for the last axis: w [${w.shape.join(", ")}], scales [${scales.shape.join(", ")}]`, [w, scales], "value");
  }
  const K = (w.shape[nw - 1]! * 32) / q.bits;
  if (!Number.isInteger(K) || K !== scales.shape[ns - 1]! * q.groupSize) {
    throw opError(op, `w [${w.shape.join(", ")}] and scales [${scales.shape.join(", ")}] do not match groupSize ${q.groupSize} and bits ${q.bits}: the last axis unpacks to ${K} values, the scales cover ${scales.shape[ns - 1]! * q.groupSize}`, [w, scales], "value");
  }
  return K;
}

/** Throws (naming `op`) unless `w` is a real float array of at least 2 dimensions whose last axis holds whole groups. */
export function checkQuantizable(op: string, w: Described, q: QuantParams): void {
  if (!isFloating(w.dtype)) throw opError(op, `only real floating arrays can be quantized, got ${w.dtype.name}`, [w], "type");
  if (w.shape.length < 2) throw opError(op, `w must have at least 2 dimensions, got ${w.shape.length}`, [w], "value");
  const K = w.shape[w.shape.length - 1]!;
  if (K % q.groupSize !== 0) throw opError(op, `the last axis of w (${K}) must be a multiple of groupSize ${q.groupSize}`, [w], "value");
}

/** Throws (naming `op`) unless x's last axis is the inner dimension of the dequantized w (K unpacked values per row, `transpose`: w is [N, K]). */
export function checkQmmOperand(op: string, x: Described, w: Described, K: number, transpose: boolean): void {
  if (x.shape.length < 1) throw opError(op, "x must have at least 1 dimension", [x], "value");
  const nw = w.shape.length;
  const inner = transpose ? K : w.shape[nw - 2]!, outer = transpose ? w.shape[nw - 2]! : K;
  if (x.shape[x.shape.length - 1] !== inner) {
    throw opError(op, `the last axis of x (${x.shape[x.shape.length - 1]}) does not match the dequantized weights [${transpose ? `${outer}, ${inner}` : `${inner}, ${outer}`}] (transpose: ${transpose})`, [x, w], "value");
  }
}

/**
 * w: [..., K] float -> [wq [..., K * bits / 32] uint32, scales [..., K / groupSize] (w's dtype; uint8 bits in the microscaling modes), biases (affine only)].
 * nvfp4 may take a second input, the float32 global scale (one element): the scales then encode scale * 448 * 6 / globalScale.
 */
export class Quantize extends Primitive {
  readonly name = "quantize";
  constructor(readonly q: QuantParams) {
    super();
  }
  override params() {
    return { ...this.q };
  }
  /** w float with whole groups along its last axis; nvfp4 may add its global scale. */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 1, 2);
    const q = quantOf(this.name, this.q);
    checkQuantizable(this.name, inputs[0]!, q);
    if (inputs.length === 2) {
      if (q.mode !== "nvfp4") throw opError(this.name, `a global scale is only supported in mode 'nvfp4', got mode '${q.mode}'`, inputs, "value");
      checkGlobalScaleSpec(this.name, inputs[1]!);
    }
  }
  output(inputs: readonly Spec[]): Spec {
    return this.outputs(inputs)[0]!;
  }
  override outputs([w]: readonly Spec[]): readonly Spec[] {
    const lead = w!.shape.slice(0, -1), K = w!.shape[w!.shape.length - 1]!;
    const sshape = [...lead, K / this.q.groupSize];
    const wq = { shape: [...lead, (K * this.q.bits) / 32], dtype: uint32 };
    if (this.q.mode !== "affine") return [wq, { shape: sshape, dtype: uint8 }];
    return [wq, { shape: sshape, dtype: w!.dtype }, { shape: sshape, dtype: w!.dtype }];
  }
  override vjpOutputs(): (MxArray | null)[] {
    throw new Error("[quantize] has no gradient: rounding to integers is piecewise constant");
  }
  override jvpOutputs(): (MxArray | null)[] {
    throw new Error("[quantize] has no gradient: rounding to integers is piecewise constant");
  }
  /** Groups lie along the last axis: the batch goes first (a batch on the last axis moves too). */
  override vmapOutputs(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray[], number[]] {
    const o = { mode: this.q.mode, ...on(inputs[0]!) };
    if (inputs.length === 2 && axes[1] !== null) {
      // a global scale per example: each example quantized with its own
      const [w, g] = batchAll(inputs, axes);
      const out = perExample("quantize", g!.shape[0]!, (b) => ops.quantize(ops.take(w!, b, 0, on(w!)), this.q.groupSize, this.q.bits, { ...o, globalScale: ops.take(g!, b, 0, on(g!)) }));
      return [out, out.map(() => 0)];
    }
    const b = ops.moveaxis(inputs[0]!, axes[0]!, 0, on(inputs[0]!));
    const out: MxArray[] = ops.quantize(b, this.q.groupSize, this.q.bits, { ...o, globalScale: inputs[1] });
    return [out, out.map(() => 0)];
  }
}

/**
 * [wq, scales, biases] (affine), [wq, scales] or (nvfp4) [wq, scales, globalScale]
 * -> [..., K] of `dtype`: scale * q + bias (or scale * value, the scale times
 * globalScale / (448 * 6) where given), rounded once.
 */
export class Dequantize extends Primitive {
  readonly name = "dequantize";
  constructor(
    readonly q: QuantParams,
    readonly dtype: DType,
  ) {
    super();
  }
  override params() {
    return { ...this.q, dtype: this.dtype.name };
  }
  /** [wq, scales, biases] (affine, scales and biases of the output dtype), [wq, scales] or (nvfp4) [wq, scales, globalScale], packed as q says. */
  override validate(inputs: readonly Spec[]): void {
    const op = this.name;
    const q = quantOf(op, this.q);
    const dtype = checkDType(op, "dtype", this.dtype);
    if (!isFloating(dtype)) throw opError(op, `dtype must be a real floating dtype, got ${dtype.name}`, [], "type");
    const affine = q.mode === "affine";
    checkInputCount(op, inputs, affine ? 3 : 2, q.mode === "nvfp4" || affine ? 3 : 2);
    const [w, scales, third] = inputs as [Spec, Spec, Spec | undefined];
    checkPacked(op, w, scales, affine ? third! : null, q);
    if (affine) checkSameDType(op, [{ shape: [], dtype }, scales, third!], ["dtype", "the scales", "the biases"]);
    else if (third) checkGlobalScaleSpec(op, third);
  }
  output([w]: readonly Spec[]): Spec {
    const nd = w!.shape.length;
    return { shape: [...w!.shape.slice(0, -1), (w!.shape[nd - 1]! * 32) / this.q.bits], dtype: this.dtype };
  }
  /** No gradient reaches the packed integers; affine scales and biases get theirs by the chain rule on scale * q + bias. */
  override vjp([wq, scales, third]: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    if (this.q.mode !== "affine") return third ? [null, null, null] : [null, null];
    const o = on(ct);
    const g = ops.unflatten(ct, -1, [-1, this.q.groupSize], o);
    const unit = ops.dequantize(wq!, ops.onesLike(scales!, o), ops.zerosLike(scales!, o), this.q.groupSize, this.q.bits, { dtype: ct.dtype, ...o });
    const qv = ops.unflatten(unit, -1, [-1, this.q.groupSize], o);
    return [null, ops.astype(ops.sum(ops.multiply(g, qv, o), { axis: -1, ...o }), scales!.dtype, o), ops.astype(ops.sum(g, { axis: -1, ...o }), scales!.dtype, o)];
  }
  override vmap(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray, number] {
    const affine = this.q.mode === "affine";
    const o = { dtype: this.dtype, mode: this.q.mode, ...on(inputs[0]!) };
    if (!affine && inputs.length === 3 && axes[2] !== null) {
      // a global scale per example: each example dequantized with its own
      const [wq, s, g] = batchAll(inputs, axes);
      const pick = (t: MxArray, b: number) => ops.take(t, b, 0, on(t));
      const [out] = perExample("dequantize", g!.shape[0]!, (b) => [ops.dequantize(pick(wq!, b), pick(s!, b), null, this.q.groupSize, this.q.bits, { ...o, globalScale: pick(g!, b) })]);
      return [out!, 0];
    }
    const [wq, s, b] = batchAll(affine ? inputs : inputs.slice(0, 2), affine ? axes : axes.slice(0, 2));
    return [ops.dequantize(wq!, s!, affine ? b! : null, this.q.groupSize, this.q.bits, { ...o, globalScale: affine ? undefined : inputs[2] }), 0];
  }
}

/**
 * x [..., M, K] times the dequantized weights: with `transpose` w is [..., N, K
 * packed] and the product is x @ W^T, else w is [K, N packed] and it is x @ W.
 * Inputs: x, wq, scales, biases (affine: x, scales and biases of the output
 * dtype) or x, wq, scales (uint8); when w has batch dims the op has broadcast
 * them with x's.
 */
export class QuantizedMatmul extends Primitive {
  readonly name = "quantizedMatmul";
  constructor(
    readonly q: QuantParams,
    readonly transpose: boolean,
  ) {
    super();
  }
  override params() {
    return { ...this.q, transpose: this.transpose };
  }
  /**
   * x, wq, scales and (affine) biases: x float (affine: scales and biases
   * of its dtype), packed weights as q says whose inner dimension is x's last
   * axis, and batch dimensions of w, when it has any, equal to x's.
   */
  override validate(inputs: readonly Spec[]): void {
    const op = this.name;
    const q = quantOf(op, this.q);
    const transpose = checkBool(op, "transpose", this.transpose);
    const affine = q.mode === "affine";
    checkInputCount(op, inputs, affine ? 4 : 3);
    const [x, w, scales, biases] = inputs as [Spec, Spec, Spec, Spec | undefined];
    checkQmmOperand(op, x, w, checkPacked(op, w, scales, biases ?? null, q), transpose);
    if (!isFloating(x.dtype)) throw opError(op, `x must be a real floating array, got ${x.dtype.name}`, [x], "type");
    if (affine) checkSameDType(op, [x, scales, biases!], ["x", "the scales", "the biases"]);
    if (w.shape.length > 2) {
      checkRank(op, "x", x, w.shape.length);
      if (x.shape.slice(0, -2).some((d, i) => d !== w.shape[i])) throw opError(op, `x must have w's batch dimensions, got x [${x.shape.join(", ")}] and w [${w.shape.join(", ")}]`, [x, w], "value");
    }
  }
  output([x, w]: readonly Spec[]): Spec {
    const nw = w!.shape.length;
    const N = this.transpose ? w!.shape[nw - 2]! : (w!.shape[nw - 1]! * 32) / this.q.bits;
    return { shape: [...x!.shape.slice(0, -1), N], dtype: x!.dtype };
  }
  private options(transpose: boolean, o: OpOptions) {
    return { transpose, groupSize: this.q.groupSize, bits: this.q.bits, mode: this.q.mode, ...o };
  }
  /**
   * x: the product with the other transpose (MLX's rule); affine scales and
   * biases: through the dense weight gradient; the packed words and
   * microscaling scales: none (uint8 inputs carry no gradient).
   */
  override vjp([x, wq, scales, biases]: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    const o = on(ct);
    const dx = ops.quantizedMatmul(ct, wq!, scales!, biases ?? null, this.options(!this.transpose, o));
    if (this.q.mode !== "affine") return [dx, null, null];
    // the gradient of the dense weight matrix, in w's layout (rows of w, unpacked last axis)
    const nw = wq!.ndim;
    const fc = nw === 2 ? ops.reshape(ct, [-1, ct.shape[ct.ndim - 1]!], o) : ct;
    const fx = nw === 2 ? ops.reshape(x!, [-1, x!.shape[x!.ndim - 1]!], o) : x!;
    const dw = this.transpose ? ops.matmul(ops.swapaxes(fc, -1, -2, o), fx, o) : ops.matmul(ops.swapaxes(fx, -1, -2, o), fc, o);
    const dsb = ops.unflatten(dw, -1, [-1, this.q.groupSize], o);
    const unit = ops.dequantize(wq!, ops.onesLike(scales!, o), ops.zerosLike(scales!, o), this.q.groupSize, this.q.bits, { dtype: ct.dtype, ...o });
    const qv = ops.unflatten(unit, -1, [-1, this.q.groupSize], o);
    return [dx, null, ops.sum(ops.multiply(dsb, qv, o), { axis: -1, ...o }), ops.sum(dsb, { axis: -1, ...o })];
  }
  override jvp([, wq, scales, biases]: readonly MxArray[], [tx, tw, ts, tb]: readonly (MxArray | null)[], out: MxArray): MxArray | null {
    if (tw || ts || tb) throw new Error("[quantizedMatmul] jvp is defined for x only (MLX: no JVP wrt the quantized matrix)");
    if (!tx) return null;
    return ops.quantizedMatmul(tx, wq!, scales!, biases ?? null, this.options(this.transpose, on(out)));
  }
  /**
   * A batch of x only: it goes first and the product broadcasts it (x of rank 1
   * becomes the rows of a matrix). A batch of the weights: the three weight
   * inputs take it first, with size-1 dims up to x's batch rank.
   */
  override vmap(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray, number] {
    const [x, ...wsb] = inputs;
    const [ax, ...wAxes] = axes;
    const opts = this.options(this.transpose, on(x!));
    if (wAxes.every((a) => a === null)) {
      const bx = ops.moveaxis(x!, ax!, 0, on(x!));
      return [ops.quantizedMatmul(bx, wsb[0]!, wsb[1]!, wsb[2] ?? null, opts), 0];
    }
    let [w, s, b] = batchAll(wsb, wAxes);
    // per-sample ranks of the batch dims of x and w; each is padded after the batch to the other's
    const xRank = x!.ndim - (ax === null ? 0 : 1);
    let bx = ax === null ? x! : ops.moveaxis(x!, ax!, 0, on(x!));
    if (xRank === 1) bx = ops.expandDims(bx, -2, on(bx));
    const xb = Math.max(0, xRank - 2), wb = w!.ndim - 3;
    const pad = (t: MxArray, n: number) => (n > 0 ? ops.reshape(t, [t.shape[0]!, ...Array<number>(n).fill(1), ...t.shape.slice(1)], on(t)) : t);
    [w, s, b] = [pad(w!, xb - wb), pad(s!, xb - wb), b && pad(b, xb - wb)];
    if (ax !== null) bx = pad(bx, wb - xb);
    const out = ops.quantizedMatmul(bx, w!, s!, b ?? null, opts);
    return [xRank === 1 ? ops.squeeze(out, -2, on(out)) : out, 0];
  }
}

/** The outputs of `fn` for examples 0..B-1 (of `op`'s vmap), each stacked along a new first axis. */
function perExample(op: string, B: number, fn: (b: number) => MxArray[]): MxArray[] {
  if (B === 0) throw new Error(`[${op}] vmap over an empty batch of global scales is not supported`);
  const runs = Array.from({ length: B }, (_, b) => fn(b));
  return runs[0]!.map((_, k) => ops.stack(runs.map((r) => r[k]!), { axis: 0, ...on(runs[0]![k]!) }));
}
