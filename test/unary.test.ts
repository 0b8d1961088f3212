// Unary ops on every backend: float ops against float64 math rounded once to
// the dtype (on random values incl. NaN, +-inf, -0, subnormals, and on
// non-contiguous inputs), known values for erf/erfinv, integer and bool cases.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectArray, expectClose } from "./helpers/backends.js";
import { roundTo } from "../conformance/numerics.js";
import { contract, covered, holds, meets } from "../conformance/contracts.js";

const F64: Record<string, (x: number) => number> = {
  abs: Math.abs, negative: (x) => -x, sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
  floor: Math.floor, ceil: Math.ceil, square: (x) => x * x, sqrt: Math.sqrt, rsqrt: (x) => 1 / Math.sqrt(x),
  reciprocal: (x) => 1 / x, exp: Math.exp, expm1: Math.expm1, log: Math.log, log2: Math.log2, log10: Math.log10,
  log1p: Math.log1p, sin: Math.sin, cos: Math.cos, tan: Math.tan, arcsin: Math.asin, arccos: Math.acos,
  arctan: Math.atan, sinh: Math.sinh, cosh: Math.cosh, tanh: Math.tanh, arcsinh: Math.asinh,
  arccosh: Math.acosh, arctanh: Math.atanh, stopGradient: (x) => x,
  round: (x) => { const r = Math.round(x); return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r; },
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
};

const FLOATS = [mx.float32, mx.float16, mx.bfloat16, mx.float64];
const special = fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-310, 0.5, -2.5, 65504, 1e30);
const values = fc.array(fc.oneof(fc.double(), fc.double({ min: -10, max: 10 }), special), { minLength: 1, maxLength: 24 });

type UnaryFn = (x: mx.MxArray, o?: mx.OpOptions) => mx.MxArray;
const op = (name: string) => (mx as unknown as Record<string, UnaryFn>)[name]!;

describe.each(BACKENDS)("unary float ops on $name", ({ device }) => {
  const o = { stream: device };
  const cpu = { stream: mx.cpu };
  for (const name of Object.keys(F64)) {
    const c = contract(device, name);
    const what = c.dtypeUlps === 0 || (c.ulps === 0 && c.abs === 0) ? "correctly rounded" : c.dtypeUlps ? "within 1 ulp (float64: 4)" : `within ${c.ulps} float32 ulp + ${c.abs} on [${c.domain.join(", ")}]`;
    it(`${name} matches float64 math (${what})`, async () => {
      const dtypes = FLOATS.filter((d) => holds(device, d));
      await fc.assert(
        fc.asyncProperty(values, fc.constantFrom(...dtypes), async (vals, dtype) => {
          const x = mx.array(vals, dtype, cpu);
          const xs = ((await x.astype(mx.float64, cpu).tolist()) as number[]).filter((v) => covered(c, v));
          if (!xs.length) return;
          const got = (await op(name)(mx.array(xs, dtype, o), o).tolist()) as number[];
          const want = xs.map(F64[name]!);
          const rounded = roundTo(want, dtype);
          got.forEach((g, i) => {
            if (!meets(c, g, want[i]!, rounded[i]!, dtype)) throw new Error(`${name}(${xs[i]}) ${dtype.name} on ${device.backend}: got ${g}, float64 ${want[i]}, rounded ${rounded[i]}`);
          });
        }),
        { numRuns: 40 },
      );
    });
  }

  it("log1p is NaN below -1, -inf included; expm1 and log1p keep their other ends (C99 F.9.3)", async () => {
    for (const d of [mx.float32, mx.float16, mx.bfloat16].filter((t) => holds(device, t))) {
      await expectArray(mx.log1p(mx.array([-Infinity, -2, -1, Infinity, -0], d, o), o), [NaN, NaN, -Infinity, Infinity, -0]);
      await expectArray(mx.expm1(mx.array([-Infinity, Infinity, -0], d, o), o), [-1, Infinity, -0]);
    }
  });

  it("works on non-contiguous inputs (transposed, strided, broadcast)", async () => {
    const base = mx.reshape(mx.arange(12, { dtype: mx.float32, ...o }), [3, 4], o);
    await expectArray(mx.square(base.T, o), [[0, 16, 64], [1, 25, 81], [4, 36, 100], [9, 49, 121]]);
    await expectArray(mx.negative(mx.slice(base, [0, 3], [3, null], [2, -2], o), o), [[-3, -1], [-11, -9]]);
    await expectArray(mx.abs(mx.broadcastTo(mx.array([-1, 2], mx.float32, o), [2, 2], o), o), [[1, 2], [1, 2]]);
  });

  it("erf and erfinv match high-precision values", async () => {
    const xs = [0, 0.5, 1, 2, 3, 4.5, -1.5, 1e-8];
    const erf = [0, 0.5204998778130465, 0.8427007929497149, 0.9953222650189527, 0.9999779095030014, 0.9999999998033839, -0.9661051464753108, 1.1283791670955126e-8];
    if (holds(device, mx.float64)) await expectClose(mx.erf(mx.array(xs, mx.float64, o), o), erf, 1e-14, 1e-300);
    // float32: rounded once on the reference; WebGPU's float32 series is held to 1e-6 absolute
    await expectClose(mx.erf(mx.array(xs, mx.float32, o), o), erf, device.backend === "cpu" ? 6e-8 : 0, device.backend === "cpu" ? 0 : 1e-6);
    const ys = [0, 0.5, -0.9, 0.999, 1 - 1e-12, 1, -1, 1.5];
    // erfinv values: bisection on C's erfc (Python math.erfc) for the float64 inputs
    const erfinv = [0, 0.47693627620446977, -1.163087153676674, 2.326753765513524, 5.042031898572696, Infinity, -Infinity, NaN];
    if (holds(device, mx.float64)) await expectClose(mx.erfinv(mx.array(ys, mx.float64, o), o), erfinv, 1e-13);
    // float32: the inputs are ys rounded to float32 (0.999 becomes 0.99900001287...), whose erfinv is 2.3267563...
    await expectClose(mx.erfinv(mx.array(ys.slice(0, 4), mx.float32, o), o), [0, 0.47693627620446977, -1.163087153676674, 2.3267563], 1e-5);
  });

  it("lifts integer inputs of float ops to float32", async () => {
    const r = mx.sqrt(mx.array([4, 9], mx.int32, o), o);
    expect(r.dtype).toBe(mx.float32);
    await expectArray(r, [2, 3]);
  });
});

