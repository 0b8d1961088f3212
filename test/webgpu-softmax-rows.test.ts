// The webgpu dense-row softmax/logsumexp kernels (wgsl/softmax-rows.wgsl, and
// wgsl/softmax-long-rows.wgsl for rows past registers) on
// both of its exp paths (rows within 86 of a finite maximum, and rows with
// wider spreads, infinities or NaN), its NaN detection, and its float16 /
// bfloat16 packing, which must round exactly as a float32 result cast; on each
// of its fold paths: subgroup operations (this device's, several rows a
// workgroup for short rows), workgroup memory (the device seen without
// subgroups), and the tree a misfit subgroup layout falls back to (the device
// seen with twice its subgroup size, so no subgroup passes the check).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { asIs, fixedSubgroups, misfitSubgroups, seenAs, webgpuBackend, withoutSubgroups } from "./helpers/device-views.js";
import { expectSameValues, values } from "./helpers/backends.js";
import { oneOrAll, sized } from "./helpers/profile.js";

const hasWebgpu = mx.registeredBackends().some((b) => b.name === "webgpu");
const gpu = { stream: mx.webgpu };
const cpu = { stream: mx.cpu };

const backend = webgpuBackend;

/**
 * `narrow` (float16/bfloat16) is the float32 `wide` cast to `dtype`, except
 * where the two differ before rounding: they sum the row in different orders
 * (a row's shares differ when it holds two elements a word), and 16-bit rows
 * take e^d by the device's exp2 (WGSL: 3 + 2 |x| ulp of float32, at most
 * 2^-15 of the value where d >= -86): there `wide` lies within 2^-15 of the
 * midpoint of two neighbours of `dtype` and `narrow` is the other neighbour.
 */
async function expectRoundedFrom(narrow: mx.MxArray, wide: mx.MxArray, dtype: mx.DType, label: string): Promise<void> {
  const [got, cast, exact] = [await values(narrow), await values(mx.astype(wide, dtype, gpu)), await values(wide)];
  got.forEach((g, i) => {
    const c = cast[i]!, w = exact[i]!;
    if (Object.is(g, c) || (Number.isNaN(g) && Number.isNaN(c))) return;
    const mid = (g + c) / 2;
    expect(Math.abs(w - mid), `${label} element ${i}: got ${g}, the float32 result ${w} casts to ${c}`).toBeLessThanOrEqual(2 ** -15 * Math.abs(w));
  });
}

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

// 5000: past registers (wgsl/softmax-long-rows.wgsl: an online sum, not the strided kernel's order)
const ROW_LENGTHS = [1, 3, 256, 700, 4096, 5000];
/** The rows held in registers, whose logsumexp sums as the strided kernel does. */
const HELD_LENGTHS = ROW_LENGTHS.filter((R) => R <= 4096);

/** The code of each softmax-rows shader compiled while this file runs, in order. */
const rowShaders: string[] = [];
let restoreShaders: (() => void) | undefined;
beforeAll(() => {
  if (!hasWebgpu) return;
  const device = backend().ctx.device;
  const create = device.createShaderModule.bind(device);
  device.createShaderModule = (d: GPUShaderModuleDescriptor) => {
    if (d.label?.endsWith(":softmax-rows")) rowShaders.push(d.code);
    return create(d);
  };
  restoreShaders = () => {
    device.createShaderModule = create;
  };
});
afterAll(() => restoreShaders?.());

/**
 * The fold paths: the view of the device, whether the kernel then folds by
 * subgroups, the rows checked against the float64 reference (the packing of
 * float16/bfloat16 does not depend on the path: checked on the first only),
 * and the rows whose sum order is the strided kernel's (the halving tree over
 * 256 shares: rows of a whole workgroup folded by the tree).
 */
const FOLD_PATHS = [
  { name: "subgroup folds", view: asIs, subgroups: fixedSubgroups, reference: ROW_LENGTHS, stridedOrder: fixedSubgroups ? [] : HELD_LENGTHS },
  { name: "workgroup-memory folds", view: withoutSubgroups, subgroups: false, reference: [700, 4096, 5000], stridedOrder: HELD_LENGTHS },
  // rows of 700 on 4 subgroups' worth of lanes (the tree over them), rows of 4096 on the whole workgroup
  ...(fixedSubgroups ? [{ name: "misfit subgroups (the tree fallback)", view: misfitSubgroups, subgroups: true, reference: [700], stridedOrder: [4096] }] : []),
];

