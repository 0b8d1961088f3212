// Op-database entries of the quantization ops. The quantized matmul: a case
// draws x and a float weight matrix, quantizes the weights on the cpu (MLX's
// affine layout with every supported bit width, or a microscaling mode) and
// multiplies on the backend under test; judged by matmul's condition bound
// against the dequantized weights. qqmm and gatherQqmm (both operands
// quantized on the backend, w packed on the cpu in some cases, nvfp4 global
// scales): the same bound on the operands as the reference quantizes them.
// The fp8 conversions (exact): every one of the 256 e4m3 codes in one case
// (decoded, and encoded back from its value), besides drawn floats and codes;
// dequantize of microscaling weights (exact, signed zero codes among them).

import fc from "fast-check";
import * as mx from "../index.js";
import { inputArb, shapeArb, type InputCase, type Layout } from "./arbitraries.js";
import type { OpEntry, Params } from "./opdb.js";

const cpu = { stream: mx.cpu };

type Mode = "affine" | "mxfp4" | "mxfp8" | "nvfp4";

/** The weights quantized on the cpu with the case's mode and bits (affine: group size 32; along the last axis of w). */
function quantized(w: mx.MxArray, p: Params): mx.MxArray[] {
  const mode = p.mode as Mode;
  return mx.quantize(mx.astype(w, mx.float32, cpu), mode === "affine" ? 32 : undefined, mode === "affine" ? (p.bits as number) : undefined, { mode, ...cpu });
}

/** The quantized matmul of x by the case's quantized weights (affine scales and biases cast to x's dtype, as a user does). */
function product(x: mx.MxArray, [wq, s, b]: mx.MxArray[], p: Params, o: mx.OpOptions): mx.MxArray {
  const mode = p.mode as Mode;
  if (mode !== "affine") return mx.quantizedMatmul(x, wq!, s!, null, { transpose: false, mode, ...o });
  return mx.quantizedMatmul(x, wq!, mx.astype(s!, x.dtype, cpu), mx.astype(b!, x.dtype, cpu), { transpose: false, groupSize: 32, bits: p.bits as number, ...o });
}

const MODES: readonly Params[] = [
  ...[2, 3, 4, 5, 6, 8].map((bits) => ({ mode: "affine", bits })),
  { mode: "mxfp4", bits: 4 },
  { mode: "mxfp8", bits: 8 },
  { mode: "nvfp4", bits: 4 },
];

/** The 256 fp8 e4m3 codes' values, from the definition: sign, exponent bias 7, 3 mantissa bits; exponent 0 subnormal; 0x7f / 0xff read as +-480 (MLX). */
const FP8_VALUES = Array.from({ length: 256 }, (_, c) => {
  const e = (c >> 3) & 15, m = c & 7;
  const v = e === 0 ? m / 512 : 2 ** (e - 7) * (1 + m / 8);
  return c & 0x80 ? -v : v;
});

/** A case holding all 256 codes (or their values): a [16, 16] array in one of the layouts. */
const everyCode = (dtype: mx.DType, values: number[]) =>
  fc.constantFrom<Layout>("contiguous", "transposed", "strided").map((layout) => ({ dtype: dtype.name, shape: [16, 16], values, layout }));

const FP8_DTYPES = ["float32", "float16", "bfloat16", "float64"];

