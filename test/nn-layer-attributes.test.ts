// The settings of the built-in layers as MLX exposes them: what MLX's Python
// classes set as public attributes (`attn.num_heads`, `rope.dims`,
// `layer_norm.eps`, `conv.stride`) are public readonly camelCase members here
// (`numHeads`, `dims`, `eps`, `stride`), what MLX keeps private stays private,
// and making them public changed no parameter, child, repr or checkpoint key.
// A transformer layer's activation (and an RNN's nonlinearity) given as a
// module is a child of the layer, as MLX's attribute assignment makes it.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { expectClose } from "./helpers/backends.js";

const { nn } = mx;

/** `names` (space-separated), each behind `prefix`. */
const under = (prefix: string, names: string) => names.split(" ").map((n) => prefix + n).join(" ");
const MHA = "query_proj.weight key_proj.weight value_proj.weight out_proj.weight";
const ENC_LAYER = `${under("attention.", MHA)} ln1.weight ln1.bias ln2.weight ln2.bias linear1.weight linear1.bias linear2.weight linear2.bias`;
const DEC_LAYER = `${under("self_attention.", MHA)} ${under("cross_attention.", MHA)} ln1.weight ln1.bias ln2.weight ln2.bias ln3.weight ln3.bias linear1.weight linear1.bias linear2.weight linear2.bias`;

interface Case {
  make: () => mx.nn.Module;
  /** MLX's public attributes, camelCased, with the values given. */
  attrs: Record<string, unknown>;
  /** The flat parameter keys, space-separated, as before the settings were public. */
  params: string;
  /** The keys of children() (default none). */
  children?: string[];
  /** String(layer), where the layer prints settings. */
  repr?: string;
}

