// mx.compile and its switches, gathered for the root export.

export { compile, compileStats, disableCompile, enableCompile, type CompileOptions, type CompileStats, type CompileTrace } from "./compile.js";
export type { FusedGroup, FusedNode } from "./group.js";
