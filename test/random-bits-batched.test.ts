// The RandomBits kernels with a batch of keys (uint32 of shape [...batch, 2])
// on every backend: the output is [...batch, ...shape] and item b holds key
// b's own stream, against a per-key loop of the Threefry reference (widths 1,
// 2 and 4, odd word counts, runs that are not whole words, strided keys);
// vmap of a draw is one RandomBits node over the batch of keys.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { node } from "../src/ops/base.js";
import { RandomBits } from "../src/primitives/misc.js";
import { threefryBytes } from "../src/threefry.js";
import { BACKENDS } from "./helpers/backends.js";

/** Six keys' words, none zero, the pairs all different. */
const KEY_WORDS = [0x9e3779b9, 0x7f4a7c15, 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0x082efa98, 0xec4e6c89, 0x452821e6, 0x38d01377];

/** Per-key shapes and widths: odd and even word counts per key, runs of whole words and not (down to one byte, four keys to a word). */
const CASES: { shape: number[]; width: 1 | 2 | 4 }[] = [
  { shape: [], width: 4 },
  { shape: [3], width: 4 },
  { shape: [2, 2], width: 4 },
  { shape: [5], width: 2 },
  { shape: [2, 3], width: 2 },
  { shape: [1], width: 2 },
  { shape: [1], width: 1 },
  { shape: [7], width: 1 },
  { shape: [3, 3], width: 1 },
  { shape: [12], width: 1 },
  { shape: [0, 3], width: 4 },
];

/** The bytes of `a`'s elements, row-major. */
async function bytesOf(a: mx.MxArray): Promise<number[]> {
  const v = (await a.data()) as Uint8Array | Uint16Array | Uint32Array;
  return Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
}

/** The reference: each key's stream of `shape` in `width`-byte elements, one key after another. */
function perKeyBytes(keyWords: readonly number[], shape: readonly number[], width: number): number[] {
  const n = shape.reduce((a, d) => a * d, 1) * width;
  const out: number[] = [];
  for (let b = 0; b < keyWords.length / 2; b++) out.push(...threefryBytes(keyWords[2 * b]!, keyWords[2 * b + 1]!, n));
  return out;
}

/** RandomBits of `shape` and `width` over `keys` as one node, on the keys' stream. */
function draw(keys: mx.MxArray, shape: number[], width: 1 | 2 | 4): mx.MxArray {
  return node(new RandomBits(shape, width), [keys], keys.stream);
}

