// Quantization in MLX's order of operations, on every backend:
// - e4m3 in mxfp8 values and nvfp4 scales saturates from 448, as MLX's
//   fp8_e4m3 / ToFP8 (code 0x7e, never 0x7f: (464, 480) is not rounded up);
// - affine dequantize with a dtype computes w * scales + biases in the
//   scales' and biases' dtype and casts the result (MLX's
//   astype(affine_dequantize(...), dtype)), so it is the dequantized array
//   cast, bit for bit;
// - the microscaling modes compute in float32 steps and round once to the
//   dtype, as MLX's Metal fp_dequantize: nvfp4's global scale as
//   f32(f32(e4m3 scale * f32(globalScale / 2688)) * value).

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";

const cpu = { stream: mx.cpu };

/** Identical elements (NaN and -0 included), compared through their bits. */
async function expectSameBits(a: mx.MxArray, b: mx.MxArray, label: string): Promise<void> {
  expect(a.dtype, label).toBe(b.dtype);
  expect(a.shape, label).toEqual(b.shape);
  const x = await a.data(), y = await b.data();
  const bad: string[] = [];
  for (let i = 0; i < x.length && bad.length < 6; i++) if (!Object.is(x[i], y[i])) bad.push(`element ${i}: ${x[i]}, want ${y[i]}`);
  expect(bad, label).toEqual([]);
}

