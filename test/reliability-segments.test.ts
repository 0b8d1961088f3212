// Reductions over many short and medium segments (issue 12: 8.4M outputs of 4
// elements took 213 s on webgpu and ran into metal's 60 s watchdog, a
// workgroup per output; so did 4M outputs of 65): segments of at most 64
// elements get a kernel with one thread per output on both GPU backends,
// medium ones of many outputs a group of threads per output, chosen by
// segment length and output count; every reduction, the arg-reductions' NaN
// rules included, agrees with the reference on every shape. (The timing lives
// in bench/, not in a test.)

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";
import type { MetalBackend } from "../backends/metal/backend.js";
import { GROUPED_MIN_OUTPUTS } from "../backends/webgpu/reduce.js";
import { webgpuFilesRun } from "./helpers/device-views.js";
import { BACKENDS, expectClose, expectSameValues, values } from "./helpers/backends.js";
import { fullProfile, oneOrAll } from "./helpers/profile.js";

const OPS = ["sum", "prod", "max", "min", "all", "any", "argmax", "argmin"] as const;

/**
 * The segment layouts (transposed: strided segments) op k of OPS runs at the
 * r-th segment length: both in the full profile; in the default one (each op
 * and layout a kernel to compile) one, taking turns over ops and lengths, so
 * each length meets both layouts and each op both over the lengths.
 */
const layouts = (k: number, r: number): readonly boolean[] => oneOrAll([false, true], k + r);

/** rows x R float32 values with NaN, ties and -0, viewed transposed when `transposed` (strided segments). */
function input(rows: number, R: number, transposed: boolean, o: mx.OpOptions): mx.MxArray {
  const v = Array.from({ length: rows * R }, (_, i) => (i % 7 === 3 && i % 3 === 0 ? NaN : i % 5 === 0 ? -0 : ((i * 37) % 11) - 5) / 4);
  const x = mx.array(v, mx.float32, o).reshape(transposed ? [R, rows] : [rows, R]);
  return transposed ? mx.transpose(x, [1, 0], o) : x;
}

describe.each(BACKENDS.filter((b) => b.device.backend !== "cpu"))("reductions over short and long segments on $name", ({ device }) => {
  const o = { stream: device };
  const cpu = { stream: mx.cpu };

  [1, 4, 64, 65].forEach((R, r) => {
    it(`agree with the reference for segments of ${R} (NaN first for arg-reductions)`, async () => {
      for (const [k, op] of OPS.entries()) {
        for (const transposed of layouts(k, r)) {
          const f = mx[op] as (x: mx.MxArray, o: mx.AxisOptions) => mx.MxArray;
          const got = f(input(37, R, transposed, o), { axis: 1, ...o });
          const want = await values(f(input(37, R, transposed, cpu), { axis: 1, ...cpu }));
          // float32 sums and products in another order: close; the rest exactly
          if (op === "sum" || op === "prod") await expectClose(got, want, 1e-5, 1e-6);
          else expectSameValues(await values(got), want, `${op} R=${R} transposed=${transposed}`);
        }
      }
    });
  });
});

