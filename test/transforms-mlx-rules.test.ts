// The derivative rules ported from MLX (mlx/primitives.cpp, HEAD 846d176)
// where mlx-ts had its own: the tie rules of maximum/minimum (and so relu,
// leakyRelu, clip, hardTanh, prelu ...) and max/min's jvp; prod's gradient
// (exclusive products, no division); expm1's jvp; the exact gradient of pad's
// value; a multi-output custom function's rules run once (its outputs are
// siblings, as MLX's CustomTransforms); a custom jvp or vmap rule replaces the
// function's own; errors of rules that name the transform and the op; a
// multi-output checkpoint inlined by exportFunction; marginRankingLoss's
// operand order; grad's arguments as MLX's value_and_grad takes them (the
// caller's containers, nn.Modules); customFunction over trees. Finite differences in float64 on the cpu,
// exact values on every backend.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";
import { expectNear, finiteDifferences, values as vals } from "./helpers/finite-differences.js";

const cpu = { stream: mx.cpu };
const f64 = (v: number[] | number[][]) => mx.array(v, mx.float64, cpu);

function lcg(seed: number): () => number {
  let s = seed;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
const randn = (shape: number[], seed: number) => {
  const next = lcg(seed);
  return mx.reshape(mx.array(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, next), mx.float64, cpu), shape, cpu);
};


/** grad of sum(fn(x)) at `x` (dtype float32 on `s`, or float64 on the cpu). */
const gradOf = (fn: (v: mx.MxArray) => mx.MxArray, x: number[], dtype = mx.float64, s: mx.StreamOrDevice = mx.cpu) =>
  vals(mx.grad((v: mx.MxArray) => mx.sum(fn(v), { stream: s }))(mx.array(x, dtype, { stream: s })));

describe.each(BACKENDS)("tie rules as MLX's on $name", ({ device }) => {
  const o = { stream: device };
  const g = (fn: (v: mx.MxArray) => mx.MxArray, x: number[]) => gradOf(fn, x, mx.float32, device);

  it("maximum(a, b) and minimum(a, b) give a tie to b (Maximum::vjp: a > b and a <= b; Minimum::vjp: a < b and a >= b)", async () => {
    const a = mx.array([1, 2, 3], mx.float32, o), b = mx.array([1, 3, 2], mx.float32, o);
    const ones = mx.onesLike(a, o);
    for (const [op, da, db] of [
      [mx.maximum, [0, 0, 1], [1, 1, 0]],
      [mx.minimum, [0, 1, 0], [1, 0, 1]],
    ] as const) {
      const [, [ga, gb]] = mx.vjp((p: mx.MxArray, q: mx.MxArray) => op(p, q, o), [a, b], [ones]);
      expect(await vals(ga!), op.name).toEqual(da);
      expect(await vals(gb!), op.name).toEqual(db);
      // the jvp takes the same masks: the tangent of b at a tie
      const [, [t]] = mx.jvp((p: mx.MxArray, q: mx.MxArray) => op(p, q, o), [a, b], [mx.full([3], 10, mx.float32, o), mx.full([3], 100, mx.float32, o)]);
      expect(await vals(t!), op.name).toEqual(da.map((m, i) => 10 * m + 100 * db[i]!));
    }
  });

  it("relu, relu2, relu6, leakyRelu, hardTanh, clip, celu, prelu and hardswish at their kinks", async () => {
    expect(await g((v) => mx.nn.relu(v), [-1, 0, 1])).toEqual([0, 0, 1]);
    expect(await g((v) => mx.nn.relu2(v), [-1, 0, 1])).toEqual([0, 0, 2]);
    expect(await g((v) => mx.nn.relu6(v), [0, 6, 7])).toEqual([0, 0, 0]);
    // maximum(0.01 x, x): at 0 the tie goes to x
    expect(await g((v) => mx.nn.leakyRelu(v), [0, 1])).toEqual([1, 1]);
    expectNear(await g((v) => mx.nn.leakyRelu(v), [-1]), [0.01], 1e-6);
    expect(await g((v) => mx.nn.hardTanh(v), [-1, 0, 1])).toEqual([0, 1, 0]);
    expect(await g((v) => mx.clip(v, -1, 1, o), [-1, 0, 1])).toEqual([0, 1, 0]);
    expect(await g((v) => mx.nn.celu(v), [0])).toEqual([0]);
    // MLX's maximum(0, x) + alpha * minimum(0, x): both ties go to x, 1 + alpha
    expect(await g((v) => mx.nn.prelu(v, mx.array([0.25], mx.float32, o)), [-1, 0, 1])).toEqual([0.25, 1.25, 1]);
    expect(await g((v) => mx.nn.hardswish(v), [-3, 3])).toEqual([0, 1]);
  });

  it("max and min: the vjp splits a tie evenly (Reduce::vjp), the jvp takes the tangent of the first extreme (Reduce::jvp's argmax)", async () => {
    expect(await g((v) => mx.max(v, o), [2, 2, 1])).toEqual([0.5, 0.5, 0]);
    const x = mx.array([2, 2, 1], mx.float32, o);
    const jvpAt = async (f: (v: mx.MxArray) => mx.MxArray, v: mx.MxArray, t: number[]) => vals(mx.jvp(f, [v], [mx.array(t, mx.float32, o)])[1][0]!);
    expect(await jvpAt((v) => mx.max(v, o), x, [1, 0, 0])).toEqual([1]);
    expect(await jvpAt((v) => mx.max(v, o), x, [0, 1, 0])).toEqual([0]);
    expect(await jvpAt((v) => mx.min(v, o), mx.array([3, 1, 1], mx.float32, o), [5, 6, 7])).toEqual([6]);
  });
});

