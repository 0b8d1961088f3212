// mx.compile against MLX, the defects a review found: a compiled function
// called inside another's trace runs inlined, shapeless traces replay the conv
// ops and quantizedMatmul (and refuse a convolution's derivative), refusals
// name the op the user called, CSE tells -0 from 0 and NaN from Infinity, a
// function may return no arrays, returned arrays are never merged, and MLX's
// MLX_DISABLE_COMPILE and the function's name carry over.

import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { Primitive, type Spec } from "../src/primitive.js";

const f32 = (v: number[] | number[][]) => mx.array(v, mx.float32);
const S = { shapeless: true } as const;

describe("compile: nested compiled functions run inlined in the outer trace (MLX's tracers)", () => {
  it("an inner function closing over a value computed from the outer's inputs", async () => {
    const outer = mx.compile((a: mx.MxArray) => {
      const b = mx.abs(a);
      const inner = mx.compile((_z: mx.MxArray) => mx.negative(mx.exp(b)));
      return inner(mx.zeros([2]));
    });
    const out = (await outer(f32([-1, 2])).tolist()) as number[];
    expect(out[0]).toBeCloseTo(-Math.E, 5);
    expect(out[1]).toBeCloseTo(-Math.exp(2), 4);
  });

  it("an inner trace cached at top level is not replayed with its stale closure", async () => {
    let scale = mx.array(1, mx.float32);
    const inner = mx.compile((z: mx.MxArray) => mx.multiply(z, scale));
    await expect(inner(f32([1, 2])).tolist()).resolves.toEqual([1, 2]);
    const outer = mx.compile((a: mx.MxArray, b: mx.MxArray) => {
      scale = b;
      return inner(a);
    });
    await expect(outer(f32([1, 2]), f32([10, 20])).tolist()).resolves.toEqual([10, 40]);
    await expect(outer(f32([3, 4]), f32([2, 2])).tolist()).resolves.toEqual([6, 8]);
    expect(mx.compileStats(inner)).toMatchObject({ misses: 1, bypassed: 1 });
    expect(mx.compileStats(outer)).toMatchObject({ misses: 1, hits: 1 });
  });

  it("a compiled forward inside a compiled training step trains as the uncompiled step", async () => {
    const run = async (compiled: boolean) => {
      mx.random.seed(3);
      const model = new mx.nn.Linear(2, 1);
      const opt = new mx.optimizers.SGD({ learningRate: 0.1 });
      const forward = compiled ? mx.compile((a: mx.MxArray) => model.forward(a)) : (a: mx.MxArray) => model.forward(a);
      const lossAndGrad = mx.nn.valueAndGrad(model, (m: mx.nn.Linear, a: mx.MxArray, t: mx.MxArray) => mx.mean(mx.square(mx.subtract(m.forward(a), t))));
      const state = [model.state, opt.state];
      const plain = (a: mx.MxArray, t: mx.MxArray) => {
        const [loss, g] = lossAndGrad(model, a, t);
        opt.update(model, g);
        return [loss, forward(a)];
      };
      const step = compiled ? mx.compile(plain, { inputs: state, outputs: state }) : plain;
      const a = f32([[1, 2], [3, 4], [5, 6]]), t = f32([[1], [0], [1]]);
      const results: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        const [loss, preds] = step(a, t) as mx.MxArray[];
        results.push(await loss!.tolist(), await preds!.tolist());
      }
      return [...results, await model.weight.tolist()];
    };
    expect(await run(true)).toEqual(await run(false));
  });
});

