// Op-database entries of mx.linalg: cholesky (of X X^T + n I, well
// conditioned whatever X holds, plus X's triangle it does not read); triInv,
// choleskyInv, inv, solve and solveTriangular (of X + 3 I, diagonally
// dominant); eigh and eigvalsh (of X's triangle); svd (square with vectors,
// rectangular without; vectors drawn where the values are apart). Eigen- and
// singular vectors are defined up to sign: the entries give them
// sign-normalised (a weighted sum of each column made positive), as the NumPy
// expressions do. Then those of opdb-linalg-decomp.ts (norm, qr, det,
// slogdet, luFactor, lu, pinv, cross, eig, eigvals). A factorization runs
// where the backend has its kernel (cholesky, triInv, inv, solve and qr on
// metal and webgpu); elsewhere its cells are n/a ("not implemented on
// backend"); norm's reductions and cross run everywhere.

import fc from "fast-check";
import * as mx from "../index.js";
import type { InputCase } from "./arbitraries.js";
import type { OpEntry, Params } from "./opdb.js";
import { cpu } from "./opdb-common.js";
import { batchArb, diagonallyDominant, LINALG_FLOATS, matrixArb, squareCases } from "./opdb-linalg-common.js";
import { LINALG_DECOMP_NUMPY, LINALG_DECOMP_OPS } from "./opdb-linalg-decomp.js";
import { svd, symmetricEigen, symmetricFrom } from "../backends/cpu/linalg-algorithms.js";

/** Whether the sorted `values` are apart by more than 1e-3 of their scale (the vectors are then well defined). */
function separated(values: ArrayLike<number>): boolean {
  const scale = 1 + Math.max(...Array.from(values, Math.abs));
  for (let i = 0; i + 1 < values.length; i++) if (Math.abs(values[i + 1]! - values[i]!) <= 1e-3 * scale) return false;
  return true;
}

/** Whether every matrix of input `x` has separated eigenvalues (of the triangle `upper` names) or singular values (and none near 0). */
function wellSeparated(x: InputCase, kind: "eigh" | "svd", upper = false): boolean {
  const [m, n] = x.shape.slice(-2) as [number, number];
  const values = x.values as number[];
  for (let p = 0; p < values.length; p += m * n) {
    const spectrum = kind === "eigh" ? symmetricEigen(symmetricFrom(values, p, n, upper), n).values : svd(values, p, m, n).s;
    // a zero singular value pairs its left and right vectors with independent signs: kept apart from 0 too
    if (!separated(kind === "svd" ? [0, ...Array.from(spectrum).reverse()] : spectrum)) return false;
  }
  return true;
}

/**
 * `x` with each column's sign chosen so that its weighted sum (weights k + √2
 * down the column: not zero for the structured vectors a plain sum cancels,
 * as [1, -1] / √2) is not negative; the same signs on the rows of `rows` when given.
 */
function signNormalised(x: mx.MxArray, o: mx.OpOptions, rows?: mx.MxArray): [mx.MxArray, mx.MxArray | undefined] {
  const n = x.shape.at(-2)!;
  const weights = mx.reshape(mx.add(mx.arange(n, { dtype: x.dtype, ...o }), Math.SQRT2, o), [n, 1], o);
  const t = mx.where(mx.less(mx.sum(mx.multiply(x, weights, o), { axis: -2, keepdims: true, ...o }), 0, o), -1, 1, o);
  return [mx.multiply(x, t, o), rows && mx.multiply(rows, mx.swapaxes(t, -1, -2, o), o)];
}

/** X X^T + n I: symmetric positive definite with eigenvalues at least n. */
function spdOf(x: mx.MxArray, o: mx.OpOptions): mx.MxArray {
  const n = x.shape.at(-1)!;
  return mx.add(mx.matmul(x, mx.swapaxes(x, -1, -2, o), o), mx.multiply(mx.eye(n, n, 0, { dtype: x.dtype, ...o }), n, o), o);
}

/** `a` plus X's strict triangle that the factorization does not read (so its gradient must leave X's there out). */
function withUnreadTriangle(a: mx.MxArray, x: mx.MxArray, upper: boolean, o: mx.OpOptions): mx.MxArray {
  return mx.add(a, upper ? mx.tril(x, -1, o) : mx.triu(x, 1, o), o);
}

/** A triangular matrix with a diagonal in [2, 4]: X's triangle plus 3 I. */
function triangularOf(x: mx.MxArray, upper: boolean, o: mx.OpOptions): mx.MxArray {
  const n = x.shape.at(-1)!;
  const t = upper ? mx.triu(x, 0, o) : mx.tril(x, 0, o);
  return mx.add(t, mx.multiply(mx.eye(n, n, 0, { dtype: x.dtype, ...o }), 3, o), o);
}

