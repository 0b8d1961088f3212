// nn.Module as MLX's: which fields are parameters and children, the dotted
// keys, update/updateModules with strict, freeze/unfreeze with keys and
// recurse, train/eval, apply/applyToModules and MLX's module order, and
// nn.valueAndGrad against hand-derived gradients. Backend-independent (cpu).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as mx from "../index.js";

const { nn } = mx;
const f32 = (v: mx.NestedList) => mx.array(v, mx.float32);
const keys = (tree: unknown) => mx.utils.treeFlatten(tree).map(([k]) => k);

let saved: mx.Device;
beforeAll(() => {
  saved = mx.defaultDevice();
  mx.setDefaultDevice(mx.cpu);
});
afterAll(() => mx.setDefaultDevice(saved));

class Block extends nn.Module {
  linear = new nn.Linear(2, 2);
  scale = f32([1, 1]);
  extras = { gate: f32([0.5]), list: [f32([1]), new nn.Linear(1, 1)] };
  _private = f32([9]);
  label = "not a parameter";
  forward(x: mx.MxArray) {
    return mx.multiply(this.linear.forward(x), this.scale);
  }
}

class Net extends nn.Module {
  layers = [new Block(), new Block()];
  head = new nn.Linear(2, 1, false);
}

describe("nn.Module: parameters and children", () => {
  it("array fields are parameters, modules children, lists and objects walked, _names private", () => {
    expect(keys(new Block().parameters())).toEqual([
      "linear.weight", "linear.bias", "scale", "extras.gate", "extras.list.0", "extras.list.1.weight", "extras.list.1.bias",
    ]);
    const net = new Net();
    expect(keys(net.parameters())).toContain("layers.1.extras.list.1.bias");
    expect(keys(net.parameters()).filter((k) => k.startsWith("head"))).toEqual(["head.weight"]);
    expect(keys(net.parameters()).some((k) => k.includes("_private"))).toBe(false);
  });

  it("keeps empty objects for modules without parameters, as MLX", () => {
    const seq = new nn.Sequential(new nn.Linear(1, 1), new nn.ReLU());
    const p = seq.parameters() as { layers: unknown[] };
    expect(p.layers[1]).toEqual({});
    // a tree from parameters() goes back in, function layers and parameterless modules included
    const withFn = new nn.Sequential(new nn.Linear(1, 1), nn.relu, new nn.ReLU());
    expect(() => withFn.update(withFn.parameters())).not.toThrow();
    expect(() => withFn.update({ layers: [{}, { weight: f32([1]) }] })).toThrow(/\[Module\.update\] 'layers\.1'/);
  });

  it("children, leafModules, modules and namedModules in MLX's order", () => {
    const net = new Net();
    const kids = net.children() as { layers: mx.nn.Module[]; head: mx.nn.Module };
    expect(kids.layers.length).toBe(2);
    expect(kids.head).toBe(net.head);
    const leaves = mx.utils.treeFlatten(net.leafModules(), { isLeaf: nn.isModule }).map(([k]) => k);
    expect(leaves).toEqual(["layers.0.linear", "layers.0.extras.list.1", "layers.1.linear", "layers.1.extras.list.1", "head"]);
    expect(net.namedModules().map(([k]) => k)).toEqual([
      "", "head", "layers.1", "layers.1.extras.list.1", "layers.1.linear", "layers.0", "layers.0.extras.list.1", "layers.0.linear",
    ]);
    expect(net.modules().length).toBe(8);
  });

  it("leafModules: a module whose submodules hold no arrays is the leaf, as MLX's _is_leaf_module", () => {
    const leafKeys = (m: mx.nn.Module) => mx.utils.treeFlatten(m.leafModules(), { isLeaf: nn.isModule }).map(([k]) => k);
    const inner = new nn.Sequential(new nn.ReLU());
    const model = new nn.Sequential(inner, new nn.Linear(1, 1));
    expect(leafKeys(model)).toEqual(["layers.0", "layers.1"]);
    expect((model.leafModules() as { layers: unknown[] }).layers[0]).toBe(inner);
    // a submodule holding an array (a private one too) makes its parent not a leaf
    const holding = new nn.ReLU();
    (holding as unknown as { _scale: mx.MxArray })._scale = f32([1]);
    expect(leafKeys(new nn.Sequential(new nn.Sequential(holding)))).toEqual(["layers.0.layers.0"]);
  });
});

