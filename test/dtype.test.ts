// The promotion table of MLX (mlx/dtype.cpp), written out in full as an
// independent check of the rule-based promoteTypes, plus weak JS scalars.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";

const ORDER = ["bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "bfloat16", "complex64"];
const A = { b: "bool", u8: "uint8", u16: "uint16", u32: "uint32", u64: "uint64", i8: "int8", i16: "int16", i32: "int32", i64: "int64", f16: "float16", f32: "float32", f64: "float64", bf: "bfloat16", c: "complex64" } as const;
// rows and columns in ORDER
const TABLE = `
b   u8  u16 u32 u64 i8  i16 i32 i64 f16 f32 f64 bf  c
u8  u8  u16 u32 u64 i16 i16 i32 i64 f16 f32 f64 bf  c
u16 u16 u16 u32 u64 i32 i32 i32 i64 f16 f32 f64 bf  c
u32 u32 u32 u32 u64 i64 i64 i64 i64 f16 f32 f64 bf  c
u64 u64 u64 u64 u64 f32 f32 f32 f32 f16 f32 f64 bf  c
i8  i16 i32 i64 f32 i8  i16 i32 i64 f16 f32 f64 bf  c
i16 i16 i32 i64 f32 i16 i16 i32 i64 f16 f32 f64 bf  c
i32 i32 i32 i64 f32 i32 i32 i32 i64 f16 f32 f64 bf  c
i64 i64 i64 i64 f32 i64 i64 i64 i64 f16 f32 f64 bf  c
f16 f16 f16 f16 f16 f16 f16 f16 f16 f16 f32 f64 f32 c
f32 f32 f32 f32 f32 f32 f32 f32 f32 f32 f32 f64 f32 c
f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 c
bf  bf  bf  bf  bf  bf  bf  bf  bf  f32 f32 f64 bf  c
c   c   c   c   c   c   c   c   c   c   c   c   c   c`;

const dt = (name: string) => mx.ALL_DTYPES.find((d) => d.name === name)!;

describe("dtype promotion", () => {
  const rows = TABLE.trim().split("\n").map((r) => r.trim().split(/\s+/).map((k) => A[k as keyof typeof A]));
  it("matches MLX's table for all 196 pairs", () => {
    ORDER.forEach((a, i) =>
      ORDER.forEach((b, j) => {
        expect(mx.promoteTypes(dt(a), dt(b)).name, `${a} + ${b}`).toBe(rows[i]![j]);
      }),
    );
  });

  it("applies to ops on arrays", () => {
    const u64 = mx.array([1], mx.uint64), i64 = mx.array([1], mx.int64);
    expect(mx.add(u64, i64).dtype).toBe(mx.float32);
    expect(mx.add(mx.array([1], mx.float16), mx.array([1], mx.bfloat16)).dtype).toBe(mx.float32);
  });

  it("keeps JS scalars weak", () => {
    const h = mx.array([1], mx.float16);
    expect(mx.add(h, 1.5).dtype).toBe(mx.float16);
    expect(mx.add(mx.array([1], mx.int8), 3).dtype).toBe(mx.int8);
    expect(mx.add(mx.array([1], mx.int8), 3.5).dtype).toBe(mx.float32);
    expect(mx.add(mx.array([true]), 3).dtype).toBe(mx.int32);
    expect(mx.multiply(mx.array([1], mx.uint8), true).dtype).toBe(mx.uint8);
    expect(mx.add(2, 3.5).dtype).toBe(mx.float32);
    expect(mx.add(2, 3).dtype).toBe(mx.int32);
  });

  it("lifts integers to float32 for float ops and true division", () => {
    expect(mx.exp(mx.array([1, 2])).dtype).toBe(mx.float32);
    expect(mx.divide(mx.array([1]), mx.array([2])).dtype).toBe(mx.float32);
    expect(mx.sqrt(mx.array([4], mx.float16)).dtype).toBe(mx.float16);
  });
});
