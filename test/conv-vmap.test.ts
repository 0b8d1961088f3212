// vmap of the convolution primitive on every backend, against a loop over the
// batch entries: input batched only, weight batched only, both; groups 1, 2 and
// 4; conv1d/2d/3d (convGeneral with stride, asymmetric and negative padding,
// both dilations, flip) and the transposed convolutions (input dilation and
// flip); at the first axis and inner ones. Gradients too: grad of a vmapped
// convolution, and vmap of a convolution's gradient (per-entry gradients).
// The data are multiples of 1/4, so every result is exact in float32.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, values, withDefaultDevice } from "./helpers/backends.js";
import { quarters } from "./helpers/quarters.js";


const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

type Case = { name: string; xs: number[]; ws: number[]; f: (x: mx.MxArray, w: mx.MxArray) => mx.MxArray };

/** Input [N, ...spatial, G * Cg], weight [G * Og, ...kernel, Cg]. */
const c = (name: string, sp: number[], k: number[], G: number, Cg: number, Og: number, f: Case["f"]): Case => ({ name, xs: [2, ...sp, G * Cg], ws: [G * Og, ...k, Cg], f });

const CASES: Case[] = [
  c("conv1d groups 1", [6], [3], 1, 3, 2, (x, w) => mx.conv1d(x, w, { padding: 1 })),
  c("conv1d groups 2", [6], [3], 2, 2, 2, (x, w) => mx.conv1d(x, w, { padding: 1, groups: 2 })),
  c("conv1d groups 4 (depthwise), stride and dilation", [9], [2], 4, 1, 1, (x, w) => mx.conv1d(x, w, { stride: 2, dilation: 2, groups: 4 })),
  c("conv2d groups 2, asymmetric and negative padding, input dilation, flip", [5, 4], [2, 3], 2, 2, 3, (x, w) =>
    mx.convGeneral(x, w, { stride: [1, 2], padding: [[1, -1], [0, 2]], kernelDilation: [1, 2], inputDilation: [2, 1], groups: 2, flip: true })),
  c("conv2d groups 4", [4, 5], [3, 2], 4, 2, 2, (x, w) => mx.conv2d(x, w, { padding: [1, 0], groups: 4 })),
  c("conv3d groups 2", [3, 4, 3], [2, 2, 2], 2, 1, 2, (x, w) => mx.conv3d(x, w, { padding: 1, groups: 2 })),
  c("convTranspose1d groups 2", [4], [3], 2, 2, 2, (x, w) => mx.convTranspose1d(x, w, { stride: 2, padding: 1, outputPadding: 1, groups: 2 })),
  c("convTranspose2d groups 4", [3, 3], [2, 3], 4, 1, 2, (x, w) => mx.convTranspose2d(x, w, { stride: [2, 1], dilation: [1, 2], groups: 4 })),
  c("convTranspose3d groups 1", [2, 3, 2], [2, 2, 1], 1, 2, 3, (x, w) => mx.convTranspose3d(x, w, { stride: 2 })),
];

const B = 3;
/** Which arguments are batched, and at which axis: input only, weight only, both (first and inner axes). */
const IN_AXES: [number | null, number | null][] = [[0, null], [null, 0], [0, 0], [2, null], [null, 1], [1, 3]];

/** `shape` with a batch of B inserted at `axis`. */
const batched = (shape: readonly number[], axis: number | null) => (axis === null ? [...shape] : [...shape.slice(0, axis), B, ...shape.slice(axis)]);

describe.each(BACKENDS)("conv vmap on $name", ({ device }) => {
  withDefaultDevice(device);
  const operands = (k: Case, [ax, aw]: [number | null, number | null], seed: number) => {
    const xs = batched(k.xs, ax), ws = batched(k.ws, aw);
    return [mx.reshape(mx.array(quarters(prod(xs), seed), mx.float32), xs), mx.reshape(mx.array(quarters(prod(ws), seed + 1), mx.float32), ws)] as const;
  };
  /** Entry i of each batched argument. */
  const entry = (a: mx.MxArray, axis: number | null, i: number) => (axis === null ? a : mx.take(a, i, axis));

  it("vmap over the input, the weight or both equals the loop over the batch entries", async () => {
    for (const k of CASES) {
      for (const [n, axes] of IN_AXES.entries()) {
        const [x, w] = operands(k, axes, 17 + n);
        const got = mx.vmap(k.f, { inAxes: axes })(x, w);
        const want = mx.stack(Array.from({ length: B }, (_, i) => k.f(entry(x, axes[0], i), entry(w, axes[1], i))));
        const what = `${k.name}, inAxes ${JSON.stringify(axes)}`;
        expect([...got.shape], what).toEqual([...want.shape]);
        expect(await mx.max(mx.abs(want)).item(), `${what}: the loop's result is not all zeros`).toBeGreaterThan(0);
        expect(await values(got), what).toEqual(await values(want));
      }
    }
  });

  it("grad of a vmapped convolution equals the grad of the loop", async () => {
    for (const k of CASES) {
      for (const [n, axes] of IN_AXES.slice(0, 3).entries()) {
        const [x, w] = operands(k, axes, 31 + n);
        const ys = mx.stack(Array.from({ length: B }, (_, i) => k.f(entry(x, axes[0], i), entry(w, axes[1], i))));
        const ct = mx.reshape(mx.array(quarters(ys.size, 5 + n), mx.float32), [...ys.shape]);
        const viaVmap = (a: mx.MxArray, b: mx.MxArray) => mx.sum(mx.multiply(mx.vmap(k.f, { inAxes: axes })(a, b), ct));
        const viaLoop = (a: mx.MxArray, b: mx.MxArray) =>
          mx.sum(mx.multiply(mx.stack(Array.from({ length: B }, (_, i) => k.f(entry(a, axes[0], i), entry(b, axes[1], i)))), ct));
        const [gx, gw] = mx.grad(viaVmap, { argnums: [0, 1] })(x, w);
        const [lx, lw] = mx.grad(viaLoop, { argnums: [0, 1] })(x, w);
        const what = `${k.name}, inAxes ${JSON.stringify(axes)}`;
        expect(await values(gx), `dx ${what}`).toEqual(await values(lx));
        expect(await values(gw), `dw ${what}`).toEqual(await values(lw));
      }
    }
  });

  it("vmap of a convolution's gradient (per-entry gradients) equals the loop of gradients", async () => {
    for (const k of CASES) {
      for (const [n, axes] of IN_AXES.slice(0, 3).entries()) {
        const [x, w] = operands(k, axes, 47 + n);
        const y0 = k.f(entry(x, axes[0], 0), entry(w, axes[1], 0));
        const ct = mx.reshape(mx.array(quarters(y0.size, 9 + n), mx.float32), [...y0.shape]);
        const g = mx.grad((a: mx.MxArray, b: mx.MxArray) => mx.sum(mx.multiply(k.f(a, b), ct)), { argnums: [0, 1] });
        const [gx, gw] = mx.vmap((a: mx.MxArray, b: mx.MxArray) => g(a, b), { inAxes: axes })(x, w) as mx.MxArray[];
        const loop = Array.from({ length: B }, (_, i) => g(entry(x, axes[0], i), entry(w, axes[1], i)));
        const what = `${k.name}, inAxes ${JSON.stringify(axes)}`;
        expect(await values(gx!), `dx ${what}`).toEqual(await values(mx.stack(loop.map((l) => l[0]))));
        expect(await values(gw!), `dw ${what}`).toEqual(await values(mx.stack(loop.map((l) => l[1]))));
      }
    }
  });
});
