// MLX's tensor-parallel layers (mlx.nn.layers.distributed): Linear and
// QuantizedLinear with their weights sharded over an mx.distributed group,
// all-to-sharded (each process computes a slice of the outputs) or
// sharded-to-all (each a slice of the inputs, then an allSum), and the
// helpers that shard parameters: shardLinear, shardInplace.

import { MxArray } from "../../array.js";
import { allSum, type Group } from "../../distributed/index.js";
import { describeValue, opError, shapeStr } from "../../errors.js";
import * as ops from "../../ops/index.js";
import { quantParams } from "../../ops/quantized-args.js";
import { asOp, noExtraArguments } from "../../ops/strict-options.js";
import type { QuantizationMode } from "../../primitives/quantized.js";
import * as random from "../../random.js";
import { customFunction } from "../../transforms/custom.js";
import { treeMapWithPath } from "../../transforms/utils.js";
import { checkArray, checkBool, checkFunction, checkSize, keywordArgs, keywords, options, type KeywordArgs } from "../checks.js";
import { checkGroup, freeOnceRead } from "../distributed.js";
import { Module, isModule, type FreezeOptions, type Params } from "../module.js";
import { Linear } from "./linear.js";

/**
 * How a weight's axis is cut before sharding (MLX's `segments`): a number of
 * equal segments, a list of integer split indices, or a list of fractions
 * of the axis (e.g. [0.25, 0.5]) where the segments end. Each segment is
 * sharded on its own and a process's slices of them concatenated, so a
 * fused weight (QKV: 3 segments) gives each process its part of every one.
 */
export type Segments = number | readonly number[];

/** What a sharding predicate returns for a weight: its axis, the axis and its segments, or null (undefined) to leave it whole. */
export type ShardingSpec = number | readonly [number, Segments] | null | undefined;

/** A sharding predicate (MLX's callable `sharding`): given a parameter's dotted path and the array, how to shard it. */
export type ShardingPredicate = (path: string, weight: MxArray) => ShardingSpec;

/** The two shardings MLX names: outputs sharded (weights cut along their output axis) or inputs sharded (along the input axis). */
export type Sharding = "all-to-sharded" | "sharded-to-all";

export interface ShardOptions {
  /** How each weight is cut before sharding (default 1: one segment). */
  segments?: Segments | undefined;
  /** The group to shard across (default: the group `mx.distributed.init()` returns). */
  group?: Group | undefined;
}

/** The identity whose gradient is summed over `group` (MLX's `sum_gradients`), one per group. */
const summedGradients = new WeakMap<Group, (x: MxArray) => MxArray>();

/** MLX's `sum_gradients(group)`: x itself, its cotangent the allSum of the processes' cotangents (the identity on a group of one). */
function sumGradients(group: Group): (x: MxArray) => MxArray {
  if (group.size() === 1) return (x) => x;
  let f = summedGradients.get(group);
  if (!f) {
    f = customFunction((x: MxArray) => x, { vjp: (_primals, [dx]) => [allSum(dx!, { group })] });
    summedGradients.set(group, f);
  }
  return f;
}

/** `segments` (argument of `op`) checked: a count >= 1 or a non-empty list of integers or of fractions in [0, 1]. */
function checkSegments(op: string, segments: unknown): Segments {
  if (typeof segments === "number" && Number.isInteger(segments) && segments >= 1) return segments;
  const ok = Array.isArray(segments) && segments.length > 0 && segments.every((s) => typeof s === "number" && Number.isFinite(s)) &&
    (segments.every(Number.isInteger) || segments.every((s: number) => s >= 0 && s <= 1));
  if (!ok) throw opError(op, `segments must be a count >= 1, or a non-empty list of integer split indices or of fractions in [0, 1], got ${describeValue(segments)}`, [], "type");
  return segments as readonly number[];
}

/** `w` cut along `axis` into its `segments` (MLX's `_split`: a list holding a fraction is fractions of the axis, truncated to indices). */
function splitSegments(w: MxArray, segments: Segments, axis: number): MxArray[] {
  if (typeof segments === "number" || segments.every(Number.isInteger)) return ops.split(w, segments, axis);
  const n = w.shape[axis < 0 ? axis + w.ndim : axis]!;
  return ops.split(w, segments.map((s) => Math.trunc(s * n)), axis);
}

