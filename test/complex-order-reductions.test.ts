// max, min, argmax, argmin, cummax and cummin of complex64 on every backend:
// bit for bit the fold of maximum / minimum along the axis (real part, then
// imaginary; NaN in either part spreads), their edge cases, gradients, and
// the cpu reference against NumPy's maximum.reduce / accumulate and argmax.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";
import { itWithNumpy, runPython } from "./helpers/numpy.js";

type Z = { re: number; im: number };
type S = { stream: mx.Device };
const cpu: S = { stream: mx.cpu };
const c = (re: number, im: number): Z => ({ re, im });
const NEG_ZERO = 0x80000000;

/** The float32 words of complex64 `x`, row-major: real, imaginary, real, ... */
async function wordsOf(x: mx.MxArray): Promise<number[]> {
  return (await mx.view(mx.reshape(x, [-1], cpu), mx.uint32, cpu).tolist()) as number[];
}

/** The usual parts of drawn values, and a palette of zeros and ones that makes equal elements with zeros of other signs common. */
const PARTS = [-2, -1, -0.5, 0.5, 1, 2, 0, -0];
const ZEROS = [0, -0, 0, -0, 1, -1];

/**
 * Deterministic complex values whose parts come from a few (`palette`): ties of the real part and of whole elements,
 * zeros of both signs, then now and then infinities, subnormals, and NaN in one element of 10 or so; with
 * `imaginaryNaN` false a NaN imaginary part comes with a NaN real part (mx.maximum(x, y) keeps x where only y's
 * imaginary part is NaN and x's real part is larger, and mx.minimum where it is smaller: there max, min and the
 * scans keep the NaN, as NumPy, and no fold of them does).
 */
function drawn(n: number, seed: number, imaginaryNaN = true, palette = PARTS): Z[] {
  const rare = [Infinity, -Infinity, 1e-45, -1e-45];
  let s = seed;
  const r = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const part = () => {
    const u = r();
    return u < 0.05 ? NaN : u < 0.15 ? rare[Math.floor(r() * rare.length)]! : palette[Math.floor(r() * palette.length)]!;
  };
  return Array.from({ length: n }, () => {
    const re = part(), im = part();
    return c(Number.isNaN(im) && !imaginaryNaN ? NaN : re, im);
  });
}

const carr = (zs: readonly Z[], shape: readonly number[], o: S) => mx.reshape(mx.array([...zs], mx.complex64, o), shape, o);

type Fold = "maximum" | "minimum";
const FOLD: Record<"max" | "min", Fold> = { max: "maximum", min: "minimum" };

/** acc = fold(acc, x_i) over `axis` of `x` from its first element, with mx.maximum / mx.minimum on the cpu. */
function foldAlong(x: mx.MxArray, axis: number, fold: Fold): mx.MxArray {
  let acc = mx.take(x, 0, axis, cpu);
  for (let i = 1; i < x.shape[axis]!; i++) acc = mx[fold](acc, mx.take(x, i, axis, cpu), cpu);
  return acc;
}

/** The fold over `axes` (sorted; all when null) in row-major order of the reduced elements, with `keepdims`. */
function foldAxes(x: mx.MxArray, axes: readonly number[] | null, keepdims: boolean, fold: Fold): mx.MxArray {
  const reduced = axes ?? [...x.shape.keys()];
  const kept = [...x.shape.keys()].filter((i) => !reduced.includes(i));
  const moved = mx.reshape(mx.transpose(x, [...kept, ...reduced], cpu), [...kept.map((i) => x.shape[i]!), -1], cpu);
  const out = foldAlong(moved, kept.length, fold);
  return keepdims ? mx.reshape(out, x.shape.map((d, i) => (reduced.includes(i) ? 1 : d)), cpu) : out;
}

/** The running fold along `axis` in scan order (`reverse`), inclusive or starting from `start` (exclusive), with mx.maximum / mx.minimum on the cpu. */
function runningFold(x: mx.MxArray, axis: number, fold: Fold, reverse: boolean, inclusive: boolean, start: Z): mx.MxArray {
  const n = x.shape[axis]!;
  const order = Array.from({ length: n }, (_, i) => (reverse ? n - 1 - i : i));
  const outs: mx.MxArray[] = [];
  let acc: mx.MxArray | undefined;
  for (const i of order) {
    const xi = mx.take(x, i, axis, cpu);
    if (!inclusive) outs.push(acc ?? mx.broadcastTo(mx.array(start, mx.complex64, cpu), xi.shape, cpu));
    acc = acc === undefined ? xi : mx[fold](acc, xi, cpu);
    if (inclusive) outs.push(acc);
  }
  return mx.stack(reverse ? outs.reverse() : outs, axis, cpu);
}

