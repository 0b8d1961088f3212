// Metal kernels for the elementwise primitives (unary, binary, where, astype)
// and the strided copy, all from msl/elementwise.metal: one library per input
// dtype (complex64's is msl/complex.metal), one thread per output element,
// operands read through their strides.

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { elementwiseLayout } from "../strides.js";
import { complex64, type DType } from "../../src/dtype.js";
import { sizeOf } from "../../src/shape.js";
import type { Binary, Unary } from "../../src/primitives/elementwise.js";
import type { MetalBackend } from "./backend.js";
import type { LibraryKey } from "./library.js";
import { COMPLEX_LIBRARY } from "./complex.js";
import { binaryList, castList, computeType, mslType, unaryList } from "./msl-types.js";

export const THREADS = 256;

/** The elementwise library of input dtype `d`. */
export function elementwiseLibrary(d: DType): LibraryKey {
  if (d === complex64) return COMPLEX_LIBRARY;
  return {
    file: "elementwise",
    variant: d.name,
    defines: () => ({
      T: mslType(d),
      C: computeType(d),
      "UNARY_OPS(X)": unaryList(d),
      "BINARY_OPS(X)": binaryList(d),
      "CASTS(X)": castList(d),
    }),
  };
}

/** Runs elementwise `kernel` of `d`'s library into a new output: out[e] from the operands at e. */
export function mapKernel(metal: MetalBackend, op: string, kernel: string, d: DType, inputs: readonly Tensor[], out: OutputSpec): Tensor {
  const t = metal.allocOutput(out);
  const n = sizeOf(out.shape);
  if (n === 0) return t;
  metal.run(op, elementwiseLibrary(d), kernel, [t, ...inputs], elementwiseLayout(inputs, out.shape), { threads: n, group: THREADS });
  return t;
}

/** Copies `src` into the (possibly strided) view `dst` of an existing buffer. */
export function copyInto(metal: MetalBackend, op: string, dst: Tensor, src: Tensor): void {
  const n = sizeOf(dst.shape);
  if (n === 0) return;
  metal.run(op, elementwiseLibrary(src.dtype), "copy", [dst, src], elementwiseLayout([dst, src], dst.shape), { threads: n, group: THREADS });
}

export function contiguousCopy(metal: MetalBackend, t: Tensor): Tensor {
  const out = metal.allocOutput(t);
  copyInto(metal, "copy", out, t);
  return out;
}

export function unaryKernel(metal: MetalBackend): Kernel {
  return (prim, [x], out) => mapKernel(metal, prim.name, `unary_${(prim as Unary).name}`, x!.dtype, [x!], out);
}

export function binaryKernel(metal: MetalBackend): Kernel {
  return (prim, [x, y], out) => mapKernel(metal, prim.name, `binary_${(prim as Binary).name}`, x!.dtype, [x!, y!], out);
}

export function whereKernel(metal: MetalBackend): Kernel {
  return (_prim, [c, x, y], out) => mapKernel(metal, "where", "where_op", out.dtype, [c!, x!, y!], out);
}

export function astypeKernel(metal: MetalBackend): Kernel {
  return (_prim, [x], out) => mapKernel(metal, "astype", `astype_${out.dtype.name}`, x!.dtype, [x!], out);
}

/** `res` as `out`'s dtype: returned when the dtypes match, else cast and released. */
export function castResult(metal: MetalBackend, res: Tensor, out: OutputSpec): Tensor {
  if (res.dtype === out.dtype) return res;
  const cast = mapKernel(metal, "astype", `astype_${out.dtype.name}`, res.dtype, [res], out);
  metal.release(res.buffer);
  return cast;
}
