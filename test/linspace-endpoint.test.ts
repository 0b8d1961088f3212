// mx.linspace's endpoint (MLX's linspace(start, stop, num, endpoint, dtype)):
// positionally and as an option, on every backend, against NumPy's
// np.linspace(..., endpoint=False) values.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectArray, expectClose } from "./helpers/backends.js";

describe.each(BACKENDS)("linspace endpoint on $name", ({ device }) => {
  const o = { stream: device };

  it("endpoint false spaces by (stop - start) / num, positionally or as an option", async () => {
    await expectArray(mx.linspace(0, 10, 5, false, o), [0, 2, 4, 6, 8], mx.float32);
    await expectArray(mx.linspace(0, 10, 5, { endpoint: false, ...o }), [0, 2, 4, 6, 8], mx.float32);
    await expectArray(mx.linspace(0, 10, 2, false, o), [0, 5]);
    await expectArray(mx.linspace(0, 10, 1, false, o), [0]);
    await expectArray(mx.linspace(0, 10, 0, false, o), []);
    await expectArray(mx.linspace(5, -5, 4, false, null, o), [5, 2.5, 0, -2.5]);
    await expectClose(mx.linspace(-2.7, -0.7, 7, { endpoint: false, ...o }), [
      -2.700000047683716, -2.414285659790039, -2.1285715103149414, -1.8428571224212646, -1.5571428537368774, -1.2714285850524902, -0.9857142567634583,
    ], 1e-6);
  });

  it("endpoint true is the default; dtype follows endpoint or num", async () => {
    await expectArray(mx.linspace(0, 1, 5, true, o), await mx.linspace(0, 1, 5, o).tolist());
    await expectArray(mx.linspace(0, 10, 5, false, mx.int64, o), [0n, 2n, 4n, 6n, 8n], mx.int64);
    await expectArray(mx.linspace(0, 10, 5, { endpoint: false, dtype: mx.int32, ...o }), [0, 2, 4, 6, 8], mx.int32);
    await expectArray(mx.linspace(0, 10, 3, mx.int32, o), [0, 5, 10], mx.int32);
  });

  it("refuses an endpoint given twice or not a boolean", () => {
    expect(() => mx.linspace(0, 1, 5, true, { endpoint: false } as never)).toThrow(/\[linspace\] endpoint given twice/);
    expect(() => mx.linspace(0, 1, 5, 3 as never)).toThrow(/\[linspace\] endpoint must be a boolean/);
    expect(() => mx.linspace(0, 1, 5, { endpoint: "no" as never })).toThrow(/\[linspace\] endpoint must be a boolean/);
  });
});
