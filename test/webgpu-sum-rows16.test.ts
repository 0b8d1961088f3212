// float16/bfloat16 sums and products of many contiguous rows on webgpu
// (wgsl/sum-rows16.wgsl): every row's result must have the bits of the order
// the kernel's header states, rounded once to the dtype (or kept in float32,
// mean's widened sums), for row lengths of one to several steps, whole or
// not, rows viewed with a stride and an offset, an odd number of rows, rows
// of -0; a long segment of one output cut into rows whose float32 results
// are folded as a chunked sum's partials; a compiled reduction of such rows
// (of any layout) keeps them.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend, getBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { deviceFor } from "../src/device.js";
import { bf16FromNumber, f16FromNumber } from "../src/half.js";
import { node } from "../src/ops/base.js";
import { Reduce } from "../src/primitives/reduce.js";

const webgpu = findBackend("webgpu");
const o = { stream: webgpu ? deviceFor("webgpu") : mx.cpu };
const f32 = Math.fround;

/** The kernel's fold of one row (float32 values exact in the dtype) as the dtype's bits: lanes, steps of eight quads, four accumulators, groups of eight shares. */
function modelRow(values: ArrayLike<number>, op: "sum" | "prod", dtype: mx.DType): number {
  const r = modelRowFloat32(values, op, values.length / 8);
  return dtype === mx.float16 ? f16FromNumber(r) : bf16FromNumber(r);
}

/** The kernel's float32 fold of one row whose lanes are those of rows of `rowQuads` quads (the row itself may be shorter: a segment's last row). */
function modelRowFloat32(values: ArrayLike<number>, op: "sum" | "prod", rowQuads: number): number {
  const fold = (a: number, b: number) => f32(op === "sum" ? a + b : a * b);
  const init = op === "sum" ? 0 : 1;
  const quads = values.length / 8;
  const lanes = Math.min(128, Math.max(8, 2 ** Math.ceil(Math.log2(rowQuads / 8))));
  const steps = Math.ceil(quads / (8 * lanes));
  const shares = Array.from({ length: lanes }, (_, lane) => {
    const a = [init, init, init, init];
    for (let s = 0; s < steps; s++) {
      for (let j = 0; j < 8; j++) {
        const q = s * 8 * lanes + j * lanes + lane;
        if (q >= quads) continue;
        for (let e = 0; e < 8; e++) a[j % 4] = fold(a[j % 4]!, values[8 * q + e]!);
      }
    }
    return fold(fold(a[0]!, a[1]!), fold(a[2]!, a[3]!));
  });
  const eights = Array.from({ length: lanes / 8 }, (_, i) => shares.slice(8 * i + 1, 8 * i + 8).reduce(fold, shares[8 * i]!));
  return eights.slice(1).reduce(fold, eights[0]!);
}

/** The bits of each row's `op` by the model, rows of `n` from `values` (`stride` apart, from `offset`). */
function modelRows(values: Float32Array, rows: number, n: number, stride: number, offset: number, op: "sum" | "prod", dtype: mx.DType): number[] {
  return Array.from({ length: rows }, (_, r) => modelRow(values.subarray(offset + r * stride, offset + r * stride + n), op, dtype));
}

/**
 * A [rows, n] array of `dtype` and its values: for sums magnitudes 2^-10 to
 * 2^8, each row a random half and its negation where `cancel` (an exact sum of
 * 0, so the float32 fold's rounding, which depends on its order, shows in the
 * result); for products values near 1.
 */
async function dtypeRows(rows: number, n: number, op: "sum" | "prod", dtype: mx.DType, seed: number, cancel = true): Promise<{ x: mx.MxArray; values: Float32Array }> {
  const half = op === "sum" && cancel ? n / 2 : n;
  const noise = mx.random.normal([rows, half], { key: mx.random.key(seed), stream: o.stream });
  const scale = mx.power(2, mx.subtract(mx.multiply(mx.remainder(mx.arange(half, o), 7, o), 3, o), 10, o), o);
  const raw = op === "sum" ? mx.astype(mx.multiply(noise, scale, o), dtype, o) : mx.astype(mx.add(mx.multiply(noise, 2 ** -8, o), 1, o), dtype, o);
  const x = op === "sum" && cancel ? mx.concatenate([raw, mx.negative(raw, o)], { axis: 1, ...o }) : raw;
  const values = new Float32Array(((await mx.astype(x, mx.float32, o).tolist()) as number[][]).flat());
  return { x, values };
}

