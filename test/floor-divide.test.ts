// Float floorDivide on every backend: MLX's floor(divide(a, b)), the quotient
// rounded to the dtype then floored, over random float32 patterns, quotients
// next to integers and special values, NumPy's values pinned; float16/bfloat16.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";

/** floor(a / b) of float32 operands: the float64 quotient of two float32 values rounds to float32 as a correctly rounded float32 division would. */
function floorDivideOracle(a: number, b: number): number {
  return Math.floor(Math.fround(a / b));
}

/** Operand pairs: random bit patterns, both near 1 (small quotients), a multiple of b moved a few ulp, special values. */
function operands(n: number): [Float32Array, Float32Array] {
  const a = new Float32Array(n), b = new Float32Array(n);
  const wa = new Uint32Array(a.buffer), wb = new Uint32Array(b.buffer);
  let s = 20261205;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), (s ^ (s >>> 15)) >>> 0);
  const specials = [0, -0, 1, -1, 1e-45, -1e-45, 2 ** -126, 3.4028234663852886e38, Infinity, -Infinity, NaN, 0.1, 3];
  for (let i = 0; i < n; i++) {
    const mode = i % 4;
    if (mode === 0) [wa[i], wb[i]] = [next(), next()];
    else if (mode === 1) [wa[i], wb[i]] = [(next() & 0x807fffff) | (((next() % 40) + 110) << 23), (next() & 0x807fffff) | (((next() % 40) + 110) << 23)];
    else if (mode === 2) {
      // a = k * b rounded, moved by up to 2 ulp: floors next to an integer, k up to 2^30 (past 2^24: ties of the rounding)
      b[i] = Math.fround((1 + (next() % 8388608) / 8388608) * 2 ** ((next() % 60) - 30)) * (next() & 1 ? -1 : 1);
      a[i] = Math.fround(b[i]! * ((next() % (1 << 30)) + 1) * (next() & 1 ? -1 : 1));
      wa[i] = wa[i]! + (next() % 5) - 2;
    } else if (next() & 1) [a[i], wb[i]] = [specials[next() % specials.length]!, next()];
    else [wa[i], b[i]] = [next(), specials[next() % specials.length]!];
  }
  return [a, b];
}

/** Indices whose bits differ (NaN matches any NaN). */
function differing(got: Float32Array, want: Float32Array): number[] {
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length), w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  return [...g.keys()].filter((i) => g[i] !== w[i] && !(Number.isNaN(got[i]) && Number.isNaN(want[i])));
}

const [fa, fb] = operands(1 << 16);
const exact = Float32Array.from(fa, (x, i) => floorDivideOracle(x, fb[i]!));

describe.each(BACKENDS)("float floorDivide on $name", ({ device }) => {
  const o = { stream: device };

  it("is the floor of the quotient rounded to float32", async () => {
    const got = (await mx.floorDivide(mx.array(fa, mx.float32, o), mx.array(fb, mx.float32, o), o).data()) as Float32Array;
    expect(differing(got, exact).slice(0, 5).map((i) => [fa[i], fb[i], got[i], exact[i]])).toEqual([]);
  });

  it("gives NumPy's np.floor(np.float32(a) / np.float32(b)), not its a // b", async () => {
    const a = [1, -1, 0.5, 1e10, 7.5, -7.5, 1, -1, 0, -0, 5, -5, 0.3, 1e-45, 3.4e38, Infinity, NaN];
    const b = [0.1, 0.1, 0.1, 7, 2, 2, 0, 0, 0, 3, Infinity, Infinity, 0.1, 1e-45, 1e-38, 2, 1];
    const q = mx.floorDivide(mx.array(a, mx.float32, o), mx.array(b, mx.float32, o), o);
    expect(Array.from((await q.data()) as Float32Array)).toEqual([10, -10, 5, 1428571392, 3, -4, Infinity, -Infinity, NaN, -0, 0, -0, 3, 1, Infinity, Infinity, NaN]);
    // float16: the quotient rounded to float16 first (np.floor(np.float16(a) / np.float16(b)))
    const h = mx.floorDivide(mx.array([1, 2.5, -1, 100, 0.7], mx.float16, o), mx.array([0.1, 0.3, 0.1, 0.3, 0.1], mx.float16, o), o);
    expect(h.dtype).toBe(mx.float16);
    expect(await h.tolist()).toEqual([10, 8, -10, 333, 7]);
    // weak scalars and integers promoted to float32; float64 where held
    expect(await mx.floorDivide(1, mx.array([0.1], mx.float32, o), o).tolist()).toEqual([10]);
    expect(await mx.floorDivide(mx.array([1], mx.int32, o), 0.1, o).tolist()).toEqual([10]);
  });

  it("has a zero gradient, 0 where the divisor is 0", async () => {
    const b = mx.array([0, 0.1, -2], mx.float32, o);
    const [ga, gb] = mx.grad((x: mx.MxArray, y: mx.MxArray) => mx.sum(mx.floorDivide(x, y, o), o), { argnums: [0, 1] })(mx.array([1, 1, 3], mx.float32, o), b);
    expect(await ga!.tolist()).toEqual([0, 0, 0]);
    expect(await gb!.tolist()).toEqual([0, 0, 0]);
  });

  it("refuses complex64, as MLX's floor", () => {
    expect(() => mx.floorDivide(mx.array([{ re: 1, im: 1 }], mx.complex64, o), 2, o)).toThrow(/\[floorDivide\] complex64/);
  });

  it("gives the reference's bits for float16 and bfloat16 (random 16-bit patterns)", async () => {
    // rounded once through float32: a 16-bit divisor's quotient never has the 12 equal bits in a row that would make
    // the float32 rounding a 16-bit tie
    const n = 1 << 15;
    let s = 7;
    const bits = () => Uint16Array.from({ length: n }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s >>> 16));
    for (const dtype of [mx.float16, mx.bfloat16]) {
      const [wa, wb] = [bits(), bits()];
      const run = async (on: { stream: mx.Device }) => {
        const q = mx.floorDivide(mx.view(mx.array(wa, mx.uint16, on), dtype, on), mx.view(mx.array(wb, mx.uint16, on), dtype, on), on);
        return [(await mx.view(q, mx.uint16, on).data()) as Uint16Array, (await mx.astype(q, mx.float32, on).data()) as Float32Array] as const;
      };
      const [[got], [want, value]] = [await run(o), await run({ stream: mx.cpu })];
      const bad = [...got.keys()].filter((i) => got[i] !== want[i] && !Number.isNaN(value[i]));
      expect(bad.slice(0, 5).map((i) => [wa[i], wb[i], got[i], want[i]]), dtype.name).toEqual([]);
    }
  });
});
