// float16 arithmetic on the webgpu backend (float32 compute, one integer
// round-to-nearest-even store, wgsl/dtypes.wgsl) against the cpu reference,
// bit for bit: every float16 pattern through + - *, maximum, minimum and square against
// operands that make subnormal, tied, overflowing and signed-zero results,
// float32 -> float16 casts of float32 patterns from every binade, ties,
// subnormal results and overflow included, and negative/abs of every 16-bit
// pattern (sign-bit operations on the packed bits).

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";
import { deviceFor } from "../src/device.js";

const webgpu = findBackend("webgpu");
const onGpu = { stream: webgpu ? deviceFor("webgpu") : mx.cpu };
const onCpu = { stream: mx.cpu };

/** Second operands: subnormals, 1 +- ulp, 0.5, 1/3, the largest finite, zeros, infinities, NaN, and a seeded sample. */
const SECOND = [0x0001, 0x83ff, 0x0400, 0x3c00, 0x3c01, 0xbbff, 0x3800, 0x3555, 0x7bff, 0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x1400, 0xd640];
for (let s = 12345; SECOND.length < 32; ) SECOND.push((s = (s * 1103515245 + 12345) % 2 ** 31) >>> 15);

const EVERY = Array.from({ length: 65536 }, (_, i) => i);
const half = (bits: number[], o: typeof onCpu) => mx.view(mx.array(bits, mx.uint16, o), mx.float16, o);
const isNaN16 = (h: number) => (h & 0x7fff) > 0x7c00;

/** The elements where float16 patterns `g` (webgpu) and `c` (cpu) differ, NaN equal to NaN, each described after `input(i)`. */
function differing(g: ArrayLike<number>, c: ArrayLike<number>, input: (i: number) => string): string[] {
  const bad: string[] = [];
  for (let i = 0; i < g.length; i++) {
    if (g[i] !== c[i] && !(isNaN16(g[i]!) && isNaN16(c[i]!))) bad.push(`${input(i)}: webgpu ${g[i]!.toString(16)}, cpu ${c[i]!.toString(16)}`);
  }
  return bad;
}

/** `f` on float16 arrays of patterns `as` (and `bs`) on webgpu and the cpu: the differing elements, NaN equal to NaN. */
async function mismatches(f: (a: mx.MxArray, b: mx.MxArray, o: typeof onCpu) => mx.MxArray, as: number[], bs: number[]): Promise<string[]> {
  const bits = async (o: typeof onCpu) => (await mx.view(f(half(as, o), half(bs, o), o), mx.uint16, o).tolist()) as number[];
  return differing(await bits(onGpu), await bits(onCpu), (i) => `${as[i]!.toString(16)} ${bs[i]!.toString(16)}`);
}

describe.skipIf(!webgpu)("float16 arithmetic on webgpu", () => {
  const as = SECOND.flatMap(() => EVERY);
  const bs = SECOND.flatMap((b) => EVERY.map(() => b));

  it.each([
    ["add", mx.add],
    ["subtract", mx.subtract],
    ["multiply", mx.multiply],
    ["maximum", mx.maximum],
    ["minimum", mx.minimum],
  ] as const)("%s: every float16 pattern against 32 operands, bit-exact", async (_name, op) => {
    expect((await mismatches((a, b, o) => op(a, b, o), as, bs)).slice(0, 5)).toEqual([]);
  });

  it("square and the float16 -> float32 -> float16 round trip of every pattern, bit-exact", async () => {
    expect((await mismatches((a, _b, o) => mx.square(a, o), EVERY, EVERY)).slice(0, 5)).toEqual([]);
    expect((await mismatches((a, _b, o) => mx.astype(mx.astype(a, mx.float32, o), mx.float16, o), EVERY, EVERY)).slice(0, 5)).toEqual([]);
  });

  // the device's float32 root where it cannot straddle a 16-bit midpoint (mx_sqrt_narrow_invalid), the float32 library's elsewhere
  it.each([mx.float16, mx.bfloat16])("sqrt of every %s pattern, bit-exact, plain and compiled", async (dtype) => {
    const inf = dtype === mx.float16 ? 0x7c00 : 0x7f80;
    const bits = async (o: typeof onCpu, f = (x: mx.MxArray) => mx.sqrt(x, o)) => (await mx.view(f(mx.view(mx.array(EVERY, mx.uint16, o), dtype, o)), mx.uint16, o).tolist()) as number[];
    const want = await bits(onCpu);
    const nan = (h: number) => (h & 0x7fff) > inf;
    for (const got of [await bits(onGpu), await bits(onGpu, mx.compile((x: mx.MxArray) => mx.multiply(mx.sqrt(x, onGpu), 1, onGpu)))]) {
      expect(EVERY.filter((i) => got[i] !== want[i] && !(nan(got[i]!) && nan(want[i]!))).slice(0, 5).map((i) => `${i.toString(16)}: ${got[i]!.toString(16)} vs ${want[i]!.toString(16)}`)).toEqual([]);
    }
  });

  it("float32 -> float16 casts: every 4096th float32 pattern and its neighbours, bit-exact", async () => {
    // each pattern's low 12 bits 0 (float16's ties and exact values, at every rounding position), 1 and 4095 (just past and short of them)
    const words = new Uint32Array(3 * 2 ** 20);
    for (let i = 0, k = 0; i < 2 ** 20; i++) for (const low of [0, 1, 4095]) words[k++] = ((i << 12) | low) >>> 0;
    const bits = async (o: typeof onCpu) => (await mx.view(mx.astype(mx.view(mx.array(words, mx.uint32, o), mx.float32, o), mx.float16, o), mx.uint16, o).data()) as Uint16Array;
    expect(differing(await bits(onGpu), await bits(onCpu), (i) => words[i]!.toString(16)).slice(0, 5)).toEqual([]);
  });

  it.each([
    ["negative", (h: number) => h ^ 0x8000],
    ["abs", (h: number) => h & 0x7fff],
  ] as const)("%s of every float16 and bfloat16 pattern changes the sign bit only (NaN payloads kept)", async (name, expected) => {
    for (const dtype of [mx.float16, mx.bfloat16]) {
      const x = mx.view(mx.array(EVERY, mx.uint16, onGpu), dtype, onGpu);
      const got = (await mx.view(mx[name](x, onGpu), mx.uint16, onGpu).tolist()) as number[];
      expect(got.flatMap((g, i) => (g === expected(i) ? [] : [`${dtype.name} ${i.toString(16)}: ${g.toString(16)}`])).slice(0, 5)).toEqual([]);
    }
  });
});
