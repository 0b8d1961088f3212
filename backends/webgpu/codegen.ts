// WGSL snippets generated per dtype for the kernels' slots: compute types,
// packing shifts, input bindings with their load functions, the store of an
// output element, and the per-op expressions (the counterpart of the CPU
// reference's expression table).

import { bfloat16, complex64, float16, float32, is64BitInt, type DType } from "../../src/dtype.js";
import type { BinaryOp, UnaryOp } from "../../src/primitives/elementwise.js";
import type { MathMode } from "../../src/math-mode.js";

/** The WGSL type a kernel computes an element in; i64 and u64 are pairs of u32 words (wgsl/int64.wgsl), c64 a vec2<f32> (wgsl/complex.wgsl). */
export type ComputeType = "f32" | "i32" | "u32" | "i64" | "u64" | "c64";

export function computeType(d: DType): ComputeType {
  if (is64BitInt(d)) return d.kind === "int" ? "i64" : "u64";
  if (d === complex64) return "c64";
  return d.kind === "float" ? "f32" : d.kind === "int" ? "i32" : "u32";
}

/**
 * The helper files a kernel over `dtypes` needs: dtypes.wgsl, int64.wgsl where
 * a 64-bit integer is among them, and complex.wgsl (after the math library,
 * which it calls) where complex64 is.
 */
export function helpersFor(dtypes: readonly DType[], extra: readonly string[] = []): string[] {
  const base = dtypes.some(is64BitInt) ? ["dtypes", "int64", ...extra] : ["dtypes", ...extra];
  if (!dtypes.includes(complex64)) return base;
  return [...base.filter((h) => h !== "math" && h !== "math-basic"), "math", "complex"];
}

/** log2 of elements per word (dtypes of at most 32 bits). */
export function wordShift(d: DType): number {
  return d.size === 1 ? 2 : d.size === 2 ? 1 : 0;
}

export function elementsPerWord(d: DType): number {
  return 1 << wordShift(d);
}

/** Binding `binding` named in<k> and `load_<k>(e)`: element e (an element offset) in its compute type. */
export function inputDecl(k: number, binding: number, d: DType): string {
  if (d === complex64) {
    return `@group(0) @binding(${binding}) var<storage, read> in${k}: array<u32>;
fn load_${k}(e: u32) -> vec2<f32> { return bitcast<vec2<f32>>(vec2<u32>(in${k}[2u * e], in${k}[2u * e + 1u])); }`;
  }
  if (is64BitInt(d)) {
    return `@group(0) @binding(${binding}) var<storage, read> in${k}: array<u32>;
fn load_${k}(e: u32) -> vec2<u32> { return vec2<u32>(in${k}[2u * e], in${k}[2u * e + 1u]); }`;
  }
  return `@group(0) @binding(${binding}) var<storage, read> in${k}: array<u32>;
fn load_${k}(e: u32) -> ${computeType(d)} { return unpack_${d.name}(in${k}[e >> ${wordShift(d)}u], e); }`;
}

/** The element bits of value expression `v` (of `d`'s compute type, or WGSL bool when `isBool`). */
export function packExpr(d: DType, v: string, isBool = false): string {
  return `pack_${d.name}(${isBool ? `select(0u, 1u, ${v})` : v})`;
}

/**
 * WGSL expressions per compute type; `bool` applies to bool inputs (u32 0/1), falling back to `u`;
 * `i64`/`u64` (never a fallback) to int64/uint64 pairs; `c` to complex64 inputs (vec2<f32>, wgsl/complex.wgsl).
 */
export interface WgslExprs {
  f?: string;
  i?: string;
  u?: string;
  i64?: string;
  u64?: string;
  bool?: string;
  c?: string;
  /** The float expression of mx.setMathMode("fast"): the driver's builtins (`f` is the precise library's). */
  fast?: string;
  /** The float16 and bfloat16 expressions, where they differ from `f` (an op whose value rounds to its dtype mid-way). */
  f16?: string;
  bf16?: string;
  /** The expression yields a WGSL bool. */
  boolResult?: boolean;
}

const all = (e: string, extra: Partial<WgslExprs> = {}): WgslExprs => ({ f: e, i: e, u: e, ...extra });
/** The int64 and uint64 expressions (wgsl/int64.wgsl functions); one string serves both. */
const w64 = (i64: string, u64 = i64): Partial<WgslExprs> => ({ i64, u64 });

