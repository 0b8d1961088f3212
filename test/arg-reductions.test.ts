// argmax/argmin on every backend against the cpu reference over data rich in
// ties, NaNs, signed zeros, subnormals and infinities: short segments, one
// workgroup per output, and segments split into chunks.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";

const SPECIALS = [NaN, 0, -0, 1e-45, -1e-45, Infinity, -Infinity, 3, 3, -3];

/** rows x R values: small integers (many ties), a `density` share of them special. */
function data(rows: number, R: number, density: number): Float32Array {
  const out = new Float32Array(rows * R);
  let s = R * 7 + rows;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const u = s / 2147483648;
    out[i] = u < density ? SPECIALS[Math.floor((u / density) * SPECIALS.length)]! : Math.round((u - 0.5) * 20);
  }
  return out;
}

describe.each(BACKENDS.filter((b) => b.device.backend !== "cpu"))("argmax/argmin on $name agree with the reference", ({ device }) => {
  it("for every dtype, segment length and share of special values", async () => {
    const cpu = { stream: mx.cpu };
    for (const [rows, R] of [[3, 5], [2, 65], [2, 5000], [1, 40001]] as const) {
      for (const dtype of [mx.float32, mx.float16, mx.bfloat16]) {
        for (const density of [0, 0.001, 0.3]) {
          const values = data(rows, R, density);
          const ref = mx.astype(mx.reshape(mx.array(values, undefined, cpu), [rows, R], cpu), dtype, cpu);
          const x = mx.astype(mx.reshape(mx.array(values, undefined, { stream: device }), [rows, R], { stream: device }), dtype, { stream: device });
          for (const f of [mx.argmax, mx.argmin]) {
            for (const axis of [1, undefined]) {
              const o = axis === undefined ? {} : { axis };
              const label = `${f.name} ${dtype.name} [${rows}, ${R}] density ${density} axis ${axis}`;
              expect(await f(x, { ...o, stream: device }).tolist(), label).toEqual(await f(ref, { ...o, stream: mx.cpu }).tolist());
            }
          }
        }
      }
    }
  }, 600_000);
});
