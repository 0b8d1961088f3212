// The fp8 (e4m3) conversions on every backend, against values worked out by
// hand from the format's definition (sign, 4 exponent bits of bias 7, 3
// mantissa bits; exponent 0 subnormal) and MLX's rules: round to nearest
// even, 480 and up (and infinities, NaN) saturate to 448, (464, 480) rounds
// to code 0x7f, which decodes to 480. All 256 codes decode and round trip.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";

/** Code c's value by the definition, independent of the implementation's decoder. */
function valueOf(c: number): number {
  const sign = c >= 128 ? -1 : 1, e = Math.floor(c / 8) % 16, m = c % 8;
  return sign * (e === 0 ? m * 2 ** -9 : 2 ** (e - 7) * (1 + m / 8));
}

const CODES = Array.from({ length: 256 }, (_, c) => c);

// [input, code]: exact values, ties to even, subnormals, the saturation edges, special values
const KNOWN: [number, number][] = [
  [1, 0x38], [-2, 0xc0], [0.1, 0x1d], [1.0625, 0x38], [1.1875, 0x3a], [-1.1875, 0xba],
  [2 ** -9, 0x01], [2 ** -10, 0x00], [3 * 2 ** -10, 0x02], [5 * 2 ** -10, 0x02], [7 * 2 ** -10, 0x04], [2 ** -6, 0x08], [15 * 2 ** -10, 0x08],
  [240, 0x77], [448, 0x7e], [464, 0x7e], [470, 0x7f], [-470, 0xff], [480, 0x7e], [1e6, 0x7e], [-1e6, 0xfe],
  [Infinity, 0x7e], [-Infinity, 0xfe], [NaN, 0x7e], [0, 0x00], [-0, 0x80], [1e-30, 0x00], [-1e-30, 0x80],
];

describe.each(BACKENDS)("fp8 conversions on $name", ({ device }) => {
  const o = { stream: device };
  const floats = [mx.float32, mx.float16, mx.bfloat16, mx.float64].filter((d) => mx.registeredBackends().find((b) => b.name === device.backend)!.capabilities.dtypes.has(d));

  it.each(floats.map((d) => ({ d })))("fromFp8 gives every code's value in $d.name", async ({ d }) => {
    const v = mx.fromFp8(mx.array(CODES, mx.uint8, o), d, o);
    expect(v.dtype).toBe(d);
    const got = (await v.tolist()) as number[];
    CODES.forEach((c) => expect(Object.is(got[c], valueOf(c)), `code ${c}: ${got[c]}`).toBe(true));
  });

  it.each(floats.map((d) => ({ d })))("every code's value converts back to the code ($d.name), 0x7f and 0xff to 448's", async ({ d }) => {
    const back = (await mx.toFp8(mx.array(CODES.map(valueOf), d, o), o).tolist()) as number[];
    expect(back).toEqual(CODES.map((c) => (c === 0x7f ? 0x7e : c === 0xff ? 0xfe : c)));
  });

  it("rounds to nearest even and saturates as MLX (float32, float16, bfloat16)", async () => {
    const x = mx.array(KNOWN.map(([v]) => v), mx.float32, o);
    expect(await mx.toFp8(x, o).tolist()).toEqual(KNOWN.map(([, c]) => c));
    // inputs that float16 and bfloat16 hold exactly (470 is 470 in float16, 472 in bfloat16: both in (464, 480))
    const narrow = KNOWN.filter(([v]) => !(Math.abs(v) > 0 && Math.abs(v) < 1e-20) && v !== 1e6 && v !== -1e6 && v !== 0.1);
    for (const d of [mx.float16, mx.bfloat16]) {
      expect(await mx.toFp8(mx.array(narrow.map(([v]) => v), d, o), o).tolist(), d.name).toEqual(narrow.map(([, c]) => c));
    }
  });

  it("reads strided and broadcast inputs through their layout, and keeps the shape", async () => {
    const m = mx.reshape(mx.array(CODES, mx.uint8, o), [16, 16], o);
    const t = mx.transpose(m, undefined, o);
    const v = mx.fromFp8(t, mx.float32, o);
    expect(v.shape).toEqual([16, 16]);
    const rows = (await v.tolist()) as number[][];
    expect(rows[3]![5]).toBe(valueOf(5 * 16 + 3));
    const back = mx.toFp8(mx.slice(v, [0, 1], [16, 16], [1, 2], o), o);
    expect(back.shape).toEqual([16, 8]);
    expect(((await back.tolist()) as number[][])[2]![0]).toBe(16 + 2);
    expect(await mx.toFp8(mx.broadcastTo(mx.array(1.5, mx.float32, o), [2, 3], o), o).tolist()).toEqual([[0x3c, 0x3c, 0x3c], [0x3c, 0x3c, 0x3c]]);
    expect((await mx.toFp8(mx.zeros([0, 3], mx.float32, o), o).tolist())).toEqual([]);
  });
});

describe("fp8 conversions: rules and errors", () => {
  it("from a float64 value rounds once (no float32 step)", async () => {
    // 464 + 2^-30 is past the tie between 448 and 480: code 0x7f (through float32 it would be the tie, 0x7e)
    expect(await mx.toFp8(mx.array([464 + 2 ** -30, 1.0625 + 2 ** -40], mx.float64, { stream: mx.cpu })).tolist()).toEqual([0x7f, 0x39]);
  });

  it("maps over a batch, and says toFp8 and fromFp8 have no gradient", async () => {
    const x = mx.array([[1, 2], [3, 448]], mx.float32);
    expect(await mx.vmap((r: mx.MxArray) => mx.toFp8(r), { inAxes: 1 })(x).tolist()).toEqual([[0x38, 0x44], [0x40, 0x7e]]);
    expect(await mx.vmap((c: mx.MxArray) => mx.fromFp8(c, mx.float32))(mx.array([[0x38], [0x40]], mx.uint8)).tolist()).toEqual([[1], [2]]);
    expect(() => mx.grad((v: mx.MxArray) => mx.sum(mx.fromFp8(mx.toFp8(v), mx.float32)))(x)).toThrow(/\[fromFp8\].*no gradient/);
    const y = mx.toFp8(x);
    expect(() => y.primitive!.vjp([x], mx.onesLike(y), y)).toThrow(/\[toFp8\].*no gradient/);
    expect(() => y.primitive!.jvp([x], [mx.onesLike(x)], y)).toThrow(/\[toFp8\].*no gradient/);
    // constant codes are data: gradients flow around them
    const codes = mx.array([0x38, 0x40], mx.uint8);
    expect(await mx.grad((w: mx.MxArray) => mx.sum(mx.multiply(mx.fromFp8(codes, mx.float32), w)))(mx.array([5, 5], mx.float32)).tolist()).toEqual([1, 2]);
  });

  it("refuses non-float inputs, non-uint8 codes and non-float dtypes", () => {
    expect(() => mx.toFp8(mx.array([1], mx.int32))).toThrow(/^\[toFp8\].*x.*int32/);
    expect(() => mx.fromFp8(mx.array([1], mx.float32))).toThrow(/^\[fromFp8\].*uint8/);
    expect(() => mx.fromFp8(mx.array([1], mx.uint8), mx.int8)).toThrow(/^\[fromFp8\].*dtype/);
    expect(mx.fromFp8(mx.array([1], mx.uint8)).dtype).toBe(mx.bfloat16);
  });
});
