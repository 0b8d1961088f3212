// Op-database entries of complex64: the elementwise ops (comparisons in
// MLX's order), angle, real, imag, conj, astype, sum, prod, matmul, and the
// sorting and extreme-taking ops (max, min, their arg and running forms) in
// that order, where the cpu reference defines them. A complex input is drawn as
// float32 pairs (a trailing axis of 2: real, imaginary part) and viewed as
// complex64; a complex result is viewed back as float32 pairs, so conformance
// compares components, each within the contract's c u |w| (w the reference's
// complex result, conformance/contracts.ts complexBound).

import fc from "fast-check";
import * as mx from "../index.js";
import { shapeArb, type InputCase, type Layout } from "./arbitraries.js";
import { complexBound } from "./contracts.js";
import { COMPLEX, cpu } from "./opdb-common.js";
import type { Case, OpEntry, Params } from "./opdb.js";

/** One float32 of magnitude 10^lo..10^hi (either sign), or a zero of either sign now and then. */
const partArb = (lo: number, hi: number) =>
  fc.oneof(
    // unbiased: fast-check's small-value bias would give exponent 0 (parts of +-1) in most of a cell's few runs
    { weight: 12, arbitrary: fc.noBias(fc.tuple(fc.double({ min: lo, max: hi, noNaN: true }), fc.boolean())).map(([e, neg]) => (neg ? -1 : 1) * 10 ** e) },
    { weight: 1, arbitrary: fc.constantFrom(0, -0) },
  );

/** Exponent ranges (base 10) of the real and imaginary parts an op is drawn on. */
type Ranges = [[number, number], [number, number]];
const WIDE: Ranges = [[-12, 12], [-12, 12]];

/** A complex input of shape `s` as float32 pairs ([...s, 2]) in one of the layouts, its parts drawn from `re` and `im`. */
function pairsOf(s: readonly number[], re: fc.Arbitrary<number>, im: fc.Arbitrary<number>): fc.Arbitrary<InputCase> {
  const n = s.reduce((a, b) => a * b, 1);
  return fc.record({
    dtype: fc.constant("float32"),
    shape: fc.constant([...s, 2]),
    values: fc.array(fc.tuple(re, im), { minLength: n, maxLength: n }).map((ps) => ps.flat()),
    layout: fc.constantFrom<Layout>("contiguous", "transposed", "strided"),
  });
}

/** A complex input of shape `s` as float32 pairs, each part's magnitude in its range. */
const pairsArb = (s: readonly number[], [re, im]: Ranges) => pairsOf(s, partArb(...re), partArb(...im));

/**
 * A part of an input to the extreme-taking ops: few distinct values, so that
 * real parts tie and whole elements repeat with zeros of either sign;
 * infinities and the least subnormals now and then, and NaN in about one
 * element of 15.
 */
const orderedPartArb = fc.oneof(
  { weight: 14, arbitrary: fc.constantFrom(-1, 1, 2) },
  { weight: 10, arbitrary: fc.constantFrom(0, -0) },
  { weight: 5, arbitrary: fc.constantFrom(Infinity, -Infinity, 1e-45, -1e-45) },
  { weight: 1, arbitrary: fc.constant(NaN) },
);

/** float32 pairs [...s, 2] as complex64 [...s]. */
const toComplex = (x: mx.MxArray, o: mx.OpOptions) => mx.squeeze(mx.view(x, mx.complex64, o), -1, o);
/** A complex64 result as float32 pairs [...shape, 2]; a real one as it is. */
const toPairs = (z: mx.MxArray, o: mx.OpOptions) => (z.dtype === mx.complex64 ? mx.view(mx.expandDims(z, -1, o), mx.float32, o) : z);
const asComplexSrc = (x: string, o: string) => `mx.squeeze(mx.view(${x}, mx.complex64, ${o}), -1, ${o})`;
const asPairsSrc = (z: string, o: string) => `mx.view(mx.expandDims(${z}, -1, ${o}), mx.float32, ${o})`;

