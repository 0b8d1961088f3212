// The padding of the transposed convolutions, negative included (MLX accepts
// it: the output grows by |padding| zeros on each side), and padding past the
// dilated kernel: output and input and weight gradients against a NumPy
// reference built from the definition (scatter every input point's
// x[i] w[k] to i * stride + k * dilation, then crop `padding` from each side,
// or pad with zeros where it is negative), with groups; on every backend.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, values, withDefaultDevice } from "./helpers/backends.js";
import { itWithNumpy, numpyAnswers, runPython } from "./helpers/numpy.js";
import { quarters } from "./helpers/quarters.js";

type Opts = { stride: number[]; padding: number[]; dilation: number[]; outputPadding: number[]; groups: number };
type Case = { xs: number[]; ws: number[]; o: Opts; x: number[]; w: number[]; ct: number[] };
type Ref = { shape: number[]; out: number[]; dx: number[]; dw: number[] };


const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Input [2, ...sp, G * Cg], weight [G * Og, ...k, Cg]. */
function makeCase(sp: number[], k: number[], G: number, Cg: number, Og: number, o: Omit<Opts, "groups">, seed: number): Case {
  const xs = [2, ...sp, G * Cg], ws = [G * Og, ...k, Cg];
  const out = sp.map((n, i) => (n - 1) * o.stride[i]! - 2 * o.padding[i]! + o.dilation[i]! * (k[i]! - 1) + 1 + o.outputPadding[i]!);
  return { xs, ws, o: { ...o, groups: G }, x: quarters(prod(xs), seed), w: quarters(prod(ws), seed + 1), ct: quarters(2 * prod(out) * G * Og, seed + 2) };
}

const CASES: Case[] = [
  // MLX's shape rule: (4 - 1) - 2 (-1) + 3 = 8
  makeCase([4], [3], 1, 1, 1, { stride: [1], padding: [-1], dilation: [1], outputPadding: [0] }, 1),
  makeCase([5], [3], 2, 2, 1, { stride: [2], padding: [-2], dilation: [2], outputPadding: [1] }, 2),
  makeCase([3], [2], 1, 2, 3, { stride: [3], padding: [-4], dilation: [1], outputPadding: [2] }, 3),
  makeCase([4, 3], [2, 3], 2, 1, 2, { stride: [2, 1], padding: [-1, 1], dilation: [1, 2], outputPadding: [1, 0] }, 4),
  makeCase([2, 3, 2], [2, 1, 2], 1, 2, 2, { stride: [1, 2, 2], padding: [-1, 0, -2], dilation: [2, 1, 1], outputPadding: [0, 1, 0] }, 5),
  // padding past the dilated kernel (the mirrored convolution crops the dilated input)
  makeCase([4], [1], 1, 1, 1, { stride: [2], padding: [1], dilation: [1], outputPadding: [0] }, 6),
  makeCase([5, 4], [2, 2], 2, 1, 1, { stride: [3, 2], padding: [2, 3], dilation: [1, 2], outputPadding: [1, 1] }, 7),
];

