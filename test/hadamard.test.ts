// hadamardTransform's lengths m * 2^k (m = 12, 20, 28): the generated order-m
// matrices (Hadamard, the structure their constructions imply, equal to the
// same constructions built in NumPy), and the transform on every backend and
// float dtype against NumPy's kron(H_m, Sylvester) @ x, gradients, errors.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { HADAMARD_ORDERS, hadamardMatrix } from "../src/ops/hadamard-matrices.js";
import { BACKENDS, expectClose, type Nested } from "./helpers/backends.js";
import { itWithNumpy, numpyAnswers, runPython } from "./helpers/numpy.js";

type Matrix = number[][];

const product = (a: Matrix, b: Matrix): Matrix => a.map((r) => b[0]!.map((_, j) => r.reduce((s, v, t) => s + v * b[t]![j]!, 0)));
const transpose = (a: Matrix): Matrix => a[0]!.map((_, j) => a.map((r) => r[j]!));
const scaledIdentity = (n: number, c: number): Matrix => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? c : 0)));
/** The b x b block (r, c) of `h`. */
const block = (h: Matrix, b: number, r: number, c: number): Matrix => h.slice(r * b, (r + 1) * b).map((row) => row.slice(c * b, (c + 1) * b));

/** Small integers over 4 from a fixed LCG: exact in every float dtype, and their +-1 sums exact in float32. */
function quarters(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return ((s % 13) - 6) / 4;
  });
}

const CASES = HADAMARD_ORDERS.flatMap((m) => [0, 1, 3].map((k, i) => ({ m, k, n: m * 2 ** k, scale: i === 1 ? 0.34 : null })));
const ROWS = 3;

/** NumPy's side from one python3 run: Paley II (q = 5) and Williamson (n = 5, 7) built there, and each case's kron(H_m, S_2^k) @ x * scale. */
function askNumpy(): { matrices: Record<string, Matrix>; outputs: Nested[] } {
  const req = CASES.map((c, i) => ({ ...c, x: quarters(ROWS * c.n, 11 + i) }));
  const script = `
import json, sys
import numpy as np
def paley2(q):
    chi = np.array([0] + [1 if any(x * x % q == a for x in range(1, q)) else -1 for a in range(1, q)])
    c = np.ones((q + 1, q + 1), dtype=np.int64)
    c[0, 0] = 0
    c[1:, 1:] = chi[(np.arange(q)[None, :] - np.arange(q)[:, None]) % q]
    return np.kron(c, [[1, 1], [1, -1]]) + np.kron(np.eye(q + 1, dtype=np.int64), [[1, -1], [-1, -1]])
def williamson(n):
    t = (n - 1) // 2
    def circ(s):
        row = -np.ones(n, dtype=np.int64)
        row[[0, s % n, -s % n]] = 1
        return np.array([np.roll(row, i) for i in range(n)])
    a, b, c, d = [circ(s) for s in [0] * (4 - t) + list(range(1, t + 1))]
    return np.block([[a, b, c, d], [-b, a, -d, c], [-c, d, a, -b], [-d, -c, b, a]])
H = {12: paley2(5), 20: williamson(5), 28: williamson(7)}
def sylvester(p):
    s = np.array([[1]])
    while len(s) < p:
        s = np.block([[s, s], [s, -s]])
    return s
out = []
for c in json.load(sys.stdin):
    n = c['n']
    x = np.array(c['x'], dtype=np.float64).reshape(-1, n)
    scale = c['scale'] if c['scale'] is not None else 1 / np.sqrt(n)
    out.append(((x @ np.kron(H[c['m']], sylvester(n // c['m'])).T) * scale).tolist())
print(json.dumps({'matrices': {str(m): h.tolist() for m, h in H.items()}, 'outputs': out}))
`;
  return runPython(script, req);
}

const NP = numpyAnswers(askNumpy);