describe.each(BACKENDS.filter((b) => b.device.backend !== "cpu"))("reductions over many medium segments on $name", ({ device }) => {
  const o = { stream: device };
  const cpu = { stream: mx.cpu };
  // enough outputs for the grouped kernel, and a last workgroup with spare groups
  const rows = GROUPED_MIN_OUTPUTS + 3;

  [65, 100, 255, 1000].forEach((R, r) => {
    it(`agree with the reference for ${rows} segments of ${R} (NaN first for arg-reductions)`, async () => {
      for (const transposed of [false, true]) {
        const x = input(rows, R, transposed, o);
        const ref = input(rows, R, transposed, cpu);
        for (const [k, op] of OPS.entries()) {
          if (!layouts(k, r).includes(transposed)) continue;
          const f = mx[op] as (x: mx.MxArray, o: mx.AxisOptions) => mx.MxArray;
          const got = f(x, { axis: 1, ...o });
          const want = await values(f(ref, { axis: 1, ...cpu }));
          if (op === "sum" || op === "prod") await expectClose(got, want, 1e-5, 1e-6);
          else expectSameValues(await values(got), want, `${op} R=${R} transposed=${transposed}`);
        }
      }
    }, 120_000);
  });

  it("agree with the reference for every dtype the grouped kernel takes", async () => {
    const R = 100;
    for (const [j, dtype] of [mx.float16, mx.bfloat16, mx.int8, mx.uint16, mx.int32, mx.uint32, mx.int64, mx.uint64, mx.bool, mx.complex64].entries()) {
      // unsigned dtypes from magnitudes (a negative float's cast is not portable)
      const cast = (x: mx.MxArray, s: mx.OpOptions) => mx.astype(dtype.name.startsWith("uint") ? mx.abs(x, s) : x, dtype, s);
      const x = cast(input(rows, R, false, o), o);
      const ref = cast(input(rows, R, false, cpu), cpu);
      // the default profile: one op of each pair (sum or prod, max or min, all or any, argmax or argmin), taking turns over the dtypes
      const ops = dtype === mx.complex64 ? (["sum", "prod"] as const) : OPS.filter((_, k) => fullProfile || (k + j) % 2 === 0);
      for (const op of ops) {
        const f = mx[op] as (x: mx.MxArray, o: mx.AxisOptions) => mx.MxArray;
        const got = f(x, { axis: 1, ...o });
        const want = f(ref, { axis: 1, ...cpu });
        const label = `${op} ${dtype.name}`;
        // float sums and products in another order: close (16-bit results rounded once more); the rest exactly
        if (dtype === mx.complex64) {
          const parts = async (a: mx.MxArray) => ((await a.tolist()) as { re: number; im: number }[]).flatMap((c) => [c.re, c.im]);
          await expectClose(mx.array(await parts(got), mx.float32, cpu), await parts(want), 1e-5, 1e-6);
        } else if ((op === "sum" || op === "prod") && ["float16", "bfloat16"].includes(dtype.name)) await expectClose(got, await values(want), 2e-2, 1e-2);
        else expectSameValues(await values(got), await values(want), label);
      }
    }
  }, 120_000);

  // the order wgsl/reduce-groups.wgsl states (the one mx.compile's fused reductions keep): lane l of LANES folds elements
  // l, l + LANES, ... left to right from 0, then lane 0 the lanes' results left to right from its own, in float32
  it.skipIf(device.backend !== "webgpu")("webgpu float32 sums follow the grouped kernel's stated order bit for bit", async () => {
    const lanesFor = (R: number) => Math.min(32, Math.max(4, 2 ** Math.ceil(Math.log2(Math.ceil(R / 16)))));
    for (const R of [100, 257, 1024]) {
      for (const transposed of [false, true]) {
        // magnitudes over many binades, so another order rounds differently
        const v = Array.from({ length: rows * R }, (_, i) => Math.fround(Math.sin(i * 1.7) * 2 ** ((i * 13) % 23 - 11)));
        const stored = mx.array(v, mx.float32, o).reshape(transposed ? [R, rows] : [rows, R]);
        const x = transposed ? mx.transpose(stored, [1, 0], o) : stored;
        const got = (await mx.sum(x, { axis: 1, ...o }).tolist()) as number[];
        const at = (row: number, r: number) => v[transposed ? r * rows + row : row * R + r]!;
        const L = lanesFor(R);
        for (let row = 0; row < rows; row++) {
          const lanes = Array.from({ length: L }, (_, l) => {
            let acc = 0;
            for (let r = l; r < R; r += L) acc = Math.fround(acc + at(row, r));
            return acc;
          });
          const want = lanes.reduce((a, b) => Math.fround(a + b));
          if (!Object.is(got[row], want)) throw new Error(`R=${R} transposed=${transposed} row ${row}: ${got[row]}, the stated order gives ${want}`);
        }
      }
    }
  }, 120_000);

  // 500k segments of 65 took 9 s on both backends' test devices with a workgroup per output (4M: past metal's 60 s watchdog)
  it("finish for half a million segments of 65", async () => {
    const x = mx.add(mx.zeros([500_000, 65], mx.float32, o), 1, o);
    expect(await mx.all(mx.equal(mx.sum(x, { axis: 1, ...o }), 65, o), o).item()).toBe(true);
    expect(await mx.all(mx.equal(mx.argmax(x, { axis: 1, ...o }), 0, o), o).item()).toBe(true);
  }, 120_000);
});

/** The kernels `backend` ran for `fn` (metal: kernel names; webgpu: kernel files). */
async function kernelsRun(device: mx.Device, fn: () => mx.MxArray): Promise<string[]> {
  const seen: string[] = [];
  if (device.backend === "metal") {
    const metal = findBackend("metal") as MetalBackend;
    const run = metal.run;
    metal.run = (op, key, kernel, ...rest) => (seen.push(kernel), run.call(metal, op, key, kernel, ...rest));
    try {
      await mx.eval(fn());
    } finally {
      metal.run = run;
    }
    return seen;
  }
  return webgpuFilesRun(() => mx.eval(fn()));
}

describe.each(BACKENDS.filter((b) => b.device.backend !== "cpu"))("the reduction kernel chosen by segment length on $name", ({ device }) => {
  const o = { stream: device };
  const short = device.backend === "metal" ? "segments_sum" : "segments";
  const grouped = device.backend === "metal" ? "groups_sum" : "reduce-groups";
  const long = device.backend === "metal" ? "reduce_sum" : "reduce";

  it("gives segments of up to 64 elements a thread per output, medium ones of many outputs a group, the rest a threadgroup", async () => {
    const x = (rows: number, R: number) => mx.reshape(mx.arange(rows * R, { dtype: mx.float32, ...o }), [rows, R], o);
    expect(await kernelsRun(device, () => mx.sum(x(4096, 4), { axis: 1, ...o }))).toContain(short);
    expect(await kernelsRun(device, () => mx.sum(x(4096, 64), { axis: 1, ...o }))).toContain(short);
    for (const R of [65, 1024]) {
      const medium = await kernelsRun(device, () => mx.sum(x(4096, R), { axis: 1, ...o }));
      expect(medium).toContain(grouped);
      expect(medium).not.toContain(long);
    }
    const few = await kernelsRun(device, () => mx.sum(x(64, 65), { axis: 1, ...o }));
    expect(few).toContain(long);
    expect(few).not.toContain(grouped);
    expect(await kernelsRun(device, () => mx.sum(x(4096, 1025), { axis: 1, ...o }))).toContain(long);
  });
});