/** The axis and segments of a predicate's answer `spec` for `path` (an error naming `op` when it is neither form). */
function readSpec(op: string, spec: ShardingSpec, path: string, w: MxArray): { axis: number; segments: Segments } | null {
  if (spec === null || spec === undefined) return null;
  const [axis, segments] = typeof spec === "number" ? [spec, 1] : Array.isArray(spec) && spec.length === 2 ? spec : [undefined, undefined];
  if (typeof axis !== "number" || !Number.isInteger(axis)) {
    throw opError(op, `the sharding function must return an axis, [axis, segments] or null, got ${describeValue(spec)} for '${path}'`, [], "type");
  }
  if (axis < -w.ndim || axis >= w.ndim) throw opError(op, `the sharding function returned axis ${axis} for '${path}' of shape ${shapeStr(w.shape)}`, [w], "range");
  return { axis, segments: checkSegments(op, segments) };
}

/**
 * The tree `params` with each array that `predicate` shards replaced by
 * this process's slice (MLX's `_shard`): every segment split into
 * `group.size()` equal parts along the axis, the parts of rank r
 * concatenated, as a contiguous array.
 * @internal
 */
export function shardParameters(op: string, params: unknown, predicate: ShardingPredicate, group: Group): unknown {
  const n = group.size(), r = group.rank();
  return treeMapWithPath((path: string, w: unknown) => {
    if (!(w instanceof MxArray)) return w;
    const spec = readSpec(op, predicate(path, w), path, w);
    if (!spec) return w;
    return asOp(op, () => {
      const parts = splitSegments(w, spec.segments, spec.axis).map((segment) => {
        const size = segment.shape[spec.axis < 0 ? spec.axis + w.ndim : spec.axis]!;
        if (size % n !== 0) throw opError(op, `cannot shard '${path}' of shape ${shapeStr(w.shape)} across ${n} processes: a segment's axis ${spec.axis} has size ${size}, which ${n} does not divide`, [w], "value");
        return ops.split(segment, n, spec.axis)[r]!;
      });
      return ops.contiguous(parts.length === 1 ? parts[0]! : ops.concatenate(parts, spec.axis));
    });
  }, params);
}

/** MLX's "all-to-sharded" predicate: weights along their output axis (max(ndim - 2, 0)), biases along their last. */
function allToSharded(segments: Segments): ShardingPredicate {
  return (path, w) => (path.endsWith("bias") ? [-1, segments] : [Math.max(w.ndim - 2, 0), segments]);
}

/**
 * A sharded-to-all layer's output from this process's partial product: the
 * allSum over `group`, plus `bias` if any (the sum, which the layer never
 * hands out then, is freed once the bias is added).
 */
function allSumPlusBias(product: MxArray, group: Group, bias: MxArray | undefined): MxArray {
  const y = allSum(product, { group });
  if (!bias) return y;
  const out = ops.add(y, bias);
  freeOnceRead(y, product);
  return out;
}

/** MLX's "sharded-to-all" predicate: weights along their last (input) axis; biases whole (added after the allSum). */
function shardedToAll(segments: Segments): ShardingPredicate {
  return (path) => (path.endsWith("bias") ? null : [-1, segments]);
}

/** `sharding` (argument of `op`) checked to be one of MLX's two names. */
function checkSharding(op: string, sharding: unknown): Sharding {
  if (sharding !== "all-to-sharded" && sharding !== "sharded-to-all") {
    throw opError(op, `sharding must be "all-to-sharded" or "sharded-to-all"${op === "nn.shardInplace" ? " or a function" : ""}, got ${describeValue(sharding)}`, [], "value");
  }
  return sharding;
}

/** The segments and group of a shard call's options. */
function shardOptions(op: string, o: ShardOptions | undefined): { segments: Segments; group: Group } {
  const p = options(op, o, ["segments", "group"]);
  return { segments: p.segments === undefined ? 1 : checkSegments(op, p.segments), group: checkGroup(op, p.group) };
}

