// The webgpu kernels' two shapes (WebGpuBackend.compactKernels): those made for
// a GPU (the elementwise kernel's eight words written out, compile's fused
// groups' eight units computed before any is stored, the quantized
// matrix-vector kernel's 8 rows a team with two units in flight, the layout
// rows kernel's eight words an invocation) and a CPU
// adapter's compact ones give the same bits, whichever the adapter runs by default.

import { afterAll, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { deviceFor } from "../src/device.js";
import { storageBytes } from "./helpers/bytes.js";
import { values } from "./helpers/backends.js";
import { sized } from "./helpers/profile.js";

const gpu = findBackend("webgpu") as WebGpuBackend | undefined;
const o = { stream: gpu ? deviceFor("webgpu") : mx.cpu };

/** The first byte where `a` and `b` differ, or -1 (their lengths equal). */
const firstDifference = (a: readonly number[], b: readonly number[]): number => (a.length !== b.length ? 0 : a.findIndex((v, i) => v !== b[i]));

/** `f`'s outputs with the GPU shapes and with the compact ones: the first differing byte of each (-1: none). */
async function differences(f: () => mx.MxArray[]): Promise<number[]> {
  gpu!.compactKernels = false;
  const full = await storageBytes(f());
  gpu!.compactKernels = true;
  const compact = await storageBytes(f());
  return full.map((u, i) => firstDifference(u, compact[i]!));
}

describe.skipIf(!gpu)("webgpu kernels in their GPU and compact shapes", () => {
  const initial = gpu?.compactKernels;
  afterAll(() => {
    if (gpu && initial !== undefined) gpu.compactKernels = initial;
  });

  it("elementwise: the same bits (float32, 16-bit pairs, bytes; contiguous, broadcast and two merged dims; fast paths, rare words and the narrow path)", async () => {
    // 3 workgroups of 2048 words and a partial one for every width, so whole and partial blocks both run
    const n = 4 * 2048 * 4 + 37;
    let seed = 11;
    const bits = new Uint32Array(n).map(() => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0));
    for (let i = 0; i < n; i += 97) bits[i] = 0x7f000000 + i; // huge arguments: sin's and tan's rare words
    // in the default profile the rows of two merged dims shorter than an invocation's step (below) take the longer rows'
    // op: the same kernel (words crossing rows, every input read element by element), set apart by the layout alone
    const [shortRows16, shortRows8] = sized([mx.subtract, mx.add], [mx.multiply, mx.subtract]);
    const cases = (stream: mx.Device): mx.MxArray[] => {
      const o = { stream };
      const x = mx.view(mx.array(bits, mx.uint32, o), mx.float32, o);
      const h = mx.astype(x, mx.float16, o);
      const bytes = mx.view(x, mx.uint8, o);
      const row = mx.reshape(mx.slice(x, [0], [n - 37], [1], o), [64, -1], o);
      const hm = mx.reshape(mx.slice(h, [0], [300 * 40], [1], o), [300, 40], o);
      const bm = mx.reshape(mx.slice(bytes, [0], [2000 * 12], [1], o), [2000, 12], o);
      return [
        mx.exp(x, o),
        mx.sin(x, o),
        mx.tan(x, o),
        mx.exp(h, o),
        mx.log(mx.abs(h, o), o),
        mx.multiply(bytes, 3, o),
        mx.add(row, mx.slice(row, [0, 0], [1, row.shape[1]!], [1, 1], o), o),
        // two merged dims whose rows split words (the rows variant: an invocation's first word's row and column divided
        // out, carried on to its next words, each input's offset stepped element by element); rows longer and shorter
        // than the 256 words between an invocation's words
        mx.subtract(mx.reshape(mx.slice(h, [0], [31 * 1031], [1], o), [31, 1031], o), mx.reshape(mx.slice(h, [0], [31], [1], o), [31, 1], o), o),
        mx.add(mx.reshape(mx.slice(bytes, [0], [64 * 1031], [1], o), [64, 1031], o), mx.slice(bytes, [0], [1031], [1], o), o),
        shortRows16(mx.reshape(mx.slice(h, [0], [300 * 37], [1], o), [300, 37], o), mx.slice(h, [5], [42], [1], o), o),
        shortRows8(mx.reshape(mx.slice(bytes, [0], [2000 * 13], [1], o), [2000, 13], o), mx.reshape(mx.slice(bytes, [7], [2007], [1], o), [2000, 1], o), o),
        mx.add(mx.reshape(mx.slice(x, [0], [3000 * 7], [1], o), [3000, 7], o), mx.slice(x, [0], [7], [1], o), o),
        // rows a whole number of words (elementwise.ts wordReadsOf): inputs read a word at a time, once a word, or
        // element by element (an odd offset, a transposed view)
        mx.add(hm, mx.slice(h, [4], [44], [1], o), o),
        mx.add(hm, mx.slice(h, [3], [43], [1], o), o),
        mx.multiply(mx.slice(hm, [1, 2], [300, 40], [1, 1], o), mx.reshape(mx.slice(h, [0], [299], [1], o), [299, 1], o), o),
        mx.subtract(mx.slice(hm, [1, 1], [300, 39], [1, 1], o), mx.transpose(mx.reshape(mx.slice(h, [0], [38 * 299], [1], o), [38, 299], o), undefined, o), o),
        mx.add(bm, mx.slice(bytes, [8], [20], [1], o), o),
        mx.subtract(mx.slice(bm, [0, 4], [2000, 12], [1, 1], o), mx.reshape(mx.slice(bytes, [0], [2000], [1], o), [2000, 1], o), o),
        // flipped rows read by word; linear maps with odd offsets (element reads) and a partial last word (word reads);
        // a narrower input into a 16-bit output (element reads)
        mx.add(mx.slice(hm, [299, 0], [-301, 40], [-1, 1], o), mx.slice(h, [4], [44], [1], o), o),
        mx.add(mx.slice(h, [1], [20002], [1], o), mx.slice(h, [3], [20004], [1], o), o),
        mx.multiply(mx.slice(h, [0], [20001], [1], o), mx.slice(h, [2], [20003], [1], o), o),
        mx.astype(mx.view(mx.slice(bytes, [0], [20001], [1], o), mx.int8, o), mx.float16, o),
      ];
    };
    const d = await differences(() => cases(o.stream));
    expect(d).toEqual(d.map(() => -1));
    // the two-merged-dims maps (exact in every dtype) also give the cpu's values (NaNs of either sign)
    const [got, want] = [cases(o.stream).slice(7), cases(mx.cpu).slice(7)];
    for (let i = 0; i < got.length; i++) expect(await values(got[i]!), `case ${i + 7}`).toEqual(await values(want[i]!));
  });

  it("compile's fused groups: the same bits (whole units and a partial tail; 32-, 16- and 8-bit outputs; broadcast inputs)", async () => {
    const x = mx.random.normal([37, 1111], { key: mx.random.key(5), ...o });
    const bias = mx.random.normal([1111], { key: mx.random.key(6), ...o });
    const col = mx.random.normal([37, 1], { key: mx.random.key(7), ...o });
    // outputs of three dtypes over [37, 1111] (compile groups them as it does; several outputs and segments in one
    // dispatch: test/compile-webgpu.test.ts) and u over [1111]
    const chain = (a: mx.MxArray, b: mx.MxArray, c: mx.MxArray): mx.MxArray[] => {
      const u = mx.multiply(b, 2, o);
      const t = mx.add(mx.multiply(a, 3, o), u, o);
      return [mx.sin(t, o), mx.astype(mx.subtract(t, c, o), mx.float16, o), mx.astype(mx.multiply(t, 40, o), mx.int8, o), u];
    };
    const compiled = mx.compile(chain);
    // and rows shorter than the 256 units between an invocation's units (each unit's row and column carried on)
    const [x2, bias2, col2] = [mx.random.normal([700, 29], { key: mx.random.key(8), ...o }), mx.slice(bias, [0], [29], [1], o), mx.slice(x, [0, 3], [37, 4], [1, 1], o)];
    const f = (): mx.MxArray[] => [...compiled(x, bias, col), ...compiled(mx.slice(x2, [0, 0], [37, 29], [1, 1], o), bias2, col2), ...compiled(x2, bias2, mx.slice(x2, [0, 0], [700, 1], [1, 1], o))];
    const d = await differences(f);
    expect(d).toEqual(d.map(() => -1));
    // and the uncompiled bits
    const plain = [...chain(x, bias, col), ...chain(mx.slice(x2, [0, 0], [37, 29], [1, 1], o), bias2, col2), ...chain(x2, bias2, mx.slice(x2, [0, 0], [700, 1], [1, 1], o))];
    expect(await storageBytes(f())).toEqual(await storageBytes(plain));
  });

  it("compile's fused groups over 16-bit inputs: the same bits (inputs read a word or once a unit, rows a whole number of units)", async () => {
    const h = (shape: number[], seed: number) => mx.astype(mx.random.normal(shape, { key: mx.random.key(seed), ...o }), mx.float16, o);
    const [plainX, bias, col, flat, scalar] = [h([512, 40], 1), h([40], 2), h([512, 1], 3), h([20011], 4), h([], 5)];
    // rows scaled to overflow (3 x > 65504) or to float16 subnormals: their units are flagged and computed again exactly
    const rowScale = mx.array(Array.from({ length: 512 }, (_, i) => [[1, 30000, 1, 1e-5, 1][i % 5]!]), mx.float16, o);
    const x = mx.multiply(plainX, rowScale, o);
    // float16 outputs (units of two elements): x and bias read a word a unit, col once a unit, the broadcasts (their
    // bits passed on) the same way; an odd offset (element by element) beside them; a linear segment with a scalar
    // (s: the stream, the cpu's for the reference)
    const chainOn = (s: typeof o) => (a: mx.MxArray, b: mx.MxArray, c: mx.MxArray, odd: mx.MxArray): mx.MxArray[] => {
      const t = mx.add(mx.multiply(a, 3, s), b, s);
      return [mx.subtract(t, c, s), mx.broadcastTo(b, a.shape, s), mx.broadcastTo(c, a.shape, s), mx.multiply(t, odd, s)];
    };
    const lineOn = (s: typeof o) => (a: mx.MxArray, k: mx.MxArray): mx.MxArray[] => [mx.exp(mx.multiply(a, k, s), s), mx.add(a, k, s)];
    const odd = mx.slice(h([513, 41], 6), [1, 1], [513, 41], [1, 1], o);
    const [compiled, compiledLine] = [mx.compile(chainOn(o)), mx.compile(lineOn(o))];
    const f = (): mx.MxArray[] => [...compiled(x, bias, col, odd), ...compiledLine(flat, scalar)];
    const d = await differences(f);
    expect(d).toEqual(d.map(() => -1));
    expect(await storageBytes(f())).toEqual(await storageBytes([...chainOn(o)(x, bias, col, odd), ...lineOn(o)(flat, scalar)]));
    // and the cpu's values (each node rounded to float16 on both; exp, within its contract, is not the cpu's bits)
    const c = { stream: mx.cpu };
    const [got, want] = [f(), [...chainOn(c)(x, bias, col, odd), ...lineOn(c)(flat, scalar)]];
    for (const i of [0, 1, 2, 3, 5]) expect(await values(got[i]!), `output ${i}`).toEqual(await values(want[i]!));
  });

  it("pads and concatenates as runs: the same bits in both shapes and as the cpu's (shifted, aligned and split rows; the pad value's words; 8-, 16-, 32- and 64-bit)", async () => {
    const c = { stream: mx.cpu };
    const source = mx.view(mx.array(Uint32Array.from({ length: 64 * 1024 }, (_, i) => Math.imul(i + 1, 2654435761) >>> 0), mx.uint32, c), mx.uint8, c);
    // a [rows, cols] array of `dtype` from the source's bytes (starting `skip` elements in: a view at an offset)
    const rowsOf = (dtype: mx.DType, shape: number[], skip: number, s: typeof o) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const all = mx.view(mx.slice(source, [0], [(n + skip) * dtype.size], [1], c), dtype, c);
      return mx.reshape(mx.slice(mx.array(all, undefined, s), [skip], [n + skip], [1], s), shape, s);
    };
    const cases = (s: typeof o): mx.MxArray[] => [
      mx.pad(rowsOf(mx.float16, [64, 300], 0, s), 1, { constantValue: -2, ...s }), // rows of whole words, every run shifted
      mx.pad(rowsOf(mx.float16, [64, 300], 1, s), [[1, 0], [2, 2]], { constantValue: 3, ...s }), // shifted by the offset
      mx.pad(rowsOf(mx.float16, [64, 300], 0, s), [[0, 1], [2, 4]], s), // aligned: one load a word
      mx.pad(rowsOf(mx.float16, [70, 301], 0, s), 1, { constantValue: NaN, ...s }), // rows split words
      mx.pad(rowsOf(mx.int8, [50, 400], 0, s), 1, { constantValue: -5, ...s }),
      mx.pad(rowsOf(mx.uint8, [50, 400], 3, s), [[2, 1], [4, 8]], { constantValue: 200, ...s }),
      mx.pad(rowsOf(mx.float32, [80, 257], 0, s), [[1, 2], [3, 1]], { constantValue: 1.5, ...s }),
      mx.pad(rowsOf(mx.int64, [40, 130], 0, s), 1, { constantValue: -7, ...s }),
      mx.pad(rowsOf(mx.bfloat16, [5, 40, 66], 0, s), [[1, 0], [0, 2], [1, 1]], { constantValue: 0.25, ...s }),
      mx.concatenate([rowsOf(mx.float16, [64, 301], 0, s), rowsOf(mx.float16, [64, 5], 1, s)], -1, s),
      mx.concatenate([rowsOf(mx.int8, [30, 123], 2, s), rowsOf(mx.int8, [30, 301], 0, s), rowsOf(mx.int8, [30, 2], 5, s)], 1, s),
      // rows of 512 words and more whose runs are shifted: run-major (a workgroup's words in one row's run, an
      // invocation's eight inside the input sharing one shift)
      mx.pad(rowsOf(mx.float16, [6, 4000], 0, s), 1, { constantValue: -2, ...s }), // every run shifted
      mx.pad(rowsOf(mx.float16, [6, 4001], 0, s), [[0, 0], [1, 2]], s), // rows of 4004: the shift alternates by row
      mx.pad(rowsOf(mx.int8, [5, 8000], 3, s), [[1, 1], [2, 2]], s), // at an offset: a shift of 8 or 24 bits
      mx.pad(rowsOf(mx.bfloat16, [2, 3, 3800], 1, s), [[0, 0], [1, 0], [3, 1]], s), // rows of padding only
      mx.pad(rowsOf(mx.float16, [3, 4200], 0, s), 1, s), // rows of 2101 words: a chunk's invocations take a ninth word
      mx.pad(rowsOf(mx.float16, [4, 4601], 1, s), 1, { constantValue: 7, ...s }), // rows split words
      mx.pad(rowsOf(mx.int8, [3, 5000], 0, s), 1, { constantValue: -1, ...s }),
      // runs of 512 words and more, shifted: run-major (a workgroup's words in one run of one row, its shift shared)
      mx.concatenate([rowsOf(mx.float16, [5, 4095], 0, s), rowsOf(mx.float16, [5, 4097], 1, s)], 1, s),
      mx.concatenate([rowsOf(mx.float16, [3, 9001], 0, s), rowsOf(mx.float16, [3, 1025], 0, s)], 1, s), // chunk tails
      mx.concatenate([rowsOf(mx.int8, [3, 5001], 1, s), rowsOf(mx.int8, [3, 4099], 2, s), rowsOf(mx.int8, [3, 0], 0, s), rowsOf(mx.int8, [3, 2050], 3, s)], 1, s), // rows split words, an empty input
      mx.concatenate([rowsOf(mx.bfloat16, [2, 2, 2049], 0, s), rowsOf(mx.bfloat16, [2, 2, 3001], 0, s)], 2, s),
    ];
    const d = await differences(() => cases(o));
    expect(d).toEqual(d.map(() => -1));
    const [got, want] = [await storageBytes(cases(o)), await storageBytes(cases(c))];
    got.forEach((bytes, i) => expect(firstDifference(bytes, want[i]!), `case ${i}`).toBe(-1));
  });

  it("quantized matrix-vector products: the same bits (affine 3 bits, mxfp4, affine 4 bits in the full profile; N past a team's rows, a partial last step of K)", async () => {
    const x = mx.random.normal([2, 1, 320], { key: mx.random.key(3), ...o });
    // each a GPU-shaped kernel that lavapipe takes seconds to compile: affine 3 bits has every branch of a value's
    // unpacking (codes straddling words, past the mantissa) and scalar word loads, mxfp4 the decoded codes and vec2 loads
    const configs = sized([{ bits: 3, mode: "affine" }, { bits: 4, mode: "mxfp4" }], [{ bits: 3, mode: "affine" }, { bits: 4, mode: "affine" }, { bits: 4, mode: "mxfp4" }]);
    const f = (): mx.MxArray[] =>
      configs.map(({ bits, mode }) => {
        const groupSize = mode === "affine" ? 64 : 32;
        const w = mx.random.normal([2, 37, 320], { key: mx.random.key(bits), ...o });
        const [wq, s, b] = mx.quantize(w, groupSize, bits, { mode, ...o } as never) as mx.MxArray[];
        return mx.quantizedMatmul(x, wq!, s!, b ?? null, { transpose: true, groupSize, bits, mode, ...o } as never);
      });
    const d = await differences(f);
    expect(d).toEqual(d.map(() => -1));
  });
});
