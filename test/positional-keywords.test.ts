// MLX's positional-or-keyword parameters given positionally, in MLX's order,
// to the optimizers, nn.init, nn.losses and mx.utils' trees (the call forms
// of MLX's python/tests): the same result as the options object, and errors.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as mx from "../index.js";

const optim = mx.optimizers;
const { init, losses } = mx.nn;
const { treeFlatten, treeReduce } = mx.utils;
const f32 = (v: unknown) => mx.array(v as number[], mx.float32);
const list = async (a: mx.MxArray) => a.tolist();
/** `f` or class `C` called with arguments its types refuse, for the error cases. */
const loose = (f: unknown) => f as (...a: unknown[]) => unknown;
const looseClass = (C: unknown) => C as new (...a: unknown[]) => unknown;

let saved: mx.Device;
beforeAll(() => {
  saved = mx.defaultDevice();
  mx.setDefaultDevice(mx.cpu);
});
afterAll(() => mx.setDefaultDevice(saved));

/** The parameters after three steps of `opt` on a small nested tree. */
async function threeSteps(opt: mx.optimizers.Optimizer): Promise<unknown> {
  let params: unknown = { w: f32([[1, -2, 3], [0.5, -0.5, 2]]), b: [f32([0.25, -1])] };
  for (let t = 1; t <= 3; t++) {
    const grads = mx.utils.treeMap((p: mx.MxArray) => mx.multiply(mx.sin(mx.add(p, t)), 1 + t), params);
    params = opt.applyGradients(grads as Record<string, unknown>, params);
  }
  return Promise.all(treeFlatten(params).map(([k, v]) => list(v as mx.MxArray).then((l) => [k, l])));
}