describe("max and min's jvp over several axes (float64, cpu)", () => {
  it("is the tangent at the first extreme in row-major order of the reduced axes, as a brute-force search", async () => {
    const shape = [3, 4, 2];
    const next = lcg(5);
    // few distinct values: many ties
    const xs = Array.from({ length: 24 }, () => Math.round(next() * 2));
    const ts = Array.from({ length: 24 }, (_, i) => i + 1);
    const x = mx.reshape(f64(xs), shape, cpu), t = mx.reshape(f64(ts), shape, cpu);
    const strides = [8, 2, 1];
    for (const axes of [[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]]) {
      for (const keepdims of [false, true]) {
        for (const op of ["max", "min"] as const) {
          const [, [got]] = mx.jvp((v: mx.MxArray) => mx[op](v, { axis: axes, keepdims, ...cpu }), [x], [t]);
          const kept = [0, 1, 2].filter((a) => !axes.includes(a));
          const want: number[] = [];
          const keptSizes = kept.map((a) => shape[a]!);
          const count = keptSizes.reduce((a, b) => a * b, 1);
          for (let k = 0; k < count; k++) {
            const at: number[] = [0, 0, 0];
            let r = k;
            for (let j = kept.length - 1; j >= 0; j--) {
              at[kept[j]!] = r % keptSizes[j]!;
              r = Math.floor(r / keptSizes[j]!);
            }
            let best: number | undefined, bestT = 0;
            const walk = (d: number) => {
              if (d === axes.length) {
                const i = at.reduce((s, v, a) => s + v * strides[a]!, 0);
                if (best === undefined || (op === "max" ? xs[i]! > best : xs[i]! < best)) [best, bestT] = [xs[i]!, ts[i]!];
                return;
              }
              for (let v = 0; v < shape[axes[d]!]!; v++) {
                at[axes[d]!] = v;
                walk(d + 1);
              }
            };
            walk(0);
            want.push(bestT);
          }
          expect(await vals(got!), `${op} over ${JSON.stringify(axes)}, keepdims ${keepdims}`).toEqual(want);
          expect([...got!.shape]).toEqual(shape.map((n, a) => (axes.includes(a) ? (keepdims ? 1 : -1) : n)).filter((n) => n !== -1));
        }
      }
    }
  });
});

