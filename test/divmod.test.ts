// Primitives with several outputs, through divmod: the sibling arrays one
// kernel call fills, on every backend; each output equal to its single-output
// op; vjp, jvp and vmap through the siblings (one rule call for all outputs).

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectClose } from "./helpers/backends.js";

describe.each(BACKENDS)("divmod on $name", ({ device }) => {
  const o = { stream: device };

  it("gives floorDivide and remainder, as sibling outputs of one primitive for integers", async () => {
    const a = mx.array([7, -7, 7, -1, 0], mx.int32, o);
    const b = mx.array([2, 2, -2, 3, 3], mx.int32, o);
    const [q, r] = mx.divmod(a, b, o);
    expect(q.siblings).toEqual([q, r]);
    expect(q.primitive).toBe(r.primitive);
    expect(await q.tolist()).toEqual(await mx.floorDivide(a, b, o).tolist());
    expect(await r.tolist()).toEqual(await mx.remainder(a, b, o).tolist());
    expect(r.isEvaluated).toBe(true); // filled by the same kernel call as q
  });

  it("gives MLX's float quotient floor(a / b) (np.floor(np.float32(a) / np.float32(b))) and Python's remainder, from one primitive", async () => {
    const a = mx.array([7, -7, 7.5, -1, 1, 0.3], mx.float32, o);
    const b = mx.array([2, 2, -2, 0.1, 0.1, 0.1], mx.float32, o);
    const [q, r] = mx.divmod(a, b, o);
    expect(q.siblings).toEqual([q, r]);
    expect(await q.tolist()).toEqual([3, -4, -4, -10, 10, 3]);
    expect(r.isEvaluated).toBe(true);
    expect(await q.tolist()).toEqual(await mx.floorDivide(a, b, o).tolist());
    expect(await r.tolist()).toEqual(await mx.remainder(a, b, o).tolist());
    const [h] = mx.divmod(mx.array([2.5, 100], mx.float16, o), mx.array([0.3, 0.3], mx.float16, o), o);
    expect([h.dtype, await h.tolist()]).toEqual([mx.float16, [8, 333]]);
  });

  it("promotes, broadcasts and keeps integer semantics (division by zero gives 0)", async () => {
    const [q, r] = mx.divmod(mx.array([[7], [-7]], mx.int32, o), mx.array([2, 0, -3], mx.int32, o), o);
    expect(q.shape).toEqual([2, 3]);
    expect(await q.tolist()).toEqual([[3, 0, -3], [-4, 0, 2]]);
    expect(await r.tolist()).toEqual([[1, 0, -2], [1, 0, -1]]);
    expect(mx.divmod(mx.array([1], mx.uint8, o), 2.5, o)[0].dtype).toBe(mx.float32);
    expect(() => mx.divmod(mx.array([{ re: 1, im: 1 }], mx.complex64), 1)).toThrow(/\[divmod\]/);
  });

  it("differentiates through both outputs with one rule call", async () => {
    const a = mx.array([7.5, -3.25], mx.float32, o);
    const b = mx.array([2, 1.5], mx.float32, o);
    const f = (x: mx.MxArray, y: mx.MxArray) => {
      const [q, r] = mx.divmod(x, y, o);
      return mx.sum(mx.add(mx.multiply(q, 3, o), mx.multiply(r, r, o), o), o);
    };
    const [ga, gb] = mx.grad(f, { argnums: [0, 1] })(a, b);
    // d/dx (3q + r^2) = 2r; d/dy = -2r floor(x / y)
    const [q, r] = [await mx.floorDivide(a, b, o).tolist(), await mx.remainder(a, b, o).tolist()] as [number[], number[]];
    await expectClose(ga, r.map((v) => 2 * v), 1e-6);
    await expectClose(gb, r.map((v, i) => -2 * v * q[i]!), 1e-6);
    const [, [tq, tr]] = mx.jvp((x: mx.MxArray) => mx.divmod(x, b, o), [a], [mx.ones([2], mx.float32, o)]);
    expect(await tq.tolist()).toEqual([0, 0]);
    expect(await tr.tolist()).toEqual([1, 1]);
  });

  it("vmaps both outputs", async () => {
    const x = mx.array([[5, 6], [7, 8]], mx.int32, o);
    const [q, r] = mx.vmap((row: mx.MxArray) => mx.divmod(row, 4, o))(x) as unknown as [mx.MxArray, mx.MxArray];
    expect(await q.tolist()).toEqual([[1, 1], [1, 2]]);
    expect(await r.tolist()).toEqual([[1, 2], [3, 0]]);
  });

  it("recomputes a released sibling after its twin was evaluated and let go of its primitive", async () => {
    const a = mx.array([5, 7, 9], mx.float32, o);
    const x = (() => {
      const [q, r] = mx.divmod(a, 2, o);
      return mx.add(mx.multiply(q!, mx.sqrt(r!, o), o), r!, o);
    })();
    expect(await mx.sum(x, o).item()).toBe(12);
    expect(await x.tolist()).toEqual([3, 4, 5]);
  });
});
