// Op-database entries of mx.linalg's norm (every order, over the flattened
// array, one axis or two), qr, det, slogdet and pinv (of X + 3 I, well
// conditioned), luFactor and lu (of X + 3 I with its rows reversed, so that
// partial pivoting swaps rows), cross, and eig and eigvals (eigenvalues
// apart, compared free of their order and of the vectors' phases), with the
// NumPy expressions that check them (LAPACK through np.linalg; NumPy has no
// LU, so getrf's steps are spelled out).

import fc from "fast-check";
import * as mx from "../index.js";
import type { InputCase } from "./arbitraries.js";
import type { OpEntry, Params } from "./opdb.js";
import { cpu } from "./opdb-common.js";
import { batchArb, diagonallyDominant, LINALG_FLOATS, matrixArb, squareCases } from "./opdb-linalg-common.js";
import { generalEigen } from "../backends/cpu/linalg-eig.js";

/** A norm order carried as a string param (JSON has no Infinity): "none", "fro", "nuc", "inf", "-inf" or a number. */
function normOrder(p: Params): mx.linalg.NormOrder | null {
  const ord = p.ord as string;
  return ord === "none" ? null : ord === "fro" || ord === "nuc" ? ord : ord === "inf" ? Infinity : ord === "-inf" ? -Infinity : Number(ord);
}

/** Norm cases: the flattened 2-norm, a vector norm over one axis or a matrix norm over two (in either order), keepdims or not. */
const normCases = (d: mx.DType) =>
  fc.tuple(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.constantFrom("flat", "vector", "matrix"), fc.boolean()).chain(([shape, mode, keepdims]) => {
    const ndim = shape.length;
    const kind = mode === "matrix" && ndim < 2 ? "vector" : mode;
    const axes = kind === "flat" ? fc.constant(null) : kind === "vector" ? fc.integer({ min: -ndim, max: ndim - 1 }) : fc.shuffledSubarray([...Array(ndim).keys()], { minLength: 2, maxLength: 2 });
    const ords = kind === "flat" ? ["none"] : kind === "vector" ? ["none", "0", "1", "-1", "2", "3", "0.5", "inf", "-inf"] : ["none", "fro", "nuc", "1", "-1", "2", "-2", "inf", "-inf"];
    return fc.record({ inputs: matrixArb(d, shape.slice(0, -2), shape.at(-2) ?? 1, shape.at(-1)!).map((x) => [{ ...x, shape }]), params: fc.record({ ord: fc.constantFrom(...ords), axis: axes, keepdims: fc.constant(keepdims) }) });
  });


/** X + 3 I (m x n): the leading diagonal in [2, 4] dominates, so R's diagonal is well away from 0. */
function rectDominant(x: mx.MxArray, o: mx.OpOptions): mx.MxArray {
  return mx.add(x, mx.multiply(mx.eye(x.shape.at(-2)!, x.shape.at(-1)!, 0, { dtype: x.dtype, ...o }), 3, o), o);
}

/** Cases of one m x n input (m, n in 1..4) with a batch. */
const rectCases = (d: mx.DType) =>
  fc.tuple(batchArb, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })).chain(([b, m, n]) => fc.record({ inputs: matrixArb(d, b, m, n).map((x) => [x]), params: fc.constant({}) }));


/** X + 3 I (m x n) with its rows reversed: well conditioned, and partial pivoting has rows to swap. */
function pivoted(x: mx.MxArray, o: mx.OpOptions): mx.MxArray {
  const m = x.shape.at(-2)!;
  return mx.take(rectDominant(x, o), mx.array(Array.from({ length: m }, (_, i) => m - 1 - i), mx.int32, o), -2, o);
}


