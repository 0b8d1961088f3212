// Op-database entries of the composite shape and math ops (issue 13's
// utilities family): layout ops (exact data movement), elementwise composites
// (held to the contract of the op they reduce to), trace, countNonzero and
// median (reductions), tri and the window functions (creation). Also their
// NumPy expressions, for conformance/numpy.ts.

import fc from "fast-check";
import * as mx from "../index.js";
import { broadcastShapesArb, inputArb, shapeArb } from "./arbitraries.js";
import type { OpEntry } from "./opdb.js";
import { ALL_REAL as ALL, FLOATS as F, INTEGERS as I, NUMERIC as NUM, cpu, layout } from "./opdb-common.js";


const js = (v: unknown) => JSON.stringify(v);

/** An elementwise entry held to the contract of `like`. */
function unary(name: string, dtypes: readonly mx.DType[], like: string): OpEntry {
  const fn = (mx as unknown as Record<string, (x: mx.MxArray, o: mx.OpOptions) => mx.MxArray>)[name]!;
  return {
    name,
    group: "unary",
    contractAs: like,
    dtypes,
    cases: (d) => shapeArb().chain((s) => inputArb(s, d).map((x) => ({ inputs: [x], params: {} }))),
    call: ([x], _p, o) => fn(x!, o),
    source: ([x], _p, o) => `mx.${name}(${x}, ${o})`,
    spread: "elementwise",
  };
}

const axisIn = (s: readonly number[]) => fc.integer({ min: -s.length, max: s.length - 1 });
const axesOrNull = (s: readonly number[]) => fc.oneof(fc.constant(null), fc.subarray([...s.keys()]));
/** A shape of at least two axes with two distinct axes of it (non-negative). */
const planeArb = shapeArb(4, 2).chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray([...s.keys()], { minLength: 2, maxLength: 2 })));

/** |error| <= 2 n u sum|terms| of the diagonal's sum. */
const traceBound: OpEntry["conditionBound"] = async ([x], p, _ref, u) => {
  const f = mx.abs(mx.astype(x!, mx.float64, cpu), cpu);
  const mag = (await mx.reshape(mx.trace(f, { offset: p.offset as number, axis1: p.axis1 as number, axis2: p.axis2 as number, ...cpu }), [-1], cpu).tolist()) as number[];
  const n = (await mx.diagonal(x!, { offset: p.offset as number, axis1: p.axis1 as number, axis2: p.axis2 as number, ...cpu })).shape.at(-1)!;
  return mag.map((m) => 2 * n * u * m);
};

/** A window function of float32: sin and cos to WGSL's absolute 2^-11 (times the terms' weights), plus the float32 steps. */
function windowEntry(name: "bartlett" | "hanning" | "hamming" | "blackman"): OpEntry {
  return {
    name,
    group: "creation",
    contractAs: "linspace",
    dtypes: [mx.float32],
    cases: () => fc.integer({ min: 0, max: 40 }).map((M) => ({ inputs: [], params: { M } })),
    call: (_xs, p, o) => (mx as unknown as Record<string, (M: number, o: mx.OpOptions) => mx.MxArray>)[name]!(p.M as number, o),
    source: (_xs, p, o) => `mx.${name}(${String(p.M)}, ${o})`,
    spread: "layout",
    conditionBound: async (_xs, _p, ref) => ref.map(() => (name === "bartlett" ? 2 ** -22 : 2 ** -9)),
  };
}