const FP8_OPS: readonly OpEntry[] = [
  {
    name: "toFp8",
    group: "cast",
    dtypes: [mx.float32, mx.float16, mx.bfloat16, mx.float64],
    // floats around the e4m3 range (midpoints, the saturation edge 448 and the (464, 480) it takes to 448, subnormals), or every code's value
    cases: (d) =>
      fc.oneof(
        { weight: 3, arbitrary: shapeArb().chain((s) => inputArb(s, d, [-600, 600])) },
        { weight: 1, arbitrary: shapeArb().chain((s) => inputArb(s, d, [-0.03, 0.03])) },
        { weight: 1, arbitrary: everyCode(d, FP8_VALUES) },
      ).map((x) => ({ inputs: [x], params: {} })),
    call: ([x], _p, o) => mx.toFp8(x!, o),
    source: ([x], _p, o) => `mx.toFp8(${x}, ${o})`,
    spread: "elementwise",
  },
  {
    name: "fromFp8",
    group: "cast",
    dtypes: [mx.uint8],
    cases: (d) =>
      fc.record({
        inputs: fc.tuple(fc.oneof(everyCode(d, FP8_VALUES.map((_, c) => c)), shapeArb().chain((s) => inputArb(s, d)))),
        params: fc.record({ dtype: fc.constantFrom(...FP8_DTYPES) }),
      }),
    call: ([x], p, o) => mx.fromFp8(x!, (mx as unknown as Record<string, mx.DType>)[p.dtype as string]!, o),
    source: ([x], p, o) => `mx.fromFp8(${x}, mx.${String(p.dtype)}, ${o})`,
    spread: "elementwise",
  },
];

/** Values spread over [-4, 4] (no exact ties with the quantization grids, no subnormals), in a drawn layout. */
function denseArb(shape: number[], d: mx.DType): fc.Arbitrary<InputCase> {
  const n = shape.reduce((a, b) => a * b, 1);
  // uniform over the reals of [-4, 4] (fc.double draws bit patterns: mostly tiny values), 30 random bits each
  const value = fc.noBias(fc.integer({ min: -(2 ** 30), max: 2 ** 30 })).map((i) => i / 2 ** 28);
  return fc.record({ dtype: fc.constant(d.name), shape: fc.constant(shape), values: fc.array(value, { minLength: n, maxLength: n }), layout: fc.constantFrom<Layout>("contiguous", "transposed", "strided") });
}

/** Integer indices below `bound`, `n` of them, as a uint32 input. */
const indicesArb = (n: number, bound: number): fc.Arbitrary<InputCase> =>
  fc.array(fc.integer({ min: 0, max: bound - 1 }), { minLength: n, maxLength: n }).map((values) => ({ dtype: "uint32", shape: [n], values, layout: "contiguous" as Layout }));

/** qqmm's drawn parameters: the mode, nvfp4's global scales (max |x| and max |w|, at least 1), and whether w comes packed. */
const QQMM_PARAMS = fc.constantFrom<Params>(
  ...[false, true].flatMap((packed) => [{ mode: "nvfp4", global: false, packed }, { mode: "nvfp4", global: true, packed }, { mode: "mxfp8", global: false, packed }]),
);

/** A global scale (on the cpu): max(max |a|, 1) in float32. */
const globalOf = (a: mx.MxArray) => mx.maximum(mx.astype(mx.max(mx.abs(a, cpu), cpu), mx.float32, cpu), 1, cpu);

/** qqmm's (or gatherQqmm's) arguments for the case: w packed on the cpu when the case says so, the global scales from x and w. */
function qqmmArgs(x: mx.MxArray, w: mx.MxArray, p: Params): [mx.MxArray, mx.MxArray | null, mx.QqmmOptions] {
  const mode = p.mode as "nvfp4" | "mxfp8";
  const o: mx.QqmmOptions = p.global ? { mode, globalScaleX: globalOf(x), globalScaleW: globalOf(w) } : { mode };
  if (!p.packed) return [w, null, o];
  const [wq, s] = mx.quantize(w, undefined, undefined, { mode, globalScale: o.globalScaleW, ...cpu });
  return [wq!, s!, o];
}

