// No argument is silently dropped (issue 13 item 5): an argument past an op's
// last parameter is an error naming the op and the position; MLX's positional
// forms take a trailing options object (its stream is honoured) and a dtype
// where MLX has one; moveaxis takes lists of axes; mx.slice(start, stop, step)
// makes an index slice. The table-wide probe is in test/error-inputs.test.ts.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";

const v = () => mx.array([1, 2, 3], mx.float32);
const x = () => mx.zeros([2, 3]);
/** Calls `f` with arguments its signature does not allow. */
const call = (f: unknown, ...args: unknown[]) => (f as (...a: unknown[]) => unknown)(...args);

describe("extra arguments", () => {
  it("refuses an argument past the last parameter, naming the op and the position", () => {
    expect(() => call(mx.stack, [v()], 0, {}, 9)).toThrow("[stack] takes at most 3 arguments; got 4 (the 4th is 9)");
    expect(() => call(mx.exp, v(), {}, 5)).toThrow("[exp] takes at most 2 arguments; got 3 (the 3rd is 5)");
    const cases: [string, () => unknown][] = [
      ["transpose", () => call(mx.transpose, x(), [1, 0], {}, 9)],
      ["sort", () => call(mx.sort, v(), 0, {}, 9)],
      ["clip", () => call(mx.clip, v(), 1, 2, {}, 9)],
      ["roll", () => call(mx.roll, v(), 1, 0, {}, 9)],
      ["take", () => call(mx.take, v(), [0], 0, {}, 9)],
      ["round", () => call(mx.round, v(), 1, {}, 9)],
      ["linspace", () => call(mx.linspace, 0, 1, 3, true, mx.float16, {}, 9)],
      ["concatenate", () => call(mx.concatenate, [v()], 0, {}, 9)],
      ["split", () => call(mx.split, v(), 3, 0, {}, 9)],
      ["flatten", () => call(mx.flatten, v(), 0, 0, {}, 9)],
      ["sum", () => call(mx.sum, v(), 0, true, {}, 9)],
      ["add", () => call(mx.add, v(), v(), {}, 9)],
      ["random.normal", () => call(mx.random.normal, [2], mx.float32, 0, 1, null, {}, 9)],
      ["linalg.inv", () => call(mx.linalg.inv, mx.eye(2), {}, 9)],
      ["fft.fft", () => call(mx.fft.fft, v(), 3, 0, {}, 9)],
      ["fast.rmsNorm", () => call(mx.fast.rmsNorm, v(), null, 1e-5, {}, 9)],
    ];
    for (const [op, f] of cases) expect(f, op).toThrow(new RegExp(`^\\[${op.replace(".", "\\.")}\\] takes at most \\d+ arguments?; got \\d+ \\(the \\d+(st|nd|rd|th) is 9\\)`));
  });

  it("refuses an argument after the options object", () => {
    expect(() => call(mx.round, v(), {}, {})).toThrow(/\[round\] got an options object and a further argument/);
    expect(() => call(mx.flatten, x(), {}, 1)).toThrow(/\[flatten\] got an options object and a further argument/);
    expect(() => call(mx.eye, 2, mx.float16, {}, 3)).toThrow(/\[eye\] got 3 after the options/);
    expect(() => call(mx.pad, v(), 1, { mode: "edge" }, 5)).toThrow(/\[pad\] got an options object and a further argument/);
  });
});

describe.runIf(mx.isAvailable(mx.webgpu))("trailing options after MLX's positional forms", () => {
  const S = { stream: mx.webgpu };
  const onWebgpu = (a: mx.MxArray | mx.MxArray[]) => (Array.isArray(a) ? a : [a]).every((t) => t.stream.device.backend === "webgpu");

  it("runs on the stream given after the positional arguments", async () => {
    const a = v();
    expect(onWebgpu(mx.stack([a, a], 1, S))).toBe(true);
    expect(onWebgpu(mx.concatenate([a, a], 0, S))).toBe(true);
    expect(onWebgpu(mx.split(x(), 3, 1, S))).toBe(true);
    expect(onWebgpu(mx.linspace(0, 1, 3, mx.float16, S))).toBe(true);
    expect(onWebgpu(mx.eye(2, 2, 0, mx.float16, S))).toBe(true);
    expect(onWebgpu(mx.eye(2, mx.float16, S))).toBe(true);
    expect(onWebgpu(mx.round(a, 1, S))).toBe(true);
    const edge = mx.pad(a, 1, "edge", S), constant = mx.pad(a, 1, "constant", 5, S);
    expect(onWebgpu(edge) && onWebgpu(constant)).toBe(true);
    expect(await edge.tolist()).toEqual([1, 1, 2, 3, 3]);
    expect(await constant.tolist()).toEqual([5, 1, 2, 3, 5]);
    // MLX's round(x * 10) * f32(0.1): 13 * f32(0.1) rounds to the float32 above 1.3's nearest
    expect(await mx.round(mx.array([1.26, 2.5]), 1, S).tolist()).toEqual([Math.fround(13 * Math.fround(0.1)), 2.5]);
  });
});

