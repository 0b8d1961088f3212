// The kernel of the View primitive (a bitcast), shared by every backend: a
// row-major input whose byte offset the new item size divides is the same
// buffer under the new dtype; any other is first copied to a row-major buffer
// as unsigned integers of its item size (bits moved exactly, never decoded).

import type { Kernel, Tensor } from "./backend.js";
import { uint16, uint32, uint64, uint8, type DType } from "../src/dtype.js";
import { rowMajorStrides } from "../src/shape.js";
import { isRowMajor } from "./strides.js";
import { view } from "./views.js";

/** The unsigned integer dtype of `size` bytes (bool, float16 and complex64 copy as their bits). */
export function bitsOf(size: number): DType {
  return size === 1 ? uint8 : size === 2 ? uint16 : size === 4 ? uint32 : uint64;
}

/** The table entry `view`, with `copy` the backend's contiguous copy (it must hold the unsigned type of each item size it holds). */
export function dtypeViewKernel(copy: (t: Tensor) => Tensor): Kernel {
  return (_prim, [x], out) => {
    const t = x!;
    const byteOffset = t.offset * t.dtype.size;
    const strides = rowMajorStrides(out.shape);
    if (isRowMajor(t.shape, t.strides) && byteOffset % out.dtype.size === 0) {
      return { ...view(t, out.shape, strides, byteOffset / out.dtype.size), dtype: out.dtype };
    }
    const c = copy({ ...t, dtype: bitsOf(t.dtype.size) });
    return { buffer: c.buffer, dtype: out.dtype, shape: out.shape, strides, offset: (c.offset * t.dtype.size) / out.dtype.size };
  };
}