/** The TS source of qqmmArgs' options and packing, around the call `call(w, scales, options)`. */
function qqmmSource(x: string, w: string, p: Params, o: string, call: (w: string, s: string, opts: string) => string): string {
  const gl = (a: string) => `mx.maximum(mx.astype(mx.max(mx.abs(${a}, { stream: mx.cpu }), { stream: mx.cpu }), mx.float32, { stream: mx.cpu }), 1, { stream: mx.cpu })`;
  const opts = p.global ? `{ mode: "nvfp4", globalScaleX: ${gl(x)}, globalScaleW: ${gl(w)}, ...${o} }` : `{ mode: ${JSON.stringify(p.mode)}, ...${o} }`;
  if (!p.packed) return call(w, "null", opts);
  const g = p.global ? `, globalScale: ${gl(w)}` : "";
  return `((q) => ${call("q[0]", "q[1]", opts)})(mx.quantize(${w}, undefined, undefined, { mode: ${JSON.stringify(p.mode)}${g}, stream: mx.cpu }))`;
}

/**
 * |error| <= 2 K u (|xhat| @ |W|^T): the products' terms, x and w as the
 * reference quantizes them (x round-tripped, w dequantized), in float64.
 */
async function qqmmBound(x: mx.MxArray, w: mx.MxArray, p: Params, u: number): Promise<number[]> {
  const mode = p.mode as "nvfp4" | "mxfp8";
  const dense = (a: mx.MxArray, g: mx.MxArray | undefined) => {
    const [aq, as] = mx.quantize(mx.astype(a, mx.float32, cpu), undefined, undefined, { mode, globalScale: g, ...cpu });
    return mx.abs(mx.dequantize(aq!, as!, null, undefined, undefined, { mode, globalScale: g, dtype: mx.float64, ...cpu }), cpu);
  };
  const gx = p.global ? globalOf(x) : undefined, gw = p.global ? globalOf(w) : undefined;
  const k = x.shape[x.ndim - 1]!;
  const mag = mx.matmul(dense(x, gx), mx.swapaxes(dense(w, gw), -1, -2, cpu), cpu);
  return ((await mx.reshape(mag, [-1], cpu).tolist()) as number[]).map((m) => 2 * k * u * m);
}

const QQMM_OPS: readonly OpEntry[] = [
  {
    name: "qqmm",
    group: "linalg",
    contractAs: "matmul",
    dtypes: [mx.float32, mx.float16, mx.bfloat16],
    cases: (d) =>
      fc.record({ m: fc.integer({ min: 1, max: 3 }), k: fc.constantFrom(32, 64), n: fc.integer({ min: 1, max: 3 }), params: QQMM_PARAMS }).chain(({ m, k, n, params }) =>
        fc.record({ inputs: fc.tuple(denseArb([m, k], d), denseArb([k, n], d)), params: fc.constant(params) }),
      ),
    call: ([x, wt], p, o) => {
      const [wq, s, qo] = qqmmArgs(x!, mx.swapaxes(wt!, -1, -2, o), p);
      return mx.qqmm(x!, wq, s, { ...qo, ...o });
    },
    source: ([x, wt], p, o) => qqmmSource(x!, `mx.swapaxes(${wt}, -1, -2, ${o})`, p, o, (wq, s, opts) => `mx.qqmm(${x}, ${wq}, ${s}, ${opts})`),
    spread: "matmul",
    conditionBound: async ([x, wt], p, _ref, u) => qqmmBound(x!, mx.swapaxes(wt!, -1, -2, cpu), p, u),
  },
  {
    name: "gatherQqmm",
    group: "linalg",
    contractAs: "matmul",
    dtypes: [mx.float32, mx.float16, mx.bfloat16],
    cases: (d) =>
      fc.record({ b: fc.integer({ min: 1, max: 3 }), m: fc.integer({ min: 1, max: 2 }), n: fc.integer({ min: 1, max: 2 }), params: QQMM_PARAMS }).chain(({ b, m, n, params }) =>
        fc.record({ inputs: fc.tuple(denseArb([b, m, 32], d), denseArb([b, 32, n], d), indicesArb(b, b), indicesArb(b, b)), params: fc.constant(params) }),
      ),
    call: ([x, wt, li, ri], p, o) => {
      const [wq, s, qo] = qqmmArgs(x!, mx.swapaxes(wt!, -1, -2, o), p);
      return mx.gatherQqmm(x!, wq, s, { ...qo, lhsIndices: li!, rhsIndices: ri!, ...o });
    },
    source: ([x, wt, li, ri], p, o) => qqmmSource(x!, `mx.swapaxes(${wt}, -1, -2, ${o})`, p, o, (wq, s, opts) => `mx.gatherQqmm(${x}, ${wq}, ${s}, { lhsIndices: ${li}, rhsIndices: ${ri}, ...${opts} })`),
    spread: "matmul",
    // the bound of each picked pair: x's and w's batches gathered on the cpu, then qqmm's bound
    conditionBound: async ([x, wt, li, ri], p, _ref, u) => {
      const w = mx.swapaxes(wt!, -1, -2, cpu);
      const pick = (t: mx.MxArray, idx: mx.MxArray) => mx.take(t, idx, 0, cpu);
      const gx = p.global ? globalOf(x!) : undefined, gw = p.global ? globalOf(w) : undefined;
      const mode = p.mode as "nvfp4" | "mxfp8";
      const dense = (t: mx.MxArray, g: mx.MxArray | undefined) => {
        const [tq, ts] = mx.quantize(mx.astype(t, mx.float32, cpu), undefined, undefined, { mode, globalScale: g, ...cpu });
        return mx.abs(mx.dequantize(tq!, ts!, null, undefined, undefined, { mode, globalScale: g, dtype: mx.float64, ...cpu }), cpu);
      };
      const mag = mx.matmul(pick(dense(x!, gx), li!), mx.swapaxes(pick(dense(w, gw), ri!), -1, -2, cpu), cpu);
      return ((await mx.reshape(mag, [-1], cpu).tolist()) as number[]).map((v) => 2 * 32 * u * v);
    },
  },
];

