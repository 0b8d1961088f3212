// Op-database entries of mx.fft. The transforms draw a complex signal as
// float32 pairs (a trailing axis of 2: real, imaginary part) viewed as
// complex64 (rfft* read its real part, as MLX), with n / s cut or padded,
// axes in any order and every norm; results are viewed back as float32 pairs
// (irfft*'s real samples with zero imaginary parts). Each output component is
// held to c log2(2N) u sum|terms| (conformance/contracts.ts GPU_FFT).
// fftshift / ifftshift are exact layout ops; fftfreq / rfftfreq creation ops.

import fc from "fast-check";
import * as mx from "../index.js";
import type { InputCase, Layout } from "./arbitraries.js";
import { GPU_FFT } from "./contracts.js";
import { cpu, layout } from "./opdb-common.js";
import type { Case, OpEntry, Params } from "./opdb.js";

interface Kind {
  /** 1: (n, axis); 2: (s, axes) default [-2, -1]; 0: (s, axes) over any axes. */
  dims: 0 | 1 | 2;
  real: boolean;
  inverse: boolean;
}

const KINDS: Record<string, Kind> = {
  fft: { dims: 1, real: false, inverse: false }, ifft: { dims: 1, real: false, inverse: true },
  fft2: { dims: 2, real: false, inverse: false }, ifft2: { dims: 2, real: false, inverse: true },
  fftn: { dims: 0, real: false, inverse: false }, ifftn: { dims: 0, real: false, inverse: true },
  rfft: { dims: 1, real: true, inverse: false }, irfft: { dims: 1, real: true, inverse: true },
  rfft2: { dims: 2, real: true, inverse: false }, irfft2: { dims: 2, real: true, inverse: true },
  rfftn: { dims: 0, real: true, inverse: false }, irfftn: { dims: 0, real: true, inverse: true },
};

/** One float32 part: magnitudes 10^-3..10^3 of either sign, or a zero now and then. */
const partArb = fc.oneof(
  { weight: 12, arbitrary: fc.noBias(fc.tuple(fc.double({ min: -3, max: 3, noNaN: true }), fc.boolean())).map(([e, neg]) => Math.fround((neg ? -1 : 1) * 10 ** e)) },
  { weight: 1, arbitrary: fc.constant(0) },
);

/** A complex signal of shape `s` as float32 pairs ([...s, 2]). */
function pairsArb(s: readonly number[]): fc.Arbitrary<InputCase> {
  const n = s.reduce((a, b) => a * b, 1);
  return fc.record({
    dtype: fc.constant("float32"),
    shape: fc.constant([...s, 2]),
    values: fc.array(partArb, { minLength: 2 * n, maxLength: 2 * n }),
    layout: fc.constantFrom<Layout>("contiguous", "transposed", "strided"),
  });
}

const toComplex = (x: mx.MxArray, o: mx.OpOptions) => mx.squeeze(mx.view(x, mx.complex64, o), -1, o);
const toPairs = (z: mx.MxArray, o: mx.OpOptions) => mx.view(mx.expandDims(z.dtype === mx.complex64 ? z : mx.astype(z, mx.complex64, o), -1, o), mx.float32, o);
const asComplexSrc = (x: string, o: string) => `mx.squeeze(mx.view(${x}, mx.complex64, ${o}), -1, ${o})`;
const asPairsSrc = (z: string, o: string, real: boolean) => `mx.view(mx.expandDims(${real ? `mx.astype(${z}, mx.complex64, ${o})` : z}, -1, ${o}), mx.float32, ${o})`;

const size = fc.integer({ min: 1, max: 9 });

/**
 * A signal shape and the call's arguments: `n`/`axis` or `s`/`fnAxes` as
 * passed (null: the default), with `tAxes` the transformed axes and `sizes`
 * their signal lengths (a complex-to-real transform's last: its output length).
 */
