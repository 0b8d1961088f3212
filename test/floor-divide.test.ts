// Float floorDivide and divmod on every backend: MLX's floor(divide(a, b)), the
// quotient rounded to the dtype then floored, against NumPy-free oracles (float32,
// float16) and the cpu's bits (bfloat16), and from an imported function file.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectSameValues } from "./helpers/backends.js";
import { functionFile } from "./helpers/function-file.js";

/** floor(a / b) of float32 operands: the float64 quotient of two float32 values rounds to float32 as a correctly rounded float32 division would. */
function floorDivideOracle(a: number, b: number): number {
  return Math.floor(Math.fround(a / b));
}

/** x rounded to float16, to nearest even in units of its binade's ulp (2^-24 below 2^-14), infinite from 65520 on. */
function f16round(x: number): number {
  const m = Math.abs(x);
  if (!Number.isFinite(x) || m === 0) return x;
  if (m >= 65520) return x > 0 ? Infinity : -Infinity;
  let e = Math.max(Math.floor(Math.log2(m)), -14);
  if (e > -14 && 2 ** e > m) e--;
  if (2 ** (e + 1) <= m) e++;
  const units = m / 2 ** (e - 10); // exact: a power-of-two scaling
  let r = Math.round(units);
  if (r - units === 0.5 && r % 2 === 1) r--;
  return Math.sign(x) * r * 2 ** (e - 10);
}

/** MLX's definition, floor(fl(a / b)): the quotient rounded to the dtype (float32 or float16), then floored. */
function mlxFloorDivide(a: number, b: number, dtype: mx.DType): number {
  return Math.floor(dtype === mx.float16 ? f16round(a / b) : Math.fround(a / b));
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

  // shared cases, then each dtype's own (range): 1 // 0.1 (the float 0.1 lies above 1/10, its quotient rounds up to 10),
  // float16 values whose quotient rounds up to an integer in float16 only, zero and infinite divisors, signed zeros,
  // NaN, large quotients
  const CASES: [number, number][] = [
    [1, 0.1], [-1, 0.1], [1, -0.1], [-1, -0.1], [0.5, 0.1], [1, 0.2000732421875], [1, 0.01000213623046875], [-2, 0.0186920166015625], [7.5, 2], [-7.5, 2],
    [1, 0], [-1, 0], [0, 0], [-0, 0], [1, -0], [0, 3], [-0, 3], [0, -3], [-0, -3], [5, Infinity], [-5, Infinity], [5, -Infinity], [-5, -Infinity],
    [Infinity, 2], [-Infinity, 2], [Infinity, Infinity], [NaN, 1], [1, NaN], [1e4, 3], [-1e4, 3], [3e4, 1e-3], [6e4, 0.5],
  ];
  const OWN: Record<string, [number, number][]> = {
    // -2^-149 / 2 is a tie, rounding to -0 (floor -0); over 1.9999999 it rounds to -2^-149 (floor -1)
    float32: [[1e10, 7], [-1e10, 7], [3e38, 1e-10], [-3e38, 1e-10], [16777215, 0.5], [1e30, 3], [-1e-40, 2], [1e-40, 2], [-1e-45, 1e30], [-1e-45, 2], [-1e-45, 1.9999999], [-1e-45, 2.0000002]],
    float16: [[-6e-8, 2], [6e-8, 2], [-1e-6, 7], [65504, 0.5], [1000, 0.3]],
  };

  it.each([mx.float32, mx.float16])("floorDivide and divmod's quotient are floor(fl(a / b)) in %s, signed zeros included", async (dtype) => {
    const round = dtype === mx.float16 ? f16round : Math.fround;
    const pairs = [...CASES, ...OWN[dtype.name]!];
    const [av, bv] = [pairs.map(([x]) => round(x)), pairs.map(([, y]) => round(y))];
    const want = av.map((x, i) => mlxFloorDivide(x, bv[i]!, dtype));
    // the oracle pinned: the rounded quotient floors to 10 (NumPy's 1 // 0.1 is 9); 1 // 0.2000732421875 is 5 in float16, 4 in float32
    expect(want.slice(0, 4)).toEqual([10, -10, -10, 10]);
    if (dtype === mx.float16) expect([want[5], mlxFloorDivide(1, bv[5]!, mx.float32)]).toEqual([5, 4]);
    const [a, b] = [mx.array(av, dtype, o), mx.array(bv, dtype, o)];
    const q = mx.floorDivide(a, b, o);
    expect(q.dtype).toBe(dtype);
    expectSameValues((await q.tolist()) as number[], want, `floorDivide ${dtype.name} of ${pairs.map((p) => p.join(" // ")).join(", ")}`);
    // divmod: one primitive for floats too, its quotient the same, its remainder remainder's (Python's %, on the exact fmod)
    const [dq, dr] = mx.divmod(a, b, o);
    expect(dq.siblings).toEqual([dq, dr]);
    expect(dq.primitive?.name).toBe("divmod");
    expectSameValues((await dq.tolist()) as number[], want, `divmod's quotient ${dtype.name}`);
    expectSameValues((await dr.tolist()) as number[], (await mx.remainder(a, b, o).tolist()) as number[], `divmod's remainder ${dtype.name}`);
    // compiled: the node fused with its neighbours (each backend's fuse capability) gives the same; the neighbours are
    // negations, bit operations that keep subnormal operands (an arithmetic one, x * 1, may flush them: the H100 did)
    const fused = mx.compile((x: mx.MxArray, y: mx.MxArray) => mx.negative(mx.floorDivide(mx.negative(x, o), mx.negative(y, o), o), o));
    expectSameValues((await fused(a, b).tolist()) as number[], want.map((v) => -v), `compiled ${dtype.name}`);
  });

  it("runs the float floorDivide and divmod nodes of an imported function file (the nodes earlier versions wrote) as MLX's", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "mx-floordiv-")), "f.mlxfn");
    // the nodes given this device, which the file records (cpu and metal share memory: the cpu would take unplaced ones)
    const f = (x: mx.MxArray, y: mx.MxArray) => [mx.floorDivide(x, y, o), ...mx.divmod(x, y, o)];
    await mx.exportFunction(file, f, mx.zeros([4], mx.float32, o), mx.zeros([4], mx.float32, o));
    const nodes = functionFile(file).header().traces[0]!.nodes;
    expect(nodes.map((n) => [n.primitive.class, n.primitive.fields.name, n.outputs.map((x) => x.dtype).join()]).sort()).toEqual([
      ["divmod.DivMod", "divmod", "float32,float32"],
      ["elementwise.Binary", "floorDivide", "float32"],
    ]);
    const [x, y] = [mx.array([1, -1, 0.5, -0], mx.float32, o), mx.array([0.1, 0.1, 0.1, 3], mx.float32, o)];
    const [q, dq, dr] = mx.importFunction(file)(x, y);
    expect([q!, dq!].map((t) => t.stream.device.equals(device))).toEqual([true, true]);
    expectSameValues((await q!.tolist()) as number[], [10, -10, 5, -0], "imported floorDivide");
    expectSameValues((await dq!.tolist()) as number[], [10, -10, 5, -0], "imported divmod's quotient");
    expectSameValues((await dr!.tolist()) as number[], (await mx.remainder(x, y, o).tolist()) as number[], "imported divmod's remainder");
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
    // the cpu rounds the float64 quotient to the dtype, the GPUs the correctly rounded float32 one: the same value, as
    // rounding a quotient twice is innocuous where the wider format has at least 2p + 2 bits (float32's 24 = 2 * 11 + 2)
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