const LOWEST = c(-Infinity, -Infinity), HIGHEST = c(Infinity, Infinity);

/** Shapes and the axes reduced over (null: all). */
const REDUCTIONS: [number[], number[] | null][] = [
  [[9], [0]],
  [[9], null],
  [[3, 5], [1]],
  [[3, 5], [0]],
  [[2, 3, 4], [0, 2]],
  [[2, 3, 4], null],
  [[2, 3, 4], []],
];

describe.each(BACKENDS)("complex64 max, min, argmax, argmin, cummax and cummin on $name", ({ device }) => {
  const o: S = { stream: device };

  it("max and min are the fold of maximum and minimum over the axes, bit for bit (NaN, zeros' signs and ties included)", async () => {
    for (const [k, [shape, axes]] of REDUCTIONS.entries()) {
      for (const palette of [PARTS, ZEROS]) {
        const zs = drawn(shape.reduce((a, b) => a * b, 1), 7 + k, false, palette);
        for (const [op, keepdims] of [["max", false], ["max", true], ["min", false], ["min", true]] as const) {
          const got = mx[op](carr(zs, shape, o), { axis: axes, keepdims, ...o });
          const want = foldAxes(carr(zs, shape, cpu), axes === null ? null : [...axes].sort(), keepdims, FOLD[op]);
          const label = `${op} of shape ${shape} over ${axes}, keepdims ${keepdims}, parts ${palette}`;
          expect([got.shape, got.dtype], label).toEqual([want.shape, mx.complex64]);
          expect(await wordsOf(got), label).toEqual(await wordsOf(want));
        }
      }
    }
  });

  it("cummax and cummin are the running fold, forward or reversed, inclusive or exclusive (from -inf - inf i, inf + inf i)", async () => {
    const flags = [false, true].flatMap((reverse) => [true, false].map((inclusive) => ({ reverse, inclusive })));
    for (const [k, [shape, axis]] of ([[[11], 0], [[3, 6], 1], [[4, 3], 0], [[2, 3, 4], 1]] as const).entries()) {
      for (const palette of [PARTS, ZEROS]) {
        const zs = drawn(shape.reduce((a, b) => a * b, 1), 31 + k, false, palette);
        for (const op of ["cummax", "cummin"] as const) {
          for (const { reverse, inclusive } of flags) {
            const got = mx[op](carr(zs, shape, o), { axis, reverse, inclusive, ...o });
            const want = runningFold(carr(zs, shape, cpu), axis, op === "cummax" ? "maximum" : "minimum", reverse, inclusive, op === "cummax" ? LOWEST : HIGHEST);
            expect(await wordsOf(got), `${op} of shape ${shape} along ${axis}, reverse ${reverse}, inclusive ${inclusive}, parts ${palette}`).toEqual(await wordsOf(want));
          }
        }
      }
    }
  });

  it("order by the real part, then the imaginary part", async () => {
    const x = mx.array([c(1, 2), c(1, 5), c(-3, 9), c(1, -3), c(0.5, 100)], mx.complex64, o);
    expect(await mx.max(x, o).item()).toEqual(c(1, 5));
    expect(await mx.min(x, o).item()).toEqual(c(-3, 9));
    expect(await mx.argmax(x, o).item()).toBe(1);
    expect(await mx.argmin(x, o).item()).toBe(2);
    expect(await mx.cummax(x, o).tolist()).toEqual([c(1, 2), c(1, 5), c(1, 5), c(1, 5), c(1, 5)]);
    expect(await mx.cummin(x, o).tolist()).toEqual([c(1, 2), c(1, 2), c(-3, 9), c(-3, 9), c(-3, 9)]);
    // infinite parts order as the largest and smallest floats
    const inf = mx.array([c(Infinity, 0), c(Infinity, 1), c(-Infinity, -Infinity), c(3e38, Infinity)], mx.complex64, o);
    expect(await mx.max(inf, o).item()).toEqual(c(Infinity, 1));
    expect(await mx.min(inf, o).item()).toEqual(c(-Infinity, -Infinity));
    // subnormal parts keep their order and bits (no flush)
    const least = 2 ** -149;
    const tiny = mx.array([c(least, 0), c(0, 0), c(-least, 0), c(0, least)], mx.complex64, o);
    expect(await mx.max(tiny, o).item()).toEqual(c(least, 0));
    expect(await mx.min(tiny, o).item()).toEqual(c(-least, 0));
    expect(await mx.argmax(mx.array([c(0, 0), c(0, least)], mx.complex64, o), o).item()).toBe(1);
  });

  it("NaN in either part wins, wherever it is: the first such element, bits and all", async () => {
    const rows: [Z[], number][] = [
      [[c(NaN, 1), c(5, 5), c(2, NaN)], 0],
      [[c(5, 5), c(2, NaN), c(NaN, 1), c(9, 9)], 1],
      [[c(5, 5), c(9, 9), c(-1, 0), c(3, NaN)], 3],
    ];
    for (const [zs, first] of rows) {
      const x = mx.array(zs, mx.complex64, o);
      for (const op of ["max", "min"] as const) expect(await wordsOf(mx[op](x, o)), `${op} of ${JSON.stringify(zs)}`).toEqual(await wordsOf(mx.array(zs[first]!, mx.complex64, cpu)));
      for (const op of ["argmax", "argmin"] as const) expect(await mx[op](x, o).item(), op).toBe(first);
      // the running extremes hold the first NaN from where it is on, the elements before it as without one
      const run = (await mx.cummax(x, o).tolist()) as Z[];
      run.forEach((z, i) => (i >= first ? expect(z, `cummax ${i}`).toEqual(zs[first]) : expect(Number.isNaN(z.re) || Number.isNaN(z.im), `cummax ${i}`).toBe(false)));
    }
    // scanned from the end, the first NaN in scan order is the last one
    const x = mx.array([c(NaN, 1), c(0, 0), c(2, NaN), c(1, 1)], mx.complex64, o);
    expect(await mx.cummin(x, { reverse: true, ...o }).tolist()).toEqual([c(2, NaN), c(2, NaN), c(2, NaN), c(1, 1)]);
    expect(await mx.cummin(x, { reverse: true, inclusive: false, ...o }).tolist()).toEqual([c(2, NaN), c(2, NaN), c(1, 1), HIGHEST]);
  });

  it("equal elements whose zeros differ in sign: max and the scans keep the last (as the fold), argmax the first", async () => {
    const x = mx.array([c(0, -0), c(-0, 0), c(-1, 0)], mx.complex64, o);
    expect(await wordsOf(mx.max(x, o))).toEqual([NEG_ZERO, 0]);
    expect(await wordsOf(mx.max(mx.array([c(-0, 0), c(0, -0)], mx.complex64, o), o))).toEqual([0, NEG_ZERO]);
    expect(await wordsOf(mx.cummax(x, o))).toEqual([0, NEG_ZERO, NEG_ZERO, 0, NEG_ZERO, 0]);
    expect(await wordsOf(mx.cummax(x, { reverse: true, ...o }))).toEqual([0, NEG_ZERO, NEG_ZERO, 0, 0xbf800000, 0]);
    expect(await wordsOf(mx.min(mx.array([c(-0, -0), c(0, 0)], mx.complex64, o), o))).toEqual([0, 0]);
    expect(await mx.argmax(x, o).item()).toBe(0);
    expect(await mx.argmin(mx.array([c(1, 1), c(-0, 0), c(0, -0)], mx.complex64, o), o).item()).toBe(1);
  });

  it("keepdims, axes and the flattened array as the real dtypes", async () => {
    const x = carr(drawn(24, 3).map((z) => c(Number.isNaN(z.re) ? 0 : z.re, Number.isNaN(z.im) ? 0 : z.im)), [2, 3, 4], o);
    expect(mx.max(x, { axis: [0, 2], keepdims: true, ...o }).shape).toEqual([1, 3, 1]);
    expect(mx.min(x, 1, o).shape).toEqual([2, 4]);
    expect(mx.max(x, o).shape).toEqual([]);
    expect(mx.argmax(x, { axis: 1, keepdims: true, ...o }).shape).toEqual([2, 1, 4]);
    expect(mx.argmin(x, { keepdims: true, ...o }).shape).toEqual([1, 1, 1]);
    expect(mx.argmax(x, o).dtype).toBe(mx.uint32);
    expect(mx.cummax(x, o).shape).toEqual([24]);
    // argmax without an axis indexes the flattened array
    const flat = (await x.tolist()) as Z[][][];
    const at = (await mx.argmax(x, o).item()) as number;
    expect(flat.flat(2)[at]).toEqual(await mx.max(x, o).item());
    // a 0-d array is its own extreme
    const scalar = mx.array(c(2, -0), mx.complex64, o);
    expect(await wordsOf(mx.max(scalar, o))).toEqual([0x40000000, NEG_ZERO]);
    expect(await mx.argmin(scalar, o).item()).toBe(0);
  });

  it("an empty axis: max, min, argmax and argmin refuse it as for real dtypes; the scans give an empty result", async () => {
    const e = mx.zeros([2, 0], mx.complex64, o);
    for (const op of ["max", "min"] as const) {
      expect(() => mx[op](e, 1, o)).toThrow(/\[(max|min)\] cannot reduce over an empty axis/);
      expect(() => mx[op](mx.zeros([2, 0], mx.float32, o), 1, o)).toThrow(/\[(max|min)\] cannot reduce over an empty axis/);
      // the other axis is not empty: an empty result
      expect(mx[op](e, 0, o).shape).toEqual([0]);
    }
    for (const op of ["argmax", "argmin"] as const) expect(() => mx[op](e, 1, o)).toThrow(/cannot take arg(max|min) of an empty axis/);
    for (const op of ["cummax", "cummin"] as const) {
      const r = mx[op](e, { axis: 1, inclusive: false, ...o });
      expect([r.shape, r.dtype]).toEqual([[2, 0], mx.complex64]);
      expect(await r.tolist()).toEqual([[], []]);
    }
  });

  it("gradients go to the element each result is (MLX differentiates them): vjp, jvp and grad", async () => {
    const x = mx.array([[c(1, 2), c(3, -1), c(3, -1)], [c(0, 0), c(-1, 5), c(-1, 4)]], mx.complex64, o);
    const ct = mx.array([c(1, 10), c(2, 20)], mx.complex64, o);
    const [, [gmax]] = mx.vjp((a: mx.MxArray) => mx.max(a, 1, o), [x], [ct]);
    expect(await gmax!.tolist()).toEqual([[c(0, 0), c(0, 0), c(1, 10)], [c(2, 20), c(0, 0), c(0, 0)]]);
    const [, [gmin]] = mx.vjp((a: mx.MxArray) => mx.min(a, 1, o), [x], [ct]);
    expect(await gmin!.tolist()).toEqual([[c(1, 10), c(0, 0), c(0, 0)], [c(0, 0), c(0, 0), c(2, 20)]]);
    const t = mx.array([[c(1, 0), c(2, 0), c(3, 0)], [c(4, 0), c(5, 0), c(6, 0)]], mx.complex64, o);
    const [, [tmax]] = mx.jvp((a: mx.MxArray) => mx.max(a, 1, o), [x], [t]);
    expect(await tmax!.tolist()).toEqual([c(3, 0), c(4, 0)]);
    // each running output's cotangent goes to the element it holds: the latest of equal ones in scan order
    const ones = mx.onesLike(x, o);
    const [, [gcum]] = mx.vjp((a: mx.MxArray) => mx.cummax(a, { axis: 1, ...o }), [x], [ones]);
    expect(await gcum!.tolist()).toEqual([[c(1, 0), c(1, 0), c(1, 0)], [c(3, 0), c(0, 0), c(0, 0)]]);
    const [, [grev]] = mx.vjp((a: mx.MxArray) => mx.cummin(a, { axis: 1, reverse: true, inclusive: false, ...o }), [x], [ones]);
    expect(await grev!.tolist()).toEqual([[c(0, 0), c(1, 0), c(1, 0)], [c(0, 0), c(0, 0), c(2, 0)]]);
    // grad of a real function: d/dRe + i d/dIm of the element picked
    const g = mx.grad((a: mx.MxArray) => mx.sum(mx.imag(mx.max(a, 1, o), o), o))(x);
    expect(await g.tolist()).toEqual([[c(0, 0), c(0, 0), c(0, 1)], [c(0, 1), c(0, 0), c(0, 0)]]);
  });

  it("runs under vmap and a shapeless compile (replayed on another shape)", async () => {
    const x = carr(drawn(12, 5), [3, 4], o);
    expect(await wordsOf(mx.vmap((a: mx.MxArray) => mx.max(a, o))(x))).toEqual(await wordsOf(mx.max(x, 1, o)));
    const scan = mx.compile((a: mx.MxArray) => mx.cummin(a, { axis: 1, inclusive: false, ...o }), { shapeless: true });
    const wide = carr(drawn(18, 6), [3, 6], o);
    expect(await wordsOf(scan(x))).toEqual(await wordsOf(mx.cummin(x, { axis: 1, inclusive: false, ...o })));
    expect(await wordsOf(scan(wide))).toEqual(await wordsOf(mx.cummin(wide, { axis: 1, inclusive: false, ...o })));
  });
});

