// The op database (in the spirit of PyTorch's OpInfo): one entry per public
// op saying how to call it, which dtypes it takes, how to draw its inputs and
// parameters, how special inputs spread to its outputs (to tell in-contract
// elements from those outside the spec), and for sums, means, products,
// softmax and matmul the per-element error bound given by their condition.

import fc from "fast-check";
import * as mx from "../index.js";
import { broadcastShapesArb, elementArb, inputArb, nearTieArb, shapeArb, type InputCase } from "./arbitraries.js";
import { contractFor } from "./contracts.js";
import { F32_MIN_NORMAL } from "./numerics.js";
import { ALL_REAL as ALL, FLOATS as F, INTEGERS as I, NUMERIC as NUM, cpu, fillValueArb, layout } from "./opdb-common.js";
import { SORT_OPS } from "./opdb-sort.js";
import { SHAPES_OPS } from "./opdb-shapes.js";
import { SCAN_OPS } from "./opdb-scan.js";
import { INDEXING_OPS } from "./opdb-indexing.js";
import { VIEW_OPS } from "./opdb-view.js";
import { LINALG_OPS } from "./opdb-linalg.js";
import { FAST_OPS } from "./opdb-fast.js";
import { ATTENTION_OPS } from "./opdb-fast-attention.js";
import { QUANTIZED_OPS } from "./opdb-quantized.js";
import { MATMUL_OPS } from "./opdb-matmul.js";
import { CONV_OPS } from "./opdb-conv.js";
import { COMPLEX_OPS } from "./opdb-complex.js";
import { FFT_OPS } from "./opdb-fft.js";
import { API_OPS } from "./opdb-api.js";

export type Params = Record<string, unknown>;

export interface Case {
  inputs: InputCase[];
  params: Params;
}

/**
 * How an output element depends on the inputs, to find the outputs that read
 * an input element outside the contract: elementwise (broadcast), a reduction
 * over params.axes, layout (the op moves elements: run it on the masks), or
 * matmul (a row of the first input and a column of the second).
 */
export type Spread = "elementwise" | "reduce" | "segment" | "layout" | "matmul";

export interface OpEntry {
  name: string;
  group: "unary" | "binary" | "ternary" | "cast" | "reduction" | "layout" | "linalg" | "creation";
  /** The contract table entry to use (default: the name). */
  contractAs?: string;
  /** The dtype of a case's inputs (where's condition is always bool). */
  dtypes: readonly mx.DType[];
  cases(dtype: mx.DType): fc.Arbitrary<Case>;
  call(xs: mx.MxArray[], p: Params, o: mx.OpOptions): mx.MxArray;
  /** TS source of the call on input expressions `xs`, with options expression `o`. */
  source(xs: string[], p: Params, o: string): string;
  spread: Spread;
  /**
   * Condition-bounded ops: the absolute error allowed per output element
   * beyond the final rounding, from the CPU inputs (float64) and the reference.
   */
  conditionBound?(xs: mx.MxArray[], p: Params, ref: number[], u: number, condition?: { c: number; a?: number }): Promise<number[]>;
}

const B = [mx.bool];

const fn = (name: string) => (mx as unknown as Record<string, (...a: unknown[]) => mx.MxArray>)[name]!;

/** The float domain inputs are drawn from: the WebGPU contract's, where it has one. */
function domainOf(name: string): [number, number] | undefined {
  try {
    return contractFor("webgpu", name).domain;
  } catch {
    return undefined;
  }
}

function unary(name: string, dtypes: readonly mx.DType[]): OpEntry {
  return {
    name,
    group: "unary",
    dtypes,
    cases: (d) => shapeArb().chain((s) => inputArb(s, d, domainOf(name)).map((x) => ({ inputs: [x], params: {} }))),
    call: ([x], _p, o) => fn(name)(x, o),
    source: ([x], _p, o) => `mx.${name}(${x}, ${o})`,
    spread: "elementwise",
  };
}