/** Magnitudes of the reference's results: |w| for both components of each complex element (a real result: itself). */
function magnitudes(ref: readonly number[], pairs: boolean): number[] {
  if (!pairs) return ref.map(Math.abs);
  return ref.map((_, i) => Math.hypot(ref[i - (i % 2)]!, ref[i - (i % 2) + 1]!));
}

/** The backend's (c, a) of `op`: the contract's condition where the check gives it, else metal's table (the NumPy cross-check). */
function constants(op: string, condition?: { c: number; a?: number }): { c: number; a: number } {
  return condition ? { c: condition.c, a: condition.a ?? 0 } : complexBound(op);
}

/** The bound of an elementwise op: c u |w| + a u per component. */
function elementwiseBound(op: string, pairs: boolean): OpEntry["conditionBound"] {
  return async (_xs, _p, ref, u, condition) => {
    const { c, a } = constants(op, condition);
    return magnitudes(ref, pairs).map((m) => c * u * m + a * u);
  };
}

const BOOL_OUT = new Set(["equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual"]);

function elementwise(op: string, arity: 1 | 2, ranges: Ranges, realOut = false): OpEntry {
  const f = (mx as unknown as Record<string, (...a: unknown[]) => mx.MxArray>)[op]!;
  const boolOut = BOOL_OUT.has(op);
  return {
    name: op,
    group: arity === 1 ? "unary" : "binary",
    contractAs: `complex64.${op}`,
    dtypes: COMPLEX,
    cases: () =>
      shapeArb(4).chain((s) =>
        fc.tuple(...Array.from({ length: arity }, (_, k) => pairsArb(k === 1 ? s.map((d, i) => (i === 0 ? 1 : d)) : s, ranges))).map((inputs): Case => ({ inputs, params: {} })),
      ),
    call: (xs, _p, o) => toPairs(f(...xs.map((x) => toComplex(x, o)), o), o),
    source: (xs, _p, o) => (realOut || boolOut ? (z: string) => z : (z: string) => asPairsSrc(z, o))(`mx.${op}(${xs.map((x) => asComplexSrc(x, o)).join(", ")}, ${o})`),
    spread: "elementwise",
    ...(boolOut ? {} : { conditionBound: elementwiseBound(op, !realOut) }),
  };
}

/** |error| <= c n u sum |terms| per component (sum), c n u |w| (prod). */
function reduction(op: "sum" | "prod"): OpEntry {
  return {
    name: op,
    group: "reduction",
    contractAs: `complex64.${op}`,
    dtypes: COMPLEX,
    cases: () =>
      shapeArb(3, 1).chain((s) =>
        fc.record({
          inputs: pairsArb(s, op === "prod" ? [[-0.2, 0.2], [-0.2, 0.2]] : WIDE).map((x) => [x]),
          params: fc.record({ axes: fc.subarray([...s.keys()]), keepdims: fc.boolean() }),
        }),
      ),
    call: ([x], p, o) => toPairs(mx[op](toComplex(x!, o), { axis: p.axes as number[], keepdims: p.keepdims as boolean, ...o }), o),
    source: ([x], p, o) => asPairsSrc(`mx.${op}(${asComplexSrc(x!, o)}, { axis: ${JSON.stringify(p.axes)}, keepdims: ${String(p.keepdims)}, ...${o} })`, o),
    spread: "reduce",
    conditionBound: async ([x], p, ref, u, condition) => {
      const { c } = constants(op, condition);
      const z = toComplex(x!, cpu);
      const n = (p.axes as number[]).reduce((k, a) => k * z.shape[a]!, 1);
      if (op === "prod") return magnitudes(ref, true).map((m) => c * n * u * m);
      const mag = (await mx.reshape(mx.sum(mx.abs(mx.astype(x!, mx.float64, cpu), cpu), { axis: p.axes as number[], keepdims: p.keepdims as boolean, ...cpu }), [-1], cpu).tolist()) as number[];
      return mag.map((m) => c * n * u * m);
    },
  };
}