describe.each(BACKENDS)("RandomBits with a batch of keys on $name", ({ device }) => {
  const o = { stream: device };
  const keyArray = (words: readonly number[], shape: number[]) => mx.reshape(mx.array([...words], mx.uint32, o), shape, o);

  it("a [3, 2] key: output [3, ...shape], item b key b's stream", async () => {
    const words = KEY_WORDS.slice(0, 6);
    for (const { shape, width } of CASES) {
      const got = draw(keyArray(words, [3, 2]), shape, width);
      const label = `shape ${JSON.stringify(shape)}, width ${width}`;
      expect([...got.shape], label).toEqual([3, ...shape]);
      expect(got.dtype.size, label).toBe(width);
      expect(await bytesOf(got), label).toEqual(perKeyBytes(words, shape, width));
    }
  });

  it("a [2, 2, 2] key: output [2, 2, ...shape], item (i, j) key (i, j)'s stream", async () => {
    const words = KEY_WORDS.slice(0, 8);
    for (const { shape, width } of CASES) {
      const got = draw(keyArray(words, [2, 2, 2]), shape, width);
      const label = `shape ${JSON.stringify(shape)}, width ${width}`;
      expect([...got.shape], label).toEqual([2, 2, ...shape]);
      expect(await bytesOf(got), label).toEqual(perKeyBytes(words, shape, width));
    }
  });

  it("streams longer than a workgroup, in whole words and not", async () => {
    const words = KEY_WORDS.slice(0, 6);
    for (const [shape, width] of [[[1001], 4], [[1001], 1], [[777], 2], [[2, 517], 2]] as [number[], 1 | 2 | 4][]) {
      const got = draw(keyArray(words, [3, 2]), shape, width);
      expect(await bytesOf(got), `shape ${JSON.stringify(shape)}, width ${width}`).toEqual(perKeyBytes(words, shape, width));
    }
  });

  it("keys read through their strides: pairs as columns, one key broadcast, rows reversed", async () => {
    const words = KEY_WORDS.slice(0, 6);
    // [[k00, k10, k20], [k01, k11, k21]] transposed: the pair's words 3 apart
    const columns = mx.transpose(keyArray([0, 2, 4, 1, 3, 5].map((i) => words[i]!), [2, 3]), undefined, o);
    const broadcast = mx.broadcastTo(keyArray(words.slice(2, 4), [2]), [3, 2], o);
    const reversed = mx.asStrided(keyArray(words, [6]), [3, 2], [-2, 1], 4, o);
    const cases: [string, mx.MxArray, number[]][] = [
      ["columns", columns, words],
      ["broadcast", broadcast, [...words.slice(2, 4), ...words.slice(2, 4), ...words.slice(2, 4)]],
      ["reversed", reversed, [...words.slice(4, 6), ...words.slice(2, 4), ...words.slice(0, 2)]],
    ];
    for (const [label, keys, keyWords] of cases) {
      for (const { shape, width } of [{ shape: [3], width: 4 }, { shape: [5], width: 1 }] as const) {
        expect(await bytesOf(draw(keys, [...shape], width)), `${label}, width ${width}`).toEqual(perKeyBytes(keyWords, shape, width));
      }
    }
  });

  it("no keys: an empty batch draws nothing", async () => {
    const got = draw(mx.zeros([0, 2], mx.uint32, o), [4], 4);
    expect([...got.shape]).toEqual([0, 4]);
    expect(await bytesOf(got)).toEqual([]);
  });
});

describe("RandomBits's key and its vmap rule", () => {
  it("validates uint32 keys whose last dim is 2, output [...batch, ...shape], and refuses others", () => {
    const prim = new RandomBits([5], 1);
    prim.validate([{ shape: [4, 3, 2], dtype: mx.uint32 }]);
    expect(prim.output([{ shape: [4, 3, 2], dtype: mx.uint32 }])).toEqual({ shape: [4, 3, 5], dtype: mx.uint8 });
    for (const [dtype, shape] of [[mx.uint32, [3]], [mx.uint32, [2, 3]], [mx.uint32, []], [mx.int32, [3, 2]]] as [mx.DType, number[]][]) {
      expect(() => prim.validate([{ shape, dtype }]), `${dtype.name} (${shape.join(", ")})`).toThrow(/\[randomBits\] the key must be a uint32 array of shape \(2,\), or keys of shape \(\.\.\., 2\)/);
    }
  });

  it("the public samplers still take one key of shape (2,), as MLX's random.bits", () => {
    const keys = mx.random.split(mx.random.key(3), 3);
    expect(() => mx.random.bits([2], { key: keys })).toThrow(/\[random\.bits\] key must be a uint32 array of shape \(2,\)/);
    expect(() => mx.random.uniform(0, 1, [2], { key: keys })).toThrow(/\[random\.uniform\] key must be a uint32 array of shape \(2,\)/);
  });

  it("vmap over a batch of keys (at any axis) is one RandomBits node over the keys, the batch first", () => {
    const keys = mx.random.split(mx.random.key(3), 4);
    for (const [inAxes, batched] of [[0, keys], [1, mx.transpose(keys)]] as [number, mx.MxArray][]) {
      const out = mx.vmap((k: mx.MxArray) => mx.random.bits([5, 3], { key: k, width: 2 }), { inAxes })(batched);
      expect([...out.shape]).toEqual([4, 5, 3]);
      expect(out.primitive).toBeInstanceOf(RandomBits);
      // the keys reach the draw as they are, or moved to batch-first by one layout node
      const input = out.inputs[0]!;
      expect(input === batched || input.inputs[0] === batched, `inAxes ${inAxes}`).toBe(true);
    }
  });
});
