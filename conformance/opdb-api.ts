// Op-database entries of the array API's remaining ops: divmod (both outputs
// stacked into one result), real/imag/conj on real dtypes (complex64 ones are in
// opdb-complex.ts), array and asarray (casts), the *Like ops and identity
// (creation), isclose, allclose and arrayEqual, and broadcastArrays (its
// outputs stacked). Also their NumPy expressions, for conformance/numpy.ts.

import fc from "fast-check";
import * as mx from "../index.js";
import { broadcastShapesArb, inputArb, shapeArb, type InputCase } from "./arbitraries.js";
import { ALL_REAL as ALL, FLOATS as F, INTEGERS as I, NUMERIC as NUM, fillValueArb } from "./opdb-common.js";
import type { OpEntry, Params } from "./opdb.js";

const dtypeNamed = (name: unknown) => (mx as unknown as Record<string, mx.DType>)[name as string]!;

/** real, imag and conj of a real array: the array itself, zeros of its dtype, the array itself (exact, as abs's bit operations). */
function realPart(name: "real" | "imag" | "conj" | "conjugate"): OpEntry {
  return {
    name,
    group: "unary",
    contractAs: "abs",
    dtypes: NUM,
    cases: (d) => shapeArb().chain((s) => inputArb(s, d).map((x) => ({ inputs: [x], params: {} }))),
    call: ([x], _p, o) => mx[name](x!, o),
    source: ([x], _p, o) => `mx.${name}(${x}, ${o})`,
    spread: "elementwise",
  };
}

/** array and asarray with a dtype: the cast rules of astype (a copy, or for asarray the input itself, in the same dtype). */
function constructor(name: "array" | "asarray"): OpEntry {
  return {
    name,
    group: "cast",
    dtypes: ALL,
    cases: (d) => shapeArb().chain((s) => fc.record({ inputs: inputArb(s, d).map((x) => [x]), params: fc.record({ to: fc.constantFrom(...ALL.map((t) => t.name)) }) })),
    call: ([x], p, o) => (name === "array" ? mx.array(x!, dtypeNamed(p.to), o) : mx.asarray(x!, dtypeNamed(p.to), o)),
    source: ([x], p, o) => `mx.${name}(${x}, mx.${String(p.to)}, ${o})`,
    spread: "elementwise",
  };
}

/** zerosLike, onesLike and fullLike: the shape and dtype of the input, its values unread (exact). */
function like(name: "zerosLike" | "onesLike" | "fullLike"): OpEntry {
  return {
    name,
    group: "creation",
    dtypes: ALL,
    cases: (d) => shapeArb().chain((s) => fc.record({ inputs: inputArb(s, d).map((x) => [x]), params: name === "fullLike" ? fillValueArb(d).map((value) => ({ value })) : fc.constant({}) })),
    call: ([x], p, o) => (name === "fullLike" ? mx.fullLike(x!, p.value as number, o) : mx[name](x!, o)),
    source: ([x], p, o) => (name === "fullLike" ? `mx.fullLike(${x}, ${String(p.value)}, ${o})` : `mx.${name}(${x}, ${o})`),
    spread: "layout",
  };
}

/**
 * Two inputs of broadcastable shapes and the closeness tolerances; now and then the
 * second is the first scaled by 1 + k rtol (k = +-0.5 or +-2: close or not, with a
 * factor of 2 to the bound, so rounding cannot flip the answer).
 */
function closeCases(d: mx.DType): fc.Arbitrary<{ inputs: InputCase[]; params: Params }> {
  const tolerances = fc.record({ rtol: fc.constantFrom(1e-5, 1e-2), atol: fc.constantFrom(1e-8, 0.5), equalNan: fc.boolean() });
  const apart = broadcastShapesArb(2).chain(([sa, sb]) => fc.tuple(inputArb(sa!, d), inputArb(sb!, d)));
  const near = (rtol: number) =>
    shapeArb().chain((s) =>
      fc.tuple(inputArb(s, d), fc.constantFrom(-2, -0.5, 0.5, 2), fc.constantFrom<InputCase["layout"]>("contiguous", "transposed", "strided")).map(([a, k, layout]) => [a, { ...a, layout: s.length ? layout : "contiguous", values: a.values.map((v) => (v as number) * (1 + k * rtol)) }]),
    );
  return tolerances.chain((params) => fc.record({ inputs: fc.oneof(apart, near(params.rtol)), params: fc.constant(params as Params) }));
}

const closeOptions = (p: Params) => ({ rtol: p.rtol as number, atol: p.atol as number, equalNan: p.equalNan as boolean });
const closeSource = (p: Params, o: string) => `{ rtol: ${String(p.rtol)}, atol: ${String(p.atol)}, equalNan: ${String(p.equalNan)}, ...${o} }`;

