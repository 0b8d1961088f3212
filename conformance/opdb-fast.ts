// Op-database entries of mx.fast's rmsNorm, layerNorm and rope. All three
// work on rows (the last axis), so special inputs spread over the row
// ("segment" over params.axes, as softmax). Their GPU error is bounded per
// element from float32 accumulation (norms) and the float32 angle (rope); the
// bounds are below. FAST_NUMPY writes each in NumPy terms (float64, rounded once).

import fc from "fast-check";
import * as mx from "../index.js";
import { inputArb, shapeArb, type InputCase } from "./arbitraries.js";
import type { OpEntry, Params } from "./opdb.js";
import { cpu } from "./opdb-common.js";
import { F32_MIN_NORMAL } from "./numerics.js";

const FLOATS = [mx.float32, mx.float16, mx.bfloat16, mx.float64];

/**
 * Magnitudes x is drawn from (special values aside): sums of squares stay
 * finite in float32, as MLX's float32 accumulation needs.
 */
const X_DOMAIN: [number, number] = [-1e15, 1e15];

/** Weights and biases: moderate finite values. */
function affineArb(d: number, dtype: mx.DType): fc.Arbitrary<InputCase> {
  return fc.record({
    dtype: fc.constant(dtype.name),
    shape: fc.constant([d]),
    values: fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: d, maxLength: d }),
    layout: fc.constantFrom("contiguous" as const, "strided" as const),
  });
}

/** Shapes of 1 to 4 dims with a non-empty last axis. */
const rowShape = shapeArb(4, 1).filter((s) => s[s.length - 1]! > 0);

/** eps values float32 holds exactly (MLX's eps is a C float). */
const EPS = [2 ** -17, 2 ** -20, 0.25];

function normCases(dtype: mx.DType, layer: boolean): fc.Arbitrary<{ inputs: InputCase[]; params: Params }> {
  return rowShape.chain((s) => {
    const d = s[s.length - 1]!;
    return fc.record({ x: inputArb(s, dtype, X_DOMAIN), w: fc.option(affineArb(d, dtype), { nil: null }), b: layer ? fc.option(affineArb(d, dtype), { nil: null }) : fc.constant(null), eps: fc.constantFrom(...EPS) }).map(({ x, w, b, eps }) => ({
      inputs: [x, ...(w ? [w] : []), ...(b ? [b] : [])],
      params: { eps, weight: w !== null, bias: b !== null, axes: [s.length - 1] },
    }));
  });
}

/** The weight and bias of a case's inputs (null where absent). */
function affine(xs: mx.MxArray[], p: Params): [mx.MxArray | null, mx.MxArray | null] {
  return [p.weight ? xs[1]! : null, p.bias ? xs[xs.length - 1]! : null];
}

const f64 = (x: mx.MxArray) => mx.astype(x, mx.float64, cpu);
const lastKept = { axis: -1, keepdims: true, ...cpu };
const flatList = async (x: mx.MxArray) => (await mx.reshape(x, [-1], cpu).tolist()) as number[];

/**
 * rmsNorm: the float32 sum of n squares has relative error <= n u, rsqrt
 * 2 ulp, the products 2 roundings: |error| <= 2 (n + 8) u |r|; plus what
 * a GPU may flush to zero below float32's smallest normal m (WGSL §15.7.2):
 * x s (m, then times |w|) and the product with w (m).
 */
const rmsBound: OpEntry["conditionBound"] = async (xs, p, ref, u) => {
  const x = xs[0]!;
  const n = x.shape[x.ndim - 1]!;
  const [w] = affine(xs, p);
  const aw = await flatList(mx.broadcastTo(w ? mx.abs(f64(w), cpu) : mx.ones([], mx.float64, cpu), x.shape, cpu));
  return ref.map((r, i) => 2 * (n + 8) * u * Math.abs(r) + F32_MIN_NORMAL * (1 + aw[i]!));
};

/**
 * layerNorm: the mean's error is <= n u mean|x|, the two-pass variance's
 * <= 8 (n + 4) u mean(x^2), so with s = rsqrt(var + eps) and c = x - mean:
 * |error| <= 2 |w| s ((n + 2) u (|c| + mean|x|) + |c| (4 (n + 4) u mean(x^2) / (var + eps) + 2 u)) + 4 u (|b| + |r|);
 * plus what a GPU may flush to zero below float32's smallest normal m (WGSL
 * §15.7.2): c (m, then times s |w|) and the product with w (m).
 */
