// Work no backend counts exactly, refused by name before anything runs; and
// views whose unused strides or offset no kernel parameter holds, made plain.
//
// A broadcast view costs no memory, so a reduction over
// mx.ones([2 ** 31 - 1, 2 ** 31 - 1]) asks for 4.6e18 additions from four
// bytes. Element and multiply-add counts are JS numbers everywhere (shapes,
// loop bounds, kernel parameters), exact only up to 2^53 - 1; past that a
// count is rounded, a loop never ends in practice (the cpu reference folds
// about 10^9 elements a second: 2^53 would be months) and metal's 64-bit
// kernel parameters receive an inexact value. So a kernel whose element count
// (any input's, read whole) or multiply-add count (matmul, conv, attention,
// quantized matmul) passes 2^53 - 1 is refused on every backend with an error
// naming the op and the shapes; work up to it runs, however long it takes
// (a sum over 2^32 broadcast elements takes seconds on the cpu). Backends
// refuse narrower counts where their kernels index with fewer bits (webgpu's
// 32-bit words: its own messages).
//
// A dimension of size 1 never steps its stride, and a view of no elements
// reads nothing, yet a slice with step -(2 ** 53) or an asStrided of shape
// [0] with any offset makes one whose stride or offset no 32-bit (webgpu) or
// exact 64-bit (metal) parameter holds: kernels see such views with those
// strides zeroed and the offset of an empty view at 0 (canonicalView).

import type { Backend, Kernel, MultiKernel, Tensor } from "./backend.js";
import type { FusedGroup } from "../src/compile/group.js";
import type { Primitive } from "../src/primitive.js";
import { rowMajorStrides } from "../src/shape.js";
import { valueSpecs } from "./fused-values.js";

/** The largest count every backend handles exactly (Number.MAX_SAFE_INTEGER). */
export const MAX_WORK = 2 ** 53 - 1;

/**
 * Kernels that read only part of an input (views, gathers: their work is
 * their output's, which an allocation bounds) or only its shape, and user
 * kernels (their own contract): no input count is checked for them.
 */
const READS_PART = new Set(["reshape", "transpose", "broadcast", "broadcastAxes", "slice", "asStrided", "contiguous", "view", "take", "gatherAxis", "numberOfElements", "depends", "customKernel"]);

