// int8 @ int8 and uint8 @ uint8 matmul on webgpu against the cpu reference,
// bit for bit: on an adapter with subgroup matrices (the H200's Dawn) the
// shapes below take backends/webgpu/matmul-int8.ts (checked by the kernel it
// compiles); elsewhere, and for the shapes it leaves, the float32 kernel.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { getBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { SUBGROUP_MATRIX_FEATURE } from "../backends/webgpu/matmul-int8.js";

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
      const g = ((await got.tolist()) as number[]).flat(2) as number[];
      const w = ((await want.tolist()) as number[]).flat(2) as number[];
      if (hasMatrices && tiled) {
        // exact integer sums rounded once: the reference's bits
        expect(g).toEqual(w);
      } else {
        // the float32 kernel rounds its partial sums: within K 2^-23 of sum |a| |b| each
        const K = as[as.length - 1]!;
        const mag = ((await mx.matmul(mx.abs(ca, c), mx.abs(cb, c), c).tolist()) as number[]).flat(2) as number[];
        g.forEach((x, i) => expect(Math.abs(x - w[i]!), `element ${i}`).toBeLessThanOrEqual(K * 2 ** -23 * mag[i]!));
      }
    });
  }

  it.each([1, 4, 16])("operands that start %i elements into their buffer (rows of 100) equal the reference", async (start) => {
    // offsets of whole words and of 16 bytes take the staged loads; an offset of 1 the float32 kernel (exact too: sums below 2^24)
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
