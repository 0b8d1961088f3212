// The checkpoint format of mx.nn's layers is MLX's: every built-in layer's
// parameters flatten to the dotted keys (and shapes) MLX's layer of the same
// name has, in MLX's order, written out below from MLX's python/mlx/nn/layers
// sources; and a checkpoint with MLX's keys (BatchNorm's running_mean) loads.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { withDefaultDevice } from "./helpers/backends.js";

const { nn } = mx;

withDefaultDevice(mx.cpu);

/** The flat [key, shape] list of a module's parameters, in order. */
const flat = (m: mx.nn.Module) => mx.utils.treeFlatten(m.parameters()).map(([k, v]) => [k, (v as mx.MxArray).shape]);
/** The dotted paths of a module's direct and nested children, as MLX's tree_flatten(children(), is_leaf=is_module). */
const childKeys = (m: mx.nn.Module) => mx.utils.treeFlatten(m.children(), { isLeaf: mx.nn.isModule }).map(([k]) => k);

/** MultiHeadAttention(4, 2)'s keys under `prefix` (MLX: bias=False by default). */
const mha = (prefix: string) => ["query_proj", "key_proj", "value_proj", "out_proj"].map((p) => [`${prefix}${p}.weight`, [4, 4]]);
const ln = (prefix: string) => [[`${prefix}.weight`, [4]], [`${prefix}.bias`, [4]]];
const lin = (prefix: string, o: number, i: number) => [[`${prefix}.weight`, [o, i]], [`${prefix}.bias`, [o]]];
const encoderLayer = (p: string) => [...mha(`${p}attention.`), ...ln(`${p}ln1`), ...ln(`${p}ln2`), ...lin(`${p}linear1`, 8, 4), ...lin(`${p}linear2`, 4, 8)];
const decoderLayer = (p: string) => [
  ...mha(`${p}self_attention.`), ...mha(`${p}cross_attention.`), ...ln(`${p}ln1`), ...ln(`${p}ln2`), ...ln(`${p}ln3`),
  ...lin(`${p}linear1`, 8, 4), ...lin(`${p}linear2`, 4, 8),
];