const layerBound: OpEntry["conditionBound"] = async (xs, p, ref, u) => {
  const [w, b] = affine(xs, p);
  const x = f64(xs[0]!);
  const n = x.shape[x.ndim - 1]!;
  const c = mx.subtract(x, mx.mean(x, lastKept), cpu);
  const v = mx.mean(mx.square(c, cpu), lastKept);
  const s = mx.rsqrt(mx.add(v, p.eps as number, cpu), cpu);
  const ac = mx.abs(c, cpu);
  const centering = mx.multiply(n + 2, mx.add(ac, mx.mean(mx.abs(x, cpu), lastKept), cpu), cpu);
  const variance = mx.multiply(ac, mx.add(mx.divide(mx.multiply(4 * (n + 4), mx.mean(mx.square(x, cpu), lastKept), cpu), mx.add(v, p.eps as number, cpu), cpu), 2, cpu), cpu);
  const aw = w ? mx.abs(f64(w), cpu) : 1;
  const main = mx.multiply(mx.multiply(2 * u, aw, cpu), mx.multiply(s, mx.add(centering, variance, cpu), cpu), cpu);
  const bias = await flatList(mx.broadcastTo(b ? mx.abs(f64(b), cpu) : mx.zeros([], mx.float64, cpu), x.shape, cpu));
  const flushed = await flatList(mx.broadcastTo(mx.multiply(F32_MIN_NORMAL, mx.add(1, mx.multiply(s, aw, cpu), cpu), cpu), x.shape, cpu));
  // rows whose squares overflow float64 have no bound to state
  return (await flatList(main)).map((m, i) => (Number.isNaN(m) ? Infinity : m + 4 * u * (bias[i]! + Math.abs(ref[i]!)) + flushed[i]!));
};

function normEntry(layer: boolean): OpEntry {
  const name = layer ? "fast.layerNorm" : "fast.rmsNorm";
  return {
    name,
    group: "reduction",
    dtypes: FLOATS,
    cases: (d) => normCases(d, layer),
    call: (xs, p, o) => {
      const [w, b] = affine(xs, p);
      return layer ? mx.fast.layerNorm(xs[0]!, w, b, p.eps as number, o) : mx.fast.rmsNorm(xs[0]!, w, p.eps as number, o);
    },
    source: (xs, p, o) => {
      const w = p.weight ? xs[1]! : "null", b = p.bias ? xs[xs.length - 1]! : "null";
      return layer ? `mx.fast.layerNorm(${xs[0]}, ${w}, ${b}, ${String(p.eps)}, ${o})` : `mx.fast.rmsNorm(${xs[0]}, ${w}, ${String(p.eps)}, ${o})`;
    },
    spread: "segment",
    conditionBound: layer ? layerBound : rmsBound,
  };
}

/** rope parameters for a shape (B, ..., T, D): even dims up to D, base or freqs, a shared or per-batch offset. */
function ropeParams(s: number[]): fc.Arbitrary<Params> {
  const D = s[s.length - 1]!;
  return fc.integer({ min: 1, max: Math.floor(D / 2) }).chain((h) =>
    fc.record({
      dims: fc.constant(2 * h),
      traditional: fc.boolean(),
      scale: fc.constantFrom(1, 0.5, 2),
      offset: fc.oneof(fc.integer({ min: -8, max: 300 }), fc.array(fc.integer({ min: 0, max: 300 }), { minLength: s[0]!, maxLength: s[0]! })),
      freqs: fc.option(fc.array(fc.constantFrom(0.5, 1, 3, 100, 1e4), { minLength: h, maxLength: h }), { nil: null }),
      base: fc.constantFrom(10000, 500),
      axes: fc.constant([s.length - 1]),
    }).map((p) => ({ ...p, base: p.freqs ? null : p.base })),
  );
}

function ropeOptions(p: Params, o: mx.OpOptions): mx.fast.RopeOptions {
  const offset = Array.isArray(p.offset) ? mx.array(p.offset as number[], mx.int32, o) : (p.offset as number);
  const freqs = p.freqs ? mx.array(p.freqs as number[], mx.float32, o) : null;
  return { traditional: p.traditional as boolean, base: p.base as number | null, scale: p.scale as number, offset, freqs, ...o };
}

