// Binary ops on every backend: integer ops against exact BigInt arithmetic
// wrapped to the dtype, float ops against float64 math rounded once,
// NumPy's floor division / remainder / NaN rules, and broadcasting up to 6-D.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectSameValues, expectArray, values } from "./helpers/backends.js";
import { roundTo } from "../conformance/numerics.js";
import { contract, covered, holds, meets } from "../conformance/contracts.js";
import { fullProfile, sized } from "./helpers/profile.js";

type BinFn = (a: mx.ArrayLike, b: mx.ArrayLike, o?: mx.OpOptions) => mx.MxArray;
const op = (name: string) => (mx as unknown as Record<string, BinFn>)[name]!;

const INTS = [mx.int8, mx.uint8, mx.int16, mx.uint16, mx.int32, mx.uint32, mx.int64, mx.uint64];

/**
 * The GPUs' integer dtypes for the op at index i of INT_REF in the default
 * profile (each (op, dtype) a kernel to compile): one of each width, the
 * signedness alternating over widths and ops, so each op meets every width
 * and both signednesses and each dtype about half the ops.
 */
const gpuInts = (i: number): mx.DType[] => [0, 1, 2].map((w) => INTS[2 * w + ((i + w) % 2)]!);

const pyDiv = (a: bigint, b: bigint) => (b === 0n ? 0n : a / b - ((a % b !== 0n) && ((a < 0n) !== (b < 0n)) ? 1n : 0n));
const INT_REF: Record<string, (a: bigint, b: bigint, bits: bigint) => bigint | boolean> = {
  add: (a, b) => a + b,
  subtract: (a, b) => a - b,
  multiply: (a, b) => a * b,
  floorDivide: pyDiv,
  remainder: (a, b) => (b === 0n ? 0n : a - pyDiv(a, b) * b),
  maximum: (a, b) => (a >= b ? a : b),
  minimum: (a, b) => (a <= b ? a : b),
  bitwiseAnd: (a, b) => a & b,
  bitwiseOr: (a, b) => a | b,
  bitwiseXor: (a, b) => a ^ b,
  leftShift: (a, b, bits) => (b < 0n || b >= bits ? 0n : a << b),
  rightShift: (a, b, bits) => (b < 0n || b >= bits ? (a < 0n ? -1n : 0n) : a >> b),
  power: (a, b) => (b < 0n ? 0n : a ** b), // MLX: every negative integer exponent gives 0
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
  less: (a, b) => a < b,
  lessEqual: (a, b) => a <= b,
  greater: (a, b) => a > b,
  greaterEqual: (a, b) => a >= b,
};

function intArb(d: mx.DType, small = false) {
  const bits = BigInt(d.size * 8);
  if (small) return fc.bigInt({ min: d.kind === "uint" ? 0n : -3n, max: bits + 2n });
  return d.kind === "uint" ? fc.bigInt({ min: 0n, max: 2n ** bits - 1n }) : fc.bigInt({ min: -(2n ** (bits - 1n)), max: 2n ** (bits - 1n) - 1n });
}

