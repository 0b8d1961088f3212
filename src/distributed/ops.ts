// MLX's communication ops (all_sum, all_max, all_min, all_gather, sum_scatter,
// send, recv, recv_like) in camelCase, with options { group, stream }: on a group
// of one process the input itself (send, recv: MLX's errors), else nodes that
// communicate when evaluated, on the cpu stream (MLX's communication stream).

import { getBackend } from "../../backends/backend.js";
import { checkInt } from "../argument-checks.js";
import { MxArray } from "../array.js";
import { cpu, type Stream } from "../device.js";
import { isDType, scalarDefaultDType, type DType } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import { checkArrayLike, node, opStream, toArray, type ArrayLike, type OpOptions } from "../ops/base.js";
import { asOp, checkOptions, noExtraArguments } from "../ops/strict-options.js";
import { checkShape } from "../shape.js";
import { Group, init } from "./group.js";
import { AllGather, AllReduce, Recv, ReduceScatter, Send } from "./primitives.js";
import type { Ring } from "./ring/collectives.js";
import type { ReduceKind } from "./ring/fold.js";

export interface DistributedOptions extends OpOptions {
  /** The processes that take part (default: the group `mx.distributed.init()` returns). */
  group?: Group | undefined;
}

/** The group and stream of communication op `op`, its options checked. */
function groupAndStream(op: string, options: DistributedOptions | undefined): { group: Group; stream: Stream } {
  checkOptions(op, options, ["group"]);
  const g: unknown = options?.group;
  if (g !== undefined && !(g instanceof Group)) throw opError(op, `group must be an mx.distributed.Group (from mx.distributed.init), got ${describeValue(g)}`, [], "type");
  const group = (g as Group | undefined) ?? init();
  const stream = opStream(op, { stream: options?.stream ?? cpu });
  const backend = getBackend(stream.device.backend);
  if (group.size() > 1 && !backend.readSync) {
    throw opError(op, `the ring backend communicates from host memory, but stream ${String(stream)} is on '${backend.name}', which reads only asynchronously; leave the stream out (the cpu: MLX's communication stream)`, [], "value");
  }
  return { group, stream };
}

/**
 * A collective of op `op` on `x`: its input itself on a group of one process,
 * else the node `build` makes of the array (on the op's stream), its group and ring.
 */
function collective(op: string, x: ArrayLike, options: DistributedOptions | undefined, build: (a: MxArray, group: Group, ring: Ring, stream: Stream) => MxArray): MxArray {
  return asOp(op, () => {
    checkArrayLike(op, x, "x");
    const { group, stream } = groupAndStream(op, options);
    const a = toArray(op, x, stream, undefined, "x");
    const ring = group.ring;
    if (group.size() === 1 || !ring) return a;
    return build(a, group, ring, stream);
  });
}

function allReduce(op: string, reduce: ReduceKind, x: ArrayLike, options: DistributedOptions | undefined): MxArray {
  return collective(op, x, options, (a, group, ring, stream) => node(new AllReduce(reduce, group, ring), [a], stream));
}

/**
 * The sum of `x` over the processes of the group (MLX's `all_sum`): every
 * process gets the same result, bit for bit. Its input is returned itself on
 * a group of one process. The arrays must have one shape and dtype on every
 * process; every process of the group must call it, in the same order as
 * the other communication ops. Its gradient (MLX's rule) is the cotangent as
 * it is: each process differentiates its own loss.
 * @example
 * ```ts
 * const x = mx.array([1, 2, 3]);
 * mx.distributed.allSum(x) === x; // true
 * await mx.distributed.allSum(x, { group: mx.distributed.init() }).tolist(); // [1, 2, 3]
 * ```
 */
export function allSum(x: ArrayLike, options?: DistributedOptions): MxArray {
  noExtraArguments("distributed.allSum", arguments, 2);
  return allReduce("distributed.allSum", "sum", x, options);
}

/**
 * The elementwise maximum of `x` over the processes of the group (MLX's
 * `all_max`); NaN wins, as in `mx.maximum`. Its input itself on a group of
 * one process.
 * @example
 * ```ts
 * await mx.distributed.allMax(mx.array([1, 5])).tolist(); // [1, 5]
 * ```
 */
export function allMax(x: ArrayLike, options?: DistributedOptions): MxArray {
  noExtraArguments("distributed.allMax", arguments, 2);
  return allReduce("distributed.allMax", "max", x, options);
}

/**
 * The elementwise minimum of `x` over the processes of the group (MLX's
 * `all_min`); NaN wins, as in `mx.minimum`. Its input itself on a group of
 * one process.
 * @example
 * ```ts
 * await mx.distributed.allMin(mx.array([1, 5])).tolist(); // [1, 5]
 * ```
 */
export function allMin(x: ArrayLike, options?: DistributedOptions): MxArray {
  noExtraArguments("distributed.allMin", arguments, 2);
  return allReduce("distributed.allMin", "min", x, options);
}

/**
 * The `x` of every process of the group concatenated along axis 0, in rank
 * order (MLX's `all_gather`): shape [size * n, ...] for x of shape [n, ...],
 * [size] for a scalar. The arrays must have one shape and dtype on every
 * process. Its input itself on a group of one process.
 * @example
 * ```ts
 * await mx.distributed.allGather(mx.array([[1, 2]])).tolist(); // [[1, 2]]
 * ```
 */
