// Op-database entries of the matmul family: einsum (a set of subscripts with
// diagonals, sums, ellipses, broadcasting and three-operand paths, letter
// sizes drawn), tensordot, inner, outer, vecdot, kron, addmm, gatherMm,
// blockMaskedMm, segmentedMm and hadamardTransform. Float values are
// multiples of 1/64 in [-4, 4] (no special values: every output is inside the
// contract); contractions are bounded by c n u times the op on |inputs|.

import fc from "fast-check";
import * as mx from "../index.js";
import type { InputCase, Layout } from "./arbitraries.js";
import type { OpEntry, Params } from "./opdb.js";
import { cpu } from "./opdb-common.js";
import { hadamardMatrix, type HadamardOrder } from "../src/ops/hadamard-matrices.js";

const FLOATS = [mx.float32, mx.float16, mx.bfloat16, mx.float64];
const WITH_INT = [...FLOATS, mx.int32];

/** An input of `shape` and dtype `d`: multiples of 1/64 in [-4, 4] for floats (held exactly by every float dtype), -4..4 for integers. */
function valuesArb(d: mx.DType, shape: readonly number[], range?: [number, number]): fc.Arbitrary<InputCase> {
  const n = shape.reduce((a, b) => a * b, 1);
  const value = range
    ? fc.integer({ min: range[0], max: range[1] })
    : d.kind === "float" ? fc.integer({ min: -256, max: 256 }).map((v) => v / 64) : fc.integer({ min: -4, max: 4 });
  return fc.record({
    dtype: fc.constant(d.name),
    shape: fc.constant([...shape]),
    values: fc.array(value, { minLength: n, maxLength: n }),
    layout: fc.constantFrom<Layout>("contiguous", "transposed", "strided"),
  });
}

const boolArb = (shape: readonly number[]): fc.Arbitrary<InputCase> => {
  const n = shape.reduce((a, b) => a * b, 1);
  return fc.record({ dtype: fc.constant("bool"), shape: fc.constant([...shape]), values: fc.array(fc.boolean(), { minLength: n, maxLength: n }), layout: fc.constant<Layout>("contiguous") });
};

/** Float inputs as float64 absolute values (integer and bool ones as they are), on the cpu. */
const magnitudes = (xs: mx.MxArray[]) => xs.map((x) => (x.dtype.kind === "float" ? mx.abs(mx.astype(x, mx.float64, cpu), cpu) : x));

/**
 * The condition bound of a contraction whose outputs sum at most `terms(xs, p)`
 * products: 4 (n + 2) u times the op evaluated on the inputs' magnitudes
 * (`onMagnitudes`: the entry's own call, with float64 |x|).
 */
function contractionBound(terms: (xs: mx.MxArray[], p: Params) => number, onMagnitudes: (xs: mx.MxArray[], p: Params) => mx.MxArray): OpEntry["conditionBound"] {
  return async (xs, p, _ref, u) => {
    const n = terms(xs, p);
    const values = (await mx.reshape(onMagnitudes(magnitudes(xs), p), [-1], cpu).tolist()) as number[];
    return values.map((m) => 4 * (n + 2) * u * m);
  };
}

/** What each input is: a float operand, integer indices or a bool mask. */
type InputKind = "float" | "index" | "mask";

/**
 * The op on masks for the conformance run's spread rule ("layout": the op run
 * on bool masks of the inputs): every output is marked when any input element
 * is (the contractions mix all of them); never the case for these entries'
 * finite inputs. The output's shape comes from the op on the masks cast back
 * to the inputs' kinds.
 */
function anyMarked(xs: mx.MxArray[], kinds: readonly InputKind[], out: (xs: mx.MxArray[]) => mx.MxArray): mx.MxArray {
  const typed = xs.map((x, i) => (kinds[i] === "mask" ? x : mx.astype(x, kinds[i] === "index" ? mx.int32 : mx.float32, cpu)));
  const any = xs.map((x) => mx.any(x, cpu)).reduce((a, b) => mx.logicalOr(a, b, cpu));
  return mx.broadcastTo(any, out(typed).shape, cpu);
}

/**
 * An entry: `call` on real inputs (of `kinds`, floats by default), its mask
 * rule for the spread, and the bound with `terms` on `magnitude` (the call on
 * |inputs| by default: right where every product adds with its sign dropped).
 */