describe.each(BACKENDS)("integer binary ops on $name", ({ device }) => {
  const o = { stream: device };
  Object.keys(INT_REF).forEach((name, i) => {
    it(`${name} wraps like exact integer arithmetic`, async () => {
      const dtypes = device.backend === "cpu" ? INTS : sized(gpuInts(i), INTS.filter((d) => d.size < 8));
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...dtypes).chain((d) => {
            const rhsSmall = name === "leftShift" || name === "rightShift" || name === "power";
            return fc.tuple(fc.constant(d), fc.array(fc.tuple(intArb(d), intArb(d, rhsSmall)), { minLength: 1, maxLength: 16 }));
          }),
          async ([d, pairs]) => {
            const big = d.size === 8;
            const conv = (v: bigint) => (big ? v : Number(v));
            const a = mx.array(pairs.map((p) => conv(p[0])), d, o);
            const b = mx.array(pairs.map((p) => conv(p[1])), d, o);
            const bits = BigInt(d.size * 8);
            const wrap = (r: bigint) => (d.kind === "uint" ? BigInt.asUintN(Number(bits), r) : BigInt.asIntN(Number(bits), r));
            const want = pairs.map(([x, y]) => {
              const r = INT_REF[name]!(x, y, bits);
              return typeof r === "boolean" ? r : conv(wrap(r));
            });
            expectSameValues((await op(name)(a, b, o).tolist()) as unknown[], want, `${name} ${d.name} ${pairs.join(" ")}`);
          },
        ),
        { numRuns: 60 },
      );
    });
  });

  it("division and remainder by zero give 0 for integers", async () => {
    await expectArray(mx.floorDivide(mx.array([7, -7], mx.int32, o), 0, o), [0, 0]);
    await expectArray(mx.remainder(mx.array([7, -7], mx.int32, o), 0, o), [0, 0]);
  });
});

const FLOAT_REF: Record<string, (a: number, b: number) => number | boolean> = {
  add: (a, b) => a + b,
  subtract: (a, b) => a - b,
  multiply: (a, b) => a * b,
  divide: (a, b) => a / b,
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a >= b ? a : b),
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a <= b ? a : b),
  arctan2: Math.atan2,
  logaddexp: (a, b) => {
    const m = Math.max(a, b);
    return Number.isNaN(m) ? NaN : Math.abs(m) === Infinity ? (a === b || m > 0 ? m : Math.max(a, b)) : m + Math.log1p(Math.exp(-Math.abs(a - b)));
  },
  power: (a, b) => (a === 1 ? 1 : Math.pow(a, b)),
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
  less: (a, b) => a < b,
  lessEqual: (a, b) => a <= b,
  greater: (a, b) => a > b,
  greaterEqual: (a, b) => a >= b,
  logicalAnd: (a, b) => a !== 0 && b !== 0,
  logicalOr: (a, b) => a !== 0 || b !== 0,
};
const FLOATS = [mx.float32, mx.float16, mx.bfloat16, mx.float64];
/** The GPUs' float dtypes for the op at index k of FLOAT_REF in the default profile: float32 and a 16-bit float, float16 and bfloat16 taking turns. */
const gpuFloats = (k: number): mx.DType[] => [mx.float32, k % 2 ? mx.bfloat16 : mx.float16];
const fval = fc.oneof(fc.double(), fc.double({ min: -4, max: 4 }), fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 1, 2, 0.5));