/** The 2-D weight of the layer `layer` passed to `op` (any module with one, as MLX's from_linear). */
function weightOf(op: string, layer: unknown, name: string): MxArray {
  const w = isModule(layer) ? (layer as { weight?: unknown }).weight : undefined;
  if (!(w instanceof MxArray) || w.ndim !== 2) throw opError(op, `${name} must be an nn.Module with a 2-D weight, got ${describeValue(layer)}`, [], "type");
  return w;
}

/** `layer`'s arrays named `keys` (those it has), as the parameter tree to shard. */
function pick(layer: object, keys: readonly string[]): Params {
  const fields = layer as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => fields[k] instanceof MxArray).map((k) => [k, fields[k] as MxArray]));
}

/** A sharded layer `make` builds for `linear`'s sizes and bias, given this process's slice of its weight and bias (the `fromLinear` of both kinds). */
function fromLinearBy<L extends Module>(op: string, linear: Module, o: ShardOptions | undefined, predicate: (s: Segments) => ShardingPredicate, make: (inputDims: number, outputDims: number, bias: boolean, group: Group) => L): L {
  const w = weightOf(op, linear, "linear");
  const { segments, group } = shardOptions(op, o);
  const [out, inp] = w.shape as [number, number];
  return asOp(op, () => make(inp, out, (linear as { bias?: unknown }).bias instanceof MxArray, group).update(shardParameters(op, pick(linear, ["weight", "bias"]), predicate(segments), group) as Params) as L);
}

/** The layers' `bias` and `group` (MLX's keywords), given positionally or in one options object. */
function biasAndGroup(op: string, given: Record<string, unknown>): { bias: boolean; group: Group } {
  return { bias: checkBool(op, "bias", given.bias ?? true), group: checkGroup(op, given.group) };
}

/**
 * A Linear whose outputs are sharded over `group` (MLX's
 * `AllToShardedLinear`, column parallelism): each process holds the
 * `outputDims / size` rows of `weight` (and entries of `bias`) of its rank
 * and computes that slice of the outputs from the whole input. The
 * gradient of the input is summed over the group, so the layer before it
 * gets the full gradient on every process. `outputDims` must be a multiple
 * of the group size. Weights are drawn as Linear's, U(-k, k), k =
 * sqrt(1 / inputDims); `fromLinear` shards an existing layer.
 */
export class AllToShardedLinear extends Module {
  weight: MxArray;
  declare bias?: MxArray;
  /** The group the outputs are sharded across. */
  readonly group: Group;
  constructor(inputDims: number, outputDims: number, bias: boolean | { bias?: boolean | undefined; group?: Group | undefined } = true, group?: Group) {
    super();
    const op = "nn.AllToShardedLinear";
    const g = biasAndGroup(op, keywords(op, [bias, group], ["bias", "group"]));
    this.group = g.group;
    const i = checkSize(op, "inputDims", inputDims, 1);
    const o = checkSize(op, "outputDims", outputDims, 1);
    const n = this.group.size();
    if (o % n !== 0) throw opError(op, `Cannot shard the output of size ${o} across ${n} devices (outputDims must be a multiple of the group size).`, [], "value");
    if (i * (o / n) > 2 ** 28) throw opError(op, `inputDims * outputDims / size must be at most 2^28, got ${i} * ${o} / ${n}`, [], "range");
    const k = Math.sqrt(1 / i);
    this.weight = random.uniform(-k, k, [o / n, i]);
    if (g.bias) this.bias = random.uniform(-k, k, [o / n]);
  }

  protected override extraRepr(): string {
    const [out, inp] = this.weight.shape as [number, number];
    return `inputDims=${inp}, outputDims=${out * this.group.size()}, bias=${"bias" in this}`;
  }

  /**
   * This process's slice of `x W^T + b` (the outputs of its rank).
   * @example
   * ```ts
   * const layer = new mx.nn.AllToShardedLinear(2, 1);
   * layer.update({ weight: mx.array([[1, 2]], mx.float32), bias: mx.array([3], mx.float32) });
   * await layer.forward(mx.array([[1, 1]], mx.float32)).tolist(); // [[6]]
   * ```
   */
  forward(x: MxArray): MxArray {
    const op = "nn.AllToShardedLinear";
    checkArray(op, x, "x");
    return asOp(op, () => {
      const h = sumGradients(this.group)(x);
      const wt = ops.transpose(this.weight);
      return this.bias ? ops.addmm(this.bias, h, wt) : ops.matmul(h, wt);
    });
  }

