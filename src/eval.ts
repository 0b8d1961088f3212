// Graph evaluation: an iterative post-order walk from the requested arrays
// (no recursion, so 100 000-node chains are fine), one kernel call per node on
// its stream's backend, transfers where an input lives on another backend.

import { getBackend, type Backend, type Tensor } from "../backends/backend.js";
import type { MxArray } from "./array.js";
import { describe } from "./errors.js";
import { rowMajorStrides } from "./shape.js";

/** Unevaluated nodes reachable from `outputs`, inputs before users. */
function schedule(outputs: readonly MxArray[]): MxArray[] {
  const order: MxArray[] = [];
  const seen = new Set<MxArray>();
  // parallel stacks: the node, and whether its inputs were already pushed
  const stack: MxArray[] = [...outputs];
  const expanded: boolean[] = outputs.map(() => false);
  while (stack.length) {
    const a = stack.pop()!;
    if (expanded.pop()) {
      order.push(a);
      continue;
    }
    if (seen.has(a)) continue;
    if (a.isDisposed) throw new Error(`cannot evaluate: array ${describe(a)} was disposed`);
    if (a.isEvaluated) continue;
    seen.add(a);
    stack.push(a);
    expanded.push(true);
    for (const inp of a.inputs) {
      if (!inp.isEvaluated && !seen.has(inp)) {
        stack.push(inp);
        expanded.push(false);
      }
    }
  }
  return order;
}

/** Copies a tensor to `target` when it lives elsewhere (a synchronous read of the source). */
function onBackend(t: Tensor, target: Backend, node: MxArray): Tensor {
  const source = t.buffer.backend;
  if (source === target) return t;
  if (!source.readSync) {
    throw new Error(`cannot move an input of '${node.primitive?.name}' from backend '${source.name}' to '${target.name}' synchronously; await mx.eval() on the input first`);
  }
  const host = source.readSync(t);
  const buffer = target.allocate(host.byteLength);
  target.write(buffer, host);
  return { buffer, dtype: t.dtype, shape: t.shape, strides: rowMajorStrides(t.shape), offset: 0 };
}

function unsupportedDType(node: MxArray, backend: Backend, d: MxArray["dtype"]): Error {
  return new Error(`[${node.primitive!.name}] dtype ${d.name} is not supported on backend '${backend.displayName}' (inputs: ${node.inputs.map(describe).join(", ")}); supported: ${[...backend.capabilities.dtypes].join(", ")}`);
}

function run(node: MxArray): void {
  const prim = node.primitive!;
  const backend = getBackend(node.stream.device.backend);
  const dtypes = backend.capabilities.dtypes;
  if (!dtypes.has(node.dtype)) throw unsupportedDType(node, backend, node.dtype);
  for (const x of node.inputs) if (!dtypes.has(x.dtype)) throw unsupportedDType(node, backend, x.dtype);
  const kernel = backend.kernels[prim.name];
  if (!kernel) {
    throw new Error(`[${prim.name}] is not implemented on backend '${backend.displayName}' (inputs: ${node.inputs.map(describe).join(", ")})`);
  }
  const inputs: Tensor[] = [];
  let moved: Tensor[] | undefined;
  for (const x of node.inputs) {
    const t = x.tensor();
    const m = t.buffer.backend === backend ? t : onBackend(t, backend, node);
    if (m !== t) (moved ??= []).push(m);
    inputs.push(m);
  }
  try {
    node.slot.data = kernel(prim, inputs, node);
  } finally {
    if (moved) for (const m of moved) backend.release(m.buffer);
  }
  node.primitive = null;
  node.inputs = [];
}

export function evaluateSync(outputs: readonly MxArray[]): void {
  for (const node of schedule(outputs)) run(node);
}

/** Evaluates `outputs` and waits for every backend that ran work. */
export async function evaluate(outputs: readonly MxArray[]): Promise<void> {
  const order = schedule(outputs);
  const used = new Set<Backend>();
  for (const node of order) {
    run(node);
    used.add(node.slot.data!.buffer.backend);
  }
  for (const b of used) await b.synchronize();
}

/** A host tensor for constants: copies `words` into a new buffer of `backend`. */
export function uploadTensor(backend: Backend, dtype: MxArray["dtype"], shape: readonly number[], words: ArrayBufferView): Tensor {
  const buffer = backend.allocate(words.byteLength);
  backend.write(buffer, words);
  return { buffer, dtype, shape, strides: rowMajorStrides(shape), offset: 0 };
}