/** Every built-in layer, configured away from its defaults. */
const CASES: Record<string, Case> = {
  ReLU: { make: () => new nn.ReLU(), attrs: {}, params: "", repr: "ReLU()" },
  LeakyReLU: { make: () => new nn.LeakyReLU(0.2), attrs: {}, params: "" },
  ELU: { make: () => new nn.ELU(0.5), attrs: {}, params: "" },
  CELU: { make: () => new nn.CELU(0.5), attrs: {}, params: "" },
  GELU: { make: () => new nn.GELU("tanh"), attrs: {}, params: "" },
  Softshrink: { make: () => new nn.Softshrink(0.3), attrs: { lambd: 0.3 }, params: "", repr: "Softshrink()" },
  HardShrink: { make: () => new nn.HardShrink(0.3), attrs: { lambd: 0.3 }, params: "" },
  HardTanh: { make: () => new nn.HardTanh({ minVal: -2, maxVal: 2 }), attrs: {}, params: "" },
  Step: { make: () => new nn.Step(0.5), attrs: { threshold: 0.5 }, params: "" },
  LogSoftmax: { make: () => new nn.LogSoftmax(0), attrs: {}, params: "" },
  Softmax: { make: () => new nn.Softmax(0), attrs: {}, params: "" },
  Softmin: { make: () => new nn.Softmin(0), attrs: {}, params: "" },
  GLU: { make: () => new nn.GLU(0), attrs: { axis: 0 }, params: "", repr: "GLU()" },
  PReLU: { make: () => new nn.PReLU(3, 0.1), attrs: {}, params: "weight" },
  Identity: { make: () => new nn.Identity(), attrs: {}, params: "" },
  Linear: { make: () => new nn.Linear(2, 3), attrs: {}, params: "weight bias", repr: "Linear(inputDims=2, outputDims=3, bias=true)" },
  Bilinear: { make: () => new nn.Bilinear(2, 3, 4), attrs: {}, params: "weight bias" },
  Sequential: { make: () => new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU()), attrs: {}, params: "layers.0.weight layers.0.bias", children: ["layers"] },
  Embedding: { make: () => new nn.Embedding(5, 4), attrs: {}, params: "weight" },
  Dropout: { make: () => new nn.Dropout(0.1), attrs: {}, params: "", repr: "Dropout(p=0.1)" },
  Dropout2d: { make: () => new nn.Dropout2d(0.2), attrs: {}, params: "" },
  Dropout3d: { make: () => new nn.Dropout3d(0.3), attrs: {}, params: "" },
  LayerNorm: { make: () => new nn.LayerNorm(4, { eps: 1e-6 }), attrs: { dims: 4, eps: 1e-6 }, params: "weight bias", repr: "LayerNorm(4, eps=0.000001, affine=true)" },
  "LayerNorm without affine": { make: () => new nn.LayerNorm(4, { affine: false }), attrs: { dims: 4, eps: 1e-5 }, params: "", repr: "LayerNorm(4, eps=0.00001, affine=false)" },
  RMSNorm: { make: () => new nn.RMSNorm(4, 1e-6), attrs: { eps: 1e-6 }, params: "weight", repr: "RMSNorm(4, eps=0.000001)" },
  GroupNorm: {
    make: () => new nn.GroupNorm(2, 4, { eps: 1e-6, pytorchCompatible: true }),
    attrs: { numGroups: 2, dims: 4, eps: 1e-6, pytorchCompatible: true },
    params: "bias weight",
    repr: "GroupNorm(2, 4, eps=0.000001, affine=true, pytorchCompatible=true)",
  },
  InstanceNorm: { make: () => new nn.InstanceNorm(4, { eps: 1e-6, affine: true }), attrs: { dims: 4, eps: 1e-6 }, params: "weight bias", repr: "InstanceNorm(4, eps=0.000001, affine=true)" },
  BatchNorm: {
    make: () => new nn.BatchNorm(4, { eps: 1e-6, momentum: 0.2 }),
    attrs: { numFeatures: 4, eps: 1e-6, momentum: 0.2, trackRunningStats: true },
    params: "weight bias running_mean running_var",
    repr: "BatchNorm(4, eps=0.000001, momentum=0.2, affine=true, trackRunningStats=true)",
  },
  "BatchNorm without running statistics": {
    make: () => new nn.BatchNorm(4, { trackRunningStats: false }),
    attrs: { numFeatures: 4, eps: 1e-5, momentum: 0.1, trackRunningStats: false },
    params: "weight bias",
    repr: "BatchNorm(4, eps=0.00001, momentum=0.1, affine=true, trackRunningStats=false)",
  },
  RoPE: { make: () => new nn.RoPE(4, { traditional: true, base: 100, scale: 2 }), attrs: { dims: 4, traditional: true, base: 100, scale: 2 }, params: "", repr: "RoPE(4, traditional=true)" },
  SinusoidalPositionalEncoding: { make: () => new nn.SinusoidalPositionalEncoding(4, { scale: 2, cosFirst: true }), attrs: { scale: 2, cosFirst: true }, params: "" },
  ALiBi: { make: () => new nn.ALiBi(), attrs: {}, params: "" },
  MultiHeadAttention: { make: () => new nn.MultiHeadAttention(4, 2), attrs: { numHeads: 2 }, params: MHA, children: ["query_proj", "key_proj", "value_proj", "out_proj"] },
  TransformerEncoderLayer: {
    make: () => new nn.TransformerEncoderLayer(4, 2, { normFirst: false, activation: nn.gelu }),
    attrs: { normFirst: false, activation: nn.gelu },
    params: ENC_LAYER,
    children: ["attention", "ln1", "ln2", "linear1", "linear2", "dropout1", "dropout2"],
  },
  TransformerEncoder: {
    make: () => new nn.TransformerEncoder(2, 4, 2, { checkpoint: true }),
    attrs: { checkpoint: true },
    params: `${under("layers.0.", ENC_LAYER)} ${under("layers.1.", ENC_LAYER)} ln.weight ln.bias`,
    children: ["layers", "ln"],
  },
  TransformerDecoderLayer: {
    make: () => new nn.TransformerDecoderLayer(4, 2),
    attrs: { normFirst: true, activation: nn.relu },
    params: DEC_LAYER,
    children: ["self_attention", "cross_attention", "ln1", "ln2", "ln3", "linear1", "linear2", "dropout1", "dropout2", "dropout3"],
  },
  TransformerDecoder: { make: () => new nn.TransformerDecoder(1, 4, 2), attrs: { checkpoint: false }, params: `${under("layers.0.", DEC_LAYER)} ln.weight ln.bias`, children: ["layers", "ln"] },
  Transformer: {
    make: () => new nn.Transformer({ dims: 4, numHeads: 2, numEncoderLayers: 1, numDecoderLayers: 1 }),
    attrs: {},
    params: `${under("encoder.layers.0.", ENC_LAYER)} encoder.ln.weight encoder.ln.bias ${under("decoder.layers.0.", DEC_LAYER)} decoder.ln.weight decoder.ln.bias`,
    children: ["encoder", "decoder"],
  },
  RNN: { make: () => new nn.RNN(2, 3), attrs: { hiddenSize: 3, nonlinearity: mx.tanh }, params: "Wxh Whh bias", repr: "RNN(inputDims=2, hiddenSize=3, nonlinearity=tanh, bias=true)" },
  GRU: { make: () => new nn.GRU(2, 3), attrs: { hiddenSize: 3 }, params: "Wx Wh b bhn", repr: "GRU(inputDims=2, hiddenSize=3, bias=true)" },
  LSTM: { make: () => new nn.LSTM(2, 3, false), attrs: { hiddenSize: 3 }, params: "Wx Wh", repr: "LSTM(inputDims=2, hiddenSize=3, bias=false)" },
  // MLX's pooling settings are private (_kernel_size, _stride, _padding), and no children
  MaxPool1d: { make: () => new nn.MaxPool1d(2), attrs: {}, params: "", children: [], repr: "MaxPool1d(kernelSize=[2], stride=[2], padding=[0])" },
  AvgPool2d: { make: () => new nn.AvgPool2d(3, 1, 1), attrs: {}, params: "", children: [], repr: "AvgPool2d(kernelSize=[3, 3], stride=[1, 1], padding=[1, 1])" },
  Conv1d: {
    make: () => new nn.Conv1d(2, 4, 3, { stride: 2, padding: 1, groups: 2 }),
    attrs: { stride: 2, padding: 1, dilation: 1, groups: 2 },
    params: "weight bias",
    repr: "Conv1d(2, 4, kernelSize=3, stride=2, padding=1, dilation=1, groups=2, bias=true)",
  },
  Conv2d: {
    make: () => new nn.Conv2d(2, 4, 3, { stride: [1, 2], padding: 1 }),
    attrs: { stride: [1, 2], padding: [1, 1], dilation: [1, 1], groups: 1 },
    params: "weight bias",
    repr: "Conv2d(2, 4, kernelSize=[3, 3], stride=[1, 2], padding=[1, 1], dilation=[1, 1], groups=1, bias=true)",
  },
  Conv3d: {
    make: () => new nn.Conv3d(2, 4, 2, { bias: false, dilation: 2 }),
    attrs: { stride: [1, 1, 1], padding: [0, 0, 0], dilation: [2, 2, 2], groups: 1 },
    params: "weight",
    repr: "Conv3d(2, 4, kernelSize=[2, 2, 2], stride=[1, 1, 1], padding=[0, 0, 0], dilation=[2, 2, 2], groups=1, bias=false)",
  },
  ConvTranspose1d: {
    make: () => new nn.ConvTranspose1d(2, 4, 3, { stride: 2, outputPadding: 1 }),
    attrs: { stride: 2, padding: 0, dilation: 1, outputPadding: 1 },
    params: "weight bias",
    repr: "ConvTranspose1d(2, 4, kernelSize=3, stride=2, padding=0, dilation=1, outputPadding=1, bias=true)",
  },
  ConvTranspose2d: {
    make: () => new nn.ConvTranspose2d(2, 4, 3, { padding: [1, 0] }),
    attrs: { stride: [1, 1], padding: [1, 0], dilation: [1, 1], outputPadding: [0, 0] },
    params: "weight bias",
    repr: "ConvTranspose2d(2, 4, kernelSize=[3, 3], stride=[1, 1], padding=[1, 0], dilation=[1, 1], outputPadding=[0, 0], bias=true)",
  },
  ConvTranspose3d: { make: () => new nn.ConvTranspose3d(2, 4, 2), attrs: { stride: [1, 1, 1], outputPadding: [0, 0, 0] }, params: "weight bias" },
  Upsample: {
    make: () => new nn.Upsample([2, 3], { mode: "linear", alignCorners: true }),
    attrs: { scaleFactor: [2, 3], mode: "linear", alignCorners: true, antialias: false },
    params: "",
    repr: 'Upsample(scaleFactor=[2, 3], mode="linear", alignCorners=true)',
  },
  "Upsample with antialias": {
    make: () => new nn.Upsample(0.5, { mode: "cubic", antialias: true }),
    attrs: { scaleFactor: 0.5, mode: "cubic", alignCorners: false, antialias: true },
    params: "",
    repr: 'Upsample(scaleFactor=0.5, mode="cubic", alignCorners=false, antialias=true)',
  },
  QuantizedLinear: { make: () => new nn.QuantizedLinear(64, 4), attrs: { groupSize: 64, bits: 4, mode: "affine" }, params: "weight scales biases bias" },
  QuantizedEmbedding: {
    make: () => new nn.QuantizedEmbedding(5, 64, { bits: 8 }),
    attrs: { numEmbeddings: 5, dims: 64, groupSize: 64, bits: 8, mode: "affine" },
    params: "weight scales biases",
    repr: "QuantizedEmbedding(5, 64, groupSize=64, bits=8, mode=affine)",
  },
  QQLinear: { make: () => new nn.QQLinear(32, 4), attrs: { groupSize: 16, bits: 4, mode: "nvfp4" }, params: "weight" },
};

