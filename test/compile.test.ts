// mx.compile: the trace cache (hits, misses, retraces on new shapes, dtypes,
// constants and tree structures), shapeless traces, simplification counts,
// fusion on the cpu with bit-identical results (random graphs included),
// composition with the transforms, disableCompile, and errors naming compile.

import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { storageBytes } from "./helpers/bytes.js";
import { checkCompiledGraph, checkShapelessGraph, graphFunction } from "../conformance/compiled.js";
import { graphArb } from "../conformance/graphs.js";
import { acyclicGroups } from "../src/compile/fusion.js";
import { graphOf } from "../src/compile/graph.js";
import { BACKENDS, withDefaultDevice } from "./helpers/backends.js";
import { runTraced } from "../src/compile/shapeless-tracing.js";
import { broadcastToBatch } from "../src/primitives/layout.js";

const f32 = (v: number[] | number[][]) => mx.array(v, mx.float32);


describe("compile: the trace cache", () => {
  it("traces once per signature and replays on hits", async () => {
    let calls = 0;
    const f = mx.compile((x: mx.MxArray, y: mx.MxArray) => {
      calls++;
      return mx.add(mx.multiply(x, y), 1);
    });
    await expect(f(f32([1, 2]), f32([3, 4])).tolist()).resolves.toEqual([4, 9]);
    await expect(f(f32([5, 6]), f32([1, 1])).tolist()).resolves.toEqual([6, 7]);
    expect([mx.compileStats(f).misses, mx.compileStats(f).hits, calls]).toEqual([1, 1, 1]);
    // a new shape, a new dtype: each a new trace
    await expect(f(f32([1, 2, 3]), f32([1, 1, 1])).tolist()).resolves.toEqual([2, 3, 4]);
    await expect(f(mx.array([1, 2], mx.int32), mx.array([3, 4], mx.int32)).tolist()).resolves.toEqual([4, 9]);
    f(f32([1, 2, 3]), f32([0, 0, 0]));
    expect([mx.compileStats(f).misses, mx.compileStats(f).hits, calls]).toEqual([3, 2, 3]);
  });

  it("keys on constant arguments and on the structure of trees", async () => {
    const f = mx.compile((p: { w: mx.MxArray; b: mx.MxArray }, scale: number) => mx.multiply(mx.add(p.w, p.b), scale));
    const p = { w: f32([1, 2]), b: f32([1, 1]) };
    await expect(f(p, 2).tolist()).resolves.toEqual([4, 6]);
    await expect(f(p, 3).tolist()).resolves.toEqual([6, 9]);
    await expect(f({ w: f32([0, 0]), b: f32([1, 2]) }, 3).tolist()).resolves.toEqual([3, 6]);
    expect([mx.compileStats(f).misses, mx.compileStats(f).hits]).toEqual([2, 1]);
    expect(await storageBytes([f(p, -0)])).toEqual(await storageBytes([mx.multiply(mx.add(p.w, p.b), -0)])); // -0 is not 0
    expect(mx.compileStats(f).misses).toBe(3);
    const g = mx.compile((xs: mx.MxArray[]) => xs.reduce((a, b) => mx.add(a, b)));
    await expect(g([f32([1]), f32([2])]).tolist()).resolves.toEqual([3]);
    await expect(g([f32([1]), f32([2]), f32([3])]).tolist()).resolves.toEqual([6]);
    expect(mx.compileStats(g).misses).toBe(2);
  });

  it("returns the function's output tree", async () => {
    const f = mx.compile((x: mx.MxArray) => ({ double: mx.multiply(x, 2), parts: [mx.exp(x), x], tag: "t" }));
    const out = f(f32([0]));
    await expect(out.double.tolist()).resolves.toEqual([0]);
    await expect(out.parts[0]!.tolist()).resolves.toEqual([1]);
    await expect(out.parts[1]!.tolist()).resolves.toEqual([0]);
    expect(out.tag).toBe("t");
  });

  it("with shapeless, keeps one trace across shapes of the same ranks", async () => {
    const f = mx.compile((x: mx.MxArray, y: mx.MxArray) => mx.sum(mx.exp(mx.multiply(x, y)), { axis: -1 }), { shapeless: true });
    const ref = (x: mx.MxArray, y: mx.MxArray) => mx.sum(mx.exp(mx.multiply(x, y)), { axis: -1 });
    for (const n of [2, 5, 3]) {
      const x = mx.random.normal([3, n]);
      const y = mx.random.normal([1, n]);
      expect(await storageBytes([f(x, y)])).toEqual(await storageBytes([ref(x, y)]));
      expect([...f(x, y).shape]).toEqual([3]);
    }
    expect(mx.compileStats(f).misses).toBe(1);
    f(mx.ones([2, 2, 2]), mx.ones([2, 2, 2])); // another rank: another trace
    expect(mx.compileStats(f).misses).toBe(2);
  });

  it("with shapeless, flatten and unflatten follow the input's shape (MLX's advice for shapeless reshapes)", async () => {
    const body = (x: mx.MxArray) => mx.sum(mx.unflatten(mx.flatten(mx.exp(x), 0, 1), -1, [2, -1]), { axis: -2 });
    const f = mx.compile(body, { shapeless: true });
    for (const shape of [[2, 3, 4], [5, 1, 6], [1, 7, 2]]) {
      const x = mx.random.normal(shape);
      const y = f(x);
      expect([...y.shape]).toEqual([shape[0]! * shape[1]!, shape[2]! / 2]);
      expect(await storageBytes([y])).toEqual(await storageBytes([body(x)]));
      // their rules follow the new shapes too
      const grad = mx.grad((v: mx.MxArray) => mx.sum(mx.square(f(v))));
      expect(await storageBytes([grad(x)])).toEqual(await storageBytes([mx.grad((v: mx.MxArray) => mx.sum(mx.square(body(v))))(x)]));
    }
    expect(mx.compileStats(f).misses).toBe(1);
  });

  it("refuses a shapeless trace with a shape-fixing primitive, naming it", () => {
    const f = mx.compile((x: mx.MxArray) => mx.reshape(mx.exp(x), [6]), { shapeless: true });
    expect(() => f(mx.ones([2, 3]))).toThrow(/^\[compile\] shapeless: .*'reshape/);
    const g = mx.compile((x: mx.MxArray) => mx.broadcastTo(x, [2, 3]), { shapeless: true });
    expect(() => g(mx.ones([3]))).toThrow(/^\[compile\] shapeless: .*'(reshape|broadcast)/);
  });

  it("refuses a shapeless trace of arrays built from an input's shape in JS (the graph does not show it)", () => {
    const f = mx.compile((x: mx.MxArray) => mx.add(x, mx.arange(x.shape[0]!, { dtype: mx.float32 })), { shapeless: true });
    expect(() => f(mx.ones([3]))).toThrow(/^\[compile\] shapeless: .*'arange/);
    const g = mx.compile((x: mx.MxArray) => mx.multiply(x, mx.zeros([x.shape[0]!, 1])), { shapeless: true });
    expect(() => g(mx.ones([2, 3]))).toThrow(/^\[compile\] shapeless: /);
  });

  it("checks a shapeless replay's matmul operands (the op's checks are not replayed)", () => {
    const f = mx.compile((a: mx.MxArray, b: mx.MxArray) => mx.matmul(a, b), { shapeless: true });
    f(mx.ones([2, 3]), mx.ones([3, 4]));
    expect(() => f(mx.ones([2, 64]), mx.ones([3, 4]))).toThrow(/^\[matmul\] .*64.*3/);
  });

  it("broadcasts a shapeless replay's matmul batch axes by the call's shapes, whatever the trace's were", async () => {
    const b = mx.reshape(mx.arange(20, { dtype: mx.float32 }), [1, 4, 5]);
    // traced with equal batch axes, then with a's broadcast; each replayed with b's batch of 1
    for (const traced of [[2, 3, 4], [1, 3, 4]]) {
      const f = mx.compile((x: mx.MxArray, y: mx.MxArray) => mx.matmul(x, y), { shapeless: true });
      f(mx.ones(traced), mx.ones([2, 4, 5]));
      const a = mx.random.normal([2, 3, 4]);
      expect(await storageBytes([f(a, b)]), `traced as ${traced}`).toEqual(await storageBytes([mx.matmul(a, b)]));
      expect(() => f(a, mx.ones([3, 4, 5])), "batch axes that do not broadcast").toThrow(/^\[matmul\] .*cannot be broadcast together/);
      expect(mx.compileStats(f).misses).toBe(1);
    }
    // a matmul node takes operands of one batch shape only: no kernel broadcasts a batch axis of 1
    const p = mx.matmul(mx.ones([2, 3, 4]), mx.ones([2, 4, 5])).primitive!;
    expect(() => p.output([{ shape: [2, 3, 4], dtype: mx.float32 }, { shape: [1, 4, 5], dtype: mx.float32 }])).toThrow(/^\[matmul\] operands of shapes \(2, 3, 4\) and \(1, 4, 5\) do not multiply/);
  });
});

describe.each(BACKENDS)("compile: a transformer block's layers shapeless (nn.Linear on sequences, the fast norms, rope, attention) on $name", ({ device }) => {
  withDefaultDevice(device);
  it("serve every batch and length with one trace, bit for bit", async () => {
    const [wq, wk, wv] = [0, 1, 2].map(() => new mx.nn.Linear(8, 4));
    const out = new mx.nn.Linear(4, 8, false);
    const norm = new mx.nn.LayerNorm(8, { affine: false });
    const rms = new mx.nn.RMSNorm(4);
    await mx.eval([wq, wk, wv, out, rms].map((m) => m!.parameters()));
    // [B, L, 8] -> one head [B, 1, L, 4] and back, by rules of the input's shape (unflatten, swapaxes, flatten)
    const head = (x: mx.MxArray) => mx.swapaxes(mx.unflatten(x, -1, [1, -1]), 1, 2);
    const block = (x: mx.MxArray) => {
      const h = norm.forward(x);
      const q = mx.fast.rope(rms.forward(head(wq!.forward(h))), 4, { traditional: false, base: 10000, scale: 1, offset: 0 });
      const a = mx.fast.scaledDotProductAttention(q, head(wk!.forward(h)), head(wv!.forward(h)), { scale: 0.5, mask: "causal" });
      return mx.add(x, out.forward(mx.flatten(mx.swapaxes(a, 1, 2), 2, 3)));
    };
    const f = mx.compile(block, { shapeless: true });
    for (const shape of [[2, 3, 8], [1, 5, 8], [3, 1, 8]]) {
      const x = mx.random.normal(shape);
      expect(await storageBytes([f(x)]), `${shape}`).toEqual(await storageBytes([block(x)]));
    }
    expect(mx.compileStats(f).misses).toBe(1);
  });

  it("take nn.Embedding's ids of every batch and length with one trace a rank, bit for bit (mx.take with and without an axis, negative and clamped ids)", async () => {
    const embed = new mx.nn.Embedding(11, 6);
    const proj = new mx.nn.Linear(6, 3);
    await mx.eval([embed.parameters(), proj.parameters()]);
    const lm = (ids: mx.MxArray) => mx.softmax(proj.forward(embed.forward(ids)), -1);
    const f = mx.compile(lm, { shapeless: true });
    const ids = (shape: number[], seed: number) => mx.random.randint(-11, 11, shape, { key: mx.random.key(seed), dtype: mx.int32 });
    for (const [i, shape] of [[2, 3], [1, 9], [4, 1]].entries()) {
      const x = ids(shape, i);
      expect(await storageBytes([f(x)]), `${shape}`).toEqual(await storageBytes([lm(x)]));
    }
    expect(mx.compileStats(f).misses).toBe(1);
    // nn.RoPE on heads [B, H, L, D] (fast.rope takes the leading axes as they come)
    const rope = new mx.nn.RoPE(4);
    const rotate = mx.compile((x: mx.MxArray) => rope.forward(x, 2), { shapeless: true });
    for (const shape of [[1, 2, 3, 4], [2, 3, 5, 4]]) {
      const x = mx.random.normal(shape, { key: mx.random.key(7) });
      expect(await storageBytes([rotate(x)]), `rope ${shape}`).toEqual(await storageBytes([rope.forward(x, 2)]));
    }
    expect(mx.compileStats(rotate).misses).toBe(1);
    // without an axis: the array flattened by its own shape; an id past the end clamps
    const flat = mx.compile((t: mx.MxArray, i: mx.MxArray) => mx.take(t, i), { shapeless: true });
    await expect(flat(mx.array([[1, 2], [3, 4]], mx.float32), mx.array([3, 0, -1, 9])).tolist()).resolves.toEqual([4, 1, 4, 4]);
    await expect(flat(mx.array([[5, 6, 7]], mx.float32), mx.array([2, -3, 1, 1])).tolist()).resolves.toEqual([7, 5, 6, 6]);
    expect(mx.compileStats(flat).misses).toBe(1);
    // 64-bit and complex elements move as their words
    await expect(flat(mx.array([[1n, 2n ** 40n]], mx.int64), mx.array([1, 0], mx.int64)).tolist()).resolves.toEqual([2n ** 40n, 1n]);
    await expect(flat(mx.array([1, 2, 3], mx.complex64), mx.array([2, 0])).tolist()).resolves.toEqual([{ re: 3, im: 0 }, { re: 1, im: 0 }]);
  });
});

describe.each(BACKENDS)("compile: a shapeless trace's take (the Take node) under the transforms on $name", ({ device }) => {
  withDefaultDevice(device);
  // the node a shapeless trace builds, against the graph take builds otherwise
  const traced = (w: mx.MxArray, i: mx.MxArray, axis?: number) => runTraced(true, () => mx.take(w, i, axis));
  let w: mx.MxArray, ids: mx.MxArray;
  beforeEach(() => {
    w = mx.random.normal([5, 3, 4], { key: mx.random.key(1) });
    ids = mx.array([[4, 0], [-1, 4], [2, 2]], mx.int32);
  });

  it("is a Take node, with take's values", async () => {
    expect(traced(w, ids, 1).primitive?.name).toBe("take");
    for (const axis of [0, 1, 2, undefined]) expect(await storageBytes([traced(w, ids, axis)]), `axis ${axis}`).toEqual(await storageBytes([mx.take(w, ids, axis)]));
    expect(await storageBytes([traced(w, mx.array(-2, mx.int32), 1)])).toEqual(await storageBytes([mx.take(w, -2, 1)]));
  });

  it("grad (repeated ids accumulate) and jvp as take's", async () => {
    const c = mx.random.normal([5, 3, 2, 4], { key: mx.random.key(2) });
    const loss = (take: typeof traced) => (x: mx.MxArray) => mx.sum(mx.multiply(take(x, ids, 1), c));
    expect(await storageBytes([mx.grad(loss(traced))(w)])).toEqual(await storageBytes([mx.grad(loss(mx.take))(w)]));
    const t = mx.random.normal([5, 3, 4], { key: mx.random.key(3) });
    const [, jt] = mx.jvp((x: mx.MxArray) => traced(x, ids, 2), [w], [t]);
    expect(await storageBytes(jt)).toEqual(await storageBytes([mx.take(t, ids, 2)]));
  });

  it("vmap over the array, the ids, or both (along axis 1), as take's", async () => {
    const ws = mx.random.normal([2, 5, 4], { key: mx.random.key(4) });
    const is = mx.array([[[0, 4]], [[3, -1]]], mx.int32);
    for (const inAxes of [[0, null], [null, 0], [0, 0]] as const) {
      const a = inAxes[0] === 0 ? ws : mx.reshape(w, [5, 12]);
      const i = inAxes[1] === 0 ? is : ids;
      const got = mx.vmap((x: mx.MxArray, j: mx.MxArray) => traced(x, j, 1), { inAxes: [...inAxes] })(a, i);
      const want = mx.vmap((x: mx.MxArray, j: mx.MxArray) => mx.take(x, j, 1), { inAxes: [...inAxes] })(a, i);
      expect(got.shape, `in_axes ${inAxes}`).toEqual(want.shape);
      expect(await storageBytes([got]), `in_axes ${inAxes}`).toEqual(await storageBytes([want]));
    }
  });
});

describe.each(BACKENDS)("compile: mean, var and std in a shapeless trace divide by each call's count (the NumberOfElements node) on $name", ({ device }) => {
  withDefaultDevice(device);
  it("serve every shape with one trace, bit for bit", async () => {
    const cases: [string, (x: mx.MxArray) => mx.MxArray][] = [
      ["mean of the last axis", (x) => mx.mean(x, -1)],
      ["mean of all, float16", (x) => mx.mean(mx.astype(x, mx.float16))],
      ["mean of int32, kept", (x) => mx.mean(mx.astype(mx.multiply(x, 4), mx.int32), 0, { keepdims: true })],
      ["var with ddof 1", (x) => mx.var(x, 0, { ddof: 1 })],
      ["var of complex64", (x) => mx.var(mx.astype(x, mx.complex64), -1)],
      ["std of all", (x) => mx.std(x)],
      ["mean under vmap", (x) => mx.vmap((r: mx.MxArray) => mx.divide(r, mx.mean(r)))(x) as mx.MxArray],
      ["var under vmap of the last axis", (x) => mx.vmap((r: mx.MxArray) => mx.var(r, 0, { ddof: 1 }), { inAxes: 1 })(x) as mx.MxArray],
    ];
    for (const [name, f] of cases) {
      const g = mx.compile(f, { shapeless: true });
      // ddof 1 over one element: the count is 0, the variance inf or nan, as uncompiled
      for (const shape of [[3, 4], [5, 7], [1, 2], [2, 1]]) {
        const x = mx.random.normal(shape, { key: mx.random.key(shape[0]! * 10 + shape[1]!) });
        expect(await storageBytes([g(x)]), `${name}, shape ${shape}`).toEqual(await storageBytes([f(x)]));
      }
      expect(mx.compileStats(g).misses, name).toBe(1);
    }
  });
});

describe.each(BACKENDS)("compile: expandDims, squeeze, concatenate, sorts and the gathers and scatters along an axis in a shapeless trace on $name", ({ device }) => {
  withDefaultDevice(device);
  it("follow each call's shapes with one trace, bit for bit", async () => {
    const ids = (x: mx.MxArray) => mx.argmax(x, -1, { keepdims: true });
    const cases: [string, (x: mx.MxArray) => mx.MxArray][] = [
      ["expandDims and an outer product", (x) => mx.multiply(mx.expandDims(x, -1), mx.expandDims(x, [0, 2]))],
      ["new axes by index (x[None, ..., None])", (x) => mx.index(x, null, "...", null)],
      ["squeeze of a kept reduction", (x) => mx.squeeze(mx.sum(x, -1, { keepdims: true }), -1)],
      ["concatenate and stack", (x) => mx.concatenate([mx.stack([x, mx.exp(x)], 1), mx.expandDims(x, 1)], 1)],
      ["sort and argsort", (x) => mx.add(mx.sort(x, -1), mx.astype(mx.argsort(x, 0), mx.float32))],
      ["takeAlongAxis and putAlongAxis", (x) => mx.putAlongAxis(x, ids(x), mx.takeAlongAxis(mx.negative(x), ids(x), -1), -1)],
      ["a binary op's operands of two ranks under vmap", (x) => mx.vmap((r: mx.MxArray) => mx.divide(r, mx.max(r)))(x) as mx.MxArray],
      ["flatten and unflatten under vmap", (x) => mx.vmap((r: mx.MxArray) => mx.flatten(mx.unflatten(r, 0, [-1, 1])))(x) as mx.MxArray],
      ["unflatten under vmap", (x) => mx.vmap((r: mx.MxArray) => mx.sum(mx.unflatten(r, 0, [1, -1]), 0))(x) as mx.MxArray],
      ["unbatched operands under vmap: concatenate, takeAlongAxis, putAlongAxis", (x) => {
        const c = mx.array([2.5, -1], mx.float32);
        const j = mx.argmax(x, -1, { keepdims: true });
        const taken = mx.vmap((k: mx.MxArray) => mx.concatenate([mx.takeAlongAxis(c, k, 0), mx.putAlongAxis(c, k, mx.astype(k, mx.float32), 0)], 0))(mx.remainder(j, 2)) as mx.MxArray;
        return mx.concatenate([taken, mx.vmap((r: mx.MxArray) => mx.concatenate([c, r], 0))(x) as mx.MxArray], 1);
      }],
      ["expandDims and squeeze under vmap", (x) => mx.vmap((r: mx.MxArray) => mx.squeeze(mx.multiply(mx.expandDims(r, [-1, 0]), mx.expandDims(r, 1)), 0), { inAxes: 1 })(x) as mx.MxArray],
      ["an unbatched operand under nested vmap (BroadcastAxes batched)", (x) => mx.vmap(mx.vmap((e: mx.MxArray) => mx.concatenate([mx.array([2.5, -1], mx.float32), mx.expandDims(e, 0)], 0)))(x) as mx.MxArray],
    ];
    for (const [name, f] of cases) {
      const g = mx.compile(f, { shapeless: true });
      for (const shape of [[3, 4], [5, 7], [1, 2]]) {
        const x = mx.random.normal(shape, { key: mx.random.key(shape[0]! * 10 + shape[1]!) });
        const [got, want] = [g(x), f(x)];
        expect([got.shape, await storageBytes([got])], `${name}, shape ${shape}`).toEqual([want.shape, await storageBytes([want])]);
      }
      expect(mx.compileStats(g).misses, name).toBe(1);
    }
    // the vmap rules against the same values computed without vmap
    const x = mx.random.normal([4, 3], { key: mx.random.key(9) });
    const t = mx.transpose(x);
    const vmapped: [number, mx.MxArray][] = [[6, mx.divide(x, mx.max(x, -1, { keepdims: true }))], [7, x], [8, x], [10, mx.expandDims(mx.multiply(t, t), -1)]];
    for (const [k, want] of vmapped) {
      const got = cases[k]![1](x);
      expect([got.shape, await storageBytes([got])], cases[k]![0]).toEqual([want.shape, await storageBytes([want])]);
    }
  });

  it("broadcasts an unbatched operand to the batch of a batched one of any rank by a rule of its shape", async () => {
    for (const x of [mx.array(7, mx.float32), mx.array([1, 2], mx.float32), mx.array([[1, 2, 3]], mx.float32)]) {
      for (const likeShape of [[4], [4, 2], [4, 2, 5], [4, 2, 5, 3]]) {
        const like = mx.zeros(likeShape);
        const ruled = runTraced(true, () => broadcastToBatch(x, like));
        const what = `x of ${x.ndim} axes, like ${likeShape}`;
        expect(ruled.primitive?.name, what).toBe(x.ndim === 0 ? "reshape" : "broadcastAxes");
        expect([ruled.shape, await ruled.tolist()], what).toEqual([[4, ...x.shape], await broadcastToBatch(x, like).tolist()]);
      }
    }
  });

  it("a fused group whose last node holds no element while another output does runs as its members, traced so or replayed so", async () => {
    const f = (x: mx.MxArray, y: mx.MxArray, z: mx.MxArray) => {
      const s = mx.sin(x);
      return [mx.add(s, z), mx.maximum(s, y)];
    };
    const [x, y, z] = [mx.array([[1, 2]], mx.float32), mx.zeros([0, 2]), mx.array([[10], [20]], mx.float32)];
    const shapeless = mx.compile(f, { shapeless: true });
    shapeless(mx.ones([1, 2]), mx.ones([1, 2]), mx.ones([2, 1]));
    for (const [how, g] of [["compiled", mx.compile(f)], ["shapeless, traced on other shapes", shapeless]] as const) {
      const [got, want] = [g(x, y, z), f(x, y, z)];
      expect(await storageBytes(got), how).toEqual(await storageBytes(want));
    }
  });

  it("a fused reduction group whose epilogue a replay's shapes broadcast past the reduction runs as its members (traced with size-1 axes)", async () => {
    const cases: [string, (x: mx.MxArray, y: mx.MxArray) => mx.MxArray][] = [
      ["x - mean(x, -1, keepdims)", (x) => mx.subtract(x, mx.mean(x, -1, { keepdims: true }))],
      ["exp(x - max(x, -1, keepdims))", (x) => mx.exp(mx.subtract(x, mx.max(x, -1, { keepdims: true })))],
      ["exp(sum(exp(x), 1, keepdims) + y)", (x, y) => mx.exp(mx.add(mx.sum(mx.exp(x), 1, { keepdims: true }), y))],
    ];
    for (const [name, f] of cases) {
      const g = mx.compile(f, { shapeless: true });
      for (const [sx, sy] of [[[2, 1], [2, 1]], [[3, 4], [3, 5]], [[1, 4], [7, 1]]]) {
        const x = mx.random.normal(sx!, { key: mx.random.key(1) }), y = mx.random.normal(sy!, { key: mx.random.key(2) });
        const [got, want] = [g(x, y), f(x, y)];
        expect([got.shape, await storageBytes([got])], `${name}, ${sx} and ${sy}`).toEqual([want.shape, await storageBytes([want])]);
      }
      expect(mx.compileStats(g).misses, name).toBe(1);
    }
  });

  it("a replayed squeeze checks its axes are still of size 1; squeeze without axes, einsum of three operands and shapes fixed in numbers are refused", () => {
    const f = mx.compile((x: mx.MxArray) => mx.squeeze(x, 1), { shapeless: true });
    expect(f(mx.ones([3, 1, 4])).shape).toEqual([3, 4]);
    expect(f(mx.ones([2, 1, 5])).shape).toEqual([2, 5]);
    expect(() => f(mx.ones([3, 2, 4]))).toThrow(/^\[squeeze\] cannot squeeze axis 1 of size 2/);
    expect(mx.compileStats(f).misses).toBe(1);
    // einsum of two operands replays; of more, its contraction order would follow the traced sizes
    const pair = mx.compile((a: mx.MxArray, b: mx.MxArray) => mx.einsum("bij,bjk->bik", a, b), { shapeless: true });
    expect([pair(mx.ones([2, 2, 3]), mx.ones([2, 3, 4])).shape, pair(mx.ones([4, 5, 3]), mx.ones([4, 3, 7])).shape]).toEqual([[2, 2, 4], [4, 5, 7]]);
    const chain = mx.compile((a: mx.MxArray, b: mx.MxArray, c: mx.MxArray) => mx.einsum("ij,jk,kl->il", a, b, c), { shapeless: true });
    expect(() => chain(mx.ones([2, 3]), mx.ones([3, 4]), mx.ones([4, 5]))).toThrow(/^\[einsum\] the order in which it contracts 3 operands follows their sizes/);
    // a shape asked for in numbers that the traced shape happens to have is still fixed: refused, not skipped
    const fixed: [string, (x: mx.MxArray) => mx.MxArray][] = [
      ["slice", (x) => mx.slice(x, [0], [3])],
      ["index", (x) => mx.index(x, null, ":3")],
      ["index", (x) => mx.index(x, "-3:")],
    ];
    for (const [name, f] of fixed) expect(() => mx.compile(f, { shapeless: true })(mx.ones([3, 2])), `${f}`).toThrow(new RegExp(`^\\[compile\\] shapeless: the function uses '${name}`));
    // bounds that take every element of any size skip the node
    const whole = mx.compile((x: mx.MxArray) => mx.add(mx.slice(x, [0, 0], [null, null]), mx.index(x, "0:", "...")), { shapeless: true });
    expect([whole(mx.ones([3, 2])).shape, whole(mx.ones([5, 4])).shape]).toEqual([[3, 2], [5, 4]]);
    // without axes it would fix the traced shape's size-1 axes
    expect(() => mx.compile((x: mx.MxArray) => mx.squeeze(x), { shapeless: true })(mx.ones([1, 4]))).toThrow(/^\[squeeze\] without axes removes the traced shape's size-1 axes/);
  });
});

describe("compile: simplification and fusion", () => {
  withDefaultDevice(mx.cpu); // folding, fused cpu loops and bit-identical results are the cpu's
  it("removes common subexpressions, folds scalar constants and counts them", async () => {
    const fn = (x: mx.MxArray) => {
      const a = mx.exp(mx.multiply(x, 2));
      const b = mx.exp(mx.multiply(x, 2));
      const k = mx.add(mx.array(3, mx.float32), mx.array(4, mx.float32)); // folds to 7
      return mx.add(mx.add(a, b), mx.multiply(k, mx.array(3, mx.float32)));
    };
    const f = mx.compile(fn);
    const x = f32([0, 1]);
    expect(await storageBytes([f(x)])).toEqual(await storageBytes([fn(x)]));
    await expect(f(x).tolist()).resolves.toEqual([23, Math.fround(2 * Math.fround(Math.exp(2)) + 21)]);
    const t = mx.compileStats(f).traces[0]!;
    expect(t.cse).toBe(2);
    expect(t.folded).toBe(2);
    expect(t.mergedConstants).toBe(1); // the two float32 3s
    expect(t.nodes).toBe(1); // what remains fuses into one node
  });

  it("fuses a chain into one node on the cpu, bit-identical to the chain", async () => {
    const chain = (x: mx.MxArray) => {
      let y = x;
      for (let i = 0; i < 50; i++) y = mx.add(mx.multiply(y, 1.0001), 0.5);
      return y;
    };
    const f = mx.compile(chain);
    for (const dtype of [mx.float32, mx.float16, mx.bfloat16]) {
      const x = mx.astype(mx.random.normal([7, 3]), dtype);
      expect(await storageBytes([f(x)])).toEqual(await storageBytes([chain(x)]));
    }
    const t = mx.compileStats(f).traces[0]!;
    expect([t.traced, t.nodes, t.groups, t.fusedNodes]).toEqual([100, 1, 1, 100]);
  });

  it("fuses a group with several outputs, of different shapes, into one node", async () => {
    const fn = (x: mx.MxArray, c: mx.MxArray) => {
      const y = mx.exp(mx.multiply(x, 2)); // (3, 1), returned and read by the group
      const z = mx.tanh(mx.add(y, c)); // (3, 4)
      return [z, y, mx.sum(y)];
    };
    const f = mx.compile(fn);
    const x = f32([[0.5], [-1], [0.25]]);
    const c = mx.reshape(mx.arange(12, { dtype: mx.float32 }), [3, 4]);
    expect(await storageBytes(f(x, c))).toEqual(await storageBytes(fn(x, c)));
    const t = mx.compileStats(f).traces[0]!;
    expect([t.groups, t.fusedNodes, t.nodes]).toEqual([1, 4, 2]);
  });

  it("leaves unfused two groups that would need each other's values", () => {
    const x = f32([0.5, 1]);
    const [a, c] = [mx.exp(x), mx.sin(x)];
    const [b, d] = [mx.tanh(a), mx.multiply(a, c)];
    const e = mx.add(b, c);
    const g = graphOf([x], [d, e], new Set());
    const [na, nc, nb, nd, ne] = [a, c, b, d, e].map((v) => g.nodes.find((n) => n.prim === v.primitive)!);
    expect(g.nodes).toHaveLength(5);
    // {c, d} reads a from {a, b, e}, which reads c from {c, d}: a cycle once contracted
    expect(acyclicGroups(g, [[nc!, nd!], [na!, nb!, ne!]])).toEqual([]);
    expect(acyclicGroups(g, [[na!, nb!], [nc!, nd!]])).toHaveLength(2);
  });

  it("keeps every node's rounding in mixed dtypes: casts, integer wrap, comparisons, where", async () => {
    const f = (x: mx.MxArray, y: mx.MxArray) => {
      const h = mx.astype(mx.multiply(x, 1000), mx.float16); // rounds to float16
      const i = mx.astype(mx.multiply(h, 7), mx.int8); // wraps in int8
      const u = mx.add(mx.astype(i, mx.uint8), mx.astype(y, mx.uint8)); // wraps in uint8
      const big = mx.greater(mx.astype(u, mx.float32), mx.divide(x, y));
      return [mx.where(big, mx.sqrt(mx.abs(x)), mx.negative(h)), mx.astype(u, mx.int16), mx.bitwiseXor(mx.astype(i, mx.int32), 12345)];
    };
    const g = mx.compile(f);
    fc.assert(
      fc.property(fc.array(fc.double({ min: -300, max: 300, noNaN: true }), { minLength: 6, maxLength: 6 }), (vals) => {
        const x = mx.reshape(f32(vals), [2, 3]);
        const y = mx.array([3, -2.5, 250], mx.float32);
        const [a, b] = [f(x, y), g(x, y)];
        const read = (xs: mx.MxArray[]) => xs.map((v) => [...new Uint8Array(v.dataSync().buffer.slice(0))]);
        expect(read(b)).toEqual(read(a));
      }),
      { numRuns: 40, seed: 17 },
    );
    expect(mx.compileStats(g).traces[0]!.groups).toBeGreaterThan(0);
  });

  /** `check` holds on `numRuns` random graphs of each float dtype on the cpu. */
  async function holdsOnRandomGraphs(check: typeof checkCompiledGraph, numRuns: number, seed: number): Promise<void> {
    for (const dtype of [mx.float32, mx.float16, mx.bfloat16]) {
      await fc.assert(
        fc.asyncProperty(graphArb(dtype), async (g) => {
          const out = await check(g, "cpu");
          expect(out.failure).toBeUndefined();
        }),
        { numRuns, seed },
      );
    }
  }

  it("is bit-identical to the uncompiled graph on random graphs on the cpu", async () => {
    await holdsOnRandomGraphs(checkCompiledGraph, 25, 5);
  });

  it("a shapeless trace of a random graph, traced on inputs of one element an axis and replayed on the full ones (and back), is bit-identical on the cpu", async () => {
    await holdsOnRandomGraphs(checkShapelessGraph, 40, 7);
  });

  it("is bit-identical on random elementwise graphs (mostly fused) on the cpu", async () => {
    const unary = ["exp", "sin", "tanh", "sqrt", "log1p", "negative", "abs", "square", "sigmoid", "floor"] as const;
    const binary = ["add", "subtract", "multiply", "divide", "maximum", "power", "logaddexp"] as const;
    const step = fc.oneof(
      fc.record({ op: fc.constantFrom(...unary), a: fc.nat(), b: fc.constant(0) }),
      fc.record({ op: fc.constantFrom(...binary, "select", "roundTrip"), a: fc.nat(), b: fc.nat() }),
    );
    const dtypes = [mx.float32, mx.float16, mx.bfloat16];
    let fused = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 3, maxLength: 25 }), fc.nat({ max: 2 }), fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 6, maxLength: 6 }), (steps, d, vals) => {
        const dtype = dtypes[d]!;
        const fn = (x: mx.MxArray, y: mx.MxArray) => {
          const v = [x, y];
          for (const s of steps) {
            const [a, b] = [v[s.a % v.length]!, v[s.b % v.length]!];
            if (s.op === "select") v.push(mx.where(mx.greater(a, b), a, b));
            else if (s.op === "roundTrip") v.push(mx.astype(mx.astype(mx.multiply(a, b), mx.float16), dtype));
            else if ((unary as readonly string[]).includes(s.op)) v.push((mx[s.op as (typeof unary)[number]] as (x: mx.MxArray) => mx.MxArray)(a));
            else v.push((mx[s.op as (typeof binary)[number]] as (x: mx.MxArray, y: mx.MxArray) => mx.MxArray)(a, b));
          }
          return [v[v.length - 1]!, v[v.length - 2]!];
        };
        const x = mx.astype(mx.reshape(f32(vals), [2, 3]), dtype);
        const y = mx.astype(f32([0.5, -1.25, 2]), dtype);
        const f = mx.compile(fn);
        const read = (xs: mx.MxArray[]) => xs.map((v) => [...new Uint8Array(v.dataSync().buffer.slice(0))]);
        expect(read(f(x, y))).toEqual(read(fn(x, y)));
        fused += mx.compileStats(f).traces[0]!.fusedNodes;
      }),
      { numRuns: 60, seed: 11 },
    );
    expect(fused).toBeGreaterThan(150);
  });

  it("fuses the elementwise parts of random graphs", async () => {
    const [g] = fc.sample(graphArb(mx.float32).filter((x) => x.nodes.filter((n) => !["sum", "mean", "max", "min", "prod", "logsumexp", "softmax"].includes(n.op)).length > 6), { numRuns: 1, seed: 3 });
    const f = mx.compile(graphFunction(g!, mx.cpu));
    f(...g!.leaves.map(() => mx.ones(g!.leaves[0]!.shape)));
    expect(mx.compileStats(f).traces[0]!.fusedNodes).toBeGreaterThan(1);
  });
});

