// logsumexp of many float rows on whole quads on webgpu
// (wgsl/logsumexp-rows.wgsl): the kernel is taken, and its results agree with
// a float64 reference of the same inputs, for rows of one to several steps,
// whole or not, spread wide enough for exp's full path, views with a stride
// and an offset, an odd number of rows (16-bit results packed two a word),
// and rows holding NaN, +inf or -inf.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend, getBackend } from "../backends/backend.js";
import type { KernelCall, WebGpuBackend } from "../backends/webgpu/backend.js";
import { deviceFor } from "../src/device.js";

const webgpu = findBackend("webgpu");
const o = { stream: webgpu ? deviceFor("webgpu") : mx.cpu };

/** logsumexp of `values` in float64 (NaN where one is NaN; +inf where one is +inf; -inf where all are -inf). */
function reference(values: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) return NaN;
    m = Math.max(m, values[i]!);
  }
  if (!Number.isFinite(m)) return m;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += Math.exp(values[i]! - m);
  return m + Math.log(s);
}

/** The kernel files `f` runs on webgpu. */
async function kernelFiles(f: () => Promise<unknown>): Promise<string[]> {
  const gpu = getBackend("webgpu") as WebGpuBackend;
  const files: string[] = [];
  const run = gpu.run.bind(gpu);
  gpu.run = (call: KernelCall, ...rest: Parameters<WebGpuBackend["run"]> extends [unknown, ...infer R] ? R : never) => {
    files.push(call.file);
    return run(call, ...rest);
  };
  try {
    await f();
  } finally {
    gpu.run = run;
  }
  return files;
}

/** Checks logsumexp over the last axis of `x` ([rows, n] or a view) against the reference of its float32 values. */
async function check(x: mx.MxArray, label: string): Promise<void> {
  const rows = (await mx.astype(x, mx.float32, o).tolist()) as number[][];
  let got: number[] = [];
  const files = await kernelFiles(async () => {
    got = (await mx.logsumexp(x, -1, o).tolist()) as number[];
  });
  expect(files, label).toContain("logsumexp-rows");
  rows.forEach((row, r) => {
    const want = reference(row);
    if (!Number.isFinite(want)) {
      expect(got[r], `${label} row ${r}`).toEqual(want);
      return;
    }
    // float32: the sum's rounding over a lane's chain and the folds; 16-bit: one rounding of the result (half an ulp) and exp2's error
    const tol = x.dtype === mx.float32 ? 2e-5 + 1e-6 * Math.abs(want) : x.dtype === mx.float16 ? 1e-4 + 2 ** -10 * Math.abs(want) : 1e-3 + 2 ** -7 * Math.abs(want);
    expect(Math.abs(got[r]! - want), `${label} row ${r}: ${got[r]} against ${want}`).toBeLessThanOrEqual(tol);
  });
}

describe.skipIf(!webgpu)("webgpu logsumexp of many float rows on whole quads (wgsl/logsumexp-rows.wgsl)", () => {
  for (const dtype of [mx.float32, mx.float16, mx.bfloat16]) {
    it(`${dtype.name}: rows of 256 elements to the longest taken, an odd number of rows, wide spreads`, async () => {
      // the longest rows taken: float32 4096, 16-bit 16384 (two steps of eight quads a lane either way)
      for (const [rows, n, scale] of [[1025, 256, 1], [1025, 1024, 3], [1031, 3000, 1], [1024, dtype === mx.float32 ? 4096 : 16384, 2], [1025, 512, 40]] as const) {
        // scale 40: differences from the row's maximum well past 86 (exp's full path)
        const x = mx.astype(mx.multiply(mx.random.normal([rows, n], { key: mx.random.key(n + rows), stream: o.stream }), scale, o), dtype, o);
        await check(x, `${dtype.name} [${rows}, ${n}] scale ${scale}`);
      }
    });
  }

  it("views with a stride and an offset, and rows holding NaN, +inf and -inf", async () => {
    for (const dtype of [mx.float32, mx.float16]) {
      const [rows, n, width] = [1100, 1024, 1056];
      const base = mx.random.normal([rows, width], { key: mx.random.key(9), stream: o.stream });
      const col = mx.arange(width, o);
      const row = mx.reshape(mx.arange(rows, o), [rows, 1], o);
      const at = (r: number, c: number) => mx.logicalAnd(mx.equal(row, r, o), mx.equal(col, c, o), o);
      // row 3: a NaN; row 5: +inf; row 7: every element -inf; row 9: some -inf; row 11: +inf and a NaN
      let data = mx.where(at(3, 100), NaN, base, o);
      data = mx.where(at(5, 500), Infinity, data, o);
      data = mx.where(mx.equal(row, 7, o), -Infinity, data, o);
      data = mx.where(mx.logicalAnd(mx.equal(row, 9, o), mx.less(col, 600, o), o), -Infinity, data, o);
      data = mx.where(at(11, 40), Infinity, mx.where(at(11, 900), NaN, data, o), o);
      const x = mx.astype(data, dtype, o);
      // columns 16 .. 16 + n of each row of `width`: on quads, rows 1056 elements apart
      await check(mx.slice(x, [0, 16], [rows, 16 + n], undefined, o), `${dtype.name} view with specials`);
    }
  });

  it("rows off quads, float32 rows past 4096, too few rows, or the switch off keep the other kernels", async () => {
    const gpu = getBackend("webgpu") as WebGpuBackend;
    const x = mx.random.normal([1024, 1030], { key: mx.random.key(4), stream: o.stream });
    expect(await kernelFiles(() => mx.logsumexp(x, -1, o).tolist())).not.toContain("logsumexp-rows");
    expect(await kernelFiles(() => mx.logsumexp(mx.random.normal([1024, 8192], { stream: o.stream }), -1, o).tolist())).not.toContain("logsumexp-rows");
    expect(await kernelFiles(() => mx.logsumexp(mx.random.normal([100, 1024], { stream: o.stream }), -1, o).tolist())).not.toContain("logsumexp-rows");
    const y = mx.random.normal([1024, 1024], { key: mx.random.key(5), stream: o.stream });
    const taken = (await mx.logsumexp(y, -1, o).tolist()) as number[];
    gpu.logsumexpRows = false;
    try {
      const files = await kernelFiles(async () => {
        const other = (await mx.logsumexp(y, -1, o).tolist()) as number[];
        other.forEach((v, i) => expect(Math.abs(v - taken[i]!)).toBeLessThanOrEqual(2e-5 + 1e-6 * Math.abs(v)));
      });
      expect(files).not.toContain("logsumexp-rows");
    } finally {
      gpu.logsumexpRows = true;
    }
  });
});