export const UNARY_WGSL: Record<UnaryOp, WgslExprs> = {
  abs: { f: "mx_abs(a)", i: "abs(a)", u: "a", c: "c_abs(a)", ...w64("i64_abs(a)", "a") },
  negative: { f: "mx_neg(a)", i: "-a", u: "0u - a", c: "c_neg(a)", ...w64("w64_neg(a)") },
  sign: { f: "mx_sign(a)", c: "c_sign(a)", i: "sign(a)", u: "select(0u, 1u, a > 0u)", ...w64("i64_sign(a)", "vec2u(select(0u, 1u, w64_nz(a)), 0u)") },
  floor: { f: "floor(a)", i: "a", u: "a", ...w64("a") },
  ceil: { f: "ceil(a)", i: "a", u: "a", ...w64("a") },
  round: { f: "round(a)", c: "round(a)", i: "a", u: "a", ...w64("a") },
  square: all("a * a", { ...w64("w64_mul(a, a)"), c: "c_square(a)" }),
  sqrt: { f: "mx_sqrt(a)", c: "c_sqrt(a)", fast: "sqrt(a)" },
  rsqrt: { f: "mx_rsqrt(a)", c: "c_rsqrt(a)", fast: "inverseSqrt(a)" },
  reciprocal: { f: "div_f(1.0, a)", c: "c_recip(a)" },
  exp: { f: "mx_exp(a)", c: "c_exp(a)", fast: "exp(a)" },
  expm1: { f: "mx_expm1(a)", fast: "expm1_f(a)" },
  log: { f: "mx_log(a)", c: "c_log(a)", fast: "log(a)" },
  log2: { f: "mx_log2(a)", c: "c_log(a) * 1.4426950408889634", fast: "log2(a)" },
  log10: { f: "mx_log10(a)", c: "c_log(a) * 0.4342944819032518", fast: "log2(a) * 0.30102999566398120" },
  log1p: { f: "mx_log1p(a)", fast: "log1p_f(a)" },
  sin: { f: "mx_sin(a)", c: "c_sin(a)", fast: "sin(a)" },
  cos: { f: "mx_cos(a)", c: "c_cos(a)", fast: "cos(a)" },
  tan: { f: "mx_tan(a)", c: "c_tan(a)", fast: "tan(a)" },
  arcsin: { f: "mx_asin(a)", c: "c_arcsin(a)", fast: "asin(a)" },
  arccos: { f: "mx_acos(a)", c: "c_arccos(a)", fast: "acos(a)" },
  arctan: { f: "mx_atan(a)", c: "c_arctan(a)", fast: "atan(a)" },
  sinh: { f: "mx_sinh(a)", c: "c_sinh(a)", fast: "sinh(a)" },
  cosh: { f: "mx_cosh(a)", c: "c_cosh(a)", fast: "cosh(a)" },
  tanh: { f: "mx_tanh(a)", c: "c_tanh(a)", fast: "tanh(a)" },
  arcsinh: { f: "mx_arcsinh(a)", fast: "asinh(a)" },
  arccosh: { f: "mx_arccosh(a)", fast: "acosh(a)" },
  arctanh: { f: "mx_arctanh(a)", fast: "atanh(a)" },
  sigmoid: { f: "mx_sigmoid(a)", fast: "sigmoid_f(a)" },
  erf: { f: "mx_erf(a)" },
  erfinv: { f: "mx_erfinv(a)" },
  isnan: { f: "is_nan(a)", c: "(is_nan(a.x) || is_nan(a.y))", i: "false", u: "false", ...w64("false"), boolResult: true },
  isinf: { f: "is_inf(a)", c: "(is_inf(a.x) || is_inf(a.y))", i: "false", u: "false", ...w64("false"), boolResult: true },
  isfinite: { f: "!(is_nan(a) || is_inf(a))", c: "!(is_nan(a.x) || is_inf(a.x) || is_nan(a.y) || is_inf(a.y))", i: "true", u: "true", ...w64("true"), boolResult: true },
  logicalNot: { f: "!mx_nonzero(a)", i: "a == 0", u: "a == 0u", ...w64("!w64_nz(a)"), boolResult: true },
  bitwiseInvert: { i: "~a", u: "~a", bool: "(1u - a)", ...w64("~a") },
  stopGradient: all("a", { ...w64("a"), c: "a" }),
};

