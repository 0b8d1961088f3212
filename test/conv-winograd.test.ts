// The Winograd F(2x2, 3x3) convolution path: which convolutions take it
// (backends/conv-geometry.ts winogradPlan), and its results on every backend
// (forced on with MLX_TS_CONV_WINOGRAD=1; backends without the path run their
// implicit GEMM) against a NumPy float64 reference within the Winograd error
// bound (C + 12) u |A^T| (|G||g||G^T| . |B^T||d||B|) |A|, with odd output sizes,
// asymmetric and negative padding, flip, strided inputs and small chunks.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { setWinogradWorkspaceBytes, winogradPlan } from "../backends/conv-geometry.js";
import { BACKENDS, values } from "./helpers/backends.js";
import { itWithNumpy, numpyAnswers, runPython } from "./helpers/numpy.js";

type Case = { n: number; h: number; w: number; c: number; o: number; lo: [number, number]; hi: [number, number]; flip: boolean; dtype: mx.DType; transposed?: boolean; reversed?: boolean; chunkTiles?: number };

const CASES: Case[] = [
  // odd Ho and Wo (9 x 3), negative high padding on w
  { n: 2, h: 8, w: 6, c: 5, o: 6, lo: [1, 0], hi: [2, -1], flip: false, dtype: mx.float32 },
  // C and O not multiples of 4, flipped weight
  { n: 3, h: 9, w: 9, c: 17, o: 19, lo: [0, 2], hi: [1, 0], flip: true, dtype: mx.float32 },
  // padding wider than the kernel: whole tiles over zeros
  { n: 1, h: 5, w: 4, c: 3, o: 2, lo: [2, 3], hi: [2, 2], flip: false, dtype: mx.float32 },
  // the input viewed through a transpose
  { n: 2, h: 7, w: 6, c: 16, o: 16, lo: [1, 1], hi: [1, 1], flip: false, dtype: mx.float32, transposed: true },
  { n: 2, h: 6, w: 7, c: 16, o: 18, lo: [1, 1], hi: [1, 1], flip: false, dtype: mx.float16 },
  // the input a slice with an offset and a negative stride (columns reversed)
  { n: 2, h: 5, w: 6, c: 16, o: 17, lo: [1, 1], hi: [0, 1], flip: false, dtype: mx.float16, reversed: true },
  { n: 2, h: 6, w: 7, c: 16, o: 18, lo: [1, 0], hi: [0, 1], flip: true, dtype: mx.bfloat16 },
  // 4 x 5 x 6 = 120 tiles in chunks of 7 (the last one short)
  { n: 4, h: 10, w: 11, c: 6, o: 7, lo: [1, 1], hi: [1, 1], flip: false, dtype: mx.float32, chunkTiles: 7 },
];

/** Unit roundoff of a dtype. */
const UNIT: Record<string, number> = { float32: 2 ** -24, float16: 2 ** -11, bfloat16: 2 ** -8 };

/** NHWC values reordered as NCHW. */
function toNchw(v: readonly number[], c: Case): number[] {
  const out: number[] = [];
  for (let n = 0; n < c.n; n++) for (let ch = 0; ch < c.c; ch++) for (let y = 0; y < c.h; y++) for (let x = 0; x < c.w; x++) out.push(v[((n * c.h + y) * c.w + x) * c.c + ch]!);
  return out;
}

/** NHWC values stored with a zero channel in front and the columns reversed: sliced back by [:, :, ::-1, 1:]. */
function toReversed(v: readonly number[], c: Case): number[] {
  const out: number[] = [];
  for (let n = 0; n < c.n; n++) for (let y = 0; y < c.h; y++) for (let x = c.w - 1; x >= 0; x--) out.push(0, ...v.slice(((n * c.h + y) * c.w + x) * c.c, ((n * c.h + y) * c.w + x + 1) * c.c));
  return out;
}

const outSize = (c: Case) => [c.h + c.lo[0] + c.hi[0] - 2, c.w + c.lo[1] + c.hi[1] - 2];

/** A deterministic generator of values in [-1, 1). */
function rng(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 30) - 1;
}

