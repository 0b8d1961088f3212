// The elementwise kernel's two forms on the webgpu backend (wgsl/elementwise.wgsl's
// UNROLL_WORDS): eight whole words an invocation written out (a GPU's default) and
// looped (a CPU adapter's) give the same bits, whichever the adapter runs by default.

import { afterAll, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { deviceFor } from "../src/device.js";

const gpu = findBackend("webgpu") as WebGpuBackend | undefined;
const o = { stream: gpu ? deviceFor("webgpu") : mx.cpu };

/** The bytes of each of `xs`. */
async function bytesOf(xs: mx.MxArray[]): Promise<Uint8Array[]> {
  return Promise.all(xs.map(async (x) => {
    const d = await x.data();
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice();
  }));
}

/** The first byte where `a` and `b` differ, or -1 (their lengths equal). */
const firstDifference = (a: Uint8Array, b: Uint8Array): number => (a.length !== b.length ? 0 : a.findIndex((v, i) => v !== b[i]));

describe.skipIf(!gpu)("webgpu elementwise kernels unrolled and looped", () => {
  const initial = gpu?.unrolledWords;
  afterAll(() => {
    if (gpu && initial !== undefined) gpu.unrolledWords = initial;
  });

  it("give the same bits (float32, 16-bit pairs, bytes; contiguous and broadcast; fast paths, rare words and the narrow path)", async () => {
    // 3 workgroups of 2048 words and a partial one for every width, so whole and partial blocks both run
    const n = 4 * 2048 * 4 + 37;
    let seed = 11;
    const bits = new Uint32Array(n).map(() => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0));
    for (let i = 0; i < n; i += 97) bits[i] = 0x7f000000 + i; // huge arguments: sin's and tan's rare words
    const x = mx.view(mx.array(bits, mx.uint32, o), mx.float32, o);
    const h = mx.astype(x, mx.float16, o);
    const bytes = mx.view(x, mx.uint8, o);
    const row = mx.reshape(mx.slice(x, [0], [n - 37], [1], o), [64, -1], o);
    const f = (): mx.MxArray[] => [
      mx.exp(x, o),
      mx.sin(x, o),
      mx.tan(x, o),
      mx.exp(h, o),
      mx.log(mx.abs(h, o), o),
      mx.multiply(bytes, 3, o),
      mx.add(row, mx.slice(row, [0, 0], [1, row.shape[1]!], [1, 1], o), o),
    ];
    gpu!.unrolledWords = true;
    const unrolled = await bytesOf(f());
    gpu!.unrolledWords = false;
    const looped = await bytesOf(f());
    expect(unrolled.map((u, i) => firstDifference(u, looped[i]!))).toEqual(unrolled.map(() => -1));
  });
});
