// Layout primitives: reshape (to a shape, or by a rule of the input's),
// transpose, broadcast (to a shape, or against other inputs' shapes) and
// slice (views of the input's buffer where the strides allow), concatenate
// and pad (copies).
// Parameters are fully resolved by the ops: no negative axes, no defaults.

import type { MxArray } from "../array.js";
import { bool } from "../dtype.js";
import { describeValue, opError, shapeStr, type Described } from "../errors.js";
import { node, ops } from "./ops-ref.js";
import { checkResultShape } from "../ops/base.js";
import { Primitive, type Spec } from "../primitive.js";
import { inShapelessTrace } from "../compile/shapeless-tracing.js";
import { broadcastShapes, MAX_DIM, sameShape, sizeOf } from "../shape.js";
import { alignBatched, batchFirst, batchSize, on, shiftAxes, unbroadcast } from "./autodiff.js";
import { checkAxes, checkAxis, checkDims, checkInputCount, checkInt, checkIntList, checkRank, checkSameDType } from "./checks.js";

/** Throws (naming `op`) unless `shape` holds the input's `size` elements (a reshape keeps every element). */
export function checkReshapeSize(op: string, size: number, shape: readonly number[], inputs: readonly Described[]): void {
  if (sizeOf(shape) !== size) throw opError(op, `cannot reshape ${size} elements into shape ${shapeStr(shape)} (${sizeOf(shape)} elements)`, inputs, "value");
}

/**
 * `shape` with its one -1 inferred so that it holds the elements of an array
 * of shape `from` (counted exactly, so a broadcast view past 2^53 - 1
 * elements too), or an error naming `op`: the other sizes must be non-zero
 * and divide the count.
 */
export function inferredShape(op: string, from: readonly number[], shape: readonly number[], inputs: readonly Described[]): number[] {
  const exact = (s: readonly number[]) => s.reduce((p, d) => p * BigInt(d), 1n);
  const size = exact(from), known = exact(shape.filter((d) => d !== -1));
  if (known === 0n || size % known !== 0n) throw opError(op, `cannot infer the -1 dimension of ${shapeStr(shape)} for ${size} elements`, inputs, "value");
  const out = shape.map((d) => (d === -1 ? Number(size / known) : d));
  checkResultShape(op, out, `shape ${JSON.stringify(shape)} for ${size} elements`, inputs);
  return out;
}

/**
 * The sizes axis `axis` (of `n` elements) splits into by `shape` (argument
 * `name`: integers, one of them may be -1 for the rest), or an error naming `op`.
 */
export function unflattenParts(op: string, shape: unknown, axis: number, n: number, inputs: readonly Described[], name = "shape"): number[] {
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d >= -1)) {
    throw opError(op, `${name} must be a non-empty list of integers >= -1, got ${describeValue(shape)}`, inputs, "type");
  }
  const known = sizeOf(shape.filter((d) => d !== -1));
  const infer = shape.filter((d) => d === -1).length;
  if (infer > 1 || (infer === 0 && known !== n) || (infer === 1 && (known === 0 || n % known !== 0))) {
    throw opError(op, `${name} ${JSON.stringify(shape)} does not split axis ${axis} of size ${n}`, inputs, "value");
  }
  return shape.map((d: number) => (d === -1 ? n / known : d));
}

/** Whether `perm` lists each of the `ndim` axes once. */
export function isPermutation(perm: unknown, ndim: number): boolean {
  return Array.isArray(perm) && perm.length === ndim && perm.every((p, i) => Number.isInteger(p) && p >= 0 && p < ndim && perm.indexOf(p) === i);
}

/** Throws (naming `op`) unless `from` broadcasts to `to` (NumPy's rules). */
export function checkBroadcastTo(op: string, from: readonly number[], to: readonly number[], inputs: readonly Described[]): void {
  if (!sameShape(broadcastShapes(op, from, to), to)) throw opError(op, `cannot broadcast shape ${shapeStr(from)} to ${shapeStr(to)}`, inputs, "value");
}

/**
 * The first axis along which the region of `count` elements from `start` in
 * steps of `step` leaves an array of `shape` (an empty region may start at the
 * end), or -1 when it lies inside. The numbers are integers, the steps non-zero.
 */