  /**
   * `linear` (a Linear, or any module with a 2-D `weight` and maybe a
   * `bias`) sharded all-to-sharded (MLX's `from_linear`): this process
   * keeps its rank's rows of each segment of `weight` and `bias`.
   * @example
   * ```ts
   * const linear = new mx.nn.Linear(4, 6);
   * const sharded = mx.nn.AllToShardedLinear.fromLinear(linear, { segments: 3 });
   * sharded.weight.shape; // [6, 4]
   * await mx.allclose(sharded.forward(mx.ones([1, 4])), linear.forward(mx.ones([1, 4]))).item(); // true
   * ```
   */
  static fromLinear(linear: Module & { weight: MxArray; bias?: MxArray | undefined }, o?: ShardOptions): AllToShardedLinear {
    noExtraArguments("nn.AllToShardedLinear.fromLinear", arguments, 2);
    return fromLinearBy("nn.AllToShardedLinear.fromLinear", linear, o, allToSharded, (i, n, b, g) => new AllToShardedLinear(i, n, b, g));
  }
}

/**
 * A Linear whose inputs are sharded over `group` (MLX's
 * `ShardedToAllLinear`, row parallelism): each process holds the
 * `inputDims / size` columns of `weight` of its rank, multiplies its slice
 * of the input by them, and the partial products are summed over the group
 * (`mx.distributed.allSum`) before the whole `bias` is added, so every
 * process gets the same full output. `inputDims` must be a multiple of the
 * group size; `fromLinear` shards an existing layer.
 */
export class ShardedToAllLinear extends Module {
  weight: MxArray;
  declare bias?: MxArray;
  /** The group the inputs are sharded across. */
  readonly group: Group;
  constructor(inputDims: number, outputDims: number, bias: boolean | { bias?: boolean | undefined; group?: Group | undefined } = true, group?: Group) {
    super();
    const op = "nn.ShardedToAllLinear";
    const g = biasAndGroup(op, keywords(op, [bias, group], ["bias", "group"]));
    this.group = g.group;
    const i = checkSize(op, "inputDims", inputDims, 1);
    const o = checkSize(op, "outputDims", outputDims, 1);
    const n = this.group.size();
    if (i % n !== 0) throw opError(op, `The input of size ${i} cannot be sharded across ${n} devices (inputDims must be a multiple of the group size).`, [], "value");
    if ((i / n) * o > 2 ** 28) throw opError(op, `inputDims / size * outputDims must be at most 2^28, got ${i} / ${n} * ${o}`, [], "range");
    const k = Math.sqrt(1 / i);
    this.weight = random.uniform(-k, k, [o, i / n]);
    if (g.bias) this.bias = random.uniform(-k, k, [o]);
  }

  protected override extraRepr(): string {
    const [out, inp] = this.weight.shape as [number, number];
    return `inputDims=${inp * this.group.size()}, outputDims=${out}, bias=${"bias" in this}`;
  }

  /**
   * `allSum(x_r W_r^T) + b` for this process's input slice `x_r`: the full output, on every process.
   * @example
   * ```ts
   * const layer = new mx.nn.ShardedToAllLinear(2, 1, false);
   * layer.update({ weight: mx.array([[1, 2]], mx.float32) });
   * await layer.forward(mx.array([[3, 4]], mx.float32)).tolist(); // [[11]]
   * ```
   */
  forward(x: MxArray): MxArray {
    const op = "nn.ShardedToAllLinear";
    checkArray(op, x, "x");
    return asOp(op, () => {
      return allSumPlusBias(ops.matmul(x, ops.transpose(this.weight)), this.group, this.bias);
    });
  }

