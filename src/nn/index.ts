// mx.nn (also the package subpath mlx-ts/nn), as MLX's mlx.nn: Module and
// the layers, the activation functions, nn.losses, nn.init and
// valueAndGrad. Built from the public ops only.

export { Module, isModule, type ParamTree, type Params, type ModuleTree, type FilterFn, type MapFn, type UpdateOptions, type FreezeOptions } from "./module.js";
export type { LoadWeightsOptions } from "./weights.js";
export * from "./activations.js";
export * from "./layers/activations.js";
export { Identity, Linear, Bilinear } from "./layers/linear.js";
export { Sequential, type Layer } from "./layers/containers.js";
export { Embedding } from "./layers/embedding.js";
export { Dropout, Dropout2d, Dropout3d } from "./layers/dropout.js";
export { valueAndGrad } from "./value-and-grad.js";
export { checkpoint, type ArrayOut } from "./checkpoint.js";
export * as losses from "./losses.js";
export * as init from "./init.js";
export { LayerNorm, RMSNorm, GroupNorm, InstanceNorm, BatchNorm, type LayerNormOptions, type GroupNormOptions, type InstanceNormOptions, type BatchNormOptions } from "./layers/normalization.js";
export { RoPE, SinusoidalPositionalEncoding, ALiBi, type ALiBiOptions, type RoPEOptions, type SinusoidalOptions } from "./layers/positional.js";
export {
  MultiHeadAttention, TransformerEncoderLayer, TransformerEncoder, TransformerDecoderLayer, TransformerDecoder, Transformer,
  type AttentionMask, type MultiHeadAttentionOptions, type TransformerLayerOptions, type TransformerStackOptions, type TransformerOptions,
} from "./layers/transformer.js";
export { RNN, GRU, LSTM } from "./layers/recurrent.js";
export { MaxPool1d, MaxPool2d, MaxPool3d, AvgPool1d, AvgPool2d, AvgPool3d, type PerAxis, type PoolOptions } from "./layers/pooling.js";
export { Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, type ConvLayerOptions, type ConvTransposeLayerOptions, type ConvFn, type ConvTransposeFn } from "./layers/convolution.js";
export { Upsample, type UpsampleMode, type UpsampleOptions } from "./layers/upsample.js";
export { QuantizedLinear, QuantizedEmbedding, quantize, type QuantizeLayerOptions, type QuantizeModelOptions, type ToQuantizedOptions, type Quantizable } from "./layers/quantized.js";
export { QQLinear, type QQLinearOptions } from "./layers/qq-linear.js";
export { averageGradients, clipGradNormSharded, type AverageGradientsOptions } from "./distributed.js";
export * as utils from "./utils.js";
export {
  AllToShardedLinear, ShardedToAllLinear, QuantizedAllToShardedLinear, QuantizedShardedToAllLinear, shardLinear, shardInplace,
  type Segments, type Sharding, type ShardingPredicate, type ShardingSpec, type ShardOptions, type ShardedQuantizedOptions,
} from "./layers/sharded.js";
export { FullyShardedModule, fullyShard, type FullyShardOptions, type ForwardArgs, type ForwardResult, type AsLinearArgs, type AsLinearResult } from "./layers/fully-sharded.js";