export function regionOutside(shape: readonly number[], start: readonly number[], step: readonly number[], count: readonly number[]): number {
  return shape.findIndex((n, d) => {
    const s = start[d]!, c = count[d]!, last = s + (c - 1) * step[d]!;
    return c === 0 ? s < 0 || s > n : s < 0 || s >= n || last < 0 || last >= n;
  });
}

/** `start`, `step` (non-zero) and `count` as integers per axis of `x`, the region they give inside it; the error names `op` and the parameters. */
export function checkRegion(op: string, x: Spec, start: unknown, step: unknown, count: readonly number[], what: string): void {
  const nd = x.shape.length;
  const st = checkIntList(op, "start", start, nd, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const k = checkIntList(op, "step", step, nd, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  if (k.includes(0)) throw opError(op, `step must hold non-zero integers, got ${describeValue(step)}`, [x], "value");
  const d = regionOutside(x.shape, st, k, count);
  if (d >= 0) throw opError(op, `start ${JSON.stringify(st)}, step ${JSON.stringify(k)} and ${what} ${shapeStr(count)} reach outside axis ${d} of the input (size ${x.shape[d]})`, [x], "range");
}

/** Throws (naming `op`) unless `specs` have one rank (at least 1) and the same shape except along `axis`. */
export function checkConcatShapes(op: string, specs: readonly Described[], axis: number): void {
  const first = specs[0]!.shape;
  for (const a of specs) {
    if (a.shape.length !== first.length || a.shape.some((d, i) => i !== axis && d !== first[i])) throw opError(op, `all shapes must match except on axis ${axis}`, specs, "value");
  }
}

/** Throws (naming `op`) unless `pairs` (argument `name`, as given: `given`) hold a non-negative (low, high) per axis of `shape` that keeps each axis within 2^31 - 1. */
export function checkPadPairs(op: string, shape: readonly number[], pairs: readonly unknown[], name: string, given: unknown, inputs: readonly Described[]): void {
  if (pairs.length !== shape.length || !pairs.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v) && v >= 0))) {
    throw opError(op, `${name} must give non-negative integer (low, high) pairs for each of the ${shape.length} axes, got ${describeValue(given)}`, inputs, "value");
  }
  const big = (pairs as [number, number][]).findIndex((p, i) => shape[i]! + p[0] + p[1] > MAX_DIM);
  if (big >= 0) throw opError(op, `${name} ${JSON.stringify(pairs[big])} makes axis ${big} larger than 2^31 - 1`, inputs, "value");
}

/** A primitive whose one parameter is its output shape (the dtype is the input's). */
abstract class ToShape extends Primitive {
  constructor(readonly shape: readonly number[]) {
    super();
  }
  override params() {
    return { shape: this.shape };
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: this.shape, dtype: x!.dtype };
  }
}

/** Same elements in row-major order, new shape. */
export class Reshape extends ToShape {
  readonly name = "reshape";
  /** The shape holds the input's elements (its kernel makes a view of them). */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 1);
    checkReshapeSize(this.name, sizeOf(inputs[0]!.shape), checkDims(this.name, "shape", this.shape), inputs);
  }
  override vjp([x]: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    return [ops.reshape(ct, x!.shape, on(ct))];
  }
  override jvp(_x: readonly MxArray[], [t]: readonly (MxArray | null)[], out: MxArray): MxArray | null {
    return t ? ops.reshape(t, out.shape, on(t)) : null;
  }
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const b = batchFirst(x!, axis!);
    return [ops.reshape(b, [b.shape[0]!, ...this.outShape(b.shape.slice(1))], on(b)), 0];
  }
  /** The output's shape for an input of shape `input`: the primitive's own (a rule of the input's in flatten and unflatten). */
  protected outShape(_input: readonly number[]): readonly number[] {
    return this.shape;
  }
}

/**
 * A reshape whose output shape is a rule of the input's (flatten, unflatten,
 * a reshape with -1), so a shapeless trace replays it on other shapes; `shape` is the one it was
 * built for. Its kernel is reshape's, which takes the output's shape.
 */