describe("prod's gradient (MLX's exclusive products from both sides)", () => {
  it("keeps the partials that do not underflow where the product does (float32)", async () => {
    // the product (1e-60 * 1e30) underflows: dividing it by x gave all zeros
    const got = await gradOf((v) => mx.prod(v, cpu), [1e-30, 1e-30, 1e-30, 1e30], mx.float32);
    expectNear(got, [1e-30, 1e-30, 0, 0], 1e-6, 0);
    const [, [t]] = mx.jvp((v: mx.MxArray) => mx.prod(v, cpu), [mx.array([1e-30, 1e-30, 1e-30, 1e30], mx.float32, cpu)], [mx.array([1, 0, 0, 0], mx.float32, cpu)]);
    expectNear(await vals(t!), [1e-30], 1e-6, 0);
  });

  it("with zeros: one zero gets the product of the others, two give all zeros", async () => {
    expect(await gradOf((v) => mx.prod(v, cpu), [0, 2, 3])).toEqual([6, 0, 0]);
    expect(await gradOf((v) => mx.prod(v, cpu), [0, 2, 0])).toEqual([0, 0, 0]);
  });

  it("matches finite differences over one axis, several and none, with a zero (float64)", async () => {
    const x = mx.indexUpdate(randn([2, 3, 4], 11), [0, 1, 2], 0);
    for (const axis of [[1], [0, 2], [2, 0, 1], []]) {
      const f = (v: mx.MxArray) => mx.sum(mx.multiply(mx.prod(v, { axis, ...cpu }), randn(axis.length === 3 ? [] : [2, 3, 4].filter((_, a) => !axis.includes(a)), 3), cpu), cpu);
      const g = await vals(mx.grad(f)(x));
      expectNear(g, await finiteDifferences(f, x), 1e-6, 1e-9);
      // jvp against vjp: <J u, 1> = <u, J^T 1>
      const u = randn([2, 3, 4], 4);
      const [, [t]] = mx.jvp(f, [x], [u]);
      const us = await vals(u);
      expectNear(await vals(t!), [g.reduce((s, gi, i) => s + gi * us[i]!, 0)], 1e-10, 1e-12);
    }
  });
});

describe("expm1's jvp is t * exp(x) (MLX's Expm1::jvp)", () => {
  it("keeps the tangent far below zero (float32), where expm1(x) + 1 rounds to 0", async () => {
    const x = mx.array([-20, -30], mx.float32, cpu);
    const [, [t]] = mx.jvp((v: mx.MxArray) => mx.expm1(v, cpu), [x], [mx.onesLike(x, cpu)]);
    expectNear(await vals(t!), [Math.exp(-20), Math.exp(-30)], 1e-6, 0);
  });

  it("its vjp is MLX's ct * (expm1(x) + 1), and both match finite differences (float64)", async () => {
    const x = f64([-3, -0.5, 0, 0.7, 2]);
    const f = (v: mx.MxArray) => mx.sum(mx.expm1(v, cpu), cpu);
    const fd = await finiteDifferences(f, x);
    expectNear(await vals(mx.grad(f)(x)), fd);
    expectNear(await vals(mx.jvp((v: mx.MxArray) => mx.expm1(v, cpu), [x], [mx.onesLike(x, cpu)])[1][0]!), fd);
  });
});

describe("pad's gradient with respect to its value", () => {
  it("is the sum over the padding alone: no cancellation against a large inside (float32)", async () => {
    // 100000 zeros padded by one value each side; the cotangent is 1 on the padding and 1000.3 inside
    const n = 100000;
    const x = mx.zeros([n], mx.float32, cpu);
    const weights = mx.pad(mx.full([n], 1000.3, mx.float32, cpu), [[1, 1]], { constantValue: mx.array(1, mx.float32, cpu) } as never);
    const f = (v: mx.MxArray) => mx.sum(mx.multiply(mx.pad(x, [[1, 1]], { constantValue: v } as never), weights, cpu), cpu);
    expect(await vals(mx.grad(f)(mx.array(0, mx.float32, cpu)))).toEqual([2]);
  });

  it("matches finite differences in two dimensions, with the input's gradient (float64)", async () => {
    const x = randn([2, 3], 21), w = randn([5, 4], 22);
    const f = (xx: mx.MxArray, v: mx.MxArray) => mx.sum(mx.multiply(mx.square(mx.pad(xx, [[1, 2], [0, 1]], { constantValue: v } as never), cpu), w, cpu), cpu);
    const v = mx.array(0.7, mx.float64, cpu);
    const [gx, gv] = mx.grad(f, { argnums: [0, 1] })(x, v);
    expectNear(await vals(gv), await finiteDifferences((vv) => f(x, vv), v));
    expectNear(await vals(gx), await finiteDifferences((xx) => f(xx, v), x));
  });
});