describe("the order-m Hadamard matrices", () => {
  itWithNumpy.each(HADAMARD_ORDERS)("H_%i has +-1 entries, H H^T = m I, and equals its construction built in NumPy", (m) => {
    const h = hadamardMatrix(m);
    expect(h.length).toBe(m);
    expect(h.every((r) => r.length === m && r.every((v) => v === 1 || v === -1))).toBe(true);
    expect(product(h, transpose(h))).toEqual(scaledIdentity(m, m));
    expect(h).toEqual(NP!.matrices[String(m)]);
  });

  it("H_12 is Paley II for q = 5: symmetric, 2 x 2 blocks from a conference matrix with Jacobsthal's core", () => {
    const h = hadamardMatrix(12);
    expect(transpose(h)).toEqual(h);
    // each 2 x 2 block is [[1, -1], [-1, -1]] (a 0 of the conference matrix) or c [[1, 1], [1, -1]]
    const conference = Array.from({ length: 6 }, (_, i) =>
      Array.from({ length: 6 }, (_, j) => {
        const [[a, b], [c, d]] = block(h, 2, i, j) as [[number, number], [number, number]];
        if (a === 1 && b === -1 && c === -1 && d === -1) return 0;
        expect([b, c, d]).toEqual([a, a, -a]);
        return a;
      }),
    );
    expect(product(conference, transpose(conference))).toEqual(scaledIdentity(6, 5));
    expect(conference[0]).toEqual([0, 1, 1, 1, 1, 1]);
    // Jacobsthal: Q_ij = 1 when j - i is a nonzero square mod 5 ({1, 4}), -1 for the non-squares, 0 on the diagonal
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(conference[i + 1]![j + 1]).toBe([0, 1, -1, -1, 1][(j - i + 5) % 5]);
  });

  it.each([20, 28] as const)("H_%i is Williamson's array of four symmetric circulants with A^2 + B^2 + C^2 + D^2 = 4n I", (m) => {
    const h = hadamardMatrix(m);
    const n = m / 4;
    const abcd = [0, 1, 2, 3].map((c) => block(h, n, 0, c));
    for (const x of abcd) {
      expect(transpose(x)).toEqual(x);
      x.forEach((row, i) => expect(row).toEqual(x[0]!.map((_, j) => x[0]![(j - i + n) % n]!)));
    }
    const squares = abcd.map((x) => product(x, x)).reduce((s, x) => s.map((r, i) => r.map((v, j) => v + x[i]![j]!)));
    expect(squares).toEqual(scaledIdentity(n, m));
    // the array [[A, B, C, D], [-B, A, -D, C], [-C, D, A, -B], [-D, -C, B, A]] (A is never negated)
    const array = [[0, 1, 2, 3], [-1, 0, -3, 2], [-2, 3, 0, -1], [-3, -2, 1, 0]];
    const negate = (x: Matrix) => x.map((r) => r.map((v) => -v));
    array.forEach((row, r) => row.forEach((w, c) => expect(block(h, n, r, c)).toEqual(w < 0 ? negate(abcd[-w]!) : abcd[w]!)));
  });
});

const UNIT = { float32: 2 ** -24, float16: 2 ** -11, bfloat16: 2 ** -8 } as const;

describe.each(BACKENDS)("hadamardTransform of lengths m * 2^k on $name", ({ device }) => {
  const o = { stream: device };

  itWithNumpy.each([mx.float32, mx.float16, mx.bfloat16])("agrees with NumPy in %s", async (dtype) => {
    for (const [i, c] of CASES.entries()) {
      const x = mx.reshape(mx.array(quarters(ROWS * c.n, 11 + i), dtype, o), [ROWS, c.n], o);
      const y = mx.hadamardTransform(x, c.scale, o);
      expect(y.dtype).toBe(dtype);
      expect(y.shape).toEqual([ROWS, c.n]);
      // inputs, products and sums are exact in float32: the scale and the output dtype round once each
      await expectClose(y, NP!.outputs[i]!, 2.01 * UNIT[dtype.name as keyof typeof UNIT], 1e-6);
    }
  });

  it("transforms a batch of length m = 20 (no butterflies), integers as float32", async () => {
    const x = mx.array([quarters(20, 3), quarters(20, 4)], mx.int32, o);
    const y = mx.hadamardTransform(x, 1, o);
    expect(y.dtype).toBe(mx.float32);
    const h = hadamardMatrix(20);
    await expectClose(y, ((await x.tolist()) as number[][]).map((r) => h.map((hr) => hr.reduce((s, v, j) => s + v * r[j]!, 0))), 0, 0);
  });

  it("has the gradient scale H^T c and the tangent H t", async () => {
    const n = 24;
    const s = 1 / Math.sqrt(n);
    const sylvester = [[1, 1], [1, -1]];
    const h = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => hadamardMatrix(12)[i >> 1]![j >> 1]! * sylvester[i & 1]![j & 1]!));
    const c = quarters(n, 5);
    const g = mx.grad((x: mx.MxArray) => mx.sum(mx.multiply(mx.hadamardTransform(x, o), mx.array(c, mx.float32, o), o), o))(mx.zeros([n], mx.float32, o)) as mx.MxArray;
    await expectClose(g, transpose(h).map((r) => s * r.reduce((acc, v, j) => acc + v * c[j]!, 0)), 1e-6, 1e-6);
    const [, [tangent]] = mx.jvp((x: mx.MxArray) => mx.hadamardTransform(x, 1, o), [mx.zeros([n], mx.float32, o)], [mx.array(c, mx.float32, o)]) as [mx.MxArray[], mx.MxArray[]];
    await expectClose(tangent!, h.map((r) => r.reduce((acc, v, j) => acc + v * c[j]!, 0)), 0, 0);
  });
});

describe("hadamardTransform lengths", () => {
  it("refuses lengths other than m * 2^k with m in (1, 12, 20, 28)", () => {
    for (const n of [6, 36, 60, 84, 240]) {
      expect(() => mx.hadamardTransform(mx.zeros([n]))).toThrow(new RegExp(`^\\[hadamardTransform\\] the last axis has length ${n}; supported lengths are m \\* 2\\^k with m in \\(1, 12, 20, 28\\)`));
    }
    expect(mx.hadamardTransform(mx.zeros([2, 28 * 4])).shape).toEqual([2, 112]);
  });
});