export function allGather(x: ArrayLike, options?: DistributedOptions): MxArray {
  noExtraArguments("distributed.allGather", arguments, 2);
  return collective("distributed.allGather", x, options, (a, group, ring, stream) => node(new AllGather(group, ring), [a], stream));
}

/**
 * The sum of `x` over the processes of the group, of which process r keeps
 * rows r * k to (r + 1) * k of axis 0, k = x.shape[0] / size (MLX's
 * `sum_scatter`: `allSum(x)` sliced, computed as one reduce-scatter). Axis 0
 * must exist and the group size divide it. Its input itself on a group of
 * one process.
 * @example
 * ```ts
 * await mx.distributed.sumScatter(mx.array([1, 2])).tolist(); // [1, 2]
 * ```
 */
export function sumScatter(x: ArrayLike, options?: DistributedOptions): MxArray {
  noExtraArguments("distributed.sumScatter", arguments, 2);
  const op = "distributed.sumScatter";
  return collective(op, x, options, (a, group, ring, stream) => {
    if (a.ndim === 0 || a.shape[0]! % group.size() !== 0) {
      throw opError(op, `invalid shape (${a.shape.join(", ")}${a.ndim === 1 ? "," : ""}) for a group of size ${group.size()}: the input must have an axis 0, and the group size must divide it`, [a], "value");
    }
    return node(new ReduceScatter(group, ring), [a], stream);
  });
}

/** `rank` (argument `name`: "dst" or "src") checked against `group`; errors name `op` and say MLX's text. */
function checkPeer(op: string, name: "dst" | "src", rank: number, group: Group): void {
  if (group.size() === 1) throw opError(op, name === "dst" ? "Cannot send to a singleton group" : "Cannot recv from a singleton group", [], "value");
  if (rank < 0 || rank >= group.size()) throw opError(op, `Invalid ${name === "dst" ? "destination" : "source"}=${rank} for a group of size ${group.size()}`, [], "range");
  if (rank === group.rank()) throw opError(op, `${name}=${rank} is this process's own rank; ${name === "dst" ? "send to" : "receive from"} another process of the group`, [], "value");
}

/**
 * Sends `x` to the process of rank `dst` in the group (MLX's `send`); the
 * result is `x`, and evaluating it sends. The receiver calls `recv` (or
 * `recvLike`) with `x`'s shape and dtype. Any two processes of the group
 * can exchange messages; those between two processes arrive in the order
 * they were sent. A group of one process cannot send (MLX's error).
 * @example
 * ```ts
 * let message = "";
 * try {
 *   mx.distributed.send(mx.ones([2]), 0);
 * } catch (e) {
 *   message = (e as Error).message;
 * }
 * message; // "[distributed.send] Cannot send to a singleton group"
 * ```
 */
export function send(x: ArrayLike, dst: number, options?: DistributedOptions): MxArray {
  noExtraArguments("distributed.send", arguments, 3);
  const op = "distributed.send";
  return asOp(op, () => {
    checkArrayLike(op, x, "x");
    checkInt(op, "dst", dst);
    const { group, stream } = groupAndStream(op, options);
    checkPeer(op, "dst", dst, group);
    return node(new Send(dst, group, group.ring!), [toArray(op, x, stream, undefined, "x")], stream);
  });
}

/** recv's body, for op `op` (recv or recvLike). */
function receive(op: string, shape: readonly number[], dtype: DType, src: number, options: DistributedOptions | undefined): MxArray {
  checkInt(op, "src", src);
  const { group, stream } = groupAndStream(op, options);
  checkPeer(op, "src", src, group);
  return node(new Recv(src, [...shape], dtype, group, group.ring!), [], stream);
}

/**
 * An array of `shape` and `dtype` that the process of rank `src` in the
 * group sends with `send` (MLX's `recv`); evaluating it receives. A group
 * of one process cannot receive (MLX's error).
 * @example
 * ```ts
 * let message = "";
 * try {
 *   mx.distributed.recv([2], mx.float32, 0);
 * } catch (e) {
 *   message = (e as Error).message;
 * }
 * message; // "[distributed.recv] Cannot recv from a singleton group"
 * ```
 */
export function recv(shape: readonly number[], dtype: DType, src: number, options?: DistributedOptions): MxArray {
  noExtraArguments("distributed.recv", arguments, 4);
  const op = "distributed.recv";
  return asOp(op, () => {
    checkShape(op, shape);
    if (!isDType(dtype)) throw opError(op, `dtype must be an mx dtype (e.g. mx.float32), got ${describeValue(dtype)}`, [], "type");
    return receive(op, shape, dtype, src, options);
  });
}

/**
 * `recv(x.shape, x.dtype, src, options)` (MLX's `recv_like`): an array like
 * `x` that the process of rank `src` sends.
 * @example
 * ```ts
 * let message = "";
 * try {
 *   mx.distributed.recvLike(mx.ones([2]), 0);
 * } catch (e) {
 *   message = (e as Error).message;
 * }
 * message; // "[distributed.recvLike] Cannot recv from a singleton group"
 * ```
 */
export function recvLike(x: ArrayLike, src: number, options?: DistributedOptions): MxArray {
  noExtraArguments("distributed.recvLike", arguments, 3);
  const op = "distributed.recvLike";
  return asOp(op, () => {
    const a = checkArrayLike(op, x, "x");
    // (a JS scalar is a 0-d array of its default dtype, as MLX's to_array makes it)
    return a instanceof MxArray ? receive(op, a.shape, a.dtype, src, options) : receive(op, [], scalarDefaultDType(a), src, options);
  });
}
