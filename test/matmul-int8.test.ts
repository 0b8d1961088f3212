// int8 @ int8 and uint8 @ uint8 matmul against the cpu reference, bit for
// bit: on webgpu, on an adapter with subgroup matrices (the H200's Dawn) the
// shapes below take backends/webgpu/matmul-int8.ts (checked by the kernel it
// compiles); elsewhere, and for the shapes it leaves, the exact tiled kernel.
// On every backend, sums past float32's 2^24 and K past 32-bit sums stay exact.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { getBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { SUBGROUP_MATRIX_FEATURE } from "../backends/webgpu/matmul-int8.js";
import { BACKENDS } from "./helpers/backends.js";

const hasWebgpu = mx.registeredBackends().some((b) => b.name === "webgpu");
/** Labels of the shaders WebGPU compiled while this file ran. */
const labels: string[] = [];
let restore: (() => void) | undefined;
let hasMatrices = false;

beforeAll(() => {
  if (!hasWebgpu) return;
  const gpu = getBackend("webgpu") as WebGpuBackend;
  hasMatrices = gpu.ctx.features.has(SUBGROUP_MATRIX_FEATURE);
  const device = gpu.ctx.device;
  const create = device.createShaderModule.bind(device);
  device.createShaderModule = (d: GPUShaderModuleDescriptor) => {
    labels.push(d.label ?? "");
    return create(d);
  };
  restore = () => {
    device.createShaderModule = create;
  };
});
afterAll(() => restore?.());

/** Deterministic values over the whole range of `dtype` (extremes included). */
function values(n: number, seed: number, dtype: mx.DType): number[] {
  const [lo, span] = dtype === mx.int8 ? [-128, 256] : [0, 256];
  return Array.from({ length: n }, (_, i) => lo + ((i * 7919 + seed * 104729 + ((i * i) % 13)) % span));
}

const arr = (shape: number[], seed: number, dtype: mx.DType, o: { stream: mx.Device }) => mx.reshape(mx.array(values(shape.reduce((s, d) => s * d, 1), seed, dtype), dtype, o), shape, o);

describe.skipIf(!hasWebgpu)("int8 matmul on webgpu", () => {
  const o = { stream: mx.webgpu };
  const c = { stream: mx.cpu };
  // [a shape, b shape, transpose b (pass b as the transpose of a [.., N, K] array), on subgroup matrices where there are some, transpose a]
  const cases: [number[], number[], boolean, boolean, boolean][] = [
    [[64, 96], [96, 128], false, true, false],
    [[32, 64], [64, 64], true, true, false],
    [[2, 32, 64], [64, 64], false, true, false],
    [[32, 4096], [4096, 64], false, true, false],
    [[3, 64, 64], [3, 64, 128], false, true, false],
    [[128, 192], [192, 256], true, true, false],
    [[64, 128], [128, 128], false, true, true],
    [[64, 4096], [4096, 128], false, true, false],
    [[33, 64], [64, 64], false, true, false], // M off the tile
    [[32, 40], [40, 64], false, true, false], // K off the fragment (4-byte loads)
    [[2, 130, 96], [96, 200], false, true, false], // M and N past a tile's edge, batched
    [[36, 72], [72, 68], false, true, true], // column-major A of 4-byte loads, N off 16
    [[40, 36], [36, 24], true, true, true], // both column-major, K of 4-byte loads
    [[32, 64], [64, 50], false, false, false], // N not a multiple of 4: B's rows are not words
  ];
  const swapLast = (shape: number[]) => [...shape.slice(0, -2), shape[shape.length - 1]!, shape[shape.length - 2]!];
  for (const dtype of [mx.int8, mx.uint8]) {
    it.each(cases)(`${dtype.name}: %j @ %j (b transposed: %s) against the reference`, async (as, bs, tb, tiled, ta) => {
      const a = ta ? mx.swapaxes(arr(swapLast(as), 1, dtype, o), -1, -2, o) : arr(as, 1, dtype, o);
      const bStored = tb ? arr(swapLast(bs), 2, dtype, o) : arr(bs, 2, dtype, o);
      const b = tb ? mx.swapaxes(bStored, -1, -2, o) : bStored;
      const got = mx.matmul(a, b, o);
      const [ca, cb] = [mx.array(await a.tolist(), dtype, c), mx.array(await b.tolist(), dtype, c)];
      const want = mx.matmul(ca, cb, c);
      expect(got.dtype).toBe(want.dtype);
      // exact integer sums rounded once, on either kernel: the reference's bits
      expect(((await got.tolist()) as number[]).flat(2)).toEqual(((await want.tolist()) as number[]).flat(2));
      void tiled;
    });
  }

  it.each([1, 4, 16])("operands that start %i elements into their buffer (rows of 100) equal the reference", async (start) => {
    // offsets of whole words and of 16 bytes take the staged loads; an offset of 1 the exact tiled kernel
    for (const dtype of [mx.int8, mx.uint8]) {
      const a = mx.slice(arr([40, 100], 3, dtype, o), [0, start], [40, start + 64], undefined, o);
      const b = mx.slice(arr([64, 100], 4, dtype, o), [0, start], [64, start + 80], undefined, o);
      const want = mx.matmul(mx.array(await a.tolist(), dtype, c), mx.array(await b.tolist(), dtype, c), c);
      expect(await mx.matmul(a, b, o).tolist(), dtype.name).toEqual(await want.tolist());
    }
  });

  it.runIf(hasWebgpu)("takes the subgroup-matrix kernel where the adapter has one", () => {
    expect(labels.includes("matmul:matmul-int8")).toBe(hasMatrices);
  });
});