function entry(name: string, dtypes: readonly mx.DType[], cases: OpEntry["cases"], call: OpEntry["call"], source: OpEntry["source"], terms: (xs: mx.MxArray[], p: Params) => number, kinds: readonly InputKind[] = [], magnitude?: (xs: mx.MxArray[], p: Params) => mx.MxArray): OpEntry {
  return {
    name,
    group: "linalg",
    contractAs: "matmul",
    dtypes,
    cases,
    call: (xs, p, o) => (xs.every((x) => x.dtype === mx.bool) ? anyMarked(xs, xs.map((_, i) => kinds[i] ?? "float"), (ys) => call(ys, p, cpu)) : call(xs, p, o)),
    source,
    spread: "layout",
    conditionBound: contractionBound(terms, magnitude ?? ((xs, p) => call(xs, p, cpu))),
  };
}

// [subscripts, the letters of each operand's axes (ellipses spelled out)]
const EINSUM_FORMS: readonly [string, string][] = [
  ["ij,jk->ik", "ij,jk"], ["ij,kj", "ij,kj"], ["ii->i", "ii"], ["ii", "ii"], ["ij->", "ij"], ["ijk->kij", "ijk"],
  ["i,i", "i,i"], ["i,j->ij", "i,j"], ["ij,ij->ij", "ij,ij"], ["bij,bjk->bik", "bij,bjk"], ["aab,bc->ac", "aab,bc"],
  ["...ij,...jk->...ik", "bij,bjk"], ["...i,...i->...", "ai,ai"], ["ab,bc,cd->ad", "ab,bc,cd"], ["ab,cd,bd->ac", "ab,cd,bd"], ["a,ab,abc->abc", "a,ab,abc"],
];

const einsumCases = (d: mx.DType) =>
  fc.tuple(fc.constantFrom(...EINSUM_FORMS), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 6, maxLength: 6 })).chain(([[subscripts, letters], dims]) => {
    const size = (c: string) => dims["abcdijk".indexOf(c) % 6]!;
    const shapes = letters.split(",").map((t) => [...t].map(size));
    return fc.record({ inputs: fc.tuple(...shapes.map((s) => valuesArb(d, s))), params: fc.constant({ subscripts }) });
  });

/** The most products summed into one output element: the sizes of every axis of every input over the output's size, at least 1. */
const einsumTerms = (xs: mx.MxArray[]) => Math.max(1, ...xs.map((x) => x.size));

const dimArb = fc.integer({ min: 1, max: 4 });

