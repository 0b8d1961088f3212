// The metal kernel of user kernels (mx.fast.metalKernel): compiles each
// generated source once (cached per source), binds the inputs (copied first
// when they must be row-contiguous or start inside their buffer), the outputs
// (filled with the init value on the host: unified memory) and the constant
// block of shapes, strides and ranks, and dispatches the user's grid. User
// kernels are compiled checked: on the emulator an access outside an input's
// or output's own bytes is an error naming the kernel and the line.

import type { MultiKernel, Tensor } from "../backend.js";
import { sizeOf } from "../../src/shape.js";
import { numberToStorage } from "../../src/convert.js";
import { storageCtor } from "../../src/storage.js";
import type { CustomKernel } from "../../src/fast/custom-kernel.js";
import { metalMetaLayout } from "../../src/fast/metal-kernel.js";
import { isRowMajor } from "../strides.js";
import type { MetalBackend } from "./backend.js";
import { contiguousCopy } from "./elementwise.js";
import type { NativePipeline } from "./native.js";

/** The constant block: each input's shape, strides (int64, as two words) and rank where the body names them. */
function metaWords(prim: CustomKernel, inputs: readonly Tensor[]): Int32Array | undefined {
  const { slots, words } = metalMetaLayout(prim.spec.companions, inputs.map((t) => t.shape.length));
  if (!words) return undefined;
  const meta = new Int32Array(words);
  slots.forEach((s, i) => {
    const t = inputs[i]!;
    if (s.shape !== undefined) meta.set(t.shape, s.shape);
    if (s.strides !== undefined) {
      t.strides.forEach((st, d) => {
        meta[s.strides! + 2 * d] = st | 0;
        meta[s.strides! + 2 * d + 1] = Math.floor(st / 2 ** 32);
      });
    }
    if (s.ndim !== undefined) meta[s.ndim] = t.shape.length;
  });
  return meta;
}

/** The bytes of `t` from its first element to its last (strides in elements, offset 0): what the kernel may touch. */
function extentBytes(t: Tensor): number {
  if (t.shape.some((d) => d === 0)) return 0;
  const last = t.shape.reduce((end, d, i) => end + (d - 1) * Math.abs(t.strides[i]!), 0);
  return (last + 1) * t.dtype.size;
}

export function customKernelMetal(metal: MetalBackend): MultiKernel {
  const pipelines = new Map<string, NativePipeline>();
  const pipelineOf = (prim: CustomKernel): NativePipeline => {
    const { source, kernel, entry } = prim.spec;
    let p = pipelines.get(source);
    if (!p) {
      try {
        p = metal.device.newPipeline(metal.device.newLibrary(`${kernel}.metal`, source, { checked: true }), entry);
      } catch (e) {
        throw new Error(`kernel '${kernel}' did not compile: ${(e as Error).message}`);
      }
      pipelines.set(source, p);
    }
    return p;
  };
  return (primitive, inputs, outs) => {
    const prim = primitive as CustomKernel;
    const { spec } = prim;
    if (spec.backend !== "metal") throw new Error(`kernel '${spec.kernel}' is a ${spec.backend} kernel; it cannot run on the metal backend`);
    const pipeline = pipelineOf(prim);
    const copies: Tensor[] = [];
    const bound = inputs.map((t) => {
      if (t.offset === 0 && (!spec.ensureRowContiguous || isRowMajor(t.shape, t.strides))) return t;
      const c = contiguousCopy(metal, t);
      copies.push(c);
      return c;
    });
    const outputs = outs.map((o) => {
      const t = metal.allocOutput(o);
      if (spec.initValue !== null) {
        const n = sizeOf(o.shape);
        const words = new (storageCtor(o.dtype))(n);
        (words as { fill(v: number | bigint): unknown }).fill(numberToStorage(o.dtype)(spec.initValue));
        metal.write(t.buffer, words);
      }
      return t;
    });
    const lengths = [...bound, ...outputs].map(extentBytes);
    metal.dispatch(`${prim.op} '${spec.kernel}'`, pipeline, [...bound, ...outputs], metaWords(prim, bound), spec.grid, spec.threadgroup, lengths);
    for (const c of copies) metal.release(c.buffer);
    return outputs;
  };
}