describe.each(BACKENDS)("compile on $name", ({ device }) => {
  it("gives the uncompiled results (fused where the backend can, node by node elsewhere)", async () => {
    const o = { stream: device };
    const fn = (x: mx.MxArray, y: mx.MxArray) => [mx.tanh(mx.add(mx.multiply(x, y), mx.exp(y, o), o), o), mx.sum(mx.square(x, o), o)];
    const f = mx.compile(fn);
    const x = mx.array([[0.5, -1, 2], [3, 0.25, -0.75]], mx.float32, o);
    const y = mx.array([0.1, 0.2, -0.3], mx.float32, o);
    expect(await storageBytes(f(x, y))).toEqual(await storageBytes(fn(x, y)));
  });
});

describe("compile with the transforms", () => {
  const loss = (x: mx.MxArray) => mx.sum(mx.multiply(mx.sin(mx.multiply(x, 2)), mx.exp(x)));
  const x = f32([0.5, -1, 2]);

  it("grad(compile(f)) and compile(grad(f)) give grad(f)", async () => {
    const want = await storageBytes([mx.grad(loss)(x)]);
    const c = mx.compile(loss);
    expect(await storageBytes([mx.grad(c)(x)])).toEqual(want);
    expect(mx.compileStats(c).bypassed).toBe(1); // under a transform's trace the function runs as it is
    const cg = mx.compile(mx.grad(loss));
    expect(await storageBytes([cg(x)])).toEqual(want);
    expect(await storageBytes([cg(f32([1, 2, 3]))])).toEqual(await storageBytes([mx.grad(loss)(f32([1, 2, 3]))]));
    expect([mx.compileStats(cg).misses, mx.compileStats(cg).hits]).toEqual([1, 1]);
    expect(mx.compileStats(cg).traces[0]!.groups).toBeGreaterThan(0);
  });

  it("composes with vjp, jvp and vmap in both orders", async () => {
    const f = (v: mx.MxArray) => mx.multiply(mx.tanh(v), mx.add(v, 1));
    const c = mx.compile(f);
    const ct = f32([1, 2, 3]);
    const [[, vjpPlain], [, vjpCompiled], [, vjpInside]] = [
      mx.vjp(f, [x], [ct]),
      mx.vjp(c, [x], [ct]),
      mx.compile((v: mx.MxArray, w: mx.MxArray) => mx.vjp(f, [v], [w]))(x, ct),
    ];
    expect(await storageBytes([vjpCompiled[0]!, vjpInside[0]!])).toEqual(await storageBytes([vjpPlain[0]!, vjpPlain[0]!]));
    const [, jvpPlain] = mx.jvp(f, [x], [ct]);
    const [, jvpCompiled] = mx.jvp(c, [x], [ct]);
    const [, jvpInside] = mx.compile((v: mx.MxArray, w: mx.MxArray) => mx.jvp(f, [v], [w]))(x, ct);
    expect(await storageBytes([jvpCompiled[0]!, jvpInside[0]!])).toEqual(await storageBytes([jvpPlain[0]!, jvpPlain[0]!]));
    const rows = mx.reshape(f32([1, 2, 3, 4, 5, 6]), [2, 3]);
    const want = await storageBytes([mx.vmap(f)(rows)]);
    expect(await storageBytes([mx.vmap(c)(rows)])).toEqual(want);
    expect(await storageBytes([mx.compile(mx.vmap(f))(rows)])).toEqual(want);
  });
});

