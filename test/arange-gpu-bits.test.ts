// Float arange bit for bit on every backend: element i is the exact value
// start + i * step (the float64 numbers passed) rounded once to the dtype.
// The cpu is checked against an independent BigInt reference (float64 too),
// each GPU backend against the cpu, over random ranges of every magnitude.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";

const cpu = BACKENDS.find((b) => b.name === "cpu")!.device;
const GPUS = BACKENDS.filter((b) => b.name !== "cpu");

/** The raw element bits of `x` as bigints (floats compared by their bits, -0 included). */
async function bitsOf(x: mx.MxArray): Promise<bigint[]> {
  const width = { 1: mx.uint8, 2: mx.uint16, 4: mx.uint32, 8: mx.uint64 }[x.dtype.size]!;
  return ((await mx.view(x, width).tolist()) as (number | bigint)[]).map((b) => BigInt(b));
}

/** The first element where two bit lists differ (with the lengths), or undefined: a small failure to print and shrink. */
function firstDifference(got: bigint[], want: bigint[]): { index: number; got?: bigint; want?: bigint; lengths: number[] } | undefined {
  const index = got.length === want.length ? got.findIndex((b, i) => b !== want[i]) : Math.min(got.length, want.length);
  return index < 0 ? undefined : { index, got: got[index], want: want[index], lengths: [got.length, want.length] };
}

/** Significand bits (with the implicit one), exponent bits. */
const FORMATS: Record<string, [number, number]> = { float16: [11, 5], bfloat16: [8, 8], float32: [24, 8], float64: [53, 11] };

/** A float64 x as the integer x * 2^1074. */
function scaled(x: number): bigint {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  const biased = (b.getUint32(0) >>> 20) & 0x7ff;
  let m = (BigInt(b.getUint32(0) & 0xfffff) << 32n) | BigInt(b.getUint32(4));
  if (biased !== 0) m |= 1n << 52n;
  const v = m << BigInt(Math.max(biased, 1) - 1);
  return x < 0 ? -v : v;
}

/** The bits of element i: the rational start + i * step rounded to nearest even in the dtype (IEEE encoding, built here). */
function referenceBits(start: number, step: number, i: number, dtype: mx.DType): bigint {
  const [p, ew] = FORMATS[dtype.name]!;
  const bias = 2 ** (ew - 1) - 1, signBit = 1n << BigInt(p + ew - 1);
  const n = scaled(start) + BigInt(i) * scaled(step);
  if (n === 0n) return i === 0 && Object.is(start, -0) ? signBit : 0n;
  const sign = n < 0n ? signBit : 0n, mag = n < 0n ? -n : n;
  // the exponent of the leading bit, then of the last kept bit (normal or subnormal)
  const top = mag.toString(2).length - 1 - 1074;
  let last = Math.max(top, 1 - bias) - (p - 1);
  const drop = last + 1074;
  let m: bigint;
  if (drop <= 0) m = mag << BigInt(-drop);
  else {
    const k = BigInt(drop), rem = mag & ((1n << k) - 1n), half = 1n << (k - 1n);
    m = mag >> k;
    if (rem > half || (rem === half && (m & 1n) === 1n)) m++;
  }
  if (m === 1n << BigInt(p)) {
    m >>= 1n;
    last++;
  }
  const inf = sign | (BigInt(2 ** ew - 1) << BigInt(p - 1));
  if (m < 1n << BigInt(p - 1)) return sign | m;
  const exponent = last + p - 1;
  return exponent > bias ? inf : sign | (BigInt(exponent + bias) << BigInt(p - 1)) | (m - (1n << BigInt(p - 1)));
}

/** The reference's bits at every index up to 2000 elements, else at 2000 spread indices (the ends included). */
function expectReference(start: number, step: number, dtype: mx.DType, got: bigint[]): void {
  const n = got.length, k = Math.min(n, 2000);
  for (let j = 0; j < k; j++) {
    const i = n <= 2000 ? j : Math.round((j * (n - 1)) / (k - 1));
    const want = referenceBits(start, step, i, dtype);
    if (got[i] !== want) expect({ start, step, dtype: dtype.name, i, bits: got[i] }).toEqual({ start, step, dtype: dtype.name, i, bits: want });
  }
}

/**
 * A float64 of magnitude about 2^e (any significand, either sign), a short
 * decimal, or an integer of up to 27 bits times a power of two (exact sums:
 * ties of every dtype).
 */
const magnitude = (lo: number, hi: number) =>
  fc.oneof(
    fc.tuple(fc.double({ min: 1, max: 2, noNaN: true }), fc.integer({ min: lo, max: hi }), fc.boolean()).map(([m, e, neg]) => (neg ? -1 : 1) * m * 2 ** e),
    fc.tuple(fc.integer({ min: -999, max: 999 }), fc.constantFrom(1, 3, 7, 10, 100, 1000)).map(([a, b]) => a / b),
    fc.tuple(fc.integer({ min: -(2 ** 26), max: 2 ** 26 }), fc.integer({ min: -40, max: 10 })).map(([a, e]) => a * 2 ** e),
  );

/** (start, step, count): tiny to huge starts and steps (far apart too), non-representable steps, counts up to 1e5. */
const ranges = fc
  .tuple(magnitude(-160, 140), magnitude(-160, 140), fc.integer({ min: 0, max: 50 }).map((k) => Math.floor(10 ** (k / 10))))
  .filter(([, step]) => step !== 0)
  .map(([start, step, count]) => ({ start, step, stop: start + count * step }))
  .filter(({ start, step, stop }) => Number.isFinite(stop) && Math.ceil((stop - start) / step) <= 100_000);