/** Running sums and products along an axis: c n u (running sum of |parts|) per component, c n u |w| (products on the unit circle). */
function scan(op: "cumsum" | "cumprod"): OpEntry {
  const unitCircle = (x: InputCase): InputCase => {
    const v = x.values as number[];
    return { ...x, values: v.map((_, i) => (i % 2 ? Math.sin(v[i - 1]!) : Math.cos(v[i]!))) };
  };
  return {
    name: op,
    group: "reduction",
    contractAs: `complex64.${op}`,
    dtypes: COMPLEX,
    cases: () =>
      shapeArb(3, 1).chain((s) =>
        fc.record({
          inputs: pairsArb(s, op === "cumprod" ? [[-1, 0.5], [-1, 0.5]] : WIDE).map((x) => [op === "cumprod" ? unitCircle(x) : x]),
          params: fc.record({ axis: fc.integer({ min: 0, max: s.length - 1 }), reverse: fc.boolean(), inclusive: fc.boolean() }),
        }),
      ),
    call: ([x], p, o) => toPairs(mx[op](toComplex(x!, o), { axis: p.axis as number, reverse: p.reverse as boolean, inclusive: p.inclusive as boolean, ...o }), o),
    source: ([x], p, o) => asPairsSrc(`mx.${op}(${asComplexSrc(x!, o)}, { axis: ${String(p.axis)}, reverse: ${String(p.reverse)}, inclusive: ${String(p.inclusive)}, ...${o} })`, o),
    spread: "elementwise",
    conditionBound: async ([x], p, ref, u, condition) => {
      const { c } = constants(op, condition);
      const n = toComplex(x!, cpu).shape[p.axis as number]!;
      if (op === "cumprod") return magnitudes(ref, true).map((m) => c * n * u * m);
      const parts = mx.abs(mx.astype(x!, mx.float64, cpu), cpu);
      const mag = (await mx.reshape(mx.cumsum(parts, { axis: p.axis as number, reverse: p.reverse as boolean, inclusive: p.inclusive as boolean, ...cpu }), [-1], cpu).tolist()) as number[];
      return mag.map((m) => c * n * u * m);
    },
  };
}

/** |error| <= c K u (|A| @ |B|) per component, |.| the complex magnitude. */
const matmul: OpEntry = {
  name: "matmul",
  group: "linalg",
  contractAs: "complex64.matmul",
  dtypes: COMPLEX,
  cases: () =>
    fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 1 })).chain(([m, k, n, batch]) =>
      fc.record({ inputs: fc.tuple(pairsArb([...batch, m, k], [[-6, 6], [-6, 6]]), pairsArb([...batch, k, n], [[-6, 6], [-6, 6]])), params: fc.constant({} as Params) }),
    ),
  call: ([a, b], _p, o) => toPairs(mx.matmul(toComplex(a!, o), toComplex(b!, o), o), o),
  source: ([a, b], _p, o) => asPairsSrc(`mx.matmul(${asComplexSrc(a!, o)}, ${asComplexSrc(b!, o)}, ${o})`, o),
  spread: "elementwise",
  conditionBound: async ([a, b], _p, _ref, u, condition) => {
    const { c } = constants("matmul", condition);
    const za = toComplex(a!, cpu), zb = toComplex(b!, cpu);
    const k = za.shape[za.ndim - 1]!;
    const mag = (await mx.reshape(mx.matmul(mx.abs(za, cpu), mx.abs(zb, cpu), cpu), [-1], cpu).tolist()) as number[];
    return mag.flatMap((m) => [c * k * u * m, c * k * u * m]);
  },
};

