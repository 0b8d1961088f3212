// What the op-database files share: the dtype groups entries draw from, the
// cpu options, the entry builder for layout ops, the draw of a fill value and
// of a shape with an axis. Kept apart from opdb.ts so the family files (opdb-*.ts) that
// opdb.ts imports can use them without an import cycle.

import fc from "fast-check";
import * as mx from "../index.js";
import { inputArb, shapeArb } from "./arbitraries.js";
import type { OpEntry, Params } from "./opdb.js";

export const FLOATS = [mx.float32, mx.float16, mx.bfloat16, mx.float64];
export const INTEGERS = [mx.int8, mx.int16, mx.int32, mx.uint8, mx.uint16, mx.uint32, mx.int64, mx.uint64];
export const NUMERIC = [...FLOATS, ...INTEGERS];
export const ALL_REAL = [...NUMERIC, mx.bool];
/** complex64: entries draw it as float32 pairs (conformance/opdb-complex.ts). */
export const COMPLEX = [mx.complex64];

export const cpu = { stream: mx.cpu };

/** A layout entry on one input of shape `s` with params drawn by `params(s)`: exact data movement, any real dtype. */
export function layout(name: string, shapes: fc.Arbitrary<number[]>, params: (s: number[]) => fc.Arbitrary<Params>, call: OpEntry["call"], source: OpEntry["source"]): OpEntry {
  return {
    name,
    group: "layout",
    dtypes: ALL_REAL,
    cases: (d) => shapes.chain((s) => fc.record({ inputs: inputArb(s, d).map((x) => [x]), params: params(s) })),
    call,
    source,
    spread: "layout",
  };
}

/** A fill value `full` (and `fullLike`) can take in dtype `d`: a bool, an eighth for floats, non-negative for integers. */
export const fillValueArb = (d: mx.DType): fc.Arbitrary<number | boolean> =>
  fc.integer({ min: -100, max: 100 }).map((v) => (d.kind === "bool" ? v > 0 : d.kind === "float" ? v / 8 : Math.abs(v)));

/** A shape of `minDims` to `maxDims` dims without zero-sized axes, and a (non-negative) axis of it. */
export function shapeAndAxis(maxDims: number, minDims = 1): fc.Arbitrary<{ s: number[]; axis: number }> {
  return shapeArb(maxDims, minDims).filter((s) => !s.includes(0)).chain((s) => fc.integer({ min: 0, max: s.length - 1 }).map((axis) => ({ s, axis })));
}
