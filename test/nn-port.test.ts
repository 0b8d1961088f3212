// What MLX programs ported to mx.nn rely on: RoPE's array offsets (batched
// caches), a causal mask of any size MLX allows, nn.checkpoint(module)
// defaulting to the module's forward, the printed module tree (MLX's
// __repr__), and MLX's keyword arguments given as an options object. cpu only.

import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { withDefaultDevice } from "./helpers/backends.js";

const { nn } = mx;

withDefaultDevice(mx.cpu);

const values = async (a: mx.MxArray) => Array.from((await a.data()) as Float32Array);

describe("nn.RoPE offsets", () => {
  it("takes an array offset, one per batch entry or one for all, as mx.fast.rope", async () => {
    const x = mx.sin(mx.reshape(mx.arange(2 * 3 * 4, mx.float32), [2, 3, 4]));
    const rope = new nn.RoPE(4, { base: 100 });
    const rows = (i: number) => mx.slice(x, [i, 0, 0], [i + 1, 3, 4]);
    const perBatch = rope.forward(x, mx.array([2, 5]));
    expect(await values(perBatch)).toEqual(await values(mx.concatenate([rope.forward(rows(0), 2), rope.forward(rows(1), 5)], 0)));
    expect(await values(rope.forward(x, mx.array(3)))).toEqual(await values(rope.forward(x, 3)));
    // a 2-D x takes a one-element offset
    expect(await values(rope.forward(mx.reshape(rows(1), [3, 4]), mx.array([5])))).toEqual(await values(rope.forward(rows(1), 5)));
    expect(() => rope.forward(x, mx.array([1, 2, 3]))).toThrow(/^\[nn\.RoPE\] offset must be a scalar or have one element per batch entry/);
    expect(() => rope.forward(x, mx.array([1.5], mx.float32))).toThrow(/^\[nn\.RoPE\] offset must be an integer array/);
    expect(() => rope.forward(x, "1" as never)).toThrow(/^\[nn\.RoPE\] offset must be an integer or an integer mx array/);
    // negative offsets are MLX's too (test/nn-layers.test.ts checks them); -2^31 is outside mx.fast.rope's range
    expect(() => rope.forward(x, -(2 ** 31))).toThrow(/^\[nn\.RoPE\] offset must be an integer from -\(2\^31 - 1\)/);
  });
});

describe("MultiHeadAttention.createAdditiveCausalMask", () => {
  it("builds any size MLX's shapes allow (lazily), checked so that n * n is exact", async () => {
    const big = nn.MultiHeadAttention.createAdditiveCausalMask(20000);
    expect(big.shape).toEqual([20000, 20000]);
    expect(nn.MultiHeadAttention.createAdditiveCausalMask(0).shape).toEqual([0, 0]);
    expect(await nn.MultiHeadAttention.createAdditiveCausalMask(3, mx.float16).tolist()).toEqual([[0, -65504, -65504], [0, 0, -65504], [0, 0, 0]]);
    expect(() => nn.MultiHeadAttention.createAdditiveCausalMask(2 ** 31)).toThrow(/^\[nn\.MultiHeadAttention\.createAdditiveCausalMask\] n must be an integer from 0 to 2\^31 - 1/);
    expect(() => nn.MultiHeadAttention.createAdditiveCausalMask(1e8)).toThrow(/^\[nn\.MultiHeadAttention\.createAdditiveCausalMask\] n \(100000000\) gives a mask of n \* n = 10000000000000000 elements, more than 2\^53 - 1/);
    expect(() => nn.MultiHeadAttention.createAdditiveCausalMask(1.5)).toThrow(/n must be an integer/);
  });
});

describe("nn.checkpoint", () => {
  it("without fn checkpoints the module's forward (looked up at each call), with its gradients", async () => {
    mx.random.seed(4);
    const layer = new nn.Linear(3, 2);
    const x = mx.sin(mx.reshape(mx.arange(6, mx.float32), [2, 3]));
    const call = nn.checkpoint(layer);
    expect(await values(call(x))).toEqual(await values(layer.forward(x)));
    const grad = (f: (a: mx.MxArray) => mx.MxArray) => nn.valueAndGrad(layer, (a: mx.MxArray) => mx.sum(mx.square(f(a))))(x)[1];
    const [g1, g2] = [grad(call), grad((a) => layer.forward(a))];
    expect(await values(g1.weight as mx.MxArray)).toEqual(await values(g2.weight as mx.MxArray));
    // as MLX, which captures the module rather than its method: a forward set later is the one called
    layer.forward = (a: mx.MxArray) => mx.multiply(a, 0);
    expect(await values(call(mx.ones([1, 3])))).toEqual([0, 0, 0]);
    expect(() => nn.checkpoint(new nn.Module() as never)).toThrow(/^\[nn\.checkpoint\] module \(a Module\) has no forward method; pass the function to checkpoint as fn/);
    expect(() => nn.checkpoint(layer, 3 as never)).toThrow(/^\[nn\.checkpoint\] fn must be a function/);
  });
});