function binary(name: string, dtypes: readonly mx.DType[]): OpEntry {
  return {
    name,
    group: "binary",
    dtypes,
    cases: (d) => broadcastShapesArb(2).chain(([sa, sb]) => fc.tuple(inputArb(sa!, d, domainOf(name)), inputArb(sb!, d, domainOf(name))).map((inputs) => ({ inputs, params: {} }))),
    call: ([a, b], _p, o) => fn(name)(a, b, o),
    source: ([a, b], _p, o) => `mx.${name}(${a}, ${b}, ${o})`,
    spread: "elementwise",
  };
}

/** A layout entry on one input of shape `s` with params drawn by `params(s)`. */
/** Axes of an n-dim shape: a subset, or null for all. */
const axesArb = (ndim: number) => fc.oneof(fc.constant(null), fc.subarray([...Array(ndim).keys()]));

const absOf = (x: mx.MxArray) => mx.abs(mx.astype(x, mx.float64, cpu), cpu);
const termsOf = (shape: readonly number[], axes: number[] | null) => (axes ?? [...shape.keys()]).reduce((n, a) => n * shape[a]!, 1);

function reduction(name: string, dtypes: readonly mx.DType[], bound?: OpEntry["conditionBound"]): OpEntry {
  return {
    name,
    group: "reduction",
    dtypes,
    cases: (d) =>
      shapeArb(4).chain((s) =>
        fc.record({ inputs: inputArb(s, d, domainOf(name)).map((x) => [x]), params: fc.record({ axes: axesArb(s.length), keepdims: fc.boolean() }) }),
      ),
    call: ([x], p, o) => fn(name)(x, { axis: p.axes, keepdims: p.keepdims, ...o }),
    source: ([x], p, o) => `mx.${name}(${x}, { axis: ${JSON.stringify(p.axes)}, keepdims: ${String(p.keepdims)}, ...${o} })`,
    spread: "reduce",
    conditionBound: bound,
  };
}

/** |error| <= c n u sum|x| over each output's terms (sum), or that divided by n (mean). */
const sumBound = (divide: boolean): OpEntry["conditionBound"] => async ([x], p, _ref, u) => {
  const axes = p.axes as number[] | null;
  const n = termsOf(x!.shape, axes);
  const mag = (await mx.reshape(mx.sum(absOf(x!), { axis: axes, ...cpu }), [-1], cpu).tolist()) as number[];
  return mag.map((m) => 2 * n * u * (divide ? m / Math.max(n, 1) : m));
};