function casesOf(kind: Kind): fc.Arbitrary<Case> {
  const norm = fc.constantFrom("backward", "ortho", "forward");
  const shapes = fc.array(fc.integer({ min: 1, max: 7 }), { minLength: kind.dims === 2 ? 2 : 1, maxLength: 3 }).filter((s) => s.reduce((a, b) => a * b, 1) <= 48);
  const args = shapes.chain((shape): fc.Arbitrary<{ shape: number[]; p: Params }> => {
    const nd = shape.length;
    if (kind.dims === 1) {
      return fc.record({ axis: fc.integer({ min: -nd, max: nd - 1 }), n: fc.option(size, { nil: null }), norm }).map((p) => ({ shape, p }));
    }
    const axesArb = kind.dims === 2
      ? fc.option(fc.shuffledSubarray([...shape.keys()], { minLength: 2, maxLength: 2 }), { nil: null })
      : fc.option(fc.shuffledSubarray([...shape.keys()], { minLength: 1 }), { nil: null });
    return axesArb.chain((fnAxes) => {
      const count = fnAxes ? fnAxes.length : kind.dims === 2 ? 2 : nd;
      return fc.record({ fnAxes: fc.constant(fnAxes), s: fc.option(fc.array(size, { minLength: count, maxLength: count }), { nil: null }), norm }).map((p) => ({ shape, p }));
    });
  });
  return args
    .map(({ shape, p }) => {
      const nd = shape.length;
      const tAxes = kind.dims === 1 ? [((p.axis as number) + nd) % nd] : ((p.fnAxes as number[] | null) ?? (kind.dims === 2 ? [nd - 2, nd - 1] : [...shape.keys()]));
      const given = kind.dims === 1 ? (p.n === null ? null : [p.n as number]) : (p.s as number[] | null);
      const sizes = given ?? tAxes.map((ax, i) => (kind.real && kind.inverse && i === tAxes.length - 1 ? 2 * (shape[ax]! - 1) : shape[ax]!));
      return { shape, p: { ...p, tAxes, sizes, axes: [...tAxes, nd] } };
    })
    .filter(({ p }) => (p.sizes as number[]).every((v) => v > 0))
    .chain(({ shape, p }) => pairsArb(shape).map((x): Case => ({ inputs: [x], params: p })));
}

type FftFn = (a: mx.MxArray, x: unknown, y: unknown, o: object) => mx.MxArray;

/** |error| <= c log2(2N) u sum|terms| per component: the block's sum |x| (as cut), times 1/N (2/N irfft) for an inverse and the norm's scale. */
function fftBound(kind: Kind): OpEntry["conditionBound"] {
  return async ([x], p, _ref, u) => {
    const tAxes = p.tAxes as number[], sizes = p.sizes as number[];
    const parts = mx.astype(x!, mx.float64, cpu);
    let mag = mx.sqrt(mx.sum(mx.square(kind.real && !kind.inverse ? mx.slice(parts, parts.shape.map(() => 0), parts.shape.map((d, i) => (i === parts.ndim - 1 ? 1 : d)), undefined, cpu) : parts, cpu), { axis: -1, ...cpu }), cpu);
    const inLengths = tAxes.map((ax, i) => (kind.real && kind.inverse && i === tAxes.length - 1 ? Math.floor(sizes[i]! / 2) + 1 : sizes[i]!));
    mag = mx.slice(mag, mag.shape.map(() => 0), mag.shape.map((d, i) => (tAxes.includes(i) ? Math.min(d, inLengths[tAxes.indexOf(i)]!) : d)), undefined, cpu);
    const l1 = mx.sum(mag, { axis: tAxes, keepdims: true, ...cpu });
    const count = sizes.reduce((a, b) => a * b, 1);
    const normScale = p.norm === "ortho" ? (kind.inverse ? Math.sqrt(count) : 1 / Math.sqrt(count)) : p.norm === "forward" ? (kind.inverse ? count : 1 / count) : 1;
    const scale = (kind.inverse ? (kind.real ? 2 : 1) / count : 1) * normScale;
    const outShape = mag.shape.map((d, i) => {
      const k = tAxes.indexOf(i);
      if (k < 0) return d;
      if (kind.real && k === tAxes.length - 1) return kind.inverse ? sizes[k]! : Math.floor(sizes[k]! / 2) + 1;
      return sizes[k]!;
    });
    const perElement = mx.broadcastTo(mx.expandDims(mx.broadcastTo(l1, outShape, cpu), -1, cpu), [...outShape, 2], cpu);
    const c = GPU_FFT.c * Math.log2(2 * count) * u * scale;
    return ((await mx.reshape(perElement, [-1], cpu).tolist()) as number[]).map((v) => c * v);
  };
}