/** Each built-in layer and the [key, shape] list MLX's layer of the same name and arguments has. */
const LAYERS: [string, () => mx.nn.Module, (string | number[])[][]][] = [
  ["Identity", () => new nn.Identity(), []],
  ["Linear", () => new nn.Linear(2, 3), [["weight", [3, 2]], ["bias", [3]]]],
  ["Linear without bias", () => new nn.Linear(2, 3, false), [["weight", [3, 2]]]],
  ["Bilinear", () => new nn.Bilinear(2, 3, 4), [["weight", [4, 3, 2]], ["bias", [4]]]],
  ["Embedding", () => new nn.Embedding(5, 4), [["weight", [5, 4]]]],
  ["Sequential", () => new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU()), [["layers.0.weight", [3, 2]], ["layers.0.bias", [3]]]],
  ["Dropout", () => new nn.Dropout(), []],
  ["Dropout2d", () => new nn.Dropout2d(), []],
  ["Dropout3d", () => new nn.Dropout3d(), []],
  ["LayerNorm", () => new nn.LayerNorm(4), [["weight", [4]], ["bias", [4]]]],
  ["LayerNorm without bias", () => new nn.LayerNorm(4, { bias: false }), [["weight", [4]]]],
  ["LayerNorm not affine", () => new nn.LayerNorm(4, { affine: false }), []],
  ["RMSNorm", () => new nn.RMSNorm(4), [["weight", [4]]]],
  ["GroupNorm", () => new nn.GroupNorm(2, 4), [["bias", [4]], ["weight", [4]]]],
  ["InstanceNorm", () => new nn.InstanceNorm(4), []],
  ["InstanceNorm affine", () => new nn.InstanceNorm(4, { affine: true }), [["weight", [4]], ["bias", [4]]]],
  ["BatchNorm", () => new nn.BatchNorm(4), [["weight", [4]], ["bias", [4]], ["running_mean", [4]], ["running_var", [4]]]],
  ["BatchNorm without running stats", () => new nn.BatchNorm(4, { trackRunningStats: false }), [["weight", [4]], ["bias", [4]]]],
  ["RoPE", () => new nn.RoPE(4), []],
  ["SinusoidalPositionalEncoding", () => new nn.SinusoidalPositionalEncoding(4), []],
  ["ALiBi", () => new nn.ALiBi(), []],
  ["MultiHeadAttention", () => new nn.MultiHeadAttention(4, 2), mha("")],
  [
    "MultiHeadAttention with bias", () => new nn.MultiHeadAttention(4, 2, { bias: true }),
    ["query_proj", "key_proj", "value_proj", "out_proj"].flatMap((p) => lin(p, 4, 4)),
  ],
  ["TransformerEncoderLayer", () => new nn.TransformerEncoderLayer(4, 2, { mlpDims: 8 }), encoderLayer("")],
  ["TransformerEncoder", () => new nn.TransformerEncoder(1, 4, 2, { mlpDims: 8 }), [...encoderLayer("layers.0."), ...ln("ln")]],
  ["TransformerDecoderLayer", () => new nn.TransformerDecoderLayer(4, 2, { mlpDims: 8 }), decoderLayer("")],
  ["TransformerDecoder", () => new nn.TransformerDecoder(1, 4, 2, { mlpDims: 8 }), [...decoderLayer("layers.0."), ...ln("ln")]],
  [
    "Transformer", () => new nn.Transformer({ dims: 4, numHeads: 2, numEncoderLayers: 1, numDecoderLayers: 1, mlpDims: 8 }),
    [...encoderLayer("encoder.layers.0."), ...ln("encoder.ln"), ...decoderLayer("decoder.layers.0."), ...ln("decoder.ln")],
  ],
  ["RNN", () => new nn.RNN(3, 5), [["Wxh", [5, 3]], ["Whh", [5, 5]], ["bias", [5]]]],
  ["RNN without bias", () => new nn.RNN(3, 5, false), [["Wxh", [5, 3]], ["Whh", [5, 5]]]],
  ["GRU", () => new nn.GRU(3, 5), [["Wx", [15, 3]], ["Wh", [15, 5]], ["b", [15]], ["bhn", [5]]]],
  ["GRU without bias", () => new nn.GRU(3, 5, false), [["Wx", [15, 3]], ["Wh", [15, 5]]]],
  ["LSTM", () => new nn.LSTM(3, 5), [["Wx", [20, 3]], ["Wh", [20, 5]], ["bias", [20]]]],
  ["Conv1d", () => new nn.Conv1d(4, 6, 3, { groups: 2 }), [["weight", [6, 3, 2]], ["bias", [6]]]],
  ["Conv2d", () => new nn.Conv2d(3, 6, [2, 3]), [["weight", [6, 2, 3, 3]], ["bias", [6]]]],
  ["Conv3d without bias", () => new nn.Conv3d(3, 6, 2, { bias: false }), [["weight", [6, 2, 2, 2, 3]]]],
  ["ConvTranspose1d", () => new nn.ConvTranspose1d(3, 6, 2), [["weight", [6, 2, 3]], ["bias", [6]]]],
  ["ConvTranspose2d", () => new nn.ConvTranspose2d(3, 6, 2), [["weight", [6, 2, 2, 3]], ["bias", [6]]]],
  ["ConvTranspose3d", () => new nn.ConvTranspose3d(3, 6, 2), [["weight", [6, 2, 2, 2, 3]], ["bias", [6]]]],
  ["MaxPool2d", () => new nn.MaxPool2d(2), []],
  ["AvgPool1d", () => new nn.AvgPool1d(2), []],
  ["Upsample", () => new nn.Upsample(2), []],
  ["PReLU", () => new nn.PReLU(3), [["weight", [3]]]],
  ["GELU", () => new nn.GELU(), []],
  ["QuantizedLinear", () => new nn.QuantizedLinear(64, 8), [["weight", [8, 8]], ["scales", [8, 1]], ["biases", [8, 1]], ["bias", [8]]]],
  ["QuantizedLinear mxfp4", () => new nn.QuantizedLinear(64, 8, true, { mode: "mxfp4" }), [["weight", [8, 8]], ["scales", [8, 2]], ["bias", [8]]]],
  ["QuantizedEmbedding", () => new nn.QuantizedEmbedding(5, 64), [["weight", [5, 8]], ["scales", [5, 1]], ["biases", [5, 1]]]],
  ["QuantizedEmbedding nvfp4", () => new nn.QuantizedEmbedding(5, 64, { mode: "nvfp4" }), [["weight", [5, 8]], ["scales", [5, 4]]]],
  ["QQLinear (training)", () => new nn.QQLinear(32, 4), [["weight", [4, 32]]]],
  ["QQLinear (eval)", () => new nn.QQLinear(32, 4).eval(), [["weight", [4, 4]], ["scales", [4, 2]]]],
];

