// Op-database entry of the quantized matmul: a case draws x and a float
// weight matrix, quantizes the weights on the cpu (MLX's affine layout with
// every supported bit width, or a microscaling mode) and multiplies on the
// backend under test; judged by matmul's condition bound against the
// dequantized weights.

import fc from "fast-check";
import * as mx from "../index.js";
import { inputArb } from "./arbitraries.js";
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

export const QUANTIZED_OPS: readonly OpEntry[] = [
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
        ? mx.dequantize(wq!, mx.abs(s!, cpu), mx.abs(b!, cpu), 32, p.bits as number, { dtype: mx.float64, ...cpu })
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
 * +448 in e4m3, whatever its sign bit): e4m3
 * rounded to nearest even (480 and up, and NaN, to 448), e2m1 by its rounding
 * thresholds, e8m0 scales 2^round(log2) from frexp (0 reads 2^-127, non-finite infinity), the
 * values times the float32 reciprocal of the scale; then x @ W in float64.
 */
const MICRO_NUMPY =
  "(lambda f32, g, a: ( " +
  "(e4 := lambda v: np.where(np.isnan(v), 448.0, np.copysign(np.where(np.abs(v) >= 480, 448.0, np.where(np.abs(v) < 2.0 ** -6, np.rint(np.abs(v) * 512) / 512, (lambda e: np.rint(np.ldexp(np.abs(v), 3 - e)) * np.ldexp(1.0, e - 3))(np.frexp(np.abs(v))[1] - 1))), v))), " +
  "(e2 := lambda v: np.where(np.isnan(v), 6.0, np.copysign((lambda b: np.select([b > 5, b >= 3.5, b > 2.5, b >= 1.75, b > 1.25, b >= 0.75, b > 0.25], [6, 4, 3, 2, 1.5, 1, 0.5], 0))(np.abs(v)), v))), " +
  "(e8 := lambda s: np.where(~np.isfinite(s), np.inf, np.where(s > 0, np.ldexp(1.0, np.clip((lambda m, e: e - 1 + ((2 * m) ** 2 >= 2))(*np.frexp(s)), -127, 127)), 2.0 ** -127))), " +
  "(sc := (lambda sd: e4(sd) if p['mode'] == 'nvfp4' else e8(sd))(f32(np.fmax.reduce(np.abs(g), -1, keepdims=True, initial=0) / (6 if p['bits'] == 4 else 448)))), " +
  "a @ (sc * (e4 if p['bits'] == 8 else e2)(f32(g * f32(np.where(sc == 0, 0, 1 / sc))))).reshape(g.shape[0], -1) " +
  ")[-1])(lambda v: np.asarray(v).astype('float32').astype('float64'), x[1].astype('float32').astype('float64').reshape(x[1].shape[0], -1, 16 if p['mode'] == 'nvfp4' else 32), x[0].astype('float64'))";

export const QUANTIZED_NUMPY: Record<string, string> = {
  quantizedMatmul: `(${AFFINE_NUMPY}) if p['mode'] == 'affine' else (${MICRO_NUMPY})`,
};