describe.each(BACKENDS)("custom functions with several outputs on $name", ({ device }) => {
  const o = { stream: device };
  const x = () => mx.array([0.5, -1.25, 2], mx.float32, o);

  it("a 3-output checkpoint calls its function twice for forward and backward (one recompute, as MLX)", async () => {
    let calls = 0;
    const body = (v: mx.MxArray) => {
      calls++;
      return [mx.sin(v, o), mx.exp(v, o), mx.multiply(v, v, o)];
    };
    const loss = (f: (v: mx.MxArray) => mx.MxArray[]) => (v: mx.MxArray) => {
      const [a, b, c] = f(v);
      return mx.sum(mx.add(mx.add(a!, mx.multiply(b!, 2, o), o), mx.multiply(c!, 3, o), o), o);
    };
    const ck = mx.checkpoint(body);
    const got = mx.grad(loss(ck))(x());
    await mx.eval(got);
    expect(calls).toBe(2);
    calls = 0;
    const want = mx.grad(loss(body))(x());
    expectNear(await vals(got), await vals(want), 1e-6, 1e-6);
  });

  it("a user's vjp, jvp and vmap rules each run once, with every output's cotangent (zeros for an unused output)", async () => {
    const seen = { vjp: 0, jvp: 0, vmap: 0 };
    let cotangents: mx.MxArray[] = [];
    const f = mx.customFunction((v: mx.MxArray) => [mx.multiply(v, 2, o), mx.multiply(v, 3, o)], {
      vjp: (_p, cts) => {
        seen.vjp++;
        cotangents = cts;
        return [mx.add(mx.multiply(cts[0]!, 2, o), mx.multiply(cts[1]!, 3, o), o)];
      },
      jvp: (_p, [t]) => {
        seen.jvp++;
        return [mx.multiply(t!, 2, o), mx.multiply(t!, 3, o)];
      },
      vmap: ([v], [axis]) => {
        seen.vmap++;
        return [[mx.multiply(v!, 2, o), mx.multiply(v!, 3, o)], [axis!, axis!]];
      },
    });
    expect(await vals(mx.grad((v: mx.MxArray) => mx.sum(mx.add(f(v)[0]!, f(v)[1]!, o), o))(x()))).toEqual([5, 5, 5]);
    expect(seen.vjp).toBe(2); // two calls of f, each one rule call
    seen.vjp = 0;
    expect(await vals(mx.grad((v: mx.MxArray) => mx.sum(f(v)[1]!, o))(x()))).toEqual([3, 3, 3]);
    expect(seen.vjp).toBe(1);
    expect(await Promise.all(cotangents.map(vals))).toEqual([
      [0, 0, 0],
      [1, 1, 1],
    ]);
    const [, ts] = mx.jvp((v: mx.MxArray) => f(v), [x()], [mx.onesLike(x(), o)]);
    expect(await Promise.all(ts.map(vals))).toEqual([
      [2, 2, 2],
      [3, 3, 3],
    ]);
    expect(seen.jvp).toBe(1);
    const mapped = mx.vmap((v: mx.MxArray) => f(v))(mx.reshape(x(), [3, 1], o));
    expect(await Promise.all(mapped.map(vals))).toEqual([
      [1, -2.5, 4],
      [1.5, -3.75, 6],
    ]);
    expect(seen.vmap).toBe(1);
  });
});