describe("optimizers take MLX's parameters positionally", () => {
  const cases: [string, () => mx.optimizers.Optimizer, () => mx.optimizers.Optimizer][] = [
    ["SGD(0.1, 0.9)", () => new optim.SGD(0.1, 0.9), () => new optim.SGD(0.1, { momentum: 0.9 })],
    ["SGD(lr, momentum, weightDecay, dampening, nesterov)", () => new optim.SGD(0.1, 0.9, 0.01, 0, true), () => new optim.SGD({ learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, dampening: 0, nesterov: true })],
    ["SGD(0.1, 0.9, { nesterov })", () => new optim.SGD(0.1, 0.9, { nesterov: true }), () => new optim.SGD(0.1, { momentum: 0.9, nesterov: true })],
    ["RMSprop(lr, alpha, eps)", () => new optim.RMSprop(0.01, 0.9, 1e-6), () => new optim.RMSprop(0.01, { alpha: 0.9, eps: 1e-6 })],
    ["Adagrad(lr, eps)", () => new optim.Adagrad(0.1, 1e-6), () => new optim.Adagrad(0.1, { eps: 1e-6 })],
    ["AdaDelta(lr, rho, eps)", () => new optim.AdaDelta(1, 0.5, 1e-2), () => new optim.AdaDelta(1, { rho: 0.5, eps: 1e-2 })],
    ["Adam(1e-3, [0.9, 0.99])", () => new optim.Adam(1e-3, [0.9, 0.99]), () => new optim.Adam(1e-3, { betas: [0.9, 0.99] })],
    ["Adam(lr, betas, eps, biasCorrection)", () => new optim.Adam(1e-2, [0.8, 0.9], 1e-6, true), () => new optim.Adam(1e-2, { betas: [0.8, 0.9], eps: 1e-6, biasCorrection: true })],
    // AdamW's order is MLX's: weightDecay before biasCorrection
    ["AdamW(lr, betas, eps, weightDecay, biasCorrection)", () => new optim.AdamW(1e-2, [0.9, 0.999], 1e-8, 0.1, true), () => new optim.AdamW(1e-2, { weightDecay: 0.1, biasCorrection: true })],
    ["AdamW(lr, betas, { weightDecay })", () => new optim.AdamW(1e-2, [0.8, 0.9], { weightDecay: 0.5 }), () => new optim.AdamW({ learningRate: 1e-2, betas: [0.8, 0.9], weightDecay: 0.5 })],
    ["Adamax(lr, betas, eps)", () => new optim.Adamax(0.1, [0.8, 0.9], 1e-4), () => new optim.Adamax(0.1, { betas: [0.8, 0.9], eps: 1e-4 })],
    ["Lion(lr, betas, weightDecay)", () => new optim.Lion(0.1, [0.8, 0.95], 0.1), () => new optim.Lion(0.1, { betas: [0.8, 0.95], weightDecay: 0.1 })],
    ["Adafactor(lr, eps, clipThreshold, decayRate, beta1, weightDecay, scaleParameter, relativeStep, warmupInit)",
      () => new optim.Adafactor(0.01, [1e-30, 1e-3], 0.5, -0.5, 0.9, 0.01, false, false, false),
      () => new optim.Adafactor({ learningRate: 0.01, clipThreshold: 0.5, decayRate: -0.5, beta1: 0.9, weightDecay: 0.01, scaleParameter: false, relativeStep: false })],
    // null is MLX's None: the default (Adafactor's learning rate and beta1 are None by default)
    ["Adafactor(null, ..., null)", () => new optim.Adafactor(null, [1e-30, 1e-3], 1, -0.8, null), () => new optim.Adafactor()],
    ["Muon(lr, momentum, weightDecay, nesterov, nsSteps)", () => new optim.Muon(0.02, 0.9, 0, false, 3), () => new optim.Muon(0.02, { momentum: 0.9, weightDecay: 0, nesterov: false, nsSteps: 3 })],
  ];
  for (const [name, positional, keyword] of cases) {
    it(name, async () => {
      const a = positional(), b = keyword();
      expect(await threeSteps(a)).toEqual(await threeSteps(b));
      expect(Object.keys(a.state)).toEqual(Object.keys(b.state));
    });
  }

  it("fields as the options set them", () => {
    const sgd = new optim.SGD(0.1, 0.9, 0.01, 0.1);
    expect([sgd.momentum, sgd.weightDecay, sgd.dampening, sgd.nesterov]).toEqual([0.9, 0.01, 0.1, false]);
    const adam = new optim.Adam(1e-3, [0.9, 0.99]);
    expect([adam.betas, adam.eps, adam.biasCorrection]).toEqual([[0.9, 0.99], 1e-8, false]);
    const adamw = new optim.AdamW(1e-3, undefined, 1e-6, 0.05);
    expect([adamw.betas, adamw.eps, adamw.weightDecay, adamw.biasCorrection]).toEqual([[0.9, 0.999], 1e-6, 0.05, false]);
    const muon = new optim.Muon(0.1, null, 0);
    expect([muon.momentum, muon.weightDecay, muon.nesterov, muon.nsSteps]).toEqual([0.95, 0, true, 5]);
  });

  it("a schedule or an array as the learning rate, then positional parameters (MLX's test_optimizers schedules)", async () => {
    // MLX: opt.SGD(0.1), opt.step_decay(1e-1, 0.9, 1000)(2500), opt.cosine_decay(0.1, 10, 0.05)(9)
    expect(await optim.stepDecay(1e-1, 0.9, 1000)(2500).item()).toBeCloseTo(0.1 * 0.9 ** 2, 6);
    expect(await optim.cosineDecay(0.1, 10, 0.05)(9).item()).toBeCloseTo(0.05 + 0.5 * 0.05 * (1 + Math.cos(Math.PI * 0.9)), 6);
    const lr = optim.joinSchedules([optim.linearSchedule(0, 1e-5, 100), optim.cosineDecay(1e-5, 100)], [101]);
    const a = new optim.SGD(lr, 0.9), b = new optim.SGD({ learningRate: lr, momentum: 0.9 });
    expect(await threeSteps(a)).toEqual(await threeSteps(b));
    expect(await threeSteps(new optim.Adam(mx.array(0.1), [0.8, 0.9]))).toEqual(await threeSteps(new optim.Adam(0.1, { betas: [0.8, 0.9] })));
  });

  it("errors name the optimizer and the argument", () => {
    expect(() => new optim.SGD(0.1, "0.9" as never)).toThrow(/^\[optimizers\.SGD\] momentum must be/);
    expect(() => new optim.SGD(0.1, 0.9, 0, 0.5, true)).toThrow(/^\[optimizers\.SGD\] nesterov momentum needs/);
    expect(() => new optim.Adam(1e-3, [0.9, 1])).toThrow(/^\[optimizers\.Adam\] betas\[1\]/);
    expect(() => new optim.AdamW(1e-3, [0.9, 0.999], 1e-8, "x" as never)).toThrow(/^\[optimizers\.AdamW\] weightDecay/);
    expect(() => new optim.Adam(1e-3, [0.9, 0.999], 1e-8, 0.1 as never)).toThrow(/^\[optimizers\.Adam\] biasCorrection/);
    expect(() => new (looseClass(optim.Lion))(0.1, { betas: [0.9, 0.99] }, 0.1)).toThrow(/^\[optimizers\.Lion\] got 0\.1 after the options object \{ betas, weightDecay \}/);
    expect(() => new optim.RMSprop(0.1, 0.9, { alpha: 0.5 } as never)).toThrow(/^\[optimizers\.RMSprop\] unknown option 'alpha'/);
    expect(() => new (looseClass(optim.Adagrad))(0.1, 1e-8, 1)).toThrow(/^\[optimizers\.Adagrad\] takes at most 2 arguments; got 3/);
    expect(() => new optim.Adafactor(null, [1e-30, 1e-3], 1, -0.8, null, 0, true, false)).toThrow(/^\[optimizers\.Adafactor\] learningRate is needed/);
  });
});