export const QUANTIZED_OPS: readonly OpEntry[] = [
  ...FP8_OPS,
  ...QQMM_OPS,
  {
    // the microscaling codes decoded (exact): weights quantized on the cpu, zeros of either sign and magnitudes that
    // quantize to a signed zero code among them (MLX's tables hold -0 at e2m1 0x8 and e4m3 0x80)
    name: "dequantize",
    group: "cast",
    contractAs: "microscalingDecode",
    dtypes: [mx.float32, mx.bfloat16, mx.float16],
    cases: (d) => {
      const value = fc.oneof({ weight: 4, arbitrary: fc.double({ min: -8, max: 8, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(0, -0, 1e-9, -1e-9, -1e-3) });
      return fc.record({ rows: fc.integer({ min: 1, max: 3 }), params: fc.constantFrom(...MODES.filter((m) => m.mode !== "affine")) }).chain(({ rows, params }) => {
        const shape = [rows, params.mode === "nvfp4" ? 16 : 32];
        return fc.record({ inputs: fc.tuple(fc.record({ dtype: fc.constant("float32"), shape: fc.constant(shape), values: fc.array(value, { minLength: rows * shape[1]!, maxLength: rows * shape[1]! }), layout: fc.constant<Layout>("contiguous") })), params: fc.constant({ ...params, dtype: d.name }) });
      });
    },
    call: ([w], p, o) => {
      const [wq, s] = quantized(w!, p);
      return mx.dequantize(wq!, s!, null, undefined, undefined, { mode: p.mode as Mode, dtype: (mx as unknown as Record<string, mx.DType>)[p.dtype as string]!, ...o });
    },
    source: ([w], p, o) => `(([wq, s]) => mx.dequantize(wq, s, null, undefined, undefined, { mode: ${JSON.stringify(p.mode)}, dtype: mx.${String(p.dtype)}, ...${o} }))(mx.quantize(mx.astype(${w}, mx.float32, { stream: mx.cpu }), undefined, undefined, { mode: ${JSON.stringify(p.mode)}, stream: mx.cpu }))`,
    spread: "elementwise",
  },
  {
    name: "quantizedMatmul",
    group: "linalg",
    contractAs: "matmul",
    dtypes: [mx.float32, mx.float16, mx.bfloat16],
    cases: (d) =>
      fc.record({ m: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 4 }), n: fc.constantFrom(32, 64), params: fc.constantFrom(...MODES) }).chain(({ m, k, n, params }) =>
        fc.record({ inputs: fc.tuple(inputArb([m, k], d, [-4, 4]), inputArb([k, n], d, [-4, 4])), params: fc.constant(params) }),
      ),
    call: ([x, w], p, o) => product(x!, quantized(w!, p), p, o),
    source: ([x, w], p, o) => {
      const mode = JSON.stringify(p.mode);
      const cast = (a: string) => `mx.astype(${a}, ${x}.dtype, { stream: mx.cpu })`;
      const qmm = p.mode === "affine"
        ? `mx.quantizedMatmul(${x}, wq, ${cast("s")}, ${cast("b")}, { transpose: false, groupSize: 32, bits: ${String(p.bits)}, ...${o} })`
        : `mx.quantizedMatmul(${x}, wq, s, null, { transpose: false, mode: ${mode}, ...${o} })`;
      const q = p.mode === "affine" ? `32, ${String(p.bits)}` : "undefined, undefined";
      return `(([wq, s, b]) => ${qmm})(mx.quantize(mx.astype(${w}, mx.float32, { stream: mx.cpu }), ${q}, { mode: ${mode}, stream: mx.cpu }))`;
    },
    spread: "matmul",
    // |error| <= 2 K u (|x| @ (|s| |value| + |b|)): the products' terms and those of each weight's scale * value + bias
    conditionBound: async ([x, w], p, _ref, u) => {
      const [wq, s, b] = quantized(w!, p);
      const dense = p.mode === "affine"
        ? mx.dequantize(wq!, mx.astype(mx.abs(s!, cpu), mx.float64, cpu), mx.astype(mx.abs(b!, cpu), mx.float64, cpu), 32, p.bits as number, cpu)
        : mx.abs(mx.dequantize(wq!, s!, null, undefined, undefined, { mode: p.mode as Mode, dtype: mx.float64, ...cpu }), cpu);
      const k = x!.shape[x!.ndim - 1]!;
      const mag = (await mx.reshape(mx.matmul(mx.abs(mx.astype(x!, mx.float64, cpu), cpu), dense, cpu), [-1], cpu).tolist()) as number[];
      return mag.map((m) => 2 * k * u * m);
    },
  },
];

