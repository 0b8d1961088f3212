// Op-database entries of the scans: cumsum, cumprod and logcumsumexp
// (condition-bounded, as sum, prod and logsumexp are), cummax and cummin
// (exact), each forward or reversed, inclusive or exclusive, along an axis or
// over the flattened array; and diff (exact as subtract, n = 0 to 3).

import fc from "fast-check";
import * as mx from "../index.js";
import { inputArb, shapeArb } from "./arbitraries.js";
import type { OpEntry, Params } from "./opdb.js";
import { FLOATS as F, INTEGERS as I, cpu } from "./opdb-common.js";


/**
 * A shape and a scan axis of it: an axis, or null (the flattened array) on
 * shapes of at most one dim, so the segment spread (params.axes) covers every
 * output an input element reaches.
 */
const scanCase = shapeArb(4).chain((s) =>
  fc.record({
    s: fc.constant(s),
    axis: s.length <= 1 ? fc.constantFrom<number | null>(null, ...s.keys()) : fc.integer({ min: 0, max: s.length - 1 }),
    reverse: fc.boolean(),
    inclusive: fc.boolean(),
  }),
);

const fn = (name: string) => (mx as unknown as Record<string, (x: mx.MxArray, o: object) => mx.MxArray>)[name]!;
const scanOptions = (p: Params) => ({ axis: p.axis as number | null, reverse: p.reverse as boolean, inclusive: p.inclusive as boolean });

/** Terms of each output: the scanned axis's length (the bound is per output, with that many terms at most). */
const termsOf = (x: mx.MxArray, p: Params) => (p.axis === null ? x.size : x.shape[p.axis as number]!);

function scan(name: string, dtypes: readonly mx.DType[], bound?: OpEntry["conditionBound"]): OpEntry {
  return {
    name,
    group: "reduction",
    dtypes,
    cases: (d) =>
      scanCase.chain(({ s, ...p }) =>
        fc.record({ inputs: inputArb(s, d).map((x) => [x]), params: fc.constant({ ...p, axes: p.axis === null ? null : [p.axis] }) }),
      ),
    call: ([x], p, o) => fn(name)(x!, { ...scanOptions(p), ...o }),
    source: ([x], p, o) => `mx.${name}(${x}, { ...${JSON.stringify(scanOptions(p))}, ...${o} })`,
    spread: "segment",
    conditionBound: bound,
  };
}

/** |error| <= 2 n u sum|x| over each output's terms (the running sum of |x|, as the output's own scan). */
const cumsumBound: OpEntry["conditionBound"] = async ([x], p, _ref, u) => {
  const mag = mx.cumsum(mx.abs(mx.astype(x!, mx.float64, cpu), cpu), { ...scanOptions(p), ...cpu });
  const n = termsOf(x!, p);
  return ((await mx.reshape(mag, [-1], cpu).tolist()) as number[]).map((m) => 2 * n * u * m);
};

export const SCAN_OPS: readonly OpEntry[] = [
  scan("cumsum", [...F, ...I, mx.bool], cumsumBound),
  scan("cumprod", [...F, ...I, mx.bool], async ([x], p, ref, u) => ref.map((r) => 2 * termsOf(x!, p) * u * Math.abs(r))),
  scan("cummax", [...F, ...I, mx.bool]),
  scan("cummin", [...F, ...I, mx.bool]),
  scan("logcumsumexp", F, async ([x], p, ref, u) => ref.map((r) => 8 * termsOf(x!, p) * u + 2 ** -21 + 4 * u * Math.abs(r))),
  {
    name: "diff",
    group: "layout",
    contractAs: "subtract",
    dtypes: [...F, ...I, mx.bool],
    cases: (d) =>
      shapeArb(4, 1).chain((s) =>
        fc.record({
          inputs: inputArb(s, d).map((x) => [x]),
          params: fc.record({ n: fc.integer({ min: 0, max: 3 }), axis: fc.integer({ min: 0, max: s.length - 1 }) }).map((p) => ({ ...p, axes: [p.axis] })),
        }),
      ),
    call: ([x], p, o) => mx.diff(x!, { n: p.n as number, axis: p.axis as number, ...o }),
    source: ([x], p, o) => `mx.diff(${x}, { n: ${String(p.n)}, axis: ${String(p.axis)}, ...${o} })`,
    spread: "segment",
  },
];

/** The first value of an exclusive scan in NumPy, from the result `r`'s dtype. */
const NUMPY_IDENTITY: Record<string, string> = {
  add: "0",
  multiply: "1",
  logaddexp: "-np.inf",
  maximum: "(-np.inf if r.dtype.kind == 'f' else (False if r.dtype.kind == 'b' else np.iinfo(r.dtype).min))",
  minimum: "(np.inf if r.dtype.kind == 'f' else (True if r.dtype.kind == 'b' else np.iinfo(r.dtype).max))",
};

/**
 * MLX's scan through NumPy's `ufunc.accumulate` (float sums and products in
 * float64, as the reference; integers in the output dtype, wrapping): axis None
 * flattens, reverse flips before and after, exclusive shifts the identity in.
 */
function numpyScan(ufunc: string, acc: string): string {
  const exclusive = `(lambda r: r if p['inclusive'] or r.shape[ax] == 0 else np.concatenate([np.full_like(np.take(r, [0], axis=ax), ${NUMPY_IDENTITY[ufunc]}), np.take(r, np.arange(r.shape[ax] - 1), axis=ax)], axis=ax))`;
  const flip = "(lambda r: np.flip(r, ax) if p['reverse'] else r)";
  return `(lambda a, ax: ${flip}(${exclusive}(np.${ufunc}.accumulate(np.flip(a, ax) if p['reverse'] else a, axis=ax, dtype=${acc}))))(x[0].reshape(-1) if p['axis'] is None else x[0], 0 if p['axis'] is None else p['axis'])`;
}

const FLOAT64_OR_DT = "('float64' if dt.startswith('float') else dt)";

/** NumPy expressions of the scans (conformance/numpy.ts NUMPY_EXPR). */
export const SCAN_NUMPY: Record<string, string> = {
  cumsum: numpyScan("add", FLOAT64_OR_DT),
  cumprod: numpyScan("multiply", FLOAT64_OR_DT),
  cummax: numpyScan("maximum", "None"),
  cummin: numpyScan("minimum", "None"),
  logcumsumexp: numpyScan("logaddexp", "'float64'"),
  diff: "np.diff(x[0], n=p['n'], axis=p['axis'])",
};
