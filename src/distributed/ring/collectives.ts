// The ring backend's collectives over a group's members: all-reduce as a ring
// reduce-scatter then all-gather (one chunk per member, each reduced once in one
// order, so results are the same bits on every rank), reduce-scatter alone,
// all-gather, and point-to-point send and receive.

import type { DType } from "../../dtype.js";
import { foldInto, type ReduceKind } from "./fold.js";
import type { MessageKind } from "./protocol.js";
import type { RingLink } from "./transport.js";

/**
 * One group's view of the link: its members' MLX_RANKs in group order, this
 * process's place among them, and the group's tag (groupTag of the members),
 * which every message header of the group carries, so that a message of one
 * group is never taken by a receive of another (a mismatch is an error).
 */
export interface Ring {
  readonly link: RingLink;
  readonly members: readonly number[];
  readonly index: number;
  readonly tag: number;
}

/** A group's 16-bit tag from its members in order (FNV-1a): the same on every member, different for other memberships but for rare collisions. */
export function groupTag(members: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const m of [members.length, ...members]) h = Math.imul(h ^ m, 0x01000193) >>> 0;
  return (h ^ (h >>> 16)) & 0xffff;
}

const mod = (a: number, n: number) => ((a % n) + n) % n;

/** The byte range of chunk `k` of `count` elements of `itemsize` bytes cut into `parts` chunks (the last ones may be short or empty). */
function chunkRange(k: number, count: number, parts: number, itemsize: number): [number, number] {
  const per = Math.ceil(count / parts);
  return [Math.min(k * per, count) * itemsize, Math.min((k + 1) * per, count) * itemsize];
}

/** One step of a ring pass: chunk `sendChunk` to the next member, chunk `recvChunk` from the previous one; the received bytes. */
function ringStep(ring: Ring, op: string, kind: MessageKind, dtype: DType, data: Uint8Array, range: (k: number) => [number, number], sendChunk: number, recvChunk: number): Uint8Array {
  const n = ring.members.length;
  const next = ring.members[mod(ring.index + 1, n)]!, previous = ring.members[mod(ring.index - 1, n)]!;
  const [s0, s1] = range(sendChunk), [r0, r1] = range(recvChunk);
  const [got] = ring.link.exchange(op, [{ peer: next, kind, dtype, tag: ring.tag, bytes: data.subarray(s0, s1) }], [{ peer: previous, kind, dtype, tag: ring.tag, nbytes: r1 - r0 }]);
  return got!;
}

/**
 * Reduce-scatter in place over `data` cut into one chunk per member: after
 * it, this member's chunk (`index`) holds the reduction over all members.
 * Chunk k is folded along the ring from member k + 1 to member k:
 * ((x[k+1] op x[k+2]) op ...) op x[k].
 */
function reduceScatter(ring: Ring, op: string, kind: MessageKind, reduce: ReduceKind, dtype: DType, data: Uint8Array, range: (k: number) => [number, number]): void {
  const n = ring.members.length, me = ring.index;
  for (let s = 0; s < n - 1; s++) {
    const k = mod(me - s - 2, n);
    const got = ringStep(ring, op, kind, dtype, data, range, mod(me - s - 1, n), k);
    const [r0, r1] = range(k);
    foldInto(reduce, dtype, data.subarray(r0, r1), got);
  }
}

/** All-gather in place: member i's chunk (filled) goes to every member, so all chunks are filled. */
function ringGather(ring: Ring, op: string, kind: MessageKind, dtype: DType, data: Uint8Array, range: (k: number) => [number, number]): void {
  const n = ring.members.length, me = ring.index;
  for (let s = 0; s < n - 1; s++) {
    const k = mod(me - s - 1, n);
    const got = ringStep(ring, op, kind, dtype, data, range, mod(me - s, n), k);
    data.set(got, range(k)[0]);
  }
}

/** The reduction (`reduce`) over all members of `bytes` (elements of `dtype`, the same count on each), computed in place. */
export function allReduce(ring: Ring, op: string, kind: MessageKind, reduce: ReduceKind, dtype: DType, bytes: Uint8Array): Uint8Array {
  const n = ring.members.length;
  const range = (k: number) => chunkRange(k, bytes.byteLength / dtype.size, n, dtype.size);
  reduceScatter(ring, op, kind, reduce, dtype, bytes, range);
  ringGather(ring, op, kind, dtype, bytes, range);
  return bytes;
}

/** The sum over all members of `bytes` (an element count that the member count divides), this member's share: chunk `index`. */
export function sumScatter(ring: Ring, op: string, dtype: DType, bytes: Uint8Array): Uint8Array {
  const n = ring.members.length;
  const range = (k: number) => chunkRange(k, bytes.byteLength / dtype.size, n, dtype.size);
  reduceScatter(ring, op, "sumScatter", "sum", dtype, bytes, range);
  const [a, b] = range(ring.index);
  return bytes.slice(a, b);
}

/** Every member's `bytes` (the same length on each), concatenated in member order; `kind`: the op's message kind. */
export function allGather(ring: Ring, op: string, kind: MessageKind, dtype: DType, bytes: Uint8Array): Uint8Array {
  const n = ring.members.length, nb = bytes.byteLength;
  const out = new Uint8Array(n * nb);
  out.set(bytes, ring.index * nb);
  ringGather(ring, op, kind, dtype, out, (k) => [k * nb, (k + 1) * nb]);
  return out;
}

/** Sends `bytes` of `dtype` to member `dst`. */
export function sendTo(ring: Ring, op: string, dtype: DType, bytes: Uint8Array, dst: number): void {
  ring.link.exchange(op, [{ peer: ring.members[dst]!, kind: "send", dtype, tag: ring.tag, bytes }], []);
}

/** `nbytes` bytes of `dtype` that member `src` sends. */
export function receiveFrom(ring: Ring, op: string, dtype: DType, nbytes: number, src: number): Uint8Array {
  return ring.link.exchange(op, [], [{ peer: ring.members[src]!, kind: "send", dtype, tag: ring.tag, nbytes }])[0]!;
}