export const MATMUL_OPS: readonly OpEntry[] = [
  entry(
    "einsum", WITH_INT, einsumCases,
    (xs, p, o) => mx.einsum(p.subscripts as string, ...xs, o),
    (xs, p, o) => `mx.einsum(${JSON.stringify(p.subscripts)}, ${xs.join(", ")}, ${o})`,
    (xs) => einsumTerms(xs) ** 2,
  ),
  entry(
    "tensordot", WITH_INT,
    (d) =>
      fc.tuple(dimArb, dimArb, dimArb, dimArb, fc.constantFrom<unknown>(0, 1, 2, [[0, 2], [1, 0]])).chain(([i, j, k, l, axes]) => {
        const shapes = Array.isArray(axes) ? [[j, i, k], [k, j, l]] : axes === 0 ? [[i, j], [k]] : axes === 1 ? [[i, j], [j, k]] : [[i, j, k], [j, k, l]];
        return fc.record({ inputs: fc.tuple(valuesArb(d, shapes[0]!), valuesArb(d, shapes[1]!)), params: fc.constant({ axes }) });
      }),
    ([a, b], p, o) => mx.tensordot(a!, b!, p.axes as mx.TensordotAxes, o),
    ([a, b], p, o) => `mx.tensordot(${a}, ${b}, ${JSON.stringify(p.axes)}, ${o})`,
    ([a]) => a!.size,
  ),
  entry(
    "inner", WITH_INT,
    (d) => fc.tuple(dimArb, dimArb, dimArb).chain(([m, k, n]) => fc.record({ inputs: fc.tuple(valuesArb(d, [m, k]), valuesArb(d, [n, k])), params: fc.constant({}) })),
    ([a, b], _p, o) => mx.inner(a!, b!, o),
    ([a, b], _p, o) => `mx.inner(${a}, ${b}, ${o})`,
    ([a]) => a!.shape[a!.ndim - 1]!,
  ),
  entry(
    "outer", WITH_INT,
    (d) => fc.tuple(dimArb, dimArb, dimArb).chain(([m, k, n]) => fc.record({ inputs: fc.tuple(valuesArb(d, [m, k]), valuesArb(d, [n])), params: fc.constant({}) })),
    ([a, b], _p, o) => mx.outer(a!, b!, o),
    ([a, b], _p, o) => `mx.outer(${a}, ${b}, ${o})`,
    () => 1,
  ),
  entry(
    "vecdot", WITH_INT,
    (d) =>
      fc.tuple(dimArb, dimArb, fc.constantFrom(-1, 0, 1)).chain(([m, k, axis]) =>
        fc.record({ inputs: fc.tuple(valuesArb(d, [m, k]), valuesArb(d, axis === -1 ? [2, m, k] : [m, k])), params: fc.constant({ axis }) }),
      ),
    ([a, b], p, o) => mx.vecdot(a!, b!, { axis: p.axis as number, ...o }),
    ([a, b], p, o) => `mx.vecdot(${a}, ${b}, { axis: ${String(p.axis)}, ...${o} })`,
    ([a]) => Math.max(...a!.shape),
  ),
  entry(
    "kron", WITH_INT,
    (d) => fc.tuple(fc.array(dimArb, { minLength: 1, maxLength: 2 }), fc.array(dimArb, { minLength: 1, maxLength: 3 })).chain(([sa, sb]) => fc.record({ inputs: fc.tuple(valuesArb(d, sa), valuesArb(d, sb)), params: fc.constant({}) })),
    ([a, b], _p, o) => mx.kron(a!, b!, o),
    ([a, b], _p, o) => `mx.kron(${a}, ${b}, ${o})`,
    () => 1,
  ),
  entry(
    "addmm", FLOATS,
    (d) =>
      fc.tuple(dimArb, dimArb, dimArb, fc.constantFrom(1, 0.5, -2), fc.constantFrom(1, 0, 3), fc.boolean()).chain(([m, k, n, alpha, beta, rowC]) =>
        fc.record({ inputs: fc.tuple(valuesArb(d, rowC ? [n] : [m, n]), valuesArb(d, [m, k]), valuesArb(d, [k, n])), params: fc.constant({ alpha, beta }) }),
      ),
    ([c, a, b], p, o) => mx.addmm(c!, a!, b!, { alpha: p.alpha as number, beta: p.beta as number, ...o }),
    ([c, a, b], p, o) => `mx.addmm(${c}, ${a}, ${b}, { alpha: ${String(p.alpha)}, beta: ${String(p.beta)}, ...${o} })`,
    ([, a]) => 4 * a!.shape[1]!,
    [],
    ([c, a, b], p) => mx.addmm(c!, a!, b!, { alpha: Math.abs(p.alpha as number), beta: Math.abs(p.beta as number), ...cpu }),
  ),
  entry(
    "gatherMm", FLOATS,
    (d) =>
      fc.tuple(dimArb, dimArb, dimArb, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 })).chain(([m, k, n, ba, bb, count]) =>
        fc.record({
          inputs: fc.tuple(valuesArb(d, [ba, m, k]), valuesArb(d, [bb, k, n]), valuesArb(mx.int32, [count], [0, ba - 1]), valuesArb(mx.int32, [count], [0, bb - 1])),
          params: fc.constant({}),
        }),
      ),
    ([a, b, li, ri], _p, o) => mx.gatherMm(a!, b!, li!, ri!, o),
    ([a, b, li, ri], _p, o) => `mx.gatherMm(${a}, ${b}, ${li}, ${ri}, ${o})`,
    ([a]) => a!.shape[2]!,
    ["float", "float", "index", "index"],
  ),
  entry(
    "blockMaskedMm", FLOATS,
    (d) =>
      fc.tuple(fc.constantFrom(1, 3, 33), fc.integer({ min: 1, max: 3 }), fc.constantFrom(2, 34), fc.boolean()).chain(([m, k, n, floatOut]) => {
        const t = (x: number) => Math.ceil(x / 32);
        return fc.record({
          inputs: fc.tuple(valuesArb(d, [m, k]), valuesArb(d, [k, n]), floatOut ? valuesArb(d, [t(m), t(n)]) : boolArb([t(m), t(n)]), boolArb([t(m), t(k)]), boolArb([t(k), t(n)])),
          params: fc.constant({}),
        });
      }),
    ([a, b, mo, ml, mr], _p, o) => mx.blockMaskedMm(a!, b!, 32, mo!, ml!, mr!, o),
    ([a, b, mo, ml, mr], _p, o) => `mx.blockMaskedMm(${a}, ${b}, 32, ${mo}, ${ml}, ${mr}, ${o})`,
    ([a]) => 4 * a!.shape[1]!,
    ["float", "float", "float", "mask", "mask"],
  ),
  entry(
    "segmentedMm", FLOATS,
    (d) =>
      fc.tuple(dimArb, fc.integer({ min: 1, max: 6 }), dimArb, fc.integer({ min: 1, max: 3 })).chain(([m, k, n, s]) =>
        fc.record({ inputs: fc.tuple(valuesArb(d, [m, k]), valuesArb(d, [k, n]), valuesArb(mx.int32, [s, 2], [0, k])), params: fc.constant({}) }),
      ),
    ([a, b, seg], _p, o) => mx.segmentedMm(a!, b!, seg!, o),
    ([a, b, seg], _p, o) => `mx.segmentedMm(${a}, ${b}, ${seg}, ${o})`,
    ([a]) => a!.shape[1]!,
    ["float", "float", "index"],
  ),
  entry(
    "hadamardTransform", FLOATS,
    (d) =>
      fc.tuple(fc.constantFrom<[1 | HadamardOrder, number]>([1, 1], [1, 2], [1, 4], [1, 8], [1, 16], [1, 32], [12, 1], [12, 4], [20, 1], [20, 2], [28, 1], [28, 2]), fc.integer({ min: 1, max: 2 }), fc.constantFrom<number | null>(null, 1, 0.25)).chain(([[m, p2], rows, scale]) =>
        // hm: the order-m factor of the NumPy expression's dense matrix (m = 1: Sylvester's alone)
        fc.record({ inputs: fc.tuple(valuesArb(d, [rows, m * p2])), params: fc.constant({ scale, hm: m === 1 ? [1] : hadamardMatrix(m).flat() }) }),
      ),
    ([x], p, o) => mx.hadamardTransform(x!, p.scale as number | null, o),
    ([x], p, o) => `mx.hadamardTransform(${x}, ${String(p.scale)}, ${o})`,
    ([x]) => 4 * x!.shape[x!.ndim - 1]!,
    [],
    // every output sums all of |x|'s row, scaled
    ([x], p) => mx.broadcastTo(mx.multiply(mx.sum(x!, { axis: -1, keepdims: true, ...cpu }), Math.abs((p.scale as number | null) ?? 1 / Math.sqrt(x!.shape[x!.ndim - 1]!)), cpu), x!.shape, cpu),
  ),
];