export abstract class ShapeRule extends Reshape {
  protected abstract override outShape(input: readonly number[]): number[];
  /** The same rule one axis further on (for a batch axis in front), built for output `shape`. */
  protected abstract shifted(shape: readonly number[]): ShapeRule;
  override output([x]: readonly Spec[]): Spec {
    return { shape: this.outShape(x!.shape), dtype: x!.dtype };
  }
  /** The rule shifted past the batch axis, so a shapeless trace keeps it. */
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const b = batchFirst(x!, axis!);
    return [node(this.shifted(this.shifted([]).outShape(b.shape)), [b], b.stream), 0];
  }
}

/** Axes start..end (start < end) merged into one (MLX's Flatten). */
export class Flatten extends ShapeRule {
  constructor(
    readonly start: number,
    readonly end: number,
    shape: readonly number[],
  ) {
    super(shape);
  }
  override params() {
    return { shape: this.shape, flatten: [this.start, this.end] };
  }
  /** start <= end, both axes of the input (else the output would not hold the input's elements). */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 1);
    checkInt(this.name, "start", this.start, 0, checkAxis(this.name, "end", this.end, inputs[0]!.shape.length));
  }
  protected outShape(s: readonly number[]): number[] {
    return [...s.slice(0, this.start), s.slice(this.start, this.end + 1).reduce((a, b) => a * b, 1), ...s.slice(this.end + 1)];
  }
  protected shifted(shape: readonly number[]): Flatten {
    return new Flatten(this.start + 1, this.end + 1, shape);
  }
}

/** Axis `axis` split into `parts`, one of which may be -1: the rest of the axis (MLX's Unflatten); the other axes follow the input. */
export class Unflatten extends ShapeRule {
  constructor(
    readonly axis: number,
    readonly parts: readonly number[],
    shape: readonly number[],
  ) {
    super(shape);
  }
  override params() {
    return { shape: this.shape, unflatten: [this.axis, this.parts] };
  }
  /** `axis` is an axis of the input and `parts` split it (the kernel takes the output's shape, not `shape`). */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 1);
    checkAxis(this.name, "axis", this.axis, inputs[0]!.shape.length);
    this.outShape(inputs[0]!.shape);
  }
  protected outShape(s: readonly number[]): number[] {
    const parts = unflattenParts(this.name, this.parts, this.axis, s[this.axis]!, [], "parts");
    return [...s.slice(0, this.axis), ...parts, ...s.slice(this.axis + 1)];
  }
  protected shifted(shape: readonly number[]): Unflatten {
    return new Unflatten(this.axis + 1, this.parts, shape);
  }
}

/**
 * A reshape with one size inferred (MLX's Reshape of a shape holding -1):
 * the input's first `lead` axes kept (a vmap's batch axis), the others
 * reshaped to `parts`, whose given sizes stay fixed and whose -1 takes the
 * rest of the elements; so a shapeless trace replays it on any input whose
 * element count those sizes divide.
 */
export class InferredReshape extends ShapeRule {
  constructor(
    readonly lead: number,
    readonly parts: readonly number[],
    shape: readonly number[],
  ) {
    super(shape);
  }
  override params() {
    return { shape: this.shape, lead: this.lead, parts: this.parts };
  }
  /** `parts` holds one -1 and sizes the input's axes after `lead` fill (the kernel takes the output's shape, not `shape`). */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 1);
    const x = inputs[0]!;
    checkInt(this.name, "lead", this.lead, 0, x.shape.length);
    const parts: unknown = this.parts;
    if (!Array.isArray(parts) || !parts.every((d) => Number.isInteger(d) && d >= -1 && d <= MAX_DIM) || parts.filter((d) => d === -1).length !== 1) {
      throw opError(this.name, `parts must be a list of integers from -1 to 2^31 - 1 holding one -1, got ${describeValue(parts)}`, inputs, "type");
    }
    inferredShape(this.name, x.shape.slice(this.lead), this.parts, inputs);
  }
  protected outShape(s: readonly number[]): number[] {
    return [...s.slice(0, this.lead), ...inferredShape(this.name, s.slice(this.lead), this.parts, [])];
  }
  protected shifted(shape: readonly number[]): InferredReshape {
    return new InferredReshape(this.lead + 1, this.parts, shape);
  }
}