/** Settings MLX keeps private (a leading underscore there) or does not have: no public member of these names. */
const PRIVATE: [string, () => mx.nn.Module, string[]][] = [
  ["LeakyReLU", () => new nn.LeakyReLU(), ["negativeSlope"]],
  ["ELU", () => new nn.ELU(), ["alpha"]],
  ["CELU", () => new nn.CELU(), ["alpha"]],
  ["GELU", () => new nn.GELU(), ["approx"]],
  ["Softmax", () => new nn.Softmax(), ["axis"]],
  ["HardTanh", () => new nn.HardTanh(), ["minVal", "maxVal", "min", "max"]],
  ["Dropout", () => new nn.Dropout(), ["p"]],
  ["MaxPool2d", () => new nn.MaxPool2d(2), ["kernelSize", "stride", "padding"]],
  ["SinusoidalPositionalEncoding", () => new nn.SinusoidalPositionalEncoding(4), ["sigmas"]],
  ["LayerNorm", () => new nn.LayerNorm(4), ["affine"]],
  ["Linear", () => new nn.Linear(2, 2), ["inputDims", "outputDims"]],
];

const flatKeys = (tree: unknown) => mx.utils.treeFlatten(tree as mx.nn.Params).map(([k]) => k);
const dir = mkdtempSync(join(tmpdir(), "mx-layer-attributes-"));

