// Reductions of many contiguous rows of 1025 to 2048 elements on webgpu,
// which wgsl/reduce.wgsl takes several a workgroup (rows_main): each row must
// keep the bits of the order reduce.wgsl's header states for a workgroup of
// its own (float32 sums checked against a model of that order, the other
// reductions against the same rows reduced a few at a time, one a workgroup),
// and a compiled sum must keep them too.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";
import { deviceFor } from "../src/device.js";

const webgpu = findBackend("webgpu");
const o = { stream: webgpu ? deviceFor("webgpu") : mx.cpu };
const f32 = Math.fround;

/** reduce.wgsl's float32 sum of one segment in one chunk: element lid + 256 (4 j + q) into a_q, the shares' two-level fold. */
function modelSum(xs: Float32Array): number {
  const shares = Array.from({ length: 256 }, (_, lid) => {
    const a = [0, 0, 0, 0];
    for (let r = lid, m = 0; r < xs.length; r += 256, m++) a[m & 3] = f32(a[m & 3]! + xs[r]!);
    return f32(f32(a[0]! + a[1]!) + f32(a[2]! + a[3]!));
  });
  const groups = Array.from({ length: 32 }, (_, i) => shares.slice(8 * i + 1, 8 * i + 8).reduce((s, v) => f32(s + v), shares[8 * i]!));
  return groups.slice(1).reduce((s, v) => f32(s + v), groups[0]!);
}

describe.skipIf(!webgpu)("webgpu reductions of many contiguous rows, several a workgroup", () => {
  // 2050 rows: enough for two a workgroup; a last workgroup with a spare row; 1030 and 2048 elements
  for (const [rows, n] of [[2051, 1030], [2050, 2048]] as const) {
    it(`float32 sums of ${rows} rows of ${n}: reduce.wgsl's order, bit for bit, compiled or not`, async () => {
      const data = new Float32Array(rows * n).map((_, i) => f32(Math.sin(i * 0.37) * 2 ** ((i % 17) - 8)));
      const x = mx.reshape(mx.array(data, mx.float32, o), [rows, n], o);
      const want = Array.from({ length: rows }, (_, r) => modelSum(data.subarray(r * n, (r + 1) * n)));
      expect(await mx.sum(x, -1, o).tolist()).toEqual(want);
      const compiled = mx.compile((a: mx.MxArray) => mx.sum(mx.multiply(a, 1, o), -1, o));
      expect(await compiled(x).tolist()).toEqual(want);
    });
  }

  // one test a dtype: each compiles sixteen kernels (about a minute on lavapipe with a cold shader cache)
  for (const dtype of [mx.float32, mx.float16, mx.int32, mx.uint8]) {
    it(`every reduction of many ${dtype.name} rows agrees with the same rows one a workgroup (odd offset)`, async () => {
      const rows = 2050, n = 1030;
      const flat = mx.astype(mx.multiply(mx.random.normal([rows * n + 1], { key: mx.random.key(3) }), 40), dtype);
      const x = mx.reshape(mx.slice(flat, [1], [rows * n + 1]), [rows, n]);
      for (const op of ["sum", "prod", "all", "any", "argmax", "argmin", "max", "min"] as const) {
        const f = mx[op] as (x: mx.MxArray, axis: number, o: mx.OpOptions) => mx.MxArray;
        const many = (await f(x, -1, o).tolist()) as number[];
        for (const r0 of [0, 1023, rows - 5]) {
          const few = (await f(mx.slice(x, [r0, 0], [r0 + 5, n]), -1, o).tolist()) as number[];
          expect(many.slice(r0, r0 + 5), `${dtype.name} ${op} rows ${r0}..`).toEqual(few);
        }
      }
    });
  }

  // float16/bfloat16 results of one chunk a row: reduce.wgsl takes two rows a workgroup and writes their results as one
  // word (PAIRS), no cast after; the bits must be those of the float32 reduction (the same order) cast to the dtype
  for (const dtype of [mx.float16, mx.bfloat16]) {
    it(`${dtype.name} sums and products of an odd number of rows have the bits of float32 results cast`, async () => {
      const rows = 5, n = 3000;
      const x = mx.astype(mx.multiply(mx.random.normal([rows, n], { key: mx.random.key(5) }), 4), dtype);
      const near1 = mx.astype(mx.add(mx.multiply(mx.random.normal([rows, n], { key: mx.random.key(6) }), 2 ** -9), 1), dtype);
      for (const [op, a] of [["sum", x], ["prod", near1]] as const) {
        const got = await mx[op](a, -1, o).tolist();
        const want = await mx.astype(mx[op](mx.astype(a, mx.float32, o), -1, o), dtype, o).tolist();
        expect(got, `${dtype.name} ${op}`).toEqual(want);
      }
    });
  }
});

// a float16/bfloat16 max or min over more than 64 chunks: reduce.wgsl folds the chunks' float32 partials (not the
// keyed kernel) so that it writes the 16-bit result itself; the result must be the exact extreme, NaN where there is one
describe.skipIf(!webgpu)("webgpu 16-bit max/min of many chunks", () => {
  for (const dtype of [mx.float16, mx.bfloat16]) {
    it(`${dtype.name} max and min of 2M elements (128 chunks): the extremes, or NaN`, async () => {
      const n = 2 ** 21;
      const at = mx.arange(n, o);
      // -1000..1000 spread over the array, one 3072 and one -3072 (exact in both dtypes) far into it
      const spread = mx.subtract(mx.remainder(mx.multiply(at, 7919, o), 2001, o), 1000, o);
      const x = mx.astype(mx.where(mx.equal(at, n - 5, o), 3072, mx.where(mx.equal(at, 70000, o), -3072, spread, o), o), dtype, o);
      const withNaN = mx.where(mx.equal(at, n - 3, o), NaN, x, o);
      for (const [a, max, min] of [[x, 3072, -3072], [withNaN, NaN, NaN]] as const) {
        expect(await mx.max(a, o).tolist(), `${dtype.name} max`).toEqual(max);
        expect(await mx.min(a, o).tolist(), `${dtype.name} min`).toEqual(min);
        // two such rows: two outputs, packed into one word
        const rows = mx.stack([a, mx.negative(a, o)], 0, o);
        expect(await mx.max(rows, -1, o).tolist(), `${dtype.name} max of 2 rows`).toEqual([max, Number.isNaN(min) ? NaN : -min]);
        expect(await mx.min(rows, -1, o).tolist(), `${dtype.name} min of 2 rows`).toEqual([min, Number.isNaN(max) ? NaN : -max]);
      }
    });
  }
});