/** Size-1 axes inserted at `axes` (distinct, increasing axes of the output; MLX's ExpandDims); the other axes follow the input. */
export class ExpandDims extends ShapeRule {
  constructor(
    readonly axes: readonly number[],
    shape: readonly number[],
  ) {
    super(shape);
  }
  override params() {
    return { shape: this.shape, expandDims: this.axes };
  }
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 1);
    const nd = inputs[0]!.shape.length + (Array.isArray(this.axes) ? this.axes.length : 0);
    const ok = Array.isArray(this.axes) && this.axes.every((a, i) => Number.isInteger(a) && a >= 0 && a < nd && (i === 0 || a > this.axes[i - 1]!));
    if (!ok) throw opError("expandDims", `axes must be distinct increasing axes of the output's ${nd} dimensions, got ${describeValue(this.axes)}`, inputs, "range");
  }
  protected outShape(s: readonly number[]): number[] {
    const out = [...s];
    for (const a of this.axes) out.splice(a, 0, 1);
    return out;
  }
  protected shifted(shape: readonly number[]): ExpandDims {
    return new ExpandDims(shiftAxes(this.axes), shape);
  }
}

/** The size-1 axes `axes` (distinct, increasing axes of the input) removed (MLX's Squeeze); a replay checks they are size 1. */
export class Squeeze extends ShapeRule {
  constructor(
    readonly axes: readonly number[],
    shape: readonly number[],
  ) {
    super(shape);
  }
  override params() {
    return { shape: this.shape, squeeze: this.axes };
  }
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 1);
    const x = inputs[0]!;
    for (const ax of checkAxes("squeeze", "axes", this.axes, x.shape.length, true)) {
      if (x.shape[ax] !== 1) throw opError("squeeze", `cannot squeeze axis ${ax} of size ${x.shape[ax]} (only size-1 axes)`, [x], "value");
    }
  }
  protected outShape(s: readonly number[]): number[] {
    return s.filter((_, i) => !this.axes.includes(i));
  }
  protected shifted(shape: readonly number[]): Squeeze {
    return new Squeeze(shiftAxes(this.axes), shape);
  }
}

export class Transpose extends Primitive {
  readonly name = "transpose";
  constructor(readonly perm: readonly number[]) {
    super();
  }
  override params() {
    return { perm: this.perm };
  }
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 1);
    const n = inputs[0]!.shape.length;
    if (!isPermutation(this.perm, n)) throw opError(this.name, `perm ${JSON.stringify(this.perm)} is not a permutation of the ${n} axes of the input`);
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: this.perm.map((p) => x!.shape[p]!), dtype: x!.dtype };
  }
  override vjp(_x: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    const inverse = this.perm.map((_, i) => this.perm.indexOf(i));
    return [ops.transpose(ct, inverse, on(ct))];
  }
  override jvp(_x: readonly MxArray[], [t]: readonly (MxArray | null)[]): MxArray | null {
    return t ? ops.transpose(t, this.perm, on(t)) : null;
  }
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const b = batchFirst(x!, axis!);
    return [ops.transpose(b, [0, ...this.perm.map((p) => p + 1)], on(b)), 0];
  }
}

/** Broadcast to `shape` (same rank as the input after the op left-pads it with a reshape). */
export class Broadcast extends ToShape {
  readonly name = "broadcast";
  /** The input has the shape's rank and each of its axes is the shape's or 1 (the kernel gives those stride 0). */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 1);
    const x = inputs[0]!;
    checkBroadcastTo(this.name, x.shape, checkDims(this.name, "shape", this.shape, x.shape.length), inputs);
  }
  override vjp([x]: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    return [unbroadcast(ct, x!.shape)];
  }
  override jvp(_x: readonly MxArray[], [t]: readonly (MxArray | null)[]): MxArray | null {
    return t ? ops.broadcastTo(t, this.shape, on(t)) : null;
  }
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const b = batchFirst(x!, axis!);
    return [ops.broadcastTo(b, [b.shape[0]!, ...this.shape], on(b)), 0];
  }
}

/**
 * The shape a BroadcastAxes node gives input 0 of `shapes`: the leading axes
 * (all but the last `kept`) of every input broadcast together (NumPy's rules,
 * aligned from the right), then input 0's last `kept` axes.
 */
