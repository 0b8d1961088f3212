// The fp8 conversions (MLX's `mx.to_fp8`, `mx.from_fp8`): real floats to
// e4m3 codes stored as uint8 and back, as MLX's kernels convert. Validation
// lives here; primitives/fp8.ts describes.

import { MxArray } from "../array.js";
import { bfloat16, isDType, isFloating, type DType } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import { FromFp8, ToFp8 } from "../primitives/fp8.js";
import { node, opStream, type OpOptions } from "./base.js";
import { asOp, checkOptions, noExtraArguments } from "./strict-options.js";

function checkArray(op: string, x: unknown): MxArray {
  if (!(x instanceof MxArray)) throw opError(op, `x must be an mx array, got ${describeValue(x)}`, [], "type");
  if (x.isDisposed) throw opError(op, "x was disposed and can no longer be used", [x], "value");
  return x;
}

/**
 * Converts real floats to fp8 e4m3 codes, returned as uint8 (MLX's
 * `mx.to_fp8`): sign bit, 4 exponent bits (bias 7), 3 mantissa bits, rounded
 * to nearest even from the value as float32 (float64 inputs are rounded to
 * float32 first, as MLX's conversion takes every input through float32). As
 * MLX's CPU and Metal kernels, magnitudes from 448 up, infinities and NaN give
 * the largest finite code 0x7e (448) with the sign bit of the input (a NaN's
 * too), so codes 0x7f and 0xff never come out.
 * @example
 * ```ts
 * const codes = mx.toFp8(mx.array([1, -2, 0.1, 448, 1000, 2 ** -9], mx.float32));
 * codes.dtype.name; // "uint8"
 * await codes.tolist(); // [0x38, 0xc0, 0x1d, 0x7e, 0x7e, 0x01]
 * ```
 */
export function toFp8(x: MxArray, o?: OpOptions): MxArray {
  noExtraArguments("toFp8", arguments, 2);
  return asOp("toFp8", () => {
    const op = "toFp8";
    checkOptions(op, o);
    const a = checkArray(op, x);
    const s = opStream(op, o, a);
    if (!isFloating(a.dtype)) throw opError(op, `x must be a real floating array, got ${a.dtype.name}`, [a], "type");
    return node(new ToFp8(), [a], s);
  });
}

/**
 * The values of fp8 e4m3 codes (uint8) in a real float dtype (MLX's
 * `mx.from_fp8`; default bfloat16). Every code's value is exact in every
 * float dtype; code 0x7f (and 0xff) reads as 480 (-480), as MLX's CPU and
 * Metal decoding gives: it has no NaN (the OCP e4m3fn format's NaN codes).
 * @example
 * ```ts
 * const v = mx.fromFp8(mx.array([0x38, 0xc0, 0x01, 0x7e, 0x7f], mx.uint8), mx.float32);
 * await v.tolist(); // [1, -2, 0.001953125, 448, 480]
 * mx.fromFp8(mx.array([0x38], mx.uint8)).dtype.name; // "bfloat16"
 * ```
 */
export function fromFp8(x: MxArray, dtype: DType = bfloat16, o?: OpOptions): MxArray {
  noExtraArguments("fromFp8", arguments, 3);
  return asOp("fromFp8", () => {
    const op = "fromFp8";
    checkOptions(op, o);
    const a = checkArray(op, x);
    const s = opStream(op, o, a);
    if (a.dtype.name !== "uint8") throw opError(op, `x must be uint8 (fp8 e4m3 codes), got ${a.dtype.name}`, [a], "type");
    if (!isDType(dtype) || !isFloating(dtype)) throw opError(op, `dtype must be a real floating dtype, got ${describeValue(dtype)}`, [a], "type");
    return node(new FromFp8(dtype), [a], s);
  });
}
