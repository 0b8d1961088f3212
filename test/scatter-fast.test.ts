// Scatters with many updates per column (the GPU backends' sorted path: a
// stable sort of the targets, then a binary search per element): every mode,
// broadcast and per-column index arrays, negative and out-of-range indices,
// int, bool and half dtypes, against the CPU reference; float32 sums bit for
// bit against the fold in update order each backend specifies; the gradient
// of an embedding lookup (mx.take on a [V, D] table).

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { deviceFor } from "../src/device.js";
import { node } from "../src/ops/base.js";
import { ScatterAxis, type ScatterMode } from "../src/primitives/indexing.js";
import { BACKENDS, expectSameValues, values } from "./helpers/backends.js";

const cpu = { stream: deviceFor("cpu") };

/** Deterministic pseudo-random integers in [0, m) (a linear congruential sequence). */
function ints(count: number, m: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % m;
  });
}

/** Index values for an axis of n: mostly in range with many duplicates, some negative, some past either end. */
function indexValues(count: number, n: number, seed: number): number[] {
  return ints(count, n + 2 * 25, seed).map((v) => v - 25);
}

/** The index value's target: wrapped once when negative, then clamped into [0, n). */
function target(v: number, n: number): number {
  const j = v < 0 ? v + n : v;
  return j < 0 ? 0 : j >= n ? n - 1 : j;
}

/**
 * A scatter-add or multiply along axis 0 of a [N, D] array, folded in update
 * order with `round` after each step (Math.fround: the GPU backends' float32
 * fold; the identity: the CPU's float64 fold) and rounded to float32 once.
 */
function foldModel(a: number[], idx: number[], upd: number[], N: number, D: number, mode: "add" | "multiply", round: (x: number) => number): number[] {
  const out = a.slice();
  const K = idx.length / D;
  for (let k = 0; k < K; k++) {
    for (let d = 0; d < D; d++) {
      const p = target(idx[k * D + d]!, N) * D + d;
      out[p] = round(mode === "add" ? out[p]! + upd[k * D + d]! : out[p]! * upd[k * D + d]!);
    }
  }
  return out.map(Math.fround);
}

/** scatterAxis along `axis` (the primitive every scatter op builds on). */
function scatter(a: mx.MxArray, idx: mx.MxArray, upd: mx.MxArray, axis: number, mode: ScatterMode): mx.MxArray {
  return node(new ScatterAxis(axis, mode), [a, idx, upd], a.stream);
}

/** A new array of `shape` on the stream of `s`. */
function grid(vals: number[], dtype: mx.DType, shape: number[], s: { stream: mx.Device }): mx.MxArray {
  return mx.reshape(mx.array(vals, dtype, s), shape, s);
}

/** [K, D] index values: one column broadcast to every column ([K, 1] read with stride 0), or a column of its own each. */
function indexArray(vals: number[], K: number, D: number, broadcast: boolean, dtype: mx.DType, o: { stream: mx.Device }): mx.MxArray {
  return broadcast ? mx.broadcastTo(grid(vals.slice(0, K), dtype, [K, 1], o), [K, D], o) : grid(vals, dtype, [K, D], o);
}

