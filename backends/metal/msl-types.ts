// What the Metal kernels' #defines are made of, per dtype: the MSL storage
// type, the compute type (float, int, uint, long or ulong), which unary and binary ops
// apply (from the op table's domains) and the astype expressions (the CPU
// reference's cast rules: saturating float-to-int, NaN -> 0, bool = nonzero,
// wide integers to half and bfloat rounded once; complex64 is float2 and a real
// value becomes its real part).

import { bfloat16, bool, complex64, float16, float32, int16, int32, int64, int8, is64BitInt, uint16, uint32, uint64, uint8, type DType } from "../../src/dtype.js";
import { BINARY_OPS, UNARY_OPS, type Domain } from "../../src/primitives/elementwise.js";

/** The dtypes the metal backend holds (float64 is refused by name). */
export const METAL_DTYPES = [bool, uint8, uint16, uint32, uint64, int8, int16, int32, int64, float16, bfloat16, float32, complex64];

/** float2 is complex64's (real, imaginary) pair. */
export type ComputeType = "float" | "int" | "uint" | "long" | "ulong" | "float2";

const STORAGE: Record<string, string> = {
  bool: "bool", uint8: "uchar", uint16: "ushort", uint32: "uint", uint64: "ulong", int8: "char", int16: "short", int32: "int", int64: "long",
  float16: "half", bfloat16: "bfloat", float32: "float", complex64: "float2",
};

export function mslType(d: DType): string {
  const t = STORAGE[d.name];
  if (!t) throw new Error(`[metal] dtype ${d.name} is not supported on the metal backend; supported: ${METAL_DTYPES.map((x) => x.name).join(", ")}`);
  return t;
}

export function computeType(d: DType): ComputeType {
  if (d.kind === "float") return "float";
  if (d.kind === "complex") return "float2";
  if (is64BitInt(d)) return d.kind === "int" ? "long" : "ulong";
  return d.kind === "int" ? "int" : "uint";
}

function applies(domain: Domain, d: DType): boolean {
  if (domain === "float") return d.kind === "float";
  if (domain === "integer") return d.kind !== "float";
  return true;
}

/** The X-macro list of the unary ops of dtype `d`: X(name, functor, output type). */
export function unaryList(d: DType): string {
  const items = Object.entries(UNARY_OPS).filter(([, info]) => applies(info.domain, d)).map(([op, info]) => {
    const functor = op === "bitwiseInvert" && d.kind === "bool" ? "op_boolInvert" : `op_${op}`;
    return `X(${op}, ${functor}, ${"boolOut" in info && info.boolOut ? "bool" : "T"})`;
  });
  return `${items.join(" ")}`;
}

/** The X-macro list of the binary ops of dtype `d`; half's and bfloat's floorDivide round the quotient to their dtype (msl/elementwise.metal). */
export function binaryList(d: DType): string {
  const items = Object.entries(BINARY_OPS).filter(([, info]) => applies(info.domain, d)).map(([op, info]) => {
    const functor = op === "floorDivide" && (d === float16 || d === bfloat16) ? `op_floorDivide_${mslType(d)}` : `op_${op}`;
    return `X(${op}, ${functor}, ${"boolOut" in info && info.boolOut ? "bool" : "T"})`;
  });
  return items.join(" ");
}

/** astype from `src` to `dst`, an expression of `a` (src's compute type). */
export function castExpr(src: DType, dst: DType): string {
  const s = computeType(src), t = computeType(dst);
  if (dst === complex64) return `float2(${castExpr(src, float32)}, 0.0f)`;
  if (dst.kind === "bool") return s === "float" ? "a != 0.0f" : "a != 0";
  if (t === "float") {
    if (s === "float") return "a";
    // integers of more than 24 bits reach half and bfloat through float rounded to odd (rounding twice to nearest can be off)
    if (src.size < 4 || dst === float32) return "float(a)";
    return s === "long" || s === "int" ? "i64_to_f32_odd(long(a))" : "u64_to_f32_odd(ulong(a))";
  }
  if (s === "float" && is64BitInt(dst)) return t === "long" ? "f32_to_i64_sat(a)" : "f32_to_u64_sat(a)";
  if (s === "float") {
    const bits = dst.size * 8;
    return t === "int" ? `f32_to_i32_sat(a, ${-(2 ** (bits - 1))}.0f, ${2 ** (bits - 1) - 1}.0f)` : `f32_to_u32_sat(a, ${2 ** bits - 1}.0f)`;
  }
  return "a";
}

export function castList(src: DType): string {
  return METAL_DTYPES.map((dst) => `X(${dst.name}, ${mslType(dst)}, ${castExpr(src, dst)})`).join(" ");
}
