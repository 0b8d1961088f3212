// The webgpu quantized matrix-vector kernel (one row of x per batch, transposed
// weights: wgsl/quantized_qmv.wgsl with loop bodies from qmv-codegen.ts)
// against the cpu reference: every affine width and group size, the
// microscaling modes, K whose units end in a partial step of the main loop, N
// not a multiple of a workgroup's rows, batched and broadcast weights, and the
// element-load paths (x and w at offsets that are not multiples of 4, 16-bit x).

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";
import { deviceFor } from "../src/device.js";

const webgpu = findBackend("webgpu");
const onGpu = { stream: webgpu ? deviceFor("webgpu") : mx.cpu };
const onCpu = { stream: mx.cpu };

type Mode = "affine" | "mxfp4" | "mxfp8" | "nvfp4";

/** Seeded normal values on the cpu. */
const normal = (shape: number[], seed: number) => mx.random.normal(shape, { key: mx.random.key(seed), ...onCpu });

type Stream = typeof onCpu;

/**
 * The webgpu product of x by the packed w (transposed) within 1e-5 of the
 * largest cpu result, shape and dtype equal; `make` builds x and [wq, scales,
 * biases] on the stream given (views made there keep their offsets).
 */
async function agrees(make: (o: Stream) => mx.MxArray[], q: { mode: Mode; groupSize: number; bits: number }): Promise<void> {
  const product = (o: Stream) => {
    const [x, wq, s, b] = make(o) as [mx.MxArray, mx.MxArray, mx.MxArray, mx.MxArray | undefined];
    return mx.quantizedMatmul(x, wq, s, q.mode === "affine" ? b! : null, { ...q, ...o });
  };
  const want = product(onCpu), got = product(onGpu);
  expect(got.shape).toEqual(want.shape);
  expect(got.dtype).toBe(want.dtype);
  const w = (await mx.astype(want, mx.float32, onCpu).reshape(-1).tolist()) as number[];
  const g = (await mx.astype(got, mx.float32, onGpu).reshape(-1).tolist()) as number[];
  const scale = Math.max(...w.map(Math.abs));
  const worst = Math.max(...g.map((v, i) => Math.abs(v - w[i]!)));
  expect(worst, `${q.mode} ${q.bits}-bit, group ${q.groupSize}, x [${want.shape.join(", ")}]`).toBeLessThanOrEqual(1e-5 * scale);
}

/** x and the packed w as they are (uploaded to webgpu by its op). */
const given = (x: mx.MxArray, packed: mx.MxArray[]) => () => [x, ...packed];

/** w [...batch, N, K] quantized on the cpu. */
const quantized = (w: mx.MxArray, q: { mode: Mode; groupSize: number; bits: number }) => mx.quantize(w, q.groupSize, q.bits, { mode: q.mode, ...onCpu }) as mx.MxArray[];

describe.skipIf(!webgpu)("quantized matrix-vector products on webgpu", () => {
  // K = 71 groups: its units (16 or 32 values) fill whole steps of the main loop (team of 8 to 32, unroll 2), then a partial one;
  // one test a group size, as each compiles six kernels (about 40 s on lavapipe with a cold shader cache)
  for (const groupSize of [32, 64, 128]) {
    it(`matches the cpu for every affine width, group size ${groupSize}, odd N, a partial last step of K`, async () => {
      for (const bits of [2, 3, 4, 5, 6, 8]) {
        const q = { mode: "affine" as const, groupSize, bits };
        await agrees(given(normal([1, 71 * groupSize], bits), quantized(normal([37, 71 * groupSize], groupSize + bits), q)), q);
      }
    });
  }

  it("matches the cpu in the microscaling modes (e2m1 and e4m3 codes, e8m0 and e4m3 scales)", async () => {
    for (const [mode, bits, groupSize] of [["mxfp4", 4, 32], ["mxfp8", 8, 32], ["nvfp4", 4, 16]] as const) {
      const q = { mode, groupSize, bits };
      await agrees(given(normal([1, 71 * groupSize], 1), quantized(normal([37, 71 * groupSize], 2), q)), q);
    }
  });

  it("covers N below and just past a workgroup's rows, and K of a single unit", async () => {
    const q = { mode: "affine" as const, groupSize: 32, bits: 8 };
    for (const [N, K] of [[1, 32], [2, 64], [65, 96], [129, 1024]] as const) await agrees(given(normal([1, K], N), quantized(normal([N, K], K), q)), q);
  });

  it("multiplies batches of x by batched and by broadcast weights", async () => {
    const q = { mode: "affine" as const, groupSize: 64, bits: 4 };
    await agrees(given(normal([3, 1, 704], 5), quantized(normal([3, 37, 704], 6), q)), q);
    await agrees(given(normal([2, 3, 1, 704], 7), quantized(normal([1, 37, 704], 8), q)), q);
    const m = { mode: "nvfp4" as const, groupSize: 16, bits: 4 };
    await agrees(given(normal([4, 1, 176], 9), quantized(normal([4, 21, 176], 10), m)), m);
  });

  it("reads x and w at offsets that are not multiples of 4, and 16-bit x", async () => {
    const q = { mode: "affine" as const, groupSize: 32, bits: 4 };
    const K = 23 * 32;
    const packed = quantized(normal([37, K], 11), q);
    const x = normal([1, K + 1], 12);
    const shifted = (o: Stream) => mx.slice(x, [0, 1], [1, K + 1], undefined, o);
    await agrees((o) => [shifted(o), ...packed], q);
    // the same words one element into a buffer: every row then starts one word off the vec2/vec4 grid
    const flat = mx.concatenate([mx.zeros([1], mx.uint32, onCpu), mx.reshape(packed[0]!, [-1], onCpu)], { axis: 0, ...onCpu });
    await agrees((o) => [shifted(o), mx.reshape(mx.slice(flat, [1], [flat.size], undefined, o), packed[0]!.shape, o), packed[1]!, packed[2]!], q);
    for (const dtype of [mx.float16, mx.bfloat16]) {
      const half = packed.map((p, i) => (i === 0 ? p : mx.astype(p, dtype, onCpu)));
      await agrees(given(mx.astype(mx.slice(x, [0, 0], [1, K], undefined, onCpu), dtype, onCpu), half), q);
    }
  });
});
