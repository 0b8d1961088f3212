// The discrete Fourier transform over some axes (MLX's FFT primitive): complex
// to complex (forward or inverse, the inverse scaled by 1/n), real to complex
// (the last axis keeps n/2 + 1 frequencies) and complex to real (the last
// axis's Hermitian half-spectrum back to `realSize` samples). Linear, so its
// rules are transforms of the cotangent or tangent, as MLX writes them.

import type { MxArray } from "../array.js";
import { complex64, float32 } from "../dtype.js";
import { Primitive, type Spec } from "../primitive.js";
import { on } from "./autodiff.js";
import { node, ops } from "./ops-ref.js";
import { opError } from "../errors.js";
import { checkSize } from "../fft/args.js";
import { checkAxes, checkBool, checkInputCount } from "./checks.js";

export type FftParams = {
  /** Transformed axes (non-negative, distinct), in the order given; a real transform's halved axis is the last. */
  axes: readonly number[];
  inverse: boolean;
  real: boolean;
  /** A complex-to-real transform's output length along the last axis (0 otherwise). */
  realSize: number;
};

export class FFT extends Primitive {
  readonly name = "fft";
  /** Its vjp is already the conjugate-linear adjoint (src/transforms/complex-rules.ts). */
  readonly complexRule = "as written" as const;
  constructor(
    readonly axes: readonly number[],
    readonly inverse: boolean,
    readonly real: boolean,
    readonly realSize = 0,
  ) {
    super();
  }

  override params(): FftParams {
    return { axes: this.axes, inverse: this.inverse, real: this.real, realSize: this.realSize };
  }

  /**
   * Distinct axes, each of at least one point; a complex64 input (float32
   * for a real forward transform); a complex-to-real transform's last axis
   * holds the realSize / 2 + 1 frequencies its kernel reads.
   */
  override validate(inputs: readonly Spec[]): void {
    const op = this.name;
    checkInputCount(op, inputs, 1);
    const x = inputs[0]!;
    const axes = checkAxes(op, "axes", this.axes, x.shape.length, false);
    if (axes.length === 0) throw opError(op, "axes must name at least one axis", inputs, "value");
    const real = checkBool(op, "real", this.real), inverse = checkBool(op, "inverse", this.inverse);
    const want = real && !inverse ? float32 : complex64;
    if (x.dtype !== want) throw opError(op, `the input must be ${want.name} for a transform with real ${real} and inverse ${inverse}, got ${x.dtype.name}`, inputs, "type");
    for (const ax of axes) checkSize(op, `the length of axis ${ax}`, x.shape[ax]);
    if (real && inverse) {
      const last = x.shape[axes[axes.length - 1]!]!;
      if (Math.floor(checkSize(op, "realSize", this.realSize) / 2) + 1 !== last) {
        throw opError(op, `realSize ${this.realSize} needs ${Math.floor(this.realSize / 2) + 1} frequencies along the last axis, the input has ${last}`, inputs, "value");
      }
    }
  }

  output([a]: readonly Spec[]): Spec {
    const shape = [...a!.shape];
    const last = this.axes[this.axes.length - 1]!;
    if (this.real) shape[last] = this.inverse ? this.realSize : Math.floor(shape[last]! / 2) + 1;
    return { shape, dtype: this.real && this.inverse ? float32 : complex64 };
  }

  /**
   * The adjoint, as MLX: fft's is n ifft, ifft's fft / n; rfft's is n irfft
   * of the cotangent with the doubly used frequencies (all but DC and
   * Nyquist) halved; irfft's is rfft / n with those doubled.
   */
  override vjp([x]: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    const o = on(ct);
    const last = this.axes[this.axes.length - 1]!;
    const count = this.axes.reduce((p, ax) => p * (this.inverse ? ct.shape[ax]! : x!.shape[ax]!), 1);
    if (!this.real) {
      const y = transformOf(ct, this.axes, !this.inverse, false);
      return [ops.multiply(y, ops.array(this.inverse ? 1 / count : count, complex64, o), o)];
    }
    /** 1 at DC (and Nyquist when the real length is even), `inner` elsewhere, along the last axis of `rank` dims. */
    const mask = (half: number, realLength: number, rank: number, edge: number, inner: number, dtype: typeof complex64) => {
      const k = ops.arange(half, o);
      const interior = ops.logicalAnd(ops.greater(k, 0, o), ops.less(k, half - 1 + (realLength % 2), o), o);
      const m = ops.where(interior, ops.array(inner, dtype, o), ops.array(edge, dtype, o), o);
      return ops.reshape(m, Array.from({ length: rank }, (_, i) => (i === last ? half : 1)), o);
    };
    if (this.inverse) {
      const half = x!.shape[last]!;
      const y = transformOf(ct, this.axes, false, true);
      return [ops.multiply(y, mask(half, ct.shape[last]!, x!.ndim, 1 / count, 2 / count, complex64), o)];
    }
    const half = ct.shape[last]!;
    const scaled = ops.multiply(ct, mask(half, x!.shape[last]!, x!.ndim, 1, 0.5, complex64), o);
    const y = transformOf(scaled, this.axes, true, true, x!.shape[last]!);
    return [ops.multiply(y, ops.array(count, float32, o), o)];
  }

  override jvp(_inputs: readonly MxArray[], [t]: readonly (MxArray | null)[]): MxArray | null {
    return t ? transformOf(t, this.axes, this.inverse, this.real, this.realSize) : null;
  }

  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const b = axis!;
    const axes = this.axes.map((ax) => (ax >= b ? ax + 1 : ax));
    return [transformOf(x!, axes, this.inverse, this.real, this.realSize), b];
  }
}

/** The transform of `x` along `axes` of the given kind (a real inverse's last axis `realSize` long). */
function transformOf(x: MxArray, axes: readonly number[], inverse: boolean, real: boolean, realSize = 0): MxArray {
  return node(new FFT(axes, inverse, real, realSize), [x], x.stream);
}
