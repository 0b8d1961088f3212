// What the fused-reduction kernels of every backend need to know of a fused
// group's values at run time: each value's spec for the actual inputs, and an
// input's strides when read broadcast to a larger shape.

import type { FusedGroup } from "../src/compile/group.js";
import type { Spec } from "../src/primitive.js";
import type { Tensor } from "./backend.js";

/** The specs of the group's values (inputs, then nodes) for these inputs: the members' own output rules. */
export function valueSpecs(group: FusedGroup, inputs: readonly Tensor[]): Spec[] {
  const specs: Spec[] = inputs.map((t) => ({ shape: t.shape, dtype: t.dtype }));
  for (const m of group.nodes) specs.push(m.primitive.output(m.operands.map((k) => specs[k]!)));
  return specs;
}

/** The strides of `t` read broadcast to `shape` (zero where it repeats). */
export function stridesOver(t: Tensor, shape: readonly number[]): number[] {
  const pad = shape.length - t.shape.length;
  return shape.map((d, i) => (i < pad || (t.shape[i - pad] === 1 && d !== 1) ? 0 : t.strides[i - pad]!));
}
