// Sizes checked where memory meets kernels (issue 12): metal refuses buffers
// above maxBufferLength with an error instead of crashing the process, frees
// evicted memory at once and never wraps a grid; its kernels switch to 64-bit
// indices past 2^31; webgpu checks its buffer limits and memory budget and
// never wraps a count in a 32-bit params word, reducing segments of 2^32 and
// more in pieces.

import { constants as bufferConstants } from "node:buffer";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend, type Tensor } from "../backends/backend.js";
import type { MetalBackend, MetalBuffer } from "../backends/metal/backend.js";
import { contiguousCopy, elementwiseLibrary } from "../backends/metal/elementwise.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { packParams } from "../backends/webgpu/backend.js";
import { Reduce } from "../src/primitives/reduce.js";
import { rowMajorStrides } from "../src/shape.js";

const metal = findBackend("metal") as MetalBackend | undefined;
const gpu = findBackend("webgpu") as WebGpuBackend | undefined;

/** A uint8 view of `n` elements at byte `offset` of `buffer`. */
function u8View(buffer: Tensor["buffer"], offset: number, shape: number[]): Tensor {
  return { buffer, dtype: mx.uint8, shape, strides: rowMajorStrides(shape), offset };
}

describe.skipIf(!metal)("metal: buffers and grids", () => {
  it("states a maxBufferLength no larger than Node wraps in one ArrayBuffer", () => {
    expect(metal!.device.maxBufferLength).toBeGreaterThan(2 ** 30);
    expect(metal!.device.maxBufferLength).toBeLessThanOrEqual(bufferConstants.MAX_LENGTH);
  });

  it("refuses a buffer above maxBufferLength with an error (it crashed the process with exit 139)", () => {
    const max = metal!.device.maxBufferLength;
    expect(() => metal!.device.newBuffer(max + 4096)).toThrow(/^\[metal\] cannot allocate \d+ bytes: larger than the maxBufferLength of \d+ bytes/);
    expect(() => metal!.allocate(max + 4096)).toThrow(/^\[metal\] cannot allocate .*larger than this device's maxBufferLength/);
  });

  it.skipIf(!metal || metal.device.maxBufferLength >= 2 ** 32 + 256)("an op whose result is too large for a buffer fails with an error", async () => {
    await expect(mx.eval(mx.add(mx.zeros([2 ** 30 + 64]), 1, { stream: mx.metal }))).rejects.toThrow(/maxBufferLength/);
  });

  it("frees device memory when the pool evicts a block, detaching its ArrayBuffer", () => {
    const buffer = metal!.allocate(1 << 20) as MetalBuffer;
    const bytes = buffer.bytes;
    expect(bytes.byteLength).toBe(1 << 20);
    metal!.release(buffer);
    metal!.clearCache();
    expect(bytes.byteLength).toBe(0);
    const direct = metal!.device.newBuffer(4096);
    metal!.device.freeBuffer(direct);
    expect(() => metal!.device.freeBuffer(direct)).toThrow(/not a live device buffer/);
  });

  it("refuses a grid dimension that 32 bits cannot hold instead of wrapping it", () => {
    const pipeline = metal!.pipeline(elementwiseLibrary(mx.float32), "copy");
    expect(() => metal!.device.encode(pipeline, [], [2 ** 32, 1, 1], [256, 1, 1])).toThrow(/^\[metal\] encode: grid dimension 0 is 4294967296\.0+, not an integer in 0\.\.2\^32-1/);
  });

  it("reads linear ids from a 2-D grid (the layout of counts past 2^31)", async () => {
    const x = mx.arange(700, { dtype: mx.float32, stream: mx.metal });
    await mx.eval(x);
    const t = x.tensor();
    const out = metal!.allocOutput({ shape: [700], dtype: mx.float32 });
    metal!.run("copy", elementwiseLibrary(mx.float32), "copy", [out, t], [700, 1, 700, 0, 1, t.offset, 1], { grid: [256, 3], group: [256] });
    const got = Array.from(metal!.readSync(out) as Float32Array);
    metal!.release(out.buffer);
    expect(got).toEqual(Array.from({ length: 700 }, (_, i) => i));
  });

  it("indexes past 2^31 with 64-bit offsets (the tail of a 2 GiB buffer)", () => {
    const size = 2 ** 31 + 64;
    const buffer = metal!.allocate(size) as MetalBuffer;
    try {
      new Uint8Array(buffer.bytes, 2 ** 31, 64).set(Array.from({ length: 64 }, (_, i) => i + 1));
      // 16 elements from byte 2^31 + 8, as 2 x 8
      const tail = u8View(buffer, 2 ** 31 + 8, [2, 8]);
      const copy = contiguousCopy(metal!, tail);
      expect(Array.from(metal!.readSync(copy) as Uint8Array)).toEqual(Array.from({ length: 16 }, (_, i) => i + 9));
      metal!.release(copy.buffer);
      // uint8 sums in uint8 (the op widens first), wrapping: 9 + ... + 24 = 264 is 8
      for (const [axes, shape, want] of [[[1], [2], [100, 164]], [[0, 1], [], [8]]] as const) {
        const sum = metal!.kernels.sum!(new Reduce("sum", axes, false), [tail], { shape, dtype: mx.uint8 });
        expect(Array.from(metal!.readSync(sum) as Uint8Array)).toEqual(want);
        metal!.release(sum.buffer);
      }
    } finally {
      metal!.release(buffer);
      metal!.clearCache();
    }
  });
});

describe.skipIf(!gpu)("webgpu: limits and 32-bit words", () => {
  it("checks maxStorageBufferBindingSize and maxBufferSize at allocation", () => {
    const limits = gpu!.ctx.device.limits;
    const over = Math.max(limits.maxStorageBufferBindingSize, Math.min(limits.maxBufferSize, 2 ** 32 - 4)) + 4;
    expect(() => gpu!.allocate(over)).toThrow(/^\[webgpu\] cannot allocate \d+ bytes .*: (larger than this device's (maxStorageBufferBindingSize|maxBufferSize)|WGSL kernels index buffers with 32-bit words)/);
  });

  it("starts a software adapter with a memory budget and fails past it before the driver does", async () => {
    const info = (gpu!.ctx.adapter as { info?: { architecture?: string; isFallbackAdapter?: boolean } }).info;
    if (info?.architecture === "software" || info?.isFallbackAdapter) expect(gpu!.getMemoryLimit()).toBe(gpu!.ctx.device.limits.maxBufferSize);
    const previous = gpu!.setMemoryLimit(gpu!.memory().active + 2 ** 20);
    try {
      await expect(mx.eval(mx.add(mx.zeros([2 ** 19], mx.float32), 1, { stream: mx.webgpu }))).rejects.toThrow(/^\[add\] \[webgpu\] out of memory: .*exceeds the memory limit/);
    } finally {
      gpu!.setMemoryLimit(previous);
    }
  });

  it("refuses a params word no 32-bit integer holds, naming the op, instead of wrapping it", () => {
    expect(Array.from(packParams("sum", [0, 2 ** 32 - 1, -(2 ** 31)]))).toEqual([0, 2 ** 32 - 1, 2 ** 31]);
    expect(() => packParams("sum", [2 ** 32 + 5])).toThrow(/^\[sum\] parameter 0 of its WebGPU kernel is 4294967301, which no 32-bit word holds/);
    expect(() => packParams("sum", [1.5])).toThrow(/^\[sum\] parameter 0/);
  });

  it("sums 2^32 + 2^16 elements (a broadcast view) without wrapping the count (it gave 65536)", async () => {
    const s = { stream: mx.webgpu };
    const x = mx.broadcastTo(mx.array(1, mx.float32, s), [2 ** 16, 2 ** 16 + 1], s);
    expect(await mx.sum(x, s).item()).toBe(2 ** 32 + 2 ** 16);
  });

  it("refuses an arg-reduction or logsumexp over 2^31 elements or more by name", async () => {
    const s = { stream: mx.webgpu };
    const x = mx.broadcastTo(mx.array(1, mx.float32, s), [2 ** 16, 2 ** 15 + 1], s);
    await expect(mx.argmax(x, s).item()).rejects.toThrow(/^\[argmax\] cannot reduce 2147549184 elements per output on webgpu/);
    await expect(mx.logsumexp(x, s).item()).rejects.toThrow(/^\[logsumexp\] cannot reduce 2147549184 elements per output on webgpu/);
  });
});
