// The public ops, gathered: creation, elementwise, reductions, layout, matmul.

export type { ArrayLike, AxisOptions, JsScalar, OpOptions } from "./base.js";
export * from "./creation.js";
export * from "./elementwise.js";
export * from "./layout.js";
export * from "./linalg.js";
export * from "./reduction.js";