export const API_OPS: readonly OpEntry[] = [
  {
    name: "divmod",
    group: "binary",
    dtypes: I,
    cases: (d) => broadcastShapesArb(2).chain(([sa, sb]) => fc.tuple(inputArb(sa!, d), inputArb(sb!, d)).map((inputs) => ({ inputs, params: {} }))),
    // the quotient and the remainder of the one primitive, stacked on a new leading axis
    call: ([a, b], _p, o) => mx.stack(mx.divmod(a!, b!, o), { axis: 0, ...o }),
    source: ([a, b], _p, o) => `mx.stack(mx.divmod(${a}, ${b}, ${o}), { axis: 0, ...${o} })`,
    spread: "elementwise",
  },
  ...(["real", "imag", "conj", "conjugate"] as const).map(realPart),
  constructor("array"),
  constructor("asarray"),
  ...(["zerosLike", "onesLike", "fullLike"] as const).map(like),
  {
    name: "identity",
    group: "creation",
    dtypes: ALL,
    cases: (d) => fc.integer({ min: 0, max: 9 }).map((n) => ({ inputs: [], params: { n, dtype: d.name } })),
    call: (_xs, p, o) => mx.identity(p.n as number, { dtype: dtypeNamed(p.dtype), ...o }),
    source: (_xs, p, o) => `mx.identity(${String(p.n)}, { dtype: mx.${String(p.dtype)}, ...${o} })`,
    spread: "layout",
  },
  {
    name: "isclose",
    group: "binary",
    // |a - b| and the bound: subtract's, multiply's and add's contracts (special values outside it on webgpu)
    contractAs: "subtract",
    dtypes: F,
    cases: closeCases,
    call: ([a, b], p, o) => mx.isclose(a!, b!, { ...closeOptions(p), ...o }),
    source: ([a, b], p, o) => `mx.isclose(${a}, ${b}, ${closeSource(p, o)})`,
    spread: "elementwise",
  },
  {
    name: "allclose",
    group: "reduction",
    contractAs: "subtract",
    dtypes: F,
    cases: (d) => closeCases(d).map((c) => ({ ...c, params: { ...c.params, axes: null, keepdims: false } })),
    call: ([a, b], p, o) => mx.allclose(a!, b!, { ...closeOptions(p), ...o }),
    source: ([a, b], p, o) => `mx.allclose(${a}, ${b}, ${closeSource(p, o)})`,
    spread: "reduce",
  },
  {
    name: "arrayEqual",
    group: "reduction",
    // equal's contract: exact on the bits on webgpu, NaN included
    contractAs: "equal",
    dtypes: ALL,
    // the second input: a copy of the first (in another layout), other values, or another shape
    cases: (d) =>
      shapeArb().chain((s) =>
        fc.record({
          inputs: inputArb(s, d).chain((a) => fc.oneof(fc.constantFrom<InputCase["layout"]>("contiguous", "transposed", "strided").map((layout) => ({ ...a, layout: s.length ? layout : "contiguous" })), inputArb(s, d), shapeArb(3).chain((t) => inputArb(t, d))).map((b) => [a, b])),
          params: fc.record({ equalNan: fc.boolean(), axes: fc.constant(null), keepdims: fc.constant(false) }),
        }),
      ),
    call: ([a, b], p, o) => mx.arrayEqual(a!, b!, { equalNan: p.equalNan as boolean, ...o }),
    source: ([a, b], p, o) => `mx.arrayEqual(${a}, ${b}, { equalNan: ${String(p.equalNan)}, ...${o} })`,
    spread: "reduce",
  },
  {
    name: "broadcastArrays",
    group: "layout",
    dtypes: ALL,
    cases: (d) => broadcastShapesArb(2).chain(([sa, sb]) => fc.tuple(inputArb(sb!, d), inputArb(sa!, d)).map((inputs) => ({ inputs, params: {} }))),
    // both outputs (one shape) stacked on a new leading axis
    call: ([a, b], _p, o) => mx.stack(mx.broadcastArrays([a!, b!], o), { axis: 0, ...o }),
    source: ([a, b], _p, o) => `mx.stack(mx.broadcastArrays([${a}, ${b}], ${o}), { axis: 0, ...${o} })`,
    spread: "layout",
  },
];

/** NumPy's expression of each entry (x: the inputs, p: the params), for conformance/numpy.ts. */
export const API_NUMPY: Record<string, string> = {
  divmod: "np.stack(np.divmod(x[0], x[1]))",
  real: "np.real(x[0])",
  imag: "np.imag(x[0])",
  conj: "np.conj(x[0])",
  conjugate: "np.conjugate(x[0])",
  array: "np.array(x[0], dtype=p['to'])",
  asarray: "np.asarray(x[0], dtype=p['to'])",
  zerosLike: "np.zeros_like(x[0])",
  onesLike: "np.ones_like(x[0])",
  fullLike: "np.full_like(x[0], p['value'])",
  identity: "np.identity(p['n'], dtype=p['dtype'])",
  isclose: "np.isclose(x[0], x[1], rtol=p['rtol'], atol=p['atol'], equal_nan=p['equalNan'])",
  allclose: "np.allclose(x[0], x[1], rtol=p['rtol'], atol=p['atol'], equal_nan=p['equalNan'])",
  arrayEqual: "np.array_equal(x[0], x[1], equal_nan=p['equalNan'])",
  broadcastArrays: "np.stack(np.broadcast_arrays(x[0], x[1]))",
};
