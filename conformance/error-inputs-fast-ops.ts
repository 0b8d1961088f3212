// Error-input entries of mx.fast.rmsNorm, layerNorm and rope: their
// arguments, a valid call, and the calls MLX refuses (0-d or integer inputs,
// weights of the wrong rank or size, rope's dims odd or too large, fewer than
// three dims, both or neither of base and freqs, a bad offset).

import * as mx from "../index.js";
import type { ArgKind, ArgSpec, BadCall, ErrorEntry } from "./error-inputs.js";

const arg = (kind: ArgKind, ...names: string[]): ArgSpec => ({ kind, names });
const opts = (fields: Record<string, ArgSpec> = {}): ArgSpec => ({ kind: "options", names: ["options"], fields: { stream: arg("stream", "stream"), ...fields } });

const X = arg("array", "x");
const WEIGHT = arg("array", "weight");
const EPS = arg("number", "eps");
const rows = () => mx.array([[1, 2, 3], [4, 5, 7]], mx.float32);
const vec = (n: number) => mx.ones([n], mx.float32);

/** What both norms refuse (the weight in argument 1). */
function normBad(rest: () => unknown[]): BadCall[] {
  return [
    { label: "a 0-d x", args: () => [mx.array(1, mx.float32), null, ...rest()], names: ["x", "dimension"] },
    { label: "an int32 x", args: () => [mx.array([[1, 2]], mx.int32), null, ...rest()], names: ["x", "int32"] },
    { label: "a 2-D weight", args: () => [rows(), mx.ones([1, 3]), ...rest()], names: ["weight"] },
    { label: "a weight of the wrong size", args: () => [rows(), vec(2), ...rest()], names: ["weight"] },
    { label: "an infinite eps", args: () => [rows(), null, ...rest().slice(0, -1), Infinity], names: ["eps"] },
    { label: "an unknown option", args: () => [rows(), null, ...rest(), { bogus: 1 }], names: ["bogus", "option"] },
  ];
}

const ropeX = () => mx.ones([2, 3, 4], mx.float32);
const ropeOptions = { traditional: false, base: 10000, scale: 1, offset: 0 };

export const FAST_OPS_ERROR_ENTRIES: readonly ErrorEntry[] = [
  {
    name: "fast.rmsNorm",
    args: [X, WEIGHT, EPS, opts()],
    valid: () => [rows(), vec(3), 1e-5, {}],
    bad: normBad(() => [1e-5]),
  },
  {
    name: "fast.layerNorm",
    args: [X, WEIGHT, arg("array", "bias"), EPS, opts()],
    valid: () => [rows(), vec(3), vec(3), 1e-5, {}],
    bad: [
      ...normBad(() => [null, 1e-5]),
      { label: "a bias of the wrong size", args: () => [rows(), null, vec(4), 1e-5], names: ["bias"] },
    ],
  },
  {
    name: "fast.rope",
    args: [
      X,
      arg("int", "dims"),
      opts({ traditional: arg("bool", "traditional"), base: arg("number", "base"), scale: arg("number", "scale"), offset: arg("any", "offset"), freqs: arg("array", "freqs") }),
    ],
    valid: () => [ropeX(), 4, { ...ropeOptions }],
    bad: [
      { label: "a 2-D x", args: () => [mx.ones([3, 4]), 4, { ...ropeOptions }], names: ["x", "dimensions"] },
      { label: "an int32 x", args: () => [mx.ones([2, 3, 4], mx.int32), 4, { ...ropeOptions }], names: ["x", "int32"] },
      { label: "odd dims", args: () => [ropeX(), 3, { ...ropeOptions }], names: ["dims"] },
      { label: "dims past the last axis", args: () => [ropeX(), 6, { ...ropeOptions }], names: ["dims"] },
      { label: "no options", args: () => [ropeX(), 4], names: ["options", "traditional"] },
      { label: "base and freqs", args: () => [ropeX(), 4, { ...ropeOptions, freqs: vec(2) }], names: ["base", "freqs"] },
      { label: "neither base nor freqs", args: () => [ropeX(), 4, { ...ropeOptions, base: null }], names: ["base", "freqs"] },
      { label: "freqs of the wrong size", args: () => [ropeX(), 4, { ...ropeOptions, base: null, freqs: vec(3) }], names: ["freqs"] },
      { label: "a float offset", args: () => [ropeX(), 4, { ...ropeOptions, offset: 0.5 }], names: ["offset"] },
      { label: "a float32 offset array", args: () => [ropeX(), 4, { ...ropeOptions, offset: mx.array([1, 2], mx.float32) }], names: ["offset"] },
      { label: "an offset per batch entry of the wrong size", args: () => [ropeX(), 4, { ...ropeOptions, offset: mx.array([1, 2, 3], mx.int32) }], names: ["offset"] },
      { label: "a 2-D offset", args: () => [ropeX(), 4, { ...ropeOptions, offset: mx.zeros([2, 1], mx.int32) }], names: ["offset"] },
    ],
  },
];
