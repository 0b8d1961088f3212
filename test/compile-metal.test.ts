// mx.compile on the metal backend: each fused group runs as one generated MSL
// kernel (backends/metal/fuse.ts) that gives the uncompiled kernels' words bit
// for bit: random chains of every dtype family with mixed casts, broadcast and
// strided inputs, several outputs, one dispatch per group, libraries cached
// by the group's structure, and complex64 groups left node by node.

import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";
import { MetalBuffer, type MetalBackend } from "../backends/metal/backend.js";
import type { Tensor } from "../backends/backend.js";
import type { FusedGroup } from "../src/compile/group.js";
import { AsType, Unary } from "../src/primitives/elementwise.js";

const metal = findBackend("metal") as MetalBackend | undefined;
const o = { stream: mx.metal };

/** The storage bytes of each array (bit-level: NaN payloads, -0, wrapped integers). */
const bytes = (xs: readonly mx.MxArray[]) => xs.map((x) => [...new Uint8Array(x.dataSync().buffer.slice(0))]);

/** `f` compiled and as it is on the same inputs: the same words; returns the trace's statistics. */
function sameAsUncompiled<A extends mx.MxArray[]>(fn: (...a: A) => mx.MxArray[], ...inputs: A) {
  const f = mx.compile(fn);
  expect(bytes(f(...inputs))).toEqual(bytes(fn(...inputs)));
  return mx.compileStats(f).traces[0]!;
}