  /**
   * `linear` (a Linear, or any module with a 2-D `weight` and maybe a
   * `bias`) sharded sharded-to-all (MLX's `from_linear`): this process
   * keeps its rank's columns of each segment of `weight`, and all of `bias`.
   * @example
   * ```ts
   * const linear = new mx.nn.Linear(4, 2);
   * const sharded = mx.nn.ShardedToAllLinear.fromLinear(linear);
   * String(sharded); // "ShardedToAllLinear(inputDims=4, outputDims=2, bias=true)"
   * ```
   */
  static fromLinear(linear: Module & { weight: MxArray; bias?: MxArray | undefined }, o?: ShardOptions): ShardedToAllLinear {
    noExtraArguments("nn.ShardedToAllLinear.fromLinear", arguments, 2);
    return fromLinearBy("nn.ShardedToAllLinear.fromLinear", linear, o, shardedToAll, (i, n, b, g) => new ShardedToAllLinear(i, n, b, g));
  }
}

/** The options of the quantized sharded layers (MLX's keywords after `bias`). */
export interface ShardedQuantizedOptions {
  /** Values per scale (and bias); default: the mode's (affine 64), as mx.quantize. */
  groupSize?: number | undefined;
  /** Bits per value; default: the mode's (affine 4). */
  bits?: number | undefined;
  /** The quantization mode of mx.quantize (default "affine"). */
  mode?: QuantizationMode | undefined;
  /** The group to shard across (default: the group `mx.distributed.init()` returns). */
  group?: Group | undefined;
}

/** What a QuantizedLinear (or any module of its form) passed to `op` holds: its packed weight and its quantization. */
function quantizedOf(op: string, layer: unknown, name: string): { weight: MxArray; groupSize: number; bits: number; mode: QuantizationMode; bias: boolean } {
  const w = weightOf(op, layer, name);
  const q = layer as { scales?: unknown; groupSize?: unknown; bits?: unknown; mode?: unknown; bias?: unknown };
  if (!(q.scales instanceof MxArray) || typeof q.groupSize !== "number" || typeof q.bits !== "number") {
    throw opError(op, `${name} must be an nn.QuantizedLinear (a module with a packed weight, scales, groupSize and bits), got ${describeValue(layer)}`, [], "type");
  }
  const p = quantParams(op, q.groupSize, q.bits, q.mode ?? "affine");
  return { weight: w, ...p, bias: q.bias instanceof MxArray };
}

/** A quantized sharded layer `make` builds for `quantizedLinear`'s sizes, bias and quantization, given this process's slice of its parameters (the `fromQuantizedLinear` of both kinds). */
function fromQuantizedBy<L extends Module>(op: string, quantizedLinear: Module, o: ShardOptions | undefined, predicate: (s: Segments) => ShardingPredicate, make: (inputDims: number, outputDims: number, bias: boolean, q: ShardedQuantizedOptions) => L): L {
  const q = quantizedOf(op, quantizedLinear, "quantizedLinear");
  const { segments, group } = shardOptions(op, o);
  const [out, packed] = q.weight.shape as [number, number];
  return asOp(op, () => {
    const layer = make(unpackedColumns(packed, q.bits), out, q.bias, { groupSize: q.groupSize, bits: q.bits, mode: q.mode, group });
    return layer.update(shardParameters(op, pick(quantizedLinear, ["weight", "scales", "biases", "bias"]), predicate(segments), group) as Params) as L;
  });
}