const uplo = (p: Params) => p.UPLO as "L" | "U";

/** The eigenvalues as a first row over the sign-normalised eigenvectors. */
function eighCall(x: mx.MxArray, p: Params, o: mx.OpOptions): mx.MxArray {
  const [w, v] = mx.linalg.eigh(x, { UPLO: uplo(p), ...o });
  return mx.concatenate([mx.expandDims(w, -2, o), signNormalised(v, o)[0]], { axis: -2, ...o });
}

/** U, then S as a row, then Vt, with the signs of U's columns and Vt's rows normalised together. */
function svdCall(x: mx.MxArray, p: Params, o: mx.OpOptions): mx.MxArray {
  if (!p.computeUV) return mx.linalg.svd(x, false, o);
  const [u, s, vt] = mx.linalg.svd(x, o);
  const [un, vtn] = signNormalised(u, o, vt);
  return mx.concatenate([un, mx.expandDims(s, -2, o), vtn!], { axis: -2, ...o });
}

/**
 * |error| <= 64 n u ‖A‖ (1 + ‖A‖ / gap) per element: backward-stable factorizations,
 * vectors sensitive to the smallest gap between the values (`values` of the case).
 */
async function spectralBound(a: mx.MxArray, values: mx.MxArray, u: number, refLength: number): Promise<number[]> {
  const n = a.shape.at(-1)!;
  const norm = (await mx.max(mx.abs(a, cpu), cpu).item()) as number * n;
  const w = (await values.tolist()) as unknown;
  const rows = (Array.isArray((w as unknown[])[0]) ? (w as number[][]) : [w as number[]]).flat(Infinity) as number[];
  let gap = Infinity;
  const k = values.shape.at(-1)!;
  for (let i = 0; i + 1 < rows.length; i++) if ((i + 1) % k !== 0) gap = Math.min(gap, Math.abs(rows[i + 1]! - rows[i]!));
  const bound = 64 * n * u * (norm + 1) * (1 + (norm + 1) / Math.max(gap, 1e-300));
  return new Array<number>(refLength).fill(bound);
}

const f64 = (x: mx.MxArray) => mx.astype(x, mx.float64, cpu);


