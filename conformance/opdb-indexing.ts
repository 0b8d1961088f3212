// Op-database entries of the gather, scatter and indexing family: take,
// takeAlongAxis, putAlongAxis, sliceUpdate, index (advanced forms) and
// indexUpdate ("set" on every dtype, "add" too on integers: exact, like all
// data movement); index inputs are int32 in range (NumPy raises outside it), and
// the NumPy expression each entry is checked against.

import fc from "fast-check";
import * as mx from "../index.js";
import { inputArb, shapeArb, type InputCase } from "./arbitraries.js";
import type { OpEntry } from "./opdb.js";
import { ALL_REAL as ALL, INTEGERS, shapeAndAxis } from "./opdb-common.js";


/** An int32 index input of `shape` with values in [-n, n) (duplicates likely). */
function indexArb(shape: readonly number[], n: number): fc.Arbitrary<InputCase> {
  const size = shape.reduce((a, b) => a * b, 1);
  return fc.array(fc.integer({ min: -n, max: Math.max(n - 1, -n) }), { minLength: size, maxLength: size }).map((values) => ({ dtype: "int32", shape: [...shape], values, layout: "contiguous" as const }));
}

/** A shape without zero-sized axes, of at least `minDims` dims, and an axis of it. */

const indexShape = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 0, maxLength: 2 });

function entry(name: string, dtypes: readonly mx.DType[], cases: OpEntry["cases"], call: OpEntry["call"], source: OpEntry["source"]): OpEntry {
  return { name, group: "layout", dtypes, cases, call, source, spread: "layout" };
}

/** The index forms of the `index` entry, by params.form: the inputs x, i (and j). */
const INDEX_FORMS: readonly { entries: (xs: string[]) => string; call: (xs: mx.MxArray[]) => (mx.IndexEntry)[]; numpy: string }[] = [
  { entries: ([, i]) => `${i}`, call: ([, i]) => [i!], numpy: "x[0][x[1]]" },
  { entries: ([, i]) => `"::-1", ${i}`, call: ([, i]) => ["::-1", i!], numpy: "x[0][::-1, x[1]]" },
  { entries: ([, i, j]) => `${i}, null, ${j}`, call: ([, i, j]) => [i!, null, j!], numpy: "x[0][x[1], None, x[2]]" },
];

