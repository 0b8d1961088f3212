// The fp8 (e4m3) conversions on every backend, against values worked out by
// hand from the format's definition (sign, 4 exponent bits of bias 7, 3
// mantissa bits; exponent 0 subnormal) and MLX's rules: round to nearest
// even, 448 and up (and infinities, NaN) saturate to 448 (code 0x7e) with the
// input's sign bit, so codes 0x7f / 0xff (which decode to +-480, as MLX's
// FromFP8 reads them) never come out; and against a line-by-line port of
// MLX's ToFP8 on every float32 bit pattern near the edges (448, 2^-6) and a
// sample of every binade. All 256 codes decode and round trip.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";

/** Code c's value by the definition, independent of the implementation's decoder. */
function valueOf(c: number): number {
  const sign = c >= 128 ? -1 : 1, e = Math.floor(c / 8) % 16, m = c % 8;
  return sign * (e === 0 ? m * 2 ** -9 : 2 ** (e - 7) * (1 + m / 8));
}

const CODES = Array.from({ length: 256 }, (_, c) => c);

const F = new Float32Array(1), U = new Uint32Array(F.buffer);
const fromBits = (u: number) => ((U[0] = u), F[0]!);
const toBits = (x: number) => ((F[0] = x), U[0]!);

/**
 * MLX's ToFP8 (mlx/backend/cpu/unary_ops.h; the Metal fp8_e4m3 is the same
 * steps), line for line on a float32's bits. Checked against a NumPy port of
 * it over all 2^32 float32 bit patterns.
 */
function mlxToFp8(bits: number): number {
  const fp8Max = 543 << 21; // 448.0f
  const denormMask = 141 << 23;
  let f = bits >>> 0;
  const sign = (f & 0x80000000) >>> 0;
  f = (f ^ sign) >>> 0;
  // float32 sum (a float64 sum of two float32 values, stored to float32, is their float32 sum)
  const fBitsLow = toBits(fromBits(f) + fromBits(denormMask));
  const resultLow = (fBitsLow - denormMask) & 0xff;
  const mantOdd = (f >>> 20) & 1;
  let fBitsHigh = (f + ((((7 - 127) << 23) >>> 0) + 0x7ffff)) >>> 0;
  fBitsHigh = (fBitsHigh + mantOdd) >>> 0;
  const resultHigh = (fBitsHigh >>> 20) & 0xff;
  let result = f < 121 << 23 ? resultLow : resultHigh;
  result = f >= fp8Max ? 0x7e : result;
  return result | (sign >>> 24);
}

/** Every float32 bit pattern in [lo, hi), positive and negative. */
function window(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let b = lo; b < hi; b++) out.push(b, (b | 0x80000000) >>> 0);
  return out;
}

/**
 * A sample of every binade (float32 exponents 0 to 255: subnormals, NaNs and
 * infinities included), each sign: for every mantissa bit p, a mantissa
 * with bit p set and the bits below clear (a tie wherever e4m3's last kept
 * bit is p + 1) and its neighbours, random bits above p; and the mantissas
 * 0, all ones and two random ones.
 */
function binadeSample(): number[] {
  const out: number[] = [];
  let r = 12345;
  const rand = () => (r = (Math.imul(r, 1103515245) + 12345) >>> 0) & 0x7fffff;
  for (let e = 0; e < 256; e++) {
    const ms = [0, 0x7fffff, rand(), rand()];
    for (let p = 0; p < 23; p++) {
      const tie = (rand() & ~((2 << p) - 1)) | (1 << p);
      ms.push(tie, tie - 1, tie + 1);
    }
    for (const m of ms) {
      const b = ((e << 23) | (m & 0x7fffff)) >>> 0;
      out.push(b, (b | 0x80000000) >>> 0);
    }
  }
  return out;
}

// [input, code]: exact values, ties to even, subnormals, the saturation edges, special values
const KNOWN: [number, number][] = [
  [1, 0x38], [-2, 0xc0], [0.1, 0x1d], [1.0625, 0x38], [1.1875, 0x3a], [-1.1875, 0xba],
  [2 ** -9, 0x01], [2 ** -10, 0x00], [3 * 2 ** -10, 0x02], [5 * 2 ** -10, 0x02], [7 * 2 ** -10, 0x04], [2 ** -6, 0x08], [15 * 2 ** -10, 0x08],
  [240, 0x77], [416, 0x7d], [430, 0x7d], [432, 0x7e], [447, 0x7e], [448, 0x7e], [464, 0x7e], [465, 0x7e], [470, 0x7e], [479, 0x7e], [-470, 0xfe],
  [480, 0x7e], [1e6, 0x7e], [-1e6, 0xfe],
  [Infinity, 0x7e], [-Infinity, 0xfe], [NaN, 0x7e], [0, 0x00], [-0, 0x80], [1e-30, 0x00], [-1e-30, 0x80],
];

