// Reductions of short rows (at most 64 elements) on webgpu: wgsl/segments.wgsl
// reads contiguous rows that lie on quads of words a quad at a time (and packs
// float16/bfloat16 results of two rows an invocation). Each row must fold in
// index order as the element-by-element reading does: the same rows one element
// off the quads are the reference, bit for bit, and 16-bit results must be the
// float32 reduction's, cast. The device is seen without subgroups here: with
// them, float argmax/argmin/max/min of such rows take wgsl/arg-rows.wgsl
// (test/webgpu-extreme-rows.test.ts checks it against these kernels' bits).

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";
import { deviceFor } from "../src/device.js";
import { seenAs, withoutSubgroups } from "./helpers/device-views.js";

const webgpu = findBackend("webgpu");
const o = { stream: webgpu ? deviceFor("webgpu") : mx.cpu };
const OPS = ["sum", "prod", "all", "any", "argmax", "argmin", "max", "min"] as const;

/** `rows` x `n` values of `dtype` twice: on quads (offset 0), and one element off them (read element by element). */
function rowsOnAndOffQuads(dtype: mx.DType, rows: number, n: number, seed: number): [mx.MxArray, mx.MxArray] {
  let flat = mx.astype(mx.multiply(mx.random.normal([rows * n + 1], { key: mx.random.key(seed), ...o }), 12, o), dtype, o);
  // NaNs and signed zeros where the dtype has them: the first NaN, and the earlier of -0/+0, must win as before
  if (dtype.kind === "float") flat = mx.where(mx.greater(flat, 20, o), NaN, mx.where(mx.less(mx.abs(flat, o), 1, o), mx.multiply(flat, 0, o), flat, o), o);
  const on = mx.reshape(mx.slice(flat, [0], [rows * n], undefined, o), [rows, n], o);
  return [on, offCopy(on, rows, n)];
}

/** `on`'s values in a buffer where every row starts one element past a quad. */
function offCopy(on: mx.MxArray, rows: number, n: number): mx.MxArray {
  const padded = mx.concatenate([mx.zeros([1], on.dtype, o), mx.reshape(on, [-1], o)], 0, o);
  return mx.reshape(mx.slice(padded, [1], [rows * n + 1], undefined, o), [rows, n], o);
}

describe.skipIf(!webgpu)("webgpu reductions of short rows read as quads of words", () => {
  seenAs(withoutSubgroups);
  // row lengths giving 1, 2, 4, 8 and 16 quads a row; 513 rows: three workgroups, the last partly used
  const cases: [mx.DType, number[]][] = [
    [mx.float32, [4, 16, 64]],
    [mx.float16, [16, 64]],
    [mx.bfloat16, [8, 32]],
    [mx.int32, [8]],
    [mx.uint8, [32]],
    [mx.int16, [16]],
    [mx.bool, [16]],
  ];
  for (const [dtype, lengths] of cases) {
    it(`every reduction of ${dtype.name} rows of ${lengths.join(", ")} folds as the element reading does`, async () => {
      for (const n of lengths) {
        const [on, off] = rowsOnAndOffQuads(dtype, 513, n, n);
        for (const op of OPS) {
          if (op === "prod" && dtype === mx.bool) continue;
          const f = mx[op] as (x: mx.MxArray, axis: number, o: mx.OpOptions) => mx.MxArray;
          expect(await f(on, -1, o).tolist(), `${dtype.name} ${op} rows of ${n}`).toEqual(await f(off, -1, o).tolist());
        }
      }
    });
  }

  it("rows taken from wider rows (a kept stride other than the row's length) fold as the element reading does", async () => {
    // 32 of 48 columns from column 8: rows on quads; 16 of 18 from column 0: only the first row on a quad
    for (const [width, start, n] of [[48, 8, 32], [18, 0, 16]] as const) {
      const x = mx.multiply(mx.random.normal([300, width], { key: mx.random.key(width), ...o }), 5, o);
      const rows = mx.slice(x, [0, start], [300, start + n], undefined, o);
      const off = offCopy(mx.add(rows, 0, o), 300, n);
      for (const op of ["sum", "max", "argmin"] as const) expect(await mx[op](rows, -1, o).tolist(), `${op} of ${n} of ${width}`).toEqual(await mx[op](off, -1, o).tolist());
    }
  });

  // two rows an invocation, their results packed into one word: an odd number of rows leaves the last word half used
  for (const dtype of [mx.float16, mx.bfloat16]) {
    it(`${dtype.name} sums and maxima of an odd number of short rows have the bits of float32 results cast`, async () => {
      for (const [rows, n] of [[7, 8], [513, 32]] as const) {
        const x = mx.astype(mx.multiply(mx.random.normal([rows, n], { key: mx.random.key(rows) }), 4), dtype);
        for (const op of ["sum", "max", "min"] as const) {
          const want = await mx.astype(mx[op](mx.astype(x, mx.float32, o), -1, o), dtype, o).tolist();
          expect(await mx[op](x, -1, o).tolist(), `${dtype.name} ${op} ${rows} rows of ${n}`).toEqual(want);
        }
      }
    });
  }
});