/** NumPy: the exact float64 convolution and the Winograd magnitude |A^T| (|G||g||G^T| . |B^T||d||B|) |A| summed over channels, per output. */
const NUMPY = `
import json, sys, numpy as np
BT = np.array([[1,0,-1,0],[0,1,1,0],[0,-1,1,0],[0,1,0,-1]], float)
G = np.array([[1,0,0],[.5,.5,.5],[.5,-.5,.5],[0,0,1]], float)
AT = np.array([[1,1,1,0],[0,1,-1,-1]], float)
res = []
for c in json.load(sys.stdin):
    x = np.array(c["x"], float).reshape(c["n"], c["h"], c["w"], c["c"])
    w = np.array(c["wv"], float).reshape(c["o"], 3, 3, c["c"])
    if c["flip"]: w = w[:, ::-1, ::-1, :]
    (lo0, lo1), (hi0, hi1) = c["lo"], c["hi"]
    ho, wo = c["h"] + lo0 + hi0 - 2, c["w"] + lo1 + hi1 - 2
    th, tw = (ho + 1) // 2, (wo + 1) // 2
    # the input padded (cropped where negative) and extended with zeros to whole tiles
    xp = np.zeros((c["n"], 2 * th + 2 + 4, 2 * tw + 2 + 4, c["c"]))
    for i in range(xp.shape[1]):
        for j in range(xp.shape[2]):
            si, sj = i - lo0, j - lo1
            if 0 <= si < c["h"] and 0 <= sj < c["w"]: xp[:, i, j] = x[:, si, sj]
    out = np.zeros((c["n"], ho, wo, c["o"]))
    for i in range(3):
        for j in range(3):
            out += np.einsum("nhwc,oc->nhwo", xp[:, i:i + ho, j:j + wo], w[:, i, j])
    U = np.einsum("ki,oijc,lj->klco", abs(G), abs(w), abs(G))
    mag = np.zeros((c["n"], 2 * th, 2 * tw, c["o"]))
    for a in range(th):
        for b in range(tw):
            d = xp[:, 2 * a:2 * a + 4, 2 * b:2 * b + 4]
            V = np.einsum("ki,nijc,lj->nklc", abs(BT), abs(d), abs(BT))
            P = np.einsum("nklc,klco->nklo", V, U)
            mag[:, 2 * a:2 * a + 2, 2 * b:2 * b + 2] = np.einsum("yk,nklo,xl->nyxo", abs(AT), P, abs(AT))
    res.append({"out": out.ravel().tolist(), "mag": mag[:, :ho, :wo].ravel().tolist()})
print(json.dumps(res))
`;

/** Each case's input and weight values, rounded to its dtype first so the reference sees the same values. */
const INPUTS = await Promise.all(
  CASES.map(async (c, i) => {
    const r = rng(31 + i);
    const round = async (n: number) => values(mx.astype(mx.array(Array.from({ length: n }, r), mx.float32, { stream: mx.cpu }), c.dtype, { stream: mx.cpu }));
    const x = await round(c.n * c.h * c.w * c.c);
    return { ...c, dtype: c.dtype.name, x, wv: await round(c.o * 9 * c.c) };
  }),
);
const REFS = numpyAnswers(() => runPython<{ out: number[]; mag: number[] }[]>(NUMPY, INPUTS));