export const INDEXING_OPS: readonly OpEntry[] = [
  entry(
    "take",
    ALL,
    (d) => fc.tuple(shapeAndAxis(3), indexShape).chain(([{ s, axis }, is]) => fc.record({ inputs: fc.tuple(inputArb(s, d), indexArb(is, s[axis]!)), params: fc.constant({ axis }) })),
    ([x, i], p, o) => mx.take(x!, i!, p.axis as number, o),
    ([x, i], p, o) => `mx.take(${x}, ${i}, ${String(p.axis)}, ${o})`,
  ),
  entry(
    "takeAlongAxis",
    ALL,
    (d) =>
      shapeAndAxis(3).chain(({ s, axis }) =>
        fc.record({
          inputs: fc.tuple(fc.integer({ min: 0, max: 4 }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length })).chain(([k, ones]) =>
            fc.tuple(inputArb(s, d), indexArb(s.map((v, i) => (i === axis ? k : ones[i] ? 1 : v)), s[axis]!)),
          ),
          params: fc.constant({ axis }),
        }),
      ),
    ([x, i], p, o) => mx.takeAlongAxis(x!, i!, p.axis as number, o),
    ([x, i], p, o) => `mx.takeAlongAxis(${x}, ${i}, ${String(p.axis)}, ${o})`,
  ),
  entry(
    "putAlongAxis",
    ALL,
    (d) =>
      shapeAndAxis(3).chain(({ s, axis }) =>
        fc.integer({ min: 0, max: 4 }).chain((k) => {
          const is = s.map((v, i) => (i === axis ? k : v));
          return fc.record({ inputs: fc.tuple(inputArb(s, d), indexArb(is, s[axis]!), inputArb(is, d)), params: fc.constant({ axis }) });
        }),
      ),
    ([x, i, v], p, o) => mx.putAlongAxis(x!, i!, v!, p.axis as number, o),
    ([x, i, v], p, o) => `mx.putAlongAxis(${x}, ${i}, ${v}, ${String(p.axis)}, ${o})`,
  ),
  entry(
    "sliceUpdate",
    ALL,
    (d) =>
      shapeArb(3, 1).filter((s) => !s.includes(0)).chain((s) =>
        fc.tuple(...s.map((n) => fc.integer({ min: 0, max: n }).chain((size) => fc.integer({ min: 0, max: n - size }).map((start) => [size, start] as const)))).chain((dims) =>
          // static starts, or MLX's dynamic form: the starts in an mx array
          fc.record({ inputs: fc.tuple(inputArb(s, d), inputArb(dims.map(([size]) => size), d)), params: fc.record({ start: fc.constant(dims.map(([, start]) => start)), dynamic: fc.boolean() }) }),
        ),
      ),
    ([x, u], p, o) => mx.sliceUpdate(x!, u!, p.dynamic ? mx.array(p.start as number[], mx.int32, o) : (p.start as number[]), null, o),
    ([x, u], p, o) => `mx.sliceUpdate(${x}, ${u}, ${p.dynamic ? `mx.array(${JSON.stringify(p.start)}, mx.int32, ${o})` : JSON.stringify(p.start)}, null, ${o})`,
  ),
  entry(
    "index",
    ALL,
    (d) =>
      fc.tuple(shapeArb(3, 2).filter((s) => !s.includes(0)), indexShape, fc.integer({ min: 0, max: INDEX_FORMS.length - 1 })).chain(([s, is, form]) => {
        const axisOfJ = form === 2 ? 1 : 0;
        const i = indexArb(is, form === 1 ? s[1]! : s[0]!);
        const inputs = form === 2 ? fc.tuple(inputArb(s, d), i, indexArb(is, s[axisOfJ]!)) : fc.tuple(inputArb(s, d), i);
        return fc.record({ inputs: inputs as fc.Arbitrary<InputCase[]>, params: fc.constant({ form }) });
      }),
    (xs, p) => mx.index(xs[0]!, ...INDEX_FORMS[p.form as number]!.call(xs)),
    (xs, p) => `mx.index(${xs[0]}, ${INDEX_FORMS[p.form as number]!.entries(xs)})`,
  ),
  entry(
    "indexUpdate",
    ALL,
    (d) =>
      fc.tuple(shapeArb(3, 1).filter((s) => !s.includes(0)), fc.integer({ min: 0, max: 5 }), INTEGERS.includes(d) ? fc.constantFrom("set", "add") : fc.constant("set")).chain(([s, k, mode]) =>
        fc.record({ inputs: fc.tuple(inputArb(s, d), indexArb([k], s[0]!), inputArb([k, ...s.slice(1)], d)), params: fc.constant({ mode }) }),
      ),
    ([x, i, v], p) => mx.indexUpdate(x!, [i!], v!, p.mode as "set" | "add"),
    ([x, i, v], p) => `mx.indexUpdate(${x}, [${i}], ${v}, ${JSON.stringify(p.mode)})`,
  ),
];

/** The NumPy expressions of these entries (conformance/numpy.ts): x the inputs, p the params. */
export const INDEXING_NUMPY: Record<string, string> = {
  take: "np.take(x[0], x[1], axis=p['axis'])",
  takeAlongAxis: "np.take_along_axis(x[0], x[1], axis=p['axis'])",
  putAlongAxis: "(lambda a: (np.put_along_axis(a, x[1], x[2], p['axis']), a)[1])(x[0].copy())",
  sliceUpdate: "(lambda a: (a.__setitem__(tuple(slice(b, b + n) for b, n in zip(p['start'], x[1].shape)), x[1]), a)[1])(x[0].copy())",
  index: `{${INDEX_FORMS.map((f, k) => `${k}: lambda: ${f.numpy}`).join(", ")}}[p['form']]()`,
  indexUpdate: "(lambda a: (a.__setitem__(x[1], x[2]) if p['mode'] == 'set' else np.add.at(a, x[1], x[2]), a)[1])(x[0].copy())",
};

