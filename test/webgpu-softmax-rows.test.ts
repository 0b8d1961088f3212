// The webgpu dense-row softmax/logsumexp kernel (wgsl/softmax-rows.wgsl) on
// both of its exp paths (rows within 86 of a finite maximum, and rows with
// wider spreads, infinities or NaN), its NaN detection, and its float16 /
// bfloat16 packing, which must round exactly as a float32 result cast.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { expectSameValues, values } from "./helpers/backends.js";

const hasWebgpu = mx.registeredBackends().some((b) => b.name === "webgpu");
const gpu = { stream: mx.webgpu };
const cpu = { stream: mx.cpu };

/** Rows of length R (a deterministic pseudo-random normal times a per-row scale), with the special rows below. */
function rowsOf(R: number): number[][] {
  let seed = 7 + R;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const normal = () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
  const row = (scale: number) => Array.from({ length: R }, () => normal() * scale);
  const put = (r: number[], at: number, v: number) => ((r[at % R] = v), r);
  return [
    row(1), // the short exp path everywhere
    row(4), // float16 outputs below 2^-14 (subnormal) on the short path
    row(60), // spreads past 86: mx_exp's subnormal step on some invocations
    put(row(1), 5, -Infinity), // -inf: the full path on one invocation
    put(row(1), 3, NaN), // NaN: every output NaN
    put(put(row(1), 3, NaN), 9, -Infinity), // NaN beside -inf
    put(row(1), 7, Infinity), // +inf: softmax NaN, logsumexp +inf
    Array.from({ length: R }, () => -Infinity), // all -inf
    put(row(3e37), 1, -Infinity), // magnitudes overflowing to +inf without a NaN
  ];
}

const ROW_LENGTHS = [1, 3, 256, 700, 4096];

describe.skipIf(!hasWebgpu)("webgpu dense-row softmax and logsumexp", () => {
  it.each(ROW_LENGTHS)("float32 rows of %i match the float64 reference", async (R) => {
    const data = rowsOf(R);
    const [x, xc] = [mx.array(data, mx.float32, gpu), mx.array(data, mx.float32, cpu)];
    for (const op of ["softmax", "logsumexp"] as const) {
      const got = await values(op === "softmax" ? mx.softmax(x, -1, gpu) : mx.logsumexp(x, -1, gpu));
      const want = await values(op === "softmax" ? mx.softmax(xc, -1, cpu) : mx.logsumexp(xc, -1, cpu));
      got.forEach((g, i) => {
        const w = want[i]!;
        if (!Number.isFinite(w)) return expect(g, `${op} R=${R} element ${i}`).toBe(w);
        expect(Math.abs(g - w), `${op} R=${R} element ${i}: got ${g}, want ${w}`).toBeLessThanOrEqual(4e-6 * Math.abs(w) + 1e-38);
      });
    }
  });

  it.each(ROW_LENGTHS.filter((R) => R % 2 === 0))("float16 and bfloat16 rows of %i round as the float32 result cast", async (R) => {
    for (const dtype of [mx.float16, mx.bfloat16]) {
      const x = mx.astype(mx.array(rowsOf(R), mx.float32, gpu), dtype, gpu);
      const wide = mx.astype(x, mx.float32, gpu);
      expectSameValues(await values(mx.softmax(x, -1, gpu)), await values(mx.astype(mx.softmax(wide, -1, gpu), dtype, gpu)), `softmax ${dtype.name} R=${R}`);
      expectSameValues(await values(mx.logsumexp(x, -1, gpu)), await values(mx.astype(mx.logsumexp(wide, -1, gpu), dtype, gpu)), `logsumexp ${dtype.name} R=${R}`);
    }
  });

  it.each(ROW_LENGTHS)("logsumexp of rows of %i equals the strided kernel's bit for bit (same exps, same sum order)", async (R) => {
    const x = mx.array(rowsOf(R), mx.float32, gpu);
    // the transpose of a contiguous copy of x's transpose: x's values, but no dense rows
    const strided = mx.transpose(mx.contiguous(mx.transpose(x, gpu), false, gpu), gpu);
    expectSameValues(await values(mx.logsumexp(x, -1, gpu)), await values(mx.logsumexp(strided, -1, gpu)), `logsumexp R=${R}`);
  });

  it("takes the short exp path to mx_exp's bits: logsumexp of [0, d] (1 + e^d rounds on e^d's last bit) as the strided kernel's", async () => {
    const pairs = Array.from({ length: 2048 }, (_, i) => [0, -0.69 * ((i + 0.5) / 2048)]);
    const x = mx.array(pairs, mx.float32, gpu);
    const strided = mx.transpose(mx.contiguous(mx.transpose(x, gpu), false, gpu), gpu);
    expectSameValues(await values(mx.logsumexp(x, -1, gpu)), await values(mx.logsumexp(strided, -1, gpu)), "logsumexp of [0, d]");
  });
});
