// A float16 / bfloat16 NaN's sign bit and payload on every backend: widened
// to float32 by astype (read back as the float32 bits through a view) as
// MLX's conversions widen it, and float32 -> float16 keeping the sign (on the
// cpu, exactly as a hardware conversion: quiet, the top payload bits). A
// float16 NaN widened on webgpu is the driver's NaN (WGSL's unpack2x16float).

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";

const F = new Float32Array(1), U = new Uint32Array(F.buffer);
const toBits = (x: number) => ((F[0] = x), U[0]!);

/** A float16 word's float32 bits by the formats' definitions: exact values; a NaN keeps sign and payload (shifted left 13), quiet. */
function f16Bits(h: number): number {
  const sign = (h & 0x8000) << 16, e = (h >> 10) & 31, m = h & 0x3ff;
  if (e === 31) return (sign | (m === 0 ? 0x7f800000 : 0x7fc00000) | (m << 13)) >>> 0;
  if (e > 0) return (sign | ((e + 112) << 23) | (m << 13)) >>> 0;
  return (sign | toBits(m * 2 ** -24)) >>> 0;
}

/** A bfloat16 word's float32 bits: the word shifted up 16 (MLX's widening, NaNs included). */
const bf16Bits = (h: number) => (h << 16) >>> 0;

const isNaNHalf = (h: number, mBits: number) => (h & 0x7fff) >> mBits === (1 << (15 - mBits)) - 1 && (h & ((1 << mBits) - 1)) !== 0;

const HALVES = Uint16Array.from({ length: 65536 }, (_, h) => h);
const hex = (x: number) => `0x${x.toString(16)}`;

describe.each(BACKENDS)("half NaN sign and payload on $name", ({ device }) => {
  const o = { stream: device };
  const cpu = device.backend === "cpu";

  /** The float32 bits astype gives for every word of `dtype`, read flat and through a transposed (strided) view. */
  async function widened(dtype: mx.DType): Promise<{ flat: Uint32Array; transposed: Uint32Array }> {
    const x = mx.view(mx.array(HALVES, mx.uint16, o), dtype, o);
    const xt = mx.transpose(mx.reshape(x, [256, 256], o), [1, 0], o);
    const bits = async (a: mx.MxArray) => (await mx.view(mx.astype(a, mx.float32, o), mx.uint32, o).data()) as Uint32Array;
    return { flat: await bits(x), transposed: await bits(xt) };
  }

  /** Words h (at i of the flat read, transposed at t) whose bits differ from `want(h)` unless `alsoOk(h, got)`. */
  function mismatches(got: { flat: Uint32Array; transposed: Uint32Array }, want: (h: number) => number, alsoOk: (h: number, bits: number) => boolean): string[] {
    const bad: string[] = [];
    for (let h = 0; h < 65536; h++) {
      const t = (h % 256) * 256 + Math.floor(h / 256); // transposed[t] reads word h
      for (const [how, bits] of [["flat", got.flat[h]!], ["transposed", got.transposed[t]!]] as const) {
        if (bits !== want(h) && !alsoOk(h, bits)) bad.push(`${how} ${hex(h)}: ${hex(bits)}, want ${hex(want(h))}`);
      }
    }
    return bad;
  }

  // webgpu widens float16 with WGSL's unpack2x16float, whose NaN is the driver's (lavapipe keeps sign and payload, the H100's gives one canonical NaN)
  const driverNaN = (h: number, bits: number) => device.backend === "webgpu" && isNaNHalf(h, 10) && (bits & 0x7fffffff) > 0x7f800000;

  it("widens every float16 word to its float32 bits, a NaN with its sign and payload (quiet; webgpu: a NaN)", async () => {
    const bad = mismatches(await widened(mx.float16), f16Bits, driverNaN);
    expect(bad.slice(0, 8), `${bad.length} differ`).toEqual([]);
  });

  it("widens every bfloat16 word by a 16-bit shift, a NaN with its sign and payload", async () => {
    // a signaling NaN read into a JS number may come back quiet (V8 quiets it in some tiers): the cpu's only leeway
    const quieted = (h: number, bits: number) => cpu && isNaNHalf(h, 7) && bits === (bf16Bits(h) | 0x400000) >>> 0;
    const bad = mismatches(await widened(mx.bfloat16), bf16Bits, quieted);
    expect(bad.slice(0, 8), `${bad.length} differ`).toEqual([]);
  });

  it("widens negative NaN halves to negative float32 NaNs (spot values; float16 on webgpu: NaNs)", async () => {
    const words = [0x7e00, 0xfe00, 0xfc01, 0xffff];
    const f16 = mx.view(mx.array(Uint16Array.from(words), mx.uint16, o), mx.float16, o);
    const got = Array.from((await mx.view(mx.astype(f16, mx.float32, o), mx.uint32, o).data()) as Uint32Array);
    const want = [0x7fc00000, 0xffc00000, 0xffc02000, 0xffffe000];
    got.forEach((bits, i) => expect(bits === want[i] || driverNaN(words[i]!, bits), `${hex(words[i]!)} -> ${hex(bits)}`).toBe(true));
    const bwords = [0x7fc0, 0xffc0, 0xffff];
    const bf16 = mx.view(mx.array(Uint16Array.from(bwords), mx.uint16, o), mx.bfloat16, o);
    expect(Array.from((await mx.view(mx.astype(bf16, mx.float32, o), mx.uint32, o).data()) as Uint32Array)).toEqual([0x7fc00000, 0xffc00000, 0xffff0000]);
  });

  it("keeps a float32 NaN's sign in float16 (on the cpu its top payload bits too, quiet)", async () => {
    const nans = [0x7fc00000, 0xffc00000, 0xffc02000, 0xff800001, 0xffffffff, 0x7fffe000];
    const x = mx.view(mx.array(Uint32Array.from(nans), mx.uint32, o), mx.float32, o);
    const got = Array.from((await mx.view(mx.astype(x, mx.float16, o), mx.uint16, o).data()) as Uint16Array);
    got.forEach((h, i) => {
      expect(isNaNHalf(h, 10), `${hex(nans[i]!)} -> ${hex(h)}`).toBe(true);
      expect(h >> 15, `${hex(nans[i]!)} -> ${hex(h)}`).toBe(nans[i]! >>> 31);
    });
    if (cpu) expect(got).toEqual([0x7e00, 0xfe00, 0xfe01, 0xfe00, 0xffff, 0x7fff]);
  });

  it.runIf(cpu)("gives back every quiet float16 NaN from float16 -> float32 -> float16", async () => {
    const quiet = Array.from(HALVES).filter((h) => isNaNHalf(h, 10) && (h & 0x200) !== 0);
    const x = mx.view(mx.array(Uint16Array.from(quiet), mx.uint16, o), mx.float16, o);
    const back = (await mx.view(mx.astype(mx.astype(x, mx.float32, o), mx.float16, o), mx.uint16, o).data()) as Uint16Array;
    expect(Array.from(back)).toEqual(quiet);
  });
});