export const BINARY_WGSL: Record<BinaryOp, WgslExprs> = {
  add: all("a + b", { ...w64("w64_add(a, b)"), c: "a + b" }),
  subtract: all("a - b", { ...w64("w64_sub(a, b)"), c: "a - b" }),
  multiply: all("a * b", { ...w64("w64_mul(a, b)"), c: "c_mul(a, b)" }),
  divide: { f: "div_f(a, b)", c: "c_div(a, b)" },
  // MLX's floor(divide(a, b)): the correctly rounded quotient, rounded to float16 or bfloat16 for those, then floored
  floorDivide: {
    f: "floor_quotient(div_f(a, b))",
    f16: "floor_quotient(round_float16(div_f(a, b)))",
    bf16: "floor_quotient(unpack_bfloat16(pack_bfloat16(div_f(a, b)), 0u))",
    i: "floor_divide_i(a, b)",
    u: "select(a / b, 0u, b == 0u)",
    ...w64("i64_floordiv(a, b)", "u64_floordiv(a, b)"),
  },
  remainder: { f: "remainder_f(a, b)", i: "remainder_i(a, b)", u: "select(a % b, 0u, b == 0u)", ...w64("i64_rem(a, b)", "u64_rem(a, b)") },
  power: { f: "mx_power(a, b)", c: "c_pow(a, b)", fast: "pow_f(a, b)", i: "pow_i(a, b)", u: "pow_u(a, b)", ...w64("w64_pow(a, b, true)", "w64_pow(a, b, false)") },
  maximum: { f: "maximum_f(a, b)", c: "select(b, a, c_has_nan(a) || c_after(a, b))", i: "max(a, b)", u: "max(a, b)", ...w64("select(b, a, i64_le(b, a))", "select(b, a, u64_le(b, a))") },
  minimum: { f: "minimum_f(a, b)", c: "select(b, a, c_has_nan(a) || c_after(b, a))", i: "min(a, b)", u: "min(a, b)", ...w64("select(b, a, i64_le(a, b))", "select(b, a, u64_le(a, b))") },
  logaddexp: { f: "mx_logaddexp(a, b)", fast: "logaddexp_f(a, b)" },
  arctan2: { f: "mx_atan2(a, b)", fast: "atan2(a, b)" },
  bitwiseAnd: { i: "a & b", u: "a & b", ...w64("a & b") },
  bitwiseOr: { i: "a | b", u: "a | b", ...w64("a | b") },
  bitwiseXor: { i: "a ^ b", u: "a ^ b", ...w64("a ^ b") },
  leftShift: { i: "select(a << u32(b), 0, b < 0 || b >= 32)", u: "select(a << b, 0u, b >= 32u)", ...w64("u64_lshift(a, b)") },
  rightShift: { i: "select(a >> u32(b), select(0, -1, a < 0), b < 0 || b >= 32)", u: "select(a >> b, 0u, b >= 32u)", ...w64("i64_rshift(a, b)", "u64_rshift(a, b)") },
  // float compares on the bits' order keys (dtypes.wgsl): a driver that flushes subnormals in float compares cannot change them
  equal: all("a == b", { f: "f32_eq(a, b)", c: "c_eq(a, b)", ...w64("w64_eq(a, b)"), boolResult: true }),
  notEqual: all("a != b", { f: "!f32_eq(a, b)", c: "!c_eq(a, b)", ...w64("!w64_eq(a, b)"), boolResult: true }),
  less: all("a < b", { f: "f32_lt(a, b)", c: "c_after(b, a)", ...w64("i64_lt(a, b)", "u64_lt(a, b)"), boolResult: true }),
  lessEqual: all("a <= b", { f: "f32_le(a, b)", c: "c_not_before(b, a)", ...w64("i64_le(a, b)", "u64_le(a, b)"), boolResult: true }),
  greater: all("a > b", { f: "f32_lt(b, a)", c: "c_after(a, b)", ...w64("i64_lt(b, a)", "u64_lt(b, a)"), boolResult: true }),
  greaterEqual: all("a >= b", { f: "f32_le(b, a)", c: "c_not_before(a, b)", ...w64("i64_le(b, a)", "u64_le(b, a)"), boolResult: true }),
  logicalAnd: { f: "(mx_nonzero(a) && mx_nonzero(b))", i: "(a != 0 && b != 0)", u: "(a != 0u && b != 0u)", ...w64("(w64_nz(a) && w64_nz(b))"), boolResult: true },
  logicalOr: { f: "(mx_nonzero(a) || mx_nonzero(b))", i: "(a != 0 || b != 0)", u: "(a != 0u || b != 0u)", ...w64("(w64_nz(a) || w64_nz(b))"), boolResult: true },
};

/**
 * How float16 arithmetic runs on webgpu, for the conformance run's header: in
 * float32 with one round-to-nearest-even store (wgsl/dtypes.wgsl) on every
 * adapter. Native f16 (shader-f16, offered by lavapipe) was measured bit-exact
 * for + - * but no faster on 16M-element add/multiply, so it is not used (docs/webgpu.md, "float16").
 */
