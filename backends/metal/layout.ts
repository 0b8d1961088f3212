// Metal concatenate and pad as strided copies (the elementwise library's copy
// kernel) into views of the output: each input into its slice along the
// axis; pad fills the output with the value, then copies the input inside.

import type { Kernel, Tensor } from "../backend.js";
import type { Concatenate, Pad } from "../../src/primitives/layout.js";
import type { MetalBackend } from "./backend.js";
import { copyInto } from "./elementwise.js";

/** The region of `out` of `shape` starting at `start` (per dim), as a strided view. */
function region(out: Tensor, shape: readonly number[], start: readonly number[]): Tensor {
  return { ...out, shape, offset: start.reduce((s, v, d) => s + v * out.strides[d]!, out.offset) };
}

export function concatenateKernel(metal: MetalBackend): Kernel {
  return (prim, inputs, out) => {
    const axis = (prim as Concatenate).axis;
    const t = metal.allocOutput(out);
    const start = out.shape.map(() => 0);
    for (const x of inputs) {
      copyInto(metal, "concatenate", region(t, x.shape, start), x);
      start[axis]! += x.shape[axis]!;
    }
    return t;
  };
}

export function padKernel(metal: MetalBackend): Kernel {
  return (prim, [x, value], out) => {
    const p = prim as Pad;
    const t = metal.allocOutput(out);
    // the value (one element) broadcast over the whole output, then the input inside
    copyInto(metal, "pad", t, { ...value!, shape: out.shape, strides: out.shape.map(() => 0) });
    copyInto(metal, "pad", region(t, x!.shape, p.low), x!);
    return t;
  };
}

