// Error-input entries of view (a bitcast to another dtype): its arguments,
// a valid call, and the calls MLX's shape rule refuses (a 0-d input viewed
// at another item size, a last axis whose bytes the new item size does not divide).

import * as mx from "../index.js";
import type { ArgKind, ArgSpec, ErrorEntry } from "./error-inputs.js";

const arg = (kind: ArgKind, ...names: string[]): ArgSpec => ({ kind, names });
const opts = (fields: Record<string, ArgSpec> = {}): ArgSpec => ({ kind: "options", names: ["options"], fields: { stream: arg("stream", "stream"), ...fields } });

export const VIEW_ERROR_ENTRIES: readonly ErrorEntry[] = [
  {
    name: "view",
    args: [arg("array", "input"), arg("dtype", "dtype"), opts()],
    valid: () => [mx.array([1, 2], mx.float32), mx.uint16, {}],
    bad: [
      { label: "a 0-d input at another item size", args: () => [mx.array(1, mx.float32), mx.uint8], names: ["input", "dimensions"] },
      { label: "a last axis of 3 bytes as int32", args: () => [mx.array([1, 2, 3], mx.int8), mx.int32], names: ["input", "last axis"] },
    ],
  },
];
