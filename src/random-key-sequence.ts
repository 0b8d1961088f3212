// The global key sequence of mx.random (MLX's key state): draws without a
// `key` split its key. It is held as host words (each split computed on the
// host) until a program assigns `mx.random.state[0]`, as compile does with
// the state it captures; from then on it is an array split in the graph.

import { MxArray } from "./array.js";
import { toStream, type Stream } from "./device.js";
import { uint32 } from "./dtype.js";
import { describeValue, opError } from "./errors.js";
import { holdAcrossTidy } from "./memory.js";
import { constant, node } from "./ops/base.js";
import { reshape, split as splitRows } from "./ops/layout.js";
import { RandomBits } from "./primitives/misc.js";
import { threefryBytes } from "./threefry.js";

/** The uint32 pair of a seed (its low 64 bits), as MLX's key(seed). */
export function keyWords(seed: number | bigint): Uint32Array {
  const s = BigInt.asUintN(64, BigInt(seed));
  return new Uint32Array([Number(s >> 32n), Number(s & 0xffffffffn)]);
}

/** The key as host words, while no array was assigned. */
let hostWords: Uint32Array | undefined = keyWords(Date.now());
/** The key as an array: read from the host words (both agree), or assigned (hostWords then undefined). */
let keyArray: MxArray | undefined;

holdAcrossTidy(() => (keyArray ? [keyArray] : []));

/** Restarts the sequence from `words` (random.seed). */
export function restartSequence(words: Uint32Array): void {
  hostWords = words;
  keyArray = undefined;
}

/** The next key of the sequence, on stream `s` (the key's own stream once it is an array): split the key, keep the first half, return the second. */
export function nextKey(s: Stream): MxArray {
  if (hostWords) {
    const words = new Uint32Array(threefryBytes(hostWords[0]!, hostWords[1]!, 16).buffer.slice(0));
    hostWords = words.slice(0, 2);
    keyArray = undefined;
    return constant(words.slice(2, 4), [2], uint32, s);
  }
  const [kept, drawn] = splitKeyPair(keyArray!, keyArray!.stream);
  keyArray = kept;
  return drawn;
}

/** MLX's split(key) into its two keys of shape [2], on stream `s` (the key checked by the caller). */
export function splitKeyPair(k: MxArray, s: Stream): [MxArray, MxArray] {
  const rows = splitRows(node(new RandomBits([2, 2], 4), [k], s), 2, { axis: 0, stream: s });
  return [reshape(rows[0]!, [2], { stream: s }), reshape(rows[1]!, [2], { stream: s })];
}

/** state[0]'s value: the key as an array. */
function currentKey(): MxArray {
  keyArray ??= constant(hostWords!.slice(), [2], uint32, toStream(undefined, []));
  return keyArray;
}

/** state[0] = v: a key array (uint32, shape [2]) the sequence continues from, split in the graph. */
function assignKey(v: unknown): void {
  if (!(v instanceof MxArray) || v.dtype !== uint32 || v.shape.length !== 1 || v.shape[0] !== 2 || v.isDisposed) {
    throw opError("random.state", `state[0] must be a key (a uint32 array of shape (2,), from mx.random.key), got ${describeValue(v)}`, [], "type");
  }
  keyArray = v;
  hostWords = undefined;
}

/**
 * The global key sequence's state, as MLX's `mx.random.state`: a list whose
 * one element is the current key. Reading it gives the key; assigning
 * `state[0]` continues the sequence from another key. Give it to compile's
 * `inputs` and `outputs` so that a compiled function's draws without a key
 * advance the sequence on every call instead of repeating the first trace's.
 * @example
 * ```ts
 * mx.random.seed(3);
 * const saved = mx.random.state[0]!;
 * const a = await mx.random.uniform(0, 1, [2]).tolist();
 * mx.random.state[0] = saved;
 * (await mx.random.uniform(0, 1, [2]).tolist()).join() === a.join(); // true
 * ```
 */
export const state: MxArray[] = [];
Object.defineProperty(state, 0, { enumerable: true, configurable: false, get: currentKey, set: assignKey });
Object.defineProperty(state, "length", { writable: false });