/** Float32 words as NumPy would compare them: a zero's sign left out (NumPy keeps the first of equal elements, the fold the last). */
const unsignedZeros = (words: readonly number[]) => words.map((w) => (w === NEG_ZERO ? 0 : w));

describe("complex64 extremes of the cpu reference against NumPy", () => {
  /** NumPy's `expr` over complex64 `x` (given as float32 words of shape `shape`), as float32 words (a complex result) or integers. */
  function numpy(expr: string, words: readonly number[], shape: readonly number[]): number[] {
    const script = `import json, sys, numpy as np
d = json.load(sys.stdin)
x = np.array(d["words"], dtype=np.uint32).view(np.complex64).reshape(d["shape"])
lowest, highest = np.complex64(complex(-np.inf, -np.inf)), np.complex64(complex(np.inf, np.inf))
def scan(u, axis, reverse, inclusive, start):
    y = np.flip(x, axis) if reverse else x
    r = u.accumulate(y, axis=axis)
    if not inclusive:
        r = np.concatenate([np.full_like(np.take(r, [0], axis), start), np.delete(r, -1, axis)], axis)
    return np.flip(r, axis) if reverse else r
r = np.asarray(${expr}).reshape(-1)
print(json.dumps(r.astype(np.complex64).view(np.uint32).tolist() if np.iscomplexobj(r) else r.tolist()))`;
    return runPython<number[]>(script, { words, shape });
  }

  itWithNumpy("max and min are NumPy's maximum.reduce and minimum.reduce (the first NaN, lexicographic order)", async () => {
    for (const [k, [shape, axes]] of REDUCTIONS.entries()) {
      if (axes !== null && axes.length === 0) continue;
      const x = carr(drawn(shape.reduce((a, b) => a * b, 1), 70 + k), shape, cpu);
      const words = await wordsOf(x);
      const axis = axes === null ? "None" : `(${axes.join(", ")},)`;
      for (const op of ["max", "min"] as const) {
        const want = numpy(`np.${op === "max" ? "maximum" : "minimum"}.reduce(x, axis=${axis})`, words, shape);
        expect(unsignedZeros(await wordsOf(mx[op](x, { axis: axes, ...cpu }))), `${op} of shape ${shape} over ${axes}`).toEqual(unsignedZeros(want));
      }
    }
  });

  itWithNumpy("argmax and argmin are NumPy's (the first NaN, else the first extreme)", async () => {
    for (const [k, shape] of [[16], [4, 5]].entries()) {
      const x = carr(drawn(shape.reduce((a, b) => a * b, 1), 90 + k), shape, cpu);
      const words = await wordsOf(x);
      for (const op of ["argmax", "argmin"] as const) {
        for (const axis of [...shape.keys(), null]) {
          const got = (await mx.reshape(mx[op](x, { axis, ...cpu }), [-1], cpu).tolist()) as number[];
          expect(got, `${op} of shape ${shape} along ${axis}`).toEqual(numpy(`np.${op}(x, axis=${axis ?? "None"})`, words, shape));
        }
      }
    }
  });

  itWithNumpy("cummax and cummin are NumPy's maximum.accumulate and minimum.accumulate (NaN spreads), reversed and exclusive as the scans", async () => {
    for (const [k, [shape, axis]] of ([[[13], 0], [[3, 5], 1], [[4, 3], 0]] as const).entries()) {
      const x = carr(drawn(shape.reduce((a, b) => a * b, 1), 110 + k), shape, cpu);
      const words = await wordsOf(x);
      for (const op of ["cummax", "cummin"] as const) {
        for (const reverse of [false, true]) {
          for (const inclusive of [true, false]) {
            const u = op === "cummax" ? "np.maximum, " : "np.minimum, ";
            const want = numpy(`scan(${u}${axis}, ${reverse ? "True" : "False"}, ${inclusive ? "True" : "False"}, ${op === "cummax" ? "lowest" : "highest"})`, words, shape);
            const got = await wordsOf(mx[op](x, { axis, reverse, inclusive, ...cpu }));
            expect(unsignedZeros(got), `${op} of shape ${shape} along ${axis}, reverse ${reverse}, inclusive ${inclusive}`).toEqual(unsignedZeros(want));
          }
        }
      }
    }
  });
});
