// The transforms on composite functions (an MLP loss, softmax cross-entropy,
// layer norm) against finite differences, nested (grad of grad, vmap of
// grad, grad of vmap, jvp of vjp), the non-smooth and integer cases, custom
// rules and checkpoint, trees, the same gradients on every backend, and the
// errors.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";
import { expectNear, finiteDifferences, values as vals } from "./helpers/finite-differences.js";

const cpu = { stream: mx.cpu };
const f64 = (v: number[] | number[][], shape?: number[]) => {
  const a = mx.array(v, mx.float64, cpu);
  return shape ? mx.reshape(a, shape, cpu) : a;
};

function lcg(seed: number): () => number {
  let s = seed;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
const randn = (shape: number[], seed: number, dtype = mx.float64, stream: mx.StreamOrDevice = mx.cpu) => {
  const next = lcg(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return mx.reshape(mx.array(Array.from({ length: n }, next), dtype, { stream }), shape, { stream });
};

type Params = { w1: mx.MxArray; b1: mx.MxArray; w2: mx.MxArray; b2: mx.MxArray };

function mlpLoss(p: Params, x: mx.MxArray, y: mx.MxArray): mx.MxArray {
  const o = { stream: x.stream };
  const h = mx.tanh(mx.add(mx.matmul(x, p.w1, o), p.b1, o), o);
  const out = mx.add(mx.matmul(h, p.w2, o), p.b2, o);
  return mx.mean(mx.square(mx.subtract(out, y, o), o), o);
}

function softmaxCrossEntropy(logits: mx.MxArray, onehot: mx.MxArray): mx.MxArray {
  const o = { stream: logits.stream };
  const lse = mx.logsumexp(logits, { axis: -1, ...o });
  const picked = mx.sum(mx.multiply(logits, onehot, o), { axis: -1, ...o });
  return mx.mean(mx.subtract(lse, picked, o), o);
}

function layerNorm(x: mx.MxArray, gamma: mx.MxArray, beta: mx.MxArray): mx.MxArray {
  const o = { stream: x.stream };
  const mu = mx.mean(x, { axis: -1, keepdims: true, ...o });
  const v = mx.var(x, { axis: -1, keepdims: true, ...o });
  return mx.add(mx.multiply(mx.divide(mx.subtract(x, mu, o), mx.sqrt(mx.add(v, 1e-5, o), o), o), gamma, o), beta, o);
}


describe("composite functions against finite differences (float64, cpu)", () => {
  const x = randn([5, 3], 1), y = randn([5, 2], 2);
  const params: Params = { w1: randn([3, 4], 3), b1: randn([4], 4), w2: randn([4, 2], 5), b2: randn([2], 6) };

  it("valueAndGrad of an MLP loss over a tree of parameters", async () => {
    const [loss, grads] = mx.valueAndGrad(mlpLoss)(params, x, y);
    expect(await loss.toNumber()).toBeCloseTo(await mlpLoss(params, x, y).toNumber(), 12);
    for (const k of ["w1", "b1", "w2", "b2"] as const) {
      const fd = await finiteDifferences((v) => mlpLoss({ ...params, [k]: v }, x, y), params[k]);
      expectNear(await vals(grads[k]), fd);
    }
  });

  it("grad of softmax cross-entropy is softmax minus the one-hot targets, over the batch", async () => {
    const logits = randn([4, 3], 7);
    const onehot = f64([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]]);
    const g = mx.grad((l: mx.MxArray) => softmaxCrossEntropy(l, onehot))(logits);
    const want = mx.divide(mx.subtract(mx.softmax(logits, { axis: -1, ...cpu }), onehot, cpu), 4, cpu);
    expectNear(await vals(g), await vals(want), 1e-12, 1e-15);
    expectNear(await vals(g), await finiteDifferences((l) => softmaxCrossEntropy(l, onehot), logits));
  });

  it("grad through layer norm, with respect to input, scale and shift (argnums)", async () => {
    const xs = randn([3, 4], 8), gamma = randn([4], 9), beta = randn([4], 10), w = randn([3, 4], 11);
    const loss = (a: mx.MxArray, g: mx.MxArray, b: mx.MxArray) => mx.sum(mx.multiply(layerNorm(a, g, b), w, cpu), cpu);
    const [ga, gg, gb] = mx.grad(loss, { argnums: [0, 1, 2] })(xs, gamma, beta);
    expectNear(await vals(ga), await finiteDifferences((a) => loss(a, gamma, beta), xs), 1e-5, 1e-7);
    expectNear(await vals(gg), await finiteDifferences((g) => loss(xs, g, beta), gamma), 1e-5, 1e-7);
    expectNear(await vals(gb), await finiteDifferences((b) => loss(xs, gamma, b), beta), 1e-5, 1e-7);
  });
});

describe("nested transforms", () => {
  const f = (v: mx.MxArray) => mx.sum(mx.multiply(mx.sin(v, cpu), mx.exp(mx.multiply(v, 0.5, cpu), cpu), cpu), cpu);
  const x = randn([4], 12);

  it("grad of grad: the Hessian-vector product matches finite differences of the gradient", async () => {
    const u = randn([4], 13);
    const hvp = mx.grad((v: mx.MxArray) => mx.sum(mx.multiply(mx.grad(f)(v), u, cpu), cpu))(x);
    const g = mx.grad(f);
    const h = 1e-6;
    const fd = mx.divide(mx.subtract(g(mx.add(x, mx.multiply(u, h, cpu), cpu)), g(mx.subtract(x, mx.multiply(u, h, cpu), cpu)), cpu), 2 * h, cpu);
    const H = mx.hessian(f)(x);
    expectNear(await vals(hvp), await vals(fd), 1e-6, 1e-7);
    expectNear(await vals(mx.matmul(H, u, cpu)), await vals(hvp), 1e-12, 1e-12);
  });

  it("vmap of grad gives per-example gradients; grad of vmap their sum", async () => {
    const xs = randn([3, 4], 14);
    const per = mx.vmap(mx.grad(f))(xs);
    const rows = [0, 1, 2].map((i) => mx.grad(f)(mx.reshape(mx.slice(xs, [i, 0], [i + 1, 4], undefined, cpu), [4], cpu)));
    expectNear(await vals(per), await vals(mx.stack(rows, { axis: 0, ...cpu })), 1e-14, 0);
    const total = mx.grad((m: mx.MxArray) => mx.sum(mx.vmap(f)(m), cpu))(xs);
    expectNear(await vals(total), await vals(per), 1e-14, 0);
  });

  it("vmap takes and returns trees, with inAxes and outAxes as MLX's prefix trees (test_vmap.py's test_tree)", async () => {
    const ones = (shape: number[]) => mx.ones(shape, mx.float64, cpu);
    const tree = { a: ones([2, 4]), b: [ones([4, 2]), mx.multiply(ones([4, 2]), 3, cpu)] };
    const fun = (t: { a: mx.MxArray; b: mx.MxArray[] }) => mx.multiply(mx.add(t.a, t.b[0]!, cpu), t.b[1]!, cpu);
    const out = mx.vmap(fun, { inAxes: [{ a: 0, b: [1, 1] }] })(tree);
    expect(out.shape).toEqual([2, 4]);
    expect(await vals(out)).toEqual(Array(8).fill(6));
    expect(() => mx.vmap(fun, { inAxes: [{ a: 0, b: 1 }] })(tree)).not.toThrow();
    // an object and a nested list out; outAxes a prefix tree of them, null for an output the batch does not reach
    const two = (x: mx.MxArray, y: mx.MxArray) => ({ a: mx.add(x, y, cpu), b: [mx.multiply(x, y, cpu), mx.array(2, mx.float64, cpu)] });
    const x = mx.reshape(mx.arange(0, 8, { dtype: mx.float64, ...cpu }), [2, 4], cpu);
    const r = mx.vmap(two, { outAxes: { a: 1, b: [0, null] } })(x, x) as unknown as { a: mx.MxArray; b: [mx.MxArray, mx.MxArray] };
    expect(r.a.shape).toEqual([4, 2]);
    expect(await r.a.tolist()).toEqual([[0, 8], [2, 10], [4, 12], [6, 14]]);
    expect(await r.b[0].tolist()).toEqual([[0, 1, 4, 9], [16, 25, 36, 49]]);
    expect(await r.b[1].tolist()).toBe(2);
    expect(() => mx.vmap(two, { outAxes: { a: null, b: 0 } })(x, x)).toThrow(/\[vmap\] outAxes gives output 0 no batch axis \(null\), but it depends on the mapped inputs/);
    expect(() => mx.vmap(fun, { inAxes: [{ a: 0 }] })(tree)).toThrow(/\[vmap\] inAxes\[0\] has no entry for 'b'/);
    expect(() => mx.vmap(fun, { inAxes: [{ a: 0, b: [1] }] })(tree)).toThrow(/\[vmap\] inAxes\[0\]\.b has 1 entries for a list of 2/);
    expect(() => mx.vmap((v: mx.MxArray) => [v, 1] as never)(x)).toThrow(/\[vmap\] the function must return an array or a tree/);
  });

  it("jvp of vjp and jacrev / jacfwd agree", async () => {
    const g = (v: mx.MxArray) => mx.multiply(mx.tanh(v, cpu), mx.sum(mx.square(v, cpu), cpu), cpu);
    const ct = randn([4], 15), t = randn([4], 16);
    const pullback = (v: mx.MxArray) => mx.vjp(g, [v], [ct])[1][0]!;
    const [, [jvpOfVjp]] = mx.jvp(pullback, [x], [t]);
    const h = 1e-6;
    const fd = mx.divide(mx.subtract(pullback(mx.add(x, mx.multiply(t, h, cpu), cpu)), pullback(mx.subtract(x, mx.multiply(t, h, cpu), cpu)), cpu), 2 * h, cpu);
    expectNear(await vals(jvpOfVjp), await vals(fd), 1e-6, 1e-7);
    expectNear(await vals(mx.jacrev(g)(x)), await vals(mx.jacfwd(g)(x)), 1e-12, 1e-14);
  });
});

describe("non-smooth points and values without gradients", () => {
  const g = (fn: (v: mx.MxArray) => mx.MxArray, x: number[]) => vals(mx.grad((v: mx.MxArray) => mx.sum(fn(v), cpu))(f64(x)));

  it("abs at 0, floor and round give 0; stopGradient blocks", async () => {
    expect(await g((v) => mx.abs(v, cpu), [-2, 0, 3])).toEqual([-1, 0, 1]);
    expect(await g((v) => mx.floor(v, cpu), [-1.5, 0.5])).toEqual([0, 0]);
    expect(await g((v) => mx.round(v, cpu), [-1.5, 0.4])).toEqual([0, 0]);
    expect(await g((v) => mx.multiply(v, mx.stopGradient(v, cpu), cpu), [2, 3])).toEqual([2, 3]);
  });

  it("max ties split the gradient evenly (MLX's Reduce::vjp); maximum of equal values gives it to its second operand (MLX's Maximum::vjp)", async () => {
    expect(await g((v) => mx.max(v, cpu), [1, 3, 3])).toEqual([0, 0.5, 0.5]);
    expect(await g((v) => mx.min(v, cpu), [2, 1, 5])).toEqual([0, 1, 0]);
    expect(await g((v) => mx.maximum(v, 1, cpu), [0, 1, 2])).toEqual([0, 0, 1]);
    expect(await g((v) => mx.maximum(1, v, cpu), [0, 1, 2])).toEqual([0, 1, 1]);
  });

  it("where routes the gradient; comparisons, casts to integers and arg-reductions pass none", async () => {
    expect(await g((v) => mx.where(mx.greater(v, 0, cpu), v, mx.multiply(v, 3, cpu), cpu), [-1, 2])).toEqual([3, 1]);
    expect(await g((v) => mx.astype(mx.astype(v, mx.int32, cpu), mx.float64, cpu), [1.5, 2.5])).toEqual([0, 0]);
    expect(await g((v) => mx.multiply(v, mx.astype(mx.argmax(v, cpu), mx.float64, cpu), cpu), [1, 5, 2])).toEqual([1, 1, 1]);
    expect(await g((v) => mx.astype(mx.astype(v, mx.float32, cpu), mx.float64, cpu), [1.5])).toEqual([1]);
  });
});

describe("customFunction and checkpoint", () => {
  const x = randn([3], 17);

  it("uses the given vjp, jvp and vmap rules", async () => {
    const f = mx.customFunction((v: mx.MxArray) => mx.exp(v, cpu), {
      vjp: (_p, [ct]) => [mx.multiply(ct, 7, cpu)],
      jvp: (_p, [t]) => [mx.multiply(t, 5, cpu)],
      vmap: ([v], [axis]) => [[mx.add(mx.exp(v, cpu), 1, cpu)], [axis!]],
    });
    expect(await vals(mx.grad((v: mx.MxArray) => mx.sum(f(v), cpu))(x))).toEqual([7, 7, 7]);
    expect(await vals(mx.jvp((v) => f(v), [x], [mx.onesLike(x, cpu)])[1][0])).toEqual([5, 5, 5]);
    const mapped = mx.vmap((v: mx.MxArray) => f(v))(mx.reshape(x, [3, 1], cpu));
    expectNear(await vals(mapped), (await vals(x)).map((v) => Math.exp(v) + 1), 1e-15, 0);
    expectNear(await vals(f(x)), (await vals(x)).map(Math.exp), 1e-15, 0);
  });

  it("without rules differentiates the function itself; checkpoint gives the same gradient", async () => {
    const body = (v: mx.MxArray) => mx.sin(mx.multiply(v, v, cpu), cpu);
    const plain = mx.grad((v: mx.MxArray) => mx.sum(body(v), cpu))(x);
    const custom = mx.grad((v: mx.MxArray) => mx.sum(mx.customFunction(body)(v), cpu))(x);
    const ck = mx.grad((v: mx.MxArray) => mx.sum(mx.checkpoint(body)(v), cpu))(x);
    expectNear(await vals(custom), await vals(plain), 0, 0);
    expectNear(await vals(ck), await vals(plain), 0, 0);
  });
});

describe("trees (mx.utils)", () => {
  it("flattens, maps and rebuilds nested lists and objects", async () => {
    const tree = { a: f64([1, 2]), b: [f64([3]), { c: f64([4, 5]) }], n: 3 };
    const flat = mx.utils.treeFlatten(tree);
    expect(flat.map(([k]) => k)).toEqual(["a", "b.0", "b.1.c", "n"]); // MLX's keys; 3 is a leaf too
    const leaves = flat.filter(([, v]) => v instanceof mx.MxArray).map(([, v]) => v as mx.MxArray);
    expect(leaves.length).toBe(3);
    const doubled = mx.utils.treeMap((v: unknown) => (v instanceof mx.MxArray ? mx.multiply(v, 2, cpu) : v), tree); // MLX's tree_map calls fn on every leaf, 3 too
    expect(await vals(doubled.a)).toEqual([2, 4]);
    expect(await vals((doubled.b[1] as { c: mx.MxArray }).c)).toEqual([8, 10]);
    expect(doubled.n).toBe(3);
    // the same leaves in the same places (toBe: toEqual would iterate the arrays, down to 0-d ones that refuse it)
    const rebuilt = mx.utils.treeUnflatten(flat) as typeof tree;
    expect(Object.keys(rebuilt)).toEqual(["a", "b", "n"]);
    expect(rebuilt.a).toBe(tree.a);
    expect(rebuilt.b.length).toBe(2);
    expect(rebuilt.b[0]).toBe(tree.b[0]);
    expect((rebuilt.b[1] as { c: mx.MxArray }).c).toBe((tree.b[1] as { c: mx.MxArray }).c);
    expect(rebuilt.n).toBe(3);
    expect(() => mx.utils.treeMap((a, b) => mx.add(a, b, cpu), tree, { a: f64([1]) })).toThrow(/\[utils\.treeMap\] further tree 1 has no 'b'/);
  });
});

describe.each(BACKENDS)("gradients on $name match the cpu", ({ device }) => {
  it("MLP loss gradient in float32", async () => {
    const on = (s: mx.StreamOrDevice) => {
      const p: Params = { w1: randn([3, 4], 3, mx.float32, s), b1: randn([4], 4, mx.float32, s), w2: randn([4, 2], 5, mx.float32, s), b2: randn([2], 6, mx.float32, s) };
      return mx.grad(mlpLoss)(p, randn([5, 3], 1, mx.float32, s), randn([5, 2], 2, mx.float32, s));
    };
    const [ref, got] = [on(mx.cpu), on(device)];
    for (const k of ["w1", "b1", "w2", "b2"] as const) {
      expect(got[k].stream.device.backend).toBe(device.backend);
      const [r, g] = [Array.from((await ref[k].data()) as Float32Array), Array.from((await got[k].data()) as Float32Array)];
      g.forEach((v, i) => expect(Math.abs(v - r[i]!), `${k}[${i}]: ${v} vs ${r[i]}`).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(r[i]!)));
    }
  });
});