/**
 * NumPy's independent evaluation: MLX's affine quantization of w redone in
 * float32 NumPy (groups of 32 along w's last axis), scales and biases rounded
 * to x's dtype as the case does, the dequantized matrix formed in float64, and
 * the product x @ W in float64.
 */
const AFFINE_NUMPY =
  "(lambda a, g, nb: (lambda hi, lo: (lambda m: (lambda s0, e: (lambda q0: (lambda s, b: a @ (s.astype(dt).astype('float64') * np.nan_to_num(np.clip(np.rint((g - b) / s), 0, nb), nan=0) + b.astype(dt).astype('float64')).reshape(g.shape[0], -1))" +
  "(np.where(q0 != 0, e / np.where(q0 != 0, q0, np.float32(1)), s0), np.where(q0 != 0, e, np.float32(0))))(np.rint(e / s0)))" +
  "(np.where(m, np.float32(1), np.float32(-1)) * np.maximum((hi - lo) / nb, np.float32(1e-7)), np.where(m, lo, hi)))(np.abs(lo) > np.abs(hi)))" +
  "(np.fmax.reduce(g, -1, keepdims=True, initial=-np.inf), np.fmin.reduce(g, -1, keepdims=True, initial=np.inf)))(x[0].astype('float64'), x[1].astype('float32').reshape(x[1].shape[0], -1, 32), np.float32(2 ** p['bits'] - 1))";

