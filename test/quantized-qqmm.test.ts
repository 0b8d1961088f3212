// nvfp4's global scale in quantize / dequantize, and the products with both
// operands quantized (qqmm, gatherQqmm) on every backend: codes and values
// worked out by hand from MLX's rules, products of values that lie on the
// quantization grids (so every step is exact), MLX's own check (the product
// of the round-tripped operands), gradients (MLX's rule) and the errors.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";

const cpu = { stream: mx.cpu };

/**
 * A matrix on both modes' grids along either axis: every 4th value 6 (so each
 * group of 16 or 32 has largest magnitude 6 and scale 1, or 2^-6 in mxfp8),
 * the others -3, 1.5, -0.5 (e2m1 and e4m3 values at those scales).
 */
function grid(rows: number, cols: number): mx.MxArray {
  const v = Array.from({ length: rows * cols }, (_, i) => {
    const r = Math.floor(i / cols), c = i % cols;
    return (r + c) % 4 === 0 ? 6 : [-3, 1.5, -0.5][(r * 7 + c) % 3]!;
  });
  return mx.reshape(mx.array(v, mx.float32, cpu), [rows, cols], cpu);
}

async function maxAbs(a: mx.MxArray, b: mx.MxArray): Promise<number> {
  return (await mx.max(mx.abs(mx.subtract(mx.astype(a, mx.float32, cpu), mx.astype(b, mx.float32, cpu), cpu), cpu), cpu).item()) as number;
}