/** NumPy expressions (float inputs in float64). */
const F = "(lambda v: v.astype('float64') if v.dtype.kind == 'f' else v)";
const BLOCKS = "(lambda m, y, x: np.repeat(np.repeat(m, 32, -2), 32, -1)[..., :y, :x])";
export const MATMUL_NUMPY: Record<string, string> = {
  einsum: `np.einsum(p['subscripts'], *[${F}(v) for v in x])`,
  tensordot: `np.tensordot(${F}(x[0]), ${F}(x[1]), axes=p['axes'])`,
  inner: `np.inner(${F}(x[0]), ${F}(x[1]))`,
  outer: `np.outer(${F}(x[0]), ${F}(x[1]))`,
  // as mx.vecdot (and MLX) composes it: each product rounded to the inputs' dtype, then summed (in float64, rounded once)
  vecdot: `np.sum((${F}(x[0]) * ${F}(x[1])).astype(x[0].dtype).astype(x[0].dtype if x[0].dtype.kind != 'f' else 'float64'), axis=p['axis'])`,
  kron: `np.kron(${F}(x[0]), ${F}(x[1]))`,
  addmm: `p['alpha'] * (${F}(x[1]) @ ${F}(x[2])) + (p['beta'] * ${F}(x[0]) if p['beta'] != 0 else 0)`,
  gatherMm: `${F}(x[0])[x[2]] @ ${F}(x[1])[x[3]]`,
  blockMaskedMm: `(lambda a, b: (lambda r: r * ${BLOCKS}(${F}(x[2]), *r.shape) if x[2].dtype != bool else np.where(${BLOCKS}(x[2], *r.shape), r, 0))(np.where(${BLOCKS}(x[3], *a.shape), a, 0) @ np.where(${BLOCKS}(x[4], *b.shape), b, 0)))(${F}(x[0]), ${F}(x[1]))`,
  // kron(H_m, Sylvester's H_2^k) @ x, scaled
  hadamardTransform: `(lambda n, hm: (lambda h: (${F}(x[0]) @ h.T) * (p['scale'] if p['scale'] is not None else 1 / np.sqrt(n)))(np.kron(hm, (lambda k: np.array([[(-1) ** bin(i & j).count('1') for j in range(k)] for i in range(k)]))(n // len(hm)))))(x[0].shape[-1], (lambda h: np.array(h).reshape(int(np.sqrt(len(h))), -1))(p['hm']))`,
  segmentedMm: `np.stack([${F}(x[0])[:, s:e] @ ${F}(x[1])[s:e] if e > s else np.zeros((x[0].shape[0], x[1].shape[1])) for s, e in x[2]])`,
};