describe("winogradPlan", () => {
  const p = (o: Partial<{ strides: number[]; kernelDilation: number[]; inputDilation: number[]; groups: number }> = {}) => ({
    strides: [1, 1], paddingLo: [1, 1], paddingHi: [1, 1], kernelDilation: [1, 1], inputDilation: [1, 1], groups: 1, flip: false, ...o,
  });
  const x = { shape: [2, 8, 8, 16], dtype: mx.float32 }, w = { shape: [32, 3, 3, 16] };
  const big = 2 ** 30;
  const saved = process.env.MLX_TS_CONV_WINOGRAD;
  afterAll(() => {
    if (saved === undefined) delete process.env.MLX_TS_CONV_WINOGRAD;
    else process.env.MLX_TS_CONV_WINOGRAD = saved;
  });

  it("applies to 3x3 stride-1 undilated ungrouped 2-D float convolutions with C, O >= 16 (or forced)", () => {
    delete process.env.MLX_TS_CONV_WINOGRAD;
    expect(winogradPlan(p(), x, w, [2, 8, 8, 32], big)).toMatchObject({ TH: 4, TW: 4, tiles: 32, chunk: 32 });
    expect(winogradPlan(p(), { ...x, dtype: mx.bfloat16 }, w, [2, 8, 8, 32], big)).toBeDefined();
    expect(winogradPlan(p({ strides: [1, 2] }), x, w, [2, 8, 4, 32], big)).toBeUndefined();
    expect(winogradPlan(p({ kernelDilation: [2, 1] }), x, w, [2, 6, 8, 32], big)).toBeUndefined();
    expect(winogradPlan(p({ inputDilation: [1, 2] }), x, w, [2, 8, 15, 32], big)).toBeUndefined();
    expect(winogradPlan(p({ groups: 2 }), x, { shape: [32, 3, 3, 8] }, [2, 8, 8, 32], big)).toBeUndefined();
    expect(winogradPlan(p(), x, { shape: [32, 3, 5, 16] }, [2, 8, 6, 32], big)).toBeUndefined();
    expect(winogradPlan(p(), { ...x, dtype: mx.float64 }, w, [2, 8, 8, 32], big)).toBeUndefined();
    expect(winogradPlan(p(), { shape: [2, 8, 8, 8], dtype: mx.float32 }, { shape: [32, 3, 3, 8] }, [2, 8, 8, 32], big)).toBeUndefined();
    process.env.MLX_TS_CONV_WINOGRAD = "1";
    expect(winogradPlan(p(), { shape: [2, 8, 8, 8], dtype: mx.float32 }, { shape: [4, 3, 3, 8] }, [2, 8, 8, 4], big)).toBeDefined();
    process.env.MLX_TS_CONV_WINOGRAD = "0";
    expect(winogradPlan(p(), x, w, [2, 8, 8, 32], big)).toBeUndefined();
  });

  it("chunks the tiles so the workspace stays within its bound and the device's binding limit", () => {
    delete process.env.MLX_TS_CONV_WINOGRAD;
    // 64 (C + O) = 3072 bytes per tile
    setWinogradWorkspaceBytes(3072 * 5 + 100);
    try {
      expect(winogradPlan(p(), x, w, [2, 8, 8, 32], big)?.chunk).toBe(5);
    } finally {
      setWinogradWorkspaceBytes(undefined);
    }
    // one binding holds 64 max(C, O) = 2048 bytes per tile
    expect(winogradPlan(p(), x, w, [2, 8, 8, 32], 2048 * 17 + 2047)?.chunk).toBe(17);
    // the transformed weight (64 C O bytes) must fit one binding
    expect(winogradPlan(p(), x, w, [2, 8, 8, 32], 64 * 16 * 32 - 1)).toBeUndefined();
  });
});

describe.each(BACKENDS)("Winograd convolution on $name", ({ device }) => {
  const saved = process.env.MLX_TS_CONV_WINOGRAD;
  beforeAll(() => {
    process.env.MLX_TS_CONV_WINOGRAD = "1";
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.MLX_TS_CONV_WINOGRAD;
    else process.env.MLX_TS_CONV_WINOGRAD = saved;
  });
  const s = { stream: device };

  itWithNumpy("matches the NumPy float64 convolution within the Winograd error bound", async () => {
    for (const [i, c] of CASES.entries()) {
      const { x: xr, wv: wr } = INPUTS[i]!;
      const stored = (v: number[], shape: number[]) => mx.reshape(mx.astype(mx.array(v, mx.float32, s), c.dtype, s), shape, s);
      const xin = c.transposed
        ? mx.transpose(stored(toNchw(xr, c), [c.n, c.c, c.h, c.w]), [0, 2, 3, 1], s)
        : c.reversed
          ? mx.slice(stored(toReversed(xr, c), [c.n, c.h, c.w, c.c + 1]), [null, null, null, 1], [null, null, null, null], [1, 1, -1, 1], s)
          : stored(xr, [c.n, c.h, c.w, c.c]);
      const w = stored(wr, [c.o, 3, 3, c.c]);
      if (c.chunkTiles) setWinogradWorkspaceBytes(64 * (c.c + c.o) * c.chunkTiles);
      let got: number[];
      try {
        const y = mx.convGeneral(xin, w, { padding: [c.lo, c.hi], flip: c.flip, ...s });
        expect([...y.shape]).toEqual([c.n, ...outSize(c), c.o]);
        expect(y.dtype).toBe(c.dtype);
        got = await values(y);
      } finally {
        setWinogradWorkspaceBytes(undefined);
      }
      const { out, mag } = REFS![i]!;
      const u = UNIT[c.dtype.name]!, k = (c.c + 12) * 2 ** -24;
      got.forEach((g, j) => {
        const tol = k * mag[j]! + u * (Math.abs(out[j]!) + k * mag[j]!);
        expect(Math.abs(g - out[j]!) <= tol, `case ${i} element ${j}: got ${g}, want ${out[j]} (tol ${tol})`).toBe(true);
      });
    }
  });
});
