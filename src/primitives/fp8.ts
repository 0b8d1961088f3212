// The fp8 (e4m3) conversions of MLX's `mx.to_fp8` / `mx.from_fp8`: floats to
// uint8 codes (round to nearest even; magnitudes from 448, infinities and NaN
// to the largest finite code 0x7e, 448) and codes back to floats (0x7f reads
// as 480, MLX's decoding has no NaN). Elementwise; no gradient, as in MLX.

import type { MxArray } from "../array.js";
import { uint8, type DType } from "../dtype.js";
import { Primitive, type Spec } from "../primitive.js";
import { on } from "./autodiff.js";
import { ops } from "./ops-ref.js";

/** x (real float) -> its e4m3 codes, uint8. */
export class ToFp8 extends Primitive {
  readonly name = "toFp8";
  output([x]: readonly Spec[]): Spec {
    return { shape: x!.shape, dtype: uint8 };
  }
  override vjp(): (MxArray | null)[] {
    throw new Error("[toFp8] has no gradient: rounding to fp8 codes is piecewise constant (MLX defines none)");
  }
  override jvp(): MxArray | null {
    throw new Error("[toFp8] has no gradient: rounding to fp8 codes is piecewise constant (MLX defines none)");
  }
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    return [ops.toFp8(x!, on(x!)), axis!];
  }
}

/** e4m3 codes (uint8) -> their values in `dtype` (every code is exact in every float dtype). */
export class FromFp8 extends Primitive {
  readonly name = "fromFp8";
  constructor(readonly dtype: DType) {
    super();
  }
  override params() {
    return { dtype: this.dtype.name };
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: x!.shape, dtype: this.dtype };
  }
  override vjp(): (MxArray | null)[] {
    throw new Error("[fromFp8] has no gradient: its input is integer codes (MLX defines none)");
  }
  override jvp(): MxArray | null {
    throw new Error("[fromFp8] has no gradient: its input is integer codes (MLX defines none)");
  }
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    return [ops.fromFp8(x!, this.dtype, on(x!)), axis!];
  }
}
