// RandomBits's vmap rule: Threefry-2x32 bits for a batch of keys, written
// with uint32 elementwise ops over every key's counters at once, in the MLX
// counter layout of threefryBytes, so item b equals bits(shape, key b).

import type { MxArray } from "../array.js";
import { uint16, uint32, uint8 } from "../dtype.js";
import { THREEFRY_PARITY, THREEFRY_ROTATIONS } from "../threefry.js";
import { on } from "./autodiff.js";
import { ops } from "./ops-ref.js";

/**
 * The bits of `shape` and `width` bytes per element that each row of `keys`
 * (uint32 of shape [B, 2]) gives, stacked: shape [B, ...shape]. The stream
 * of W words is hashed as MLX lays it out: counter (i, P + i) gives words i
 * and P + i for i < W / 2 (P = ceil(W / 2)), and an odd W takes the middle
 * word from counter (W / 2, 0); narrower widths take the words' first bytes.
 */
export function batchedRandomBits(keys: MxArray, shape: readonly number[], width: 1 | 2 | 4): MxArray {
  const o = on(keys);
  const batch = keys.shape[0]!;
  const count = shape.reduce((a, d) => a * d, 1);
  const words = Math.ceil((count * width) / 4);
  const half = Math.floor(words / 2);
  const pairs = words - half;
  const c0 = ops.arange(0, pairs, 1, uint32, o);
  const c1 = ops.where(ops.less(c0, half, o), ops.add(c0, pairs, o), 0, o);
  // [B, 1] key words against [P] counters: every key's counters in one [B, P] block
  const k0 = ops.slice(keys, [0, 0], [batch, 1], undefined, o);
  const k1 = ops.slice(keys, [0, 1], [batch, 2], undefined, o);
  const schedule = [k0, k1, ops.bitwiseXor(ops.bitwiseXor(k0, k1, o), THREEFRY_PARITY, o)];
  let x0 = ops.add(c0, schedule[0]!, o);
  let x1 = ops.add(c1, schedule[1]!, o);
  for (let i = 0; i < 5; i++) {
    for (const r of THREEFRY_ROTATIONS[i % 2]!) {
      x0 = ops.add(x0, x1, o);
      x1 = ops.bitwiseOr(ops.leftShift(x1, r, o), ops.rightShift(x1, 32 - r, o), o);
      x1 = ops.bitwiseXor(x1, x0, o);
    }
    x0 = ops.add(x0, schedule[(i + 1) % 3]!, o);
    x1 = ops.add(ops.add(x1, schedule[(i + 2) % 3]!, o), i + 1, o);
  }
  let stream = ops.concatenate([x0, ops.slice(x1, [0, 0], [batch, half], undefined, o)], 1, o);
  if (width !== 4) {
    const bytes = ops.slice(ops.view(stream, uint8, o), [0, 0], [batch, count * width], undefined, o);
    stream = width === 2 ? ops.view(bytes, uint16, o) : bytes;
  }
  return ops.reshape(stream, [batch, ...shape], o);
}