describe("compile switches and errors", () => {
  withDefaultDevice(mx.cpu); // reads inside a trace are synchronous on the cpu only
  it("disableCompile runs functions as they are until enableCompile", async () => {
    const f = mx.compile((x: mx.MxArray) => mx.exp(x));
    mx.disableCompile();
    try {
      await expect(f(f32([0])).tolist()).resolves.toEqual([1]);
      expect([mx.compileStats(f).bypassed, mx.compileStats(f).misses]).toEqual([1, 0]);
    } finally {
      mx.enableCompile();
    }
    f(f32([0]));
    expect(mx.compileStats(f).misses).toBe(1);
  });

  it("MLX_TS_DISABLE_COMPILE=1 disables compile at start", () => {
    const script = `import * as mx from "./index.ts"; const f = mx.compile((x) => mx.exp(x)); f(mx.array([0])); console.log(JSON.stringify(mx.compileStats(f)));`;
    const run = (env: string) =>
      spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: process.cwd(), env: { ...process.env, MLX_TS_DISABLE_COMPILE: env }, encoding: "utf8" });
    const off = run("1");
    expect(off.stderr.split("\n").filter((l) => /Error/.test(l))).toEqual([]);
    expect(JSON.parse(off.stdout.trim().split("\n").pop()!)).toMatchObject({ bypassed: 1, misses: 0 });
    expect(JSON.parse(run("").stdout.trim().split("\n").pop()!)).toMatchObject({ bypassed: 0, misses: 1 });
  }, 30_000);

  it("names compile in its errors", async () => {
    expect(() => mx.compile(3 as never)).toThrow(/^\[compile\] fn must be a function/);
    expect(() => mx.compile((x: mx.MxArray) => x, { shapless: true } as never)).toThrow(/^\[compile\].*shapless/);
    expect(() => mx.compile((x: mx.MxArray) => x, { shapeless: 1 } as never)).toThrow(/^\[compile\] shapeless must be a boolean/);
    const reads = mx.compile((x: mx.MxArray) => {
      x.dataSync();
      return x;
    });
    expect(() => reads(f32([1]))).toThrow(/^\[compile\] cannot evaluate an array computed from the inputs of a function while it is traced/);
    const held = f32([1, 2]);
    const closes = mx.compile((_x: mx.MxArray) => mx.exp(held));
    expect(() => closes(held)).toThrow(/^\[compile\] the function reads an array it was given through a closure/);
    expect(() => mx.compile(async (x: mx.MxArray) => x)(f32([1]))).toThrow(/^\[compile\] the function must be synchronous/);
    expect(() => mx.compile((x: mx.MxArray, _f: unknown) => x)(f32([1]), () => 0)).toThrow(/^\[compile\] argument 1 must be an array, a tree of arrays/);
    expect(() => mx.compileStats(() => 0)).toThrow(/^\[compileStats\] fn must be a function returned by mx.compile/);
    // a failed trace caches nothing: the next call traces again
    let fail = true;
    const flaky = mx.compile((x: mx.MxArray) => {
      if (fail) throw new Error("boom");
      return mx.exp(x);
    });
    expect(() => flaky(f32([0]))).toThrow("boom");
    fail = false;
    await expect(flaky(f32([0])).tolist()).resolves.toEqual([1]);
  });
});