/** The quantized sharded layers' common part: packed weights (frozen, and kept frozen by unfreeze), the quantization, the group. */
abstract class ShardedQuantized extends Module {
  weight!: MxArray;
  scales!: MxArray;
  /** The per-group biases, in affine mode only (the microscaling modes have none, and no such field). */
  declare biases?: MxArray;
  declare bias?: MxArray;
  /** Values per scale (MLX's `group_size`). */
  readonly groupSize: number;
  /** Bits per value. */
  readonly bits: number;
  /** The quantization mode (mx.quantize's). */
  readonly mode: QuantizationMode;
  /** The group the layer is sharded across. */
  readonly group: Group;
  /**
   * Builds the layer of op `op` from MLX's keywords `given`: this process's
   * weight [out, in] and bias size from `layout(group size)`, the weight
   * drawn as Linear's for `inputDims` inputs, quantized, and a zero bias.
   */
  constructor(op: string, given: Record<string, unknown>, inputDims: number, layout: (n: number) => { weight: [number, number]; bias: number }) {
    super();
    this.group = checkGroup(op, given.group);
    const q = quantParams(op, given.groupSize, given.bits, given.mode ?? "affine");
    this.groupSize = q.groupSize;
    this.bits = q.bits;
    this.mode = q.mode;
    const { weight: [out, inp], bias } = layout(this.group.size());
    if (inp % this.groupSize !== 0) throw opError(op, `each process's input dimension (${inp}) must be a multiple of groupSize (${this.groupSize})`, [], "value");
    if (out * inp > 2 ** 28) throw opError(op, `the weight of each process must have at most 2^28 elements, got ${out} * ${inp}`, [], "range");
    const k = Math.sqrt(1 / inputDims);
    const [wq, scales, biases] = asOp(op, () => ops.quantize(random.uniform(-k, k, [out, inp]), this.groupSize, this.bits, { mode: this.mode }));
    this.weight = wq!;
    this.scales = scales!;
    if (biases) this.biases = biases;
    if (checkBool(op, "bias", given.bias ?? true)) this.bias = ops.zeros([bias]);
    this.freeze();
  }
  /** The options mx.quantizedMatmul takes for this layer. */
  protected get quantization(): { groupSize: number; bits: number; mode: QuantizationMode } {
    return { groupSize: this.groupSize, bits: this.bits, mode: this.mode };
  }
  /** `x W^T` with this process's dequantized W. */
  protected product(x: MxArray): MxArray {
    return ops.quantizedMatmul(x, this.weight, this.scales, this.biases ?? null, { transpose: true, ...this.quantization });
  }
  /** The input and output dimensions of the layer as a whole. */
  protected abstract dims(): [number, number];
  protected override extraRepr(): string {
    const [inp, out] = this.dims();
    return `inputDims=${inp}, outputDims=${out}, bias=${"bias" in this}, groupSize=${this.groupSize}, bits=${this.bits}, mode=${this.mode}`;
  }
  /**
   * Unfreezes as `Module.unfreeze` (its submodules, if any), this layer's
   * own parameters excepted: they stay frozen (MLX's override).
   * @example
   * ```ts
   * const q = new mx.nn.QuantizedShardedToAllLinear(64, 2).unfreeze();
   * Object.keys(q.trainableParameters()); // []
   * ```
   */
  override unfreeze(o: FreezeOptions = {}): this {
    super.unfreeze(o);
    return this.freeze({ recurse: false });
  }
}

/** The packed weight's columns as input values. */
const unpackedColumns = (packed: number, bits: number) => (packed * 32) / bits;

/**
 * QuantizedLinear with its outputs sharded over `group` (MLX's
 * `QuantizedAllToShardedLinear`, the quantized AllToShardedLinear): each
 * process holds the quantized rows of its rank and computes that slice of
 * the outputs; the input's gradient is summed over the group. Its
 * parameters are frozen (as MLX's: `unfreeze` leaves them frozen). MLX's
 * keywords `bias, groupSize, bits, mode, group` come positionally in that
 * order, up to any of them, then as options, or all as options.
 */
export class QuantizedAllToShardedLinear extends ShardedQuantized {
  constructor(inputDims: number, outputDims: number, ...rest: KeywordArgs<[["bias", boolean], ["groupSize", number], ["bits", number], ["mode", QuantizationMode], ["group", Group]], { bias?: boolean | undefined } & ShardedQuantizedOptions>) {
    const op = "nn.QuantizedAllToShardedLinear";
    const i = checkSize(op, "inputDims", inputDims, 1);
    const out = checkSize(op, "outputDims", outputDims, 1);
    const given = keywordArgs(op, rest, ["bias", "groupSize", "bits", "mode", "group"]);
    super(op, given, i, (n) => {
      if (out % n !== 0) throw opError(op, `Cannot shard the output of size ${out} across ${n} devices (outputDims must be a multiple of the group size).`, [], "value");
      return { weight: [out / n, i], bias: out / n };
    });
  }

  protected dims(): [number, number] {
    return [unpackedColumns(this.weight.shape[1]!, this.bits), this.weight.shape[0]! * this.group.size()];
  }