/** Dispatches the metal backend encodes while `run` evaluates what it returns. */
function dispatchesOf(run: () => mx.MxArray[]): number {
  const spy = vi.spyOn(metal!, "dispatch");
  try {
    mx.eval(...run());
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

const FLOAT = { unary: ["exp", "sin", "tanh", "sqrt", "log1p", "negative", "abs", "square", "sigmoid", "floor", "erf"], binary: ["add", "subtract", "multiply", "divide", "maximum", "power", "logaddexp", "arctan2"] };
const INTEGER = { unary: ["negative", "abs", "square", "bitwiseInvert", "sign"], binary: ["add", "subtract", "multiply", "floorDivide", "remainder", "maximum", "minimum", "bitwiseXor", "bitwiseAnd", "leftShift", "rightShift"] };
const BOOL = { unary: ["logicalNot", "bitwiseInvert"], binary: ["logicalAnd", "logicalOr", "bitwiseXor", "bitwiseOr", "notEqual", "greater"] };
const CASTS = [mx.float32, mx.float16, mx.bfloat16, mx.int32, mx.uint8, mx.int8, mx.int16, mx.bool];

type Step = { op: number; a: number; b: number; to: number };
const stepArb = fc.record({ op: fc.nat(), a: fc.nat(), b: fc.nat(), to: fc.nat() });

/** One step of a random chain: an op that fits the operand's dtype (b cast to a's), a select, or a cast. */
function apply(s: Step, v: mx.MxArray[]): mx.MxArray {
  const a = v[s.a % v.length]!;
  const b = mx.astype(v[s.b % v.length]!, a.dtype, o);
  const family = a.dtype.kind === "float" ? FLOAT : a.dtype.kind === "bool" ? BOOL : INTEGER;
  const k = s.op % (family.unary.length + family.binary.length + 2);
  const call = mx as unknown as Record<string, (...args: unknown[]) => mx.MxArray>;
  if (k < family.unary.length) return call[family.unary[k]!]!(a, o);
  if (k < family.unary.length + family.binary.length) return call[family.binary[k - family.unary.length]!]!(a, b, o);
  if (k === family.unary.length + family.binary.length) return mx.where(mx.greater(a, b, o), a, b, o);
  return mx.astype(a, CASTS[s.to % CASTS.length]!, o);
}

/** Inputs of `dtype` on metal, (2, 3) and (3,) (broadcast), from values cast on metal (saturating for integers). */
function chainInputs(dtype: mx.DType, vals: number[]): [mx.MxArray, mx.MxArray] {
  const x = mx.astype(mx.array(vals.slice(0, 6), mx.float32, o), dtype, o);
  const y = mx.astype(mx.array(vals.slice(6, 9), mx.float32, o), dtype, o);
  return [mx.reshape(x, [2, 3], o), y];
}

describe.skipIf(!metal)("compile on metal: fused MSL kernels", () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([mx.float32, mx.float16, mx.bfloat16, mx.int32, mx.uint8, mx.bool])("is bit-identical to the uncompiled graph on random chains of %s (mixed casts)", (dtype) => {
    let fused = 0;
    const range = dtype.kind === "float" ? 3 : 300;
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 3, maxLength: 12 }), fc.array(fc.double({ min: -range, max: range, noNaN: true }), { minLength: 9, maxLength: 9 }), (steps, vals) => {
        const fn = (x: mx.MxArray, y: mx.MxArray) => {
          const v = [x, y];
          for (const s of steps) v.push(apply(s, v));
          return [v[v.length - 1]!, v[v.length - 2]!];
        };
        fused += sameAsUncompiled(fn, ...chainInputs(dtype, vals)).fusedNodes;
      }),
      { numRuns: 5, seed: 23, endOnFailure: true }, // no shrinking: each shrunk graph compiles a new library
    );
    expect(fused).toBeGreaterThan(6);
  });

  it.each([
    // x + 1e-3 rounds to the dtype's spacing at 1 before 1 is subtracted
    ["float16", mx.float16, (x: mx.MxArray) => mx.subtract(mx.add(x, 1e-3, o), x, o), [1, 2], [0.0009765625, 0.001953125]],
    ["bfloat16", mx.bfloat16, (x: mx.MxArray) => mx.subtract(mx.add(x, 5e-3, o), x, o), [1, 2], [0.0078125, 0]],
    // integer products wrap before the division
    ["int32", mx.int32, (x: mx.MxArray) => mx.floorDivide(mx.multiply(x, x, o), 3, o), [100000, 7], [470021802, 16]],
    ["uint8", mx.uint8, (x: mx.MxArray) => mx.floorDivide(mx.add(x, x, o), 2, o), [200, 7], [72, 7]],
    // a bool sum is one bit before it is inverted
    ["bool", mx.bool, (x: mx.MxArray) => mx.bitwiseInvert(mx.add(x, x, o), o), [1, 0], [false, true]],
  ] as const)("rounds each intermediate to its node's dtype (%s)", async (_name, dtype, fn, vals, want) => {
    const x = mx.astype(mx.array([...vals], mx.int32, o), dtype, o);
    const f = mx.compile((v: mx.MxArray) => [fn(v)]);
    const [got] = f(x);
    expect(await got!.tolist()).toEqual(want);
    expect(bytes([got!])).toEqual(bytes([fn(x)]));
    expect(mx.compileStats(f).traces[0]!.groups).toBe(1);
  });

  it("keeps every node's rounding across casts: float16 and bfloat16 steps, integer wrap, comparisons, where", () => {
    const fn = (x: mx.MxArray, y: mx.MxArray) => {
      const h = mx.astype(mx.multiply(x, 1000, o), mx.float16, o);
      const i = mx.astype(mx.multiply(h, 7, o), mx.int8, o); // saturates to int8, then wraps below
      const u = mx.add(mx.astype(i, mx.uint8, o), mx.astype(y, mx.uint8, o), o); // wraps in uint8
      const big = mx.greater(mx.astype(u, mx.float32, o), mx.divide(x, y, o), o);
      const b = mx.astype(mx.exp(mx.astype(x, mx.bfloat16, o), o), mx.float32, o);
      const l = mx.multiply(mx.astype(u, mx.int64, o), mx.array(2n ** 61n, mx.int64, o), o); // wraps in int64
      return [mx.where(big, mx.sqrt(mx.abs(x, o), o), mx.negative(b, o), o), mx.astype(u, mx.int16, o), mx.bitwiseXor(mx.astype(i, mx.int32, o), 12345, o), l];
    };
    const x = mx.array([[0.31, -2.7, 250.5], [-0.001, 1.75, -199]], mx.float32, o);
    const y = mx.array([3, -2.5, 250], mx.float32, o);
    const t = sameAsUncompiled(fn, x, y);
    expect(t.groups).toBeGreaterThan(0);
    expect(t.fusedNodes).toBeGreaterThan(20);
  });

  it("reads broadcast, strided and offset inputs and writes outputs of several shapes and dtypes", () => {
    const fn = (a: mx.MxArray, b: mx.MxArray, c: mx.MxArray, s: mx.MxArray) => {
      const col = mx.exp(mx.multiply(a, s, o), o); // (3, 1): returned and read by the group
      const row = mx.astype(mx.square(b, o), mx.float16, o); // (4,): returned
      const full = mx.tanh(mx.add(mx.add(col, row, o), c, o), o); // (3, 4)
      return [full, col, row, mx.less(full, col, o)];
    };
    const a = mx.array([[0.5], [-1], [0.25]], mx.float16, o);
    const b = mx.slice(mx.array([9, 0.1, 0.2, -0.3, 1.5, 9], mx.float32, o), [1], [5], undefined, o); // offset 1
    const c = mx.transpose(mx.reshape(mx.arange(12, { dtype: mx.float16, stream: mx.metal }), [4, 3], o), undefined, o); // strided
    const s = mx.array(1.5, mx.float16, o);
    const t = sameAsUncompiled(fn, a, b, c, s);
    expect([t.groups, t.nodes]).toEqual([1, 1]);
  });

  it("writes an output smaller than the group's shape (a broadcast output)", () => {
    const fn = (x: mx.MxArray, y: mx.MxArray) => {
      const small = mx.sin(mx.multiply(x, 3, o), o); // (1, 5) read broadcast by (64, 5)
      return [mx.add(small, y, o), small];
    };
    const x = mx.array([[0.1, 0.2, 0.3, 0.4, 0.5]], mx.float32, o);
    const y = mx.reshape(mx.arange(320, { dtype: mx.float32, stream: mx.metal }), [64, 5], o);
    expect(sameAsUncompiled(fn, x, y).groups).toBe(1);
  });

  it("runs one dispatch per fused group", () => {
    const chain = (x: mx.MxArray) => {
      let y = x;
      for (let i = 0; i < 15; i++) y = mx.add(mx.multiply(y, 1.0001, o), 0.5, o);
      return [y];
    };
    const f = mx.compile(chain);
    const x = mx.astype(mx.array([[0.5, -1, 2], [3, 0.25, -0.75]], mx.float32, o), mx.bfloat16, o);
    mx.eval(x, ...f(x)); // the trace
    expect(dispatchesOf(() => chain(x))).toBe(30);
    expect(dispatchesOf(() => f(x))).toBe(1);
    expect(bytes(f(x))).toEqual(bytes(chain(x)));
    // two groups around a reduction: each group's nodes become one dispatch
    const twoGroups = (v: mx.MxArray) => [mx.tanh(mx.add(mx.sum(mx.exp(mx.multiply(v, 2, o), o), o), mx.negative(v, o), o), o)];
    const g = mx.compile(twoGroups);
    mx.eval(...g(x));
    const t = mx.compileStats(g).traces[0]!;
    expect(t.groups).toBe(2);
    expect(dispatchesOf(() => g(x))).toBe(dispatchesOf(() => twoGroups(x)) - (t.fusedNodes - t.groups));
  });

  it("compiles a group's library once, shared by compiled functions of the same structure", () => {
    const fn = (x: mx.MxArray) => [mx.arctanh(mx.multiply(mx.cosh(x, o), 0.125, o), o)];
    const spy = vi.spyOn(metal!.device, "newLibrary");
    const x = mx.array([0.5, -0.25, 2], mx.float32, o);
    const [f, g] = [mx.compile(fn), mx.compile(fn)];
    expect(bytes([...f(x), ...g(x), ...f(mx.array([1, 2, 3], mx.float32, o))])).toEqual(bytes([...fn(x), ...fn(x), ...fn(mx.array([1, 2, 3], mx.float32, o))]));
    expect(spy.mock.calls.filter(([label]) => label.startsWith("fused-"))).toHaveLength(1);
  });

  it("runs the int64-index variant when a bound buffer reaches 2^31 bytes, with the same words", () => {
    const group: FusedGroup = {
      inputs: [mx.float16],
      nodes: [
        { primitive: new Unary("exp"), operands: [0], dtype: mx.float16 },
        { primitive: new AsType(mx.int8), operands: [1], dtype: mx.int8 },
      ],
      outputs: [0, 1],
      key: "test-int64-index|float16|exp;astype:int8",
    };
    const kernel = metal!.fuse(group)!;
    const x = mx.array([0.5, 3, -2, 6], mx.float16, o);
    const t = x.tensor();
    const b = t.buffer as MetalBuffer;
    // the same bytes, stated as 2^31 long: the host picks the variant from the stated length
    const large: Tensor = { ...t, buffer: new MetalBuffer(metal!, 2 ** 31, b.bytes, b.byteOffset) };
    const run = (input: Tensor) => kernel(group.nodes[1]!.primitive, [input], [{ shape: [4], dtype: mx.float16 }, { shape: [4], dtype: mx.int8 }]).map((r) => {
        const words = [...new Uint8Array(metal!.readSync(r).buffer.slice(0))];
        metal!.release(r.buffer);
        return words;
      });
    const spy = vi.spyOn(metal!.device, "newLibrary");
    expect(run(large)).toEqual(run(t));
    expect(spy.mock.calls.map(([label]) => label.endsWith("-i64.metal"))).toContain(true);
    expect(run(t)).toEqual(bytes([mx.exp(x, o), mx.astype(mx.exp(x, o), mx.int8, o)]));
  });

  it("leaves complex64 groups node by node, with the uncompiled results", () => {
    const fn = (z: mx.MxArray) => [mx.multiply(mx.exp(z, o), mx.add(z, z, o), o)];
    const z = mx.array([{ re: 0.5, im: -1 }, { re: 2, im: 0.25 }], mx.complex64, o);
    const t = sameAsUncompiled(fn, z);
    expect([t.groups, t.nodes]).toEqual([0, 3]);
  });
});