export const SHAPES_OPS: readonly OpEntry[] = [
  // depends passes its input through once the dependency (here exp of it, on the same stream) is computed
  layout("depends", shapeArb(), () => fc.constant({}), ([x], _p, o) => mx.depends(x!, mx.exp(x!, o)), ([x], _p, o) => `mx.depends(${x}, mx.exp(${x}, ${o}))`),
  layout("flip", shapeArb(), (s) => fc.record({ axes: axesOrNull(s) }), ([x], p, o) => mx.flip(x!, p.axes as number[] | null, o), ([x], p, o) => `mx.flip(${x}, ${js(p.axes)}, ${o})`),
  layout(
    "roll",
    shapeArb(5),
    (s) => fc.record({ shift: fc.integer({ min: -7, max: 7 }), axis: s.length ? fc.oneof(fc.constant(null), axisIn(s)) : fc.constant(null) }),
    ([x], p, o) => mx.roll(x!, p.shift as number, p.axis as number | null, o),
    ([x], p, o) => `mx.roll(${x}, ${String(p.shift)}, ${js(p.axis)}, ${o})`,
  ),
  layout("tile", shapeArb(3), () => fc.record({ reps: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }) }), ([x], p, o) => mx.tile(x!, p.reps as number[], o), ([x], p, o) => `mx.tile(${x}, ${js(p.reps)}, ${o})`),
  layout(
    "repeat",
    shapeArb(4),
    (s) => fc.record({ repeats: fc.integer({ min: 0, max: 3 }), axis: s.length ? fc.oneof(fc.constant(null), axisIn(s)) : fc.constant(null) }),
    ([x], p, o) => mx.repeat(x!, p.repeats as number, p.axis as number | null, o),
    ([x], p, o) => `mx.repeat(${x}, ${String(p.repeats)}, ${js(p.axis)}, ${o})`,
  ),
  layout(
    "unflatten",
    shapeArb(4, 1),
    (s) => fc.integer({ min: 0, max: s.length - 1 }).chain((axis) => {
      const n = s[axis]!;
      const divisors = [...Array(n + 1).keys()].filter((d) => d > 0 && n % d === 0);
      return fc.constantFrom(...(divisors.length ? divisors : [1])).map((d) => ({ axis, shape: [d, -1] }));
    }),
    ([x], p, o) => mx.unflatten(x!, p.axis as number, p.shape as number[], o),
    ([x], p, o) => `mx.unflatten(${x}, ${String(p.axis)}, ${js(p.shape)}, ${o})`,
  ),
  layout(
    "unstack",
    shapeArb(4, 1).filter((s) => s.every((n) => n > 0)),
    (s) => fc.integer({ min: 0, max: s.length - 1 }).chain((axis) => fc.integer({ min: 0, max: s[axis]! - 1 }).map((piece) => ({ axis, piece }))),
    ([x], p, o) => mx.unstack(x!, { axis: p.axis as number, ...o })[p.piece as number]!,
    ([x], p, o) => `mx.unstack(${x}, { axis: ${String(p.axis)}, ...${o} })[${String(p.piece)}]`,
  ),
  layout("permuteDims", shapeArb(), (s) => fc.record({ perm: fc.shuffledSubarray([...s.keys()], { minLength: s.length, maxLength: s.length }) }), ([x], p, o) => mx.permuteDims(x!, p.perm as number[], o), ([x], p, o) => `mx.permuteDims(${x}, ${js(p.perm)}, ${o})`),
  ...(["atleast1d", "atleast2d", "atleast3d"] as const).map((name) => layout(name, shapeArb(4), () => fc.constant({}), ([x], _p, o) => mx[name](x!, o), ([x], _p, o) => `mx.${name}(${x}, ${o})`)),
  ...(["tril", "triu"] as const).map((name) =>
    layout(name, shapeArb(4, 2), () => fc.record({ k: fc.integer({ min: -3, max: 3 }) }), ([x], p, o) => mx[name](x!, p.k as number, o), ([x], p, o) => `mx.${name}(${x}, ${String(p.k)}, ${o})`),
  ),
  {
    name: "diagonal",
    group: "layout",
    dtypes: ALL,
    cases: (d) => planeArb.chain(([s, [axis1, axis2]]) => fc.record({ inputs: inputArb(s, d).map((x) => [x]), params: fc.integer({ min: -3, max: 3 }).map((offset) => ({ offset, axis1, axis2 })) })),
    call: ([x], p, o) => mx.diagonal(x!, { offset: p.offset as number, axis1: p.axis1 as number, axis2: p.axis2 as number, ...o }),
    source: ([x], p, o) => `mx.diagonal(${x}, { offset: ${String(p.offset)}, axis1: ${String(p.axis1)}, axis2: ${String(p.axis2)}, ...${o} })`,
    spread: "layout",
  },
  layout("diag", shapeArb(2, 1), () => fc.record({ k: fc.integer({ min: -3, max: 3 }) }), ([x], p, o) => mx.diag(x!, p.k as number, o), ([x], p, o) => `mx.diag(${x}, ${String(p.k)}, ${o})`),
  {
    name: "concat",
    group: "layout",
    dtypes: ALL,
    cases: (d) =>
      shapeArb(4, 1).chain((s) =>
        fc.integer({ min: 0, max: s.length - 1 }).chain((axis) =>
          fc.integer({ min: 0, max: 3 }).chain((m) => fc.record({ inputs: fc.tuple(inputArb(s, d), inputArb(s.map((n, i) => (i === axis ? m : n)), d)), params: fc.constant({ axis }) })),
        ),
      ),
    call: ([a, b], p, o) => mx.concat([a!, b!], p.axis as number, o),
    source: ([a, b], p, o) => `mx.concat([${a}, ${b}], ${String(p.axis)}, ${o})`,
    spread: "layout",
  },
  {
    name: "meshgrid",
    group: "layout",
    dtypes: ALL,
    cases: (d) =>
      fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })).chain(([n, m]) =>
        fc.record({ inputs: fc.tuple(inputArb([n], d), inputArb([m], d)), params: fc.record({ indexing: fc.constantFrom("xy", "ij"), piece: fc.constantFrom(0, 1) }) }),
      ),
    call: ([a, b], p, o) => mx.meshgrid([a!, b!], { indexing: p.indexing as "xy" | "ij", ...o })[p.piece as number]!,
    source: ([a, b], p, o) => `mx.meshgrid([${a}, ${b}], { indexing: ${js(p.indexing)}, ...${o} })[${String(p.piece)}]`,
    spread: "layout",
  },
  {
    name: "tri",
    group: "creation",
    dtypes: ALL,
    cases: (d) => fc.record({ n: fc.integer({ min: 0, max: 9 }), m: fc.integer({ min: 0, max: 9 }), k: fc.integer({ min: -4, max: 4 }) }).map((p) => ({ inputs: [], params: { ...p, dtype: d.name } })),
    call: (_xs, p, o) => mx.tri(p.n as number, p.m as number, p.k as number, { dtype: (mx as unknown as Record<string, mx.DType>)[p.dtype as string], ...o }),
    source: (_xs, p, o) => `mx.tri(${String(p.n)}, ${String(p.m)}, ${String(p.k)}, { dtype: mx.${String(p.dtype)}, ...${o} })`,
    spread: "layout",
  },
  {
    name: "trace",
    group: "reduction",
    contractAs: "sum",
    dtypes: NUM,
    cases: (d) => planeArb.chain(([s, [axis1, axis2]]) => fc.record({ inputs: inputArb(s, d).map((x) => [x]), params: fc.integer({ min: -2, max: 2 }).map((offset) => ({ offset, axis1, axis2, axes: [axis1, axis2] })) })),
    call: ([x], p, o) => mx.trace(x!, { offset: p.offset as number, axis1: p.axis1 as number, axis2: p.axis2 as number, ...o }),
    source: ([x], p, o) => `mx.trace(${x}, { offset: ${String(p.offset)}, axis1: ${String(p.axis1)}, axis2: ${String(p.axis2)}, ...${o} })`,
    spread: "reduce",
    conditionBound: traceBound,
  },
  {
    name: "countNonzero",
    group: "reduction",
    contractAs: "sum",
    dtypes: ALL,
    cases: (d) => shapeArb(4).chain((s) => fc.record({ inputs: inputArb(s, d).map((x) => [x]), params: fc.record({ axes: axesOrNull(s), keepdims: fc.boolean() }) })),
    call: ([x], p, o) => mx.countNonzero(x!, { axis: p.axes as number[] | null, keepdims: p.keepdims as boolean, ...o }),
    source: ([x], p, o) => `mx.countNonzero(${x}, { axis: ${js(p.axes)}, keepdims: ${String(p.keepdims)}, ...${o} })`,
    spread: "reduce",
  },
  {
    name: "median",
    group: "reduction",
    contractAs: "mean",
    dtypes: F,
    cases: (d) => shapeArb(4, 1).filter((s) => !s.includes(0)).chain((s) => fc.record({ inputs: inputArb(s, d).map((x) => [x]), params: fc.record({ axes: axesOrNull(s).filter((a) => a === null || a.length > 0), keepdims: fc.boolean() }) })),
    call: ([x], p, o) => mx.median(x!, { axis: p.axes as number[] | null, keepdims: p.keepdims as boolean, ...o }),
    source: ([x], p, o) => `mx.median(${x}, { axis: ${js(p.axes)}, keepdims: ${String(p.keepdims)}, ...${o} })`,
    spread: "reduce",
    // the mean of the two middle values: one rounding of their sum, an exact halving
    conditionBound: async (_xs, _p, ref, u) => ref.map((r) => 2 * u * Math.abs(r)),
  },
  unary("positive", ALL, "abs"),
  unary("trunc", NUM, "floor"),
  unary("degrees", F, "multiply"),
  unary("radians", F, "multiply"),
  unary("nanToNum", F, "abs"),
  unary("isposinf", F, "abs"),
  unary("isneginf", F, "abs"),
  {
    name: "logicalXor",
    group: "binary",
    contractAs: "logicalAnd",
    dtypes: [mx.bool, ...I],
    cases: (d) => broadcastShapesArb(2).chain(([sa, sb]) => fc.tuple(inputArb(sa!, d), inputArb(sb!, d)).map((inputs) => ({ inputs, params: {} }))),
    call: ([a, b], _p, o) => mx.logicalXor(a!, b!, o),
    source: ([a, b], _p, o) => `mx.logicalXor(${a}, ${b}, ${o})`,
    spread: "elementwise",
  },
  ...(["bartlett", "hanning", "hamming", "blackman"] as const).map(windowEntry),
  layout(
    "asStrided",
    shapeArb(3, 1).filter((s) => !s.includes(0)),
    (s) =>
      fc.record({ shape: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }), strides: fc.array(fc.integer({ min: -2, max: 2 }), { minLength: 3, maxLength: 3 }) }).map((p) => {
        const size = s.reduce((a, b) => a * b, 1);
        const strides = p.strides.slice(0, p.shape.length);
        const lo = p.shape.reduce((t, d, i) => t + Math.min(0, (d - 1) * strides[i]!), 0);
        const hi = p.shape.reduce((t, d, i) => t + Math.max(0, (d - 1) * strides[i]!), 0);
        // the widest reach that fits; a view that cannot fit reads one element
        return hi - lo < size ? { shape: p.shape, strides, offset: -lo } : { shape: [1], strides: [0], offset: size - 1 };
      }),
    ([x], p, o) => mx.asStrided(x!, p.shape as number[], p.strides as number[], p.offset as number, o),
    ([x], p, o) => `mx.asStrided(${x}, ${js(p.shape)}, ${js(p.strides)}, ${String(p.offset)}, ${o})`,
  ),
  layout("contiguous", shapeArb(), () => fc.record({ colMajor: fc.boolean() }), ([x], p, o) => mx.contiguous(x!, p.colMajor as boolean, o), ([x], p, o) => `mx.contiguous(${x}, ${String(p.colMajor)}, ${o})`),
];