describe("printing a module", () => {
  it("prints MLX's tree: the class with its configuration, children indented under their dotted paths", () => {
    const model = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.TransformerEncoder(1, 4, 2, { mlpDims: 8 }));
    const expected = [
      "Sequential(",
      "  (layers.0): Linear(inputDims=2, outputDims=3, bias=true)",
      "  (layers.1): ReLU()",
      "  (layers.2): TransformerEncoder(",
      "    (layers.0): TransformerEncoderLayer(",
      "      (attention): MultiHeadAttention(",
      "        (query_proj): Linear(inputDims=4, outputDims=4, bias=false)",
      "        (key_proj): Linear(inputDims=4, outputDims=4, bias=false)",
      "        (value_proj): Linear(inputDims=4, outputDims=4, bias=false)",
      "        (out_proj): Linear(inputDims=4, outputDims=4, bias=false)",
      "      )",
      "      (ln1): LayerNorm(4, eps=0.00001, affine=true)",
      "      (ln2): LayerNorm(4, eps=0.00001, affine=true)",
      "      (linear1): Linear(inputDims=4, outputDims=8, bias=true)",
      "      (linear2): Linear(inputDims=8, outputDims=4, bias=true)",
      "      (dropout1): Dropout(p=0)",
      "      (dropout2): Dropout(p=0)",
      "    )",
      "    (ln): LayerNorm(4, eps=0.00001, affine=true)",
      "  )",
      ")",
    ].join("\n");
    expect(String(model)).toBe(expected);
    expect(`${model}`).toBe(expected);
    expect(inspect(model)).toBe(expected);
    class Custom extends nn.Module {
      proj = { a: new nn.Linear(1, 1, false) };
    }
    expect(String(new Custom())).toBe("Custom(\n  (proj.a): Linear(inputDims=1, outputDims=1, bias=false)\n)");
    expect(String(new nn.Identity())).toBe("Identity()");
  });

  it("each layer prints its configuration (MLX's extra repr, with this API's option names)", () => {
    const cases: [mx.nn.Module, string][] = [
      [new nn.Bilinear(2, 3, 4, false), "Bilinear(input1Dims=2, input2Dims=3, outputDims=4, bias=false)"],
      [new nn.Embedding(10, 4), "Embedding(10, 4)"],
      [new nn.Conv1d(2, 4, 3, { groups: 2 }), "Conv1d(2, 4, kernelSize=3, stride=1, padding=0, dilation=1, groups=2, bias=true)"],
      [new nn.Conv2d(2, 4, [2, 3], { stride: 2, bias: false }), "Conv2d(2, 4, kernelSize=[2, 3], stride=[2, 2], padding=[0, 0], dilation=[1, 1], groups=1, bias=false)"],
      [new nn.ConvTranspose1d(2, 3, 2), "ConvTranspose1d(2, 3, kernelSize=2, stride=1, padding=0, dilation=1, outputPadding=0, bias=true)"],
      [new nn.MaxPool2d(2), "MaxPool2d(kernelSize=[2, 2], stride=[2, 2], padding=[0, 0])"],
      [new nn.AvgPool1d(3, 1, 1), "AvgPool1d(kernelSize=[3], stride=[1], padding=[1])"],
      [new nn.Dropout2d(0.25), "Dropout2d(p=0.25)"],
      [new nn.LayerNorm(4, { affine: false }), "LayerNorm(4, eps=0.00001, affine=false)"],
      [new nn.RMSNorm(4, 1e-6), "RMSNorm(4, eps=0.000001)"],
      [new nn.GroupNorm(2, 4), "GroupNorm(2, 4, eps=0.00001, affine=true, pytorchCompatible=false)"],
      [new nn.InstanceNorm(3), "InstanceNorm(3, eps=0.00001, affine=false)"],
      [new nn.BatchNorm(3, { trackRunningStats: false }), "BatchNorm(3, eps=0.00001, momentum=0.1, affine=true, trackRunningStats=false)"],
      [new nn.RoPE(8, { traditional: true }), "RoPE(8, traditional=true)"],
      [new nn.RNN(2, 3), "RNN(inputDims=2, hiddenSize=3, nonlinearity=tanh, bias=true)"],
      [new nn.GRU(2, 3, false), "GRU(inputDims=2, hiddenSize=3, bias=false)"],
      [new nn.LSTM(2, 3), "LSTM(inputDims=2, hiddenSize=3, bias=true)"],
      [new nn.Upsample(2, { mode: "cubic", antialias: true }), 'Upsample(scaleFactor=2, mode="cubic", alignCorners=false, antialias=true)'],
      [new nn.QuantizedLinear(64, 8, true, { bits: 8 }), "QuantizedLinear(inputDims=64, outputDims=8, bias=true, groupSize=64, bits=8, mode=affine)"],
      [new nn.QuantizedEmbedding(5, 64, { mode: "nvfp4" }), "QuantizedEmbedding(5, 64, groupSize=16, bits=4, mode=nvfp4)"],
      [new nn.QQLinear(32, 4).eval(), "QQLinear(inputDims=32, outputDims=4, groupSize=16, bits=4, mode=nvfp4)"],
      [new nn.GELU(), "GELU()"],
    ];
    for (const [m, text] of cases) expect(String(m)).toBe(text);
  });
});

