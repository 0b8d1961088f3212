// Convolutions on every backend: conv1d/2d/3d, convGeneral (asymmetric and
// negative padding, both dilations, groups, flip), the transposed convolutions
// and convolve, checked against a NumPy loop reference (conformance/numpy_conv.py)
// together with their input and weight gradients; jvp, vmap and argument errors.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, values } from "./helpers/backends.js";
import { itWithNumpy, numpyAnswers, runPython } from "./helpers/numpy.js";

type Params = { strides: number[]; paddingLo: number[]; paddingHi: number[]; kernelDilation: number[]; inputDilation: number[]; groups: number; flip: boolean };
type Case = { xs: number[]; ws: number[]; p: Params; x: number[]; w: number[]; ct: number[] };
type Ref = { shape: number[]; out: number[]; dx: number[]; dw: number[] };

/** A deterministic generator of multiples of 1/4 in [-2, 2]: products and sums stay exact in float32. */
function rng(seed: number) {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return { int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), quarter: () => Math.floor(next() * 17 - 8) / 4 };
}

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** A random convolution with 1 to 3 spatial axes whose output is non-empty; its cotangent has the output's size. */
function randomCase(seed: number): Case {
  const r = rng(seed);
  const nsp = r.int(1, 3), G = r.int(1, 2);
  const Cg = r.int(1, 3), Og = r.int(1, 2);
  const p: Params = { strides: [], paddingLo: [], paddingHi: [], kernelDilation: [], inputDilation: [], groups: G, flip: r.int(0, 1) === 1 };
  const inSp: number[] = [], kSp: number[] = [], outSp: number[] = [];
  const maxIn = nsp === 3 ? 4 : 7;
  for (let i = 0; i < nsp; i++) {
    const k = r.int(1, 3), kd = r.int(1, 2), id = r.int(1, 2), s = r.int(1, 3);
    const lo = r.int(-1, 2), hi = r.int(-1, 2);
    const dk = 1 + kd * (k - 1);
    const minIn = Math.max(1, Math.ceil((dk - lo - hi - 1) / id) + 1);
    const n = Math.max(minIn, r.int(1, maxIn));
    inSp.push(n); kSp.push(k);
    p.strides.push(s); p.paddingLo.push(lo); p.paddingHi.push(hi); p.kernelDilation.push(kd); p.inputDilation.push(id);
    outSp.push(Math.floor((1 + id * (n - 1) + lo + hi - dk) / s) + 1);
  }
  const xs = [r.int(1, 2), ...inSp, G * Cg], ws = [G * Og, ...kSp, Cg];
  const os = [xs[0]!, ...outSp, G * Og];
  const fill = (n: number) => Array.from({ length: n }, () => r.quarter());
  return { xs, ws, p, x: fill(prod(xs)), w: fill(prod(ws)), ct: fill(prod(os)) };
}

function reference(cases: readonly Case[]): Ref[] {
  return runPython<Ref[]>("conformance/numpy_conv.py", cases, { file: true });
}

const CASES = Array.from({ length: 24 }, (_, i) => randomCase(1000 + 7 * i));
const REFS = numpyAnswers(() => reference(CASES));

const CONVOLVE_INPUTS: [number[], number[]] = [[1, 2, 3, 0.5, -1], [0, 1, 0.5, 2]];
const CONVOLVE_NUMPY = numpyAnswers(() =>
  runPython<Record<"full" | "same" | "valid", number[]>>(`import numpy as np, json; a, v = ${JSON.stringify(CONVOLVE_INPUTS)}; print(json.dumps({m: np.convolve(a, v, m).tolist() for m in ("full", "same", "valid")}))`),
);

const generalOptions = (p: Params) => ({
  stride: p.strides,
  padding: [p.paddingLo, p.paddingHi] as [number[], number[]],
  kernelDilation: p.kernelDilation,
  inputDilation: p.inputDilation,
  groups: p.groups,
  flip: p.flip,
});

