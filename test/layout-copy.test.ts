// Layout copies are bit-exact on every backend: the materialised transpose
// (webgpu: the tiled transpose where it applies, the per-element copy
// otherwise), concatenate and pad (webgpu: copies of contiguous runs, whole
// words or shifted, output rows of whole words or not, or the per-element
// gather), checked byte for byte against a reference that moves the random
// input bytes (NaN payloads included) by the source index of each output
// element.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";

/** Deterministic bytes: every bit pattern appears, NaNs with payloads among the floats. */
function randomBytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let s = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}

const DTYPES = [mx.float32, mx.float16, mx.bfloat16, mx.int8, mx.uint8, mx.bool, mx.int16, mx.int64, mx.complex64];

/**
 * The bytes of `n` elements of `dtype` (bool bytes kept to 0 and 1: any other
 * byte would read back as 1); float NaN payloads, signaling ones included, must survive every copy.
 */
function elementBytes(dtype: mx.DType, n: number, seed: number): Uint8Array {
  const b = randomBytes(n * dtype.size, seed);
  return dtype === mx.bool ? b.map((v) => v & 1) : b;
}

/** An array of `shape` and `dtype` holding `bytes`, on `device`. */
function fromBytes(bytes: Uint8Array, shape: number[], dtype: mx.DType, o: { stream: mx.Device }): mx.MxArray {
  return mx.reshape(mx.view(mx.array(bytes, mx.uint8, o), dtype, o), shape, o);
}

/** The output bytes expected from source element indices (-1: the pad value's bytes). */
function gatherBytes(sources: number[], sourceBytes: Uint8Array[], size: number, value?: Uint8Array): number[] {
  const out: number[] = [];
  for (const s of sources) {
    const [k, e] = s < 0 ? [-1, 0] : [Math.floor(s / 1e7), s % 1e7];
    for (let b = 0; b < size; b++) out.push(k < 0 ? value![b]! : sourceBytes[k]![e * size + b]!);
  }
  return out;
}

async function bytesOf(y: mx.MxArray, o: { stream: mx.Device }): Promise<number[]> {
  return (await mx.view(mx.reshape(y, [-1], o), mx.uint8, o).tolist()) as number[];
}

/** Source indices of a view op `f` applied to arange of `shape` (input k's element e as k * 1e7 + e), on the cpu. */
async function sourceIndices(shapes: number[][], f: (xs: mx.MxArray[], o: { stream: mx.Device }) => mx.MxArray): Promise<number[]> {
  const c = { stream: mx.cpu };
  const xs = shapes.map((s, k) => mx.reshape(mx.add(mx.arange(s.reduce((a, b) => a * b, 1), { dtype: mx.float64, ...c }), k * 1e7, c), s, c));
  return ((await mx.reshape(f(xs, c), [-1], c).tolist()) as number[]);
}