describe.each(BACKENDS)("unary integer and bool ops on $name", ({ device }) => {
  const o = { stream: device };
  it("abs, negative, sign and square wrap like C integers", async () => {
    await expectArray(mx.abs(mx.array([-128, -5, 7], mx.int8, o), o), [-128, 5, 7], mx.int8);
    await expectArray(mx.negative(mx.array([1, 0], mx.uint8, o), o), [255, 0], mx.uint8);
    await expectArray(mx.sign(mx.array([-3, 0, 9], mx.int16, o), o), [-1, 0, 1]);
    await expectArray(mx.square(mx.array([65536, 3], mx.int32, o), o), [0, 9]);
    if (holds(device, mx.int64)) await expectArray(mx.square(mx.array([2n ** 32n + 1n], mx.int64, o), o), [2n ** 33n + 1n]);
    await expectArray(mx.floor(mx.array([3, -4], mx.int32, o), o), [3, -4], mx.int32);
  });

  it("bitwiseInvert, logicalNot and the predicates", async () => {
    await expectArray(mx.bitwiseInvert(mx.array([0, 5], mx.uint8, o), o), [255, 250]);
    await expectArray(mx.bitwiseInvert(mx.array([0, -1], mx.int32, o), o), [-1, 0]);
    await expectArray(mx.bitwiseInvert(mx.array([true, false], mx.bool, o), o), [false, true]);
    await expectArray(mx.logicalNot(mx.array([0, 2, NaN], mx.float32, o), o), [true, false, false]);
    const f = mx.array([NaN, Infinity, -Infinity, 1], mx.float16, o);
    await expectArray(mx.isnan(f, o), [true, false, false, false]);
    await expectArray(mx.isinf(f, o), [false, true, true, false]);
    await expectArray(mx.isfinite(f, o), [false, false, false, true]);
    await expectArray(mx.isnan(mx.array([1, 2], mx.int32, o), o), [false, false]);
    expect(() => mx.bitwiseInvert(mx.array([1.5], mx.float32, o), o)).toThrow(/\[bitwiseInvert\] requires bool or integer inputs, got float32/);
    expect(() => mx.negative(mx.array([true], mx.bool, o), o)).toThrow(/\[negative\] not supported for bool/);
  });
});

describe("complex64 unary ops (cpu)", () => {
  it("computes in float64 pairs", async () => {
    const z = mx.array([{ re: 3, im: 4 }, { re: -1, im: 0 }]);
    await expectArray(mx.abs(z), [5, 1], mx.float32);
    await expectArray(mx.sqrt(z), [{ re: 2, im: 1 }, { re: 0, im: 1 }]);
    await expectArray(mx.square(z), [{ re: -7, im: 24 }, { re: 1, im: -0 }]);
    expect(() => mx.floor(z)).toThrow(/\[floor\] complex64 is not supported/);
  });
});