export function broadcastAxesShape(op: string, shapes: readonly (readonly number[])[], kept: number): number[] {
  const lead = broadcastShapes(op, ...shapes.map((s) => s.slice(0, s.length - kept)));
  const own = shapes[0]!;
  return [...lead, ...own.slice(own.length - kept)];
}

/**
 * Input 0 broadcast against the other inputs over all but its last `kept`
 * axes (MLX's BroadcastAxes): the other inputs give only their shapes, so a
 * shapeless trace replays it on new ones (matmul's batch axes). Broadcast
 * fixes the shape in its parameters instead; ops build this one only while a
 * shapeless trace runs.
 */
export class BroadcastAxes extends Primitive {
  readonly name = "broadcastAxes";
  /** `op`: the op that built the node (matmul), which a replay's shape errors name (absent from files written before it: this primitive's name). */
  constructor(
    readonly kept: number,
    readonly op?: string,
  ) {
    super();
  }
  private get shapeOp(): string {
    return this.op ?? this.name;
  }
  override params() {
    return { kept: this.kept };
  }
  /** At least two inputs, each with the kept axes, whose leading axes broadcast together. */
  override validate(inputs: readonly Spec[]): void {
    if (inputs.length < 2) throw opError(this.name, `takes at least 2 inputs, got ${inputs.length}`, inputs);
    if (this.op !== undefined && typeof this.op !== "string") throw opError(this.name, `op must be the name of the op that built the node, got ${describeValue(this.op)}`, inputs);
    checkInt(this.name, "kept", this.kept, 0, inputs[0]!.shape.length);
    inputs.forEach((x, i) => checkRank(this.name, `input ${i}`, x, this.kept, true));
    broadcastAxesShape(this.shapeOp, inputs.map((x) => x.shape), this.kept);
  }
  output(inputs: readonly Spec[]): Spec {
    return { shape: broadcastAxesShape(this.shapeOp, inputs.map((x) => x.shape), this.kept), dtype: inputs[0]!.dtype };
  }
  /** Input 0's cotangent: the output's summed over the axes it was broadcast along; the others give only shapes. */
  override vjp(inputs: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    return [unbroadcast(ct, inputs[0]!.shape), ...inputs.slice(1).map(() => null)];
  }
  override jvp(inputs: readonly MxArray[], [t]: readonly (MxArray | null)[]): MxArray | null {
    return t ? node(new BroadcastAxes(this.kept, this.op), [t, ...inputs.slice(1)], t.stream) : null;
  }
  /** Each batch entry's output is input 0 broadcast to the unbatched rule's shape (the same for every entry). */
  override vmap(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray, number] {
    const logical = inputs.map((x, i) => (axes[i] === null ? x.shape : x.shape.filter((_, d) => d !== axes[i])));
    const shape = broadcastAxesShape(this.shapeOp, logical, this.kept);
    if (inShapelessTrace()) {
      // a rule again (nested vmap in a shapeless trace): every input with the batch first and unit axes after it
      // to the widest rank, so the batch axes line up (every input's rank is its leading axes and the kept ones)
      const batched = batchAll(inputs, axes);
      const xs = alignBatched(batched, batched.map(() => 0));
      return [node(new BroadcastAxes(this.kept, this.op), xs, xs[0]!.stream), 0];
    }
    const n = batchSize(inputs, axes);
    const x = inputs[0]!;
    if (axes[0] === null) return [ops.broadcastTo(x, [n, ...shape], on(x)), 0];
    const b = batchFirst(x, axes[0]!);
    const padded = ops.reshape(b, [n, ...Array<number>(shape.length - logical[0]!.length).fill(1), ...logical[0]!], on(b));
    return [ops.broadcastTo(padded, [n, ...shape], on(b)), 0];
  }
}

/**
 * `x` (unbatched) broadcast along a new leading batch axis of `like`'s (its
 * batch first); inside a shapeless trace by a rule of `like`'s shape
 * (BroadcastAxes against `like` seen with x's rank + 1 axes), so the trace
 * replays on other batch sizes.
 */
