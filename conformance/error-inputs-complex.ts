// Error-input entries of the complex-number ops composed here (angle): its
// arguments, a valid call, and the calls it refuses.

import * as mx from "../index.js";
import type { ArgKind, ArgSpec, ErrorEntry } from "./error-inputs.js";

const arg = (kind: ArgKind, ...names: string[]): ArgSpec => ({ kind, names });
const opts = (fields: Record<string, ArgSpec> = {}): ArgSpec => ({ kind: "options", names: ["options"], fields: { stream: arg("stream", "stream"), ...fields } });

export const COMPLEX_ERROR_ENTRIES: readonly ErrorEntry[] = [
  {
    name: "angle",
    args: [arg("array", "input"), opts({ deg: arg("bool", "deg") })],
    valid: () => [mx.array([{ re: 1, im: 1 }], mx.complex64), { deg: true }],
  },
];