function transformEntry(name: string, kind: Kind): OpEntry {
  const op = `fft.${name}`;
  const f = (mx.fft as unknown as Record<string, FftFn>)[name]!;
  const argsOf = (p: Params): [unknown, unknown] => (kind.dims === 1 ? [p.n, p.axis] : [p.s, kind.dims === 2 && p.fnAxes === null ? undefined : p.fnAxes]);
  return {
    name: op,
    group: "linalg",
    contractAs: "fft",
    dtypes: [mx.float32],
    cases: () => casesOf(kind),
    call: ([x], p, o) => toPairs(f(toComplex(x!, o), ...argsOf(p), { norm: p.norm, ...o }), o),
    source: ([x], p, o) => {
      const [a, b] = argsOf(p);
      return asPairsSrc(`mx.fft.${name}(${asComplexSrc(x!, o)}, ${JSON.stringify(a ?? null)}, ${b === undefined ? "undefined" : JSON.stringify(b)}, { norm: "${String(p.norm)}", ...${o} })`, o, kind.real && kind.inverse);
    },
    spread: "segment",
    conditionBound: fftBound(kind),
  };
}

const shiftAxes = (s: number[]) => fc.record({ axes: fc.option(fc.oneof(fc.integer({ min: 0, max: Math.max(0, s.length - 1) }), fc.subarray([...s.keys()])), { nil: null }) });

export const FFT_OPS: readonly OpEntry[] = [
  ...Object.entries(KINDS).map(([name, kind]) => transformEntry(name, kind)),
  ...(["fftshift", "ifftshift"] as const).map((name) =>
    layout(
      `fft.${name}`,
      fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 3 }),
      shiftAxes,
      ([x], p, o) => mx.fft[name](x!, p.axes as number | number[] | null, o),
      ([x], p, o) => `mx.fft.${name}(${x}, ${JSON.stringify(p.axes)}, ${o})`,
    ),
  ),
  ...(["fftfreq", "rfftfreq"] as const).map(
    (name): OpEntry => ({
      name: `fft.${name}`,
      group: "creation",
      dtypes: [mx.float32],
      cases: () => fc.record({ n: fc.integer({ min: 1, max: 40 }), d: fc.constantFrom(1, 0.5, 0.1, -2, 3e-3) }).map((p) => ({ inputs: [], params: p })),
      call: (_xs, p, o) => mx.fft[name](p.n as number, p.d as number, o),
      source: (_xs, p, o) => `mx.fft.${name}(${String(p.n)}, ${String(p.d)}, ${o})`,
      spread: "layout",
    }),
  ),
];

/** NumPy's np.fft for each entry: the pairs as complex128 in, the result as pairs out. */
const npInput = "(x[0][..., 0].astype('float64') + 1j * x[0][..., 1].astype('float64'))";
const npPairs = "(lambda y: np.stack([np.real(y), np.imag(y) if np.iscomplexobj(y) else np.zeros_like(y)], -1))";
function npTransform(name: string, kind: Kind): string {
  const input = kind.real && !kind.inverse ? `${npInput}.real` : npInput;
  const args = kind.dims === 1 ? "n=p['n'], axis=p['axis']" : "s=p['s'], **({} if p['fnAxes'] is None else {'axes': tuple(p['fnAxes'])})";
  return `${npPairs}(np.fft.${name}(${input}, ${args}, norm=p['norm']))`;
}
export const FFT_NUMPY: Record<string, string> = {
  ...Object.fromEntries(Object.entries(KINDS).map(([name, kind]) => [`fft.${name}`, npTransform(name, kind)])),
  "fft.fftshift": "np.fft.fftshift(x[0], axes=p['axes'])",
  "fft.ifftshift": "np.fft.ifftshift(x[0], axes=p['axes'])",
  "fft.fftfreq": "np.fft.fftfreq(p['n'], p['d'])",
  "fft.rfftfreq": "np.fft.rfftfreq(p['n'], p['d'])",
};
