// Error-input entries of mx.nn: its functions (activations, valueAndGrad,
// checkpoint, quantize, isModule) and its layer classes, whose constructors are called
// with `new`. Each has a valid call, the words naming each argument and the
// bad calls its checks refuse. (nn.losses and nn.init are namespaces inside
// nn; test/nn-layers.test.ts and test/nn-init.test.ts check their errors.)

import * as mx from "../index.js";
import type { ArgKind, ArgSpec, ErrorEntry } from "./error-inputs.js";

const arg = (kind: ArgKind, ...names: string[]): ArgSpec => ({ kind, names });
const opts = (fields: Record<string, ArgSpec> = {}): ArgSpec => ({ kind: "options", names: ["options"], fields });

const f32 = (v: mx.NestedList) => mx.array(v, mx.float32);
const X = arg("array", "x");
const construct = (f: (...a: unknown[]) => unknown, a: unknown[]) => new (f as unknown as new (...b: unknown[]) => unknown)(...a);

/** An activation function taking `x` and further arguments. */
function activation(name: string, extra: [ArgSpec, unknown][] = [], x: () => mx.MxArray = () => f32([-1, 0.5, 2, 3])): ErrorEntry {
  return { name: `nn.${name}`, args: [X, ...extra.map(([s]) => s)], valid: () => [x(), ...extra.map(([, v]) => v)] };
}

/** A layer class: its constructor's arguments, called with `new`. */
function layer(name: string, args: ArgSpec[], valid: () => unknown[]): ErrorEntry {
  return { name: `nn.${name}`, args, valid, call: construct };
}

const int = (n: string) => arg("int", n);
const num = (n: string) => arg("number", n);
const bool = (n: string) => arg("bool", n);
const any = (n: string) => arg("any", n);

const SIMPLE = ["relu", "relu6", "relu2", "selu", "gelu", "geluApprox", "geluFastApprox", "silu", "mish", "softplus", "softsign", "hardswish", "logSigmoid", "sigmoid", "tanh"];
const NO_ARG_LAYERS = ["Module", "Identity", "ReLU", "ReLU6", "ReLU2", "SELU", "SiLU", "Mish", "Softplus", "Softsign", "Hardswish", "LogSigmoid", "Sigmoid", "Tanh", "ALiBi"];
const POOLS = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d"];
const CONV = ["Conv1d", "Conv2d", "Conv3d"];
const CONV_T = ["ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"];
const LAYER_OPTIONS = { mlpDims: int("mlpDims"), dropout: num("dropout"), activation: arg("fn", "activation"), normFirst: bool("normFirst") };
const STACK_OPTIONS = { ...LAYER_OPTIONS, checkpoint: bool("checkpoint") };
const QUANT_OPTIONS = { groupSize: int("groupSize"), bits: int("bits"), mode: any("mode") };

