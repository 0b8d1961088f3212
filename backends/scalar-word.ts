// A JS number as the 32-bit word a kernel reads it from: float32 bits for
// float dtypes, int32 for signed integers, uint32 otherwise (kernel
// parameters such as a norm's epsilon or rope's scale).

import type { DType } from "../src/dtype.js";

export function scalarWord(v: number, d: DType): number {
  const b = new DataView(new ArrayBuffer(4));
  if (d.kind === "float") b.setFloat32(0, v, true);
  else if (d.kind === "int") b.setInt32(0, v, true);
  else b.setUint32(0, v, true);
  return b.getUint32(0, true);
}
