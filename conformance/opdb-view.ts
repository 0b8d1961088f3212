// Op-database entry of view (a bitcast to another dtype): exact, bit for bit,
// as data movement is. A case draws the target dtype first, then a shape that
// MLX's rule accepts for that pair (a last axis the size ratio divides, and at
// least one axis when the item sizes differ).

import fc from "fast-check";
import * as mx from "../index.js";
import { inputArb, shapeArb } from "./arbitraries.js";
import type { OpEntry } from "./opdb.js";
import { ALL_REAL } from "./opdb-common.js";

const dtypeOf = (name: string) => (mx as unknown as Record<string, mx.DType>)[name]!;

/** A shape that `from` can be viewed as `to` from: the last axis rounded up to a multiple of the size ratio. */
function viewableShape(from: mx.DType, to: mx.DType): fc.Arbitrary<number[]> {
  if (from.size === to.size) return shapeArb(4);
  const k = to.size / from.size;
  return shapeArb(4, 1).map((s) => (k > 1 ? [...s.slice(0, -1), k * Math.ceil(s[s.length - 1]! / k)] : s));
}

export const VIEW_OPS: readonly OpEntry[] = [
  {
    name: "view",
    group: "layout",
    dtypes: ALL_REAL,
    cases: (d) =>
      fc.constantFrom(...ALL_REAL.map((t) => t.name)).chain((to) =>
        viewableShape(d, dtypeOf(to)).chain((s) => inputArb(s, d).map((x) => ({ inputs: [x], params: { to } }))),
      ),
    call: ([x], p, o) => mx.view(x!, dtypeOf(p.to as string), o),
    source: ([x], p, o) => `mx.view(${x}, mx.${String(p.to)}, ${o})`,
    spread: "layout",
  },
];