describe.each(BACKENDS)("bit-exact layout copies on $name", ({ device }) => {
  const o = { stream: device };

  /** `f` over inputs of `shapes` (random bytes of `dtype`, or `given` bytes) against the reference; `padsMinusOne`: `f` pads with -1. */
  async function check(shapes: number[][], dtype: mx.DType, f: (xs: mx.MxArray[], o: { stream: mx.Device }) => mx.MxArray, label: string, padsMinusOne = false, given: (Uint8Array | undefined)[] = []): Promise<void> {
    const bytes = shapes.map((s, k) => given[k] ?? elementBytes(dtype, s.reduce((a, b) => a * b, 1), k + 3));
    const got = await bytesOf(f(bytes.map((b, k) => fromBytes(b, shapes[k]!, dtype, o)), o), o);
    const value = padsMinusOne ? Uint8Array.from(await bytesOf(mx.array(-1, dtype, { stream: mx.cpu }), { stream: mx.cpu })) : undefined;
    const want = gatherBytes(await sourceIndices(shapes, f), bytes, dtype.size, value);
    expect(got.length, label).toBe(want.length);
    const bad = got.findIndex((v, i) => v !== want[i]);
    expect(bad, `${label}: first differing byte`).toBe(-1);
  }

  const contiguous = (x: mx.MxArray, c: { stream: mx.Device }) => mx.contiguous(x, false, c);

  it("materialises transposes and permutations of every dtype, odd sizes, partial tiles", async () => {
    const cases: [number[], number[]][] = [
      [[37, 53], [1, 0]],
      [[40, 66], [1, 0]],
      [[66, 41], [1, 0]],
      [[5, 34, 70], [0, 2, 1]],
      [[20, 17, 64], [2, 1, 0]],
      [[3, 20, 5, 24], [3, 1, 0, 2]],
      [[130, 132], [1, 0]],
    ];
    for (const dtype of DTYPES) {
      for (const [shape, perm] of cases) {
        await check([shape], dtype, ([x], c) => contiguous(mx.transpose(x!, perm, c), c), `${dtype.name} ${shape} (${perm})`);
      }
    }
  });

  it("materialises transposes of views: offsets, negative strides, batched", async () => {
    for (const dtype of [mx.float32, mx.float16, mx.uint8, mx.int64]) {
      // offset: a slice that starts inside the buffer (odd offsets split 16-bit words)
      await check([[45, 71]], dtype, ([x], c) => contiguous(mx.transpose(mx.slice(x!, [3, 5], [44, 70], undefined, c), undefined, c), c), `${dtype.name} offset`);
      // negative stride along the input's contiguous dim, then along the other
      await check([[40, 50]], dtype, ([x], c) => contiguous(mx.transpose(mx.slice(x!, [null, null], [null, null], [1, -1], c), undefined, c), c), `${dtype.name} reversed columns`);
      await check([[40, 50]], dtype, ([x], c) => contiguous(mx.transpose(mx.slice(x!, [null, 1], [null, null], [-1, 1], c), undefined, c), c), `${dtype.name} reversed rows`);
      // strided rows: the transposed dim steps by 2
      await check([[64, 36]], dtype, ([x], c) => contiguous(mx.transpose(mx.slice(x!, [0, 0], [64, 36], [2, 1], c), undefined, c), c), `${dtype.name} strided`);
      // a batch dim between the tile's dims
      await check([[33, 6, 48]], dtype, ([x], c) => contiguous(mx.transpose(x!, [2, 1, 0], c), c), `${dtype.name} batched`);
    }
  });

  it("concatenates along every axis, whole-word runs and runs that split words, many inputs", async () => {
    const cases: [number[][], number][] = [
      [[[3, 4], [3, 6]], 1],
      [[[3, 5], [3, 7], [3, 1]], 1],
      [[[2, 5], [3, 5]], 0],
      [[[4, 3, 2], [4, 1, 2], [4, 5, 2]], 1],
      [[[3, 1000], [3, 2000]], 1],
      [[[700, 13], [301, 13]], 0],
      [[[1000, 3], [1000, 5]], 1],
      [[[9, 301], [9, 3], [9, 700], [9, 0], [9, 2]], 1],
      [Array.from({ length: 7 }, (_, k) => [2, k + 1, 3]), 1],
    ];
    for (const dtype of DTYPES) {
      for (const [shapes, axis] of cases) {
        await check(shapes, dtype, (xs, c) => mx.concatenate(xs, { axis, ...c }), `${dtype.name} ${JSON.stringify(shapes)} axis ${axis}`);
      }
    }
    // inputs at offsets (a slice of a row-major array stays row-major) and transposed ones
    for (const dtype of [mx.float16, mx.uint8, mx.float32, mx.complex64]) {
      await check([[7, 300], [5, 300]], dtype, ([a, b], c) => mx.concatenate([mx.slice(a!, [1], [7], undefined, c), b!], { axis: 0, ...c }), `${dtype.name} offset input`);
      await check([[300, 6], [5, 300]], dtype, ([a, b], c) => mx.concatenate([mx.transpose(a!, undefined, c), b!], { axis: 0, ...c }), `${dtype.name} transposed input`);
    }
  });

  it("pads with the value's bits, low and high on several axes, odd widths", async () => {
    const cases: [number[], [number, number][]][] = [
      [[5, 6], [[1, 2], [3, 1]]],
      [[4, 8], [[0, 0], [2, 2]]],
      [[3, 4, 6], [[1, 0], [0, 2], [1, 1]]],
      [[7], [[3, 2]]],
      [[70, 300], [[1, 1], [1, 1]]],
      [[70, 301], [[1, 1], [1, 1]]],
      [[40, 64], [[8, 8], [8, 8]]],
      [[3, 5000], [[0, 1], [3, 1]]],
    ];
    for (const dtype of DTYPES) {
      // a value whose bits differ from byte to byte
      const v = dtype === mx.bool ? true : dtype.name.startsWith("uint") ? 201 : dtype.name.startsWith("int") ? -3 : -3.25;
      const valueBytes = Uint8Array.from(await bytesOf(mx.array(v, dtype, { stream: mx.cpu }), { stream: mx.cpu }));
      for (const [shape, widths] of cases) {
        const bytes = elementBytes(dtype, shape.reduce((a, b) => a * b, 1), 5);
        const got = await bytesOf(mx.pad(fromBytes(bytes, shape, dtype, o), widths, { constantValue: v, ...o }), o);
        const sources = await sourceIndices([shape], ([x], c) => mx.pad(x!, widths, { constantValue: -1, ...c }));
        const want = gatherBytes(sources, [bytes], dtype.size, valueBytes);
        const label = `${dtype.name} ${shape} ${JSON.stringify(widths)}`;
        expect(got.length, label).toBe(want.length);
        expect(got.findIndex((b, i) => b !== want[i]), `${label}: first differing byte`).toBe(-1);
      }
    }
    // a transposed input (the per-element path) and inputs at offsets: rows of odd length (a shift per run), rows of
    // whole words whose runs all start alike within a word (one fixed shift), the offset moving that shift
    for (const dtype of [mx.float16, mx.int8, mx.float32, mx.int64]) {
      await check([[30, 41]], dtype, ([x], c) => mx.pad(mx.transpose(x!, undefined, c), [[1, 2], [2, 1]], { constantValue: -1, ...c }), `${dtype.name} transposed`, true);
      await check([[30, 41]], dtype, ([x], c) => mx.pad(mx.slice(x!, [1, 0], [30, 41], undefined, c), [[1, 2], [3, 1]], { constantValue: -1, ...c }), `${dtype.name} offset`, true);
      await check([[30, 40]], dtype, ([x], c) => mx.pad(mx.slice(x!, [1, 0], [30, 40], undefined, c), [[1, 2], [3, 1]], { constantValue: -1, ...c }), `${dtype.name} offset, whole rows`, true);
      for (const start of [1, 2, 3]) {
        const rows = ([x]: mx.MxArray[], c: { stream: mx.Device }) => mx.reshape(mx.slice(x!, [start], [start + 1160], undefined, c), [29, 40], c);
        for (const low of [1, 2, 3]) await check([[1200]], dtype, (xs, c) => mx.pad(rows(xs, c), [[1, 1], [low, 2]], { constantValue: -1, ...c }), `${dtype.name} offset ${start}, low ${low}`, true);
      }
    }
  });

  it("pads and concatenates 8- and 16-bit outputs whose rows split words: odd rows, rows shorter than a word, long rows, views", async () => {
    // the pad value: element 1 of three (a view at an offset), a NaN with a payload where the dtype has NaNs
    const valueBytes = new Map<mx.DType, number[]>([[mx.int8, [0xa5]], [mx.uint8, [0x5b]], [mx.bool, [1]], [mx.float16, [0x01, 0x7d]], [mx.bfloat16, [0x81, 0xff]], [mx.int16, [0x5a, 0xa5]]]);
    const pads: [number[], [number, number][]][] = [
      [[9, 1], [[1, 1], [0, 0]]], // C = 1
      [[9, 1], [[2, 1], [1, 0]]], // C = 2
      [[7, 1], [[1, 1], [1, 1]]], // C = 3
      [[6], [[1, 2]]], // one row of 9
      [[5, 2], [[0, 0], [0, 1]]],
      [[3, 4, 5, 6], [[1, 0], [0, 2], [1, 1], [2, 1]]], // C = 9, three leading axes padded
      [[2, 3, 5, 7], [[1, 1], [2, 0], [0, 1], [0, 0]]], // C = 7, only leading axes padded
      [[200, 401], [[1, 2], [1, 1]]], // 81809 elements: many workgroups, rows shorter than 256 words
      [[20, 2051], [[1, 1], [0, 2]]], // rows of 2053, longer than 256 words
      [[3, 1027], [[0, 0], [3, 0]]],
    ];
    const concats: [number[][], number][] = [
      [[[6, 1], [6, 0]], 1], // C = 1, an empty input
      [[[6, 1], [6, 1]], 1], // C = 2
      [[[6, 1], [6, 2]], 1], // C = 3
      [[[9, 3], [9, 2]], 1],
      [[[4, 3, 5], [4, 2, 5]], 1], // C = 25, along an earlier axis
      [[[3, 7], [2, 7]], 0],
      [[[300, 101], [300, 200]], 1], // 90300 elements: many workgroups
      [[[3, 1500], [3, 1001], [3, 2]], 1], // rows of 2503
      [Array.from({ length: 8 }, (_, k) => [5, k % 3, 3]), 1], // more inputs than a dispatch takes
    ];
    for (const dtype of [mx.int8, mx.uint8, mx.bool, mx.float16, mx.bfloat16, mx.int16]) {
      const value = Uint8Array.from([...elementBytes(dtype, 1, 9), ...valueBytes.get(dtype)!, ...elementBytes(dtype, 1, 10)]);
      const withValue = (x: mx.MxArray, v: mx.MxArray, widths: [number, number][], c: { stream: mx.Device }) => mx.pad(x, widths, "constant", mx.reshape(mx.slice(v, [1], [2], undefined, c), [], c), c);
      for (const [shape, widths] of pads) {
        await check([shape, [3]], dtype, ([x, v], c) => withValue(x!, v!, widths, c), `${dtype.name} pad ${shape} ${JSON.stringify(widths)}`, false, [undefined, value]);
      }
      for (const [shapes, axis] of concats) {
        await check(shapes, dtype, (xs, c) => mx.concatenate(xs, { axis, ...c }), `${dtype.name} concatenate ${JSON.stringify(shapes)} axis ${axis}`);
      }
      // inputs at offsets: rows after the first (an odd offset), and a flat slice as rows
      const rowsFrom = (x: mx.MxArray, c: { stream: mx.Device }) => mx.slice(x, [1, 0], [31, 41], undefined, c);
      await check([[31, 41], [3]], dtype, ([x, v], c) => withValue(rowsFrom(x!, c), v!, [[1, 2], [2, 0]], c), `${dtype.name} pad of an offset input`, false, [undefined, value]);
      await check([[1203], [3]], dtype, ([x, v], c) => withValue(mx.reshape(mx.slice(x!, [3], [3 + 1200], undefined, c), [40, 30], c), v!, [[0, 1], [1, 2]], c), `${dtype.name} pad of a flat slice`, false, [undefined, value]);
      await check([[31, 41], [30, 4]], dtype, ([x, y], c) => mx.concatenate([rowsFrom(x!, c), y!], { axis: 1, ...c }), `${dtype.name} concatenate of an offset input`);
      await check([[31, 41], [7, 41]], dtype, ([x, y], c) => mx.concatenate([y!, mx.slice(x!, [1, 0], [30, 41], undefined, c)], { axis: 0, ...c }), `${dtype.name} concatenate of an offset input, axis 0`);
    }
  });
});