/** astype from complex64 (the real part) to every real dtype and back: exact, as the reference. */
const astype: OpEntry = {
  name: "astype",
  group: "cast",
  dtypes: COMPLEX,
  cases: () =>
    shapeArb(4).chain((s) =>
      fc.record({ inputs: pairsArb(s, [[-3, 3], [-3, 3]]).map((x) => [x]), params: fc.record({ to: fc.constantFrom(...[mx.bool, mx.uint8, mx.int16, mx.int32, mx.uint32, mx.int64, mx.float16, mx.bfloat16, mx.float32].map((t) => t.name)) }) }),
    ),
  call: ([x], p, o) => {
    const to = (mx as unknown as Record<string, mx.DType>)[p.to as string]!;
    // there and back: the cast from complex64, then the result cast to complex64 again
    return toPairs(mx.astype(mx.astype(toComplex(x!, o), to, o), mx.complex64, o), o);
  },
  source: ([x], p, o) => asPairsSrc(`mx.astype(mx.astype(${asComplexSrc(x!, o)}, mx.${String(p.to)}, ${o}), mx.complex64, ${o})`, o),
  spread: "elementwise",
};

/** Real parts rounded to whole numbers (ties, so the imaginary part orders them too); imaginary parts kept. */
function tiedRealParts(x: InputCase): InputCase {
  return { ...x, values: (x.values as number[]).map((v, i) => (i % 2 ? v : Math.round(v))) };
}

type Ordering = "sort" | "argsort" | "partition" | "argpartition" | "topk";

/** sort, argsort, partition, argpartition and topk of complex64 along params.axis (MLX's order: real part, then imaginary): data movement, exact. */
function ordering(op: Ordering): OpEntry {
  const extra = (n: number): fc.Arbitrary<Params> =>
    op === "topk" ? fc.integer({ min: 0, max: n }).map((k) => ({ k })) : op === "partition" || op === "argpartition" ? fc.integer({ min: -n, max: n - 1 }).map((kth) => ({ kth })) : fc.constant({});
  const leading = (p: Params) => (op === "topk" ? [p.k as number] : op === "partition" || op === "argpartition" ? [p.kth as number] : []);
  return {
    name: op,
    group: "layout",
    dtypes: COMPLEX,
    cases: () =>
      shapeArb(3, 1)
        .filter((s) => !s.includes(0))
        .chain((s) =>
          fc.integer({ min: 0, max: s.length - 1 }).chain((axis) =>
            fc.record({ inputs: pairsArb(s, [[-1, 1], [-1, 1]]).map((x) => [tiedRealParts(x)]), params: extra(s[axis]!).map((e) => ({ ...e, axis, axes: [axis] })) }),
          ),
        ),
    call: ([x], p, o) => toPairs((mx[op] as (...a: unknown[]) => mx.MxArray)(toComplex(x!, o), ...leading(p), { axis: p.axis as number, ...o }), o),
    source: ([x], p, o) => {
      const call = `mx.${op}(${[asComplexSrc(x!, o), ...leading(p).map(String)].join(", ")}, { axis: ${String(p.axis)}, ...${o} })`;
      return op === "argsort" || op === "argpartition" ? call : asPairsSrc(call, o);
    },
    spread: "segment",
  };
}

/** Cases of the ordering reductions and scans: a complex array of parts drawn from few values (ties, signed zeros, NaN), params of its shape. */
function orderedCases(params: (s: number[]) => fc.Arbitrary<Params>) {
  return () => shapeArb(3, 1).chain((s) => fc.record({ inputs: pairsOf(s, orderedPartArb, orderedPartArb).map((x) => [x]), params: params(s) }));
}

/**
 * max and min over axes (all of them when null), in the order of maximum and
 * minimum (NaN in either part first): each output is an input element, exact.
 */
function extreme(op: "max" | "min"): OpEntry {
  return {
    name: op,
    group: "layout",
    dtypes: COMPLEX,
    cases: orderedCases((s) => fc.record({ axes: fc.oneof(fc.constant(null), fc.subarray([...s.keys()])), keepdims: fc.boolean() })),
    call: ([x], p, o) => toPairs(mx[op](toComplex(x!, o), { axis: p.axes as number[] | null, keepdims: p.keepdims as boolean, ...o }), o),
    source: ([x], p, o) => asPairsSrc(`mx.${op}(${asComplexSrc(x!, o)}, { axis: ${JSON.stringify(p.axes)}, keepdims: ${String(p.keepdims)}, ...${o} })`, o),
    spread: "reduce",
  };
}

