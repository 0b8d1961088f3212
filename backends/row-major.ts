// Kernels that read their inputs as row-major buffers: each input as it is
// when it already is row-major, else a contiguous copy made by the backend's
// own copy kernel and released once the kernel has been encoded.

import type { Backend, Tensor } from "./backend.js";
import { isRowMajor } from "./strides.js";

/** `fn` on `inputs` made row-major (copies by `copy` where needed, released after, also when `fn` throws). */
export function withRowMajor<R>(backend: Backend, copy: (t: Tensor) => Tensor, inputs: readonly Tensor[], fn: (rowMajor: Tensor[]) => R): R {
  const copies: Tensor[] = [];
  const xs = inputs.map((t) => {
    if (isRowMajor(t.shape, t.strides)) return t;
    const c = copy(t);
    copies.push(c);
    return c;
  });
  try {
    return fn(xs);
  } finally {
    for (const c of copies) backend.release(c.buffer);
  }
}
