// Ops of complex numbers composed from the elementwise ones: angle (NumPy's
// np.angle; MLX has none). real, imag and conjugate live in math-extra.ts.

import type { MxArray } from "../array.js";
import { float32, isInexact } from "../dtype.js";
import { boolOption, checkArrayLike, onStream, opStream, toArray, type ArrayLike, type OpOptions } from "./base.js";
import { arctan2, astype, multiply } from "./elementwise.js";
import { imag, real } from "./math-extra.js";
import { asOp, checkOptions, noExtraArguments } from "./strict-options.js";

export interface AngleOptions extends OpOptions {
  /** The angle in degrees instead of radians (default false). */
  deg?: boolean | undefined;
}

/**
 * The argument (phase) of each element, `arctan2(imag(x), real(x))`, in
 * (-pi, pi] (float32 for complex64 and integer inputs; a real input gives 0
 * or pi, and -0 gives pi as arctan2(0, -0) does). `deg` gives degrees.
 * Differentiable: its gradient flows through real and imag.
 * @example
 * ```ts
 * await mx.angle(mx.array([{ re: 0, im: 1 }, { re: -1, im: 0 }], mx.complex64)).tolist(); // [1.5707963705062866, 3.1415927410125732]
 * await mx.angle(mx.array([{ re: 1, im: 1 }], mx.complex64), { deg: true }).tolist(); // [45]
 * ```
 */
export function angle(x: ArrayLike, o?: AngleOptions): MxArray {
  noExtraArguments("angle", arguments, 2);
  return asOp("angle", () => {
    checkOptions("angle", o, ["deg"]);
    const deg = boolOption("angle", "deg", o?.deg) ?? false;
    const s = opStream("angle", o, x);
    const a = toArray("angle", checkArrayLike("angle", x), s);
    const so = onStream(o, a.stream);
    const z = isInexact(a.dtype) ? a : astype(a, float32, so);
    const phase = arctan2(imag(z, so), real(z, so), so);
    return deg ? multiply(phase, 180 / Math.PI, so) : phase;
  });
}