/**
 * The microscaling modes in NumPy (float32 steps held in float64; NaN
 * skipped by the group's largest magnitude, a NaN value read as 6 in e2m1 and
 * 448 with its sign bit in e4m3, as MLX's fp8_e4m3): e4m3
 * rounded to nearest even (448 and up, infinities and NaN to 448), e2m1 by its rounding
 * thresholds, e8m0 scales 2^round(log2) from frexp (0 reads 2^-127, non-finite infinity), the
 * values times the float32 reciprocal of the scale; then x @ W in float64.
 */
const MICRO_NUMPY =
  "(lambda f32, g, a: ( " +
  "(e4 := lambda v: np.copysign(np.where(~(np.abs(v) < 448), 448.0, np.where(np.abs(v) < 2.0 ** -6, np.rint(np.abs(v) * 512) / 512, (lambda e: np.rint(np.ldexp(np.abs(v), 3 - e)) * np.ldexp(1.0, e - 3))(np.frexp(np.abs(v))[1] - 1))), v)), " +
  "(e2 := lambda v: np.where(np.isnan(v), 6.0, np.copysign((lambda b: np.select([b > 5, b >= 3.5, b > 2.5, b >= 1.75, b > 1.25, b >= 0.75, b > 0.25], [6, 4, 3, 2, 1.5, 1, 0.5], 0))(np.abs(v)), v))), " +
  "(e8 := lambda s: np.where(~np.isfinite(s), np.inf, np.where(s > 0, np.ldexp(1.0, np.clip((lambda m, e: e - 1 + ((2 * m) ** 2 >= 2))(*np.frexp(s)), -127, 127)), 2.0 ** -127))), " +
  "(sc := (lambda sd: e4(sd) if p['mode'] == 'nvfp4' else e8(sd))(f32(np.fmax.reduce(np.abs(g), -1, keepdims=True, initial=0) / (6 if p['bits'] == 4 else 448)))), " +
  "a @ (sc * (e4 if p['bits'] == 8 else e2)(f32(g * f32(np.where(sc == 0, 0, 1 / sc))))).reshape(g.shape[0], -1) " +
  ")[-1])(lambda v: np.asarray(v).astype('float32').astype('float64'), x[1].astype('float32').astype('float64').reshape(x[1].shape[0], -1, 16 if p['mode'] == 'nvfp4' else 32), x[0].astype('float64'))";

/**
 * e4m3 from its definition in NumPy, on the value as float32 (MLX's ToFP8 converts every input): round to
 * nearest even on the exponent's grid (frexp), subnormals in steps of 2^-9; 448 and up, infinities and NaN to
 * 448 (0x7e), with the sign bit (a NaN's too), as MLX's ToFP8 (its threshold is 543 << 21, 448.0f).
 */
const TO_FP8_NUMPY =
  "(lambda v: (lambda a, sg: (np.where(~(a < 448), 0x7e, np.where(a < 2.0 ** -6, np.rint(a * 512), " +
  "(lambda e: (e + 7) * 8 + np.rint(np.ldexp(a, 3 - e)) - 8)(np.frexp(np.where(np.isfinite(a), a, 1))[1] - 1))) + sg).astype(np.uint8))" +
  "(np.abs(v), np.where(np.signbit(v), 0x80, 0)))(np.asarray(x[0]).astype(np.float32).astype(np.float64))";

/** A code's value: (-1)^sign 2^(exponent - 7) (1 + mantissa / 8), exponent 0 subnormal (mantissa 2^-9); 0x7f reads as 480. */
const FROM_FP8_NUMPY =
  "(lambda c: np.where((c & 0x80) != 0, -1.0, 1.0) * np.where(((c >> 3) & 15) == 0, (c & 7) * 2.0 ** -9, np.ldexp(1 + (c & 7) / 8, ((c >> 3) & 15) - 7)))(np.asarray(x[0]).astype(np.int64))";

