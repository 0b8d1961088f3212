// Op-database entries of the convolutions: convGeneral with random shapes,
// strides, asymmetric padding, both dilations, groups and flip; conv2d,
// convTranspose2d and convolve. Bounded like matmul: 2 K u (|x| conv |w|).

import fc from "fast-check";
import * as mx from "../index.js";
import { inputArb } from "./arbitraries.js";
import type { OpEntry, Params } from "./opdb.js";
import { cpu } from "./opdb-common.js";

const CONV_FLOATS = [mx.float32, mx.float16, mx.bfloat16, mx.float64];

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** One spatial axis: input size, kernel size and the convGeneral parameters, drawn so the output is non-empty. */
const axisArb = (maxIn: number) =>
  fc
    .record({ k: fc.integer({ min: 1, max: 3 }), kd: fc.integer({ min: 1, max: 2 }), id: fc.integer({ min: 1, max: 2 }), s: fc.integer({ min: 1, max: 3 }), lo: fc.integer({ min: -1, max: 2 }), hi: fc.integer({ min: -1, max: 2 }), n: fc.integer({ min: 1, max: maxIn }) })
    .map((a) => {
      const dk = 1 + a.kd * (a.k - 1);
      return { ...a, n: Math.max(a.n, Math.ceil((dk - a.lo - a.hi - 1) / a.id) + 1, 1) };
    });

/** convGeneral's options from a case's params. */
const generalOptions = (p: Params) => ({
  stride: p.stride as number[],
  padding: [p.lo as number[], p.hi as number[]] as [number[], number[]],
  kernelDilation: p.kd as number[],
  inputDilation: p.id as number[],
  groups: p.groups as number,
  flip: p.flip as boolean,
});

/**
 * `conv` on float inputs; on the bool masks of the inputs the conformance
 * check passes for the "layout" spread: the outputs that read a masked input
 * element, and every output of a channel with a masked weight (each output
 * multiplies all of its channel's weights, by an input or by a zero over padding).
 */
function convOrMask(conv: (x: mx.MxArray, w: mx.MxArray, o: mx.OpOptions) => mx.MxArray): OpEntry["call"] {
  return ([x, w], _p, o) => {
    if (x!.dtype !== mx.bool) return conv(x!, w!, o);
    const f = (a: mx.MxArray) => mx.astype(a, mx.float32, o);
    const reads = conv(f(x!), mx.onesLike(f(w!), o), o);
    const badChannel = mx.any(mx.reshape(w!, [w!.shape[0]!, -1], o), { axis: 1, ...o });
    return mx.logicalOr(mx.greater(reads, 0, o), badChannel, o);
  };
}

/** 2 K u (|x| conv |w|) per output, K the terms of each output (C_in / groups times the kernel taps). */
function convBound(conv: (x: mx.MxArray, w: mx.MxArray, o: mx.OpOptions) => mx.MxArray) {
  return async ([x, w]: mx.MxArray[], _p: Params, _ref: number[], u: number): Promise<number[]> => {
    const abs = (a: mx.MxArray) => mx.abs(mx.astype(a, mx.float64, cpu), cpu);
    const k = prod(w!.shape.slice(1));
    const mag = (await mx.reshape(conv(abs(x!), abs(w!), cpu), [-1], cpu).tolist()) as number[];
    return mag.map((m) => 2 * k * u * m);
  };
}

const general = (x: mx.MxArray, w: mx.MxArray, p: Params, o: mx.OpOptions) => mx.convGeneral(x, w, { ...generalOptions(p), ...o });

const convGeneralEntry: OpEntry = {
  name: "convGeneral",
  group: "linalg",
  contractAs: "matmul",
  dtypes: CONV_FLOATS,
  cases: (d) =>
    fc
      .record({ nsp: fc.integer({ min: 1, max: 3 }), n: fc.integer({ min: 1, max: 2 }), groups: fc.integer({ min: 1, max: 2 }), cg: fc.integer({ min: 1, max: 2 }), og: fc.integer({ min: 1, max: 2 }), flip: fc.boolean() })
      .chain((c) =>
        fc.array(axisArb(c.nsp === 3 ? 3 : 5), { minLength: c.nsp, maxLength: c.nsp }).chain((axes) =>
          fc.record({
            inputs: fc.tuple(inputArb([c.n, ...axes.map((a) => a.n), c.groups * c.cg], d), inputArb([c.groups * c.og, ...axes.map((a) => a.k), c.cg], d)),
            params: fc.constant({ stride: axes.map((a) => a.s), lo: axes.map((a) => a.lo), hi: axes.map((a) => a.hi), kd: axes.map((a) => a.kd), id: axes.map((a) => a.id), groups: c.groups, flip: c.flip }),
          }),
        ),
      ),
  call: (xs, p, o) => convOrMask((x, w, oo) => general(x, w, p, oo))(xs, p, o),
  source: ([x, w], p, o) => `mx.convGeneral(${x}, ${w}, { ...${JSON.stringify(generalOptions(p))}, ...${o} })`,
  spread: "layout",
  conditionBound: (xs, p, ref, u) => convBound((x, w, o) => general(x, w, p, o))(xs, p, ref, u),
};