export const NN_ERROR_ENTRIES: readonly ErrorEntry[] = [
  ...SIMPLE.map((n) => activation(n)),
  activation("leakyRelu", [[num("negativeSlope"), 0.1]]),
  activation("elu", [[num("alpha"), 1]]),
  activation("celu", [[num("alpha"), 1]]),
  activation("softshrink", [[num("lambd"), 0.5]]),
  activation("hardShrink", [[num("lambd"), 0.5]]),
  activation("hardTanh", [[num("minVal"), -1], [num("maxVal"), 1]]),
  activation("step", [[num("threshold"), 0]]),
  activation("softmax", [[arg("axis", "axis"), -1]]),
  activation("logSoftmax", [[arg("axis", "axis"), -1]]),
  activation("softmin", [[arg("axis", "axis"), -1]]),
  activation("glu", [[arg("axis", "axis"), -1]]),
  activation("prelu", [[arg("array", "alpha"), f32([0.25])]]),
  {
    name: "nn.valueAndGrad",
    args: [any("model"), arg("fn", "fn")],
    valid: () => {
      const m = new mx.nn.Linear(2, 1);
      return [m, (x: mx.MxArray) => mx.sum(m.forward(x))];
    },
    call: (f, a) => (f(...a) as (x: mx.MxArray) => unknown)(f32([[1, 2]])),
    bad: [{ label: "a loss that is not a scalar", args: () => { const m = new mx.nn.Linear(2, 2); return [m, (x: mx.MxArray) => m.forward(x)]; }, names: ["scalar", "one element"] }],
  },
  {
    name: "nn.quantize",
    args: [any("model"), opts({ ...QUANT_OPTIONS, classPredicate: arg("fn", "classPredicate") })],
    valid: () => [new mx.nn.Sequential(new mx.nn.Linear(64, 8), new mx.nn.ReLU()), {}],
    bad: [{ label: "a predicate selecting a ReLU", args: () => [new mx.nn.Sequential(new mx.nn.ReLU()), { classPredicate: () => true }], names: ["ReLU"] }],
  },
  {
    name: "nn.checkpoint",
    args: [any("module"), arg("fn", "fn")],
    valid: () => {
      const m = new mx.nn.Linear(2, 1);
      return [m, (x: mx.MxArray) => m.forward(x)];
    },
    call: (f, a) => (f(...a) as (x: mx.MxArray) => unknown)(f32([[1, 2]])),
  },
  { name: "nn.isModule", args: [any("v")], valid: () => [new mx.nn.ReLU()] },

  ...NO_ARG_LAYERS.map((n) => layer(n, [], () => [])),
  layer("Linear", [int("inputDims"), int("outputDims"), bool("bias")], () => [2, 3, true]),
  layer("Bilinear", [int("input1Dims"), int("input2Dims"), int("outputDims"), bool("bias")], () => [2, 3, 4, true]),
  layer("Sequential", [any("modules")], () => [new mx.nn.ReLU()]),
  layer("Embedding", [int("numEmbeddings"), int("dims")], () => [5, 3]),
  ...["Dropout", "Dropout2d", "Dropout3d"].map((n) => layer(n, [num("p")], () => [0.5])),
  layer("LeakyReLU", [num("negativeSlope")], () => [0.01]),
  layer("ELU", [num("alpha")], () => [1]),
  layer("CELU", [num("alpha")], () => [1]),
  layer("GELU", [any("approx")], () => ["tanh"]),
  layer("Softshrink", [num("lambd")], () => [0.5]),
  layer("HardShrink", [num("lambd")], () => [0.5]),
  layer("HardTanh", [opts({ minVal: num("minVal"), maxVal: num("maxVal") })], () => [{}]),
  layer("Step", [num("threshold")], () => [0]),
  ...["LogSoftmax", "Softmax", "Softmin", "GLU"].map((n) => layer(n, [arg("axis", "axis")], () => [-1])),
  layer("PReLU", [int("numParameters"), num("init")], () => [2, 0.25]),
  layer("LayerNorm", [int("dims"), opts({ eps: num("eps"), affine: bool("affine"), bias: bool("bias") })], () => [4, {}]),
  layer("RMSNorm", [int("dims"), num("eps")], () => [4, 1e-5]),
  layer("GroupNorm", [int("numGroups"), int("dims"), opts({ eps: num("eps"), affine: bool("affine"), pytorchCompatible: bool("pytorchCompatible") })], () => [2, 4, {}]),
  layer("InstanceNorm", [int("dims"), opts({ eps: num("eps"), affine: bool("affine") })], () => [4, {}]),
  layer("BatchNorm", [int("numFeatures"), opts({ eps: num("eps"), momentum: num("momentum"), affine: bool("affine"), trackRunningStats: bool("trackRunningStats") })], () => [4, {}]),
  layer("RoPE", [int("dims"), opts({ traditional: bool("traditional"), base: num("base"), scale: num("scale") })], () => [4, {}]),
  layer("SinusoidalPositionalEncoding", [int("dims"), opts({ minFreq: num("minFreq"), maxFreq: num("maxFreq"), scale: num("scale"), cosFirst: bool("cosFirst"), fullTurns: bool("fullTurns") })], () => [8, {}]),
  layer("MultiHeadAttention", [int("dims"), int("numHeads"), opts({
    queryInputDims: int("queryInputDims"), keyInputDims: int("keyInputDims"), valueInputDims: int("valueInputDims"),
    valueDims: int("valueDims"), valueOutputDims: int("valueOutputDims"), bias: bool("bias"),
  })], () => [4, 2, {}]),
  ...["TransformerEncoderLayer", "TransformerDecoderLayer"].map((n) => layer(n, [int("dims"), int("numHeads"), opts(LAYER_OPTIONS)], () => [4, 2, {}])),
  ...["TransformerEncoder", "TransformerDecoder"].map((n) => layer(n, [int("numLayers"), int("dims"), int("numHeads"), opts(STACK_OPTIONS)], () => [1, 4, 2, {}])),
  layer("Transformer", [opts({
    ...STACK_OPTIONS, dims: int("dims"), numHeads: int("numHeads"), numEncoderLayers: int("numEncoderLayers"), numDecoderLayers: int("numDecoderLayers"),
    customEncoder: any("customEncoder"), customDecoder: any("customDecoder"),
  })], () => [{ dims: 4, numHeads: 2, numEncoderLayers: 1, numDecoderLayers: 1 }]),
  layer("RNN", [int("inputSize"), int("hiddenSize"), bool("bias"), arg("fn", "nonlinearity")], () => [3, 2, true, (x: mx.MxArray) => mx.tanh(x)]),
  layer("GRU", [int("inputSize"), int("hiddenSize"), bool("bias")], () => [3, 2, true]),
  layer("LSTM", [int("inputSize"), int("hiddenSize"), bool("bias")], () => [3, 2, true]),
  ...POOLS.map((n) => layer(n, [any("kernelSize"), any("stride"), any("padding")], () => [2, null, 0])),
  ...CONV.map((n) => layer(n, [int("inChannels"), int("outChannels"), any("kernelSize"), opts({ stride: any("stride"), padding: any("padding"), dilation: any("dilation"), groups: int("groups"), bias: bool("bias") })], () => [2, 4, 3, {}])),
  ...CONV_T.map((n) => layer(n, [int("inChannels"), int("outChannels"), any("kernelSize"), opts({ stride: any("stride"), padding: any("padding"), dilation: any("dilation"), outputPadding: any("outputPadding"), bias: bool("bias") })], () => [2, 4, 3, {}])),
  layer("Upsample", [any("scaleFactor"), opts({ mode: any("mode"), alignCorners: bool("alignCorners"), antialias: bool("antialias") })], () => [2, {}]),
  layer("QuantizedLinear", [int("inputDims"), int("outputDims"), bool("bias"), opts(QUANT_OPTIONS)], () => [64, 2, true, {}]),
  layer("QuantizedEmbedding", [int("numEmbeddings"), int("dims"), opts(QUANT_OPTIONS)], () => [4, 64, {}]),
  layer("QQLinear", [int("inputDims"), int("outputDims"), opts(QUANT_OPTIONS)], () => [32, 2, { mode: "mxfp8" }]),
];
