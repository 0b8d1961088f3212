// Error-input entries of mx.nn's distributed surface (averageGradients,
// clipGradNormSharded, the sharded layers, shardLinear, shardInplace,
// FullyShardedModule, fullyShard), run in one process: the singleton group,
// on which each valid call returns its layer or tree.

import * as mx from "../index.js";
import type { ArgKind, ArgSpec, ErrorEntry } from "./error-inputs.js";

const arg = (kind: ArgKind, ...names: string[]): ArgSpec => ({ kind, names });
const opts = (fields: Record<string, ArgSpec> = {}): ArgSpec => ({ kind: "options", names: ["options"], fields });
const construct = (f: (...a: unknown[]) => unknown, a: unknown[]) => new (f as unknown as new (...b: unknown[]) => unknown)(...a);

const GROUP = arg("any", "group");
const MODULE = arg("any", "module");
const GRADIENTS = arg("tree", "gradients");
const SHARD_OPTIONS = opts({ segments: arg("any", "segments"), group: GROUP });
const QUANT_OPTIONS = opts({ groupSize: arg("int", "groupSize"), bits: arg("int", "bits"), mode: arg("any", "mode"), group: GROUP });
const grads = () => ({ w: mx.array([1, 2], mx.float32), b: [mx.array([[3]], mx.float32)] });

/** A layer class: its constructor's arguments, called with `new`. */
const layer = (name: string, args: ArgSpec[], valid: () => unknown[]): ErrorEntry => ({ name: `nn.${name}`, args, valid, call: construct });

export const NN_DISTRIBUTED_ERROR_ENTRIES: readonly ErrorEntry[] = [
  {
    name: "nn.averageGradients",
    args: [GRADIENTS, GROUP, arg("int", "allReduceSize"), arg("stream", "communicationStream", "stream")],
    valid: () => [grads(), undefined, 1024, mx.cpu],
  },
  {
    name: "nn.clipGradNormSharded",
    args: [GRADIENTS, arg("number", "maxNorm"), GROUP],
    valid: () => [grads(), 1, undefined],
  },
  layer("AllToShardedLinear", [arg("int", "inputDims"), arg("int", "outputDims"), arg("bool", "bias"), GROUP], () => [4, 2, true, undefined]),
  layer("ShardedToAllLinear", [arg("int", "inputDims"), arg("int", "outputDims"), arg("bool", "bias"), GROUP], () => [4, 2, true, undefined]),
  layer("QuantizedAllToShardedLinear", [arg("int", "inputDims"), arg("int", "outputDims"), arg("bool", "bias"), QUANT_OPTIONS], () => [64, 2, true, {}]),
  layer("QuantizedShardedToAllLinear", [arg("int", "inputDims"), arg("int", "outputDims"), arg("bool", "bias"), QUANT_OPTIONS], () => [64, 2, true, { bits: 8 }]),
  {
    name: "nn.shardLinear",
    args: [MODULE, arg("any", "sharding"), SHARD_OPTIONS],
    valid: () => [new mx.nn.Linear(4, 2), "all-to-sharded", {}],
    bad: [
      { label: "a module that is no linear layer", args: () => [new mx.nn.ReLU(), "sharded-to-all"], names: ["module"] },
      { label: "a segment count that does not divide the axis", args: () => [new mx.nn.Linear(4, 2), "all-to-sharded", { segments: 3 }], names: ["3"] },
    ],
  },
  {
    name: "nn.shardInplace",
    args: [MODULE, arg("any", "sharding"), SHARD_OPTIONS],
    valid: () => [new mx.nn.Linear(4, 2), "sharded-to-all", { segments: [0.5] }],
    bad: [
      { label: "a predicate returning a string", args: () => [new mx.nn.Linear(4, 2), () => "bogus"], names: ["sharding"] },
      { label: "a predicate returning an axis out of range", args: () => [new mx.nn.Linear(4, 2), () => 2], names: ["axis"] },
    ],
  },
  layer("FullyShardedModule", [MODULE, GROUP, arg("dtype", "computeDtype")], () => [new mx.nn.Linear(2, 2), undefined, mx.float32]),
  {
    name: "nn.fullyShard",
    args: [MODULE, opts({ group: GROUP, computeDtype: arg("dtype", "computeDtype") })],
    valid: () => [new mx.nn.Linear(2, 2), {}],
  },
];