export function broadcastToBatch(x: MxArray, like: MxArray): MxArray {
  const o = on(x);
  const one = ops.expandDims(x, 0, o);
  if (!inShapelessTrace()) return ops.broadcastTo(one, [like.shape[0]!, ...x.shape], o);
  // a scalar as a vector of one: [B, 1], then that axis squeezed
  if (x.ndim === 0) return ops.squeeze(broadcastToBatch(one, like), 1, o);
  const n = x.ndim + 1;
  const seen =
    like.ndim > n ? ops.flatten(like, 1, like.ndim - n + 1, on(like)) : like.ndim < n ? ops.expandDims(like, Array.from({ length: n - like.ndim }, (_, k) => like.ndim + k), on(like)) : like;
  return node(new BroadcastAxes(x.ndim), [one, seen], one.stream);
}

/** Inputs that share a batch: batched ones with it first, unbatched ones broadcast to it (broadcastToBatch). */
export function batchAll(inputs: readonly MxArray[], axes: readonly (number | null)[]): MxArray[] {
  const k = axes.findIndex((a) => a !== null);
  const like = batchFirst(inputs[k]!, axes[k]!);
  return inputs.map((x, i) => (i === k ? like : axes[i] === null ? broadcastToBatch(x, like) : batchFirst(x, axes[i]!)));
}

/** Per axis: elements start, start+step, ... (count of them given), step may be negative. */
export class Slice extends Primitive {
  readonly name = "slice";
  constructor(
    readonly start: readonly number[],
    readonly step: readonly number[],
    readonly shape: readonly number[],
  ) {
    super();
  }
  override params() {
    return { start: this.start, step: this.step, shape: this.shape };
  }
  /** Every element the slice reaches lies inside the input (its kernel makes a view at the start). */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 1);
    const x = inputs[0]!;
    checkRegion(this.name, x, this.start, this.step, checkDims(this.name, "shape", this.shape, x.shape.length), "shape");
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: this.shape, dtype: x!.dtype };
  }
  /** The cotangent scattered back to the sliced positions, zeros elsewhere (per axis: interleave zeros, then pad). */
  override vjp([x]: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    const o = on(ct);
    let g = ct;
    for (let d = 0; d < x!.ndim; d++) {
      const N = x!.shape[d]!, n = this.shape[d]!, k = this.step[d]!;
      if (n === 0) {
        g = ops.zeros(g.shape.map((v, i) => (i === d ? N : v)), g.dtype, o);
        continue;
      }
      // descending positions: reverse the cotangent along d and walk up from the lowest
      let first = this.start[d]!;
      if (k < 0) {
        g = sliceAxis(g, d, n - 1, -1, n);
        first = first + (n - 1) * k;
      }
      const stride = Math.abs(k);
      if (stride > 1) {
        // [.., n, ..] -> [.., n, stride, ..] (zeros after each element) -> [.., n * stride, ..], trimmed
        const shape = g.shape;
        const e = ops.expandDims(g, d + 1, o);
        const spread = ops.pad(e, e.shape.map((_, i) => (i === d + 1 ? [0, stride - 1] : [0, 0])) as [number, number][], o);
        g = ops.reshape(spread, shape.map((v, i) => (i === d ? v * stride : v)), o);
        g = sliceAxis(g, d, 0, 1, (n - 1) * stride + 1);
      }
      const last = first + (n - 1) * stride;
      g = ops.pad(g, g.shape.map((_, i) => (i === d ? [first, N - 1 - last] : [0, 0])) as [number, number][], o);
    }
    return [g];
  }
  override jvp(_x: readonly MxArray[], [t]: readonly (MxArray | null)[]): MxArray | null {
    return t ? node(new Slice(this.start, this.step, this.shape), [t], t.stream) : null;
  }
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const b = batchFirst(x!, axis!);
    return [node(new Slice([0, ...this.start], [1, ...this.step], [b.shape[0]!, ...this.shape]), [b], b.stream), 0];
  }
}

/** `count` elements of `x` along axis `d` from `start` in steps of `step`. */
export function sliceAxis(x: MxArray, d: number, start: number, step: number, count: number): MxArray {
  const starts = x.shape.map((_, i) => (i === d ? start : 0));
  const steps = x.shape.map((_, i) => (i === d ? step : 1));
  return node(new Slice(starts, steps, x.shape.map((v, i) => (i === d ? count : v))), [x], x.stream);
}

