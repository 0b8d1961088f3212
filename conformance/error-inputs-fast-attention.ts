// Error-input entries of mx.fast.scaledDotProductAttention: its arguments, a
// valid call, and the calls MLX refuses (ranks other than 4, mismatched batch,
// head dims, heads or lengths, query heads not a multiple of the key/value
// heads, integer inputs, bad masks and sinks, no scale).

import * as mx from "../index.js";
import type { ArgKind, ArgSpec, ErrorEntry } from "./error-inputs.js";

const arg = (kind: ArgKind, ...names: string[]): ArgSpec => ({ kind, names });
const opts = (fields: Record<string, ArgSpec> = {}): ArgSpec => ({ kind: "options", names: ["options"], fields: { stream: arg("stream", "stream"), ...fields } });

const t = (shape: number[], dtype = mx.float32) => mx.zeros(shape, dtype);
/** q [1, 4, 3, 8], k and v [1, 2, 5, 8]: grouped-query heads. */
const qkv = () => [t([1, 4, 3, 8]), t([1, 2, 5, 8]), t([1, 2, 5, 8])];

export const FAST_ATTENTION_ERROR_ENTRIES: readonly ErrorEntry[] = [
  {
    name: "fast.scaledDotProductAttention",
    args: [
      arg("array", "q"),
      arg("array", "k"),
      arg("array", "v"),
      opts({ scale: arg("number", "scale"), mask: arg("any", "mask"), sinks: arg("array", "sinks") }),
    ],
    valid: () => [...qkv(), { scale: 0.35, mask: "causal" }],
    bad: [
      { label: "a 3-D q", args: () => [t([4, 3, 8]), ...qkv().slice(1), { scale: 1 }], names: ["q", "dimensions"] },
      { label: "a 5-D v", args: () => [...qkv().slice(0, 2), t([1, 1, 2, 5, 8]), { scale: 1 }], names: ["v", "dimensions"] },
      { label: "mismatched batch sizes", args: () => [t([2, 4, 3, 8]), ...qkv().slice(1), { scale: 1 }], names: ["batch"] },
      { label: "q and k head dims differ", args: () => [t([1, 4, 3, 6]), ...qkv().slice(1), { scale: 1 }], names: ["head dim"] },
      { label: "k and v heads differ", args: () => [...qkv().slice(0, 2), t([1, 1, 5, 8]), { scale: 1 }], names: ["heads"] },
      { label: "k and v lengths differ", args: () => [...qkv().slice(0, 2), t([1, 2, 6, 8]), { scale: 1 }], names: ["length"] },
      { label: "query heads not a multiple", args: () => [t([1, 3, 3, 8]), ...qkv().slice(1), { scale: 1 }], names: ["heads", "multiple"] },
      { label: "int32 inputs", args: () => [t([1, 4, 3, 8], mx.int32), t([1, 2, 5, 8], mx.int32), t([1, 2, 5, 8], mx.int32), { scale: 1 }], names: ["floating"] },
      { label: "no scale", args: () => [...qkv(), {}], names: ["scale"] },
      { label: "no options", args: () => qkv(), names: ["scale", "options"] },
      { label: "an infinite scale", args: () => [...qkv(), { scale: Infinity }], names: ["scale"] },
      { label: "an unknown mask string", args: () => [...qkv(), { scale: 1, mask: "upper" }], names: ["mask"] },
      { label: "a 5-D mask", args: () => [...qkv(), { scale: 1, mask: t([1, 1, 4, 3, 5]) }], names: ["mask"] },
      { label: "a mask that does not broadcast", args: () => [...qkv(), { scale: 1, mask: t([3, 4]) }], names: ["mask"] },
      { label: "a float32 mask for float16 inputs", args: () => [...qkv().map((x) => x.astype(mx.float16)), { scale: 1, mask: t([3, 5]) }], names: ["mask"] },
      { label: "sinks of the wrong size", args: () => [...qkv(), { scale: 1, sinks: t([2]) }], names: ["sinks"] },
      { label: "0-d sinks", args: () => [...qkv(), { scale: 1, sinks: t([]) }], names: ["sinks"] },
      { label: "float32 sinks for float16 inputs", args: () => [...qkv().map((x) => x.astype(mx.float16)), { scale: 1, sinks: t([4]) }], names: ["sinks"] },
      { label: "an unknown option", args: () => [...qkv(), { scale: 1, bogus: 1 }], names: ["bogus", "option"] },
    ],
  },
];
