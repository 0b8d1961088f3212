// Metal kernels of the fp8 conversions (toFp8, fromFp8): one thread per
// element, the input read through its strides, the e4m3 encoder and decoder
// of msl/quantized.metal (its library for the float dtype, as mxfp8 uses it).

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { elementwiseLayout } from "../strides.js";
import type { DType } from "../../src/dtype.js";
import { sizeOf } from "../../src/shape.js";
import type { MetalBackend } from "./backend.js";
import { THREADS } from "./elementwise.js";
import { library } from "./quantized.js";

/** Runs `kernel` of float dtype `d`'s quantized library over every element of `x` into `out`. */
function convert(metal: MetalBackend, op: string, kernel: string, d: DType, x: Tensor, out: OutputSpec): Tensor {
  const t = metal.allocOutput(out);
  const n = sizeOf(out.shape);
  if (n > 0) metal.run(op, library(d, { groupSize: 32, bits: 8, mode: "mxfp8" }, 1), kernel, [t, x], elementwiseLayout([x], out.shape), { threads: n, group: THREADS });
  return t;
}

export function fp8Kernels(metal: MetalBackend): Record<string, Kernel> {
  return {
    toFp8: (_prim, [x], out) => convert(metal, "toFp8", "to_fp8", x!.dtype, x!, out),
    fromFp8: (_prim, [x], out) => convert(metal, "fromFp8", "from_fp8", out.dtype, x!, out),
  };
}