const BASE_OPS: readonly OpEntry[] = [
  ...["abs", "negative", "sign", "square", "floor", "ceil"].map((n) => unary(n, NUM)),
  {
    // decimals mostly 0; to 1, 2 or 5 places (float16 scales past its range there), to multiples of 10 and 100
    ...unary("round", NUM),
    cases: (d) => shapeArb().chain((s) => fc.record({ inputs: inputArb(s, d).map((x) => [x]), params: fc.record({ decimals: fc.constantFrom(0, 0, 0, 1, 2, 5, -1, -2) }) })),
    call: ([x], p, o) => mx.round(x!, p.decimals as number, o),
    source: ([x], p, o) => `mx.round(${x}, ${String(p.decimals)}, ${o})`,
  },
  ...["sqrt", "rsqrt", "reciprocal", "exp", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "sigmoid", "erf", "erfinv"].map((n) => unary(n, F)),
  ...["isnan", "isinf", "isfinite"].map((n) => unary(n, F)),
  unary("logicalNot", [...B, ...I]),
  unary("bitwiseInvert", [...I, ...B]),
  unary("stopGradient", ALL),
  ...["add", "subtract", "multiply", "maximum", "minimum"].map((n) => binary(n, NUM)),
  binary("divide", F),
  ...["floorDivide", "remainder"].map((n) => binary(n, I)),
  // unsigned integers only: NumPy refuses negative integer exponents (the reference gives 0)
  binary("power", [...F, mx.uint8, mx.uint16, mx.uint32, mx.uint64]),
  ...["logaddexp", "arctan2"].map((n) => binary(n, F)),
  ...["bitwiseAnd", "bitwiseOr", "bitwiseXor"].map((n) => binary(n, [...I, ...B])),
  ...["leftShift", "rightShift"].map((n) => binary(n, [mx.uint8, mx.uint16, mx.uint32, mx.int64, mx.uint64])),
  ...["equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual"].map((n) => binary(n, ALL)),
  ...["logicalAnd", "logicalOr"].map((n) => binary(n, B)),
  {
    name: "where",
    group: "ternary",
    dtypes: ALL,
    cases: (d) => broadcastShapesArb(3).chain(([sc, sx, sy]) => fc.tuple(inputArb(sc!, mx.bool), inputArb(sx!, d), inputArb(sy!, d)).map((inputs) => ({ inputs, params: {} }))),
    call: ([c, x, y], _p, o) => mx.where(c!, x!, y!, o),
    source: ([c, x, y], _p, o) => `mx.where(${c}, ${x}, ${y}, ${o})`,
    spread: "elementwise",
  },
  {
    name: "astype",
    group: "cast",
    dtypes: ALL,
    // from an integer wider than 8 bits, half the cases to a narrow float, most values near a tie of its rounding
    cases: (d) => {
      const any = fc.constantFrom(...ALL.map((t) => t.name));
      const rounds = (d.kind === "int" || d.kind === "uint") && d.size > 1;
      const to = rounds ? fc.oneof(any, fc.constantFrom("bfloat16", "float16", "float32")) : any;
      return fc.tuple(shapeArb(), to).chain(([s, t]) => {
        const target = (mx as unknown as Record<string, mx.DType>)[t]!;
        const element = rounds && target.kind === "float" ? fc.oneof({ weight: 1, arbitrary: elementArb(d) }, { weight: 3, arbitrary: nearTieArb(d, target) }) : undefined;
        return inputArb(s, d, undefined, element).map((x) => ({ inputs: [x], params: { to: t } }));
      });
    },
    call: ([x], p, o) => mx.astype(x!, (mx as unknown as Record<string, mx.DType>)[p.to as string]!, o),
    source: ([x], p, o) => `mx.astype(${x}, mx.${String(p.to)}, ${o})`,
    spread: "elementwise",
  },
  reduction("sum", NUM, sumBound(false)),
  reduction("mean", F, sumBound(true)),
  reduction("prod", [...F, ...I], async ([x], p, ref, u) => ref.map((r) => 2 * termsOf(x!.shape, p.axes as number[] | null) * u * Math.abs(Number(r)))),
  ...["max", "min", "all", "any"].map((n) => reduction(n, NUM)),
  {
    ...reduction("logsumexp", F, async ([x], p, ref, u) => ref.map((r) => 8 * termsOf(x!.shape, p.axes as number[] | null) * u + 2 ** -21 + 4 * u * Math.abs(r))),
  },
  {
    ...reduction("softmax", [mx.float32, mx.float16, mx.bfloat16], async ([x], p, ref, u) => ref.map((r) => 8 * (termsOf(x!.shape, p.axes as number[] | null) + 8) * u * Math.abs(r) + 2 ** -24)),
    spread: "segment",
    call: ([x], p, o) => mx.softmax(x!, { axis: p.axes as number[] | null, ...o }),
    source: ([x], p, o) => `mx.softmax(${x}, { axis: ${JSON.stringify(p.axes)}, ...${o} })`,
  },
  ...["argmax", "argmin"].map(
    (name): OpEntry => ({
      name,
      group: "reduction",
      dtypes: NUM,
      cases: (d) => shapeArb(4, 1).filter((s) => !s.includes(0)).chain((s) => fc.record({ inputs: inputArb(s, d).map((x) => [x]), params: fc.record({ axes: fc.integer({ min: 0, max: s.length - 1 }).map((a) => [a]), keepdims: fc.boolean() }) })),
      call: ([x], p, o) => fn(name)(x, { axis: (p.axes as number[])[0], keepdims: p.keepdims, ...o }),
      source: ([x], p, o) => `mx.${name}(${x}, { axis: ${(p.axes as number[])[0]}, keepdims: ${String(p.keepdims)}, ...${o} })`,
      spread: "reduce",
    }),
  ),
  layout("transpose", shapeArb(), (s) => fc.record({ perm: fc.shuffledSubarray([...s.keys()], { minLength: s.length, maxLength: s.length }) }), ([x], p, o) => mx.transpose(x!, p.perm as number[], o), ([x], p, o) => `mx.transpose(${x}, ${JSON.stringify(p.perm)}, ${o})`),
  layout(
    "slice",
    shapeArb(6, 1),
    // the static (start, stop, step) form, or MLX's dynamic one: start indices in an mx array, a window size per axis
    (s) =>
      fc.oneof(
        fc.tuple(...s.map((n) => fc.tuple(fc.integer({ min: -n - 1, max: n + 1 }), fc.integer({ min: -n - 1, max: n + 1 }), fc.constantFrom(1, 2, 3, -1, -2)))).map((t): Params => ({ start: t.map((v) => v[0]), stop: t.map((v) => v[1]), step: t.map((v) => v[2]) })),
        fc.tuple(...s.map((n) => fc.integer({ min: 0, max: n }).chain((size) => fc.integer({ min: 0, max: n - size }).map((start) => [start, size] as const)))).map((t): Params => ({ dynamic: true, start: t.map((v) => v[0]), size: t.map((v) => v[1]) })),
      ),
    ([x], p, o) => (p.dynamic ? mx.slice(x!, mx.array(p.start as number[], mx.int32, o), [...(p.start as number[]).keys()], p.size as number[], o) : mx.slice(x!, p.start as number[], p.stop as number[], p.step as number[], o)),
    ([x], p, o) =>
      p.dynamic
        ? `mx.slice(${x}, mx.array(${JSON.stringify(p.start)}, mx.int32, ${o}), ${JSON.stringify([...(p.start as number[]).keys()])}, ${JSON.stringify(p.size)}, ${o})`
        : `mx.slice(${x}, ${JSON.stringify(p.start)}, ${JSON.stringify(p.stop)}, ${JSON.stringify(p.step)}, ${o})`,
  ),
  {
    name: "concatenate",
    group: "layout",
    dtypes: ALL,
    cases: (d) =>
      shapeArb(6, 1).chain((s) =>
        fc.integer({ min: 0, max: s.length - 1 }).chain((axis) =>
          fc.integer({ min: 0, max: 4 }).chain((m) => {
            const t = s.map((n, i) => (i === axis ? m : n));
            return fc.record({ inputs: fc.tuple(inputArb(s, d), inputArb(t, d)), params: fc.constant({ axis }) });
          }),
        ),
      ),
    call: ([a, b], p, o) => mx.concatenate([a!, b!], { axis: p.axis as number, ...o }),
    source: ([a, b], p, o) => `mx.concatenate([${a}, ${b}], { axis: ${String(p.axis)}, ...${o} })`,
    spread: "layout",
  },
  // the mirroring modes pad non-empty axes within the axis (n - 1 for reflect, n for symmetric), where np.pad fills as MLX does
  layout(
    "pad",
    shapeArb(4, 1),
    (s) =>
      fc.constantFrom("constant", "edge", "reflect", "symmetric").chain((mode) => {
        const most = (n: number) => (mode === "constant" ? 2 : n === 0 ? 0 : Math.min(2, mode === "reflect" ? n - 1 : n));
        return fc.record({ widths: fc.tuple(...s.map((n) => fc.tuple(fc.integer({ min: 0, max: most(n) }), fc.integer({ min: 0, max: most(n) })))), mode: fc.constant(mode) });
      }),
    ([x], p, o) => mx.pad(x!, p.widths as [number, number][], p.mode as mx.PadMode, o),
    ([x], p, o) => `mx.pad(${x}, ${JSON.stringify(p.widths)}, ${JSON.stringify(p.mode)}, ${o})`,
  ),
  {
    name: "matmul",
    group: "linalg",
    dtypes: [mx.float32, mx.float16, mx.bfloat16, mx.float64],
    cases: (d) =>
      fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 })).chain(([m, k, n, batch]) =>
        fc.record({ inputs: fc.tuple(inputArb([...batch, m, k], d), inputArb([...batch, k, n], d)), params: fc.constant({}) }),
      ),
    call: ([a, b], _p, o) => mx.matmul(a!, b!, o),
    source: ([a, b], _p, o) => `mx.matmul(${a}, ${b}, ${o})`,
    spread: "matmul",
    // |error| <= 2 K u (|A| @ |B|)
    conditionBound: async ([a, b], _p, _ref, u) => {
      const k = a!.shape[a!.ndim - 1]!;
      const mag = (await mx.reshape(mx.matmul(absOf(a!), absOf(b!), cpu), [-1], cpu).tolist()) as number[];
      return mag.map((m) => 2 * k * u * m);
    },
  },
  {
    // int8 and uint8 pairs: float32 results, the exact integer sums rounded once on every backend. K of 1100 to 1500
    // and rows and columns mostly at one extreme (a few values off it, odd ones among them): sums past 2^24 (127 x 128 x
    // 1100 = 1.8e7), where a float32 accumulator rounds, and for uint8 past 2^26
    name: "matmul",
    group: "linalg",
    contractAs: "integerMatmul",
    dtypes: [mx.int8, mx.uint8],
    cases: (d) => {
      const [lo, hi] = d === mx.int8 ? [-128, 127] : [0, 255];
      const operand = (shape: number[]) =>
        fc.tuple(fc.constantFrom(lo, hi), fc.constantFrom<InputCase["layout"]>("contiguous", "transposed", "strided"), fc.array(fc.tuple(fc.nat(shape[0]! * shape[1]! - 1), fc.integer({ min: lo, max: hi })), { maxLength: 40 })).map(([fill, layout, off]) => {
          const values: number[] = new Array(shape[0]! * shape[1]!).fill(fill);
          for (const [i, v] of off) values[i] = v;
          return { dtype: d.name, shape, values, layout };
        });
      return fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1100, max: 1500 }), fc.integer({ min: 1, max: 3 })).chain(([m, k, n]) =>
        fc.record({ inputs: fc.tuple(operand([m, k]), operand([k, n])), params: fc.constant({}) }),
      );
    },
    call: ([a, b], _p, o) => mx.matmul(a!, b!, o),
    source: ([a, b], _p, o) => `mx.matmul(${a}, ${b}, ${o})`,
    spread: "matmul",
  },
];