describe.each(BACKENDS)("8-bit matmul sums exactly on $name", ({ device }) => {
  const o = { stream: device };
  /** The exact product of row-major a [.., M, K] and b [K, N] (BigInt sums), each rounded once to float32. */
  const exact = (av: number[], bv: number[], M: number, K: number, N: number) =>
    Array.from({ length: M * N }, (_, e) => {
      const i = Math.floor(e / N), j = e % N;
      let t = 0n;
      for (let k = 0; k < K; k++) t += BigInt(av[i * K + k]!) * BigInt(bv[k * N + j]!);
      return Math.fround(Number(t));
    });

  it("past 2^24 (a float32 accumulator rounds) and past 32-bit sums", async () => {
    // 1 x 300 @ 300 x 1, all 255 but a[0] = 3: 19443240, float32 0x4b945714 (a float32 sum gives 19443200)
    const a = Array.from({ length: 300 }, (_, i) => (i === 0 ? 3 : 255));
    const got = await mx.matmul(mx.array([a], mx.uint8, o), mx.array(a.map(() => [255]), mx.uint8, o), o).tolist();
    expect(got).toEqual([[19443240]]);
    // K past 2^31 / 128^2 (int8) and 2^32 / 255^2 (uint8): no 32-bit running sum holds them; odd terms keep the low bits
    for (const [dtype, K, big] of [[mx.int8, 140_000, -128], [mx.uint8, 70_000, 255]] as const) {
      const M = 2, N = 3;
      const av = Array.from({ length: M * K }, (_, i) => (i % 97 === 5 ? (i % 7) - 3 + (dtype === mx.uint8 ? 3 : 0) : big));
      const bv = Array.from({ length: K * N }, (_, i) => (i % 89 === 3 ? (i % 5) + 1 : big));
      const x = mx.reshape(mx.array(av, dtype, o), [M, K], o), y = mx.reshape(mx.array(bv, dtype, o), [K, N], o);
      expect(((await mx.matmul(x, y, o).tolist()) as number[][]).flat(), dtype.name).toEqual(exact(av, bv, M, K, N));
      // B transposed in place and batched A (a broadcast batch of B)
      const yt = mx.swapaxes(mx.reshape(mx.array(bv, dtype, o), [N, K], o), 0, 1, o);
      const bt = Array.from({ length: K * N }, (_, e) => bv[(e % N) * K + Math.floor(e / N)]!);
      const xb = mx.stack([x, x], { axis: 0, ...o });
      const want = exact(av, bt, M, K, N);
      expect(((await mx.matmul(xb, yt, o).tolist()) as number[][][]).flat(2), `${dtype.name} batched`).toEqual([...want, ...want]);
    }
  }, 120_000);
});
