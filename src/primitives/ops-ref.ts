// The ops, for the primitives' transformation rules. Ops import primitives,
// so primitives cannot import ops at load time without an import cycle;
// src/ops/index.ts hands itself (and the node builder) over here once loaded.

import type { MxArray } from "../array.js";
import type { Primitive } from "../primitive.js";
import type { Stream } from "../device.js";
import type * as OpsModule from "../ops/index.js";

export let ops: typeof OpsModule;
export let node: (prim: Primitive, inputs: MxArray[], stream: Stream) => MxArray;

export function provideOps(module: typeof OpsModule, makeNode: typeof node): void {
  ops = module;
  node = makeNode;
}