export const FLOAT16_PATH = "float16: emulated in float32";

/** The WGSL of `ex` on `d`'s compute type (float16's and bfloat16's own where `ex` has them); float32 takes the driver's builtin (`fast`) in the fast math mode where there is one. */
export function wgslExprFor(ex: WgslExprs, d: DType, mathMode: MathMode = "precise"): string | undefined {
  const ct = computeType(d);
  if (ct === "i64" || ct === "u64") return ex[ct];
  if (ct === "c64") return ex.c;
  if (ct === "f32") {
    if (mathMode === "fast" && ex.fast !== undefined) return ex.fast;
    return (d === float16 ? ex.f16 : d === bfloat16 ? ex.bf16 : undefined) ?? ex.f;
  }
  if (ct === "i32") return ex.i;
  return (d.kind === "bool" ? ex.bool : undefined) ?? ex.u;
}

/**
 * Conversion of value `a` (or the expression `v`) from `src`'s compute type to `dst`'s (the astype
 * rules of the CPU reference); complex64 keeps the real part, a real value gets imaginary part 0.
 */
export function castWgsl(src: DType, dst: DType, v = "a"): { expr: string; isBool: boolean } {
  if (src === complex64 && dst === complex64) return { expr: v, isBool: false };
  // the real part's bits, never arithmetic on them (no flush)
  if (src === complex64) return castWgsl(float32, dst, `${v}.x`);
  if (dst === complex64) return { expr: `vec2<f32>(${castWgsl(src, float32, v).expr}, 0.0)`, isBool: false };
  const s = computeType(src), t = computeType(dst);
  if (s === "i64" || s === "u64" || t === "i64" || t === "u64") return cast64(s, t, dst, v);
  if (dst.kind === "bool") return { expr: s === "f32" ? `mx_nonzero(${v})` : s === "i32" ? `${v} != 0` : `${v} != 0u`, isBool: true };
  if (t === "f32") {
    if (s === "f32") return { expr: v, isBool: false };
    // int32/uint32 to bfloat16 through a round-to-odd float32, so the store rounds once (dtypes.wgsl)
    if (dst === bfloat16 && src.size === 4) return { expr: `${s}_to_f32_odd(${v})`, isBool: false };
    // correctly rounded past 2^24 (f32(v) leaves the neighbour to the driver)
    return { expr: src.size === 4 ? `${s}_to_f32(${v})` : `f32(${v})`, isBool: false };
  }
  if (t === "i32") {
    if (s === "f32") {
      const bits = dst.size * 8;
      return { expr: `f32_to_i32_sat(${v}, ${-(2 ** (bits - 1))}.0, ${2 ** (bits - 1) - 1}.0)`, isBool: false };
    }
    return { expr: s === "i32" ? v : `bitcast<i32>(${v})`, isBool: false };
  }
  if (s === "f32") return { expr: `f32_to_u32_sat(${v}, ${2 ** (dst.size * 8) - 1}.0)`, isBool: false };
  return { expr: s === "u32" ? v : `bitcast<u32>(${v})`, isBool: false };
}

/**
 * Casts from or to int64/uint64 (wgsl/int64.wgsl): integers wrap (narrowing
 * keeps the low bits), floats truncate and saturate (NaN -> 0), and 64-bit
 * integers round to float32 to nearest even (to float16/bfloat16 through a
 * round-to-odd float32, so the store's rounding is the single correct one).
 */
function cast64(s: ComputeType, t: ComputeType, dst: DType, v: string): { expr: string; isBool: boolean } {
  const wide = s === "i64" || s === "u64";
  if (dst.kind === "bool") return { expr: wide ? `w64_nz(${v})` : s === "f32" ? `mx_nonzero(${v})` : s === "i32" ? `${v} != 0` : `${v} != 0u`, isBool: true };
  if (!wide) {
    // to a 64-bit integer
    if (s === "f32") return { expr: t === "i64" ? `f32_to_i64_sat(${v})` : `f32_to_u64_sat(${v})`, isBool: false };
    return { expr: s === "i32" ? `i64_from_i32(${v})` : `u64_from_u32(${v})`, isBool: false };
  }
  if (t === "i64" || t === "u64") return { expr: v, isBool: false };
  if (t === "f32") return { expr: `${s}_to_f32(${v}, ${dst.name !== "float32"})`, isBool: false };
  return { expr: t === "i32" ? `bitcast<i32>(${v}.x)` : `${v}.x`, isBool: false };
}
