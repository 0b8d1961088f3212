// The communication primitives (MLX's AllReduce, AllGather, ReduceScatter,
// Send, Recv), named as the ops that build them: output rules, MLX's vjp /
// jvp / vmap rules, and a host kernel each (carried by the primitive, for any
// backend that reads synchronously: the cpu, MLX's communication stream)
// that exchanges the bytes through the group's ring. They never merge (CSE).
// The rules' communications run on the ops' default stream, the cpu (MLX's
// communication stream), whatever stream their tangents or batches are on.

import type { Backend, MultiKernel, OutputSpec, Tensor } from "../../backends/backend.js";
import { retain } from "../../backends/backend.js";
import type { MxArray } from "../array.js";
import type { DType } from "../dtype.js";
import { opError } from "../errors.js";
import { uploadTensor, type CarriesKernel } from "../eval.js";
import { Primitive, type Spec } from "../primitive.js";
import { on } from "../primitives/autodiff.js";
import { ops } from "../primitives/ops-ref.js";
import type { Group } from "./group.js";
import { allGather, allMax, allMin, allSum, send } from "./ops.js";
import { allGather as ringAllGather, allReduce, receiveFrom, sendTo, sumScatter as ringSumScatter, type Ring } from "./ring/collectives.js";
import type { ReduceKind } from "./ring/fold.js";

/** The bytes of an array `words` view (a fresh host copy: readSync's). */
const bytesOf = (words: ArrayBufferView) => new Uint8Array(words.buffer, words.byteOffset, words.byteLength);

/** A primitive that communicates within `group` (of more than one process) through `ring`. */
abstract class Communication extends Primitive implements CarriesKernel {
  constructor(
    readonly group: Group,
    readonly ring: Ring,
  ) {
    super();
  }

  /** The result's bytes, from the inputs' bytes; null: the output is the first input itself (send). */
  protected abstract communicate(inputs: Uint8Array[], out: OutputSpec): Uint8Array | null;

  /** Eval keeps its buffer: computed again, it would communicate on this process alone (and hang the group). */
  override get recomputable(): boolean {
    return false;
  }

  /** Every process runs its communications in its program's order, whichever of two overlapping evals gets its inputs first. */
  override get keepsEvalOrder(): boolean {
    return true;
  }

  /** Two communication nodes are never one: each sends its own messages. */
  override isEquivalent(): boolean {
    return false;
  }

  override params(): Readonly<Record<string, unknown>> {
    return { group: String(this.group) };
  }

  /** The host kernel, on a backend that reads synchronously (undefined elsewhere: eval says the op is not implemented there). */
  kernelOn(backend: Backend): MultiKernel | undefined {
    if (!backend.readSync) return undefined;
    const read = backend.readSync.bind(backend);
    return (_p, inputs, [out]) => {
      const result = this.communicate(inputs.map((t) => bytesOf(read(t))), out!);
      return [result === null ? sameTensor(inputs[0]!) : uploadTensor(backend, out!.dtype, out!.shape, result)];
    };
  }
}

/** `t` as the output too (another reference to its buffer). */
function sameTensor(t: Tensor): Tensor {
  retain(t.buffer);
  return { ...t };
}

const reduceOps = { sum: allSum, max: allMax, min: allMin } as const;

/** MLX's AllReduce: the sum, max or min of the input over the group's processes, elementwise. */
export class AllReduce extends Communication {
  readonly name: string;
  constructor(
    readonly reduce: ReduceKind,
    group: Group,
    ring: Ring,
  ) {
    super(group, ring);
    this.name = `distributed.${this.kind}`;
  }
  private get kind() {
    return this.reduce === "sum" ? "allSum" : this.reduce === "max" ? "allMax" : "allMin";
  }
  override params() {
    return { ...super.params(), reduce: this.reduce };
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: x!.shape, dtype: x!.dtype };
  }
  protected communicate([x]: Uint8Array[], out: OutputSpec): Uint8Array {
    return allReduce(this.ring, this.name, this.kind, this.reduce, out.dtype, x!);
  }
  /** MLX's rule: the cotangent as it is (each process's loss is its own; all_sum's result is the same on every one). */
  override vjp(_inputs: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    return [ct];
  }
  /** MLX's rule: the same reduction of the tangents. */
  override jvp(_inputs: readonly MxArray[], [t]: readonly (MxArray | null)[]): MxArray | null {
    return t ? reduceOps[this.reduce](t, { group: this.group }) : null;
  }
  /** Elementwise: the batched input reduced as it is, its batch axis kept. */
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    return [reduceOps[this.reduce](x!, { group: this.group }), axis!];
  }
}