/** Cross cases: vectors of size 2 or 3 (each input its own) along an axis among up to two batch axes, b's batch axes all 1 or all a's. */
const crossCases = (d: mx.DType) =>
  fc.tuple(batchArb, fc.constantFrom(2, 3), fc.constantFrom(2, 3), fc.nat(2), fc.boolean()).chain(([batch, na, nb, where, ones]) => {
    const pos = Math.min(where, batch.length);
    const shapeOf = (n: number, bcast: boolean) => {
      const sh = batch.map((v) => (bcast ? 1 : v));
      sh.splice(pos, 0, n);
      return sh;
    };
    const arb = (sh: number[]) => matrixArb(d, [], 1, sh.reduce((x, y) => x * y, 1)).map((v) => ({ ...v, shape: sh }));
    return fc.record({ inputs: fc.tuple(arb(shapeOf(na, false)), arb(shapeOf(nb, ones))), params: fc.constant({ axis: pos - batch.length - 1, axes: [pos - batch.length - 1] }) });
  });


/** The order key of an eigenvalue: its real part plus 0.31 |imaginary part| (a conjugate pair ties, and its vectors have equal moduli). */
const eigKey = (re: number, im: number) => re + 0.31 * Math.abs(im);

/** The smallest distance between the eigenvalues of any matrix of input `x` (and between their keys, a conjugate partner aside), over their scale. */
function eigGap(x: InputCase): number {
  const n = x.shape.at(-1)!;
  const values = x.values as number[];
  let gap = Infinity;
  for (let p = 0; p < values.length; p += n * n) {
    const w = generalEigen(values, p, n, false).values;
    const scale = 1 + Math.max(...Array.from(w, Math.abs));
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const [ar, ai, br, bi] = [w[2 * i]!, w[2 * i + 1]!, w[2 * j]!, w[2 * j + 1]!];
        gap = Math.min(gap, Math.hypot(ar - br, ai - bi) / scale);
        const partners = ar === br && ai === -bi;
        if (!partners) gap = Math.min(gap, Math.abs(eigKey(ar, ai) - eigKey(br, bi)) / scale);
      }
    }
  }
  return gap;
}

/** The real parts (sorted) and the imaginary parts (sorted) of the eigenvalues w, side by side: independent of their order. */
function sortedParts(w: mx.MxArray, o: mx.OpOptions): mx.MxArray {
  return mx.concatenate([mx.sort(mx.real(w, o), -1, o), mx.sort(mx.imag(w, o), -1, o)], { axis: -1, ...o });
}

/** sortedParts(w) as a first row over |v| with its columns in the order of the eigenvalues' keys (phase-free and order-free). */
function eigCall(x: mx.MxArray, o: mx.OpOptions): mx.MxArray {
  const [w, v] = mx.linalg.eig(x, o);
  const re = mx.real(w, o), im = mx.imag(w, o);
  const order = mx.argsort(mx.add(re, mx.multiply(mx.abs(im, o), 0.31, o), o), -1, o);
  const cols = mx.takeAlongAxis(mx.abs(v, o), mx.broadcastTo(mx.expandDims(order, -2, o), v.shape, o), -1, o);
  const n = x.shape.at(-1)!;
  return mx.concatenate([mx.reshape(sortedParts(w, o), [...x.shape.slice(0, -2), 2, n], o), cols], { axis: -2, ...o });
}

/** Eigenvalues of a non-symmetric matrix: first order in ‖A‖ u / gap, plus the rounding of complex64 parts. */
async function eigBound([x]: mx.MxArray[], ref: number[], u: number): Promise<number[]> {
  const n = x!.shape.at(-1)!;
  const norm = ((await mx.max(mx.abs(x!, cpu), cpu).item()) as number) * n;
  const values = Array.from((await mx.astype(x!, mx.float64, cpu).data()) as Float64Array);
  const gap = eigGap({ dtype: "float64", shape: [...x!.shape], values, layout: "contiguous" });
  return ref.map((r) => 4 * 2 ** -24 * Math.abs(r) + 64 * n * u * (norm + 1) * (1 + (norm + 1) / Math.max(gap, 1e-300)));
}


/**
 * Square cases with eigenvalues apart, and no tiny non-zero entries (below
 * 1e-6): LAPACK balances a nearly reducible matrix and then deflates it
 * componentwise, which costs its eigenvectors their small components (NumPy's
 * eigenvector of [[0, 1e-30], [3e-13, 1e-3]] for 0 is (1, 0); it is
 * (1, -3e-10), as ours).
 */