/**
 * qqmm in NumPy, MLX's steps in float32 held in float64: per group (16 along
 * the last axis in nvfp4, 32 in mxfp8) the scale from the largest magnitude
 * over 6 or 448 times the global scale's encoding f32(2688 / g) (g: max(max
 * |a|, 1) as the case draws it; 1 without), rounded to e4m3 or e8m0; the values
 * times f32(encoding / scale) rounded to e2m1 or e4m3; dequantized as
 * r(r(scale * r(g / 2688)) * value): x with r = f32 (its round trip is MLX's
 * Metal fp_dequantize), w exactly (r the identity: w's global scale multiplies
 * the float32 product). x round-trips to its dtype; the product in float64.
 * Defines deq(a, g, r) and gl(a) (a's global scale, or None) for the expressions.
 */
const QQMM_NUMPY_PRELUDE =
  "(e4 := lambda v: np.copysign(np.where(~(np.abs(v) < 448), 448.0, np.where(np.abs(v) < 2.0 ** -6, np.rint(np.abs(v) * 512) / 512, (lambda e: np.rint(np.ldexp(np.abs(v), 3 - e)) * np.ldexp(1.0, e - 3))(np.frexp(np.abs(v))[1] - 1))), v)), " +
  "(e2 := lambda v: np.where(np.isnan(v), 6.0, np.copysign((lambda b: np.select([b > 5, b >= 3.5, b > 2.5, b >= 1.75, b > 1.25, b >= 0.75, b > 0.25], [6, 4, 3, 2, 1.5, 1, 0.5], 0))(np.abs(v)), v))), " +
  "(e8 := lambda s: np.where(~np.isfinite(s), np.inf, np.where(s > 0, np.ldexp(1.0, np.clip((lambda m, e: e - 1 + ((2 * m) ** 2 >= 2))(*np.frexp(s)), -127, 127)), 2.0 ** -127))), " +
  "(nv := p['mode'] == 'nvfp4'), " +
  "(gl := lambda a: f32(max(np.max(np.abs(a.astype('float64'))), 1.0)) if p['global'] else None), " +
  "(deq := lambda a, g, r: (lambda grp, enc: (lambda sc: r(r(sc * (r(g / 2688) if g is not None else 1.0)) * (e2 if nv else e4)(f32(grp * f32(np.where(sc == 0, 0, enc / np.where(sc == 0, 1, sc)))))).reshape(a.shape))" +
  "((e4 if nv else e8)(f32(f32(np.fmax.reduce(np.abs(grp), -1, keepdims=True, initial=0) / (6 if nv else 448)) * enc))))" +
  "(f32(a).reshape(*a.shape[:-1], -1, 16 if nv else 32), f32(2688 / g) if g is not None else 1.0)), ";

const f32Numpy = "lambda v: np.asarray(v).astype('float32').astype('float64')";

/** qqmm: inputs x [m, k] and w's transpose [k, n]. */
const QQMM_NUMPY = `(lambda f32: (${QQMM_NUMPY_PRELUDE}(lambda w: deq(x[0], gl(x[0]), f32).astype(dt).astype('float64') @ deq(w, gl(w), lambda v: v).T)(np.swapaxes(x[1], -1, -2)))[-1])(${f32Numpy})`;

/** gatherQqmm: inputs x [b, m, k], w's transpose [b, k, n], lhs and rhs indices. */
const GATHER_QQMM_NUMPY = `(lambda f32: (${QQMM_NUMPY_PRELUDE}(lambda w: deq(x[0], gl(x[0]), f32).astype(dt).astype('float64')[x[2]] @ np.swapaxes(deq(w, gl(w), lambda v: v)[x[3]], -1, -2))(np.swapaxes(x[1], -1, -2)))[-1])(${f32Numpy})`;

export const QUANTIZED_NUMPY: Record<string, string> = {
  qqmm: QQMM_NUMPY,
  gatherQqmm: GATHER_QQMM_NUMPY,
  toFp8: TO_FP8_NUMPY,
  fromFp8: FROM_FP8_NUMPY,
  quantizedMatmul: `(${AFFINE_NUMPY}) if p['mode'] == 'affine' else (${MICRO_NUMPY})`,
};