const DTYPES = [mx.float32, mx.float16, mx.bfloat16];

/**
 * Starts whose significand, aligned to their step's last bit, passes 124
 * bits (i * step is jammed): only ranges of 2^19 elements or more reach one,
 * so random ranges up to 1e5 never do.
 */
const JAMMED_STEPS: [number, number, number, mx.DType][] = [
  [1e21, 1e21 + 131072, 0.1, mx.float32],
  [-(2 ** 80), -(2 ** 80 + 2 ** 28), -(2 ** 10) / 3, mx.bfloat16],
  [1e21, 1e21 + 131072, -0.1 + 0.3, mx.float64],
];

describe("float arange is the exact start + i * step rounded once", () => {
  it("on the cpu: the reference's bits (float64 too)", async () => {
    await fc.assert(
      fc.asyncProperty(ranges, fc.constantFrom(...DTYPES, mx.float64), async ({ start, stop, step }, dtype) => {
        expectReference(start, step, dtype, await bitsOf(mx.arange(start, stop, step, { dtype, stream: cpu })));
      }),
      { numRuns: 150 },
    );
  });

  it("on the cpu: ties, signed zeros, subnormals and overflow", async () => {
    const cases: [number, number, number, mx.DType][] = [
      [0, 1, 0.1, mx.float32], // 0.5 at index 5 (float32 steps down from the last element give 0.49999997)
      [1, 2, 1 / 3, mx.float32],
      [2 ** 24, 2 ** 24 + 64, 1, mx.float32], // odd integers are ties: to even
      [-0, 1, 0.25, mx.float16], // element 0 is -0
      [-1, 1, 0.25, mx.bfloat16], // an exact zero sum is +0
      [-(2 ** -160), 2 ** -150, 2 ** -162 * 3, mx.float32], // below half the least subnormal: -0 while negative
      [2 ** -149, 2 ** -125, 2 ** -140 / 3, mx.float32], // subnormals, then normals
      [3e38, 3.5e38, 1e37, mx.float32], // past the largest float32: inf
      [65000, 66000, 100, mx.float16],
      [5e-324, 1e-321, 3 * 5e-324, mx.float64],
      [1e-30, 1e30, 1.1e26, mx.float32], // step 2^186 above start's last bit: start is jammed
      ...JAMMED_STEPS,
    ];
    for (const [start, stop, step, dtype] of cases) expectReference(start, step, dtype, await bitsOf(mx.arange(start, stop, step, { dtype, stream: cpu })));
    expect(await mx.arange(0, 1, 0.1, { stream: cpu }).tolist()).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map(Math.fround));
    // from 0, element i is i * 0.1 rounded once: JS's float64 product
    expect(await mx.arange(0, 1, 0.1, { dtype: mx.float64, stream: cpu }).tolist()).toEqual(Array.from({ length: 10 }, (_, i) => i * 0.1));
  });

  it("on the cpu: complex64 holds the float32 values as real parts", async () => {
    expect(await mx.arange(0, 0.3, 0.1, { dtype: mx.complex64, stream: cpu }).tolist()).toEqual([0, 0.1, 0.2].map((re) => ({ re: Math.fround(re), im: 0 })));
  });

  describe.each(GPUS)("on $name", ({ device }) => {
    it("the cpu's bits over random ranges", async () => {
      await fc.assert(
        fc.asyncProperty(ranges, fc.constantFrom(...DTYPES), async ({ start, stop, step }, dtype) => {
          const want = await bitsOf(mx.arange(start, stop, step, { dtype, stream: cpu }));
          expect(firstDifference(await bitsOf(mx.arange(start, stop, step, { dtype, stream: device })), want)).toBeUndefined();
        }),
        { numRuns: 120 },
      );
    });

    it.each([
      [0, 1, 0.1, mx.float32],
      [10, -10, -1 / 3, mx.float32],
      [2 ** 24 - 64, 2 ** 24 + 256, 1, mx.float32],
      [-0, 100, 0.7, mx.float16],
      [-8, 8, 0.1, mx.bfloat16],
      [3e38, 3.5e38, 1e37, mx.float32],
      [-(2 ** -160), 2 ** -150, 2 ** -162 * 3, mx.float32],
      [1e-30, 1e30, 1.1e26, mx.float16],
      ...JAMMED_STEPS.filter(([, , , dtype]) => dtype !== mx.float64),
    ])("arange(%s, %s, %s) as %s", async (start, stop, step, dtype) => {
      const want = await bitsOf(mx.arange(start, stop, step, { dtype, stream: cpu }));
      expect(firstDifference(await bitsOf(mx.arange(start, stop, step, { dtype, stream: device })), want)).toBeUndefined();
    });

    it.each([
      ["int16", [-500, 500, 7, mx.int16]],
      ["uint8 (wrapping)", [0, 300, 3, mx.uint8]],
      ["int32", [-(2 ** 31), 2 ** 31 - 1, 2 ** 26 + 3, mx.int32]],
    ] as const)("integers: %s", async (_label, [start, stop, step, dtype]) => {
      const want = await bitsOf(mx.arange(start, stop, step, { dtype, stream: cpu }));
      expect(firstDifference(await bitsOf(mx.arange(start, stop, step, { dtype, stream: device })), want)).toBeUndefined();
    });
  });
});