/** mean(x^2) over each output's terms: the scale of the error of a two-pass variance. */
async function meanSquare(x: mx.MxArray, axes: number[] | null): Promise<number[]> {
  const f = mx.astype(x, mx.float64, cpu);
  return (await mx.reshape(mx.mean(mx.multiply(f, f, cpu), { axis: axes, ...cpu }), [-1], cpu).tolist()) as number[];
}

/** var and std (ddof 0 or 1): mean, deviations, squares and their mean in float32 on a GPU. */
function varianceEntry(name: "var" | "std"): OpEntry {
  return {
    name,
    group: "reduction",
    contractAs: "mean",
    dtypes: [mx.float32, mx.float16, mx.bfloat16, mx.float64],
    cases: (d) => shapeArb(4, 1).filter((s) => !s.includes(0)).chain((s) => fc.record({ inputs: inputArb(s, d).map((x) => [x]), params: fc.record({ axes: axesArb(s.length), keepdims: fc.boolean(), ddof: fc.constantFrom(0, 1) }) })),
    call: ([x], p, o) => fn(name)(x, { axis: p.axes, keepdims: p.keepdims, ddof: p.ddof, ...o }),
    source: ([x], p, o) => `mx.${name}(${x}, { axis: ${JSON.stringify(p.axes)}, keepdims: ${String(p.keepdims)}, ddof: ${String(p.ddof)}, ...${o} })`,
    spread: "reduce",
    // two-pass variance: |error| <= 8 (n + 4) u mean(x^2) (times n / (n - ddof)), plus the n squared deviations a GPU may
    // flush to zero below float32's smallest normal (WGSL §15.7.2); std: the square root of that, plus 4 u |std|
    conditionBound: async ([x], p, ref, u) => {
      const n = termsOf(x!.shape, p.axes as number[] | null);
      const ms = await meanSquare(x!, p.axes as number[] | null);
      return ref.map((r, i) => {
        const v = ((8 * (n + 4) * u * ms[i]! + F32_MIN_NORMAL) * n) / Math.max(1, n - (p.ddof as number));
        return name === "var" ? v : Math.sqrt(v) + 4 * u * Math.abs(r);
      });
    },
  };
}

