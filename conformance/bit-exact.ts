// The contract of the comparisons and selections that WebGPU computes on the
// floats' bits (wgsl/dtypes.wgsl f32_key): exact, NaN, infinities, signed zeros
// and subnormals included, whatever the driver flushes in float arithmetic.
// Metal is held to its table (a real Mac GPU may flush in its compares).

import type { Contract } from "../backends/contract.js";

/** Ops (and scan/reduce primitive names) whose webgpu kernels compare and select floats only on their bits. */
const BIT_EXACT_ON_WEBGPU = new Set([
  "maximum",
  "minimum",
  "clip",
  "equal",
  "notEqual",
  "less",
  "lessEqual",
  "greater",
  "greaterEqual",
  "max",
  "min",
  "argmax",
  "argmin",
  "cummax",
  "cummin",
  "searchsorted",
]);

/** The bit-exact contract of `op` on `backend`, or undefined when the op's own contract applies. */
export function bitExactContract(backend: string, op: string): Contract | undefined {
  if (backend !== "webgpu" || !BIT_EXACT_ON_WEBGPU.has(op)) return undefined;
  return { ulps: 0, abs: 0, domain: [-Infinity, Infinity], special: true, source: "exact on the bits (wgsl/dtypes.wgsl f32_key): special values and subnormals covered, never flushed" };
}
