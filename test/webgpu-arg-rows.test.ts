// The webgpu argmax/argmin of float rows on whole quads of words
// (wgsl/arg-rows.wgsl: a group of lanes a row, folded by subgroup
// operations) against the cpu: the first extreme wherever it lies among a
// row's lanes and subgroups, ties after it, NaNs, infinities and zeros of
// both signs; on each of its fold paths (this device's subgroups, and the
// lanes' pairs a misfit subgroup layout falls back to); and the rows it
// leaves to the other kernels (not on quads, too short, no subgroups).

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import type { KernelCall } from "../backends/webgpu/backend.js";
import { fixedSubgroups, misfitSubgroups, seenAs, webgpuBackend, withoutSubgroups } from "./helpers/device-views.js";

const gpu = { stream: mx.webgpu };
const cpu = { stream: mx.cpu };
const backend = webgpuBackend;

/** The kernel files the backend runs while `fn` runs. */
async function filesRun(fn: () => Promise<unknown>): Promise<string[]> {
  const b = backend();
  const run = b.run.bind(b);
  const files: string[] = [];
  b.run = (call: KernelCall, ...rest) => (files.push(call.file), run(call, ...rest));
  try {
    await fn();
  } finally {
    b.run = run;
  }
  return files;
}

/**
 * Rows of `n` small values (j * 7 + i) % 5 with the extreme 9 first at a
 * place that walks over every lane, subgroup and element of a quad as the row
 * index grows, tied three places later and half a row later.
 */
function tiedRows(rows: number, n: number): { data: number[][]; want: number[] } {
  const first = (i: number) => (i * 37 + (i >> 3)) % (n / 2);
  const data = Array.from({ length: rows }, (_, i) => Array.from({ length: n }, (_, j) => (j === first(i) || j === first(i) + 3 || j === first(i) + n / 2 ? 9 : (j * 7 + i) % 5)));
  return { data, want: data.map((_, i) => first(i)) };
}

/** Rows of specials: NaNs (the first wins, after a larger number too), infinities, zeros of both signs (tied: the first), the largest finite value after infinities of the other sign. */
function specialRows(n: number, big: number): number[][] {
  return [
    Array.from({ length: n }, () => -Infinity),
    Array.from({ length: n }, (_, j) => (j === (n * 5) / 8 + 1 || j === (n * 7) / 8 ? NaN : j === 5 ? Infinity : j % 3)),
    Array.from({ length: n }, (_, j) => (j === n - 1 ? NaN : j % 3)),
    Array.from({ length: n }, (_, j) => (j === 51 ? 0 : j === 60 ? -0 : -1 - (j % 4))),
    Array.from({ length: n }, (_, j) => (j === 60 ? 0 : j === 51 ? -0 : -1 - (j % 4))),
    Array.from({ length: n }, (_, j) => (j < 3 ? -Infinity : big)),
  ];
}

async function expectLikeCpu(x: mx.MxArray, label: string, expectKernel: boolean): Promise<void> {
  for (const op of [mx.argmax, mx.argmin]) {
    let got: unknown;
    const files = await filesRun(async () => (got = await op(x, -1, gpu).tolist()));
    expect(files.includes("arg-rows"), `${label} ${op.name}: taken by wgsl/arg-rows.wgsl`).toBe(expectKernel);
    expect(got, `${label} ${op.name}`).toEqual(await op(mx.astype(x, x.dtype, cpu), -1, cpu).tolist());
  }
}

function cases(expectKernel: boolean): void {
  for (const dtype of [mx.float32, mx.float16, mx.bfloat16]) {
    it(`${dtype.name}: rows of 256 to 8192 bytes' worth of quads and more, ties after the first extreme, specials, views`, async () => {
      const big = dtype === mx.float16 ? 65504 : 3e38;
      for (const n of [512, 1024, 2048, 4096, 8192]) {
        if (n * dtype.size < 1024) continue;
        const { data, want } = tiedRows(40, n);
        for (const sign of [1, -1]) {
          const x = mx.array([...data, ...specialRows(n, big)].map((r) => r.map((v) => sign * v)), dtype, gpu);
          await expectLikeCpu(x, `${dtype.name} rows of ${n}, sign ${sign}`, expectKernel);
          expect(await (sign > 0 ? mx.argmax : mx.argmin)(x, -1, gpu).tolist()).toEqual([...want, 0, (n * 5) / 8 + 1, n - 1, 51, 51, 3]);
        }
        // a view of whole quads from the second row on, and columns from the second quad on (rows n - 2 quads long)
        const grid = mx.array(data, dtype, gpu);
        const perQuad = 16 / dtype.size;
        await expectLikeCpu(mx.slice(grid, [1, perQuad], [data.length, n - perQuad], undefined, gpu), `${dtype.name} view of rows of ${n}`, expectKernel && (n - 2 * perQuad) * dtype.size >= 1024);
        // columns from the second element on: not on quads, the other kernels
        await expectLikeCpu(mx.slice(grid, [0, 1], [data.length, n], undefined, gpu), `${dtype.name} unaligned view of rows of ${n}`, false);
      }
    });
  }
}

describe.runIf(fixedSubgroups)("webgpu argmax/argmin of float rows on whole quads (wgsl/arg-rows.wgsl)", () => {
  describe("the device's subgroups", () => cases(true));

  describe("a misfit subgroup layout (the lanes' pairs through workgroup memory)", () => {
    seenAs(misfitSubgroups);
    cases(true);
  });

  describe("a device without subgroups (the other kernels)", () => {
    seenAs(withoutSubgroups);
    cases(false);
  });

  it("rows shorter than 1024 bytes, and rows not a whole number of quads, keep the other kernels", async () => {
    const x = mx.random.normal([300, 200], { key: mx.random.key(3), ...gpu });
    await expectLikeCpu(x, "rows of 200 float32", false);
    await expectLikeCpu(mx.random.normal([30, 1030], { key: mx.random.key(4), ...gpu }), "rows of 1030 float32", false);
  });
});