// float max/min one invocation or a group of lanes an output fold (order key, bits) pairs, and argmax/argmin keep
// the best's order key: the first NaN wins, and -0 ties +0. An invocation a row folds in index order, so the
// earlier of -0 and +0 wins, as on the cpu reference; a group of lanes a row folds lane by lane (reduce-groups.wgsl's
// stated order), where the sign of a zero maximum may differ from the cpu's, but never from the compiled kernel's.
describe.skipIf(!webgpu)("webgpu float max/min/argmax/argmin of short and medium rows: signed zeros and NaN", () => {
  /** `values` with -0 as +0. */
  const zerosAsPlus = (values: unknown) => (values as number[]).map((v) => (v === 0 ? 0 : v));
  for (const dtype of [mx.float32, mx.float16]) {
    it(`${dtype.name} max/min/argmax/argmin of rows of -0, +0, a one and NaN: the cpu's results, compiled or not`, async () => {
      // rows of 16 (read as quads), 15 (element by element), 200 (1100 of them: a group of lanes a row)
      for (const [rows, n] of [[257, 16], [257, 15], [1100, 200]] as const) {
        // zeros of both signs, a one below (max) or above (min) them now and then; NaNs in every fourth row only
        const pick = mx.random.randint(0, 8 * n, [rows, n], mx.int32, { key: mx.random.key(n) });
        const nanRow = mx.equal(mx.remainder(mx.reshape(mx.arange(rows), [rows, 1]), 4), 0);
        const index = mx.where(mx.equal(pick, 0), mx.where(nanRow, 3, 2), mx.remainder(pick, 2));
        for (const op of ["max", "min", "argmax", "argmin"] as const) {
          const x = mx.astype(mx.take(mx.array([-0, 0, op.endsWith("max") ? -1 : 1, NaN], mx.float32), index), dtype);
          const want = await mx[op](x, -1, { stream: mx.cpu }).tolist();
          const got = await mx[op](mx.multiply(x, mx.ones([], dtype), o), -1, o).tolist();
          if (n <= 64 || op.startsWith("arg")) expect(got, `${dtype.name} ${op} rows of ${n}`).toEqual(want);
          else expect(zerosAsPlus(got), `${dtype.name} ${op} rows of ${n}`).toEqual(zerosAsPlus(want));
          // compiled: the product fused into the reduction's kernel (fused-reduce.wgsl), the same fold
          const fused = mx.compile((a: mx.MxArray) => mx[op](mx.multiply(a, mx.ones([], dtype), o), -1, o));
          expect(await fused(x).tolist(), `${dtype.name} ${op} rows of ${n}, compiled`).toEqual(got);
        }
      }
    });
  }
});
