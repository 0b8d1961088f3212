// The data-parallel helpers of mx.nn (MLX's mlx.nn.utils average_gradients
// and clip_grad_norm_sharded) over mx.distributed, and the group argument
// check the distributed layers share.

import { MxArray } from "../array.js";
import type { StreamOrDevice } from "../device.js";
import { Group, allSum, init } from "../distributed/index.js";
import { float32 } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import * as ops from "../ops/index.js";
import { opStream } from "../ops/base.js";
import { asOp, noExtraArguments } from "../ops/strict-options.js";
import { treeFlatten, treeMapWithPath } from "../transforms/utils.js";
import { checkInt, checkNumber, keywords } from "./checks.js";

/** Argument `group` of `op`: a Group, or (undefined or null) the group `mx.distributed.init()` returns. */
export function checkGroup(op: string, group: unknown): Group {
  if (group === undefined || group === null) return init();
  if (!(group instanceof Group)) throw opError(op, `group must be an mx.distributed.Group (from mx.distributed.init), got ${describeValue(group)}`, [], "type");
  return group;
}

/** The leaves of gradient tree `gradients` (argument `name` of `op`), each checked to be a live array, with their paths. */
function arrayLeaves(op: string, gradients: unknown, name: string): [string, MxArray][] {
  return treeFlatten(gradients).map(([k, g]) => {
    if (!(g instanceof MxArray)) throw opError(op, `${name} '${k || "(root)"}' must be an mx array, got ${describeValue(g)}`, [], "type");
    if (g.isDisposed) throw opError(op, `${name} '${k || "(root)"}' was disposed and can no longer be used`, [g], "value");
    return [k, g];
  });
}

/**
 * Frees `result`, a communication of `input` that the caller reads and never
 * hands out, once what reads it has run: eval cannot recompute a
 * communication, so it would otherwise keep the buffer until the garbage
 * collector finds the array. On a group of one process the communication is
 * `input` itself, which may be the program's own array: kept.
 */
export function freeOnceRead(result: MxArray, input: MxArray): void {
  if (result !== input) result.releaseWhenConsumed();
}

/** The options of averageGradients (MLX's keyword arguments of `average_gradients`). */
export interface AverageGradientsOptions {
  /** The processes to average over (default: the group `mx.distributed.init()` returns). */
  group?: Group | undefined;
  /** Concatenate gradients into one all-reduce until it holds this many bytes (default 32 MiB); 0 or less: one all-reduce per array. */
  allReduceSize?: number | undefined;
  /** The stream of the all-reduces (default: mx.distributed's, the cpu). */
  communicationStream?: StreamOrDevice | undefined;
}

/**
 * `gradients` averaged over the processes of `group` (MLX's
 * `nn.average_gradients`): every array becomes the mean of that array over
 * the processes, so after it every process holds the same gradients (the
 * data-parallel step). Small arrays travel together: those of one dtype are
 * flattened and concatenated, in tree order, into batches of at least
 * `allReduceSize` bytes, one `allSum` per batch (arrays of mixed dtypes,
 * or `allReduceSize` <= 0: one per array), in the arrays' own dtype. The tree keeps its
 * structure. On a group of one process `gradients` is returned as it is.
 * Every process must call it with a tree of the same structure, shapes and
 * dtypes. MLX's keyword arguments come positionally, as here, or as one
 * options object after `gradients`.
 * @example
 * ```ts
 * const grads = { w: mx.array([1, 2], mx.float32), b: [mx.array([3], mx.float32)] };
 * mx.nn.averageGradients(grads) === grads; // true
 * const averaged = mx.nn.averageGradients(grads, { allReduceSize: 0 });
 * await (averaged.b as mx.MxArray[])[0]!.tolist(); // [3]
 * ```
 */