describe("the built-in layers' settings are MLX's public attributes", () => {
  it.each(Object.keys(CASES))("%s: its MLX attributes are public camelCase members", (name) => {
    const { make, attrs } = CASES[name]!;
    const layer = make() as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(attrs)) {
      expect(k in layer, `${name}.${k}`).toBe(true);
      expect(layer[k], `${name}.${k}`).toEqual(v);
    }
  });

  it.each(PRIVATE)("%s keeps what MLX keeps private", (_name, make, names) => {
    const layer = make();
    for (const k of names) expect(k in layer, k).toBe(false);
  });

  it.each(Object.keys(CASES))("%s: parameters, children and repr are unchanged; no public setting is a list or an object", (name) => {
    const { make, params, children = [], repr } = CASES[name]!;
    const layer = make();
    expect(flatKeys(layer.parameters()).join(" ")).toBe(params);
    expect(Object.keys(layer.children())).toEqual(children);
    // no public own field but the parameters and children is walked as a tree: settings are numbers, strings, booleans or functions
    const walked = Object.entries(layer).filter(([k, v]) => !k.startsWith("_") && typeof v === "object" && v !== null && !(v instanceof mx.MxArray) && !(v instanceof nn.Module));
    expect(walked.map(([k]) => k).filter((k) => !children.includes(k))).toEqual([]);
    // a setting behind a getter (a list) is not an own field, so not in the tree either
    for (const k of Object.keys(CASES[name]!.attrs)) {
      if (Array.isArray((layer as unknown as Record<string, unknown>)[k])) expect(Object.keys(layer), k).not.toContain(k);
    }
    if (repr !== undefined) expect(String(layer)).toBe(repr);
  });

  it.each(Object.keys(CASES).filter((n) => CASES[n]!.params !== ""))("%s: saveWeights writes the parameter keys and loadWeights reads them back", async (name) => {
    const { make, params } = CASES[name]!;
    const file = join(dir, `${name.replace(/\W/g, "_")}.safetensors`);
    await make().saveWeights(file);
    const [arrays] = mx.loadSafetensors(file);
    expect(Object.keys(arrays).sort()).toEqual(params.split(" ").sort());
    expect(flatKeys(make().loadWeights(file).parameters()).join(" ")).toBe(params);
  });

  it("list settings are frozen copies: the caller's list is left alone and cannot change the layer", () => {
    const stride = [1, 2];
    const conv = new nn.Conv2d(1, 1, 3, { stride });
    stride[0] = 5;
    expect(conv.stride).toEqual([1, 2]);
    expect(Object.isFrozen(stride)).toBe(false);
    expect(() => (conv.stride as number[]).push(3)).toThrow(TypeError);
    const factor = [2, 2];
    const up = new nn.Upsample(factor);
    factor[1] = 4;
    expect(up.scaleFactor).toEqual([2, 2]);
    expect(up.forward(mx.ones([1, 2, 2, 1])).shape).toEqual([1, 4, 4, 1]);
  });

  it("a public setting is not a freezable member, as MLX's (its module dict holds only arrays, lists, dicts, modules)", () => {
    expect(() => new nn.LayerNorm(4).freeze({ keys: "eps", strict: true })).toThrow(/^\[Module\.freeze\] the module has no member named 'eps'/);
    expect(() => new nn.Conv2d(1, 1, 3).freeze({ keys: ["stride"], strict: true, recurse: false })).toThrow(/no member named 'stride'/);
    expect(Object.keys(new nn.LayerNorm(4).freeze({ keys: "bias", strict: true }).trainableParameters())).toEqual(["weight"]);
    expect(() => new nn.LayerNorm(4).update({ eps: 1 } as never)).toThrow(/^\[Module\.update\] 'eps' is not a parameter/);
  });
});