const bitsOf = async (a: mx.MxArray) => (await mx.view(a, mx.uint16, o).tolist()) as number[];

describe.skipIf(!webgpu)("webgpu float16/bfloat16 sums and products of many contiguous rows (wgsl/sum-rows16.wgsl)", () => {
  // rows of 128 (8 lanes of two quads, not whole), 1024 (16 lanes, one whole step), 2048 (32 lanes), 3000 (64 lanes, not whole), 16384 (128 lanes, two whole steps)
  for (const dtype of [mx.float16, mx.bfloat16]) {
    it(`${dtype.name}: the stated order's bits, rows of 128 to 16384 elements, an odd number of rows`, async () => {
      for (const [rows, n] of [[1025, 128], [1025, 1024], [1025, 2048], [1031, 3000], [1024, 16384]] as const) {
        // two steps a lane (rows of 16384) summed in float16 only: the slowest case on a CPU adapter
        for (const op of n === 16384 && dtype !== mx.float16 ? [] : n === 16384 ? (["sum"] as const) : (["sum", "prod"] as const)) {
          const { x, values } = await dtypeRows(rows, n, op, dtype, n + rows);
          const got = await bitsOf(mx[op](x, -1, o));
          expect(got, `${dtype.name} ${op} [${rows}, ${n}]`).toEqual(modelRows(values, rows, n, n, 0, op, dtype));
        }
      }
    });
  }

  it("float32 results of widened sums (mean's), rows whole and not, and mean itself", async () => {
    for (const [rows, n] of [[1025, 1024], [1031, 3000]] as const) {
      for (const dtype of [mx.float16, mx.bfloat16]) {
        const { x, values } = await dtypeRows(rows, n, "sum", dtype, n + 5);
        const widened = node(new Reduce("sum", [1], false, mx.float32), [x], x.stream);
        const want = Array.from({ length: rows }, (_, r) => modelRowFloat32(values.subarray(r * n, (r + 1) * n), "sum", n / 8));
        expect(await widened.tolist(), `${dtype.name} [${rows}, ${n}]`).toEqual(want);
        // mean: the float32 sums divided by n, rounded once to the dtype
        const means = (await mx.astype(mx.mean(x, -1, o), mx.float32, o).tolist()) as number[];
        const round = dtype === mx.float16 ? f16FromNumber : bf16FromNumber;
        expect(means.map(round)).toEqual(want.map((v) => round(f32(v / n))));
      }
    }
  });

  it("a long segment of one output: rows of its own (the last one shorter), their float32 results folded as float32 partials", async () => {
    // 49192 elements: rows of 1024, the 49th of 40 (elements follow it in the buffer); 2^20: rows of 512 quads; offsets of 8 elements
    for (const [n, offset] of [[49192, 8], [2 ** 20, 8]] as const) {
      for (const dtype of [mx.float16, mx.bfloat16]) {
        const { x, values } = await dtypeRows(1, n + offset + 64, "sum", dtype, n, false);
        const seg = mx.reshape(mx.slice(x, [0, offset], [1, n + offset], undefined, o), [n], o);
        const L = Math.min(16384, Math.max(1024, 2 ** Math.floor(Math.log2(n / 2048))));
        const parts = Array.from({ length: Math.ceil(n / L) }, (_, r) => modelRowFloat32(values.subarray(offset + r * L, offset + Math.min(n, (r + 1) * L)), "sum", L / 8));
        // the partials' fold: the reduce kernel's own, as on the same float32 values uploaded
        const folded = mx.sum(mx.array(parts, mx.float32, o), o);
        expect(await bitsOf(mx.sum(seg, o)), `${dtype.name} ${n}`).toEqual(await bitsOf(mx.astype(folded, dtype, o)));
        expect(await node(new Reduce("sum", [0], false, mx.float32), [seg], seg.stream).item()).toBe(await folded.item());
        // compiled: the group runs node by node (the same bits)
        const half = (a: mx.MxArray) => mx.sum(mx.multiply(a, 1, o), o);
        expect(await bitsOf(mx.compile(half)(seg))).toEqual(await bitsOf(half(seg)));
      }
    }
  });

  it("rows viewed with a stride and an offset, keepdims, and a compiled sum of a product of them", async () => {
    const [rows, n, width] = [1100, 1024, 1048];
    const { x, values } = await dtypeRows(rows, width, "sum", mx.float16, 7);
    // columns 16 .. 16 + n of each row of `width`: each row on quads, rows 1048 elements apart
    const view = mx.slice(x, [0, 16], [rows, 16 + n], undefined, o);
    const want = modelRows(values, rows, n, width, 16, "sum", mx.float16);
    expect(await bitsOf(mx.sum(view, -1, o))).toEqual(want);
    expect(await bitsOf(mx.reshape(mx.sum(view, -1, { ...o, keepdims: true }), [rows], o))).toEqual(want);
    // the prologue's product is stored (rounded to float16) and summed by the kernel: compile runs the group node by node
    const twice = (a: mx.MxArray) => mx.sum(mx.multiply(a, 2, o), -1, o);
    const doubled = new Float32Array(((await mx.astype(mx.multiply(view, 2, o), mx.float32, o).tolist()) as number[][]).flat());
    const twiceWant = modelRows(doubled, rows, n, n, 0, "sum", mx.float16);
    expect(await bitsOf(twice(view))).toEqual(twiceWant);
    expect(await bitsOf(mx.compile(twice)(view))).toEqual(twiceWant);
  });

  it("compiled reductions of views the kernel sees as rows (a transpose, a broadcast) keep the uncompiled bits", async () => {
    const { x: a } = await dtypeRows(2048, 256, "sum", mx.float16, 13);
    // [256, 2048] with strides [1, 256]: summed over axis 0, each output's segment is a contiguous row of 256
    const t = mx.transpose(a, undefined, o);
    const overRows = (v: mx.MxArray) => mx.multiply(mx.sum(v, 0, o), 1, o);
    expect(await bitsOf(mx.compile(overRows)(t))).toEqual(await bitsOf(overRows(t)));
    // a broadcast column: rows of stride 0
    const col = mx.reshape(mx.slice(mx.reshape(a, [-1], o), [0], [256], undefined, o), [256, 1], o);
    const overBroadcast = (v: mx.MxArray) => mx.multiply(mx.sum(mx.broadcastTo(v, [256, 2048], o), 0, o), 1, o);
    expect(await bitsOf(mx.compile(overBroadcast)(col))).toEqual(await bitsOf(overBroadcast(col)));
  });

  it("rows of -0 sum to +0, as IEEE addition from +0 gives (the first add is not folded away)", async () => {
    for (const [dtype, bits] of [[mx.float16, 0x8000], [mx.bfloat16, 0x8000]] as const) {
      for (const n of [256, 2048, 16384]) {
        const negZeros = mx.view(mx.full([1024, n], bits, { dtype: mx.uint16, ...o }), dtype, o);
        expect(new Set(await bitsOf(mx.sum(negZeros, -1, o))), `${dtype.name} rows of ${n}`).toEqual(new Set([0]));
      }
    }
  });

  it("rows off quads, too few rows or other dtypes keep the other kernels (their results agree within float rounding)", async () => {
    const gpu = getBackend("webgpu") as WebGpuBackend;
    for (const [rows, n] of [[1025, 1030], [100, 2048]] as const) {
      const { x: a } = await dtypeRows(rows, n, "sum", mx.float16, 3, false);
      const want = (await mx.sum(mx.astype(a, mx.float32, o), -1, o).tolist()) as number[];
      const got = (await mx.sum(a, -1, o).tolist()) as number[];
      got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(Math.abs(want[i]!) * 2 ** -10 + 2 ** -14));
    }
    // the switch off: reduce.wgsl's rows, whose results differ from this order's in a few rows at least
    const { x: a, values } = await dtypeRows(1024, 4096, "sum", mx.float16, 11);
    gpu.sumRows16 = false;
    try {
      const other = await bitsOf(mx.sum(a, -1, o));
      expect(other).not.toEqual(modelRows(values, 1024, 4096, 4096, 0, "sum", mx.float16));
    } finally {
      gpu.sumRows16 = true;
    }
  });
});