/** argmax and argmin along an axis (the flattened array when null), in the same order: exact indices. */
function argExtreme(op: "argmax" | "argmin"): OpEntry {
  return {
    name: op,
    group: "layout",
    dtypes: COMPLEX,
    cases: orderedCases((s) => fc.record({ axis: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: s.length - 1 })), keepdims: fc.boolean() }).map((p) => ({ ...p, axes: p.axis === null ? null : [p.axis] }))),
    call: ([x], p, o) => mx[op](toComplex(x!, o), { axis: p.axis as number | null, keepdims: p.keepdims as boolean, ...o }),
    source: ([x], p, o) => `mx.${op}(${asComplexSrc(x!, o)}, { axis: ${String(p.axis)}, keepdims: ${String(p.keepdims)}, ...${o} })`,
    spread: "reduce",
  };
}

/** cummax and cummin along an axis (the flattened array when null), forward or reversed, inclusive or exclusive: input elements and the identity, exact. */
function runningExtreme(op: "cummax" | "cummin"): OpEntry {
  const options = (p: Params) => ({ axis: p.axis as number | null, reverse: p.reverse as boolean, inclusive: p.inclusive as boolean });
  return {
    name: op,
    group: "layout",
    dtypes: COMPLEX,
    cases: orderedCases((s) =>
      fc
        .record({ axis: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: s.length - 1 })), reverse: fc.boolean(), inclusive: fc.boolean() })
        .map((p) => ({ ...p, axes: p.axis === null ? null : [p.axis] })),
    ),
    call: ([x], p, o) => toPairs(mx[op](toComplex(x!, o), { ...options(p), ...o }), o),
    source: ([x], p, o) => asPairsSrc(`mx.${op}(${asComplexSrc(x!, o)}, { ...${JSON.stringify(options(p))}, ...${o} })`, o),
    spread: "segment",
  };
}

export const COMPLEX_OPS: readonly OpEntry[] = [
  ...["add", "subtract", "multiply", "divide", "equal", "notEqual"].map((op) => elementwise(op, 2, WIDE)),
  ...["negative", "square", "reciprocal", "sqrt", "rsqrt", "log", "log2", "log10", "round", "stopGradient"].map((op) => elementwise(op, 1, WIDE)),
  elementwise("abs", 1, WIDE, true),
  elementwise("exp", 1, [[-3, 1.9], [-3, 2]]),
  ...["sin", "cos"].map((op) => elementwise(op, 1, [[-3, 2], [-3, 1.9]])),
  ...["sinh", "cosh"].map((op) => elementwise(op, 1, [[-3, 1.9], [-3, 2]])),
  elementwise("tanh", 1, [[-3, 1.5], [-3, 2]]),
  elementwise("tan", 1, [[-3, 2], [-3, 1.5]]),
  elementwise("sign", 1, WIDE),
  // MLX's formulas square z: parts up to 10^6 keep z^2 finite in float32
  ...["arcsin", "arccos", "arctan"].map((op) => elementwise(op, 1, [[-6, 6], [-6, 6]])),
  // exp(w log z): the result's error grows with |w log z|, so both stay moderate
  elementwise("power", 2, [[-1, 0.5], [-1, 0.5]]),
  ...["less", "lessEqual", "greater", "greaterEqual", "maximum", "minimum"].map((op) => elementwise(op, 2, [[-1, 1], [-1, 1]])),
  elementwise("angle", 1, WIDE, true),
  // the parts moved and a sign flipped: exact (contracts.ts: c = 0)
  ...["real", "imag"].map((op) => elementwise(op, 1, WIDE, true)),
  ...["conj", "conjugate"].map((op) => elementwise(op, 1, WIDE)),
  reduction("sum"),
  reduction("prod"),
  scan("cumsum"),
  scan("cumprod"),
  matmul,
  astype,
  ...(["sort", "argsort", "partition", "argpartition", "topk"] as const).map(ordering),
  extreme("max"),
  extreme("min"),
  argExtreme("argmax"),
  argExtreme("argmin"),
  runningExtreme("cummax"),
  runningExtreme("cummin"),
];
