// The kernels of the AsStrided and Contiguous primitives, shared by every
// backend: as_strided is a view of its (1-D) input's buffer; contiguous is a
// view when the input already is row-major (or column-major, when allowed)
// and the backend's contiguous copy otherwise.

import type { Kernel, Tensor } from "./backend.js";
import type { AsStrided, Contiguous } from "../src/primitives/strided.js";
import { isRowMajor } from "./strides.js";
import { view } from "./views.js";

/** The table entries `asStrided` and `contiguous`, with `copy` the backend's contiguous copy. */
export function stridedKernels(copy: (t: Tensor) => Tensor): Record<string, Kernel> {
  return {
    // the op validated every reachable index; an input element k lives at offset + k * stride
    asStrided: (prim, [x]) => {
      const p = prim as AsStrided;
      const step = x!.strides[0] ?? 1;
      return view(x!, p.shape, p.strides.map((st) => st * step), x!.offset + p.offset * step);
    },
    contiguous: (prim, [x]) => {
      const t = x!;
      const colMajor = (prim as Contiguous).allowColMajor && isRowMajor([...t.shape].reverse(), [...t.strides].reverse());
      return isRowMajor(t.shape, t.strides) || colMajor ? view(t, t.shape, t.strides, t.offset) : copy(t);
    },
  };
}