describe("a custom jvp or vmap rule replaces the function's own (float64, cpu)", () => {
  it("jvp uses the user's rule where the function has an op without a jvp (a scatter maximum)", async () => {
    const body = (v: mx.MxArray) => mx.indexUpdate(v, [mx.array([0], mx.int32, cpu)], 5, "maximum");
    expect(() => mx.jvp(body, [f64([1, 2])], [f64([1, 1])])).toThrow(/^\[jvp\] indexUpdate: no jvp for scatterAxis in mode "maximum"/);
    const f = mx.customFunction(body, { jvp: (_p, [t]) => [mx.multiply(t!, 7, cpu)] });
    const [[y], [t]] = mx.jvp((v: mx.MxArray) => f(v), [f64([1, 2])], [f64([1, 1])]);
    expect(await vals(y!)).toEqual([5, 2]);
    expect(await vals(t!)).toEqual([7, 7]);
  });

  it("vmap uses the user's rule where the function has an op without one (pad with a batched value)", async () => {
    const body = (v: mx.MxArray, c: mx.MxArray) => mx.pad(v, [[1, 1]], { constantValue: c } as never);
    const xs = f64([[1, 2], [3, 4]]), cs = f64([9, 8]);
    expect(() => mx.vmap(body)(xs, cs)).toThrow(/^\[vmap\] pad: no vmap for pad over a batched pad value/);
    let calls = 0;
    const f = mx.customFunction(body, {
      vmap: ([v, c], [va, ca]) => {
        calls++;
        expect([va, ca]).toEqual([0, 0]);
        const col = mx.reshape(c!, [2, 1], cpu);
        return [[mx.concatenate([col, v!, col], 1, cpu)], [0]];
      },
    });
    expect(await mx.vmap(f)(xs, cs).tolist()).toEqual([
      [9, 1, 2, 9],
      [8, 3, 4, 8],
    ]);
    expect(calls).toBe(1);
  });

  it("vmap refuses a function that reads a mapped array through a closure (its rule could not batch it)", () => {
    const xs = f64([[1, 2], [3, 4]]);
    expect(() => mx.vmap((v: mx.MxArray) => mx.customFunction((c: mx.MxArray) => mx.add(c, v, cpu))(f64([1, 1])))(xs)).toThrow(
      /^\[vmap\] customFunction's function reads a mapped array through a closure/,
    );
  });

  it("grad of a multi-output custom function without rules, and of grad through it, match finite differences", async () => {
    const body = (v: mx.MxArray, w: mx.MxArray) => [mx.sin(mx.multiply(v, w, cpu), cpu), mx.exp(mx.subtract(v, w, cpu), cpu)];
    const f = mx.customFunction(body);
    const w = randn([3], 8);
    const loss = (v: mx.MxArray) => {
      const [a, b] = f(v, w);
      return mx.sum(mx.multiply(a!, b!, cpu), cpu);
    };
    const x = randn([3], 9);
    expectNear(await vals(mx.grad(loss)(x)), await finiteDifferences(loss, x));
    const second = (v: mx.MxArray) => mx.sum(mx.square(mx.grad(loss)(v), cpu), cpu);
    expectNear(await vals(mx.grad(second)(x)), await finiteDifferences(second, x), 1e-5, 1e-8);
  });
});

describe("errors of rules name the transform and the op the user called", () => {
  it("a scatter product's vjp, a pad value's vmap, a non-integer argnums", () => {
    const x = mx.array([1, 2], mx.float32, cpu);
    expect(() => mx.grad((v: mx.MxArray) => mx.sum(v.at(mx.array([0], mx.int32, cpu)).multiply(2), cpu))(x)).toThrow(/^\[grad\] at\.multiply: no vjp for scatterAxis in mode "multiply"/);
    expect(() => mx.vjp((v: mx.MxArray) => mx.indexUpdate(v, [mx.array([0], mx.int32, cpu)], 2, "multiply"), [x], [x])).toThrow(/^\[vjp\] indexUpdate: no vjp/);
    expect(() => mx.vmap((v: mx.MxArray) => mx.pad(x, 1, "constant", v, cpu))(mx.array([0, 1], mx.float32, cpu))).toThrow(/^\[vmap\] pad: no vmap for pad over a batched pad value/);
    expect(() => mx.grad((v: mx.MxArray) => mx.sum(v, cpu), { argnums: 0.5 as never })(x)).toThrow(/^\[grad\] argnums 0\.5 is not an argument index: each must be an integer/);
  });
});

describe("losses built on maximum take MLX's operand order (float64, cpu)", () => {
  it("marginRankingLoss (MLX's maximum(0, -y (x1 - x2) + margin)) gives a hinge at exactly 0 the gradient", async () => {
    const x1 = f64([1, 2]), x2 = f64([1, 0]), y = f64([1, 1]);
    const g = mx.grad((a: mx.MxArray) => mx.sum(mx.nn.losses.marginRankingLoss(a, x2, y), cpu))(x1);
    // element 0: -(1 - 1) + 0 = 0, a tie that goes to the hinge: d/dx1 = -1; element 1: -2 < 0, no gradient
    expect((await vals(g)).map((v) => v + 0)).toEqual([-1, 0]);
  });
});

