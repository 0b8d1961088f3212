// Sizes near 2^31 and 2^32, property-tested where they meet the checks
// (issue 12): dimensions and element counts are refused by name past 2^31 - 1
// (also the dimensions ops compute: tile, repeat, concatenate, kron, ...),
// params words hold exactly the 32-bit range, results too large for a buffer
// are errors on every backend (metal crashed the process on them), and a
// webgpu reduction over a broadcast view of about 2^31 or 2^32 elements never
// wraps its count.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";
import { deviceFor } from "../src/device.js";
import { packParams } from "../backends/webgpu/backend.js";
import { node } from "../src/ops/base.js";
import { asOp } from "../src/ops/strict-options.js";
import { Broadcast } from "../src/primitives/layout.js";

const near = (base: number, spread: number) => fc.integer({ min: -spread, max: spread }).map((k) => base + k);
const streams = (["cpu", "webgpu", "metal"] as const).filter((b) => findBackend(b)).map((b) => deviceFor(b));

describe("sizes near 2^31 and 2^32", () => {
  it("a dimension is taken up to 2^31 - 1 and refused by name past it (lazily: nothing is allocated)", () => {
    fc.assert(fc.property(near(2 ** 31, 64), fc.integer({ min: 0, max: 1 }), (d, axis) => {
      const shape = axis === 0 ? [d, 1] : [1, d];
      if (d <= 2 ** 31 - 1) expect(mx.zeros(shape).shape).toEqual(shape);
      else expect(() => mx.zeros(shape)).toThrow(new RegExp(`^\\[zeros\\] dimension ${axis} of shape \\[[0-9, ]+\\] is ${d}; dimensions must be at most 2\\^31 - 1`));
    }), { numRuns: 100 });
  });

  it("arange refuses 2^31 elements or more by name, on every backend", () => {
    fc.assert(fc.property(near(2 ** 31, 64), fc.constantFrom(...streams), (n, stream) => {
      if (n <= 2 ** 31 - 1) expect(mx.arange(0, n, { stream }).shape).toEqual([n]);
      else expect(() => mx.arange(0, n, { stream })).toThrow(new RegExp(`^\\[arange\\] \\(0, ${n}, 1\\) has ${n} elements; at most 2\\^31 - 1`));
    }), { numRuns: 60 });
  });

  it("a params word holds exactly -2^31 .. 2^32 - 1", () => {
    fc.assert(fc.property(fc.oneof(near(2 ** 32, 8), near(2 ** 31, 8), near(-(2 ** 31), 8)), (v) => {
      if (v >= -(2 ** 31) && v <= 2 ** 32 - 1) expect(packParams("sum", [v])[0]).toBe(v >>> 0);
      else expect(() => packParams("sum", [v])).toThrow(/^\[sum\] parameter 0 of its WebGPU kernel/);
    }), { numRuns: 100 });
  });

  it("a result too large for one buffer is an error naming the op on every backend (metal crashed on it)", async () => {
    for (const stream of streams) {
      // 2^31 elements in dimensions of at most 2^31 - 1
      const half = mx.zeros([1, 2 ** 30], { stream });
      await expect(mx.eval(mx.concatenate([half, half], { axis: 0, stream }))).rejects.toThrow(/^\[concatenate\] \[(cpu|webgpu|metal)\] cannot allocate 8589934592 bytes/);
    }
  });

  it("ops that compute a shape take a dimension up to 2^31 - 1 and refuse one past it at the call, naming the op and the argument", () => {
    // each makes dimension 0 (or `at`) of its result 2h long from inputs of h or 2 elements: lazily, nothing is allocated
    const cases: [string, (h: number) => mx.MxArray, (h: number) => string, number?][] = [
      ["tile", (h) => mx.tile(mx.zeros([2]), [h]), (h) => `reps \\[${h}\\]`],
      ["repeat", (h) => mx.repeat(mx.zeros([2]), h, 0), (h) => `repeats ${h} along axis 0 of size 2`],
      ["concatenate", (h) => mx.concatenate([mx.zeros([h]), mx.zeros([h])]), (h) => `the arrays' sizes along axis 0 \\(${h} \\+ ${h}\\)`],
      ["kron", (h) => mx.kron(mx.zeros([2]), mx.zeros([h])), (h) => `the shapes of a \\(2,\\) and b \\(${h},\\)`],
      ["flatten", (h) => mx.flatten(mx.zeros([2, h])), () => "merging axes 0 to 1 \\(startAxis, endAxis\\)"],
      ["reshape", (h) => mx.reshape(mx.zeros([2, h]), [-1]), (h) => `shape \\[-1\\] for ${2 * h} elements`],
      ["outer", (h) => mx.outer(mx.zeros([2, h]), mx.zeros([3])), () => "the inputs flattened"],
      ["meshgrid", (h) => mx.meshgrid([mx.zeros([2, h])], { indexing: "ij" })[0]!, () => "arrays\\[0\\] flattened"],
      ["view", (h) => mx.view(mx.zeros([h], mx.float16), mx.uint8), () => "dtype uint8"],
      ["pad", (h) => mx.pad(mx.zeros([h]), [[h, 0]]), (h) => `padWidth \\[${h},0\\] makes axis 0 larger than 2\\^31 - 1`],
    ];
    fc.assert(fc.property(near(2 ** 30, 32), fc.constantFrom(...cases), (h, [op, build, cause]) => {
      if (2 * h <= 2 ** 31 - 1) expect(build(h).shape[0]).toBe(2 * h);
      else expect(() => build(h)).toThrow(new RegExp(`^\\[${op}\\] ${cause(h)}`));
    }), { numRuns: 200 });
    // the past-2^31 - 1 cause in full
    expect(() => mx.tile(mx.array([1, 2]), [2 ** 30])).toThrow(/^\[tile\] reps \[1073741824\] would make dimension 0 of the result 2147483648 long; dimensions must be at most 2\^31 - 1 \(inputs: int32\(2,\)\)/);
    expect(() => mx.tile(mx.array([1, 2]), 2 ** 31)).toThrow(/^\[tile\] reps must hold integers of at most 2\^31 - 1/);
    expect(() => mx.repeat(mx.zeros([0]), 2 ** 31)).toThrow(/^\[repeat\] repeats must be at most 2\^31 - 1/);
    expect(() => mx.unflatten(mx.zeros([0]), 0, [0, 2 ** 31])).toThrow(/^\[unflatten\] shape \[0,2147483648\] would make dimension 1 of the result 2147483648 long/);
    expect(() => mx.reshape(mx.zeros([0]), [0, 2 ** 31])).toThrow(/^\[reshape\] dimension 1 of shape \[0,2147483648\] is 2147483648/);
    expect(() => mx.diag(mx.zeros([2 ** 31 - 1]), 1)).toThrow(/^\[diag\] k 1 with a vector of 2147483647 elements would make dimension 0 of the result 2147483648 long/);
    const w = mx.zeros([1, 2 ** 28], mx.uint32), scales = mx.zeros([1, 2 ** 25]);
    expect(() => mx.dequantize(w, scales, scales, 64, 4)).toThrow(/^\[dequantize\] w unpacked \(268435456 words of 4-bit values along its last axis\) would make dimension 1 of the result 2147483648 long/);
    // a result flattened when the axis is null: its flat axis is refused by the argument's name
    for (const [op, f] of [["cumsum", () => mx.cumsum(mx.zeros([2, 2 ** 30]))], ["sort", () => mx.sort(mx.zeros([2, 2 ** 30]), null)], ["concatenate", () => mx.concatenate([mx.zeros([2, 2 ** 30])], null)], ["repeat", () => mx.repeat(mx.zeros([2, 2 ** 30]), 1)]] as const) {
      expect(f, op).toThrow(new RegExp(`^\\[${op}\\] (the input|arrays\\[0\\]) flattened \\([^)]*\\) would have 2147483648 elements along one axis \\(shape \\(2, 1073741824\\)\\)`));
    }
    // a flat axis inside an op whose result is smaller stays (argmax over every element; the cpu reduces 2^31 of them)
    expect(mx.argmax(mx.zeros([2, 2 ** 30])).shape).toEqual([]);
    expect(mx.take(mx.zeros([2, 2 ** 30]), mx.array([0], mx.int32)).shape).toEqual([1]);
    expect(() => mx.takeAlongAxis(mx.zeros([4]), mx.zeros([2, 2 ** 30], mx.int32), null)).toThrow(/^\[takeAlongAxis\] indices flattened \(axis null\) would have 2147483648 elements/);
  });

  it("a node past 2^31 - 1 that no op's own check caught is refused as it is built, naming the op called and the step", () => {
    const x = mx.zeros([1]);
    expect(() => node(new Broadcast([2 ** 31]), [x], x.stream)).toThrow(/^\[broadcast\] its result would have shape \(2147483648\): dimension 0 is past 2\^31 - 1/);
    expect(() => asOp("fft.fft", () => node(new Broadcast([3, 2 ** 33]), [x], x.stream))).toThrow(/^\[fft\.fft\] its broadcast step would have shape \(3, 8589934592\): dimension 1 is past 2\^31 - 1/);
    expect(node(new Broadcast([2 ** 31 - 1]), [x], x.stream).shape).toEqual([2 ** 31 - 1]);
  });

  it("diag of a vector past 46340 elements takes no flat axis of len * (len + 1) (past 2^31 - 1)", async () => {
    expect(mx.diag(mx.zeros([50000])).shape).toEqual([50000, 50000]);
    expect(await mx.diag(mx.array([1, 2, 3]), 1).tolist()).toEqual([[0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 3], [0, 0, 0, 0]]);
    expect(await mx.diag(mx.array([1, 2]), -1).tolist()).toEqual([[0, 0, 0], [1, 0, 0], [0, 2, 0]]);
  });

  it("take by indices of more than 2^31 - 1 elements keeps their shape (no flat axis of them)", async () => {
    const idx = mx.broadcastTo(mx.array([1], mx.int32), [2 ** 16, 2 ** 16]);
    expect(mx.take(mx.arange(0, 4, 1, { dtype: mx.float32 }), idx, 0).shape).toEqual([2 ** 16, 2 ** 16]);
    expect(await mx.take(mx.arange(0, 4, 1, { dtype: mx.float32 }), mx.array([[3, 0]], mx.int32), 0).tolist()).toEqual([[3, 0]]);
  });

  it("reshape compares sizes past 2^53 - 1 exactly (a broadcast view of 2^62 elements)", () => {
    // (2^31 - 3)(2^31 - 1) and (2^31 - 2)^2 differ by one, and are one float64
    expect(() => mx.reshape(mx.ones([2 ** 31 - 3, 2 ** 31 - 1]), [2 ** 31 - 2, 2 ** 31 - 2])).toThrow(/^\[reshape\] cannot reshape 4611686009837453315 elements into shape \(2147483646, 2147483646\)/);
    expect(() => mx.reshape(mx.ones([2 ** 31 - 1, 2 ** 31 - 1]), [2 ** 31 - 2, -1])).toThrow(/^\[reshape\] cannot infer the -1 dimension/);
    expect(mx.reshape(mx.ones([2 ** 31 - 1, 2 ** 31 - 1]), [-1, 2 ** 31 - 1, 1]).shape).toEqual([2 ** 31 - 1, 2 ** 31 - 1, 1]);
    expect(() => mx.reshape(mx.ones([2 ** 31 - 1, 2 ** 31 - 1]), [-1])).toThrow(/^\[reshape\] shape \[-1\] for 4611686014132420609 elements would make dimension 0 of the result about 4\.61e\+18 long/);
  });

  it.skipIf(!findBackend("webgpu"))("webgpu sums broadcast views of about 2^31 and 2^32 elements without wrapping the count", async () => {
    const s = { stream: mx.webgpu };
    await fc.assert(fc.asyncProperty(fc.constantFrom(2 ** 15, 2 ** 16), fc.integer({ min: -3, max: 3 }), fc.integer({ min: 0, max: 5 }), async (rows, dr, extra) => {
      const shape = [rows + dr, 2 ** 16 + extra];
      const n = shape[0]! * shape[1]!;
      const got = await mx.sum(mx.broadcastTo(mx.array(1, mx.float32, s), shape, s), s).item() as number;
      // float32 partial sums round a little; a wrapped count would be off by 2^31 or 2^32
      expect(Math.abs(got - n) / n).toBeLessThan(1e-6);
    }), { numRuns: 2 });
  }, 120_000);
});