describe.each(BACKENDS)("quantization in MLX's order on $name", ({ device }) => {
  const o = { stream: device };
  const floats = (mx.registeredBackends().find((b) => b.name === device.backend)!.capabilities.dtypes);

  it("saturates mxfp8 values at 448: (448, 480) gives code 0x7e (MLX's fp8_e4m3), never 0x7f", async () => {
    // amax 479: scale 2^round(log2(479 / 448)) = 2^0 (code 127); times 16: 2^4 (code 131), the same codes
    const row = [470, 465, 479, -470, 448, 447, 431, 1, ...new Array(24).fill(0)];
    const w = mx.array([row, row.map((v) => v * 16)], mx.float32, o);
    const [q, s] = mx.quantize(w, 32, 8, "mxfp8", o);
    expect(await s.tolist()).toEqual([[127], [131]]);
    const words = (await q.tolist()) as number[][];
    for (const r of words) expect(r.slice(0, 3)).toEqual([0xfe7e7e7e, 0x387d7e7e, 0]);
  });

  it("saturates nvfp4 scales at 448: a group's amax / 6 of 470 gives scale code 0x7e, with or without a global scale", async () => {
    // amax 2820: 2820 / 6 = 470 -> 448 (0x7e); the values over 448: 6.29 -> e2m1 6 (code 7), 1 / 448 -> 0
    const [q, s] = mx.quantize(mx.array([[2820, 1, ...new Array(14).fill(0)]], mx.float32, o), 16, 4, "nvfp4", o);
    expect(await s.tolist()).toEqual([[0x7e]]);
    expect(await q.tolist()).toEqual([[0x00000007, 0]]);
    // global scale 5.72: amax 6 / 6 * f32(2688 / 5.72) = 469.93... -> 0x7e
    const g = mx.array(5.72, mx.float32, o);
    const [, sg] = mx.quantize(mx.array([[6, ...new Array(15).fill(0)]], mx.float32, o), undefined, undefined, { mode: "nvfp4", globalScale: g, ...o });
    expect(await sg.tolist()).toEqual([[0x7e]]);
  });

  it("dequantizes affine weights with a dtype as the dequantized array cast (computed in the scales' dtype)", async () => {
    // a group over [-1, 1] (scale -1/127.5 rounded, bias 1): float16 of the float32 value, not float16 steps
    const line = mx.reshape(mx.linspace(-1, 1, 64, mx.float32, o), [1, 64], o);
    const [lq, ls, lb] = mx.quantize(line, 64, 8, o);
    const l16 = mx.dequantize(lq, ls, lb, 64, 8, "affine", mx.float16, o);
    await expectSameBits(l16, mx.astype(mx.dequantize(lq, ls, lb, 64, 8, o), mx.float16, o), "linspace, float16");
    expect(((await l16.tolist()) as number[][])[0]![16]).toBe(-0.48828125);
    // float16 scales, dtype float32: the float16 result widened (element 0 is -1, not float32's -0.99987...)
    const [hq, hs, hb] = mx.quantize(mx.astype(line, mx.float16, o), 64, 8, o);
    const h32 = mx.dequantize(hq, hs, hb, 64, 8, { dtype: mx.float32, ...o });
    expect(((await h32.tolist()) as number[][])[0]![0]).toBe(-1);

    const narrow = [mx.float16, mx.bfloat16].filter((d) => floats.has(d));
    // (one bit width: each (bits, dtype) is a kernel to compile on the GPUs)
    for (const bits of [4]) {
      const w = mx.multiply(mx.random.normal([6, 128], mx.float32, { key: mx.random.key(bits), ...o }), 3, o);
      for (const wd of [mx.float32, ...narrow]) {
        const [q, s, b] = mx.quantize(mx.astype(w, wd, o), 64, bits, o);
        const plain = mx.dequantize(q, s, b, 64, bits, o);
        for (const d of [mx.float32, ...narrow].filter((d) => d !== wd)) {
          await expectSameBits(mx.dequantize(q, s, b, 64, bits, { dtype: d, ...o }), mx.astype(plain, d, o), `bits ${bits}, ${wd.name} scales, dtype ${d.name}`);
        }
      }
    }
  });

  it("differentiates affine scales and biases through the cast", async () => {
    const w = mx.random.normal([2, 64], mx.float32, { key: mx.random.key(5), ...o });
    const [q, s, b] = mx.quantize(w, 32, 4, o);
    const f = (d: mx.DType) => (sc: mx.MxArray, bi: mx.MxArray) => mx.sum(mx.astype(mx.dequantize(q, sc, bi, 32, 4, { dtype: d, ...o }), mx.float32, o), o);
    const [gs, gb] = mx.grad(f(mx.float16), { argnums: [0, 1] })(s, b) as unknown as [mx.MxArray, mx.MxArray];
    const [ws, wb] = mx.grad(f(mx.float32), { argnums: [0, 1] })(s, b) as unknown as [mx.MxArray, mx.MxArray];
    expect(gs.dtype).toBe(mx.float32);
    await expectSameBits(gs, ws, "d/dscales");
    await expectSameBits(gb, wb, "d/dbiases");
  });

  it("dequantizes the microscaling modes with a dtype from float32 steps, rounded once (MLX's Metal kernel)", async () => {
    const w = mx.multiply(mx.random.normal([8, 64], mx.float32, { key: mx.random.key(9), ...o }), 5, o);
    const narrow = [mx.float16, mx.bfloat16].filter((d) => floats.has(d));
    for (const [mode, gscale] of [["mxfp4", null], ["mxfp8", null], ["nvfp4", null], ["nvfp4", 7], ["nvfp4", 3.3]] as const) {
      const g = gscale === null ? undefined : mx.array(gscale, mx.float32, o);
      const [q, s] = mx.quantize(w, undefined, undefined, { mode, globalScale: g, ...o });
      const f32 = mx.dequantize(q, s, null, undefined, undefined, { mode, globalScale: g, dtype: mx.float32, ...o });
      for (const d of narrow) {
        await expectSameBits(mx.dequantize(q, s, null, undefined, undefined, { mode, globalScale: g, dtype: d, ...o }), mx.astype(f32, d, o), `${mode} ${gscale} ${d.name}`);
      }
      if (gscale === null) continue;
      // f32(f32(e4m3 scale * f32(g / 2688)) * value), the value the scale-free dequantization over the scale (exact)
      const sv = (await mx.fromFp8(s, mx.float32, o).data()) as Float32Array;
      const plain = (await mx.dequantize(q, s, null, undefined, undefined, { mode, dtype: mx.float32, ...o }).data()) as Float32Array;
      const inv = Math.fround(Math.fround(gscale) / 2688);
      const want = mx.array(Array.from(plain, (p, i) => Math.fround(Math.fround(sv[Math.floor(i / 16)]! * inv) * (p / sv[Math.floor(i / 16)]!))), mx.float32, cpu);
      await expectSameBits(mx.reshape(f32, [-1], cpu), want, `${mode} global ${gscale}, float32`);
    }
  });
});