describe.each(BACKENDS)("conv on $name", ({ device }) => {
  const arr = (v: number[], shape: number[], d: mx.DType = mx.float32) => mx.reshape(mx.array(v, d, { stream: device }), shape, { stream: device });

  itWithNumpy("convGeneral and its input and weight gradients match the NumPy reference (float32, exact on quarter-step data)", async () => {
    for (const [i, c] of CASES.entries()) {
      const ref = REFS![i]!;
      const x = arr(c.x, c.xs), w = arr(c.w, c.ws), ct = arr(c.ct, ref.shape);
      const f = (a: mx.MxArray, b: mx.MxArray) => mx.convGeneral(a, b, { ...generalOptions(c.p), stream: device });
      const [[y], [dx, dw]] = mx.vjp(f, [x, w], [ct]);
      const what = JSON.stringify({ xs: c.xs, ws: c.ws, ...c.p });
      expect([...y!.shape], what).toEqual(ref.shape);
      expect(await values(y!), what).toEqual(ref.out);
      expect(await values(dx!), `dx ${what}`).toEqual(ref.dx);
      expect(await values(dw!), `dw ${what}`).toEqual(ref.dw);
    }
  });

  itWithNumpy("half-precision inputs round the exact result once", async () => {
    for (const d of [mx.float16, mx.bfloat16]) {
      for (const [i, c] of CASES.slice(0, 6).entries()) {
        const y = mx.convGeneral(arr(c.x, c.xs, d), arr(c.w, c.ws, d), { ...generalOptions(c.p), stream: device });
        expect(y.dtype).toBe(d);
        const want = mx.astype(mx.array(REFS![i]!.out, mx.float32, { stream: mx.cpu }), d, { stream: mx.cpu });
        expect(await values(y), `${d.name} case ${i}`).toEqual(await values(want));
      }
    }
  });

  it("a layer of many tiles, slabs and channels (strided operands) equals the cpu reference exactly", async () => {
    const r = rng(77);
    const xv = Array.from({ length: 2 * 20 * 9 * 11 }, () => r.quarter()), wv = Array.from({ length: 40 * 3 * 3 * 20 }, () => r.quarter());
    for (const groups of [1, 2]) {
      // the input built as [N, C, H, W] and viewed as NHWC; the weight read through a transpose
      const run = (s: mx.Device) => {
        const x = mx.transpose(mx.reshape(mx.array(xv, mx.float32, { stream: s }), [2, 20, 9, 11], { stream: s }), [0, 2, 3, 1], { stream: s });
        const w = mx.transpose(mx.reshape(mx.array(wv.slice(0, 40 * 9 * (20 / groups)), mx.float32, { stream: s }), [20 / groups, 3, 3, 40], { stream: s }), [3, 1, 2, 0], { stream: s });
        return mx.conv2d(x, w, { stride: [1, 2], padding: 1, groups, stream: s });
      };
      const got = run(device), want = run(mx.cpu);
      expect([...got.shape]).toEqual([2, 9, 6, 40]);
      expect(await values(got), `groups ${groups}`).toEqual(await values(want));
    }
  });

  it("a layer of over 4096 output pixels (the large tiles) equals the cpu reference exactly", async () => {
    const r = rng(91);
    const xv = Array.from({ length: 70 * 70 * 5 }, () => r.quarter()), wv = Array.from({ length: 36 * 9 * 5 }, () => r.quarter());
    const run = (s: mx.Device) => mx.conv2d(mx.reshape(mx.array(xv, mx.float32, { stream: s }), [1, 70, 70, 5], { stream: s }), mx.reshape(mx.array(wv, mx.float32, { stream: s }), [36, 3, 3, 5], { stream: s }), { stream: s });
    const got = run(device);
    expect([...got.shape]).toEqual([1, 68, 68, 36]);
    expect(await values(got)).toEqual(await values(run(mx.cpu)));
  });

  it("conv1d/2d/3d are convGeneral with symmetric padding; MLX's examples", async () => {
    const x = arr([1, 2, 3, 4], [1, 4, 1]), w = arr([1, 1], [1, 2, 1]);
    expect(await values(mx.conv1d(x, w))).toEqual([3, 5, 7]);
    expect(await values(mx.conv1d(x, w, 2, 1))).toEqual([1, 5, 4]);
    // MLX test_conv_1d_groups_flipped
    const xg = mx.transpose(mx.broadcastTo(mx.astype(mx.arange(5, { stream: device }), mx.float32, { stream: device }), [2, 5], { stream: device }), undefined, { stream: device });
    const wg = mx.broadcastTo(mx.astype(mx.arange(4, { stream: device }), mx.float32, { stream: device }), [2, 4], { stream: device });
    const yg = mx.convGeneral(mx.expandDims(xg, 0, { stream: device }), mx.expandDims(wg, -1, { stream: device }), { flip: true, groups: 2 });
    expect(await values(yg)).toEqual([4, 4, 10, 10]);
    // conv1d agrees with conv2d over a size-1 axis (MLX test_conv_1d_with_2d)
    const x3 = arr(Array.from({ length: 2 * 9 * 4 }, (_, i) => ((i * 7) % 9) / 4 - 1), [2, 9, 4]);
    const w3 = arr(Array.from({ length: 4 * 3 * 4 }, (_, i) => ((i * 5) % 7) / 4 - 0.75), [4, 3, 4]);
    const y1 = mx.conv1d(x3, w3, { padding: 1 });
    const y2 = mx.conv2d(mx.expandDims(x3, 2), mx.expandDims(w3, 2), { padding: [1, 0] });
    expect(await values(y1)).toEqual(await values(y2));
    const x5 = arr(Array.from({ length: 2 * 3 * 4 * 5 * 2 }, (_, i) => ((i * 3) % 8) / 4), [2, 3, 4, 5, 2]);
    const w5 = arr(Array.from({ length: 3 * 2 * 2 * 3 * 2 }, (_, i) => ((i * 5) % 6) / 4 - 0.5), [3, 2, 2, 3, 2]);
    const a = mx.conv3d(x5, w5, [1, 2, 1], 1, [1, 1, 2]);
    const b = mx.convGeneral(x5, w5, { stride: [1, 2, 1], padding: 1, kernelDilation: [1, 1, 2] });
    expect([...a.shape]).toEqual([2, 4, 3, 3, 3]);
    expect(await values(a)).toEqual(await values(b));
  });

  it("convTranspose1d/2d/3d: the adjoint of the convolution with the same weight and parameters", async () => {
    // <convT(y, w), x> == <y, conv(x, w)>: conv_transpose is the input-gradient of conv
    for (const [op, nsp] of [[mx.convTranspose1d, 1], [mx.convTranspose2d, 2], [mx.convTranspose3d, 3]] as const) {
      const r = rng(nsp * 31);
      const inSp = Array.from({ length: nsp }, () => r.int(3, 5));
      const x = arr(Array.from({ length: prod(inSp) * 2 }, () => r.quarter()), [1, ...inSp, 2]);
      const w = arr(Array.from({ length: 3 * 2 ** nsp * 2 }, () => r.quarter()), [3, ...Array<number>(nsp).fill(2), 2]);
      const wt = mx.swapaxes(w, 0, -1);
      const o = { stride: 2, padding: 1, dilation: 1 };
      const y = mx.convGeneral(x, w, { stride: 2, padding: 1 });
      const ct = arr(Array.from({ length: y.size }, () => r.quarter()), [...y.shape]);
      const t = op(ct, wt, { ...o, outputPadding: inSp.map((n) => n % 2) });
      expect([...t.shape]).toEqual([...x.shape]);
      const lhs = await mx.sum(mx.multiply(t, x)).item();
      const rhs = await mx.sum(mx.multiply(ct, y)).item();
      expect(lhs).toBe(rhs);
    }
    const x1 = arr([1, 2], [1, 2, 1]), w1 = arr([1, 10, 100], [1, 3, 1]);
    expect(await values(mx.convTranspose1d(x1, w1))).toEqual([1, 12, 120, 200]);
    expect(await values(mx.convTranspose1d(x1, w1, 2))).toEqual([1, 10, 102, 20, 200]);
    expect(await values(mx.convTranspose1d(x1, w1, { stride: 2, padding: 1, outputPadding: 1 }))).toEqual([10, 102, 20, 200]);
  });

  itWithNumpy("convolve matches NumPy's full, same and valid modes", async () => {
    const [a, v] = CONVOLVE_INPUTS;
    for (const mode of ["full", "same", "valid"] as const) {
      expect(await values(mx.convolve(arr(a, [5]), arr(v, [4]), mode)), mode).toEqual(CONVOLVE_NUMPY![mode]);
      expect(await values(mx.convolve(arr(v, [4]), arr(a, [5]), { mode })), `${mode} swapped`).toEqual(CONVOLVE_NUMPY![mode]);
    }
  });

  it("jvp is conv(tx, w) + conv(x, tw)", async () => {
    const c = CASES[3]!;
    const [x, w, tx, tw] = [arr(c.x, c.xs), arr(c.w, c.ws), arr(c.x.map((v) => -v / 2), c.xs), arr(c.w.map((v) => v * 2), c.ws)];
    const f = (a: mx.MxArray, b: mx.MxArray) => mx.convGeneral(a, b, generalOptions(c.p));
    const [, [t]] = mx.jvp(f, [x, w], [tx, tw]);
    expect(await values(t!)).toEqual(await values(mx.add(f(tx, w), f(x, tw))));
  });

  it("vmap over the input, the weight, or both equals stacking the per-entry results", async () => {
    const c = CASES.find((k) => k.p.groups === 2 && k.xs.length === 4) ?? CASES[1]!;
    const f = (a: mx.MxArray, b: mx.MxArray) => mx.convGeneral(a, b, generalOptions(c.p));
    const B = 3;
    const xb = arr(Array.from({ length: B }, (_, i) => c.x.map((v) => v + i / 4)).flat(), [B, ...c.xs]);
    const wb = arr(Array.from({ length: B }, (_, i) => c.w.map((v) => v - i / 4)).flat(), [...c.ws.slice(0, 1), B, ...c.ws.slice(1)]);
    const x = arr(c.x, c.xs), w = arr(c.w, c.ws);
    const entry = (a: mx.MxArray, i: number, axis: number) => mx.squeeze(mx.slice(a, a.shape.map((_, d) => (d === axis ? i : 0)), a.shape.map((n, d) => (d === axis ? i + 1 : n))), axis);
    for (const [inAxes, xi, wi] of [[[0, null], xb, w], [[null, 1], x, wb], [[0, 1], xb, wb]] as const) {
      const got = mx.vmap(f, { inAxes: [...inAxes] })(xi, wi);
      const want = mx.stack(Array.from({ length: B }, (_, i) => f(inAxes[0] === null ? x : entry(xb, i, 0), inAxes[1] === null ? w : entry(wb, i, 1))));
      expect(await values(got), JSON.stringify(inAxes)).toEqual(await values(want));
    }
  });

  it("rejects bad arguments naming the op and the argument", () => {
    const x = arr([1, 2, 3, 4], [1, 4, 1]), w = arr([1, 1], [1, 2, 1]);
    expect(() => mx.conv1d(mx.astype(x, mx.int32), w)).toThrow(/^\[conv1d\] input and weight must be floating point/);
    expect(() => mx.conv2d(x, w)).toThrow(/^\[conv2d\] input must have 4 dimensions/);
    expect(() => mx.conv1d(x, mx.reshape(w, [1, 2, 1, 1]))).toThrow(/^\[conv1d\] weight must have 3 dimensions/);
    expect(() => mx.conv1d(x, w, 0)).toThrow(/^\[conv1d\] stride must be/);
    expect(() => mx.conv1d(x, w, { dilation: [1, 2] })).toThrow(/^\[conv1d\] dilation must be/);
    expect(() => mx.conv1d(x, w, { groups: 2 })).toThrow(/^\[conv1d\] the input channels \(1\) must be divisible by groups/);
    expect(() => mx.conv1d(x, w, { padding: -2 })).toThrow(/^\[conv1d\] spatial axis 0/);
    expect(() => mx.conv1d(x, w, 1, { stride: 2 })).toThrow(/^\[conv1d\] stride given twice/);
    expect(() => mx.conv1d(x, w, { strides: 2 } as never)).toThrow(/^\[conv1d\] unknown option 'strides'/);
    expect(() => mx.convGeneral(x, w, { padding: [[1], [0], [2]] as never })).toThrow(/^\[convGeneral\] padding as a pair/);
    expect(() => mx.convGeneral(x, w, { flip: 1 as never })).toThrow(/^\[convGeneral\] flip must be a boolean/);
    expect(() => mx.convTranspose1d(x, w, { outputPadding: -1 })).toThrow(/^\[convTranspose1d\] outputPadding must be/);
    expect(() => mx.convolve(x, w)).toThrow(/^\[convolve\] a and v must be 1D/);
    expect(() => mx.convolve(mx.reshape(x, [4]), mx.reshape(w, [2]), "wide" as never)).toThrow(/^\[convolve\] mode must be/);
  });
});
