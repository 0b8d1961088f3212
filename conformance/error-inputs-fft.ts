// Error-input entries of mx.fft: the transforms' array, size (n or s), axis
// or axes and options (norm, stream), a valid call each on the cpu, and the
// calls MLX refuses (a scalar, a non-positive size, repeated or out-of-range
// axes, sizes and axes of different lengths, an unknown norm, a size given
// twice); the frequencies' n and d, and the shifts' axes.

import * as mx from "../index.js";
import type { ArgKind, ArgSpec, BadCall, ErrorEntry } from "./error-inputs.js";

const arg = (kind: ArgKind, ...names: string[]): ArgSpec => ({ kind, names });
const opts = (fields: Record<string, ArgSpec> = {}): ArgSpec => ({ kind: "options", names: ["options"], fields: { stream: arg("stream", "stream"), ...fields } });

const cpu = { stream: mx.cpu };
const A = arg("array", "a");
const NORM = arg("any", "norm");
const signal = () => mx.reshape(mx.arange(12, { dtype: mx.float32, ...cpu }), [3, 4], cpu);

/** The calls every transform refuses, on its valid arguments `a` and `size` (a number or a list). */
function transformBad(sizeName: "n" | "s", axisName: "axis" | "axes", size: unknown): BadCall[] {
  return [
    { label: "a scalar", args: () => [mx.array(1, mx.float32), cpu], names: ["a", "dimension"] },
    { label: "a zero size", args: () => [signal(), sizeName === "n" ? 0 : [0, 2], cpu], names: [sizeName, "s[0]"] },
    { label: "an unknown norm", args: () => [signal(), { norm: "both", ...cpu }], names: ["norm"] },
    { label: "a size given twice", args: () => [signal(), size, { [sizeName]: size, ...cpu }], names: [sizeName] },
    ...(axisName === "axes"
      ? [
          { label: "a repeated axis", args: () => [signal(), null, [1, 1], cpu], names: ["axes"] },
          { label: "sizes and axes of different lengths", args: () => [signal(), [2, 2, 2], [0, 1], cpu], names: ["s", "axes"] },
        ]
      : [{ label: "an axis out of range", args: () => [signal(), null, 2, cpu], names: ["axis"] }]),
  ];
}

function oneAxisEntry(name: string): ErrorEntry {
  return {
    name: `fft.${name}`,
    args: [A, arg("int", "n"), arg("axis", "axis"), opts({ n: arg("int", "n"), axis: arg("axis", "axis"), norm: NORM })],
    valid: () => [signal(), 4, -1, { norm: "ortho", ...cpu }],
    bad: transformBad("n", "axis", 4),
  };
}

function severalAxesEntry(name: string): ErrorEntry {
  return {
    name: `fft.${name}`,
    args: [A, arg("shape", "s"), arg("axes", "axes"), opts({ s: arg("shape", "s"), axes: arg("axes", "axes"), norm: NORM })],
    valid: () => [signal(), [3, 4], [0, 1], { norm: "forward", ...cpu }],
    bad: transformBad("s", "axes", [3, 4]),
  };
}

function freqEntry(name: string): ErrorEntry {
  return {
    name: `fft.${name}`,
    args: [arg("int", "n"), arg("number", "d"), opts({ d: arg("number", "d") })],
    valid: () => [8, 0.5, cpu],
    bad: [
      { label: "a zero spacing", args: () => [8, 0, cpu], names: ["d"] },
      { label: "d given twice", args: () => [8, 0.5, { d: 0.5, ...cpu }], names: ["d"] },
    ],
  };
}

function shiftEntry(name: string): ErrorEntry {
  return {
    name: `fft.${name}`,
    args: [A, arg("axis", "axes"), opts({ axes: arg("axis", "axes") })],
    valid: () => [signal(), [0, 1], cpu],
    bad: [
      { label: "an axis out of range", args: () => [signal(), 2, cpu], names: ["axes"] },
      { label: "axes given twice", args: () => [signal(), 0, { axes: 0, ...cpu }], names: ["axes"] },
    ],
  };
}

export const FFT_ERROR_ENTRIES: readonly ErrorEntry[] = [
  ...["fft", "ifft", "rfft", "irfft"].map(oneAxisEntry),
  ...["fft2", "ifft2", "fftn", "ifftn", "rfft2", "irfft2", "rfftn", "irfftn"].map(severalAxesEntry),
  ...["fftfreq", "rfftfreq"].map(freqEntry),
  ...["fftshift", "ifftshift"].map(shiftEntry),
];
