// mx.pad's "reflect" and "symmetric" modes (MLX's reflect_pad) on every
// backend: NumPy's np.pad values where the widths fit the axis, a
// simulation of MLX's chunked fill where they pass it (NumPy's alternating
// fill differs there), and the gradient (NumPy's np.add.at of the cotangent
// at the mirrored positions).

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectArray } from "./helpers/backends.js";

describe.each(BACKENDS)("pad modes on $name", ({ device }) => {
  const o = { stream: device };
  const m34 = () => mx.reshape(mx.arange(12, o), [3, 4], o);

  it("reflect and symmetric match np.pad where the widths fit the axis", async () => {
    await expectArray(mx.pad(m34(), [[2, 1], [3, 0]], "reflect", o), [
      [11, 10, 9, 8, 9, 10, 11], [7, 6, 5, 4, 5, 6, 7], [3, 2, 1, 0, 1, 2, 3], [7, 6, 5, 4, 5, 6, 7], [11, 10, 9, 8, 9, 10, 11], [7, 6, 5, 4, 5, 6, 7],
    ], mx.int32);
    await expectArray(mx.pad(m34(), [[1, 3], [2, 4]], { mode: "symmetric", ...o }), [
      [1, 0, 0, 1, 2, 3, 3, 2, 1, 0], [1, 0, 0, 1, 2, 3, 3, 2, 1, 0], [5, 4, 4, 5, 6, 7, 7, 6, 5, 4], [9, 8, 8, 9, 10, 11, 11, 10, 9, 8],
      [9, 8, 8, 9, 10, 11, 11, 10, 9, 8], [5, 4, 4, 5, 6, 7, 7, 6, 5, 4], [1, 0, 0, 1, 2, 3, 3, 2, 1, 0],
    ]);
    await expectArray(mx.pad(mx.array([7], mx.float32, o), [2, 3], "reflect", o), [7, 7, 7, 7, 7, 7], mx.float32);
    await expectArray(mx.pad(mx.array([7], mx.float32, o), [2, 3], "symmetric", o), [7, 7, 7, 7, 7, 7]);
  });

  it("widths past the axis keep mirroring, as MLX's chunked fill", async () => {
    const a = mx.array([10, 20, 30], mx.int32, o);
    await expectArray(mx.pad(a, [7, 5], "reflect", o), [20, 30, 20, 10, 20, 30, 20, 10, 20, 30, 20, 10, 20, 30, 20]);
    await expectArray(mx.pad(a, [7, 5], "symmetric", o), [10, 10, 20, 30, 30, 20, 10, 10, 20, 30, 30, 20, 10, 10, 20]);
    // here np.pad gives [..., 20, 10, 20, 30, 20] and [..., 10, 10, 10]
    await expectArray(mx.pad(a, [1, 11], "reflect", o), [20, 10, 20, 30, 20, 10, 20, 30, 20, 10, 20, 30, 20, 10, 20]);
    await expectArray(mx.pad(a, [1, 11], "symmetric", o), [10, 10, 20, 30, 30, 20, 10, 10, 20, 30, 30, 20, 10, 10, 20]);
  });

  it("gradients scatter back to the mirrored elements", async () => {
    const w = mx.arange(1, 10, mx.float32, o);
    for (const [mode, want] of [["reflect", [4, 17, 16, 8]], ["symmetric", [7, 7, 16, 15]]] as const) {
      const g = mx.grad((x: mx.MxArray) => mx.sum(mx.multiply(mx.pad(x, [3, 2], mode, o), w, o), o))(mx.zeros([4], mx.float32, o));
      await expectArray(g, [...want], mx.float32);
    }
  });

  it("refuses an empty axis and unknown modes", () => {
    expect(() => mx.pad(mx.zeros([0, 2], mx.float32, o), [[1, 0], [0, 0]], "reflect")).toThrow(/\[pad\] reflect mode cannot pad axis 0 of size 0/);
    expect(() => mx.pad(mx.zeros([2], mx.float32, o), 1, "wrap" as never)).toThrow(/\[pad\] mode must be one of "constant", "edge", "reflect", "symmetric"/);
  });
});