  /**
   * This process's slice of `x W^T + b`, with the dequantized W.
   * @example
   * ```ts
   * const linear = new mx.nn.Linear(64, 4);
   * const q = linear.toQuantized({ bits: 8 });
   * const sharded = mx.nn.QuantizedAllToShardedLinear.fromQuantizedLinear(q);
   * await mx.allclose(sharded.forward(mx.ones([1, 64])), q.forward(mx.ones([1, 64]))).item(); // true
   * ```
   */
  forward(x: MxArray): MxArray {
    const op = "nn.QuantizedAllToShardedLinear";
    checkArray(op, x, "x");
    return asOp(op, () => {
      const y = this.product(sumGradients(this.group)(x));
      return this.bias ? ops.add(y, this.bias) : y;
    });
  }

  /**
   * `quantizedLinear` (a QuantizedLinear) sharded all-to-sharded (MLX's
   * `from_quantized_linear`): this process keeps its rank's rows of the
   * packed weight, scales, biases and bias, in the layer's mode, groupSize
   * and bits.
   * @example
   * ```ts
   * const q = new mx.nn.QuantizedLinear(64, 4, true, { mode: "mxfp8" });
   * const sharded = mx.nn.QuantizedAllToShardedLinear.fromQuantizedLinear(q);
   * String(sharded); // "QuantizedAllToShardedLinear(inputDims=64, outputDims=4, bias=true, groupSize=32, bits=8, mode=mxfp8)"
   * ```
   */
  static fromQuantizedLinear(quantizedLinear: Module, o?: ShardOptions): QuantizedAllToShardedLinear {
    noExtraArguments("nn.QuantizedAllToShardedLinear.fromQuantizedLinear", arguments, 2);
    return fromQuantizedBy("nn.QuantizedAllToShardedLinear.fromQuantizedLinear", quantizedLinear, o, allToSharded, (i, n, b, q) => new QuantizedAllToShardedLinear(i, n, b, q));
  }
}

/**
 * QuantizedLinear with its inputs sharded over `group` (MLX's
 * `QuantizedShardedToAllLinear`, the quantized ShardedToAllLinear): each
 * process multiplies its input slice by its rank's quantized columns, the
 * products are summed over the group, then the whole `bias` is added.
 * Its parameters are frozen (as MLX's); `inputDims / size` must be a
 * multiple of `groupSize`.
 */
export class QuantizedShardedToAllLinear extends ShardedQuantized {
  constructor(inputDims: number, outputDims: number, ...rest: KeywordArgs<[["bias", boolean], ["groupSize", number], ["bits", number], ["mode", QuantizationMode], ["group", Group]], { bias?: boolean | undefined } & ShardedQuantizedOptions>) {
    const op = "nn.QuantizedShardedToAllLinear";
    const i = checkSize(op, "inputDims", inputDims, 1);
    const out = checkSize(op, "outputDims", outputDims, 1);
    const given = keywordArgs(op, rest, ["bias", "groupSize", "bits", "mode", "group"]);
    super(op, given, i, (n) => {
      if (i % n !== 0) throw opError(op, `The input of size ${i} cannot be sharded across ${n} devices (inputDims must be a multiple of the group size).`, [], "value");
      return { weight: [out, i / n], bias: out };
    });
  }

  protected dims(): [number, number] {
    return [unpackedColumns(this.weight.shape[1]!, this.bits) * this.group.size(), this.weight.shape[0]!];
  }

  /**
   * `allSum(x_r W_r^T) + b` with this process's dequantized columns W_r: the full output, on every process.
   * @example
   * ```ts
   * const q = new mx.nn.Linear(64, 4).toQuantized({ bits: 8 });
   * const sharded = mx.nn.QuantizedShardedToAllLinear.fromQuantizedLinear(q);
   * await mx.allclose(sharded.forward(mx.ones([1, 64])), q.forward(mx.ones([1, 64]))).item(); // true
   * ```
   */
  forward(x: MxArray): MxArray {
    const op = "nn.QuantizedShardedToAllLinear";
    checkArray(op, x, "x");
    return asOp(op, () => {
      return allSumPlusBias(this.product(x), this.group, this.bias);
    });
  }