const eigCases = (d: mx.DType) =>
  squareCases(fc.constant({}))(d).filter((c) => (c.inputs[0]!.values as number[]).every((v) => v === 0 || Math.abs(v) >= 1e-6) && eigGap(c.inputs[0]!) > 1e-3);

export const LINALG_DECOMP_OPS: readonly OpEntry[] = [
  {
    name: "linalg.norm",
    group: "linalg",
    contractAs: "matmul",
    dtypes: LINALG_FLOATS,
    cases: normCases,
    call: ([x], p, o) => mx.linalg.norm(x!, normOrder(p), p.axis as number | number[] | null, p.keepdims as boolean, o),
    source: ([x], p, o) => `mx.linalg.norm(${x}, ${String(normOrder(p))}, ${JSON.stringify(p.axis)}, ${String(p.keepdims)}, ${o})`,
    spread: "reduce",
    // sums of |x|^p and singular values: backward stable, error relative to the norm of the whole input;
    // plus the roundings of the composition's steps (|x|^p, the sum, the root) in the input's dtype
    conditionBound: async ([x], _p, ref, u) => {
      const terms = 64 * x!.size * u * (1 + ((await mx.sum(mx.abs(x!, cpu), cpu).item()) as number));
      const steps = 16 * (x!.dtype === mx.float32 ? 2 ** -24 : 2 ** -53);
      return ref.map((r) => terms + steps * Math.abs(r));
    },
  },
  {
    name: "linalg.qr",
    group: "linalg",
    contractAs: "matmul",
    dtypes: LINALG_FLOATS,
    cases: rectCases,
    call: ([x], _p, o) => {
      const [q, r] = mx.linalg.qr(rectDominant(x!, o), o);
      // R's diagonal made positive (with Q's columns): a column already zero below the diagonal up to rounding has either sign
      const sign = mx.where(mx.less(mx.diagonal(r, { axis1: -2, axis2: -1, ...o }), 0, o), -1, 1, o);
      return mx.concatenate([mx.multiply(mx.swapaxes(q, -1, -2, o), mx.expandDims(sign, -1, o), o), mx.multiply(r, mx.expandDims(sign, -1, o), o)], { axis: -1, ...o });
    },
    source: ([x], _p, o) => `mx.linalg.qr(mx.add(${x}, mx.multiply(mx.eye(${x}.shape.at(-2), ${x}.shape.at(-1)), 3)), ${o}) // [Q^T, R] side by side, R's diagonal made positive`,
    spread: "matmul",
    conditionBound: async ([x], _p, ref, u) => new Array<number>(ref.length).fill(64 * (x!.shape.at(-1)! + x!.shape.at(-2)!) ** 2 * u),
  },
  {
    name: "linalg.det",
    group: "linalg",
    contractAs: "matmul",
    dtypes: LINALG_FLOATS,
    cases: squareCases(fc.constant({})),
    call: ([x], _p, o) => mx.linalg.det(diagonallyDominant(x!, o), o),
    source: ([x], _p, o) => `mx.linalg.det(mx.add(${x}, mx.multiply(mx.eye(${x}.shape.at(-1)), 3)), ${o})`,
    spread: "matmul",
    // relative to the determinant (at most 5^n here): backward-stable LU of a well-conditioned matrix
    conditionBound: async ([x], _p, ref, u) => ref.map((v) => 64 * x!.shape.at(-1)! ** 2 * u * (Math.abs(v) + 1)),
  },
  {
    name: "linalg.slogdet",
    group: "linalg",
    contractAs: "matmul",
    dtypes: LINALG_FLOATS,
    cases: squareCases(fc.constant({})),
    call: ([x], _p, o) => mx.stack(mx.linalg.slogdet(diagonallyDominant(x!, o), o), { axis: -1, ...o }),
    source: ([x], _p, o) => `mx.linalg.slogdet(mx.add(${x}, mx.multiply(mx.eye(${x}.shape.at(-1)), 3)), ${o}) // [sign, logabsdet] stacked on a last axis`,
    spread: "matmul",
    conditionBound: async ([x], _p, ref, u) => new Array<number>(ref.length).fill(64 * x!.shape.at(-1)! ** 2 * u),
  },
  {
    name: "linalg.luFactor",
    group: "linalg",
    contractAs: "matmul",
    dtypes: LINALG_FLOATS,
    cases: rectCases,
    call: ([x], _p, o) => mx.linalg.luFactor(pivoted(x!, o), o)[0],
    source: ([x], _p, o) => `mx.linalg.luFactor(mx.take(mx.add(${x}, mx.multiply(mx.eye(${x}.shape.at(-2), ${x}.shape.at(-1)), 3)), mx.arange(${x}.shape.at(-2) - 1, -1, -1), -2), ${o})[0]`,
    spread: "matmul",
    conditionBound: async ([x], _p, ref, u) => new Array<number>(ref.length).fill(64 * (x!.shape.at(-1)! + x!.shape.at(-2)!) ** 2 * u),
  },
  {
    name: "linalg.lu",
    group: "linalg",
    contractAs: "matmul",
    dtypes: LINALG_FLOATS,
    cases: rectCases,
    call: ([x], _p, o) => {
      const [p, l, u] = mx.linalg.lu(pivoted(x!, o), o);
      return mx.matmul(mx.takeAlongAxis(l, mx.expandDims(p, -1, o), -2, o), u, o);
    },
    source: ([x], _p, o) => `mx.linalg.lu(mx.take(mx.add(${x}, mx.multiply(mx.eye(${x}.shape.at(-2), ${x}.shape.at(-1)), 3)), mx.arange(${x}.shape.at(-2) - 1, -1, -1), -2), ${o}) // L[P] @ U`,
    spread: "matmul",
    // L and U are rounded to the input's dtype before the product that reconstructs A
    conditionBound: async ([x], _p, ref, u) => new Array<number>(ref.length).fill(64 * (x!.shape.at(-1)! + x!.shape.at(-2)!) ** 2 * Math.max(u, x!.dtype === mx.float32 ? 2 ** -24 : 0)),
  },
  {
    name: "linalg.pinv",
    group: "linalg",
    contractAs: "matmul",
    dtypes: LINALG_FLOATS,
    cases: rectCases,
    call: ([x], _p, o) => mx.linalg.pinv(rectDominant(x!, o), o),
    source: ([x], _p, o) => `mx.linalg.pinv(mx.add(${x}, mx.multiply(mx.eye(${x}.shape.at(-2), ${x}.shape.at(-1)), 3)), ${o})`,
    spread: "matmul",
    conditionBound: async ([x], _p, ref, u) => new Array<number>(ref.length).fill(64 * (x!.shape.at(-1)! + x!.shape.at(-2)!) ** 2 * u),
  },
  {
    name: "linalg.cross",
    group: "linalg",
    contractAs: "matmul",
    dtypes: LINALG_FLOATS,
    cases: crossCases,
    call: ([a, b], p, o) => mx.linalg.cross(a!, b!, p.axis as number, o),
    source: ([a, b], p, o) => `mx.linalg.cross(${a}, ${b}, ${String(p.axis)}, ${o})`,
    // each output vector reads the vectors along the axis (params.axes) of a (b broadcasts into a's shape)
    spread: "segment",
    // a1 b2 - a2 b1 with entries in [-1, 1]: two products and a difference
    conditionBound: async (_xs, _p, ref, u) => new Array<number>(ref.length).fill(8 * u),
  },
  {
    name: "linalg.eigvals",
    group: "linalg",
    contractAs: "matmul",
    dtypes: LINALG_FLOATS,
    cases: eigCases,
    call: ([x], _p, o) => sortedParts(mx.linalg.eigvals(x!, o), o),
    source: ([x], _p, o) => `mx.linalg.eigvals(${x}, ${o}) // real parts sorted, then imaginary parts sorted`,
    spread: "matmul",
    conditionBound: async (xs, _p, ref, u) => eigBound(xs, ref, u),
  },
  {
    name: "linalg.eig",
    group: "linalg",
    contractAs: "matmul",
    dtypes: LINALG_FLOATS,
    cases: eigCases,
    call: ([x], _p, o) => eigCall(x!, o),
    source: ([x], _p, o) => `mx.linalg.eig(${x}, ${o}) // sorted real and imaginary parts of w as two rows over |v|, columns in the order of re(w) + 0.31 |im(w)|`,
    spread: "matmul",
    conditionBound: async (xs, _p, ref, u) => eigBound(xs, ref, u),
  },
];