describe("an activation given as a module is a child of the layer, as MLX's", () => {
  it("TransformerEncoderLayer and TransformerDecoderLayer hold it after their other children", () => {
    const gelu = new nn.GELU();
    const enc = new nn.TransformerEncoderLayer(4, 2, { activation: gelu });
    expect(enc.activation).toBe(gelu);
    expect(Object.keys(enc.children())).toEqual(["attention", "ln1", "ln2", "linear1", "linear2", "dropout1", "dropout2", "activation"]);
    expect(enc.modules()).toContain(gelu);
    expect(enc.namedModules().map(([k]) => k)).toContain("activation");
    expect(String(enc).endsWith("\n  (activation): GELU()\n)")).toBe(true);
    expect(flatKeys(enc.parameters()).join(" ")).toBe(ENC_LAYER);
    enc.eval();
    expect(gelu.training).toBe(false);
    enc.train();
    expect(gelu.training).toBe(true);

    const dec = new nn.TransformerDecoderLayer(4, 2, { activation: new nn.SiLU() });
    expect(Object.keys(dec.children()).at(-1)).toBe("activation");
    expect(String(dec).endsWith("\n  (activation): SiLU()\n)")).toBe(true);
  });

  it("a function activation is not a child", () => {
    const enc = new nn.TransformerEncoderLayer(4, 2, { activation: nn.gelu });
    expect(enc.activation).toBe(nn.gelu);
    expect(Object.keys(enc.children())).not.toContain("activation");
    expect(String(enc)).not.toContain("activation");
    expect(new nn.TransformerEncoderLayer(4, 2).activation).toBe(nn.relu);
  });

  it("a module activation computes as the function does", async () => {
    const x = mx.reshape(mx.sin(mx.arange(24, mx.float32)), [2, 3, 4]);
    const byFunction = new nn.TransformerEncoderLayer(4, 2, { activation: nn.gelu });
    const byModule = new nn.TransformerEncoderLayer(4, 2, { activation: new nn.GELU() });
    byModule.update(byFunction.parameters());
    await expectClose(byModule.forward(x, "causal"), (await byFunction.forward(x, "causal").tolist()) as number[], 1e-6, 1e-6);
    const decFunction = new nn.TransformerDecoderLayer(4, 2, { activation: nn.silu, normFirst: false });
    const decModule = new nn.TransformerDecoderLayer(4, 2, { activation: new nn.SiLU(), normFirst: false });
    decModule.update(decFunction.parameters());
    await expectClose(decModule.forward(x, x), (await decFunction.forward(x, x).tolist()) as number[], 1e-6, 1e-6);
  });

  it("an activation with parameters puts them under `activation`, in every layer of a stack and through Transformer", async () => {
    const prelu = new nn.PReLU();
    const stack = new nn.TransformerEncoder(2, 4, 2, { activation: prelu });
    const keys = flatKeys(stack.parameters());
    expect(keys).toContain("layers.0.activation.weight");
    expect(keys).toContain("layers.1.activation.weight");
    expect(stack.layers[1]!.activation).toBe(prelu);
    const t = new nn.Transformer({ dims: 4, numHeads: 2, numEncoderLayers: 1, numDecoderLayers: 1, activation: new nn.PReLU() });
    const tk = flatKeys(t.parameters());
    expect(tk).toContain("encoder.layers.0.activation.weight");
    expect(tk).toContain("decoder.layers.0.activation.weight");
    // a checkpointed stack differentiates through the activation's parameters
    const ck = new nn.TransformerEncoder(1, 4, 2, { activation: new nn.PReLU(), checkpoint: true });
    const x = mx.reshape(mx.sin(mx.arange(12, mx.float32)), [1, 3, 4]);
    const [, grads] = nn.valueAndGrad(ck, (a: mx.MxArray) => mx.sum(ck.forward(a)))(x);
    expect(flatKeys(grads)).toContain("layers.0.activation.weight");
  });

  it("something that is neither a function nor a module with a forward is refused", () => {
    expect(() => new nn.TransformerEncoderLayer(4, 2, { activation: {} as never })).toThrow(/^\[nn\.TransformerEncoderLayer\] activation must be a function or an nn\.Module/);
    expect(() => new nn.TransformerDecoder(1, 4, 2, { activation: new nn.Module() as never })).toThrow(/^\[nn\.TransformerDecoder\] activation must be a function or an nn\.Module/);
    expect(() => new nn.RNN(2, 3, { nonlinearity: 1 as never })).toThrow(/^\[nn\.RNN\] nonlinearity must be a function or an nn\.Module/);
  });

  it("RNN: a module nonlinearity is a child too", async () => {
    const relu = new nn.ReLU();
    const rnn = new nn.RNN(2, 3, true, relu);
    expect(rnn.nonlinearity).toBe(relu);
    expect(Object.keys(rnn.children())).toEqual(["nonlinearity"]);
    expect(flatKeys(rnn.parameters()).join(" ")).toBe("Wxh Whh bias");
    expect(String(rnn)).toBe("RNN(inputDims=2, hiddenSize=3, nonlinearity=ReLU(), bias=true\n  (nonlinearity): ReLU()\n)");
    rnn.eval();
    expect(relu.training).toBe(false);
    const byFunction = new nn.RNN(2, 3, { nonlinearity: nn.relu });
    byFunction.update(rnn.parameters());
    const x = mx.reshape(mx.sin(mx.arange(8, mx.float32)), [4, 2]);
    await expectClose(rnn.forward(x), (await byFunction.forward(x).tolist()) as number[], 1e-6, 1e-6);
    expect(Object.keys(byFunction.children())).toEqual([]);
  });
});