describe("positional dtypes", () => {
  it("takes the dtype where MLX's signature has it, options after it", async () => {
    expect(mx.identity(2, mx.int32).dtype).toBe(mx.int32);
    expect(await mx.tri(2, 2, 0, mx.int32).tolist()).toEqual([[1, 0], [1, 1]]);
    expect(mx.tri(2, mx.int32).dtype).toBe(mx.int32);
    expect(mx.eye(2, 3).shape).toEqual([2, 3]);
    const key = mx.random.key(0);
    expect(mx.random.normal([2], mx.float16, { key }).dtype).toBe(mx.float16);
    expect(mx.random.uniform(0, 1, [2], mx.float16).dtype).toBe(mx.float16);
    expect(mx.random.randint(0, 9, [2], mx.int16).dtype).toBe(mx.int16);
    expect(mx.random.truncatedNormal(-1, 1, [2], mx.float16).dtype).toBe(mx.float16);
    expect(mx.random.gumbel([2], mx.float16).dtype).toBe(mx.float16);
    expect(mx.random.laplace([2], mx.float16).dtype).toBe(mx.float16);
    expect(mx.zerosLike(v(), mx.int32).dtype).toBe(mx.int32);
    expect(mx.onesLike(v(), mx.int32).dtype).toBe(mx.int32);
    expect(await mx.fullLike(v(), 7, mx.int32).tolist()).toEqual([7, 7, 7]);
    expect(mx.zerosLike(v()).dtype).toBe(mx.float32);
  });

  it("refuses a dtype given twice that disagrees", () => {
    expect(() => call(mx.random.normal, [2], mx.float16, { dtype: mx.float32 })).toThrow(/\[random\.normal\] dtype given twice: float16 and \{ dtype: float32 \}/);
  });
});

describe("moveaxis with lists of axes", () => {
  it("moves each source axis to its destination (NumPy's rule)", () => {
    const a = mx.zeros([2, 3, 4]);
    expect(mx.moveaxis(a, [0, 1], [1, 2]).shape).toEqual([4, 2, 3]);
    expect(mx.moveaxis(a, [0, 1], [-1, -2]).shape).toEqual([4, 3, 2]);
    expect(mx.moveaxis(a, [2], [0]).shape).toEqual([4, 2, 3]);
    expect(mx.moveaxis(a, 0, -1).shape).toEqual([3, 4, 2]);
  });

  it("refuses repeated axes and lists of different lengths", () => {
    const a = mx.zeros([2, 3, 4]);
    expect(() => mx.moveaxis(a, [0, 0], [1, 2])).toThrow(/\[moveaxis\] source has repeated axes/);
    expect(() => mx.moveaxis(a, [0, 1], [1])).toThrow(/\[moveaxis\] source and destination must name as many axes/);
  });
});

describe("mx.slice objects", () => {
  it("makes the index slice mx.s makes when the first argument is a number or null", async () => {
    expect(mx.slice(1, 8, 3)).toEqual(mx.s(1, 8, 3));
    expect(mx.slice(4)).toEqual(mx.s(4));
    expect(mx.slice(null, null, -1)).toBeInstanceOf(mx.IndexSlice);
    expect(await mx.arange(10).get(mx.slice(1, 8, 3)).tolist()).toEqual([1, 4, 7]);
    expect(await mx.arange(5).get(mx.slice(null, null, -1)).tolist()).toEqual([4, 3, 2, 1, 0]);
    expect(await mx.slice(mx.arange(10), [1], [8], [3]).tolist()).toEqual([1, 4, 7]);
  });

  it("checks its bounds and argument count", () => {
    expect(() => mx.slice(1, 2, 0)).toThrow(/\[slice\] slice step must not be 0/);
    expect(() => mx.slice(1.5)).toThrow(/\[slice\] slice bounds must be integers or null/);
    expect(() => call(mx.slice, 1, 2, 3, 4)).toThrow("[slice] takes at most 3 arguments; got 4 (the 4th is 4)");
  });
});