const ax = "(None if p['axes'] is None else tuple(p['axes']))";

/** NumPy's expression of each entry (x: the inputs, p: the params, dt: the reference's output dtype), for conformance/numpy.ts. */
export const SHAPES_NUMPY_EXPR: Record<string, string> = {
  depends: "x[0]",
  flip: "np.flip(x[0], axis=(None if p['axes'] is None else tuple(p['axes'])))",
  roll: "np.roll(x[0], p['shift'], axis=p['axis'])",
  tile: "np.tile(x[0], p['reps'])",
  repeat: "np.repeat(x[0], p['repeats'], axis=p['axis'])",
  // the cases split the axis as [d, -1]: the -1 resolved within the axis (NumPy cannot infer it when another axis is 0)
  unflatten: "x[0].reshape(x[0].shape[:p['axis']] + (p['shape'][0], x[0].shape[p['axis']] // p['shape'][0]) + x[0].shape[p['axis'] + 1:])",
  unstack: "np.take(x[0], p['piece'], axis=p['axis'])",
  permuteDims: "np.transpose(x[0], p['perm'])",
  atleast1d: "np.atleast_1d(x[0])",
  atleast2d: "np.atleast_2d(x[0])",
  atleast3d: "np.atleast_3d(x[0])",
  tril: "np.tril(x[0], p['k'])",
  triu: "np.triu(x[0], p['k'])",
  diagonal: "np.diagonal(x[0], p['offset'], p['axis1'], p['axis2'])",
  diag: "np.diag(x[0], p['k'])",
  concat: "np.concatenate(x, axis=p['axis'])",
  meshgrid: "np.meshgrid(x[0], x[1], indexing=p['indexing'])[p['piece']]",
  tri: "np.tri(p['n'], p['m'], p['k'], dtype=p['dtype'])",
  trace: "np.trace(x[0], p['offset'], p['axis1'], p['axis2'], dtype=('float64' if dt.startswith('float') else dt))",
  countNonzero: `np.count_nonzero(x[0], axis=${ax}, keepdims=p['keepdims'])`,
  median: `np.median(x[0].astype('float64'), axis=${ax}, keepdims=p['keepdims'])`,
  positive: "np.positive(x[0]) if x[0].dtype != bool else x[0]",
  trunc: "np.trunc(x[0])",
  degrees: "x[0] * x[0].dtype.type(180 / np.pi)",
  radians: "x[0] * x[0].dtype.type(np.pi / 180)",
  nanToNum: "np.nan_to_num(x[0])",
  isposinf: "np.isposinf(x[0])",
  isneginf: "np.isneginf(x[0])",
  logicalXor: "np.logical_xor(x[0], x[1])",
  asStrided: "np.lib.stride_tricks.as_strided(np.ascontiguousarray(x[0]).reshape(-1)[p['offset']:], p['shape'], [v * x[0].itemsize for v in p['strides']]).copy()",
  contiguous: "np.array(x[0], order='C')",
};
