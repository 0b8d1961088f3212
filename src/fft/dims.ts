// The shared front of the mx.fft transforms: the array and options of a
// one-axis call (`n`, `axis`) or a several-axes call (`s`, `axes`), resolved
// to the sizes and axes of one transform as MLX does.

import type { MxArray } from "../array.js";
import type { Stream } from "../device.js";
import { opError } from "../errors.js";
import { checkArrayLike, opStream, toArray, type ArrayLike } from "../ops/base.js";
import { asOp } from "../ops/strict-options.js";
import { fftOptions, intList, parseNorm, type FftNormOptions } from "./args.js";
import { transform, transformAxes, type TransformKind } from "./transform.js";

export interface FftOptions extends FftNormOptions {
  /** Length of the transformed axis: the input is cut or zero-padded to it (default: its length; irfft: 2 (m - 1)). */
  n?: number | null | undefined;
  /** The transformed axis (default -1). */
  axis?: number | undefined;
}

export interface FftnOptions extends FftNormOptions {
  /** Lengths along `axes`: the input is cut or zero-padded to them (default: its lengths there; irfft's last: 2 (m - 1)). */
  s?: readonly number[] | null | undefined;
  /** The transformed axes (default: fft2's [-2, -1]; fftn's: the last `s.length` axes, or all). */
  axes?: readonly number[] | null | undefined;
}

/** The input array of `op` and the stream the transform runs on. */
function input(op: string, a: ArrayLike, o: FftNormOptions): { x: MxArray; s: Stream } {
  checkArrayLike(op, a, "a");
  const s = opStream(op, o, a);
  const x = toArray(op, a, s, undefined, "a");
  if (x.ndim < 1) throw opError(op, "a must have at least one dimension, got a scalar (0-d array)", [x], "value");
  return { x, s };
}

/**
 * Default lengths: the input's, with a complex-to-real transform's last
 * doubled back (2 (m - 1)); an error naming that default, and the argument
 * (`name`: n or s) to pass instead, where it is not positive (m of 0 or 1).
 */
function defaultSizes(op: string, x: MxArray, axes: readonly number[], kind: TransformKind, name: "n" | "s"): number[] {
  const n = axes.map((ax) => x.shape[ax]!);
  if (kind.real && kind.inverse && n.length) {
    const m = n[n.length - 1]!;
    n[n.length - 1] = 2 * (m - 1);
    if (m < 2) {
      const axis = axes[axes.length - 1]!;
      const pass = name === "n" ? "pass n, the length of the real output" : "pass s, whose last entry is the length of the real output along that axis";
      throw opError(op, `the default output length 2 (m - 1) is ${2 * (m - 1)}, not positive: a's last transformed axis (axis ${axis}) has length m = ${m}, and ${name} was not given; ${pass}`, [x], "value");
    }
  }
  return n;
}

/** `op(a, n, axis, options)`: a transform along one axis. */
export function oneAxis(op: string, kind: TransformKind, a: ArrayLike, positional: readonly unknown[]): MxArray {
  return asOp(op, () => {
    const o = fftOptions<FftOptions>(op, positional, ["n", "axis"], ["n", "axis", "norm"]);
    const norm = parseNorm(op, o.norm);
    const { x, s } = input(op, a, o);
    const axes = transformAxes(op, x, [o.axis ?? -1], "axis");
    const n = o.n === undefined || o.n === null ? defaultSizes(op, x, axes, kind, "n") : [o.n];
    return transform(op, x, n, "n", axes, kind, norm, s);
  });
}

/** `op(a, s, axes, options)`: a transform along several axes (`defaultAxes`: fft2's [-2, -1]; null: fftn's rule). */
export function severalAxes(op: string, kind: TransformKind, a: ArrayLike, positional: readonly unknown[], defaultAxes: readonly number[] | null): MxArray {
  return asOp(op, () => {
    const o = fftOptions<FftnOptions>(op, positional, ["s", "axes"], ["s", "axes", "norm"]);
    const norm = parseNorm(op, o.norm);
    const { x, s } = input(op, a, o);
    const sizes = o.s === undefined || o.s === null ? null : intList(op, "s", o.s);
    let axes: number[];
    if (o.axes !== undefined && o.axes !== null) axes = intList(op, "axes", o.axes);
    else if (o.axes === undefined && defaultAxes) axes = [...defaultAxes];
    else if (sizes) {
      if (sizes.length > x.ndim) throw opError(op, `s has ${sizes.length} sizes, more than a's ${x.ndim} dimensions`, [x], "value");
      axes = sizes.map((_, i) => x.ndim - sizes.length + i);
    } else axes = [...x.shape.keys()];
    if (sizes && sizes.length !== axes.length) throw opError(op, `s and axes must have the same length, got ${sizes.length} sizes for ${axes.length} axes`, [x], "value");
    const valid = transformAxes(op, x, axes, "axes");
    return transform(op, x, sizes ?? defaultSizes(op, x, valid, kind, "s"), "s", valid, kind, norm, s);
  });
}
