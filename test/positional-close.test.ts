// MLX's positional forms of isclose/allclose (rtol, atol, equal_nan) and
// arrayEqual (equal_nan) on the cpu, beside the options object.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";

describe("positional closeness arguments", () => {
  const a = () => mx.array([1, 1.1, NaN, Infinity], mx.float32);
  const b = () => mx.array([1.000001, 1, NaN, Infinity], mx.float32);

  it("isclose takes (rtol, atol, equalNan) positionally, null for a default, then the options", async () => {
    expect(await mx.isclose(a(), b()).tolist()).toEqual([true, false, false, true]);
    expect(await mx.isclose(a(), b(), 0.2).tolist()).toEqual([true, true, false, true]);
    expect(await mx.isclose(a(), b(), 0, 0.2).tolist()).toEqual([true, true, false, true]);
    expect(await mx.isclose(a(), b(), 0, 0, true).tolist()).toEqual([false, false, true, true]);
    expect(await mx.isclose(a(), b(), null, null, true, { stream: mx.cpu }).tolist()).toEqual([true, false, true, true]);
    expect(await mx.isclose(a(), b(), 0.2, { equalNan: true }).tolist()).toEqual([true, true, true, true]);
    expect(() => mx.isclose(a(), b(), 0.2, { rtol: 0.1 } as never)).toThrow(/\[isclose\] rtol given twice/);
    expect(() => mx.isclose(a(), b(), 0.2, 0, true, 1 as never)).toThrow(/\[isclose\]/);
  });

  it("allclose takes the same positional arguments", async () => {
    expect(await mx.allclose(a(), b(), 0.2, 1e-8, true).item()).toBe(true);
    expect(await mx.allclose(a(), b(), 0.2).item()).toBe(false);
    expect(await mx.allclose(a(), b(), 0.2, { equalNan: true }).item()).toBe(true);
    expect(await mx.allclose(a(), b(), { rtol: 0.2, equalNan: true }).item()).toBe(true);
  });

  it("arrayEqual takes equalNan positionally", async () => {
    const n = () => mx.array([1, NaN]);
    expect(await mx.arrayEqual(n(), n()).item()).toBe(false);
    expect(await mx.arrayEqual(n(), n(), true).item()).toBe(true);
    expect(await mx.arrayEqual(n(), n(), null, { stream: mx.cpu }).item()).toBe(false);
    expect(await mx.arrayEqual(n(), n(), { equalNan: true, stream: mx.cpu }).item()).toBe(true);
    expect(() => mx.arrayEqual(n(), n(), true, { equalNan: true } as never)).toThrow(/\[arrayEqual\] equalNan given twice/);
  });
});
