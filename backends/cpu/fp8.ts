// CPU reference of the fp8 conversions (toFp8, fromFp8): each element's
// value as float32 encoded as MLX's ToFP8 does (quantized-formats.ts), and
// each code's exact value rounded once to the output dtype (exact for every
// float dtype).

import type { Backend, Kernel } from "../backend.js";
import { e4m3Decode, e4m3Encode } from "./quantized-formats.js";
import { encoder, values } from "./quantized.js";
import { allocOutput } from "./tensor.js";

export function fp8Kernels(backend: Backend): Record<string, Kernel> {
  return {
    toFp8: (_prim, [x], out) => {
      const { t, w } = allocOutput(backend, out);
      const v = values(x!);
      for (let i = 0; i < v.length; i++) w[i] = e4m3Encode(v[i]!);
      return t;
    },
    fromFp8: (_prim, [x], out) => {
      const { t, w } = allocOutput(backend, out);
      const v = values(x!), enc = encoder(out.dtype);
      for (let i = 0; i < v.length; i++) w[i] = enc(e4m3Decode(v[i]!));
      return t;
    },
  };
}
