// mx.compile on the webgpu backend (backends/webgpu/fuse.ts): a fused group
// runs as one WGSL kernel and gives the bits of the uncompiled graph (random
// chains of every fused dtype, mixed casts, broadcast inputs, several outputs
// of different shapes); groups it has no fused form for run node by node.

import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import * as mx from "../index.js";
import { storageBytes } from "./helpers/bytes.js";
import { fullProfile, sized } from "./helpers/profile.js";
import { getBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { webGpuFuse } from "../backends/webgpu/fuse.js";
import { graphFunction } from "../conformance/compiled.js";
import { materialize } from "../conformance/check.js";
import { graphArb } from "../conformance/graphs.js";
import type { FusedGroup } from "../src/compile/group.js";
import { AsType, Binary, Unary } from "../src/primitives/elementwise.js";

const hasWebGpu = mx.isAvailable(mx.webgpu);
const o = { stream: mx.webgpu };


/** Runs `f` as it is and compiled on `args`; expects the same dtypes, shapes and bits. Returns the fused groups of the trace. */
async function expectSameBits(f: (...xs: mx.MxArray[]) => mx.MxArray[], args: mx.MxArray[]): Promise<number> {
  const plain = f(...args);
  const cf = mx.compile(f);
  const compiled = cf(...args);
  expect(compiled.map((x) => `${x.dtype.name}[${x.shape.join(",")}]`)).toEqual(plain.map((x) => `${x.dtype.name}[${x.shape.join(",")}]`));
  expect(await storageBytes(compiled)).toEqual(await storageBytes(plain));
  return mx.compileStats(cf).traces[0]!.groups;
}

/**
 * expectSameBits where NaNs may differ in sign and payload (an op on two
 * NaNs keeps the one the driver's operand order gives, docs/compile.md): the
 * full profile's long runs of random chains meet such pairs.
 */
async function expectSameValues(f: (...xs: mx.MxArray[]) => mx.MxArray[], args: mx.MxArray[]): Promise<number> {
  const plain = f(...args);
  const cf = mx.compile(f);
  const compiled = cf(...args);
  expect(compiled.map((x) => `${x.dtype.name}[${x.shape.join(",")}]`)).toEqual(plain.map((x) => `${x.dtype.name}[${x.shape.join(",")}]`));
  for (let i = 0; i < plain.length; i++) expect(await compiled[i]!.tolist()).toEqual(await plain[i]!.tolist());
  return mx.compileStats(cf).traces[0]!.groups;
}

/** Dispatches encoded on the webgpu queue while `run` evaluates. */
async function dispatches(run: () => Promise<unknown>): Promise<number> {
  const gpu = getBackend("webgpu") as WebGpuBackend;
  const spy = vi.spyOn(gpu.queue, "dispatch");
  try {
    await run();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

type Kind = "float" | "int" | "bool";
const kindOf = (d: mx.DType): Kind => (d.kind === "bool" ? "bool" : d.kind === "float" ? "float" : "int");
type Op = (a: mx.MxArray, b: mx.MxArray) => mx.MxArray;
const un = (name: string): Op => (a) => (mx as unknown as Record<string, (x: mx.MxArray, opt: object) => mx.MxArray>)[name]!(a, o);
const bin = (name: string): Op => (a, b) => (mx as unknown as Record<string, (x: mx.MxArray, y: mx.MxArray, opt: object) => mx.MxArray>)[name]!(a, b, o);
/** Ops per kind of the first operand (the second is cast to its dtype first). */
const OPS: Record<Kind, Op[]> = {
  float: [...["add", "subtract", "multiply", "divide", "maximum", "minimum", "power", "arctan2", "logaddexp", "remainder"].map(bin), ...["exp", "sin", "sqrt", "log1p", "tanh", "sigmoid", "negative", "abs", "square", "floor", "erf", "reciprocal", "isnan"].map(un)],
  int: [...["add", "subtract", "multiply", "maximum", "minimum", "floorDivide", "remainder", "bitwiseAnd", "bitwiseXor", "leftShift", "rightShift"].map(bin), ...["negative", "abs", "square", "sign", "bitwiseInvert"].map(un)],
  bool: [...["logicalAnd", "logicalOr", "notEqual", "equal"].map(bin), un("logicalNot")],
};
/** Ops on any dtype: comparisons, where on a comparison, casts (to the dtype the node names). */
const ANY: ((a: mx.MxArray, b: mx.MxArray, to: mx.DType) => mx.MxArray)[] = [
  (a, b) => mx.less(a, b, o),
  (a, b) => mx.where(mx.greater(a, b, o), a, b, o),
  (a, _b, to) => mx.astype(a, to, o),
  (a, _b, to) => mx.astype(a, to, o),
];

interface Chain {
  leaves: { dtype: mx.DType; shape: number[]; values: number[] }[];
  /** Per node: an op index, two operands (indices into leaves then nodes, from the newest back) and a cast target. */
  nodes: { op: number; a: number; b: number; to: mx.DType }[];
  /** Nodes returned besides the last one. */
  extra: number[];
}

/** A value of `d` with wraparound-prone integers and special floats. */
function valueArb(d: mx.DType): fc.Arbitrary<number> {
  if (d.kind === "bool") return fc.integer({ min: 0, max: 1 });
  if (d.kind === "float") return fc.oneof({ weight: 8, arbitrary: fc.double({ min: -4, max: 4, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e-40, 65504, 3e38) });
  const bits = d.size * 8;
  return d.kind === "uint" ? fc.integer({ min: 0, max: 2 ** bits - 1 }) : fc.integer({ min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 });
}

/** Chains of 2 to 24 nodes over leaves of `dtypes`, broadcast against each other ([m, n], [n], [m, 1], []), cast among `casts`. */
function chainArb(dtypes: mx.DType[], casts: mx.DType[]): fc.Arbitrary<Chain> {
  const leafShape = (m: number, n: number) => fc.constantFrom([m, n], [n], [m, 1], [] as number[]);
  return fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 37 }), fc.integer({ min: 1, max: 3 })).chain(([m, n, count]) =>
    fc.record({
      leaves: fc.array(
        fc.tuple(fc.constantFrom(...dtypes), leafShape(m, n)).chain(([dtype, shape]) =>
          fc.record({ dtype: fc.constant(dtype), shape: fc.constant(shape), values: fc.array(valueArb(dtype), { minLength: shape.reduce((x, y) => x * y, 1), maxLength: shape.reduce((x, y) => x * y, 1) }) }),
        ),
        { minLength: count, maxLength: count },
      ),
      nodes: fc.array(fc.record({ op: fc.nat(99), a: fc.nat(3), b: fc.nat(6), to: fc.constantFrom(...casts) }), { minLength: 2, maxLength: 16 }),
      extra: fc.array(fc.nat(15), { maxLength: 2 }),
    }),
  );
}

/** The chain as a function of its leaves (each node reads recent values, so most of it is one group). */
function chainFunction(c: Chain): (...leaves: mx.MxArray[]) => mx.MxArray[] {
  return (...leaves) => {
    const values = [...leaves];
    for (const n of c.nodes) {
      const a = values[Math.max(0, values.length - 1 - n.a)]!;
      const b0 = values[Math.max(0, values.length - 1 - n.b)]!;
      const b = b0.dtype === a.dtype ? b0 : mx.astype(b0, a.dtype, o);
      const table = OPS[kindOf(a.dtype)];
      const k = n.op % (table.length + ANY.length);
      values.push(k < table.length ? table[k]!(a, b) : ANY[k - table.length]!(a, b, n.to));
    }
    const last = values.length - 1;
    return [...new Set([...c.extra.map((e) => Math.max(leaves.length, last - e)), last])].map((i) => values[i]!);
  };
}

const leavesOf = (c: Chain) => c.leaves.map((l) => mx.reshape(mx.array(l.values, l.dtype, o), l.shape, o));

describe.skipIf(!hasWebGpu)("compile on webgpu: fused kernels", () => {
  const chainCases: [string, mx.DType[], mx.DType[], number][] = [
    ["float32", [mx.float32], [mx.float32], 4],
    ["float16", [mx.float16], [mx.float16], 3],
    ["bfloat16", [mx.bfloat16], [mx.bfloat16], 3],
    ["int32", [mx.int32], [mx.int32], 4],
    ["uint8", [mx.uint8], [mx.uint8], 4],
    ["bool", [mx.bool], [mx.bool], 3],
    ["mixed casts", [mx.float32, mx.float16, mx.int32, mx.uint8, mx.bool], [mx.float32, mx.float16, mx.bfloat16, mx.int32, mx.int8, mx.int16, mx.uint8, mx.uint16, mx.uint32, mx.bool], 8],
  ];

  it.each(chainCases)("random %s chains give the uncompiled bits", async (_name, dtypes, casts, runs) => {
    let groups = 0;
    await fc.assert(
      fc.asyncProperty(chainArb(dtypes, casts), async (c) => {
        groups += await (fullProfile ? expectSameValues : expectSameBits)(chainFunction(c), leavesOf(c));
      }),
      // the full profile: 30 times the runs, from the suite's seed (FC_SEED)
      { numRuns: sized(runs, 30 * runs), ...sized({ seed: 17 }, {}) },
    );
    expect(groups).toBeGreaterThan(0);
  }, sized(120_000, 3_600_000));

  it("random float graphs of the conformance run (reductions between groups, transposed leaves) give the uncompiled bits", async () => {
    for (const dtype of sized([mx.float32, mx.float16], [mx.float32, mx.float16, mx.bfloat16])) {
      await fc.assert(
        fc.asyncProperty(graphArb(dtype), async (g) => {
          await (fullProfile ? expectSameValues : expectSameBits)(graphFunction(g, mx.webgpu), g.leaves.map((l) => materialize(l, mx.webgpu)));
        }),
        { numRuns: sized(3, 100), ...sized({ seed: 3 }, {}) },
      );
    }
  }, sized(120_000, 3_600_000));

  it("runs a chain with broadcast and transposed inputs as one dispatch", async () => {
    const x = mx.transpose(mx.reshape(mx.arange(0, 4099 * 3, 1, { dtype: mx.float32, ...o }), [4099, 3], o), undefined, o); // [3, 4099], strided
    const y = mx.array([0.5, -2, 3], mx.float32, o);
    const f = (a: mx.MxArray, b: mx.MxArray) => {
      let v = mx.multiply(a, mx.reshape(b, [3, 1], o), o);
      for (let i = 0; i < 8; i++) v = mx.sin(mx.add(v, 0.25, o), o);
      return [mx.astype(v, mx.bfloat16, o)];
    };
    await mx.eval(x, y);
    const cf = mx.compile(f);
    let compiled: mx.MxArray[] = [];
    let plain: mx.MxArray[] = [];
    const fused = await dispatches(() => mx.eval(...(compiled = cf(x, y))));
    const unfused = await dispatches(() => mx.eval(...(plain = f(x, y))));
    expect(fused).toBe(1);
    expect(unfused).toBeGreaterThanOrEqual(18);
    expect(await storageBytes(compiled)).toEqual(await storageBytes(plain));
  });

  it("computes several outputs of different shapes and packed dtypes in one dispatch", async () => {
    const x = mx.reshape(mx.array(Array.from({ length: 7 * 5 }, (_, i) => Math.sin(i) * 3), mx.float32, o), [7, 5], o);
    const y = mx.array([1, -0.5, 2, 0, 3], mx.float16, o);
    const f = (a: mx.MxArray, b: mx.MxArray) => {
      const small = mx.exp(mx.multiply(b, 1.5, o), o); // [5] float16
      const big = mx.add(a, mx.astype(mx.negative(small, o), mx.float32, o), o); // [7, 5] float32
      const bytesOut = mx.astype(mx.abs(big, o), mx.uint8, o);
      const flags = mx.greater(big, 0.5, o);
      return [small, big, bytesOut, mx.logicalAnd(flags, mx.astype(bytesOut, mx.bool, o), o)];
    };
    await mx.eval(x, y);
    const cf = mx.compile(f);
    let outs: mx.MxArray[] = [];
    expect(await dispatches(() => mx.eval(...(outs = cf(x, y))))).toBe(1);
    expect(outs.map((v) => v.shape)).toEqual([[5], [7, 5], [7, 5], [7, 5]]);
    expect(await storageBytes(outs)).toEqual(await storageBytes(f(x, y)));
    expect(mx.compileStats(cf).traces[0]!.groups).toBe(1);
  });

  it("stores packed outputs as their own kernels do (float16 NaN signs, a broadcast view read back)", async () => {
    const x = mx.array([NaN, 0, 1, -2], mx.float16, o);
    // NaNs of y meet numbers of x (which NaN a NaN-NaN product keeps is the compiler's operand order, in either kernel)
    const y = mx.array(Array.from({ length: 12 }, (_, i) => (i % 4 === 2 ? NaN : i - 6)), mx.float16, o);
    const f = (a: mx.MxArray, b: mx.MxArray) => {
      const negated = mx.negative(a, o); // -NaN
      const wide = mx.broadcastTo(negated, [3, 4], o);
      return [negated, mx.add(negated, negated, o), wide, mx.multiply(wide, mx.reshape(b, [3, 4], o), o)];
    };
    expect(await expectSameBits(f, [x, y])).toBeGreaterThan(0);
  });

  // a broadcast is a view of its operand's bits: NaN payloads (which packing a value makes 0x7e00) pass through the fused kernel
  it.each([mx.float16, mx.bfloat16])("passes %s NaN payloads through broadcasts as views do", async (dtype) => {
    const x = mx.view(mx.array(new Uint16Array([0x7d23, 0xfc01, 0x7fc1, 0x3c00]), mx.uint16, o), dtype, o);
    const f = (a: mx.MxArray) => {
      const wide = mx.broadcastTo(a, [3, 4], o);
      return [wide, mx.broadcastTo(wide, [2, 3, 4], o), mx.add(wide, 1, o)];
    };
    expect(await expectSameBits(f, [x])).toBeGreaterThan(0);
  });

  // the fused node takes the unfused kernel's narrow path (mx_exp_narrow and kin) element by element as the unfused kernel
  // does, also where the element's word holds one that takes the full function (a NaN beside each input); the unfused
  // float16 words are packed by pack2x16float, which rounds to nearest even on lavapipe and the H200 as pack_float16 does
  it.each([mx.float16, mx.bfloat16])("exp, sigmoid, tanh, erf and sqrt of every %s input give the uncompiled bits, alone and beside a NaN", async (dtype) => {
    const nan = dtype === mx.float16 ? 0x7e00 : 0x7fc0;
    const alone = new Uint16Array(65536).map((_, i) => i);
    const besideNaN = new Uint16Array(2 * 65536).map((_, i) => (i % 2 === 0 ? i / 2 : nan));
    const f = (a: mx.MxArray) => [mx.multiply(mx.exp(a, o), 1, o), mx.sigmoid(mx.add(a, 0, o), o), mx.tanh(mx.negative(a, o), o), mx.erf(a, o), mx.sqrt(mx.abs(a, o), o)];
    for (const bits of [alone, besideNaN]) {
      expect(await expectSameBits(f, [mx.view(mx.array(bits, mx.uint16, o), dtype, o)])).toBeGreaterThan(0);
    }
  });

  // a product fused into a later sum (one fma: 2^-24 where the rounded product gives 0) and an operand read twice by a
  // node (x / x, x - x folded to 1 and 0 under finite-math assumptions: NaN for inf) must not be (fuse.ts opaqueOperands)
  it("keeps float32 nodes apart as their own kernels are: no product contracted into a later sum, no x / x folded", async () => {
    const near = 1 + 2 ** -12;
    const a = mx.array([near, near, 3, Infinity, 0, -Infinity, NaN], mx.float32, o);
    const b = mx.array([near, -near, 1 / 3, 2, 0, 1, 1], mx.float32, o);
    const c = mx.array([-(1 + 2 ** -11), 1 + 2 ** -11, -1, 1, 0, 1, 1], mx.float32, o);
    const f = (x: mx.MxArray, y: mx.MxArray, z: mx.MxArray) => {
      const t = mx.add(x, 0, o);
      return [mx.add(mx.multiply(x, y, o), z, o), mx.subtract(z, mx.multiply(x, y, o), o), mx.divide(t, t, o), mx.subtract(t, t, o), mx.multiply(mx.divide(x, x, o), y, o)];
    };
    expect(await expectSameBits(f, [a, b, c])).toBeGreaterThan(0);
    expect(await f(a, b, c)[0]!.tolist()).toEqual([0, 0, 0, Infinity, 0, -Infinity, NaN]);
  });

  // one value reaching a node as two operands: through a broadcast (its value passed on), or as two nodes of the same
  // code (which the shader compiler merges): x - x is NaN for inf and NaN, not 0
  it.each([mx.float16, mx.bfloat16, mx.float32])("does not fold %s x - x where both sides are one value to the compiler", async (dtype) => {
    const x = mx.array([[Infinity, -Infinity, NaN, 1, 0, 2.5]], dtype, o);
    const viaBroadcast = (v: mx.MxArray) => {
      const t = mx.exp(v, o);
      return [mx.subtract(t, mx.broadcastTo(t, [2, 6], o), o)];
    };
    const twins = (v: mx.MxArray) => [mx.subtract(mx.add(v, 1, o), mx.add(mx.broadcastTo(v, [2, 6], o), 1, o), o)];
    // exp(x) - exp(x): NaN where exp gives inf or NaN; (x + 1) - (x + 1): NaN for both infinities and NaN
    for (const [f, row] of [[viaBroadcast, [NaN, 0, NaN, 0, 0, 0]], [twins, [NaN, NaN, NaN, 0, 0, 0]]] as const) {
      expect(await expectSameBits(f, [x])).toBeGreaterThan(0);
      expect(await f(x)[0]!.tolist()).toEqual([row, row]);
    }
  });

  // the shader compiler knows x != x is false and x - x is 0 for integers (rightly), then would fold 0 / y as 0 and
  // 0 * y as 0 where such a value reaches a float op through its cast: the cast takes it opaque (fuse.ts opaqueOperands)
  it.each([mx.float16, mx.bfloat16, mx.float32])("does not fold %s ops on the cast of an integer value the compiler knows", async (dtype) => {
    const x = mx.array([0, 1, -3, 7], mx.int32, o);
    const known = [(v: mx.MxArray) => mx.notEqual(v, v, o), (v: mx.MxArray) => mx.subtract(v, v, o)];
    for (const zero of known) {
      const f = (v: mx.MxArray) => {
        const z = mx.astype(zero(v), dtype, o);
        return [mx.divide(z, z, o), mx.multiply(z, mx.divide(1, z, o), o)];
      };
      expect(await expectSameBits(f, [x])).toBeGreaterThan(0);
      for (const y of f(x)) expect(await y.tolist()).toEqual([NaN, NaN, NaN, NaN]);
    }
  });

  // fused float16 nodes are rounded by round_float16 where read, and outputs packed a pair at a time (fuse.ts roundsLater):
  // intermediates that round to subnormals, overflow or NaN, an odd element count (a half word), a broadcast of an
  // intermediate (its bits), a float32 output of one
  it("every float16 pattern through rounded intermediates gives the uncompiled bits", async () => {
    const x = mx.view(mx.array(new Uint16Array(65536 + 2).map((_, i) => i & 0xffff), mx.uint16, o), mx.float16, o);
    const a = mx.slice(x, [1], [65536 + 2], undefined, o); // 65537 elements from an odd offset
    const f = (v: mx.MxArray) => {
      const t = mx.multiply(v, 0.7, o);
      const u = mx.subtract(mx.multiply(t, 3, o), v, o);
      const small = mx.multiply(t, 0.0001, o);
      const third = mx.divide(t, 3, o);
      return [mx.add(u, t, o), mx.astype(small, mx.float32, o), mx.broadcastTo(third, [2, 65536 + 1], o), mx.multiply(small, small, o)];
    };
    expect(await expectSameBits(f, [a])).toBeGreaterThan(0);
  });

  // the unfused kernel takes these functions' branch-free fast paths (RARE_SPLITS) and the full function on rare words; the
  // fused node always runs the full function: both must give its bits, over every exponent, specials included
  it("log, sqrt, rsqrt, sigmoid, expm1, sinh, cosh, the inverse hyperbolics, erf, tan, arctan and logaddexp give the uncompiled bits over every float32 exponent", async () => {
    let seed = 7;
    const bits = new Uint32Array(1 << 16).map((_, i) => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) & 0x807fffff) | ((i % 256) << 23));
    const x = mx.view(mx.array(bits, mx.uint32, o), mx.float32, o);
    const fns = ["log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sigmoid", "expm1", "sinh", "cosh", "arcsinh", "arccosh", "arctanh", "erf", "tan", "arctan"] as const;
    const f = (a: mx.MxArray) => [...fns.map((fn) => mx.multiply(mx[fn](a, o), 1, o)), mx.logaddexp(a, 0, o), mx.logaddexp(a, mx.multiply(a, 0.75, o), o), mx.logaddexp(a, mx.add(a, 0, o), o)];
    expect(await expectSameBits(f, [x])).toBeGreaterThan(0);
  });

  it("keeps each output valid after the others are disposed (one buffer, views of it)", async () => {
    const f = (a: mx.MxArray) => [mx.exp(a, o), mx.astype(mx.multiply(mx.exp(a, o), 7, o), mx.uint8, o), mx.sin(mx.exp(a, o), o)];
    const a = mx.array([0, 1, 2, 3, 4], mx.float32, o);
    const [e, s, t] = mx.compile(f)(a);
    await mx.eval(e!, s!, t!);
    e!.dispose();
    t!.dispose();
    const noise = mx.add(mx.zeros([64], mx.float32, o), 9, o); // reuses freed buffers, if any were freed
    await mx.eval(noise);
    expect(await storageBytes([s!])).toEqual(await storageBytes([f(a)[1]!]));
  });

  it("declines groups with int64 or complex64, which then run node by node", () => {
    const gpu = getBackend("webgpu") as WebGpuBackend;
    const group = (d: mx.DType): FusedGroup => ({
      inputs: [d],
      nodes: [
        { primitive: new Unary("negative"), operands: [0], dtype: d },
        { primitive: new Binary("add"), operands: [1, 0], dtype: d },
      ],
      outputs: [1],
      key: `test-decline-${d.name}`,
    });
    expect(gpu.fuse(group(mx.int64))).toBeUndefined();
    expect(gpu.fuse(group(mx.complex64))).toBeUndefined();
    expect(gpu.fuse(group(mx.int32))).toBeDefined();
  });

  it("runs a call whose layout exceeds the params window node by node, with the same bits", async () => {
    const gpu = getBackend("webgpu") as WebGpuBackend;
    const group: FusedGroup = {
      inputs: [mx.float32],
      nodes: [
        { primitive: new Unary("exp"), operands: [0], dtype: mx.float32 },
        { primitive: new AsType(mx.float16), operands: [1], dtype: mx.float16 },
        { primitive: new Binary("multiply"), operands: [2, 2], dtype: mx.float16 },
      ],
      outputs: [0, 2],
      key: "test-params-window",
    };
    const x = mx.array([0.1, 1.3, -2, 5.5], mx.float32, o);
    await mx.eval(x);
    const outs = [{ shape: [4], dtype: mx.float32 }, { shape: [4], dtype: mx.float16 }];
    const run = (limit: number) => webGpuFuse(gpu, limit)(group)!(new Unary("exp"), [x.tensor()], outs);
    let tiny: ReturnType<typeof run> = [];
    let full: ReturnType<typeof run> = [];
    expect(await dispatches(async () => (tiny = run(4)))).toBe(3); // node by node
    expect(await dispatches(async () => (full = run(512)))).toBe(1);
    const read = async (ts: typeof tiny) => Promise.all(ts.map(async (t) => [...new Uint8Array((await gpu.read(t)).buffer.slice(0))]));
    const e = mx.exp(x, o);
    const h = mx.astype(e, mx.float16, o);
    const want = await storageBytes([e, mx.multiply(h, h, o)]);
    expect(await read(tiny)).toEqual(want);
    expect(await read(full)).toEqual(want);
    for (const t of [...tiny, ...full]) gpu.release(t.buffer);
  });
});