describe("built-in layers have MLX's parameter keys", () => {
  it.each(LAYERS)("%s", (_name, make, expected) => {
    expect(flat(make())).toEqual(expected);
  });

  it("the transformer layers have MLX's children", () => {
    expect(childKeys(new nn.TransformerEncoderLayer(4, 2))).toEqual(["attention", "ln1", "ln2", "linear1", "linear2", "dropout1", "dropout2"]);
    expect(childKeys(new nn.TransformerDecoderLayer(4, 2))).toEqual([
      "self_attention", "cross_attention", "ln1", "ln2", "ln3", "linear1", "linear2", "dropout1", "dropout2", "dropout3",
    ]);
    expect(childKeys(new nn.MultiHeadAttention(4, 2))).toEqual(["query_proj", "key_proj", "value_proj", "out_proj"]);
    expect(childKeys(new nn.Transformer({ dims: 4, numHeads: 2, numEncoderLayers: 0, numDecoderLayers: 0 }))).toEqual(["encoder", "decoder"]);
  });
});

describe("optional parameters", () => {
  it("a layer built without one has no such field, as MLX's (`\"bias\" in layer`)", () => {
    const absent: [mx.nn.Module, string][] = [
      [new nn.Linear(2, 2, false), "bias"], [new nn.Bilinear(2, 2, 2, false), "bias"], [new nn.Conv1d(2, 2, 1, { bias: false }), "bias"],
      [new nn.ConvTranspose2d(2, 2, 1, { bias: false }), "bias"], [new nn.RNN(2, 2, false), "bias"], [new nn.LSTM(2, 2, false), "bias"],
      [new nn.GRU(2, 2, false), "b"], [new nn.GRU(2, 2, false), "bhn"], [new nn.LayerNorm(2, { bias: false }), "bias"],
      [new nn.LayerNorm(2, { affine: false }), "weight"], [new nn.GroupNorm(1, 2, { affine: false }), "weight"], [new nn.InstanceNorm(2), "bias"],
      [new nn.BatchNorm(2, { trackRunningStats: false }), "running_mean"], [new nn.BatchNorm(2, { affine: false }), "weight"],
      [new nn.QQLinear(32, 2), "scales"], [new nn.MultiHeadAttention(4, 2).query_proj, "bias"],
    ];
    for (const [m, field] of absent) expect(field in m, `${m.constructor.name}.${field}`).toBe(false);
    const present: [mx.nn.Module, string][] = [
      [new nn.Linear(2, 2), "bias"], [new nn.Conv2d(2, 2, 1), "bias"], [new nn.GRU(2, 2), "bhn"], [new nn.BatchNorm(2), "running_var"], [new nn.InstanceNorm(2, { affine: true }), "weight"],
    ];
    for (const [m, field] of present) expect(field in m, `${m.constructor.name}.${field}`).toBe(true);
  });
});

describe("MLX-keyed checkpoints load", () => {
  const mlxBatchNorm: [string, mx.MxArray][] = [
    ["weight", mx.array([2, 1], mx.float32)],
    ["bias", mx.array([0, 1], mx.float32)],
    ["running_mean", mx.array([1, -1], mx.float32)],
    ["running_var", mx.array([4, 0.25], mx.float32)],
  ];

  it("a BatchNorm checkpoint with running_mean and running_var, strictly, from pairs and from a file", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "mx-keys-")), "bn.safetensors");
    await mx.saveSafetensors(file, Object.fromEntries(mlxBatchNorm));
    for (const source of [mlxBatchNorm, file]) {
      const bn = new nn.BatchNorm(2, { eps: 1e-30 }).loadWeights(source); // eps past float32's rounding of 4 and 0.25 (MLX refuses 0)
      // eval mode: (x - running_mean) / sqrt(running_var) * weight + bias
      expect(await bn.eval().forward(mx.array([[3, 0]], mx.float32)).tolist()).toEqual([[2, 3]]);
      expect(Object.keys(bn.trainableParameters())).toEqual(["weight", "bias"]);
    }
  });

  it("a checkpoint we write has MLX's keys", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "mx-keys-")), "mha.safetensors");
    await new nn.TransformerDecoderLayer(4, 2, { mlpDims: 8 }).saveWeights(file);
    const keys = Object.keys(mx.load(file) as Record<string, mx.MxArray>);
    expect(keys).toContain("self_attention.query_proj.weight");
    expect(keys).toContain("cross_attention.out_proj.weight");
  });
});