describe("nn.init takes MLX's parameters positionally", () => {
  /** The array drawn by `make()(a, ...rest)` after seeding, so both forms draw the same numbers. */
  const draw = async (make: () => (a: mx.MxArray) => mx.MxArray, shape = [4, 3]) => {
    mx.random.seed(7);
    const out = make()(mx.zeros(shape));
    return [out.dtype.name, await list(out)];
  };

  it("MLX's test_init forms: constant(value, dtype), normal(mean, std, dtype), uniform(low, high, dtype), identity(dtype), glorot/he(dtype), sparse(sparsity, mean, std, dtype), orthogonal(gain, dtype)", async () => {
    const d = mx.float16;
    const pairs: [() => (a: mx.MxArray) => mx.MxArray, () => (a: mx.MxArray) => mx.MxArray, number[]?][] = [
      [() => init.constant(0.5, d), () => init.constant(0.5, { dtype: d })],
      [() => init.normal(0.0, 0.02), () => init.normal({ mean: 0, std: 0.02 })],
      [() => init.normal(1, 2, d), () => init.normal(1, { std: 2, dtype: d })],
      [() => init.uniform(-1, 1, d), () => init.uniform({ low: -1, high: 1, dtype: d })],
      [() => init.identity(d), () => init.identity({ dtype: d }), [3, 3]],
      [() => init.glorotNormal(d), () => init.glorotNormal({ dtype: d })],
      [() => init.glorotUniform(d), () => init.glorotUniform({ dtype: d })],
      [() => init.heNormal(d), () => init.heNormal({ dtype: d })],
      [() => init.heUniform(d), () => init.heUniform({ dtype: d })],
      [() => init.sparse(0.5, 1, 0.5, d), () => init.sparse(0.5, { mean: 1, std: 0.5, dtype: d })],
      [() => init.orthogonal(2, d), () => init.orthogonal({ gain: 2, dtype: d }), [3, 3]],
    ];
    for (const [positional, keyword, shape] of pairs) {
      const a = await draw(positional, shape);
      expect(a).toEqual(await draw(keyword, shape));
    }
    expect((await draw(() => init.normal(0, 1, mx.float16)))[0]).toBe("float16");
  });

  it("the initializers' own (a, mode, gain) and (a, gain)", async () => {
    const a = mx.zeros([6, 4]);
    const drawn = async (f: () => mx.MxArray) => {
      mx.random.seed(11);
      return list(f());
    };
    const he = init.heNormal();
    expect(await drawn(() => he(a, "fanOut", 2))).toEqual(await drawn(() => he(a, { mode: "fanOut", gain: 2 })));
    expect(await drawn(() => he(a, "fanOut", { gain: 2 }))).toEqual(await drawn(() => he(a, { mode: "fanOut", gain: 2 })));
    expect(await drawn(() => he(a, null, 3))).toEqual(await drawn(() => he(a, { gain: 3 })));
    const hu = init.heUniform();
    expect(await drawn(() => hu(a, "fanIn", 0.5))).toEqual(await drawn(() => hu(a, { gain: 0.5 })));
    const gn = init.glorotNormal();
    expect(await drawn(() => gn(a, 2))).toEqual(await drawn(() => gn(a, { gain: 2 })));
    const gu = init.glorotUniform();
    expect(await drawn(() => gu(a, 0.5))).toEqual(await drawn(() => gu(a, { gain: 0.5 })));
  });

  it("errors name the initializer and the argument", () => {
    const a = mx.zeros([4, 3]);
    expect(() => init.normal(0, -1)).toThrow(/^\[nn\.init\.normal\] std/);
    expect(() => init.uniform(1, 0)).toThrow(/^\[nn\.init\.uniform\] high/);
    expect(() => init.constant(1, "float32" as never)).toThrow(/^\[nn\.init\.constant\] dtype must be an mx dtype/);
    expect(() => loose(init.normal)(0, 1, mx.float32, 5)).toThrow(/^\[nn\.init\.normal\] takes at most 3 arguments; got 4/);
    expect(() => init.normal(0, { mean: 1 } as never)).toThrow(/^\[nn\.init\.normal\] unknown option 'mean'/);
    expect(() => init.heNormal()(a, "fan_out" as never)).toThrow(/^\[nn\.init\.heNormal\] mode/);
    expect(() => init.heNormal()(a, "fanIn", "2" as never)).toThrow(/^\[nn\.init\.heNormal\] gain/);
    expect(() => loose(init.glorotUniform())(a, 1, 2)).toThrow(/^\[nn\.init\.glorotUniform\] takes at most 2 arguments; got 3/);
    expect(() => init.glorotNormal()(a, { mode: "fanIn" } as never)).toThrow(/^\[nn\.init\.glorotNormal\] unknown option 'mode'/);
  });
});

