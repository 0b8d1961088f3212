// Dtype introspection (src/dtype-info.ts): finfo and iinfo against the
// formats' definitions and NumPy, MLX's category hierarchy, the array API's
// isdtype kinds, resultType's weak scalars, canCast's safe rule, and the constants.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";

const C = mx.DtypeCategory;

describe("finfo and iinfo", () => {
  it("float limits as NumPy's finfo (and bfloat16 as ml_dtypes)", async () => {
    expect(mx.finfo(mx.float32)).toMatchObject({ bits: 32, max: 3.4028234663852886e38, min: -3.4028234663852886e38, eps: 2 ** -23, smallestNormal: 2 ** -126 });
    expect(mx.finfo(mx.float16)).toMatchObject({ bits: 16, max: 65504, eps: 2 ** -10, smallestNormal: 2 ** -14 });
    expect(mx.finfo(mx.bfloat16)).toMatchObject({ bits: 16, eps: 2 ** -7 });
    expect(mx.finfo(mx.float64).max).toBe(Number.MAX_VALUE);
    // max is the largest finite value the dtype holds: it survives the conversion, one ulp more rounds to infinity
    for (const d of [mx.float16, mx.bfloat16, mx.float32]) {
      const { max, eps } = mx.finfo(d);
      expect(await mx.array([max, max * (1 + eps)], d).tolist(), d.name).toEqual([max, Infinity]);
    }
    expect(() => mx.finfo(mx.int32)).toThrow(/\[finfo\] dtype must be a floating-point or complex dtype, got int32/);
  });

  it("integer limits, 64-bit ones as bigints", () => {
    expect(mx.iinfo(mx.int8)).toMatchObject({ bits: 8, min: -128, max: 127 });
    expect(mx.iinfo(mx.uint32)).toMatchObject({ bits: 32, min: 0, max: 4294967295 });
    expect(mx.iinfo(mx.int64)).toMatchObject({ min: -9223372036854775808n, max: 9223372036854775807n });
    expect(mx.iinfo(mx.uint64).max).toBe(18446744073709551615n);
    expect(() => mx.iinfo(mx.bool)).toThrow(/\[iinfo\] dtype must be an integer dtype, got bool/);
  });
});

describe("categories", () => {
  it("issubdtype follows MLX's hierarchy", () => {
    expect(mx.issubdtype(mx.float32, C.floating)).toBe(true);
    expect(mx.issubdtype(mx.float32, C.inexact)).toBe(true);
    expect(mx.issubdtype(mx.complex64, C.inexact)).toBe(true);
    expect(mx.issubdtype(mx.complex64, C.floating)).toBe(false);
    expect(mx.issubdtype(mx.uint8, C.integer)).toBe(true);
    expect(mx.issubdtype(mx.uint8, C.signedinteger)).toBe(false);
    expect(mx.issubdtype(mx.int8, C.number)).toBe(true);
    expect(mx.issubdtype(mx.bool, C.number)).toBe(false);
    expect(mx.issubdtype(mx.bool, C.generic)).toBe(true);
    expect(mx.issubdtype(C.integer, C.number)).toBe(true);
    expect(mx.issubdtype(C.number, C.integer)).toBe(false);
    expect(mx.issubdtype(mx.int32, mx.int32)).toBe(true);
    expect(mx.issubdtype(mx.int32, mx.int64)).toBe(false);
    expect(() => mx.issubdtype("float32" as never, C.floating)).toThrow(/\[issubdtype\] first argument must be a dtype/);
  });

  it("isdtype takes the array API's kinds, dtypes and lists of them", () => {
    expect(mx.isdtype(mx.int16, "signed integer")).toBe(true);
    expect(mx.isdtype(mx.uint16, "integral")).toBe(true);
    expect(mx.isdtype(mx.bool, "numeric")).toBe(false);
    expect(mx.isdtype(mx.complex64, ["real floating", "complex floating"])).toBe(true);
    expect(mx.isdtype(mx.float16, mx.float16)).toBe(true);
    expect(() => mx.isdtype(mx.float16, "float" as never)).toThrow(/\[isdtype\] kind must be a dtype or one of/);
  });
});

describe("resultType and canCast", () => {
  it("resultType: arrays and dtypes promote strongly, JS scalars weakly", () => {
    expect(mx.resultType(mx.array([1], mx.int8), mx.array([1], mx.uint8))).toBe(mx.int16);
    expect(mx.resultType(mx.array([1], mx.int8), 2)).toBe(mx.int8);
    expect(mx.resultType(mx.array([1], mx.int8), 2.5)).toBe(mx.float32);
    expect(mx.resultType(mx.bfloat16, mx.float16)).toBe(mx.float32);
    expect(mx.resultType(1, 2.5)).toBe(mx.float32);
    expect(mx.resultType(true)).toBe(mx.bool);
    expect(() => mx.resultType("int8" as never)).toThrow(/\[resultType\] arguments must be arrays, dtypes or JS scalars/);
  });

  it("canCast: NumPy's safe casting", () => {
    const cases: [mx.DType, mx.DType, boolean][] = [
      [mx.bool, mx.int8, true], [mx.int8, mx.bool, false], [mx.int8, mx.int16, true], [mx.int16, mx.int8, false],
      [mx.uint8, mx.int16, true], [mx.uint8, mx.int8, false], [mx.int8, mx.uint64, false], [mx.uint16, mx.uint32, true],
      [mx.int8, mx.float16, true], [mx.uint8, mx.float16, true], [mx.int16, mx.float16, false], [mx.int16, mx.float32, true],
      [mx.int32, mx.float32, false], [mx.int32, mx.float64, true], [mx.int64, mx.float64, true], [mx.uint64, mx.float32, false], [mx.int16, mx.complex64, true], [mx.int32, mx.complex64, false], [mx.float16, mx.float32, true],
      [mx.float32, mx.float16, false], [mx.float16, mx.bfloat16, false], [mx.bfloat16, mx.float32, true], [mx.float32, mx.complex64, true],
      [mx.float64, mx.complex64, false], [mx.complex64, mx.float32, false],
    ];
    for (const [from, to, want] of cases) expect(mx.canCast(from, to), `${from} -> ${to}`).toBe(want);
    expect(mx.canCast(mx.array([1], mx.uint8), mx.uint16)).toBe(true);
  });
});

describe("constants", () => {
  it("pi, e, eulerGamma, inf, nan and newaxis", () => {
    expect(mx.pi).toBe(Math.PI);
    expect(mx.e).toBe(Math.E);
    expect(mx.eulerGamma).toBeCloseTo(0.5772156649015329, 15);
    expect(mx.inf).toBe(Infinity);
    expect(mx.nan).toBeNaN();
    expect(mx.newaxis).toBeNull();
  });
});
