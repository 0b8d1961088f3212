// Materialised transposes of 8- and 16-bit views whose packed words line up
// along the input's contiguous dim (webgpu: the tiled transpose by whole
// words, wgsl/transpose-words.wgsl): slices starting at every place in a word,
// odd extents, P read backwards, rows and batches reversed, several tiles;
// checked byte for byte against the input bytes moved by source index.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { webgpuFilesRun } from "./helpers/device-views.js";
import { BACKENDS } from "./helpers/backends.js";

/** Deterministic bytes covering every bit pattern (NaN payloads among 16-bit floats); bool bytes kept to 0 and 1. */
function randomBytes(n: number, seed: number, dtype: mx.DType): Uint8Array {
  const b = new Uint8Array(n);
  let s = (seed * 2654435761 + 7) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    b[i] = dtype === mx.bool ? (s >>> 24) & 1 : s >>> 24;
  }
  return b;
}

type View = (x: mx.MxArray, o: { stream: mx.Device }) => mx.MxArray;

/** A view of a base array: [shape, the view, a label]. */
const CASES: [number[], View, string][] = [
  // slices whose first element sits at each place of its word, odd P extents
  [[40, 68], (x, o) => mx.transpose(mx.slice(x, [2, 1], [38, 66], undefined, o), undefined, o), "offset 1 in a word, P odd"],
  [[40, 68], (x, o) => mx.transpose(mx.slice(x, [0, 3], [36, 68], undefined, o), undefined, o), "offset 3 in a word"],
  [[40, 68], (x, o) => mx.transpose(mx.slice(x, [4, 2], [40, 50], undefined, o), undefined, o), "offset 2 in a word"],
  // P read backwards from each place in a word
  ...[64, 65, 66, 67].map((c): [number[], View, string] => [[36, 68], (x, o) => mx.transpose(mx.slice(x, [0, c], [36, null], [1, -1], o), undefined, o), `P backwards from column ${c}`]),
  // L read backwards (a negative stride along L) and P at an offset
  [[36, 72], (x, o) => mx.transpose(mx.slice(x, [null, 5], [null, 70], [-1, 1], o), undefined, o), "L backwards"],
  // batched, the batch dim reversed and between the tile's dims, P at an offset and backwards
  [[6, 36, 64], (x, o) => mx.transpose(mx.slice(x, [5, 35, 1], [null, null, 63], [-1, -1, 1], o), [0, 2, 1], o), "batch and L backwards"],
  [[20, 6, 68], (x, o) => mx.transpose(mx.slice(x, [0, 0, 66], [20, 6, null], [1, 1, -1], o), [2, 1, 0], o), "batch between, P backwards"],
  // several tiles along both dims and a batch
  [[3, 136, 264], (x, o) => mx.transpose(mx.slice(x, [0, 0, 1], [3, 136, 263], undefined, o), [0, 2, 1], o), "several tiles"],
];

/** The WGSL kernel files the webgpu backend runs to evaluate `y`. */
const kernelFiles = (y: mx.MxArray): Promise<string[]> => webgpuFilesRun(() => mx.eval(y));

describe.each(BACKENDS)("transposes of 8- and 16-bit views by whole words on $name", ({ device }) => {
  const o = { stream: device };
  const c = { stream: mx.cpu };

  it("copies every byte of aligned words to its transposed place", async () => {
    for (const dtype of [mx.float16, mx.bfloat16, mx.int16, mx.uint8, mx.int8, mx.bool]) {
      for (const [shape, view, label] of CASES) {
        const n = shape.reduce((a, b) => a * b, 1);
        const bytes = randomBytes(n * dtype.size, n, dtype);
        const x = mx.reshape(mx.view(mx.array(bytes, mx.uint8, o), dtype, o), shape, o);
        const y = mx.contiguous(view(x, o), false, o);
        if (device.backend === "webgpu") expect(await kernelFiles(y), `${dtype.name} ${label}: the kernel`).toContain("transpose-words");
        const got = (await mx.view(mx.reshape(y, [-1], o), mx.uint8, o).tolist()) as number[];
        // the source element of each output element: the same view of arange on the cpu
        const sources = (await mx.reshape(view(mx.reshape(mx.arange(n, { dtype: mx.float64, ...c }), shape, c), c), [-1], c).tolist()) as number[];
        const want = sources.flatMap((s) => Array.from(bytes.subarray(s * dtype.size, (s + 1) * dtype.size)));
        expect(got.length, `${dtype.name} ${label}`).toBe(want.length);
        expect(got.findIndex((v, i) => v !== want[i]), `${dtype.name} ${label}: first differing byte`).toBe(-1);
      }
    }
  });
});