describe.each(BACKENDS)("scatter with many updates per column on $name", ({ device }) => {
  const o = { stream: device };
  const round = device.backend === "cpu" ? (x: number) => x : Math.fround;

  it("float32 add with heavy duplicates is the fold in update order, bit for bit", async () => {
    const N = 1000, K = 20000, D = 8;
    const aVals = ints(N * D, 2001, 1).map((v) => Math.fround((v - 1000) / 7));
    const uVals = ints(K * D, 20001, 2).map((v) => Math.fround(Math.sin(v) * 3.7));
    const a = grid(aVals, mx.float32, [N, D], o);
    const u = grid(uVals, mx.float32, [K, D], o);
    const cols = indexValues(K * D, N, 3);
    for (const broadcast of [true, false]) {
      const iv = broadcast ? cols.slice(0, K).flatMap((v) => Array<number>(D).fill(v)) : cols;
      const out = scatter(a, indexArray(cols, K, D, broadcast, mx.int32, o), u, 0, "add");
      expect(out.stream.device).toEqual(device);
      const got = await values(out);
      expectSameValues(got, foldModel(aVals, iv, uVals, N, D, "add", round), `${broadcast ? "broadcast" : "per-column"} indices`);
    }
  });

  it("float32 multiply, and a scatter along an inner axis with strided updates", async () => {
    const N = 300, K = 4000, D = 4;
    const aVals = ints(N * D, 1000, 4).map((v) => Math.fround(1 + v / 1e4));
    const uVals = ints(K * D, 1000, 5).map((v) => Math.fround(1 + (v - 500) / 2e4));
    const iv = indexValues(K * D, N, 6);
    const want = foldModel(aVals, iv, uVals, N, D, "multiply", round);
    const a = grid(aVals, mx.float32, [N, D], o);
    const u = grid(uVals, mx.float32, [K, D], o);
    expectSameValues(await values(scatter(a, grid(iv, mx.int32, [K, D], o), u, 0, "multiply")), want, "axis 0");
    // the same scatter along axis 1 of the transposes (strided index and update views)
    const along1 = scatter(mx.transpose(a, [1, 0], o), mx.transpose(grid(iv, mx.int32, [K, D], o), [1, 0], o), mx.transpose(u, [1, 0], o), 1, "multiply");
    expectSameValues(await values(mx.transpose(along1, [1, 0], o)), want, "axis 1");
  });

  it("every mode and dtype agrees with the CPU, broadcast and per-column indices", async () => {
    const N = 200, K = 1500, D = 4;
    // every mode on float32, the rest spread over the dtypes (each pair compiles a kernel)
    const cases: [mx.DType, ScatterMode[]][] = [
      [mx.float32, ["set", "add", "multiply", "maximum", "minimum"]],
      [mx.float16, ["add", "maximum"]],
      [mx.bfloat16, ["multiply", "minimum"]],
      [mx.int32, ["set", "add"]],
      [mx.int8, ["add", "multiply", "maximum"]],
      [mx.uint16, ["minimum"]],
      [mx.bool, ["set", "add", "maximum"]],
    ];
    const iv = indexValues(K * D, N, 7);
    for (const [dtype, modes] of cases) {
      // small integers: every fold is exact and every dtype holds every partial result
      const small = (count: number, seed: number) => ints(count, dtype === mx.bool ? 2 : 7, seed).map((v) => (dtype === mx.bool || dtype.kind === "uint" ? v : v - 3));
      const aVals = small(N * D, 8), uVals = small(K * D, 9);
      for (const mode of modes) {
        // a product of thousands of factors is exact only as 0 or +-1
        const uv = mode === "multiply" && dtype !== mx.bool ? uVals.map((v) => (v === 0 ? 0 : v % 2 === 0 ? 1 : -1)) : uVals;
        for (const broadcast of [true, false]) {
          const run = (s: { stream: mx.Device }) => scatter(grid(aVals, dtype, [N, D], s), indexArray(iv, K, D, broadcast, mx.int32, s), grid(uv, dtype, [K, D], s), 0, mode);
          expectSameValues(await values(run(o)), await values(run(cpu)), `${dtype.name} ${mode} ${broadcast ? "broadcast" : "per-column"}`);
        }
      }
    }
  });

  it("every index dtype wraps negatives once and clamps out-of-range values", async () => {
    const N = 100, K = 3000, D = 3;
    const aVals = ints(N * D, 50, 10), uVals = ints(K * D, 50, 11);
    for (const dtype of [mx.int8, mx.int16, mx.int32, mx.uint8, mx.uint16, mx.uint32]) {
      const signed = dtype.kind === "int";
      // signed: -128..127 (past both ends of the axis); unsigned: 0..255 (past the end)
      const iv = ints(K * D, 256, 12).map((v) => (signed ? v - 128 : v));
      const run = (s: { stream: mx.Device }) => scatter(grid(aVals, mx.int32, [N, D], s), grid(iv, dtype, [K, D], s), grid(uVals, mx.int32, [K, D], s), 0, "add");
      const got = await values(run(o));
      expectSameValues(got, await values(run(cpu)), dtype.name);
      const want = aVals.slice();
      iv.forEach((v, e) => (want[target(v, N) * D + (e % D)]! += uVals[e]!));
      expectSameValues(got, want, `${dtype.name} against the model`);
    }
  });

  it("the ops on top: indexUpdate, x.at, putAlongAxis", async () => {
    const N = 500, K = 5000, D = 6;
    const iv = indexValues(K, N, 13);
    const uVals = ints(K * D, 9, 14).map((v) => v - 4);
    const run = (s: { stream: mx.Device }) => {
      const a = mx.zeros([N, D], mx.float32, s);
      const i = mx.array(iv, mx.int32, s);
      const u = grid(uVals, mx.float32, [K, D], s);
      return [
        mx.indexUpdate(a, [i], u, "subtract"),
        a.at(i).maximum(u),
        mx.putAlongAxis(a, mx.broadcastTo(mx.reshape(i, [K, 1], s), [K, D], s), u, 0, s),
        // two index arrays: one scatter over the flattened array
        mx.indexUpdate(a, [i, mx.array(ints(K, D, 15), mx.int32, s)], mx.sum(u, { axis: 1, ...s }), "add"),
      ];
    };
    const got = run(o), want = run(cpu);
    for (let q = 0; q < got.length; q++) expectSameValues(await values(got[q]!), await values(want[q]!), `op ${q}`);
  });

  it("the gradient of an embedding lookup (mx.take on a [V, D] table)", async () => {
    const V = 700, D = 16, T = 6000;
    const ids = indexValues(T, V, 16).map((v) => target(v, V));
    const ctVals = ints(T * D, 10007, 17).map((v) => Math.fround(Math.cos(v) / 3));
    const grad = (s: { stream: mx.Device }) => {
      const table = mx.zeros([V, D], mx.float32, s);
      const [, [g]] = mx.vjp((t: mx.MxArray) => mx.take(t, mx.array(ids, mx.int32, s), 0, s), [table], [grid(ctVals, mx.float32, [T, D], s)]);
      return g!;
    };
    const got = await values(grad(o));
    const iv = ids.flatMap((v) => Array<number>(D).fill(v));
    expectSameValues(got, foldModel(Array<number>(V * D).fill(0), iv, ctVals, V, D, "add", round), "vs the fold in token order");
    const want = await values(grad(cpu));
    got.forEach((g, e) => expect(Math.abs(g - want[e]!), `element ${e}`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[e]!))));
  });
});