function count(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

const shapeText = (s: readonly number[]) => `[${s.join(", ")}]`;

/** A count for a message: exact when it is, else about its value (the product of the dims is rounded past 2^53). */
function countText(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : `about ${n.toPrecision(3)} (2^${Math.log2(n).toFixed(1)})`;
}

/** The multiply-adds of a contraction kernel, and how they are counted (for the message); undefined for other kernels. */
function contraction(name: string, inputs: readonly Tensor[], out: { shape: readonly number[] }): { n: number; how: () => string } | undefined {
  const last = (t: Tensor) => t.shape[t.shape.length - 1] ?? 1;
  switch (name) {
    case "matmul":
    case "quantizedMatmul": {
      const K = last(inputs[0]!);
      return { n: count(out.shape) * K, how: () => `an output of shape ${shapeText(out.shape)} times K = ${K}` };
    }
    case "conv": {
      const w = inputs[1]!;
      const taps = count(w.shape.slice(1));
      return { n: count(out.shape) * taps, how: () => `an output of shape ${shapeText(out.shape)} times ${taps} weights per output (weight shape ${shapeText(w.shape)})` };
    }
    case "scaledDotProductAttention": {
      const [q, k, v] = inputs as [Tensor, Tensor, Tensor];
      const S = k.shape[2] ?? 1;
      return { n: count(q.shape) * S + count(out.shape) * S, how: () => `queries of shape ${shapeText(q.shape)} against ${S} keys and values of shape ${shapeText(v.shape)}` };
    }
  }
  return undefined;
}

/** The error for work past MAX_WORK (the caller prefixes the op's name). */
function tooMuch(what: string): RangeError {
  return new RangeError(`${what}, more than 2^53 - 1: no backend counts that many exactly (a broadcast view costs no memory, but every element is still read)`);
}

/** The kernels whose multiply-adds outnumber their inputs' and output's elements (see contraction). */
const CONTRACTIONS = new Set(["matmul", "quantizedMatmul", "conv", "scaledDotProductAttention"]);

/** Throws (naming the op) when kernel `prim` would count past MAX_WORK over `inputs` (`out`: its one output, for the contractions). */
export function checkWork(prim: Primitive, inputs: readonly Tensor[], out?: { shape: readonly number[] }): void {
  const name = prim.name;
  if (READS_PART.has(name)) return;
  for (let i = 0; i < inputs.length; i++) {
    const shape = inputs[i]!.shape;
    let n = 1;
    for (let d = 0; d < shape.length; d++) n *= shape[d]!;
    if (n > MAX_WORK) {
      const which = inputs.length > 1 ? `input ${i}` : "its input";
      throw named(prim, tooMuch(`would read ${countText(n)} elements of ${which} (shape ${shapeText(shape)})`));
    }
  }
  if (!out || !CONTRACTIONS.has(name)) return;
  const c = contraction(name, inputs, out)!;
  if (c.n > MAX_WORK) throw named(prim, tooMuch(`would take ${countText(c.n)} multiply-adds (${c.how()})`));
}

/** Throws (naming the op) when a fused reduction group computes a value of more than MAX_WORK elements (its prologue runs over the reduction's input). */
export function checkFusedWork(prim: Primitive, group: FusedGroup, inputs: readonly Tensor[]): void {
  if (group.reduce === undefined) return;
  const specs = valueSpecs(group, inputs);
  for (let j = 0; j < group.nodes.length; j++) {
    const s = specs[inputs.length + j]!;
    const n = count(s.shape);
    if (n > MAX_WORK) {
      throw named(prim, tooMuch(`a fused ${group.nodes[j]!.primitive.name} would compute ${countText(n)} elements of shape ${shapeText(s.shape)}`));
    }
  }
}

function named(prim: Primitive, e: Error): Error {
  e.message = `[${prim.errorName}] ${e.message}`;
  return e;
}

/** Strides no kernel parameter may need: a size-1 dimension's stride this large is never stepped (it is dropped). */
const UNUSED_STRIDE = 2 ** 31;

/**
 * `t`, or the same elements as a view whose unused strides and offset are
 * plain: a size-1 dimension's stride of 2^31 or more becomes 0, and a view
 * of no elements gets offset 0 and row-major strides. The same tensor when
 * nothing changes (the common case; kernels may compare inputs by identity).
 */
export function canonicalView(t: Tensor): Tensor {
  const { shape, strides } = t;
  let empty = false, wide = false;
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 0) empty = true;
    else if (shape[d] === 1 && (strides[d]! >= UNUSED_STRIDE || strides[d]! <= -UNUSED_STRIDE)) wide = true;
  }
  if (empty) {
    const plain = rowMajorStrides(shape);
    if (t.offset === 0 && plain.every((s, d) => s === strides[d])) return t;
    return { ...t, strides: plain, offset: 0 };
  }
  if (!wide) return t;
  return { ...t, strides: strides.map((s, d) => (shape[d] === 1 && (s >= UNUSED_STRIDE || s <= -UNUSED_STRIDE) ? 0 : s)) };
}

function canonicalInputs(inputs: readonly Tensor[]): readonly Tensor[] {
  let out: Tensor[] | undefined;
  for (let i = 0; i < inputs.length; i++) {
    const c = canonicalView(inputs[i]!);
    if (c !== inputs[i]) (out ??= [...inputs])[i] = c;
  }
  return out ?? inputs;
}

/** `k` checking its work first and seeing canonical views of its inputs. */
export function guardKernel(k: Kernel): Kernel {
  return (prim, inputs, out) => {
    checkWork(prim, inputs, out);
    return k(prim, canonicalInputs(inputs), out);
  };
}

export function guardMultiKernel(k: MultiKernel): MultiKernel {
  return (prim, inputs, outs) => {
    checkWork(prim, inputs, outs.length === 1 ? outs[0] : undefined);
    return k(prim, canonicalInputs(inputs), outs);
  };
}

/** Every kernel of a table guarded (guardKernel). */
export function guardKernels(table: Readonly<Record<string, Kernel>>): Record<string, Kernel> {
  return Object.fromEntries(Object.entries(table).map(([name, k]) => [name, guardKernel(k)]));
}

/** Every multi-output kernel of a table guarded (guardMultiKernel), user kernels (customKernel: their own contract) aside. */
export function guardMultiKernels(table: Readonly<Record<string, MultiKernel>>): Record<string, MultiKernel> {
  return Object.fromEntries(Object.entries(table).map(([name, k]) => [name, name === "customKernel" ? k : guardMultiKernel(k)]));
}

/** A backend's `fuse` whose reduction groups check their work first and whose kernels see canonical views. */
export function guardFuse(fuse: NonNullable<Backend["fuse"]>): NonNullable<Backend["fuse"]> {
  return (group) => {
    const k = fuse(group);
    if (!k) return undefined;
    return (prim, inputs, outs) => {
      checkFusedWork(prim, group, inputs);
      return k(prim, canonicalInputs(inputs), outs);
    };
  };
}