describe("nn.losses take MLX's parameters positionally", () => {
  it("MLX's test_losses data, each parameter positionally and in the options", async () => {
    // test_smooth_l1_loss: smooth_l1_loss(predictions, targets, beta, reduction=...)
    const pred = f32([1.5, 2.5, 0.5, 3.5]), tgt = f32([1.0, 2.0, 0.5, 2.5]);
    expect(await list(losses.smoothL1Loss(pred, tgt, 1.0, "none"))).toEqual([0.125, 0.125, 0, 0.5]);
    expect(await list(losses.smoothL1Loss(pred, tgt, 1.0, { reduction: "sum" }))).toEqual(await list(losses.smoothL1Loss(pred, tgt, { beta: 1, reduction: "sum" })));
    expect(await list(losses.smoothL1Loss(pred, tgt, 0.5))).toEqual(await list(losses.smoothL1Loss(pred, tgt, { beta: 0.5 })));

    // test_cross_entropy: with weights and label smoothing
    const logits = f32([[2.0, -1.0], [-1.0, 2.0]]), indices = mx.array([0, 1]), weights = f32([1.0, 2.0]);
    const ce = losses.crossEntropy(logits, indices, weights, -1, 0.3, "none");
    expect(await mx.allclose(ce, f32([0.49858734, 0.9971747])).item()).toBe(true);
    expect(await list(ce)).toEqual(await list(losses.crossEntropy(logits, indices, { weights, labelSmoothing: 0.3, reduction: "none" })));
    expect(await list(losses.crossEntropy(logits, indices, null, -1, 0.3))).toEqual(await list(losses.crossEntropy(logits, indices, { labelSmoothing: 0.3 })));
    expect(await list(losses.crossEntropy(logits.T, indices, undefined, 0))).toEqual(await list(losses.crossEntropy(logits, indices, { axis: -1 })));

    const probs = f32([0.105361, 0.223144, 0.6, 0.916291]), targets = f32([0, 0, 1, 1]);
    expect(await list(losses.binaryCrossEntropy(probs, targets, null, false, "none"))).toEqual(await list(losses.binaryCrossEntropy(probs, targets, { withLogits: false, reduction: "none" })));
    expect(await list(losses.binaryCrossEntropy(probs, targets, f32([1, 2, 1, 2]), true))).toEqual(await list(losses.binaryCrossEntropy(probs, targets, { weights: f32([1, 2, 1, 2]) })));

    const logp = f32([[0.0, -Infinity], [-Infinity, 0.0]]), cls = mx.array([0, 1]);
    expect(await list(losses.nllLoss(logp, cls, -1, "sum"))).toEqual(await list(losses.nllLoss(logp, cls, { reduction: "sum" })));
    const p = mx.log(f32([[0.5, 0.5], [0.2, 0.8]])), q = mx.log(f32([[0.5, 0.5], [0.8, 0.2]]));
    expect(await list(losses.klDivLoss(p, q, 1, "mean"))).toEqual(await list(losses.klDivLoss(p, q, { axis: 1, reduction: "mean" })));
    for (const [name, f] of [["l1Loss", losses.l1Loss], ["mseLoss", losses.mseLoss], ["hingeLoss", losses.hingeLoss], ["logCoshLoss", losses.logCoshLoss]] as const) {
      expect(await list(f(pred, tgt, "sum")), name).toEqual(await list(f(pred, tgt, { reduction: "sum" })));
    }
    expect(await list(losses.huberLoss(mx.ones([2, 4]), mx.zeros([2, 4]), 0.5, "mean"))).toEqual(await list(losses.huberLoss(mx.ones([2, 4]), mx.zeros([2, 4]), { delta: 0.5, reduction: "mean" })));

    // test_triplet_loss
    const anchors = f32([[1, 2, 3], [1, 2, 3]]), positives = f32([[4, 5, 6], [0, -1, 2]]), negatives = f32([[7, 8, 9], [3, 2, 3]]);
    expect(await list(losses.tripletLoss(anchors, positives, negatives, -1, 1, 2, 1e-5, "sum")))
      .toEqual(await list(losses.tripletLoss(anchors, positives, negatives, { p: 1, margin: 2, eps: 1e-5, reduction: "sum" })));
    expect(await list(losses.tripletLoss(anchors, positives, negatives, -1, 3, { reduction: "mean" })))
      .toEqual(await list(losses.tripletLoss(anchors, positives, negatives, { p: 3, reduction: "mean" })));

    const e1 = f32([[0.5, 0.5, 0.2, 0.9], [0.1, 0.3, 0.5, 0.5]]), e2 = f32([[0.6, 0.4, 0.3, 0.8], [0.2, 0.5, 0.6, 0.4]]);
    expect(await list(losses.cosineSimilarityLoss(e1, e2, 1, 1e-8, "sum"))).toEqual(await list(losses.cosineSimilarityLoss(e1, e2, { reduction: "sum" })));

    const i1 = f32([-0.573409, -0.765166, -0.0638]), i2 = f32([0.75596, 0.225763, 0.256995]), t = f32([1, 1, -1]);
    expect(await list(losses.marginRankingLoss(i1, i2, t, 0.5, "none"))).toEqual(await list(losses.marginRankingLoss(i1, i2, t, { margin: 0.5 })));

    const x = f32([[0.1, 0.2], [0.3, 0.4]]), y = f32([[0.2, 0.1], [0.1, 0.2]]), v = f32([[0.1, 0.2], [0.3, 0.4]]);
    expect(await list(losses.gaussianNllLoss(x, y, v, true, 1e-6, "none"))).toEqual(await list(losses.gaussianNllLoss(x, y, v, { full: true, reduction: "none" })));
    expect(await list(losses.gaussianNllLoss(x, y, v, true))).toEqual(await list(losses.gaussianNllLoss(x, y, v, { full: true })));
  });

  it("errors name the loss and the argument", () => {
    const a = f32([1, 2]), b = f32([2, 2]);
    expect(() => losses.smoothL1Loss(a, b, -1)).toThrow(/^\[nn\.losses\.smoothL1Loss\] beta/);
    expect(() => losses.smoothL1Loss(a, b, 1, "avg" as never)).toThrow(/^\[nn\.losses\.smoothL1Loss\] reduction/);
    expect(() => loose(losses.mseLoss)(a, b, "sum", 1)).toThrow(/^\[nn\.losses\.mseLoss\] takes at most 3 arguments; got 4/);
    expect(() => losses.crossEntropy(f32([[1, 2]]), mx.array([1]), [1] as never)).toThrow(/^\[nn\.losses\.crossEntropy\] weights must be an mx array/);
    expect(() => losses.crossEntropy(f32([[1, 2]]), mx.array([1]), null, 1.5)).toThrow(/^\[nn\.losses\.crossEntropy\] axis/);
    expect(() => loose(losses.huberLoss)(a, b, { delta: 1 }, "sum")).toThrow(/^\[nn\.losses\.huberLoss\] got the string 'sum' after the options object \{ delta, reduction \}/);
    expect(() => losses.nllLoss(f32([[-1, -2]]), mx.array([0]), -1, { axis: 0 } as never)).toThrow(/^\[nn\.losses\.nllLoss\] unknown option 'axis'/);
  });
});