export const LINALG_OPS: readonly OpEntry[] = [
  {
    name: "linalg.cholesky",
    group: "linalg",
    contractAs: "matmul",
    dtypes: LINALG_FLOATS,
    cases: squareCases(fc.record({ upper: fc.boolean() })),
    call: ([x], p, o) => mx.linalg.cholesky(withUnreadTriangle(spdOf(x!, o), x!, p.upper as boolean, o), { upper: p.upper as boolean, ...o }),
    source: ([x], p, o) => `mx.linalg.cholesky(mx.add(mx.add(mx.matmul(${x}, mx.swapaxes(${x}, -1, -2)), mx.multiply(mx.eye(${x}.shape.at(-1)), ${x}.shape.at(-1))), mx.${p.upper ? "tril" : "triu"}(${x}, ${p.upper ? -1 : 1})), { upper: ${String(p.upper)}, ...${o} })`,
    spread: "matmul",
    conditionBound: async ([x], _p, ref, u) => new Array<number>(ref.length).fill(64 * x!.shape.at(-1)! ** 2 * u * 2),
  },
  {
    name: "linalg.triInv",
    group: "linalg",
    contractAs: "matmul",
    dtypes: LINALG_FLOATS,
    cases: squareCases(fc.record({ upper: fc.boolean() })),
    call: ([x], p, o) => mx.linalg.triInv(triangularOf(x!, p.upper as boolean, o), { upper: p.upper as boolean, ...o }),
    source: ([x], p, o) => `mx.linalg.triInv(mx.add(mx.${p.upper ? "triu" : "tril"}(${x}), mx.multiply(mx.eye(${x}.shape.at(-1)), 3)), { upper: ${String(p.upper)}, ...${o} })`,
    spread: "matmul",
    conditionBound: async ([x], _p, ref, u) => new Array<number>(ref.length).fill(64 * x!.shape.at(-1)! ** 2 * u),
  },
  {
    name: "linalg.inv",
    group: "linalg",
    contractAs: "matmul",
    dtypes: LINALG_FLOATS,
    cases: squareCases(fc.constant({})),
    call: ([x], _p, o) => mx.linalg.inv(diagonallyDominant(x!, o), o),
    source: ([x], _p, o) => `mx.linalg.inv(mx.add(${x}, mx.multiply(mx.eye(${x}.shape.at(-1)), 3)), ${o})`,
    spread: "matmul",
    conditionBound: async ([x], _p, ref, u) => new Array<number>(ref.length).fill(64 * x!.shape.at(-1)! ** 2 * u),
  },
  {
    name: "linalg.solve",
    group: "linalg",
    contractAs: "matmul",
    dtypes: LINALG_FLOATS,
    cases: (d) => fc.tuple(batchArb, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3 })).chain(([b, n, k]) =>
      fc.record({ inputs: fc.tuple(matrixArb(d, b, n, n), k === 0 ? matrixArb(d, [], 1, n).map((v) => ({ ...v, shape: [n] })) : matrixArb(d, b.slice(1), n, k)), params: fc.constant({}) }),
    ),
    call: ([a, b], _p, o) => mx.linalg.solve(diagonallyDominant(a!, o), b!, o),
    source: ([a, b], _p, o) => `mx.linalg.solve(mx.add(${a}, mx.multiply(mx.eye(${a}.shape.at(-1)), 3)), ${b}, ${o})`,
    spread: "matmul",
    conditionBound: async ([x], _p, ref, u) => new Array<number>(ref.length).fill(64 * x!.shape.at(-1)! ** 2 * u * 4),
  },
  {
    name: "linalg.solveTriangular",
    group: "linalg",
    contractAs: "matmul",
    dtypes: LINALG_FLOATS,
    cases: (d) => fc.tuple(batchArb, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.boolean()).chain(([b, n, k, upper]) =>
      fc.record({ inputs: fc.tuple(matrixArb(d, b, n, n), matrixArb(d, b, n, k)), params: fc.constant({ upper }) }),
    ),
    call: ([a, b], p, o) => mx.linalg.solveTriangular(mx.add(a!, mx.multiply(mx.eye(a!.shape.at(-1)!, a!.shape.at(-1)!, 0, { dtype: a!.dtype, ...o }), 3, o), o), b!, { upper: p.upper as boolean, ...o }),
    source: ([a, b], p, o) => `mx.linalg.solveTriangular(mx.add(${a}, mx.multiply(mx.eye(${a}.shape.at(-1)), 3)), ${b}, { upper: ${String(p.upper)}, ...${o} })`,
    spread: "matmul",
    conditionBound: async ([x], _p, ref, u) => new Array<number>(ref.length).fill(64 * x!.shape.at(-1)! ** 2 * u * 4),
  },
  {
    name: "linalg.choleskyInv",
    group: "linalg",
    contractAs: "matmul",
    dtypes: LINALG_FLOATS,
    cases: squareCases(fc.record({ upper: fc.boolean() })),
    call: ([x], p, o) => mx.linalg.choleskyInv(triangularOf(x!, p.upper as boolean, o), { upper: p.upper as boolean, ...o }),
    source: ([x], p, o) => `mx.linalg.choleskyInv(mx.add(mx.${p.upper ? "triu" : "tril"}(${x}), mx.multiply(mx.eye(${x}.shape.at(-1)), 3)), { upper: ${String(p.upper)}, ...${o} })`,
    spread: "matmul",
    conditionBound: async ([x], _p, ref, u) => new Array<number>(ref.length).fill(64 * x!.shape.at(-1)! ** 2 * u),
  },
  {
    name: "linalg.eigh",
    group: "linalg",
    contractAs: "matmul",
    dtypes: LINALG_FLOATS,
    cases: (d) => squareCases(fc.record({ UPLO: fc.constantFrom("L", "U") }))(d).filter((c) => wellSeparated(c.inputs[0]!, "eigh", c.params.UPLO === "U")),
    call: ([x], p, o) => eighCall(x!, p, o),
    source: ([x], p, o) => `mx.linalg.eigh(${x}, { UPLO: "${uplo(p)}", ...${o} }) // eigenvalues as a first row over the eigenvectors, each column's sign making its sum >= 0`,
    spread: "matmul",
    conditionBound: async ([x], p, ref, u) => spectralBound(x!, mx.linalg.eigvalsh(f64(x!), { UPLO: uplo(p), ...cpu }), u, ref.length),
  },
  {
    name: "linalg.eigvalsh",
    group: "linalg",
    contractAs: "matmul",
    dtypes: LINALG_FLOATS,
    cases: squareCases(fc.record({ UPLO: fc.constantFrom("L", "U") })),
    call: ([x], p, o) => mx.linalg.eigvalsh(x!, { UPLO: uplo(p), ...o }),
    source: ([x], p, o) => `mx.linalg.eigvalsh(${x}, { UPLO: "${uplo(p)}", ...${o} })`,
    spread: "reduce",
    conditionBound: async ([x], _p, ref, u) => new Array<number>(ref.length).fill(64 * x!.shape.at(-1)! ** 2 * u),
  },
  {
    name: "linalg.svd",
    group: "linalg",
    contractAs: "matmul",
    dtypes: LINALG_FLOATS,
    cases: (d) =>
      fc.tuple(batchArb, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.boolean()).chain(([b, m, n, uv]) =>
        fc.record({ inputs: matrixArb(d, b, m, uv ? m : n).map((x) => [x]), params: fc.constant({ computeUV: uv }) }),
      ).filter((c) => !c.params.computeUV || wellSeparated(c.inputs[0]!, "svd")),
    call: ([x], p, o) => svdCall(x!, p, o),
    source: ([x], p, o) => (p.computeUV ? `mx.linalg.svd(${x}, ${o}) // [U; S; Vt] stacked, U's columns and Vt's rows sign-normalised together` : `mx.linalg.svd(${x}, false, ${o})`),
    spread: "matmul",
    conditionBound: async ([x], _p, ref, u) => spectralBound(x!, mx.linalg.svd(f64(x!), false, cpu), u, ref.length),
  },
  ...LINALG_DECOMP_OPS,
];

