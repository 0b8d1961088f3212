// The webgpu matmul's four-element staging (wgsl/matmul.wgsl: float32,
// float16 and bfloat16 operands with rows aligned to four elements load one
// word of four in interior tiles, four bounds-tested elements in edge tiles):
// which operands take it, and results bit for bit those of the
// element-by-element path on the same values (interior and edge tiles,
// transposes, batched and broadcast operands, 16-bit operands, offsets and
// strides that fall back).

import { afterEach, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { configByName } from "../backends/webgpu/matmul-configs.js";
import { matmulDispatch, type MatmulOperand } from "../backends/webgpu/matmul.js";
import { forceMatmulConfig } from "../backends/webgpu/matmul-tuning.js";
import { deviceFor } from "../src/device.js";

const webgpu = findBackend("webgpu") as WebGpuBackend | undefined;
const onGpu = { stream: webgpu ? deviceFor("webgpu") : mx.cpu };
const onCpu = { stream: mx.cpu };

/** Seeded values in [-1, 1) of `shape`, as float32 on the cpu. */
function seeded(shape: number[], seed: number): mx.MxArray {
  const n = shape.reduce((s, d) => s * d, 1);
  const v = Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) % 1);
  return mx.reshape(mx.array(v, mx.float32, onCpu), shape, onCpu);
}

/** `shape`'s values (seeded) on the gpu, optionally stored transposed, optionally as a view at element offset 1 of rows one longer (never 16-byte aligned). */
function operand(shape: number[], seed: number, transposed: boolean, unaligned: boolean, dtype: mx.DType = mx.float32): mx.MxArray {
  const stored = transposed ? [...shape.slice(0, -2), shape[shape.length - 1]!, shape[shape.length - 2]!] : shape;
  let x = mx.astype(mx.array(seeded(stored, seed), undefined, onGpu), dtype, onGpu);
  if (unaligned) {
    const wide = mx.concatenate([mx.zeros([...stored.slice(0, -1), 1], dtype, onGpu), x], { axis: -1, ...onGpu });
    x = mx.slice(wide, [...stored.slice(0, -1).map(() => 0), 1], [...stored.slice(0, -1), stored[stored.length - 1]! + 1], undefined, onGpu);
  }
  return transposed ? mx.swapaxes(x, -1, -2, onGpu) : x;
}

/** The float32 bits of `x`. */
async function bits(x: mx.MxArray): Promise<number[]> {
  const v = (await mx.astype(x, mx.float32, onGpu).reshape(-1).tolist()) as number[];
  return [...new Uint32Array(new Float32Array(v).buffer)];
}

/** A @ B with the vec4 staging (aligned views) and without (the same values at offset 1): the same bits, and close to the cpu's. */
async function sameBits(aShape: number[], bShape: number[], ta: boolean, tb: boolean, dtype: mx.DType = mx.float32): Promise<void> {
  const staged = mx.matmul(operand(aShape, 1, ta, false, dtype), operand(bShape, 2, tb, false, dtype), onGpu);
  const plain = mx.matmul(operand(aShape, 1, ta, true, dtype), operand(bShape, 2, tb, true, dtype), onGpu);
  const [s, p] = [await bits(staged), await bits(plain)];
  expect(s.length).toBe(p.length);
  const first = s.findIndex((w, i) => w !== p[i]);
  expect(first, `first differing element ${first}`).toBe(-1);
  const cpuOperand = (shape: number[], seed: number, t: boolean) => mx.array(operand(shape, seed, t, false, dtype), undefined, onCpu);
  const want = (await mx.astype(mx.matmul(cpuOperand(aShape, 1, ta), cpuOperand(bShape, 2, tb), onCpu), mx.float32, onCpu).reshape(-1).tolist()) as number[];
  const got = new Float32Array(new Uint32Array(s).buffer);
  const bound = dtype === mx.float32 ? 2e-6 * aShape[aShape.length - 1]! : 8e-3;
  want.forEach((w, i) => expect(Math.abs(got[i]! - w)).toBeLessThanOrEqual(bound * Math.max(1, Math.abs(w))));
}