describe("errors name the transform and the argument", () => {
  const x = f64([1, 2]);
  it("grad", () => {
    expect(() => mx.grad((v: mx.MxArray) => mx.square(v, cpu))(x)).toThrow(/\[grad\] the function must return a scalar \(one element\), got float64\(2,\)/);
    expect(() => mx.grad((v: mx.MxArray) => mx.sum(v, cpu))(mx.array([1, 2], mx.int32))).toThrow(/\[grad\] argument 0 has dtype int32; gradients need float arrays/);
    // @ts-expect-error: argnums 2 is not a parameter of a one-argument function (the types reject it; the run-time check too)
    expect(() => mx.grad((v: mx.MxArray) => mx.sum(v, cpu), { argnums: 2 })(x)).toThrow(/\[grad\] argnums 2 is out of range: the function was called with 1 argument/);
    expect(() => mx.grad((_v: mx.MxArray) => 3 as unknown as mx.MxArray)(x)).toThrow(/\[grad\] the function must return a scalar array/);
    // @ts-expect-error: an async function is rejected by the types too
    expect(() => mx.grad(async (v: mx.MxArray) => mx.sum(v, cpu))(x)).toThrow(/\[grad\] the function must be synchronous/);
  });
  it("vjp and jvp", () => {
    // @ts-expect-error: one output needs one cotangent (the types say so too)
    expect(() => mx.vjp((v) => mx.square(v, cpu), [x], [])).toThrow(/\[vjp\] got 0 cotangents for 1 output/);
    expect(() => mx.vjp((v) => mx.square(v, cpu), [x], [f64([1, 2, 3])])).toThrow(/\[vjp\] cotangents 0 has shape \(3\), but output 0 has shape \(2\)/);
    expect(() => mx.jvp((v) => mx.square(v, cpu), [x], [f64([1])])).toThrow(/\[jvp\] tangents 0 has shape \(1\), but primal 0 has shape \(2\)/);
  });
  it("vmap", () => {
    expect(() => mx.vmap((v: mx.MxArray) => v, { inAxes: 2 })(x)).toThrow(/\[vmap\] inAxes 2 is out of range for argument 0 of shape \(2\)/);
    expect(() => mx.vmap((a: mx.MxArray, b: mx.MxArray) => mx.add(a, b, cpu))(x, f64([1, 2, 3]))).toThrow(/\[vmap\] mapped axes have different sizes: argument 0 has 2, argument 1 has 3/);
    expect(() => mx.vmap((a: mx.MxArray) => a, { inAxes: [0, 0] })(x)).toThrow(/\[vmap\] inAxes has 2 entries for 1 arguments/);
    // (MLX refuses it too: Pad::vmap over the padding value)
    expect(() => mx.vmap((v: mx.MxArray) => mx.pad(x, 1, "constant", v))(f64([0, 1]))).toThrow(/no vmap for pad over a batched pad value/);
  });
});