describe.each(BACKENDS)("prod, expm1 and pad rules on $name (float32)", ({ device }) => {
  const o = { stream: device };
  it("prod's partials survive an underflowing product; expm1's jvp far below zero; pad's value gradient is exact", async () => {
    expectNear(await gradOf((v) => mx.prod(v, o), [1e-30, 1e-30, 1e-30, 1e30], mx.float32, device), [1e-30, 1e-30, 0, 0], 1e-6, 0);
    expect(await gradOf((v) => mx.prod(mx.reshape(v, [2, 2], o), { axis: [0, 1], ...o }), [0, 2, 3, 4], mx.float32, device)).toEqual([24, 0, 0, 0]);
    const x = mx.array([-20, -30], mx.float32, o);
    expectNear(await vals(mx.jvp((v: mx.MxArray) => mx.expm1(v, o), [x], [mx.onesLike(x, o)])[1][0]!), [Math.exp(-20), Math.exp(-30)], 1e-5, 0);
    const n = 100000;
    const weights = mx.pad(mx.full([n], 1000.3, mx.float32, o), [[1, 1]], { constantValue: mx.array(1, mx.float32, o) } as never);
    const f = (v: mx.MxArray) => mx.sum(mx.multiply(mx.pad(mx.zeros([n], mx.float32, o), [[1, 1]], { constantValue: v } as never), weights, o), o);
    expect(await vals(mx.grad(f)(mx.array(0, mx.float32, o)))).toEqual([2]);
  });
});

describe("a multi-output checkpoint in an exported function (float64, cpu)", () => {
  it("is inlined: each output is the function's output at its place, values and gradient as the function's", async () => {
    const block = mx.checkpoint((v: mx.MxArray) => [mx.sin(v, cpu), mx.exp(v, cpu), mx.multiply(v, 3, cpu)]);
    const f = (v: mx.MxArray) => {
      const [a, b, c] = block(v);
      return mx.add(mx.multiply(a!, 2, cpu), mx.multiply(b!, c!, cpu), cpu);
    };
    const file = join(mkdtempSync(join(tmpdir(), "mlx-ts-ck-")), "f.mlxfn");
    await mx.exportFunction(file, f, mx.zeros([3], mx.float64, cpu));
    const g = mx.importFunction(file);
    const x = randn([3], 31);
    expect(await vals(g(x)[0]!)).toEqual(await vals(f(x)));
    const loss = (h: (v: mx.MxArray) => mx.MxArray) => (v: mx.MxArray) => mx.sum(h(v), cpu);
    expectNear(await vals(mx.grad(loss((v) => g(v)[0]!))(x)), await vals(mx.grad(loss(f))(x)), 1e-15, 0);
  });
});

describe("grad's arguments as MLX's value_and_grad takes them", () => {
  const f32 = (v: number) => mx.array(v, mx.float32, cpu);

  it("calls fn with the caller's containers: an assignment inside stays, the tracers do not (test_grad_with_inplace_update)", async () => {
    const model = [f32(0), f32(1)];
    const first = model[0]!;
    const g = mx.grad((m: mx.MxArray[]) => {
      m[1] = f32(2);
      return mx.multiply(m[0]!, 3, cpu);
    })(model);
    expect(await model[1]!.item()).toBe(2);
    expect(model[0]).toBe(first);
    expect(await g[0]!.item()).toBe(3);
    expect(await g[1]!.item()).toBe(0);
    // objects too, and the originals are back after an exception
    const params = { w: f32(2) };
    const w = params.w;
    expect(() => mx.grad((p: { w: mx.MxArray }) => { throw new Error(`saw ${p.w === w ? "original" : "tracer"}`); })(params)).toThrow(/saw tracer/);
    expect(params.w).toBe(w);
  });

  it("differentiates an nn.Module argument, its gradient a plain object of its fields (test_grad_of_module)", async () => {
    class Model extends mx.nn.Module {
      m1 = new mx.nn.Linear(3, 3);
    }
    const model = new Model();
    const weight = model.m1.weight;
    const x = mx.ones([3], mx.float32, cpu);
    const [value, grads] = mx.valueAndGrad((m: Model) => mx.sum(m.m1.forward(x), cpu))(model) as [mx.MxArray, { m1: { weight: mx.MxArray; bias: mx.MxArray } }];
    expect(Object.keys(grads.m1)).toEqual(["weight", "bias"]);
    expect(await grads.m1.weight.tolist()).toEqual([[1, 1, 1], [1, 1, 1], [1, 1, 1]]);
    expect(await grads.m1.bias.tolist()).toEqual([1, 1, 1]);
    expect(await value.item()).toBeCloseTo((await mx.sum(model.m1.forward(x), cpu).item()) as number, 6);
    expect(model.m1.weight).toBe(weight);
  });

  it("copies a frozen container and names a cyclic one", async () => {
    const frozen = Object.freeze([f32(3)]);
    const [g] = mx.grad((a: readonly mx.MxArray[]) => mx.square(a[0]!, cpu))(frozen);
    expect(await g!.item()).toBe(6);
    const cyclic: unknown[] = [f32(1)];
    cyclic.push(cyclic);
    expect(() => mx.grad((a: unknown[]) => a[0] as mx.MxArray)(cyclic)).toThrow(/^\[grad\] argument 0 holds itself \(a cyclic tree\)/);
  });
});