export function averageGradients<T>(gradients: T, group?: Group | AverageGradientsOptions, allReduceSize?: number, communicationStream?: StreamOrDevice): T {
  noExtraArguments("nn.averageGradients", arguments, 4);
  const op = "nn.averageGradients";
  const given = keywords(op, [group, allReduceSize, communicationStream], ["group", "allReduceSize", "communicationStream"]);
  const g = checkGroup(op, given.group);
  const batchBytes = given.allReduceSize === undefined ? 32 * 1024 ** 2 : checkInt(op, "allReduceSize", given.allReduceSize);
  const stream = given.communicationStream ?? undefined;
  if (stream !== undefined) opStream(op, { stream: stream as StreamOrDevice });
  const leaves = arrayLeaves(op, gradients, "gradients");
  const n = g.size();
  if (n === 1 || leaves.length === 0) return gradients;

  const average = (x: MxArray): MxArray => {
    const summed = allSum(x, { group: g, stream: stream as StreamOrDevice | undefined });
    const mean = ops.divide(summed, n);
    freeOnceRead(summed, x);
    return mean;
  };
  return asOp(op, () => {
    const dtype = leaves[0]![1].dtype;
    if (batchBytes <= 0 || leaves.some(([, x]) => x.dtype !== dtype)) return treeMapWithPath((_path, x: MxArray) => average(x), gradients) as T;
    // batches of consecutive arrays, each closed once it holds batchBytes or more
    const itemBytes = dtype.size;
    const batches: [string, MxArray][][] = [[]];
    let bytes = 0;
    for (const leaf of leaves) {
      batches.at(-1)!.push(leaf);
      bytes += leaf[1].size * itemBytes;
      if (bytes >= batchBytes) {
        batches.push([]);
        bytes = 0;
      }
    }
    const averaged = new Map<string, MxArray>();
    for (const batch of batches.filter((b) => b.length > 0)) {
      const flat = average(ops.concatenate(batch.map(([, x]) => ops.reshape(x, [-1]))));
      const ends = batch.map(([, x]) => x.size).reduce<number[]>((acc, s) => [...acc, (acc.at(-1) ?? 0) + s], []);
      const parts = ops.split(flat, ends.slice(0, -1));
      batch.forEach(([k, x], i) => averaged.set(k, ops.reshape(parts[i]!, [...x.shape])));
    }
    return treeMapWithPath((path) => averaged.get(path), gradients) as T;
  });
}

/**
 * Clips gradients sharded over the processes of `group` by their global
 * 2-norm (MLX's `nn.utils.clip_grad_norm_sharded`, the sharded
 * `optimizers.clipGradNorm`): each process holds its shard of the
 * gradients; the norm is the square root of the `allSum` of the shards'
 * sums of squares, and every shard is scaled by
 * `min(maxNorm / (norm + 1e-6), 1)`. Returns `[clipped shard, norm]`; every
 * process gets the same norm. For the gradients of a module wrapped by
 * `nn.fullyShard`.
 * @example
 * ```ts
 * const [clipped, norm] = mx.nn.clipGradNormSharded({ a: mx.array([3, 4], mx.float32) }, 1);
 * await norm.item(); // 5
 * await clipped.a.tolist(); // [0.5999999046325684, 0.7999998331069946]
 * ```
 */
export function clipGradNormSharded<T>(gradients: T, maxNorm: number, group?: Group | { group?: Group | undefined }): [T, MxArray] {
  noExtraArguments("nn.clipGradNormSharded", arguments, 3);
  const op = "nn.clipGradNormSharded";
  checkNumber(op, "maxNorm", maxNorm, 0);
  const g = checkGroup(op, keywords(op, [group], ["group"]).group);
  const leaves = arrayLeaves(op, gradients, "gradients");
  return asOp(op, () => {
    const squares = leaves.map(([, x]) => ops.sum(ops.square(x)));
    const local = squares.length ? squares.slice(1).reduce((a, b) => ops.add(a, b), squares[0]!) : ops.array(0, float32);
    const norm = ops.sqrt(allSum(local, { group: g }));
    const normalizer = ops.minimum(ops.divide(maxNorm, ops.add(norm, 1e-6)), 1);
    return [treeMapWithPath((_path, x: MxArray) => ops.multiply(x, normalizer), gradients) as T, norm];
  });
}