describe.each(BACKENDS)("qqmm and nvfp4 global scales on $name", ({ device }) => {
  const o = { stream: device };

  it("quantizes with a global scale as MLX: scale codes of scale * 2688 / globalScale, values times that over the scale", async () => {
    const w = mx.full([1, 16], 3, mx.float32, o);
    // globalScale 3: 3 / 6 * 896 = 448 (code 0x7e), values 3 * 896 / 448 = 6 (code 7)
    const [wq, s] = mx.quantize(w, undefined, undefined, { mode: "nvfp4", globalScale: mx.array(3, mx.float32), ...o });
    expect(await s.tolist()).toEqual([[0x7e]]);
    expect(await wq.tolist()).toEqual([[0x77777777, 0x77777777]]);
    // globalScale 6: 0.5 * 448 = 224 (code 0x76), values 3 * 448 / 224 = 6
    const [wq6, s6] = mx.quantize(w, undefined, undefined, { mode: "nvfp4", globalScale: mx.array([6], mx.float32), ...o });
    expect(await s6.tolist()).toEqual([[0x76]]);
    expect(await wq6.tolist()).toEqual([[0x77777777, 0x77777777]]);
    const back = mx.dequantize(wq6, s6, null, undefined, undefined, { mode: "nvfp4", globalScale: mx.array([6], mx.float32), dtype: mx.float32, ...o });
    expect(await back.tolist()).toEqual([new Array(16).fill(3)]);
    // without it the same codes read 224 * 6
    expect(((await mx.dequantize(wq6, s6, null, undefined, undefined, { mode: "nvfp4", dtype: mx.float32, ...o }).tolist()) as number[][])[0]![0]).toBe(1344);
  });

  it("gives the cpu's codes with a global scale on random weights, and a closer round trip", async () => {
    const w = mx.multiply(mx.random.normal([8, 64], { key: mx.random.key(3), ...cpu }), 0.01, cpu);
    const g = mx.max(mx.abs(w, cpu), cpu);
    const q = (s: { stream: mx.Device }) => mx.quantize(w, undefined, undefined, { mode: "nvfp4", globalScale: g, ...s });
    const [wq, sc] = q(o), [rq, rs] = q(cpu);
    expect(await wq.tolist()).toEqual(await rq.tolist());
    expect(await sc.tolist()).toEqual(await rs.tolist());
    const back = mx.dequantize(wq, sc, null, undefined, undefined, { mode: "nvfp4", globalScale: g, dtype: mx.float32, ...o });
    const [pq, ps] = mx.quantize(w, undefined, undefined, { mode: "nvfp4", ...cpu });
    const plain = mx.dequantize(pq, ps, null, undefined, undefined, { mode: "nvfp4", dtype: mx.float32, ...cpu });
    // tiny weights: without the global scale the e4m3 scales lose bits at the bottom of their range
    expect(await maxAbs(back, w)).toBeLessThan(await maxAbs(plain, w));
  });

  it.each(["nvfp4", "mxfp8"] as const)("multiplies values on the grid exactly (%s), w packed or not, x of 1 to 3 dims", async (mode) => {
    const x = grid(3, 32), w = grid(2, 32);
    const want = (await mx.matmul(x, mx.swapaxes(w, 0, 1, cpu), cpu).tolist()) as number[][];
    expect(await mx.qqmm(x, w, null, { mode, ...o }).tolist()).toEqual(want);
    const [wq, s] = mx.quantize(w, undefined, undefined, { mode, ...cpu });
    expect(await mx.qqmm(x, wq, s, { mode, ...o }).tolist()).toEqual(want);
    expect(await mx.qqmm(mx.take(x, 1, 0, cpu), w, null, { mode, ...o }).tolist()).toEqual(want[1]);
    const x3 = mx.stack([x, x], { axis: 0, ...cpu });
    expect(await mx.qqmm(x3, w, null, { mode, ...o }).tolist()).toEqual([want, want]);
    for (const d of [mx.float16, mx.bfloat16]) {
      const y = mx.qqmm(mx.astype(x, d, cpu), mx.astype(w, d, cpu), null, { mode, ...o });
      expect(y.dtype).toBe(d);
      // exact products, rounded once to the narrow dtype
      expect(await y.tolist()).toEqual(await mx.astype(mx.array(want, mx.float32, cpu), d, cpu).tolist());
    }
  });

  it("matches the product of the round-tripped operands (MLX's check), with nvfp4 global scales", async () => {
    for (const mode of ["nvfp4", "mxfp8"] as const) {
      const x = mx.random.normal([5, 64], { key: mx.random.key(1), ...cpu }), w = mx.random.normal([7, 64], { key: mx.random.key(2), ...cpu });
      const gx = mode === "nvfp4" ? mx.max(mx.abs(x, cpu), cpu) : undefined, gw = mode === "nvfp4" ? mx.max(mx.abs(w, cpu), cpu) : undefined;
      const hat = (a: mx.MxArray, g: mx.MxArray | undefined) => {
        const [aq, as] = mx.quantize(a, undefined, undefined, { mode, globalScale: g, ...cpu });
        return mx.dequantize(aq, as, null, undefined, undefined, { mode, globalScale: g, dtype: mx.float32, ...cpu });
      };
      const want = mx.matmul(hat(x, gx), mx.swapaxes(hat(w, gw), 0, 1, cpu), cpu);
      const y = mx.qqmm(x, w, null, { mode, globalScaleX: gx, globalScaleW: gw, ...o });
      expect(await maxAbs(y, want), mode).toBeLessThan(1e-4);
      const [wq, s] = mx.quantize(w, undefined, undefined, { mode, globalScale: gw, ...cpu });
      expect(await maxAbs(mx.qqmm(x, wq, s, { mode, globalScaleX: gx, globalScaleW: gw, ...o }), want), mode).toBeLessThan(1e-4);
    }
  });

  it("gathers pairs of batches as qqmm of each pair", async () => {
    const x = mx.stack([grid(2, 32), mx.multiply(grid(2, 32), -1, cpu)], { axis: 0, ...cpu });
    const w = mx.stack([grid(3, 32), mx.multiply(grid(3, 32), 0.5, cpu), mx.multiply(grid(3, 32), -2, cpu)], { axis: 0, ...cpu });
    const lhs = mx.array([1, 0, 1], mx.uint32), rhs = mx.array([2, 2, 0], mx.uint32);
    const y = mx.gatherQqmm(x, w, null, { lhsIndices: lhs, rhsIndices: rhs, ...o });
    expect(y.shape).toEqual([3, 2, 3]);
    const pairs = [[1, 2], [0, 2], [1, 0]].map(([i, j]) => mx.matmul(mx.take(x, i!, 0, cpu), mx.swapaxes(mx.take(w, j!, 0, cpu), 0, 1, cpu), cpu));
    expect(await y.tolist()).toEqual(await mx.stack(pairs, { axis: 0, ...cpu }).tolist());
    const [wq, s] = mx.quantize(w, undefined, undefined, { mode: "mxfp8", ...cpu });
    expect(await mx.gatherQqmm(x, wq, s, { lhsIndices: lhs, rhsIndices: rhs, mode: "mxfp8", ...o }).tolist()).toEqual(await mx.stack(pairs, { axis: 0, ...cpu }).tolist());
  });

  it.each([false, true])("differentiates as MLX: the quantized cotangent by w or x (global scales: %s), also for rows that are no multiple of the group", async (global) => {
    const x = grid(3, 32), w = grid(2, 32);
    const gs = global ? { globalScaleX: mx.array(6, mx.float32), globalScaleW: mx.array(6, mx.float32) } : {};
    // a cotangent of 6 everywhere lies on the grid too: the gradients are exact
    const loss = (a: mx.MxArray, b: mx.MxArray) => mx.sum(mx.multiply(mx.qqmm(a, b, null, { ...gs, ...o }), 6, o), o);
    const [dx, dw] = mx.grad(loss, { argnums: [0, 1] })(mx.astype(x, mx.float32, o), mx.astype(w, mx.float32, o)) as mx.MxArray[];
    const wantDx = mx.matmul(mx.full([3, 2], 6, mx.float32, cpu), w, cpu), wantDw = mx.matmul(mx.full([2, 3], 6, mx.float32, cpu), x, cpu);
    if (!global) {
      expect(await dx!.tolist()).toEqual(await wantDx.tolist());
      expect(await dw!.tolist()).toEqual(await wantDw.tolist());
    } else {
      // the global scales' 6 / 2688 is not exact in float32 (nor in MLX): a few ulp
      expect(await maxAbs(dx!, wantDx)).toBeLessThan(1e-5);
      expect(await maxAbs(dw!, wantDw)).toBeLessThan(1e-5);
      expect(await maxAbs(dx!, mx.multiply(wantDx, 1.25, cpu))).toBeGreaterThan(1);
    }
  });
});