const axisOf = (s: readonly number[], extra = 0) => fc.integer({ min: -(s.length + extra), max: s.length + extra - 1 });
const nonEmpty = shapeArb(5, 1);
const FLOAT_CREATION = [mx.float32, mx.float16, mx.bfloat16, mx.float64];

/** Creation ops and the layout ops not above: every public op has its entry. */
const MORE_OPS: readonly OpEntry[] = [
  varianceEntry("var"),
  varianceEntry("std"),
  layout("reshape", shapeArb(), (s) => fc.constantFrom([...s].reverse(), [s.reduce((a, b) => a * b, 1)], [-1], [1, ...s]).map((shape) => ({ shape })), ([x], p, o) => mx.reshape(x!, p.shape as number[], o), ([x], p, o) => `mx.reshape(${x}, ${JSON.stringify(p.shape)}, ${o})`),
  // all axes, or a run of them (start <= end, either written from the end)
  layout(
    "flatten",
    shapeArb(),
    (s) =>
      s.length === 0
        ? fc.constant({ start: 0, end: -1 })
        : fc.tuple(fc.nat(s.length - 1), fc.nat(s.length - 1), fc.boolean(), fc.boolean()).map(([a, b, fromEndA, fromEndB]) => ({
            start: Math.min(a, b) - (fromEndA ? s.length : 0),
            end: Math.max(a, b) - (fromEndB ? s.length : 0),
          })),
    ([x], p, o) => mx.flatten(x!, p.start as number, p.end as number, o),
    ([x], p, o) => `mx.flatten(${x}, ${String(p.start)}, ${String(p.end)}, ${o})`,
  ),
  layout("squeeze", shapeArb().map((s) => s.flatMap((n, i) => (i % 2 ? [1, n] : [n]))).filter((s) => s.length <= 6), () => fc.constant({}), ([x], _p, o) => mx.squeeze(x!, undefined, o), ([x], _p, o) => `mx.squeeze(${x}, undefined, ${o})`),
  layout("expandDims", shapeArb(5), (s) => axisOf(s, 1).map((axis) => ({ axis })), ([x], p, o) => mx.expandDims(x!, p.axis as number, o), ([x], p, o) => `mx.expandDims(${x}, ${String(p.axis)}, ${o})`),
  layout("swapaxes", nonEmpty, (s) => fc.record({ a: axisOf(s), b: axisOf(s) }), ([x], p, o) => mx.swapaxes(x!, p.a as number, p.b as number, o), ([x], p, o) => `mx.swapaxes(${x}, ${String(p.a)}, ${String(p.b)}, ${o})`),
  layout("moveaxis", nonEmpty, (s) => fc.record({ a: axisOf(s), b: axisOf(s) }), ([x], p, o) => mx.moveaxis(x!, p.a as number, p.b as number, o), ([x], p, o) => `mx.moveaxis(${x}, ${String(p.a)}, ${String(p.b)}, ${o})`),
  layout("split", nonEmpty, (s) => fc.record({ axis: fc.integer({ min: 0, max: s.length - 1 }), piece: fc.integer({ min: 0, max: 2 }) }).map((p) => ({ ...p, at: [Math.floor(s[p.axis]! / 3), Math.floor((2 * s[p.axis]!) / 3)] })), ([x], p, o) => mx.split(x!, p.at as number[], { axis: p.axis as number, ...o })[p.piece as number]!, ([x], p, o) => `mx.split(${x}, ${JSON.stringify(p.at)}, { axis: ${String(p.axis)}, ...${o} })[${String(p.piece)}]`),
  {
    name: "broadcastTo",
    group: "layout",
    dtypes: ALL,
    cases: (d) => broadcastShapesArb(2).chain(([out, s]) => fc.record({ inputs: inputArb(s!, d).map((x) => [x]), params: fc.constant({ shape: out }) })),
    call: ([x], p, o) => mx.broadcastTo(x!, p.shape as number[], o),
    source: ([x], p, o) => `mx.broadcastTo(${x}, ${JSON.stringify(p.shape)}, ${o})`,
    spread: "layout",
  },
  {
    name: "stack",
    group: "layout",
    dtypes: ALL,
    cases: (d) => shapeArb(5).chain((s) => fc.record({ inputs: fc.tuple(inputArb(s, d), inputArb(s, d)), params: axisOf(s, 1).map((axis) => ({ axis })) })),
    call: ([a, b], p, o) => mx.stack([a!, b!], { axis: p.axis as number, ...o }),
    source: ([a, b], p, o) => `mx.stack([${a}, ${b}], { axis: ${String(p.axis)}, ...${o} })`,
    spread: "layout",
  },
  {
    name: "clip",
    group: "binary",
    contractAs: "maximum",
    dtypes: NUM,
    // bounds the dtype holds (a negative bound of an unsigned array has no common meaning)
    cases: (d) => shapeArb().chain((s) => fc.record({ inputs: inputArb(s, d).map((x) => [x]), params: fc.tuple(fc.integer({ min: d.kind === "uint" ? 0 : -50, max: 50 }), fc.integer({ min: 0, max: 60 })).map(([lo, w]) => ({ lo, hi: lo + w })) })),
    call: ([x], p, o) => mx.clip(x!, p.lo as number, p.hi as number, o),
    source: ([x], p, o) => `mx.clip(${x}, ${String(p.lo)}, ${String(p.hi)}, ${o})`,
    spread: "elementwise",
  },
  ...(["zeros", "ones"] as const).map(
    (name): OpEntry => ({
      name,
      group: "creation",
      dtypes: ALL,
      cases: (d) => shapeArb().map((shape) => ({ inputs: [], params: { shape, dtype: d.name } })),
      call: (_xs, p, o) => fn(name)(p.shape, (mx as unknown as Record<string, mx.DType>)[p.dtype as string], o),
      source: (_xs, p, o) => `mx.${name}(${JSON.stringify(p.shape)}, mx.${String(p.dtype)}, ${o})`,
      spread: "layout",
    }),
  ),
  {
    name: "full",
    group: "creation",
    dtypes: ALL,
    cases: (d) => shapeArb().chain((shape) => fillValueArb(d).map((value) => ({ inputs: [], params: { shape, value, dtype: d.name } }))),
    call: (_xs, p, o) => mx.full(p.shape as number[], p.value as number, (mx as unknown as Record<string, mx.DType>)[p.dtype as string], o),
    source: (_xs, p, o) => `mx.full(${JSON.stringify(p.shape)}, ${String(p.value)}, mx.${String(p.dtype)}, ${o})`,
    spread: "layout",
  },
  {
    name: "eye",
    group: "creation",
    dtypes: ALL,
    cases: (d) => fc.record({ n: fc.integer({ min: 0, max: 9 }), m: fc.integer({ min: 0, max: 9 }), k: fc.integer({ min: -4, max: 4 }) }).map((p) => ({ inputs: [], params: { ...p, dtype: d.name } })),
    call: (_xs, p, o) => mx.eye(p.n as number, p.m as number, p.k as number, { dtype: (mx as unknown as Record<string, mx.DType>)[p.dtype as string], ...o }),
    source: (_xs, p, o) => `mx.eye(${String(p.n)}, ${String(p.m)}, ${String(p.k)}, { dtype: mx.${String(p.dtype)}, ...${o} })`,
    spread: "layout",
  },
  {
    name: "arange",
    group: "creation",
    contractAs: "arange",
    dtypes: [...FLOAT_CREATION, mx.int8, mx.int16, mx.int32, mx.uint8, mx.uint16, mx.uint32, mx.int64],
    cases: (d) =>
      fc.record({ start: fc.integer({ min: -20, max: 20 }), count: fc.integer({ min: 0, max: 40 }), step: fc.integer({ min: 1, max: 9 }), frac: fc.constantFrom(1, 4, 10) }).map((p) => {
        const div = d.kind === "float" ? p.frac : 1;
        const start = d.kind === "uint" ? Math.abs(p.start) : p.start / div;
        return { inputs: [], params: { start, stop: start + (p.count * p.step) / div, step: p.step / div, dtype: d.name } };
      }),
    call: (_xs, p, o) => mx.arange(p.start as number, p.stop as number, p.step as number, { dtype: (mx as unknown as Record<string, mx.DType>)[p.dtype as string], ...o }),
    source: (_xs, p, o) => `mx.arange(${String(p.start)}, ${String(p.stop)}, ${String(p.step)}, { dtype: mx.${String(p.dtype)}, ...${o} })`,
    spread: "layout",
    // every backend is exact (start + i * step rounded once); the bound is NumPy's, which steps by
    // (start + step) - start, off by u (|start| + |step|) per step: |error| <= 2 u (|start| + i (|start| + |step|))
    conditionBound: async (_xs, p, ref, u) => ref.map((_, i) => 2 * u * (Math.abs(p.start as number) + i * (Math.abs(p.start as number) + Math.abs(p.step as number)))),
  },
  {
    name: "linspace",
    group: "creation",
    contractAs: "linspace",
    // integer dtypes truncate MLX's float32 blend: half their cases step by a whole number (the blend lands just below
    // or on an integer), unsigned ones from non-negative ends
    dtypes: [...FLOAT_CREATION, mx.int8, mx.int16, mx.int32, mx.uint8, mx.uint16, mx.uint32, mx.int64],
    cases: (d) => {
      const lo = d.kind === "uint" ? 0 : -100;
      const any = fc.record({ start: fc.integer({ min: lo, max: 100 }), stop: fc.integer({ min: lo, max: 100 }), num: fc.integer({ min: 0, max: 40 }), endpoint: fc.boolean() });
      const whole = fc.record({ start: fc.integer({ min: lo, max: 100 }), stop: fc.integer({ min: lo, max: 100 }), step: fc.constantFrom(1, 2, 3) }).map(({ start, stop, step }) => ({ start, stop: start + Math.trunc((stop - start) / step) * step, num: Math.trunc(Math.abs(stop - start) / step) + 1, endpoint: true }));
      return (d.kind === "float" ? any : fc.oneof(any, whole)).map((p) => ({ inputs: [], params: { ...p, dtype: d.name } }));
    },
    call: (_xs, p, o) => mx.linspace(p.start as number, p.stop as number, p.num as number, p.endpoint as boolean, { dtype: (mx as unknown as Record<string, mx.DType>)[p.dtype as string], ...o }),
    source: (_xs, p, o) => `mx.linspace(${String(p.start)}, ${String(p.stop)}, ${String(p.num)}, ${String(p.endpoint)}, { dtype: mx.${String(p.dtype)}, ...${o} })`,
    spread: "layout",
    conditionBound: async (_xs, p, ref, u) => ref.map(() => 4 * u * (Math.abs(p.start as number) + Math.abs(p.stop as number))),
  },
];

export const OPS: readonly OpEntry[] = [...BASE_OPS, ...MORE_OPS, ...SORT_OPS, ...SHAPES_OPS, ...INDEXING_OPS, ...SCAN_OPS, ...VIEW_OPS, ...LINALG_OPS, ...FAST_OPS, ...ATTENTION_OPS, ...QUANTIZED_OPS, ...CONV_OPS, ...COMPLEX_OPS, ...FFT_OPS, ...MATMUL_OPS, ...API_OPS];

/** Entries whose name matches a glob (`*` any run of characters, `?` one character). */
export function opsMatching(glob: string): OpEntry[] {
  const patterns = glob.split(",").map((g) => new RegExp(`^${g.trim().replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`));
  return OPS.filter((e) => patterns.some((p) => p.test(e.name)));
}
