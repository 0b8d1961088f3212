// Metal kernels that create data (msl/generators.metal): arange and Threefry
// random bits, bit-identical to the CPU reference.

import type { Kernel } from "../backend.js";
import { sizeOf } from "../../src/shape.js";
import type { Arange } from "../../src/primitives/misc.js";
import type { MetalBackend } from "./backend.js";
import { computeType, mslType } from "./msl-types.js";
import { THREADS } from "./elementwise.js";
import { scalarWord } from "../scalar-word.js";

export function arangeKernel(metal: MetalBackend): Kernel {
  return (prim, _inputs, out) => {
    const p = prim as Arange;
    const t = metal.allocOutput(out);
    const d = out.dtype, ct = computeType(d);
    const lib = { file: "generators", variant: d.name, defines: () => ({ T: mslType(d), C: ct }) };
    metal.dispatch("arange", metal.pipeline(lib, "arange"), [t], Int32Array.of(p.count, scalarWord(p.start, d), scalarWord(p.step, d)), [p.count], [THREADS]);
    return t;
  };
}

export function randomBitsKernel(metal: MetalBackend): Kernel {
  return (_prim, [key], out) => {
    const t = metal.allocOutput(out);
    const words = Math.ceil((sizeOf(out.shape) * out.dtype.size) / 4);
    const half = Math.floor(words / 2), odd = words % 2;
    const params = Int32Array.of(key!.offset, key!.strides[0]!, words, half, odd);
    metal.dispatch("randomBits", metal.pipeline({ file: "generators", variant: "", defines: () => ({}) }, "random_bits"), [t, key!], params, [half + odd], [THREADS]);
    return t;
  };
}
