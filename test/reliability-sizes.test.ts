// Sizes near 2^31 and 2^32, property-tested where they meet the checks
// (issue 12): dimensions and element counts are refused by name past 2^31 - 1,
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
      const half = mx.zeros([2 ** 30], { stream });
      await expect(mx.eval(mx.concatenate([half, half], { axis: 0, stream }))).rejects.toThrow(/^\[concatenate\] \[(cpu|webgpu|metal)\] cannot allocate 8589934592 bytes/);
    }
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