describe("compile: shapeless traces of convolutions and quantized matmuls", () => {
  const randomOf = async (shape: number[]) => {
    const x = mx.random.normal(shape);
    await mx.eval(x);
    return x;
  };
  const replays = async (f: (x: mx.MxArray) => mx.MxArray, shapes: number[][]) => {
    const c = mx.compile(f, S);
    for (const shape of shapes) {
      const x = await randomOf(shape);
      const [got, want] = [c(x), f(x)];
      expect(got.shape).toEqual(want.shape);
      expect(await mx.arrayEqual(got, want).item()).toBe(true);
    }
    expect(mx.compileStats(c).misses).toBe(1);
  };

  it("conv layers and ops replay on other batch and spatial sizes, one trace", async () => {
    mx.random.seed(4);
    const conv1 = new mx.nn.Conv1d(3, 8, 3, { stride: 2, padding: 1, bias: false });
    const conv2 = new mx.nn.Conv2d(4, 6, 3, { stride: 2, padding: 1, groups: 2 });
    const up = new mx.nn.ConvTranspose2d(3, 2, 3, { stride: 2, padding: 1 });
    await mx.eval(conv1.parameters(), conv2.parameters(), up.parameters());
    await replays((x) => conv1.forward(x), [[4, 64, 3], [1, 33, 3], [2, 128, 3]]);
    await replays((x) => conv2.forward(x), [[2, 32, 32, 4], [3, 15, 20, 4]]);
    await replays((x) => up.forward(x), [[1, 5, 6, 3], [2, 8, 3, 3]]);
    const w = await randomOf([5, 3, 3, 2]);
    await replays((x) => mx.conv2d(x, w, 1, 1, 2), [[1, 9, 9, 2], [2, 12, 7, 2]]);
  });

  it("a quantized linear layer replays on other batch sizes and lengths, one trace", async () => {
    mx.random.seed(5);
    const model = new mx.nn.Sequential(new mx.nn.Linear(128, 64));
    mx.nn.quantize(model);
    expect(model.layers[0]).toBeInstanceOf(mx.nn.QuantizedLinear);
    await mx.eval(model.parameters());
    await replays((x) => model.forward(x) as mx.MxArray, [[2, 8, 128], [3, 5, 128]]);
    await replays((x) => model.forward(x) as mx.MxArray, [[7, 128], [1, 128]]);
  });

  it("exportFunction writes a shapeless conv that the imported function replays on other sizes", async () => {
    mx.random.seed(6);
    const conv = new mx.nn.Conv2d(3, 6, 3, { stride: 2, padding: 1 });
    await mx.eval(conv.parameters());
    const file = join(mkdtempSync(join(tmpdir(), "mx-")), "conv.mlxfn");
    await mx.exportFunction(file, (x: mx.MxArray) => conv.forward(x), mx.zeros([2, 32, 32, 3]), { shapeless: true });
    const imported = mx.importFunction(file);
    const x = await randomOf([1, 31, 17, 3]);
    expect(await mx.arrayEqual(imported(x)[0]!, conv.forward(x)).item()).toBe(true);
  });

  it("refuses a transposed convolution whose weight is an input (its paddings follow the traced kernel size)", async () => {
    const f = (x: mx.MxArray, w: mx.MxArray) => mx.convTranspose1d(x, w);
    const x = mx.reshape(mx.array([1, 10], mx.float32), [1, 2, 1]);
    expect(() => mx.compile(f, S)(x, mx.ones([1, 3, 1]))).toThrow(/'convTranspose1d' .*a transposed convolution whose weight comes from the function's inputs/);
    // a captured weight (a layer's) keeps its kernel size: that replays (the test above)
  });

  it("refuses the convolutions of a strided convolution's derivative, whose paddings follow the traced sizes", async () => {
    const w = await randomOf([4, 3, 2]);
    const dx = (x: mx.MxArray, ct: mx.MxArray) => mx.vjp((v: mx.MxArray) => mx.conv1d(v, w, 2), [x], [ct])[1][0]!;
    // the derivative's paddings differ between these lengths: a replay of the first trace would be wrong
    const [x8, x9] = [mx.zeros([1, 8, 2]), mx.zeros([1, 9, 2])];
    expect([dx(x8, mx.ones([1, 3, 4])).shape, dx(x9, mx.ones([1, 4, 4])).shape]).toEqual([[1, 8, 2], [1, 9, 2]]);
    expect(() => mx.compile(dx, S)(x8, mx.ones([1, 3, 4]))).toThrow(/^\[compile\] shapeless: the function uses 'vjp' \(its conv step: conv\(.*paddings may come from the traced sizes/);
  });
});

describe("compile: shapeless refusals name the op the user called and the reason", () => {
  it.each([
    ["zeros of a shape JS read", (x: mx.MxArray) => mx.add(x, mx.zeros(x.shape)), /the function uses 'zeros' \(its \w+ step: .*from none of the function's inputs/],
    ["index", (x: mx.MxArray) => mx.index(x, ":", -1), /the function uses 'index' \(its slice step: .*fixes its output shape \[2,1\].*mx\.take\(x, -1, axis\)/],
    ["reshape", (x: mx.MxArray) => mx.reshape(x, [6]), /the function uses 'reshape' \(reshape\(shape=\[6\]\)\), which fixes its output shape \[6\].*or give reshape a -1/],
    ["sliceUpdate", (x: mx.MxArray) => mx.sliceUpdate(x, mx.sum(x, { axis: 0, keepdims: true }), [1], [0]), /the function uses 'sliceUpdate' \(sliceUpdate\(.*\)\), whose start positions were fixed/],
  ] as const)("%s", (_name, f, message) => {
    expect(() => mx.compile(f, S)(mx.ones([2, 3]))).toThrow(message);
  });

  it("a captured array not evaluated yet is named as such", () => {
    const w = mx.random.normal([3, 3]);
    expect(() => mx.compile((x: mx.MxArray) => mx.matmul(x, w), S)(mx.ones([2, 3]))).toThrow(/the function uses 'random\.normal' .*or a captured array not evaluated yet/);
  });
});

describe("compile: CSE compares parameters by value (Object.is), not by their JSON", () => {
  class Tagged extends Primitive {
    readonly name = "tagged";
    constructor(readonly value: unknown) {
      super();
    }
    override params() {
      return { value: this.value };
    }
    output([x]: readonly Spec[]): Spec {
      return x!;
    }
  }
  const same = (a: unknown, b: unknown) => new Tagged(a).isEquivalent(new Tagged(b));

  it("tells -0 from 0 and NaN from the infinities, in lists and objects too", () => {
    expect([same(0, -0), same(NaN, Infinity), same(NaN, -Infinity), same([1, -0], [1, 0]), same({ a: [NaN] }, { a: [Infinity] })]).toEqual([false, false, false, false, false]);
    expect([same(NaN, NaN), same(-0, -0), same([1, { a: "x" }], [1, { a: "x" }]), same(null, null)]).toEqual([true, true, true, true]);
    expect([same([1], { 0: 1 }), same({ a: 1 }, { a: 1, b: 2 }), same([1, 2], [1])]).toEqual([false, false, false]);
  });

  it("a compiled function keeps arange(0, ...) and arange(-0, ...) apart", async () => {
    const fn = (x: mx.MxArray) => [mx.divide(x, mx.arange(0, 2, 1, mx.float32)), mx.divide(x, mx.arange(-0, 2, 1, mx.float32))];
    const x = f32([1, 1]);
    const compiled = mx.compile(fn)(x);
    expect(await Promise.all(compiled.map((a) => a.tolist()))).toEqual([[Infinity, 1], [-Infinity, 1]]);
  });
});

describe("compile: outputs", () => {
  it("a function may return no arrays (MLX's None), and constants beside arrays", async () => {
    const fun = mx.compile((x: unknown, y: mx.MxArray) => (x instanceof mx.MxArray ? mx.add(x, y) : x === false ? null : undefined));
    expect(await (fun(f32([1]), f32([2])) as mx.MxArray).tolist()).toEqual([3]);
    expect(fun(false, f32([1]))).toBeNull();
    expect(fun(true, f32([1]))).toBeUndefined();
    expect(fun(false, f32([5]))).toBeNull();
    expect(mx.compileStats(fun)).toMatchObject({ misses: 3, hits: 1 });
    const tagged = mx.compile((x: mx.MxArray) => ({ y: mx.exp(x), tag: "exp", n: 2 }));
    const out = tagged(f32([0]));
    expect([out.tag, out.n, await out.y.tolist()]).toEqual(["exp", 2, [1]]);
  });

  it("refuses a returned object that is not a tree or a constant (it would be stale)", () => {
    const f = mx.compile((x: mx.MxArray) => [mx.exp(x), new Map([["x", x]])]);
    expect(() => f(f32([1]))).toThrow(/^\[compile\] the function must return arrays, .*; the result\[1\] is/);
  });

  it("equal returned arrays stay distinct: disposing one leaves the other", async () => {
    const f = mx.compile((x: mx.MxArray) => [mx.exp(x), mx.exp(x), mx.exp(mx.array(0, mx.float32)), mx.exp(mx.array(0, mx.float32))]);
    for (let call = 0; call < 2; call++) {
      const [a, b, c, d] = f(f32([0, 1]));
      expect([a === b, c === d]).toEqual([false, false]);
      a!.dispose();
      c!.dispose();
      await expect(b!.tolist()).resolves.toEqual([1, Math.fround(Math.E)]);
      await expect(d!.tolist()).resolves.toEqual(1);
    }
    // a node equal to a returned one is merged into it (the returned one is kept)
    const g = mx.compile((x: mx.MxArray) => [mx.add(mx.exp(x), 1), mx.exp(x)]);
    g(f32([0]));
    expect(mx.compileStats(g).traces[0]!.cse).toBe(1);
  });
});

describe("compile: porting from MLX", () => {
  it("MLX_DISABLE_COMPILE, set to any value, disables compile at start as MLX's does", () => {
    const script = `import * as mx from "./index.ts"; const f = mx.compile((x) => mx.exp(x)); f(mx.array([0])); console.log(JSON.stringify(mx.compileStats(f)));`;
    const run = (value: string | undefined) => {
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.MLX_TS_DISABLE_COMPILE;
      delete env.MLX_DISABLE_COMPILE;
      if (value !== undefined) env.MLX_DISABLE_COMPILE = value;
      const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: process.cwd(), env, encoding: "utf8" });
      return JSON.parse(r.stdout.trim().split("\n").pop()!) as mx.CompileStats;
    };
    expect(run("1")).toMatchObject({ bypassed: 1, misses: 0 });
    expect(run("0")).toMatchObject({ bypassed: 1, misses: 0 });
    expect(run(undefined)).toMatchObject({ bypassed: 0, misses: 1 });
  }, 60_000);

  it("the compiled function keeps the function's name", () => {
    function trainStep(x: mx.MxArray) {
      return mx.exp(x);
    }
    expect(mx.compile(trainStep).name).toBe("trainStep");
    expect(mx.compile((x: mx.MxArray) => x).name).toBe("");
  });
});