describe("qqmm's rules and errors", () => {
  it("has no gradient through packed weights, no jvp, and gatherQqmm none at all (as MLX)", () => {
    const w = mx.ones([2, 32]);
    const [wq, s] = mx.quantize(w, undefined, undefined, { mode: "nvfp4" });
    expect(() => mx.grad((x: mx.MxArray) => mx.sum(mx.qqmm(x, wq, s)))(mx.ones([1, 32]))).toThrow(/^\[qqmm\] has no gradient when w is given quantized/);
    expect(() => mx.jvp((x: mx.MxArray) => mx.qqmm(x, w), [mx.ones([1, 32])], [mx.ones([1, 32])])).toThrow(/^\[qqmm\] has no jvp/);
    expect(() => mx.grad((x: mx.MxArray) => mx.sum(mx.gatherQqmm(x, mx.stack([w, w]), null, { rhsIndices: mx.array([1], mx.uint32) })))(mx.ones([1, 32]))).toThrow(/^\[gatherQqmm\] has no gradient/);
  });

  it("maps quantize and dequantize over a batch of global scales, each example with its own", async () => {
    const w = mx.stack([mx.full([1, 16], 3, mx.float32), mx.full([1, 16], 3, mx.float32)]);
    const g = mx.array([3, 6], mx.float32);
    const [wq, s] = mx.vmap((a: mx.MxArray, b: mx.MxArray) => mx.quantize(a, undefined, undefined, { mode: "nvfp4", globalScale: b }))(w, g) as mx.MxArray[];
    expect(await s!.tolist()).toEqual([[[0x7e]], [[0x76]]]);
    const back = mx.vmap((q: mx.MxArray, sc: mx.MxArray, b: mx.MxArray) => mx.dequantize(q, sc, null, undefined, undefined, { mode: "nvfp4", globalScale: b, dtype: mx.float32 }))(wq!, s!, g);
    expect(await back.tolist()).toEqual([[new Array(16).fill(3)], [new Array(16).fill(3)]]);
  });

  it("refuses what MLX refuses, naming the argument", () => {
    const x = mx.ones([2, 32]), w = mx.ones([3, 32]);
    expect(() => mx.qqmm(x, w, null, { mode: "affine" as "nvfp4" })).toThrow(/^\[qqmm\] mode/);
    expect(() => mx.qqmm(x, w, null, { mode: "mxfp8", globalScaleX: mx.array(1, mx.float32), globalScaleW: mx.array(1, mx.float32) })).toThrow(/^\[qqmm\] globalScale.*nvfp4/);
    expect(() => mx.qqmm(x, w, null, { globalScaleX: mx.array(1, mx.float32) })).toThrow(/^\[qqmm\] globalScaleX and globalScaleW/);
    expect(() => mx.qqmm(x, w, null, { globalScaleX: mx.array([1, 2], mx.float32), globalScaleW: mx.array(1, mx.float32) })).toThrow(/^\[qqmm\] globalScale must be a scalar/);
    expect(() => mx.qqmm(x, mx.ones([3, 16]))).toThrow(/^\[qqmm\] the last axis of x/);
    expect(() => mx.qqmm(mx.ones([2, 24]), mx.ones([3, 24]))).toThrow(/^\[qqmm\] the last axis of x \(24\) must be a multiple of groupSize 16/);
    expect(() => mx.qqmm(x, mx.ones([2, 3, 32]))).toThrow(/^\[qqmm\] w must be a matrix/);
    expect(() => mx.qqmm(mx.astype(x, mx.float64, cpu), w, null, cpu)).toThrow(/^\[qqmm\] x must be float32, float16 or bfloat16/);
    expect(() => mx.qqmm(x, w, mx.ones([3, 2], mx.uint8))).toThrow(/^\[qqmm\] scales must be null when w is not quantized/);
    const [wq] = mx.quantize(w, undefined, undefined, { mode: "nvfp4" });
    expect(() => mx.qqmm(x, wq)).toThrow(/^\[qqmm\] scales must be given/);
    expect(() => mx.quantize(w, 32, 4, { mode: "mxfp4", globalScale: mx.array(1, mx.float32) })).toThrow(/^\[quantize\] globalScale is only supported in mode 'nvfp4'/);
    expect(() => mx.quantize(w, undefined, undefined, { mode: "nvfp4", globalScale: mx.array(1, mx.float16) })).toThrow(/^\[quantize\] globalScale must be float32/);
    expect(() => mx.gatherQqmm(mx.ones([32]), w)).toThrow(/^\[gatherQqmm\] x must have at least 2 dimensions/);
    expect(() => mx.gatherQqmm(mx.ones([1, 32]), mx.stack([w, w]), null, { rhsIndices: mx.array([0.5]) })).toThrow(/^\[gatherQqmm\] rhsIndices must be an integer array/);
  });
});
