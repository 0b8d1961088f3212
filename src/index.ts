// The public front end of mlx-ts (`import * as mx from "mlx-ts"`): dtypes,
// devices and streams, array creation and ops, eval, memory, random, the
// function transforms and the tree utilities (mx.utils).
// Backends register themselves; see the package entry (index.ts at the root).

export {
  ALL_DTYPES, DType, bool, uint8, uint16, uint32, uint64, int8, int16, int32, int64,
  float16, bfloat16, float32, float64, complex64, promoteTypes, isFloating, isInexact, isInteger,
  type DTypeKind, type DTypeName,
} from "./dtype.js";
export { DType as Dtype } from "./dtype.js";
export { MxArray, MxArray as Array, type NestedList } from "./array.js";
export { print, setPrintoptions, getPrintoptions, printoptions, type PrintOptions } from "./print.js";
export { setMathMode, getMathMode, type MathMode } from "./math-mode.js";
export { Device, Stream, cpu, gpu, webgpu, metal, isAvailable, defaultDevice, setDefaultDevice, defaultStream, newStream, setDefaultStream, clearStreams, stream, StreamContext, type DeviceType, type StreamOrDevice } from "./device.js";
export * from "./ops/index.js";
export * from "./dtype-info.js";
export * from "./streams.js";
export { variance as var } from "./ops/reduction.js";
export { evalArrays as eval, tidy } from "./tidy.js";
export { getActiveMemory, getPeakMemory, getCacheMemory, resetPeakMemory, setCacheLimit, setMemoryLimit, clearCache } from "./memory.js";
export type { Complex, Scalar, TypedArray } from "./storage.js";
export type { OptionsWithout, PositionalThen } from "./argument-checks.js";
export type { KeywordArgs, PositionalThenOptions } from "./keyword-args.js";
export { Primitive, type Spec } from "./primitive.js";
export type { DataSlot } from "./memory.js";
export * as random from "./random.js";
export {
  registerBackend, registeredBackends, unavailableBackends,
  type Backend, type BackendBuffer, type BackendName, type HostBytes, type Kernel, type MultiKernel, type MemoryStats, type OutputSpec, type Tensor,
} from "../backends/backend.js";
export type { Contract } from "../backends/contract.js";
export * from "./transforms/index.js";
export * from "./compile/index.js";
export * as utils from "./transforms/utils.js";
export * as fast from "./fast/index.js";
export { checkKernel, type CheckInputSpec, type CheckKernelOptions, type KernelCheckReport, type KernelMismatch } from "./fast/check-kernel.js";
export * as linalg from "./linalg/index.js";
export * as nn from "./nn/index.js";
export * as fft from "./fft/index.js";
export * as distributed from "./distributed/index.js";
export * as optimizers from "./optimizers/index.js";
export * from "./io/index.js";
export * from "./export/index.js";

// `x[Symbol.dispose]` (for `using`) in the published types: declared here too,
// so a project whose `lib` predates ES2024's disposables still type-checks.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}
