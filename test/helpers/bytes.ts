// The storage bytes of arrays, for tests that compare results bit for bit
// (NaN payloads and signs, -0): each array's own bytes, wherever its data
// lies in the buffer read back.

import type * as mx from "../../index.js";

/** The storage bytes of each of `xs`. */
export async function storageBytes(xs: readonly mx.MxArray[]): Promise<number[][]> {
  return Promise.all(
    xs.map(async (x) => {
      const d = await x.data();
      return [...new Uint8Array(d.buffer, d.byteOffset, d.byteLength)];
    }),
  );
}