const PIVOTED = "(x[0].astype('float64') + 3 * np.eye(x[0].shape[-2], x[0].shape[-1])).astype(dt).astype('float64')[..., ::-1, :]";

/** NumPy on the same inputs, composed as the entries compose them. */
export const LINALG_DECOMP_NUMPY: Record<string, string> = {
  "linalg.norm": "(lambda o: np.linalg.norm(x[0].astype('float64'), o, tuple(p['axis']) if isinstance(p['axis'], list) else p['axis'], p['keepdims']))({'none': None, 'inf': np.inf, '-inf': -np.inf, 'fro': 'fro', 'nuc': 'nuc'}[p['ord']] if p['ord'] in ('none', 'inf', '-inf', 'fro', 'nuc') else float(p['ord']))",
  "linalg.qr": "(lambda a: (lambda r: (lambda t: np.concatenate([np.swapaxes(r[0], -1, -2) * t, r[1] * t], axis=-1))(np.where(np.diagonal(r[1], axis1=-2, axis2=-1) < 0, -1.0, 1.0)[..., None]))(np.linalg.qr(a)))((x[0].astype('float64') + 3 * np.eye(x[0].shape[-2], x[0].shape[-1])).astype(dt).astype('float64'))",
  "linalg.det": "np.linalg.det((x[0].astype('float64') + 3 * np.eye(x[0].shape[-1])).astype(dt).astype('float64'))",
  "linalg.slogdet": "np.stack(np.linalg.slogdet((x[0].astype('float64') + 3 * np.eye(x[0].shape[-1])).astype(dt).astype('float64')), axis=-1)",
  // LAPACK's getrf (partial pivoting, the first largest pivot) step by step; NumPy has no LU of its own
  "linalg.luFactor": `(lambda a: np.stack([__import__('functools').reduce(lambda w, j: (lambda w: np.concatenate([w[:j+1], np.concatenate([w[j+1:, :j], w[j+1:, j:j+1] / (w[j, j] if w[j, j] != 0 else 1), w[j+1:, j+1:] - (w[j+1:, j:j+1] / w[j, j] if w[j, j] != 0 else 0 * w[j+1:, j:j+1]) * w[j:j+1, j+1:]], axis=1)], axis=0))((lambda p: w[np.r_[np.arange(j), p, np.arange(j+1, p), j, np.arange(p+1, w.shape[0])]] if p > j else w)(j + int(np.argmax(np.abs(w[j:, j]))))), range(min(a.shape[-2:])), m) for m in a.reshape((-1,) + a.shape[-2:])]).reshape(a.shape))(${PIVOTED})`,
  "linalg.lu": PIVOTED,
  "linalg.pinv": "np.linalg.pinv((x[0].astype('float64') + 3 * np.eye(x[0].shape[-2], x[0].shape[-1])).astype(dt).astype('float64'))",
  // MLX keeps three components when both vectors have two (NumPy returns the third alone): pad them with a zero
  "linalg.cross": "(lambda pad: np.cross(pad(x[0]), pad(x[1]), axis=p['axis']))(lambda v: v.astype('float64') if v.shape[p['axis']] == 3 else np.concatenate([v.astype('float64'), np.zeros_like(np.take(v, [0], axis=p['axis']), dtype='float64')], axis=p['axis']))",
  "linalg.eigvals": "(lambda w: np.concatenate([np.sort(w.real, axis=-1), np.sort(w.imag, axis=-1)], axis=-1))(np.linalg.eigvals(x[0].astype('float64')).astype('complex128'))",
  "linalg.eig": "(lambda r: (lambda w, v: np.concatenate([np.sort(w.real, axis=-1)[..., None, :], np.sort(w.imag, axis=-1)[..., None, :], np.take_along_axis(np.abs(v), np.argsort(w.real + 0.31 * np.abs(w.imag), axis=-1)[..., None, :], axis=-1)], axis=-2))(r[0].astype('complex128'), r[1]))(np.linalg.eig(x[0].astype('float64')))",
};