export class Concatenate extends Primitive {
  readonly name = "concatenate";
  constructor(readonly axis: number) {
    super();
  }
  override params() {
    return { axis: this.axis };
  }
  /** The inputs share a dtype and a shape but along `axis`, an axis they have. */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 1, Infinity);
    checkAxis(this.name, "axis", this.axis, inputs[0]!.shape.length);
    checkConcatShapes(this.name, inputs, this.axis);
    checkSameDType(this.name, inputs, inputs.map((_, i) => `input ${i}`));
  }
  output(inputs: readonly Spec[]): Spec {
    const shape = [...inputs[0]!.shape];
    shape[this.axis] = inputs.reduce((s, x) => s + x.shape[this.axis]!, 0);
    return { shape, dtype: inputs[0]!.dtype };
  }
  override vjp(inputs: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    let at = 0;
    return inputs.map((x) => {
      const n = x.shape[this.axis]!;
      at += n;
      return sliceAxis(ct, this.axis, at - n, 1, n);
    });
  }
  override jvp(inputs: readonly MxArray[], tangents: readonly (MxArray | null)[], out: MxArray): MxArray | null {
    if (tangents.every((t) => !t)) return null;
    const ts = inputs.map((x, i) => tangents[i] ?? ops.zerosLike(x, on(out)));
    return node(new Concatenate(this.axis), ts, out.stream);
  }
  override vmap(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray, number] {
    const xs = batchAll(inputs, axes);
    return [node(new Concatenate(this.axis + 1), xs, xs[0]!.stream), 0];
  }
}

/** Constant padding; the pad value is the second input (a 0-d array of the same dtype). */
export class Pad extends Primitive {
  readonly name = "pad";
  constructor(
    readonly low: readonly number[],
    readonly high: readonly number[],
  ) {
    super();
  }
  override params() {
    return { low: this.low, high: this.high };
  }
  /** Non-negative widths per axis; the pad value is one element of the input's dtype (read at every padded position). */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 2);
    const [x, v] = inputs as [Spec, Spec];
    const n = x.shape.length;
    const low = checkIntList(this.name, "low", this.low, n, 0, MAX_DIM), high = checkIntList(this.name, "high", this.high, n, 0, MAX_DIM);
    const pairs = low.map((l, i) => [l, high[i]]);
    checkPadPairs(this.name, x.shape, pairs, "low and high", pairs, inputs);
    checkRank(this.name, "the pad value", v, 0);
    checkSameDType(this.name, inputs, ["the input", "the pad value"]);
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: x!.shape.map((n, i) => n + this.low[i]! + this.high[i]!), dtype: x!.dtype };
  }
  /**
   * The input's share is the inner slice (MLX's Pad::vjp); the pad value's
   * (MLX gives it none) is the sum of the cotangent over the padded border
   * alone, selected by a padded mask, so that it does not cancel as the sum
   * of everything minus the sum of the inside would.
   */
  override vjp([x]: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    const inner = node(new Slice(this.low, this.low.map(() => 1), x!.shape), [ct], ct.stream);
    const o = on(ct);
    const border = node(new Pad(this.low, this.high), [ops.zeros(x!.shape, bool, o), ops.array(true, bool, o)], ct.stream);
    return [inner, ops.sum(ops.where(border, ct, ops.zeros([], ct.dtype, o), o), o)];
  }
  override jvp([x, v]: readonly MxArray[], [tx, tv]: readonly (MxArray | null)[], out: MxArray): MxArray | null {
    if (!tx && !tv) return null;
    return node(new Pad(this.low, this.high), [tx ?? ops.zerosLike(x!, on(out)), tv ?? ops.zerosLike(v!, on(out))], out.stream);
  }
  override vmap([x, v]: readonly MxArray[], [axis, vAxis]: readonly (number | null)[]): [MxArray, number] {
    if (vAxis !== null) throw new Error("no vmap for pad over a batched pad value");
    const b = batchFirst(x!, axis!);
    return [node(new Pad([0, ...this.low], [0, ...this.high]), [b, v!], b.stream), 0];
  }
}