describe("webgpu matmul vec4 staging: which operands take it", () => {
  const f32 = (shape: number[], strides: number[], offset = 0, dtype: mx.DType = mx.float32): MatmulOperand => ({ dtype, shape, strides, offset });
  const k16 = configByName("64x64/4x4/k16/db")!;
  it.each([
    ["row-major A and B", f32([128, 64], [64, 1]), f32([64, 128], [128, 1]), k16, [0, 1, 0, 1]],
    ["transposed A and B", f32([128, 64], [1, 128]), f32([64, 128], [1, 64]), k16, [0, 1, 0, 1]],
    ["A at an odd offset", f32([128, 64], [64, 1], 1), f32([64, 128], [128, 1]), k16, [0, 1, 1]],
    ["B with rows of 66 elements", f32([128, 64], [64, 1]), f32([64, 128], [66, 1]), k16, [0, 1, 0]],
    ["A with a batch stride not a multiple of 4", f32([2, 128, 64], [8194, 64, 1]), f32([2, 64, 128], [0, 128, 1]), k16, [0, 1, 1]],
    ["A strided along k", f32([128, 64], [128, 2]), f32([64, 128], [128, 1]), k16, [0, 1, 1]],
    ["float16 and bfloat16 operands", f32([128, 64], [64, 1], 0, mx.float16), f32([64, 128], [128, 1], 0, mx.bfloat16), k16, [0, 1, 0, 1]],
    ["a float16 operand at offset 2 (in pairs, not quads)", f32([128, 64], [64, 1], 2, mx.float16), f32([64, 128], [128, 1]), k16, [0, 1, 1]],
    ["int32 operands", f32([128, 64], [64, 1], 0, mx.int32), f32([64, 128], [128, 1], 0, mx.int32), k16, [0, 1]],
    ["slabs of two elements per invocation (64 x 8)", f32([128, 64], [64, 1]), f32([64, 128], [128, 1]), configByName("64x64/4x4/k8/db")!, [0, 1]],
  ] as const)("%s", (_label, a, b, cfg, inputs) => {
    const shape = [...a.shape.slice(0, -1), b.shape[b.shape.length - 1]!];
    expect(matmulDispatch(a, b, shape, cfg).inputs).toEqual(inputs);
  });
});

describe.skipIf(!webgpu)("webgpu matmul vec4 staging: the same bits as element-by-element staging", () => {
  afterEach(() => forceMatmulConfig(undefined));

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])("interior and edge tiles (A transposed %s, B transposed %s)", async (ta, tb) => {
    await sameBits([100, 48], [48, 136], ta, tb);
  });

  it("batched and broadcast operands, K not a multiple of the slab", async () => {
    await sameBits([2, 1, 64, 64], [1, 3, 64, 128], false, false);
    await sameBits([2, 128, 40], [40, 64], true, false);
  });

  it("an 8 x 8 micro tile over slabs of 8 (one vec4 of A and B per invocation)", async () => {
    forceMatmulConfig(configByName("128x128/8x8/k8/db")!);
    await sameBits([256, 64], [64, 136], false, false);
    await sameBits([136, 64], [64, 128], true, true);
  });

  it.each([["float16", mx.float16], ["bfloat16", mx.bfloat16]] as const)("%s operands: interior and edge tiles, transposed", async (_n, d) => {
    await sameBits([100, 48], [48, 136], false, false, d);
    await sameBits([100, 48], [48, 136], true, true, d);
  });

  it.each([["float16", mx.float16], ["bfloat16", mx.bfloat16]] as const)("%s operands: the float32 chain of their values", async (_n, d) => {
    const a = operand([128, 64], 1, false, false, d), b = operand([64, 128], 2, true, false, d);
    const widened = mx.astype(mx.matmul(mx.astype(a, mx.float32, onGpu), mx.astype(b, mx.float32, onGpu), onGpu), d, onGpu);
    expect(await bits(mx.matmul(a, b, onGpu))).toEqual(await bits(widened));
  });
});