describe.each(BACKENDS)("float binary ops on $name", ({ device }) => {
  const o = { stream: device };
  const cpu = { stream: mx.cpu };
  Object.keys(FLOAT_REF).forEach((name, k) => {
    const c = contract(device, name);
    const dtypes = FLOATS.filter((d) => holds(device, d) && (device.backend === "cpu" || fullProfile || gpuFloats(k).includes(d)));
    it(`${name} matches float64 math (${c.dtypeUlps === 0 || (c.ulps === 0 && c.abs === 0) ? "correctly rounded" : "within its contract"})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...dtypes), fc.array(fc.tuple(fval, fval), { minLength: 1, maxLength: 16 }), async (d, pairs) => {
          const rounded2 = (vals: number[]) => mx.array(vals, d, cpu).astype(mx.float64, cpu).tolist() as Promise<number[]>;
          const av0 = await rounded2(pairs.map((p) => p[0])), bv0 = await rounded2(pairs.map((p) => p[1]));
          const keep = av0.map((x, i) => covered(c, x) && covered(c, bv0[i]!));
          const av = av0.filter((_, i) => keep[i]), bv = bv0.filter((_, i) => keep[i]);
          if (!av.length) return;
          const out = op(name)(mx.array(av, d, o), mx.array(bv, d, o), o);
          const raw = av.map((x, i) => FLOAT_REF[name]!(x, bv[i]!));
          if (out.dtype === mx.bool) return expectSameValues((await out.tolist()) as unknown[], raw, `${name} ${d.name}`);
          const got = (await out.tolist()) as number[];
          const want = raw as number[];
          const rounded = roundTo(want, d);
          got.forEach((g, i) => {
            // maximum/minimum of -0 and +0 may return either zero
            if ((name === "maximum" || name === "minimum") && g === 0 && rounded[i] === 0) return;
            if (!meets(c, g, want[i]!, rounded[i]!, d)) throw new Error(`${name}(${av[i]}, ${bv[i]}) ${d.name} on ${device.backend}: got ${g}, float64 ${want[i]}, rounded ${rounded[i]}`);
          });
        }),
        { numRuns: 40 },
      );
    });
  });

  it.skipIf(!holds(device, mx.float64))("float floorDivide is MLX's floor(divide(a, b)); remainder follows Python", async () => {
    const a = mx.array([1, -7, 7, 7.5, -0.0, 5], mx.float64, o), b = mx.array([0.1, 2, -2, 0, 3, Infinity], mx.float64, o);
    await expectArray(mx.floorDivide(a, b, o), [10, -4, -4, Infinity, -0, 0]);
    await expectArray(mx.remainder(a, b, o), [0.09999999999999995, 1, -1, NaN, 0, 5]);
    await expectArray(mx.remainder(mx.array([-1], mx.float32, o), mx.array([3], mx.float32, o), o), [2]);
  });

  // NaN and infinities are outside the WGSL accuracy contract: the rule is the reference's
  it("power keeps C's special cases", async () => {
    await expectArray(mx.power(mx.array([1, -1, NaN, 2], mx.float32, o), mx.array([NaN, Infinity, 0, -1], mx.float32, o), o), [1, 1, 1, 0.5]);
    // C99 F.9.4.4: a -inf base is +inf's power (negated for an odd integer exponent), never NaN; a finite negative one is NaN for a non-integer exponent
    const ys = [0.5, -0.5, 2.5, -2.5, 3, -3, 2, -2, 2 ** -20, Infinity, -Infinity];
    for (const d of [mx.float32, mx.float16, mx.bfloat16].filter((t) => holds(device, t))) {
      await expectArray(mx.power(mx.full([ys.length], -Infinity, d, o), mx.array(ys, d, o), o), [Infinity, 0, Infinity, 0, -Infinity, -0, Infinity, 0, Infinity, Infinity, 0]);
      await expectArray(mx.power(mx.full([2], -2, d, o), mx.array([0.5, -2.5], d, o), o), [NaN, NaN]);
    }
  });
});

describe.each(BACKENDS)("broadcasting on $name", ({ device }) => {
  const o = { stream: device };
  it("broadcasts like NumPy up to 6 dimensions", async () => {
    const dims = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(dims, fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), fc.integer({ min: 0, max: 6 }), async (shape, ones, drop) => {
        const sa = shape.map((d, i) => (ones[i] ? 1 : d));
        const sb = shape.slice(Math.min(drop, shape.length));
        const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
        const a = mx.reshape(mx.arange(size(sa), { dtype: mx.float32, ...o }), sa, o);
        const b = mx.reshape(mx.multiply(mx.arange(size(sb), { dtype: mx.float32, ...o }), 100, o), sb, o);
        const out = mx.add(a, b, o);
        const outShape = shape.map((d, i) => (sa[i] !== 1 || i >= shape.length - sb.length ? d : 1));
        expect([...out.shape]).toEqual(outShape);
        const got = await values(out);
        // reference: index arithmetic per element
        const strides = (s: number[]) => s.map((_, i) => size(s.slice(i + 1)));
        const [stA, stB] = [strides(sa), strides(sb)];
        const want = Array.from({ length: size(outShape) }, (_, flat) => {
          let rem = flat, ia = 0, ib = 0;
          outShape.forEach((_d, i) => {
            const idx = Math.floor(rem / size(outShape.slice(i + 1)));
            rem -= idx * size(outShape.slice(i + 1));
            if (sa[i] !== 1) ia += idx * stA[i]!;
            const j = i - (shape.length - sb.length);
            if (j >= 0 && sb[j] !== 1) ib += idx * stB[j]!;
          });
          return ia + 100 * ib;
        });
        expect(got).toEqual(want);
      }),
      { numRuns: 80 },
    );
  });

  it("over two merged dims (a row's statistic, a bias, a transposed or flipped view) gives the cpu's values for 8-, 16- and 32-bit words", async () => {
    // widths that split words (odd, 3 mod 4), a width of one word; views whose two dims do not merge; past an
    // invocation's first word (each of its eight words starts at its own row and column, narrower and wider than their step)
    // dtypes by elements a word: in the default profile each runs some of the cases (each case a kernel to compile), so
    // every case still meets every word width
    const widths = [[mx.float32, mx.int32], [mx.float16, mx.bfloat16, mx.uint16], [mx.int8]];
    for (const [rows, cols] of [[5, 7], [9, 3], [4, 2], [3, 33], [37, 211], [300, 7]] as const) {
      for (const dtype of [mx.float32, mx.float16, mx.bfloat16, mx.int8, mx.uint16, mx.int32]) {
        const peers = widths.find((w) => w.includes(dtype))!;
        const runs = (i: number) => fullProfile || i % peers.length === peers.indexOf(dtype);
        const base = (seed: number, shape: number[], stream: mx.Device) => {
          const n = shape.reduce((p, d) => p * d, 1);
          return mx.reshape(mx.array(Array.from({ length: n }, (_, i) => ((i * 7 + seed * 13) % 23) - 11), dtype, { stream }), shape, { stream });
        };
        const cases = (stream: mx.Device) => {
          const so = { stream };
          const x = base(1, [rows, cols], stream);
          const xt = mx.transpose(base(2, [cols, rows], stream), undefined, so);
          const flipped = mx.slice(base(3, [rows, cols], stream), [rows - 1, 0], [-rows - 1, cols], [-1, 1], so);
          const col = base(4, [rows, 1], stream), row = base(5, [cols], stream);
          return [
            mx.subtract(x, col, so),
            mx.add(x, row, so),
            mx.multiply(xt, col, so),
            mx.maximum(flipped, row, so),
            mx.where(mx.greater(x, 0, so), xt, col, so),
            // mixed dtypes: a float32 row statistic against a narrower matrix
            mx.subtract(x, mx.astype(col, mx.float32, so), so),
          ];
        };
        const [got, want] = [cases(device), cases(mx.cpu)];
        for (let i = 0; i < got.length; i++) if (runs(i)) expect(await values(got[i]!), `${dtype.name} [${rows}, ${cols}] case ${i}`).toEqual(await values(want[i]!));
        // a function with a slow path for rare arguments (sin of |x| >= 200, every other element here) over a transposed view:
        // the bits of the same function over a contiguous copy
        if (dtype.kind !== "float") continue;
        const so = { stream: device };
        const big = mx.transpose(mx.multiply(base(6, [cols, rows], device), mx.array(dtype === mx.float16 ? 40 : 300, dtype, so), so), undefined, so);
        expect(await values(mx.sin(big, so)), `sin ${dtype.name} [${rows}, ${cols}]`).toEqual(await values(mx.sin(mx.contiguous(big, false, so), so)));
      }
    }
  });

  it("names the op and shapes when shapes do not broadcast", () => {
    expect(() => mx.add(mx.zeros([2, 3], undefined, o), mx.zeros([4], undefined, o), o)).toThrow(/\[add\] shapes \(2, 3\) and \(4,\) cannot be broadcast together/);
  });
});
