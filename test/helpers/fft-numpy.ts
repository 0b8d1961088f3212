// What the GPU FFT length tests (test/fft-mixed-radix, test/fft-radix-11-13)
// share: deterministic signals, NumPy's np.fft in float64 on a batch of
// cases, an array's complex parts, and the relative l2 error in u log2 n.

import { runPython } from "./numpy.js";
import * as mx from "../../index.js";

const U = 2 ** -24;
type C = { re: number; im: number };

/** Deterministic float32-representable values. */
export function signal(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.fround(Math.sin(seed * 12.9898 + i * 78.233) * 3 + Math.cos(i * 0.37 + seed)));
}

/** A NumPy np.fft call: the function's name, the input (complex parts; im empty for a real input) of `shape`, and its keyword arguments. */
export interface NumpyCase {
  fn: string;
  shape: number[];
  re: number[];
  im: number[];
  kwargs: Record<string, unknown>;
}

/** NumPy's results of `cases` (each flattened to [re, im]), in float64. */
export function numpy(cases: NumpyCase[]): [number[], number[]][] {
  const script = `
import json, sys, numpy as np
out = []
for c in json.load(sys.stdin):
    x = np.array(c["re"], dtype=np.float64).reshape(c["shape"])
    if c["im"]:
        x = x + 1j * np.array(c["im"], dtype=np.float64).reshape(c["shape"])
    y = np.asarray(getattr(np.fft, c["fn"])(x, **c["kwargs"])).ravel()
    out.append([np.real(y).tolist(), np.imag(y).tolist()])
print(json.dumps(out))
`;
  return runPython<[number[], number[]][]>(script, cases);
}

/** The complex parts of `y` flattened (a real array's imaginary parts zero). */
export async function parts(y: mx.MxArray): Promise<[number[], number[]]> {
  const v = (await mx.reshape(y, [-1]).tolist()) as (C | number)[];
  return y.dtype === mx.complex64 ? [v.map((z) => (z as C).re), v.map((z) => (z as C).im)] : [v as number[], v.map(() => 0)];
}

/** ||got - want||_2 / ||want||_2 in units of u log2 n. */
export function relativeError(got: [number[], number[]], want: [number[], number[]], n: number): number {
  let e = 0, w = 0;
  want[0].forEach((v, i) => {
    e += (got[0][i]! - v) ** 2 + (got[1][i]! - want[1][i]!) ** 2;
    w += v * v + want[1][i]! ** 2;
  });
  return Math.sqrt(e / w) / (U * Math.log2(Math.max(2, n)));
}