  /**
   * `quantizedLinear` (a QuantizedLinear) sharded sharded-to-all (MLX's
   * `from_quantized_linear`): this process keeps its rank's columns of the
   * packed weight, scales and biases, and all of the bias.
   * @example
   * ```ts
   * const q = new mx.nn.QuantizedLinear(128, 4);
   * mx.nn.QuantizedShardedToAllLinear.fromQuantizedLinear(q).scales.shape; // [4, 2]
   * ```
   */
  static fromQuantizedLinear(quantizedLinear: Module, o?: ShardOptions): QuantizedShardedToAllLinear {
    noExtraArguments("nn.QuantizedShardedToAllLinear.fromQuantizedLinear", arguments, 2);
    return fromQuantizedBy("nn.QuantizedShardedToAllLinear.fromQuantizedLinear", quantizedLinear, o, shardedToAll, (i, n, b, q) => new QuantizedShardedToAllLinear(i, n, b, q));
  }
}

/**
 * A new sharded layer made from `module` (MLX's `shard_linear`; `module`
 * is left as it is): a Linear becomes an AllToShardedLinear or a
 * ShardedToAllLinear, any other module a QuantizedAllToShardedLinear or a
 * QuantizedShardedToAllLinear (it must be a QuantizedLinear), by
 * `sharding`, "all-to-sharded" or "sharded-to-all". `segments` (a count,
 * split indices or fractions) cuts fused weights before sharding; `group`
 * defaults to `mx.distributed.init()`'s.
 * @example
 * ```ts
 * const linear = new mx.nn.Linear(64, 4);
 * mx.nn.shardLinear(linear, "all-to-sharded").constructor.name; // "AllToShardedLinear"
 * mx.nn.shardLinear(linear.toQuantized({ groupSize: 32 }), "sharded-to-all").constructor.name; // "QuantizedShardedToAllLinear"
 * ```
 */
export function shardLinear(module: Module, sharding: Sharding, o?: ShardOptions): AllToShardedLinear | ShardedToAllLinear | QuantizedAllToShardedLinear | QuantizedShardedToAllLinear {
  noExtraArguments("nn.shardLinear", arguments, 3);
  const op = "nn.shardLinear";
  if (!isModule(module)) throw opError(op, `module must be an nn.Linear or nn.QuantizedLinear, got ${describeValue(module)}`, [], "type");
  const s = checkSharding(op, sharding);
  shardOptions(op, o);
  if (!(module instanceof Linear)) quantizedOf(op, module, "module");
  return asOp(op, () => {
    if (module instanceof Linear) return s === "all-to-sharded" ? AllToShardedLinear.fromLinear(module, o) : ShardedToAllLinear.fromLinear(module, o);
    return s === "all-to-sharded" ? QuantizedAllToShardedLinear.fromQuantizedLinear(module, o) : QuantizedShardedToAllLinear.fromQuantizedLinear(module, o);
  });
}

/**
 * Shards the parameters of `module` in place (MLX's `shard_inplace`): each
 * parameter is replaced by this process's slice of it, so the module keeps
 * its class and only the arrays change (the module's own code must do any
 * communication, e.g. an allSum after a sharded-to-all product). `sharding`
 * is "all-to-sharded" (weights along axis max(ndim - 2, 0), biases along
 * their last), "sharded-to-all" (weights along their last axis, biases
 * whole), or a function `(path, weight)` returning the axis, `[axis,
 * segments]`, or null to leave that parameter whole. `segments` applies to
 * the two named shardings.
 * @example
 * ```ts
 * const model = new mx.nn.Sequential(new mx.nn.Linear(4, 6), new mx.nn.Linear(6, 2));
 * mx.nn.shardInplace(model, (path) => (path.startsWith("layers.0") ? 0 : null));
 * model.layers[0] instanceof mx.nn.Linear; // true
 * ```
 */
export function shardInplace(module: Module, sharding: Sharding | ShardingPredicate, o?: ShardOptions): void {
  noExtraArguments("nn.shardInplace", arguments, 3);
  const op = "nn.shardInplace";
  if (!isModule(module)) throw opError(op, `module must be an nn.Module, got ${describeValue(module)}`, [], "type");
  const { segments, group } = shardOptions(op, o);
  const predicate = typeof sharding === "function" ? checkFunction<ShardingPredicate>(op, sharding, "sharding") : checkSharding(op, sharding) === "all-to-sharded" ? allToSharded(segments) : shardedToAll(segments);
  module.update(shardParameters(op, module.parameters(), predicate, group) as Params);
}