const SIGN_OF = "(lambda v: np.where((v * (np.arange(v.shape[-2]) + np.sqrt(2))[:, None]).sum(-2, keepdims=True) < 0, -1.0, 1.0))";
const SIGNS = `(lambda v: v * ${SIGN_OF}(v))`;
const SWAP = "(lambda a: np.swapaxes(a, -1, -2))";

/**
 * NumPy's LAPACK on the same inputs (composed as the entries compose them, in
 * the input dtype, then factored in float64): np.linalg.cholesky, inv of the
 * triangle, eigh, eigvalsh and svd, vectors sign-normalised as the entries'.
 */
export const LINALG_NUMPY: Record<string, string> = {
  "linalg.cholesky": `(lambda n: (lambda a: (lambda l: ${SWAP}(l) if p['upper'] else l)(np.linalg.cholesky(${SWAP}(a) if p['upper'] else a)))(((x[0].astype('float64') @ ${SWAP}(x[0]).astype('float64')).astype(dt).astype('float64') + n * np.eye(n)).astype(dt).astype('float64')))(x[0].shape[-1])`,
  "linalg.triInv": `(lambda n: np.linalg.inv(((np.triu(x[0]) if p['upper'] else np.tril(x[0])).astype('float64') + 3 * np.eye(n)).astype(dt).astype('float64')))(x[0].shape[-1])`,
  "linalg.inv": "np.linalg.inv((x[0].astype('float64') + 3 * np.eye(x[0].shape[-1])).astype(dt).astype('float64'))",
  // b broadcast to the full batch explicitly (NumPy 1.x reads a b of one dim fewer than a as a stack of vectors)
  "linalg.solve": "(lambda a, b: (lambda m, bt: np.linalg.solve(np.broadcast_to(a, bt + a.shape[-2:]), np.broadcast_to(m, bt + m.shape[-2:]))[..., 0] if b.ndim == 1 else np.linalg.solve(np.broadcast_to(a, bt + a.shape[-2:]), np.broadcast_to(m, bt + m.shape[-2:])))(b[:, None] if b.ndim == 1 else b, np.broadcast_shapes(a.shape[:-2], b.shape[:-2] if b.ndim > 1 else ())))((x[0].astype('float64') + 3 * np.eye(x[0].shape[-1])).astype(dt).astype('float64'), x[1].astype('float64'))",
  "linalg.solveTriangular": "np.linalg.solve(((np.triu(x[0]) if p['upper'] else np.tril(x[0])).astype('float64') + 3 * np.eye(x[0].shape[-1])).astype(dt).astype('float64'), x[1].astype('float64'))",
  "linalg.choleskyInv": `(lambda l: (lambda li: li @ ${SWAP}(li) if p['upper'] else ${SWAP}(li) @ li)(np.linalg.inv(l).astype(dt).astype('float64')))(((np.triu(x[0]) if p['upper'] else np.tril(x[0])).astype('float64') + 3 * np.eye(x[0].shape[-1])).astype(dt).astype('float64'))`,
  "linalg.eigh": `(lambda r: np.concatenate([r[0][..., None, :], ${SIGNS}(r[1])], axis=-2))(np.linalg.eigh(x[0].astype('float64'), UPLO=p['UPLO']))`,
  "linalg.eigvalsh": "np.linalg.eigvalsh(x[0].astype('float64'), UPLO=p['UPLO'])",
  ...LINALG_DECOMP_NUMPY,
  "linalg.svd": `(lambda a: (lambda r: (lambda t: np.concatenate([r[0] * t, r[1][..., None, :], r[2] * ${SWAP}(t)], axis=-2))(${SIGN_OF}(r[0])))(np.linalg.svd(a)) if p['computeUV'] else np.linalg.svd(a, compute_uv=False))(x[0].astype('float64'))`,
};