describe("customFunction over trees (MLX's custom_function flattens its arguments and outputs)", () => {
  const f32 = (v: number[]) => mx.array(v, mx.float32, cpu);
  type P = { w: mx.MxArray; b: mx.MxArray };
  const affine = (p: P, x: mx.MxArray, scale: number) => ({ y: mx.add(mx.multiply(mx.multiply(p.w, x, cpu), scale, cpu), p.b, cpu) });

  it("passes trees to the rules and takes one tree (or null) per argument back", async () => {
    const seen: unknown[] = [];
    const f = mx.customFunction(affine, {
      vjp: ([p, x, scale], [ct], [out]) => {
        seen.push(Object.keys(p), scale, Object.keys(ct), Object.keys(out));
        // a rule that scales w's cotangent by 10 (so it is seen to be used) and gives x none
        return [{ w: mx.multiply(mx.multiply(ct.y, x, cpu), 10, cpu), b: ct.y }, null, null];
      },
    });
    const p = { w: f32([2, 3]), b: f32([1, 1]) };
    const x = f32([4, 5]);
    const out = f(p, x, 1);
    expect(await out.y.tolist()).toEqual([9, 16]);
    const g = mx.grad((q: P, v: mx.MxArray) => mx.sum(f(q, v, 1).y, cpu), { argnums: [0, 1] })(p, x);
    expect(await g[0].w.tolist()).toEqual([40, 50]);
    expect(await g[0].b.tolist()).toEqual([1, 1]);
    expect(await g[1].tolist()).toEqual([0, 0]);
    expect(seen).toEqual([["w", "b"], 1, ["y"], ["y"]]);
  });

  it("derives the rules it is not given from the function, trees and constants included", async () => {
    const f = mx.customFunction(affine);
    const p = { w: f32([2, 3]), b: f32([1, 1]) };
    const x = f32([4, 5]);
    const loss = (q: P) => mx.sum(f(q, x, 3).y, cpu);
    const g = mx.grad(loss)(p);
    expect(await g.w.tolist()).toEqual([12, 15]);
    const [, tangent] = mx.jvp((w: mx.MxArray) => f({ w, b: p.b }, x, 3).y, [p.w], [f32([1, 0])]);
    expect(await tangent[0]!.tolist()).toEqual([12, 0]);
    const batched = mx.vmap((w: mx.MxArray) => f({ w, b: p.b }, x, 1).y)(mx.array([[1, 1], [2, 2]], mx.float32, cpu));
    expect(await batched.tolist()).toEqual([[5, 6], [9, 11]]);
  });

  it("names a rule's result that does not match the argument's tree", () => {
    const f = mx.customFunction(affine, { vjp: ([p]) => [[p.w, p.b], null, null] });
    const p = { w: f32([2, 3]), b: f32([1, 1]) };
    expect(() => mx.grad((q: P) => mx.sum(f(q, f32([1, 1]), 1).y, cpu))(p)).toThrow(/^\[customFunction\] the vjp rule must return a list of 3 cotangents \(one per argument, shaped as it, arrays or null\): cotangent 0 must be an object with keys w, b, got/);
    expect(() => mx.customFunction((v: mx.MxArray) => ({ n: 1 }) as never)(f32([1]))).toThrow(/^\[customFunction\] the function must return an array or a tree \(lists, objects\) of arrays/);
  });
});