describe("mx.utils' trees take MLX's parameters positionally", () => {
  const tree = { layers: [{ w: 1 }, { w: 2 }], b: [3, 4] };

  it("treeFlatten(tree, prefix, isLeaf, destination)", () => {
    // MLX: tree_flatten(tree, "model") (its docstring's form: the prefix's first character dropped, "model" kept whole here)
    expect(treeFlatten(tree, "model")).toEqual(treeFlatten(tree, { prefix: "model" }));
    expect(treeFlatten(tree, ".model")).toEqual([["model.layers.0.w", 1], ["model.layers.1.w", 2], ["model.b.0", 3], ["model.b.1", 4]]);
    expect(treeFlatten(tree, "", Array.isArray)).toEqual(treeFlatten(tree, { isLeaf: Array.isArray }));
    expect(treeFlatten(tree, "", { isLeaf: Array.isArray })).toEqual([["layers", tree.layers], ["b", [3, 4]]]);
    expect(treeFlatten(tree, null, null)).toEqual(treeFlatten(tree));
    // a list destination is appended to and returned
    const pairs: [string, unknown][] = [["x", 0]];
    expect(treeFlatten(tree, "m", null, pairs)).toBe(pairs);
    expect(pairs.map(([k]) => k)).toEqual(["x", "m.layers.0.w", "m.layers.1.w", "m.b.0", "m.b.1"]);
    // an object in destination's place is the destination (MLX's tree_flatten(t, "", None, {})), not the options
    const dict: Record<string, unknown> = {};
    const out: Record<string, unknown> = treeFlatten(tree, "", null, dict);
    expect(out).toBe(dict);
    expect(out).toEqual(treeFlatten(tree, { destination: {} }));
    expect(treeFlatten(tree, "p", { destination: {} })).toEqual({ "p.layers.0.w": 1, "p.layers.1.w": 2, "p.b.0": 3, "p.b.1": 4 });
  });

  it("treeReduce(fn, tree, initializer, isLeaf)", () => {
    const longest = (acc: unknown, v: unknown) => Math.max(acc as number, (v as unknown[]).length);
    expect(treeReduce(longest, { a: [1, 2, 3], b: [4] }, 0, Array.isArray)).toBe(3);
    expect(treeReduce(longest, { a: [1, 2, 3], b: [4] }, 0, { isLeaf: Array.isArray })).toBe(3);
    expect(treeReduce((acc, v) => (acc as number) + (v as number), tree, 0, null)).toBe(10);
    // an object initializer stays the initializer
    expect(treeReduce((acc, v) => ({ n: (acc as { n: number }).n + (v as number) }), tree, { n: 0 })).toEqual({ n: 10 });
  });

  it("errors name the function and the argument", () => {
    expect(() => treeFlatten(tree, 5 as never)).toThrow(/^\[utils\.treeFlatten\] prefix must be a string, got 5/);
    expect(() => treeFlatten(tree, "", "x" as never)).toThrow(/^\[utils\.treeFlatten\] isLeaf must be a function/);
    expect(() => treeFlatten(tree, "", null, "x" as never)).toThrow(/^\[utils\.treeFlatten\] destination must be a list or an object/);
    expect(() => treeFlatten(tree, "", { prefix: "x" } as never)).toThrow(/^\[utils\.treeFlatten\] unknown option 'prefix'/);
    expect(() => loose(treeFlatten)(tree, { prefix: "x" }, null)).toThrow(/^\[utils\.treeFlatten\] got null after the options object/);
    expect(() => loose(treeFlatten)(tree, "", null, [], 1)).toThrow(/^\[utils\.treeFlatten\] takes at most 4 arguments; got 5/);
    expect(() => treeReduce((a) => a, tree, 0, "x" as never)).toThrow(/^\[utils\.treeReduce\] isLeaf must be a function, got the string 'x'/);
    expect(() => loose(treeReduce)((a: unknown) => a, tree, 0, null, 1)).toThrow(/^\[utils\.treeReduce\] takes at most 4 arguments; got 5/);
  });
});