describe.each(BACKENDS)("fp8 conversions on $name", ({ device }) => {
  const o = { stream: device };
  const floats = [mx.float32, mx.float16, mx.bfloat16, mx.float64].filter((d) => mx.registeredBackends().find((b) => b.name === device.backend)!.capabilities.dtypes.has(d));
  const webgpu = device.backend === "webgpu";

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

  it("gives MLX's ToFP8 code for every float32 bit pattern near 448 and 2^-6, and a sample of every binade", async () => {
    // [432, 496): the saturation edge 448 (bits 543 << 21) and the (464, 480) that rounding alone takes to 0x7f;
    // [2^-6 * 0.97, 2^-6 * 1.03): e4m3's subnormal / normal edge; NaN, infinities, float32 subnormals in the sample
    const bits = [...window(0x43d80000, 0x43f80000), ...window(0x3c780000, 0x3c880000), ...binadeSample()];
    const x = mx.view(mx.array(Uint32Array.from(bits), mx.uint32, o), mx.float32, o);
    const got = await mx.toFp8(x, o).data();
    const bad = bits.flatMap((b, i) => (got[i] === mlxToFp8(b) ? [] : [`0x${b.toString(16)} (${fromBits(b)}): ${got[i]}, MLX ${mlxToFp8(b)}`]));
    expect(bad.slice(0, 8), `${bad.length} of ${bits.length} differ`).toEqual([]);
  });

  it("gives MLX's ToFP8 code for every float16 and bfloat16 bit pattern (through their float32 value)", async () => {
    const halves = Uint16Array.from({ length: 65536 }, (_, h) => h);
    /** A float16's float32 bits (exact; NaN payload and sign kept, as a hardware conversion keeps them). */
    const f16Bits = (h: number) => {
      const sign = (h & 0x8000) << 16, e = (h >> 10) & 31, m = h & 0x3ff;
      if (e === 31) return (sign | 0x7f800000 | (m << 13)) >>> 0;
      if (e > 0) return (sign | ((e + 112) << 23) | (m << 13)) >>> 0;
      return (sign | toBits(m * 2 ** -24)) >>> 0;
    };
    for (const [d, toF32] of [[mx.float16, f16Bits], [mx.bfloat16, (h: number) => (h << 16) >>> 0]] as const) {
      if (!floats.includes(d)) continue;
      const got = await mx.toFp8(mx.view(mx.array(halves, mx.uint16, o), d, o), o).data();
      // webgpu widens a float16 NaN with WGSL's unpack2x16float, whose NaN is the driver's (the H100's: one canonical NaN): either sign's code
      const driverNaN = (h: number, code: number) => webgpu && d === mx.float16 && (h & 0x7fff) > 0x7c00 && (code & 0x7f) === 0x7e;
      const bad = Array.from(halves).flatMap((h) => (got[h] === mlxToFp8(toF32(h)) || driverNaN(h, got[h] as number) ? [] : [`0x${h.toString(16)}: ${got[h]}, MLX ${mlxToFp8(toF32(h))}`]));
      expect(bad.slice(0, 8), `${d.name}: ${bad.length} differ`).toEqual([]);
    }
  });

  it("keeps a NaN's sign bit and saturates it to 448, as MLX (codes 0x7e and 0xfe)", async () => {
    const nans = [0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 0x7fffffff, 0xffffffff];
    const x = mx.view(mx.array(Uint32Array.from(nans), mx.uint32, o), mx.float32, o);
    expect(await mx.toFp8(x, o).tolist()).toEqual([0x7e, 0xfe, 0x7e, 0xfe, 0x7e, 0xfe]);
  });

  it("rounds to nearest even and saturates as MLX (float32, float16, bfloat16)", async () => {
    const x = mx.array(KNOWN.map(([v]) => v), mx.float32, o);
    expect(await mx.toFp8(x, o).tolist()).toEqual(KNOWN.map(([, c]) => c));
    // inputs that float16 and bfloat16 hold (465, 470, 479 are 464, 472, 480 in bfloat16: the same code)
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
  it("from a float64 value rounds to float32 first, as MLX's ToFP8 converts every input", async () => {
    // 1.0625 + 2^-40 is past the tie between 1 (0x38) and 1.125 (0x39), but as float32 it is the tie 1.0625: 0x38;
    // 2^-10 + 2^-60 is past the tie between 0 and 2^-9, as float32 the tie 2^-10: 0x00
    expect(await mx.toFp8(mx.array([464 + 2 ** -30, 1.0625 + 2 ** -40, 2 ** -10 + 2 ** -60], mx.float64, { stream: mx.cpu })).tolist()).toEqual([0x7e, 0x38, 0x00]);
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
