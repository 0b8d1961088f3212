// Error-input entries of the convolutions: conv1d/2d/3d, convGeneral,
// convTranspose1d/2d/3d and convolve, with their positional parameters and
// options, a valid call each, and the calls MLX's argument checks refuse.

import * as mx from "../index.js";
import type { ArgKind, ArgSpec, ErrorEntry } from "./error-inputs.js";

const arg = (kind: ArgKind, ...names: string[]): ArgSpec => ({ kind, names });
const opts = (fields: Record<string, ArgSpec> = {}): ArgSpec => ({ kind: "options", names: ["options"], fields: { stream: arg("stream", "stream"), ...fields } });

const input = arg("array", "input");
const weight = arg("array", "weight");
const stride = arg("any", "stride");
const padding = arg("any", "padding");
const dilation = arg("any", "dilation");
const groups = arg("int", "groups");
const outputPadding = arg("any", "outputPadding");

/** An input [1, 5, ..., 2] and a weight [2, 2, ..., 2] with `n` spatial axes. */
const operands = (n: number) => [mx.ones([1, ...Array<number>(n).fill(5), 2]), mx.ones([2, ...Array<number>(n).fill(2), 2])];

function convEntry(n: number): ErrorEntry {
  const fields = { stride, padding, dilation, groups };
  return {
    name: `conv${n}d`,
    args: [input, weight, stride, padding, dilation, groups, opts(fields)],
    valid: () => [...operands(n), 1, 0, 1, 1, {}],
    bad: [
      { label: "an integer input", args: () => [mx.ones([1, ...Array<number>(n).fill(5), 2], mx.int32), operands(n)[1]], names: ["input"] },
      { label: "an input of the wrong rank", args: () => [mx.ones([5, 2]), operands(n)[1]], names: ["input"] },
      { label: "channels that do not match", args: () => [operands(n)[0], mx.ones([2, ...Array<number>(n).fill(2), 3])], names: ["weight", "channels"] },
      { label: "groups that do not divide the channels", args: () => [...operands(n), 1, 0, 1, 3], names: ["groups"] },
      { label: "a kernel larger than the input", args: () => [...operands(n), 1, 0, 9], names: ["kernel", "padding", "dilation"] },
    ],
  };
}

function convTransposeEntry(n: number): ErrorEntry {
  const fields = { stride, padding, dilation, outputPadding, groups };
  return {
    name: `convTranspose${n}d`,
    args: [input, weight, stride, padding, dilation, outputPadding, groups, opts(fields)],
    valid: () => [...operands(n), 2, 1, 1, 1, 1, {}],
    bad: [
      // (a negative padding is valid, as in MLX: it adds zeros around the output)
      { label: "a padding that leaves no output", args: () => [...operands(n), 1, 4], names: ["padding"] },
      { label: "a weight of the wrong rank", args: () => [operands(n)[0], mx.ones([2, 2])], names: ["weight"] },
    ],
  };
}

export const CONV_ERROR_ENTRIES: readonly ErrorEntry[] = [
  ...[1, 2, 3].map(convEntry),
  ...[1, 2, 3].map(convTransposeEntry),
  {
    name: "convGeneral",
    args: [
      input,
      weight,
      stride,
      padding,
      arg("any", "kernelDilation"),
      arg("any", "inputDilation"),
      groups,
      arg("bool", "flip"),
      opts({ stride, padding, kernelDilation: arg("any", "kernelDilation"), inputDilation: arg("any", "inputDilation"), groups, flip: arg("bool", "flip") }),
    ],
    valid: () => [...operands(2), [1, 2], [[0, 1], [1, 0]], 1, 2, 1, true, {}],
    bad: [
      { label: "four spatial axes", args: () => [mx.ones([1, 3, 3, 3, 3, 1]), mx.ones([1, 1, 1, 1, 1, 1])], names: ["input"] },
      { label: "a padding pair of three lists", args: () => [...operands(2), 1, [[0], [0], [0]]], names: ["padding"] },
      { label: "a complex weight", args: () => [operands(2)[0], mx.astype(operands(2)[1]!, mx.complex64)], names: ["weight", "floating"] },
    ],
  },
  {
    name: "convolve",
    args: [arg("array", "a"), arg("array", "v"), arg("any", "mode"), opts({ mode: arg("any", "mode") })],
    valid: () => [mx.array([1, 2, 3], mx.float32), mx.array([1, 1], mx.float32), "same", {}],
    bad: [
      { label: "a 2D input", args: () => [mx.ones([2, 2]), mx.array([1], mx.float32)], names: ["a", "1D"] },
      { label: "an empty input", args: () => [mx.zeros([0]), mx.array([1], mx.float32)], names: ["a", "empty"] },
    ],
  },
];