const REFERENCE = String.raw`
import json, sys
import numpy as np

def case(c):
    x = np.array(c["x"], dtype=np.float64).reshape(c["xs"])
    w = np.array(c["w"], dtype=np.float64).reshape(c["ws"])
    o = c["o"]
    s, p, d, op, G = o["stride"], o["padding"], o["dilation"], o["outputPadding"], o["groups"]
    n = x.ndim - 2
    N, C, O = x.shape[0], x.shape[-1], w.shape[0]
    Cg, Og = C // G, O // G
    L, K = x.shape[1:-1], w.shape[1:-1]
    full_sp = [(L[i] - 1) * s[i] + d[i] * (K[i] - 1) + 1 for i in range(n)]
    out_sp = [full_sp[i] - 2 * p[i] + op[i] for i in range(n)]
    ct = np.array(c["ct"], dtype=np.float64).reshape([N, *out_sp, O])
    # the scatter of every input point, uncropped
    full = np.zeros([N, *full_sp, O])
    for ipos in np.ndindex(*L):
        for tap in np.ndindex(*K):
            q = tuple(ipos[i] * s[i] + tap[i] * d[i] for i in range(n))
            for g in range(G):
                full[(slice(None), *q, slice(g * Og, (g + 1) * Og))] += x[(slice(None), *ipos, slice(g * Cg, (g + 1) * Cg))] @ w[(slice(g * Og, (g + 1) * Og), *tap)].T
    # out[j] = full[j + padding] (zero outside the scatter), and the cotangent moved back onto full
    out = np.zeros([N, *out_sp, O])
    ct_full = np.zeros(full.shape)
    for j in np.ndindex(*out_sp):
        q = tuple(j[i] + p[i] for i in range(n))
        if all(0 <= q[i] < full_sp[i] for i in range(n)):
            out[(slice(None), *j)] = full[(slice(None), *q)]
            ct_full[(slice(None), *q)] = ct[(slice(None), *j)]
    dx, dw = np.zeros(x.shape), np.zeros(w.shape)
    for ipos in np.ndindex(*L):
        for tap in np.ndindex(*K):
            q = tuple(ipos[i] * s[i] + tap[i] * d[i] for i in range(n))
            for g in range(G):
                cg = ct_full[(slice(None), *q, slice(g * Og, (g + 1) * Og))]
                xg = x[(slice(None), *ipos, slice(g * Cg, (g + 1) * Cg))]
                wg = w[(slice(g * Og, (g + 1) * Og), *tap)]
                dx[(slice(None), *ipos, slice(g * Cg, (g + 1) * Cg))] += cg @ wg
                dw[(slice(g * Og, (g + 1) * Og), *tap)] += cg.T @ xg
    return {"shape": list(out.shape), "out": out.ravel().tolist(), "dx": dx.ravel().tolist(), "dw": dw.ravel().tolist()}

print(json.dumps([case(c) for c in json.load(sys.stdin)]))
`;

const REFS = numpyAnswers(() => runPython<Ref[]>(REFERENCE, CASES));

const OPS = [mx.convTranspose1d, mx.convTranspose2d, mx.convTranspose3d] as const;

describe.each(BACKENDS)("convTranspose padding on $name", ({ device }) => {
  withDefaultDevice(device);
  const arr = (v: number[], shape: number[]) => mx.reshape(mx.array(v, mx.float32), shape);

  itWithNumpy("negative padding and padding past the kernel: output and gradients match the NumPy scatter-and-crop reference", async () => {
    for (const [i, c] of CASES.entries()) {
      const ref = REFS![i]!;
      const op = OPS[c.xs.length - 3]!;
      const f = (a: mx.MxArray, b: mx.MxArray) => op(a, b, c.o);
      const [[y], [dx, dw]] = mx.vjp(f, [arr(c.x, c.xs), arr(c.w, c.ws)], [arr(c.ct, ref.shape)]);
      const what = JSON.stringify({ xs: c.xs, ws: c.ws, ...c.o });
      expect([...y!.shape], what).toEqual(ref.shape);
      expect(await values(y!), what).toEqual(ref.out);
      expect(await values(dx!), `dx ${what}`).toEqual(ref.dx);
      expect(await values(dw!), `dw ${what}`).toEqual(ref.dw);
    }
  });

  it("negative padding adds |padding| zeros on each side (MLX's shape: (L - 1) stride - 2 padding + dilation (K - 1) + 1)", async () => {
    const x = arr([1, 2], [1, 2, 1]), w = arr([1, 10, 100], [1, 3, 1]);
    expect(await values(mx.convTranspose1d(x, w, { padding: -1 }))).toEqual([0, 1, 12, 120, 200, 0]);
    expect(await values(mx.convTranspose1d(x, w, 2, -2))).toEqual([0, 0, 1, 10, 102, 20, 200, 0, 0]);
    expect([...mx.convTranspose1d(mx.ones([1, 4, 1]), mx.ones([1, 3, 1]), { padding: -1 }).shape]).toEqual([1, 8, 1]);
    expect([...mx.convTranspose2d(mx.ones([1, 3, 3, 2]), mx.ones([4, 2, 2, 2]), { padding: [-1, 0] }).shape]).toEqual([1, 6, 4, 4]);
    // an output that would be empty is still refused; a padding past int32 too
    expect(() => mx.convTranspose1d(x, w, { padding: 3 })).toThrow(/^\[convTranspose1d\] spatial axis 0: the output size/);
    expect(() => mx.convTranspose1d(x, w, { padding: -(2 ** 31) })).toThrow(/^\[convTranspose1d\] padding must be/);
    expect(() => mx.convTranspose1d(x, w, { padding: -(2 ** 30) })).toThrow(/^\[convTranspose1d\] spatial axis 0: the padded, dilated input/);
  });
});