type ConvN = (x: mx.MxArray, w: mx.MxArray, o: Record<string, unknown>) => mx.MxArray;

/** conv1d/2d/3d or convTranspose1d/2d/3d on `nsp` spatial axes with scalar stride and padding (and outputPadding for the transposes). */
function convNEntry(name: string, nsp: number, transpose: boolean): OpEntry {
  const op = (mx as unknown as Record<string, ConvN>)[name]!;
  const opts = (p: Params) => (transpose ? { stride: p.stride, padding: p.padding, dilation: p.dilation, outputPadding: p.outputPadding } : { stride: p.stride, padding: p.padding, dilation: p.dilation, groups: p.groups });
  const call = (p: Params) => (x: mx.MxArray, w: mx.MxArray, o: mx.OpOptions) => op(x, w, { ...opts(p), ...o });
  return {
    name,
    group: "linalg",
    contractAs: "matmul",
    dtypes: CONV_FLOATS,
    cases: (d) =>
      fc
        .record({
          sp: fc.array(fc.integer({ min: 2, max: [6, 4, 3][nsp - 1]! }), { minLength: nsp, maxLength: nsp }),
          groups: fc.integer({ min: 1, max: transpose ? 1 : 2 }),
          cg: fc.integer({ min: 1, max: nsp === 3 ? 1 : 2 }),
          og: fc.integer({ min: 1, max: 2 }),
          stride: fc.integer({ min: 1, max: 2 }),
          padding: fc.integer({ min: 0, max: 1 }),
          dilation: fc.integer({ min: 1, max: 2 }),
        })
        .chain((c) =>
          fc.record({
            inputs: fc.tuple(inputArb([nsp === 3 ? 1 : 2, ...c.sp.map((n) => n + (c.dilation - 1)), c.groups * c.cg], d), inputArb([c.groups * c.og, ...c.sp.map(() => 2), c.cg], d)),
            params: fc.constant({ stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups, outputPadding: c.stride - 1 }),
          }),
        ),
    call: (xs, p, o) => convOrMask(call(p))(xs, p, o),
    source: ([x, w], p, o) => `mx.${name}(${x}, ${w}, { ...${JSON.stringify(opts(p))}, ...${o} })`,
    spread: "layout",
    conditionBound: (xs, p, ref, u) => convBound(call(p))(xs, p, ref, u),
  };
}

const convolveEntry: OpEntry = {
  name: "convolve",
  group: "linalg",
  contractAs: "matmul",
  dtypes: CONV_FLOATS,
  cases: (d) =>
    fc
      .record({ a: fc.integer({ min: 1, max: 9 }), v: fc.integer({ min: 1, max: 9 }), mode: fc.constantFrom("full", "same", "valid") })
      .chain((c) => fc.record({ inputs: fc.tuple(inputArb([c.a], d), inputArb([c.v], d)), params: fc.constant({ mode: c.mode }) })),
  call: ([a, v], p, o) => {
    const mode = { mode: p.mode as mx.ConvolveMode, ...o };
    if (a!.dtype !== mx.bool) return mx.convolve(a!, v!, mode);
    // masks: the longer operand is the input, the shorter the kernel (a bad kernel element reaches every output)
    const [long, short] = a!.size < v!.size ? [v!, a!] : [a!, v!];
    const reads = mx.convolve(mx.astype(long, mx.float32, o), mx.onesLike(mx.astype(short, mx.float32, o), o), mode);
    return mx.logicalOr(mx.greater(reads, 0, o), mx.any(short, o), o);
  },
  source: ([a, v], p, o) => `mx.convolve(${a}, ${v}, { mode: ${JSON.stringify(p.mode)}, ...${o} })`,
  spread: "layout",
  conditionBound: async ([a, v], p, _ref, u) => {
    const abs = (x: mx.MxArray) => mx.abs(mx.astype(x, mx.float64, cpu), cpu);
    const mag = (await mx.convolve(abs(a!), abs(v!), { mode: p.mode as mx.ConvolveMode, ...cpu }).tolist()) as number[];
    return mag.map((m) => 2 * Math.min(a!.size, v!.size) * u * m);
  },
};

export const CONV_OPS: readonly OpEntry[] = [
  convGeneralEntry,
  ...([1, 2, 3] as const).flatMap((n) => [convNEntry(`conv${n}d`, n, false), convNEntry(`convTranspose${n}d`, n, true)]),
  convolveEntry,
];

/** NumPy expressions for conformance/numpy.ts (conformance/numpy_conv.py sits beside numpy_eval.py, on its import path). */
const NP_CONV = "__import__('numpy_conv')";
export const CONV_NUMPY: Record<string, string> = {
  convGeneral: `${NP_CONV}.conv_general(x[0], x[1], p['stride'], p['lo'], p['hi'], p['kd'], p['id'], p['groups'], p['flip'])[0]`,
  ...Object.fromEntries([1, 2, 3].flatMap((n) => [[`conv${n}d`, `${NP_CONV}.conv_nd(x[0], x[1], p)`], [`convTranspose${n}d`, `${NP_CONV}.conv_transpose_nd(x[0], x[1], p)`]])),
  convolve: `${NP_CONV}.convolve(x[0], x[1], p['mode'])`,
};