describe("nn.Module: update and updateModules", () => {
  it("replaces the given parameters only", async () => {
    const net = new Net();
    const before = net.layers[1]!.linear.weight;
    net.update({ layers: [{ scale: f32([2, 3]) }], head: { weight: f32([[1, 1]]) } });
    expect(await net.layers[0]!.scale.tolist()).toEqual([2, 3]);
    expect(net.layers[1]!.linear.weight).toBe(before);
    expect(await net.head.weight.tolist()).toEqual([[1, 1]]);
  });

  it("strict refuses unknown keys, lists too long and non-arrays; non-strict skips them", () => {
    const net = new Net();
    expect(() => net.update({ nope: f32([1]) })).toThrow(/\[Module\.update\].*nope/);
    expect(() => net.update({ layers: [{}, {}, {}] })).toThrow(/out of bounds/);
    expect(() => net.update({ head: { weight: 3 } })).toThrow(/head\.weight.*MxArray/);
    expect(() => net.update({ nope: f32([1]), layers: [{}, {}, {}] }, { strict: false })).not.toThrow();
  });

  it("updateModules swaps submodules", () => {
    const seq = new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU());
    seq.updateModules({ layers: [{}, new nn.GELU()] });
    expect(seq.layers[1]).toBeInstanceOf(nn.GELU);
    expect(() => seq.updateModules({ other: new nn.ReLU() })).toThrow(/\[Module\.updateModules\].*other/);
  });

  it("setDtype casts the floating parameters only (or those its predicate picks, or all for null)", () => {
    class Mixed extends nn.Module {
      w = f32([1]);
      count = mx.array([1], mx.int32);
    }
    const m = new Mixed().setDtype(mx.float16);
    expect([m.w.dtype, m.count.dtype]).toEqual([mx.float16, mx.int32]);
    m.setDtype(mx.int64, (d) => d === mx.int32);
    expect([m.w.dtype, m.count.dtype]).toEqual([mx.float16, mx.int64]);
    // null casts every parameter (MLX's predicate=None)
    m.setDtype(mx.int32, null);
    expect([m.w.dtype, m.count.dtype]).toEqual([mx.int32, mx.int32]);
  });

  it("apply maps every parameter and stores it", () => {
    const net = new Net().apply((p) => p.astype(mx.float16));
    expect(mx.utils.treeFlatten(net.parameters()).every(([, v]) => (v as mx.MxArray).dtype === mx.float16)).toBe(true);
  });
});

