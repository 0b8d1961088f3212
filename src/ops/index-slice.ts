// Python's slice(start, stop, step) as an index entry: the IndexSlice class
// and its checked construction, shared by mx.s and the index-slice form of
// mx.slice (layout.ts).

import { describeValue, opError } from "../errors.js";

/** Python's slice(start, stop, step) as an index entry; made by `mx.s` or `mx.slice(start, stop, step)`. */
export class IndexSlice {
  constructor(
    readonly start: number | null,
    readonly stop: number | null,
    readonly step: number | null,
  ) {}
}

/** The IndexSlice of Python's `slice(*bounds)` (one bound is the stop), bounds checked; errors name `op`. */
export function indexSlice(op: string, bounds: readonly unknown[]): IndexSlice {
  const [start, stop, step] = bounds.length === 1 ? [null, bounds[0], null] : [bounds[0], bounds[1], bounds[2]];
  const given = [start ?? null, stop ?? null, step ?? null];
  for (const b of given) if (b !== null && !Number.isInteger(b)) throw opError(op, `slice bounds must be integers or null, got ${describeValue(b)}`, [], "type");
  if (given[2] === 0) throw opError(op, "slice step must not be 0", [], "value");
  return new IndexSlice(...(given as [number | null, number | null, number | null]));
}