describe("MLX's keyword arguments as an options object", () => {
  const keys = (m: mx.nn.Module) => mx.utils.treeFlatten(m.parameters()).map(([k]) => k);

  it("layers that take them positionally take the options object too", () => {
    expect(keys(new nn.Linear(2, 3, { bias: false }))).toEqual(["weight"]);
    expect(keys(new nn.Linear(2, 3, {}))).toEqual(["weight", "bias"]);
    expect(keys(new nn.Bilinear(2, 3, 4, { bias: false }))).toEqual(["weight"]);
    expect(String(new nn.RMSNorm(4, { eps: 1e-6 }))).toBe("RMSNorm(4, eps=0.000001)");
    expect([new nn.Dropout({ p: 0.2 }), new nn.Dropout2d({ p: 0.3 }), new nn.Dropout3d({})].map(String)).toEqual(["Dropout(p=0.2)", "Dropout2d(p=0.3)", "Dropout3d(p=0.5)"]);
    expect(String(new nn.MaxPool2d(3, { stride: 1, padding: 1 }))).toBe("MaxPool2d(kernelSize=[3, 3], stride=[1, 1], padding=[1, 1])");
    expect(String(new nn.AvgPool1d(2, { padding: 1 }))).toBe("AvgPool1d(kernelSize=[2], stride=[2], padding=[1])");
    expect(String(new nn.RNN(3, 5, { bias: false, nonlinearity: nn.relu }))).toBe("RNN(inputDims=3, hiddenSize=5, nonlinearity=relu, bias=false)");
    expect(keys(new nn.GRU(3, 5, { bias: false }))).toEqual(["Wx", "Wh"]);
    expect(keys(new nn.LSTM(3, 5, { bias: false }))).toEqual(["Wx", "Wh"]);
    const q = new nn.QuantizedLinear(64, 8, { bias: false, bits: 8 });
    expect([keys(q), q.bits]).toEqual([["weight", "scales", "biases"], 8]);
    expect(String(new nn.LeakyReLU({ negativeSlope: 0.5 }).forward(mx.array([-2], mx.float32)))).toContain("-1");
    expect(new nn.GELU({ approx: "tanh" })._approx).toBe("tanh");
    expect(new nn.Softmax({ axis: 0 })._axis).toBe(0);
    expect(keys(new nn.PReLU({ numParameters: 3 }))).toEqual(["weight"]);
    expect((new nn.PReLU({ numParameters: 3 }).weight.shape)).toEqual([3]);
  });

  it("activation functions too", async () => {
    const x = mx.array([[1, 2], [3, 5]], mx.float32);
    expect(await values(nn.softmax(x, { axis: 0 }))).toEqual(await values(nn.softmax(x, 0)));
    expect(await values(nn.logSoftmax(x, { axis: 0 }))).toEqual(await values(nn.logSoftmax(x, 0)));
    expect(await values(nn.glu(x, { axis: 0 }))).toEqual(await values(nn.glu(x, 0)));
    expect(await values(nn.leakyRelu(mx.array([-2], mx.float32), { negativeSlope: 0.5 }))).toEqual([-1]);
    expect(await values(nn.hardTanh(mx.array([-2, 2], mx.float32), { minVal: -0.5, maxVal: 0.5 }))).toEqual([-0.5, 0.5]);
    expect(await values(nn.step(mx.array([1, 3], mx.float32), { threshold: 2 }))).toEqual([0, 1]);
  });

  it("refuses unknown keys and arguments after the options object, naming the layer and the keys it takes", () => {
    expect(() => new nn.Linear(2, 3, { bais: false } as never)).toThrow(/^\[nn\.Linear\] unknown option 'bais'; valid options: bias$/);
    expect(() => new nn.Linear(2, 3, "no" as never)).toThrow(/^\[nn\.Linear\] bias must be a boolean, got/);
    expect(() => nn.softmax(mx.ones([2]), { dim: 0 } as never)).toThrow(/^\[nn\.softmax\] unknown option 'dim'; valid options: axis$/);
    expect(() => new nn.MaxPool2d(2, { stride: 1 }, 1)).toThrow(/^\[nn\.MaxPool2d\] got 1 after the options object \{ stride, padding \}; the options come last/);
    expect(() => new nn.QuantizedLinear(64, 8, true, { bias: false } as never)).toThrow(/^\[nn\.QuantizedLinear\] unknown option 'bias'; valid options: groupSize, bits, mode$/);
    expect(() => new nn.RMSNorm(4, { epsilon: 1 } as never)).toThrow(/^\[nn\.RMSNorm\] unknown option 'epsilon'; valid options: eps$/);
  });
});
