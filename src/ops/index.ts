// The public ops, gathered: creation, elementwise, reductions, layout, matmul.

export type { ArrayLike, AxisOptions, JsScalar, OpOptions } from "./base.js";
export * from "./creation.js";
export * from "./depends.js";
export * from "./divmod.js";
export * from "./elementwise.js";
export * from "./indexing.js";
export * from "./layout.js";
export * from "./linalg.js";
export * from "./reduction.js";
export * from "./shapes.js";
export * from "./math-extra.js";
export * from "./complex.js";
export * from "./strided.js";
export * from "./scan.js";
export * from "./sort.js";
export * from "./quantized.js";
export * from "./fp8.js";
export * from "./quantized-qqmm.js";
export * from "./view.js";
export * from "./matmul-products.js";
export * from "./einsum.js";
export * from "./matmul-hadamard.js";
export * from "./matmul-gather.js";
export * from "./conv.js";
export * from "./conv-transpose.js";

// the primitives' transformation rules are written with the ops (see primitives/ops-ref.ts)
import * as self from "./index.js";
import { node } from "./base.js";
import { provideOps } from "../primitives/ops-ref.js";
provideOps(self, node);
