// Error-input entries of the WebGPU math mode (src/math-mode.ts): setMathMode
// takes "precise" or "fast" and names its `mode` argument otherwise;
// getMathMode takes nothing.

import * as mx from "../index.js";
import type { ArgKind, ArgSpec, ErrorEntry } from "./error-inputs.js";

const arg = (kind: ArgKind, ...names: string[]): ArgSpec => ({ kind, names });

export const MATH_MODE_ERROR_ENTRIES: readonly ErrorEntry[] = [
  {
    name: "setMathMode",
    args: [arg("any", "mode")],
    valid: () => ["fast"],
    bad: [
      { label: "an unknown mode", args: () => ["exact"], names: ["mode"] },
      { label: "a number", args: () => [1], names: ["mode"] },
    ],
    restore: () => mx.setMathMode("precise"),
  },
  { name: "getMathMode", args: [], valid: () => [] },
];
