// nestedListShape (src/convert.ts): the shape mx.array reads from a nested JS
// list, found without recursion, and an `[array]` error naming the depth for
// a list nested past MAX_NESTING levels (a list 8000 deep used to end in a
// bare "Maximum call stack size exceeded").

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { MAX_NESTING, nestedListShape } from "../src/convert.js";

const nested = (depth: number, leaf: unknown = 1): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

describe("nestedListShape", () => {
  it("reads the shape along the first elements: scalars, empty lists, ragged rest left to the walk", () => {
    expect(nestedListShape(3)).toEqual([]);
    expect(nestedListShape([])).toEqual([0]);
    expect(nestedListShape([[1, 2, 3], [4, 5, 6]])).toEqual([2, 3]);
    expect(nestedListShape([[[]], [[]]])).toEqual([2, 1, 0]);
    expect(nestedListShape([[1], 2])).toEqual([2, 1]);
  });

  it("takes MAX_NESTING levels, and refuses one more (and 8000) with an [array] error naming the depth, far from the stack limit", () => {
    expect(nestedListShape(nested(MAX_NESTING))).toEqual(Array(MAX_NESTING).fill(1));
    for (const depth of [MAX_NESTING + 1, 8000, 200_000]) {
      let error: unknown;
      try {
        nestedListShape(nested(depth));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).not.toBe("RangeError");
      expect((error as Error).message).toMatch(new RegExp(`^\\[array\\] the nested list is ${depth} levels deep \\(along its first elements\\); mx.array reads at most ${MAX_NESTING} levels \\(dimensions\\) from a list: build a deeper array with mx.reshape`));
    }
  });

  it("is what mx.array reads: a list MAX_NESTING deep gives that many dims, one 8000 deep the [array] error", () => {
    expect(mx.array(nested(MAX_NESTING) as mx.NestedList, mx.float32, { stream: mx.cpu }).ndim).toBe(MAX_NESTING);
    expect(() => mx.array(nested(8000) as mx.NestedList)).toThrow(/^\[array\] the nested list is 8000 levels deep/);
  });
});