/** MLX's AllGather: the inputs of the group's processes concatenated along axis 0 (scalars stacked into shape [size]). */
export class AllGather extends Communication {
  readonly name = "distributed.allGather";
  output([x]: readonly Spec[]): Spec {
    const n = this.group.size();
    return { shape: x!.shape.length === 0 ? [n] : [x!.shape[0]! * n, ...x!.shape.slice(1)], dtype: x!.dtype };
  }
  protected communicate([x]: Uint8Array[], out: OutputSpec): Uint8Array {
    return ringAllGather(this.ring, this.name, "allGather", out.dtype, x!);
  }
  /** MLX's rule: this process's rows of the cotangent (its element, for a scalar input). */
  override vjp([x]: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    const rank = this.group.rank();
    if (x!.ndim === 0) return [ops.take(ct, rank, 0, on(ct))];
    const rows = x!.shape[0]!;
    return [ops.slice(ct, [rank * rows, ...x!.shape.slice(1).map(() => 0)], [(rank + 1) * rows, ...x!.shape.slice(1)], undefined, on(ct))];
  }
  override jvp(_inputs: readonly MxArray[], [t]: readonly (MxArray | null)[]): MxArray | null {
    return t ? allGather(t, { group: this.group }) : null;
  }
  /**
   * The gather concatenates axis 0, so a batch there moves to axis 1 first
   * (a batch of scalars gets a leading axis of 1): the result keeps it at
   * axis 1. (MLX's rule keeps the batch axis where it is, which mixes
   * batch and ranks when it is axis 0.)
   */
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const opts = { group: this.group };
    if (axis !== 0) return [allGather(x!, opts), axis!];
    const moved = x!.ndim === 1 ? ops.expandDims(x!, 0, on(x!)) : ops.moveaxis(x!, 0, 1, on(x!));
    return [allGather(moved, opts), 1];
  }
}

/** MLX's ReduceScatter (sum): the sum over the group's processes, of which each keeps its block of rows (axis 0). */
export class ReduceScatter extends Communication {
  readonly name = "distributed.sumScatter";
  override validate([x]: readonly Spec[]): void {
    const n = this.group.size();
    if (!x || x.shape.length === 0 || x.shape[0]! % n !== 0) throw opError(this.name, `invalid shape (${x?.shape.join(", ")}) for a group of size ${n}: axis 0 must exist and be divisible by the group size`);
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: [x!.shape[0]! / this.group.size(), ...x!.shape.slice(1)], dtype: x!.dtype };
  }
  protected communicate([x]: Uint8Array[], out: OutputSpec): Uint8Array {
    return ringSumScatter(this.ring, this.name, out.dtype, x!);
  }
  override vjp(): (MxArray | null)[] {
    throw opError(this.name, "has no vjp (MLX defines none for sum_scatter)");
  }
  override jvp(): MxArray | null {
    throw opError(this.name, "has no jvp (MLX defines none for sum_scatter)");
  }
  override vmap(): [MxArray, number] {
    throw opError(this.name, "has no vmap rule (MLX defines none for sum_scatter)");
  }
}

/** MLX's Send: the input sent to process `dst` of the group; the output is the input. */
export class Send extends Communication {
  readonly name = "distributed.send";
  /** Eval sends ahead of its other nodes: a receive in the same eval, here or on the peer, never waits for it. */
  override get runsEarly(): boolean {
    return true;
  }
  constructor(
    readonly dst: number,
    group: Group,
    ring: Ring,
  ) {
    super(group, ring);
  }
  override params() {
    return { ...super.params(), dst: this.dst };
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: x!.shape, dtype: x!.dtype };
  }
  protected communicate([x]: Uint8Array[], out: OutputSpec): null {
    sendTo(this.ring, this.name, out.dtype, x!, this.dst);
    return null;
  }
  override vjp(): (MxArray | null)[] {
    throw opError(this.name, "has no vjp (MLX defines none for send)");
  }
  override jvp(): MxArray | null {
    throw opError(this.name, "has no jvp (MLX defines none for send)");
  }
  /** MLX's rule: the batched input sent as it is. */
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    return [send(x!, this.dst, { group: this.group }), axis!];
  }
}

/** MLX's Recv: an array of `shape` and `dtype` that process `src` of the group sends. */
export class Recv extends Communication {
  readonly name = "distributed.recv";
  constructor(
    readonly src: number,
    readonly shape: readonly number[],
    readonly dtype: DType,
    group: Group,
    ring: Ring,
  ) {
    super(group, ring);
  }
  override params() {
    return { ...super.params(), src: this.src, shape: this.shape, dtype: this.dtype.name };
  }
  output(): Spec {
    return { shape: this.shape, dtype: this.dtype };
  }
  protected communicate(_inputs: Uint8Array[], out: OutputSpec): Uint8Array {
    return receiveFrom(this.ring, this.name, out.dtype, out.shape.reduce((a, d) => a * d, 1) * out.dtype.size, this.src);
  }
}
