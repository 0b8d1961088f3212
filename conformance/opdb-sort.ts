// Op-database entries of the sorting and selection family: sort, argsort,
// partition, argpartition, topk (exact: data movement, bit for bit, NaN and
// -0 included) and searchsorted (exact counts), spread over the sorted axis.

import fc from "fast-check";
import * as mx from "../index.js";
import { inputArb, shapeArb, type InputCase } from "./arbitraries.js";
import type { OpEntry, Params } from "./opdb.js";
import { ALL_REAL as REAL, shapeAndAxis } from "./opdb-common.js";


/** A non-empty shape and an axis of it (non-negative, so params.axes names it for the segment spread). */

type SortCall = (x: mx.MxArray, p: Params, o: mx.OpOptions) => mx.MxArray;

/** An entry on one input sorted along params.axis; `extra` draws the other params from the axis length. */
function alongAxis(name: string, call: SortCall, source: (x: string, p: Params, o: string) => string, extra: (n: number) => fc.Arbitrary<Params> = () => fc.constant({})): OpEntry {
  return {
    name,
    group: "layout",
    dtypes: REAL,
    cases: (d) => shapeAndAxis(4).chain(({ s, axis }) => fc.record({ inputs: inputArb(s, d).map((x) => [x]), params: extra(s[axis]!).map((e) => ({ ...e, axis, axes: [axis] })) })),
    call: ([x], p, o) => call(x!, p, o),
    source: ([x], p, o) => source(x!, p, o),
    spread: "segment",
  };
}

/** Ascending with NaN last: a valid sorted sequence for searchsorted. */
function sortedValues(ic: InputCase): InputCase {
  const key = (v: number | boolean) => (typeof v === "boolean" ? Number(v) : v);
  const values = [...ic.values].sort((a, b) => {
    const x = key(a), y = key(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return Number(Number.isNaN(x)) - Number(Number.isNaN(y));
    return x - y;
  });
  return { ...ic, values, layout: "contiguous" };
}

export const SORT_OPS: readonly OpEntry[] = [
  alongAxis("sort", (x, p, o) => mx.sort(x, { axis: p.axis as number, ...o }), (x, p, o) => `mx.sort(${x}, { axis: ${String(p.axis)}, ...${o} })`),
  alongAxis("argsort", (x, p, o) => mx.argsort(x, { axis: p.axis as number, ...o }), (x, p, o) => `mx.argsort(${x}, { axis: ${String(p.axis)}, ...${o} })`),
  ...(["partition", "argpartition"] as const).map((name) =>
    alongAxis(
      name,
      (x, p, o) => mx[name](x, p.kth as number, { axis: p.axis as number, ...o }),
      (x, p, o) => `mx.${name}(${x}, ${String(p.kth)}, { axis: ${String(p.axis)}, ...${o} })`,
      (n) => fc.integer({ min: -n, max: n - 1 }).map((kth) => ({ kth })),
    ),
  ),
  alongAxis(
    "topk",
    (x, p, o) => mx.topk(x, p.k as number, { axis: p.axis as number, ...o }),
    (x, p, o) => `mx.topk(${x}, ${String(p.k)}, { axis: ${String(p.axis)}, ...${o} })`,
    (n) => fc.integer({ min: 0, max: n }).map((k) => ({ k })),
  ),
  {
    name: "searchsorted",
    group: "layout",
    // counts of float comparisons: exact, as less is (on webgpu bit-exact, subnormals and NaN included: conformance/bit-exact.ts)
    contractAs: "less",
    dtypes: REAL,
    cases: (d) =>
      fc.tuple(fc.integer({ min: 0, max: 12 }), shapeArb(3, 1)).chain(([n, vs]) =>
        fc.record({ inputs: fc.tuple(inputArb([n], d).map(sortedValues), inputArb(vs, d)), params: fc.record({ side: fc.constantFrom("left", "right"), axes: fc.constant(null) }) }),
      ),
    call: ([a, v], p, o) => mx.searchsorted(a!, v!, { side: p.side as "left" | "right", ...o }),
    source: ([a, v], p, o) => `mx.searchsorted(${a}, ${v}, { side: ${JSON.stringify(p.side)}, ...${o} })`,
    spread: "segment",
  },
];