describe.skipIf(!hasWebgpu).each(FOLD_PATHS)("webgpu dense-row softmax and logsumexp, $name", ({ view, subgroups, reference, stridedOrder }) => {
  seenAs(view);

  it(`compiles the kernel ${subgroups ? "with" : "without"} subgroup operations`, async () => {
    const before = rowShaders.length;
    // rows of 12 elements: a shape no other test compiles first on this path
    await values(mx.softmax(mx.array(rowsOf(12), mx.float32, gpu), -1, gpu));
    const fresh = rowShaders.slice(before);
    expect(fresh.length).toBe(1);
    expect(fresh[0]!.startsWith("enable subgroups;")).toBe(subgroups);
    expect(fresh[0]!.includes("subgroupShuffleXor")).toBe(subgroups);
  });

  it.each(reference)("float32 rows of %i match the float64 reference", async (R) => {
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

  // float16 and bfloat16 in the full profile; in the default one each in turn over the row lengths (each meets rows
  // held in registers, and the split long rows: bfloat16 here, float16 below)
  for (const [i, R] of ROW_LENGTHS.filter((R) => R % 2 === 0 && view === asIs).entries()) {
    const dtypes = oneOrAll([mx.float16, mx.bfloat16], i);
    it(`${dtypes.map((d) => d.name).join(" and ")} rows of ${R} round as the float32 result cast`, async () => {
      for (const dtype of dtypes) {
        const x = mx.astype(mx.array(rowsOf(R), mx.float32, gpu), dtype, gpu);
        const wide = mx.astype(x, mx.float32, gpu);
        await expectRoundedFrom(mx.softmax(x, -1, gpu), mx.softmax(wide, -1, gpu), dtype, `softmax ${dtype.name} R=${R}`);
        await expectRoundedFrom(mx.logsumexp(x, -1, gpu), mx.logsumexp(wide, -1, gpu), dtype, `logsumexp ${dtype.name} R=${R}`);
      }
    });
  }

  it.each(stridedOrder)("logsumexp of rows of %i equals the strided kernel's bit for bit (same exps, same sum order)", async (R) => {
    const x = mx.array(rowsOf(R), mx.float32, gpu);
    // the transpose of a contiguous copy of x's transpose: x's values, but no dense rows
    const strided = mx.transpose(mx.contiguous(mx.transpose(x, gpu), false, gpu), gpu);
    expectSameValues(await values(mx.logsumexp(x, -1, gpu)), await values(mx.logsumexp(strided, -1, gpu)), `logsumexp R=${R}`);
  });

  it.skipIf(view !== asIs)("takes the short exp path to mx_exp's bits: logsumexp of [0, d] (1 + e^d rounds on e^d's last bit) as the strided kernel's", async () => {
    const pairs = Array.from({ length: 2048 }, (_, i) => [0, -0.69 * ((i + 0.5) / 2048)]);
    const x = mx.array(pairs, mx.float32, gpu);
    const strided = mx.transpose(mx.contiguous(mx.transpose(x, gpu), false, gpu), gpu);
    expectSameValues(await values(mx.logsumexp(x, -1, gpu)), await values(mx.logsumexp(strided, -1, gpu)), "logsumexp of [0, d]");
  });
});

// rows past registers (backends/webgpu/softmax-long.ts): many take a workgroup each, a few are split into chunks over
// workgroups (a row's chunks folded by a second pass); each row's special values in the middle of some chunk. Both
// narrow dtypes in the full profile; in the default one bfloat16 on a workgroup a row, float16 on split rows (whose
// kernels bfloat16 meets in the rows of 5000 above)
describe.skipIf(!hasWebgpu)("webgpu softmax and logsumexp of long rows: a workgroup a row, or a row split over workgroups", () => {
  for (const [rows, R, narrow] of [
    [520, 4104, mx.bfloat16],
    [3, 70002, mx.float16],
  ] as const) {
    const dtypes = sized([mx.float32, narrow], [mx.float32, mx.float16, mx.bfloat16]);
    it(`${rows} rows of ${R} match the float64 reference (float32) and round within the contract of ${dtypes.slice(1).map((d) => d.name).join(" and ")}`, async () => {
      const data = Array.from({ length: rows }, (_, r) => Array.from({ length: R }, (_, j) => Math.sin(j * 0.37 + r) * (1 + (r % 5))));
      data[1]![R >> 1] = NaN;
      data[2]![R - 3] = Infinity;
      data[0]![7] = -Infinity;
      for (const dtype of dtypes) {
        const x = mx.astype(mx.array(data, mx.float32, gpu), dtype, gpu);
        const xc = mx.astype(mx.array(data, mx.float32, cpu), dtype, cpu);
        const tol = dtype === mx.float32 ? 4e-6 : dtype === mx.float16 ? 2 ** -10 : 2 ** -7;
        for (const op of ["softmax", "logsumexp"] as const) {
          const got = await values(mx.astype(op === "softmax" ? mx.softmax(x, -1, gpu) : mx.logsumexp(x, -1, gpu), mx.float32, gpu));
          const want = await values(mx.astype(op === "softmax" ? mx.softmax(xc, -1, cpu) : mx.logsumexp(xc, -1, cpu), mx.float32, cpu));
          got.forEach((g, i) => {
            const w = want[i]!;
            if (!Number.isFinite(w)) return expect(g, `${op} ${dtype.name} element ${i}`).toBe(w);
            if (Math.abs(g - w) > tol * Math.abs(w) + 2 ** -24) expect.fail(`${op} ${dtype.name} [${rows}, ${R}] element ${i}: got ${g}, want ${w}`);
          });
        }
      }
    });
  }
});