/** The angle of every element of x (0 past dims) and its partner's value, from the case's params. */
async function ropeTerms(x: mx.MxArray, p: Params): Promise<{ theta: number[]; partner: number[]; values: number[] }> {
  const values = await flatList(f64(x));
  const shape = x.shape, D = shape[shape.length - 1]!, T = shape[shape.length - 2]!;
  const h = (p.dims as number) / 2;
  const inv = Array.from({ length: h }, (_, i) => (p.freqs ? 1 / Math.fround((p.freqs as number[])[i]!) : Math.exp((-i * Math.log(p.base as number)) / h)));
  const perBatch = values.length / Math.max(1, shape[0]!);
  const theta: number[] = [], partner: number[] = [];
  values.forEach((_, e) => {
    const j = e % D;
    if (j >= 2 * h) {
      theta.push(0);
      partner.push(0);
      return;
    }
    const trad = p.traditional as boolean;
    const first = trad ? j % 2 === 0 : j < h;
    const i = trad ? Math.floor(j / 2) : first ? j : j - h;
    const off = Array.isArray(p.offset) ? (p.offset as number[])[Math.floor(e / perBatch)]! : (p.offset as number);
    theta.push((((Math.floor(e / D) % T) + off) * (p.scale as number)) * inv[i]!);
    partner.push(values[trad ? (first ? e + 1 : e - 1) : first ? e + h : e - h]!);
  });
  return { theta, partner, values };
}

/**
 * rope: the float32 angle carries <= 32 u |theta| (the position, exp2 or the
 * reciprocal, the product), sine and cosine a few u, the rotation 2 roundings:
 * |error| <= 64 u (|theta| + 1) (|x| + |partner|) + 4 u |r|.
 */
const ropeBound: OpEntry["conditionBound"] = async ([x], p, ref, u) => {
  const { theta, partner, values } = await ropeTerms(x!, p);
  return ref.map((r, e) => 64 * u * (Math.abs(theta[e]!) + 1) * (Math.abs(values[e]!) + Math.abs(partner[e]!)) + 4 * u * Math.abs(r));
};

const ropeEntry: OpEntry = {
  name: "fast.rope",
  group: "reduction",
  dtypes: FLOATS,
  cases: (d) =>
    shapeArb(4, 3)
      .filter((s) => s[s.length - 1]! >= 2 && s[0]! > 0)
      .chain((s) => fc.record({ inputs: inputArb(s, d, X_DOMAIN).map((x) => [x]), params: ropeParams(s) })),
  call: ([x], p, o) => mx.fast.rope(x!, p.dims as number, ropeOptions(p, o)),
  source: ([x], p, o) => {
    const offset = Array.isArray(p.offset) ? `mx.array(${JSON.stringify(p.offset)}, mx.int32, ${o})` : String(p.offset);
    const freqs = p.freqs ? `, freqs: mx.array(${JSON.stringify(p.freqs)}, mx.float32, ${o})` : "";
    return `mx.fast.rope(${x}, ${String(p.dims)}, { traditional: ${String(p.traditional)}, base: ${String(p.base)}, scale: ${String(p.scale)}, offset: ${offset}${freqs}, ...${o} })`;
  },
  spread: "segment",
  conditionBound: ropeBound,
};

export const FAST_OPS: readonly OpEntry[] = [normEntry(false), normEntry(true), ropeEntry];

const weightNp = "(x[1].astype('float64') if p['weight'] else 1.0)";
const biasNp = "(x[-1].astype('float64') if p['bias'] else 0.0)";

/** The NumPy expressions (float64 throughout, rounded once to the output dtype by the evaluator). */
export const FAST_NUMPY: Record<string, string> = {
  "fast.rmsNorm": `(lambda a: a / np.sqrt(np.mean(a * a, axis=-1, keepdims=True) + p['eps']))(x[0].astype('float64')) * ${weightNp}`,
  "fast.layerNorm": `(lambda c: c / np.sqrt(np.mean(c * c, axis=-1, keepdims=True) + p['eps']))((lambda a: a - np.mean(a, axis=-1, keepdims=True))(x[0].astype('float64'))) * ${weightNp} + ${biasNp}`,
  "fast.rope":
    "(lambda a, h, tr: (lambda th: (lambda c, s, x1, x2: np.concatenate([np.stack([x1 * c - x2 * s, x1 * s + x2 * c], -1).reshape(a.shape[:-1] + (2 * h,)) if tr else np.concatenate([x1 * c - x2 * s, x1 * s + x2 * c], -1), a[..., 2 * h:]], -1))" +
    "(np.cos(th), np.sin(th), a[..., 0:2 * h:2] if tr else a[..., :h], a[..., 1:2 * h:2] if tr else a[..., h:2 * h]))" +
    "(((np.arange(a.shape[-2]) + np.reshape(np.array(p['offset']), (-1,) + (1,) * (a.ndim - 2))) * p['scale'])[..., None] * " +
    "((1 / np.array(p['freqs'], dtype='float32').astype('float64')) if p['freqs'] is not None else np.exp(-np.arange(h) * np.log(p['base']) / h))))" +
    "(x[0].astype('float64'), p['dims'] // 2, p['traditional'])",
};