describe("nn.Module: freeze, unfreeze, train and eval", () => {
  it("freeze() freezes all, unfreeze({ keys }) brings back the named ones", () => {
    const net = new Net();
    net.freeze();
    expect(keys(net.trainableParameters())).toEqual([]);
    net.unfreeze({ keys: "bias" });
    expect(keys(net.trainableParameters())).toEqual(["layers.0.linear.bias", "layers.0.extras.list.1.bias", "layers.1.linear.bias", "layers.1.extras.list.1.bias"]);
  });

  it("recurse: false touches this module only; strict refuses unknown keys", () => {
    const net = new Net();
    net.layers[0]!.freeze({ recurse: false });
    const t = keys(net.trainableParameters());
    expect(t).not.toContain("layers.0.scale");
    expect(t).not.toContain("layers.0.extras.gate");
    expect(t).toContain("layers.0.linear.weight");
    expect(() => net.freeze({ keys: ["nope"], strict: true })).toThrow(/\[Module\.freeze\].*nope/);
    expect(() => net.freeze({ keys: ["nope"] })).not.toThrow();
  });

  it("refuses unknown options and wrong types, naming the method and the option", () => {
    const net = new Net();
    // a misspelt key ({ key } for { keys }) must not freeze everything
    expect(() => net.freeze({ key: "bias" } as never)).toThrow(/^\[Module\.freeze\] unknown option 'key'; valid options: recurse, keys, strict/);
    expect(keys(net.trainableParameters())).toEqual(keys(net.parameters()));
    expect(() => net.unfreeze({ recursive: false } as never)).toThrow(/^\[Module\.unfreeze\] unknown option 'recursive'/);
    expect(() => net.freeze({ recurse: "no" } as never)).toThrow(/^\[Module\.freeze\] recurse must be a boolean, got/);
    expect(() => net.freeze({ keys: ["nope"], strict: 1 } as never)).toThrow(/^\[Module\.freeze\] strict must be a boolean/);
    expect(() => net.freeze(null as never)).toThrow(/^\[Module\.freeze\] options must be an object/);
    expect(() => new nn.BatchNorm(2).unfreeze({ bogus: 1 } as never)).toThrow(/^\[Module\.unfreeze\] unknown option 'bogus'/);
    const params = net.parameters();
    expect(() => net.update(params, { strct: false } as never)).toThrow(/^\[Module\.update\] unknown option 'strct'; valid options: strict/);
    expect(() => net.update(params, { strict: "false" } as never)).toThrow(/^\[Module\.update\] strict must be a boolean/);
    expect(() => net.updateModules({}, { force: true } as never)).toThrow(/^\[Module\.updateModules\] unknown option 'force'/);
    expect(() => net.updateModules({}, { strict: 0 } as never)).toThrow(/^\[Module\.updateModules\] strict must be a boolean/);
    expect(() => net.loadWeights([], { strict: false, dtype: mx.float16 } as never)).toThrow(/^\[Module\.loadWeights\] unknown option 'dtype'; valid options: strict, stream/);
    expect(() => net.loadWeights([], { strict: "no" } as never)).toThrow(/^\[Module\.loadWeights\] strict must be a boolean/);
  });

  it("BatchNorm's running statistics stay frozen through unfreeze", () => {
    const bn = new nn.BatchNorm(3);
    expect(keys(bn.parameters())).toEqual(["weight", "bias", "running_mean", "running_var"]);
    expect(keys(bn.unfreeze().trainableParameters())).toEqual(["weight", "bias"]);
  });

  it("train/eval set the mode of every submodule", () => {
    const net = new nn.Sequential(new nn.Dropout(0.5), new nn.Sequential(new nn.Dropout(0.1)));
    net.eval();
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
  });
});

describe("nn.valueAndGrad", () => {
  it("gives the gradient of the loss with respect to the trainable parameters", async () => {
    const model = new nn.Linear(2, 1);
    model.update({ weight: f32([[1, -2]]), bias: f32([0.5]) });
    const x = f32([[1, 2], [3, 4]]);
    const y = f32([[1], [0]]);
    const loss = (a: mx.MxArray, b: mx.MxArray) => nn.losses.mseLoss(model.forward(a), b);
    const [value, grads] = nn.valueAndGrad(model, loss)(x, y);
    // predictions -2.5 and -4.5: errors -3.5, -4.5; mean square 16.25
    expect(await value.item()).toBeCloseTo(16.25, 5);
    // d/dw = mean(2 e x) = [(-7*1 - 9*3)/2, (-7*2 - 9*4)/2]; d/db = mean(2 e) = -8
    expect(await (grads.weight as mx.MxArray).tolist()).toEqual([[-17, -25]]);
    expect(await (grads.bias as mx.MxArray).tolist()).toEqual([-8]);
    // the model holds its own arrays again, not the transform's
    expect(await model.weight.tolist()).toEqual([[1, -2]]);
  });

  it("leaves frozen parameters out of the gradient", () => {
    const model = new nn.Linear(2, 1).freeze({ keys: "weight" });
    const [, grads] = nn.valueAndGrad(model, (a: mx.MxArray) => mx.sum(model.forward(a)))(f32([[1, 2]]));
    expect(Object.keys(grads)).toEqual(["bias"]);
  });

  it("refuses a non-module and a non-function", () => {
    expect(() => nn.valueAndGrad({} as mx.nn.Module, () => mx.array(0))).toThrow(/\[nn\.valueAndGrad\] model/);
    expect(() => nn.valueAndGrad(new nn.Identity(), 3 as unknown as () => mx.MxArray)).toThrow(/\[nn\.valueAndGrad\] fn/);
  });
});
