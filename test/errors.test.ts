// Errors name the op, the inputs (dtype and shape) and what is valid: wrong
// argument types, bad axes and shapes, unsupported dtypes, and a backend that
// lacks a primitive or a dtype (a stand-in backend registered for this test).

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { registerBackend, type Backend } from "../backends/backend.js";
import { cpuBackend } from "../backends/cpu/index.js";

describe("argument errors", () => {
  it("rejects wrong argument types", () => {
    expect(() => mx.add([1, 2] as never, 1)).toThrow(/\[add\] first input must be an mx array or a JS number\/boolean\/bigint, got a JS array/);
    expect(() => mx.exp("x" as never)).toThrow(/\[exp\] input must be an mx array/);
    expect(() => mx.astype(mx.array([1]), "int8" as never)).toThrow(/\[astype\] dtype must be an mx dtype/);
    expect(() => mx.zeros([2, -1])).toThrow(/\[zeros\] shape must be an array of non-negative integers/);
    expect(() => mx.reshape(mx.array([1]), [1.5])).toThrow(/\[reshape\] shape must be an array of integers/);
  });

  it("rejects dtypes an op does not take, naming them", () => {
    expect(() => mx.bitwiseAnd(mx.array([1.5]), mx.array([1]))).toThrow(/\[bitwiseAnd\] requires bool or integer inputs, got float32 \(inputs: float32\(1,\), int32\(1,\)\)/);
    expect(() => mx.maximum(mx.array([{ re: 1, im: 0 }]), 1)).toThrow(/\[maximum\] complex64 is not supported/);
    expect(() => mx.random.uniform(0, 1, [1], { dtype: mx.int8 })).toThrow(/\[random\.uniform\]/);
  });

  it("rejects bad axes", () => {
    expect(() => mx.argmax(mx.zeros([2, 2]), { axis: -3 })).toThrow(/\[argmax\] axis -3 is out of bounds for an array with 2 dimensions \(valid: -2 to 1\)/);
    expect(() => mx.swapaxes(mx.zeros([2]), 0, 1)).toThrow(/\[swapaxes\] axis 1 is out of bounds/);
  });
});

describe("backend errors", () => {
  // A stand-in for a GPU backend with only `add` and no float16.
  const partial: Backend = {
    ...cpuBackend,
    name: "metal",
    displayName: "partial test backend",
    capabilities: { ...cpuBackend.capabilities, dtypes: new Set([mx.float32, mx.int32, mx.bool]) },
    kernels: { add: cpuBackend.kernels.add! },
    allocate: (n) => cpuBackend.allocate(n),
    release: (b) => cpuBackend.release(b),
    write: (b, s) => cpuBackend.write(b, s),
    read: (t) => cpuBackend.read(t),
    readSync: (t) => cpuBackend.readSync!(t),
    synchronize: () => cpuBackend.synchronize(),
    memory: () => cpuBackend.memory(),
    resetPeakMemory: () => cpuBackend.resetPeakMemory(),
    setCacheLimit: (n) => cpuBackend.setCacheLimit(n),
    clearCache: () => cpuBackend.clearCache(),
  };
  registerBackend(partial);
  const o = { stream: mx.metal };

  it("names the backend, primitive and inputs when a kernel is missing", async () => {
    await expect(mx.exp(mx.array([1], mx.float32, o), o).data()).rejects.toThrow(/\[exp\] is not implemented on backend 'partial test backend' \(inputs: float32\(1,\)\)/);
    await expect(mx.add(mx.array([1], mx.float32, o), 1, o).tolist()).resolves.toEqual([2]);
  });

  it("refuses a dtype the backend cannot hold", () => {
    expect(() => mx.add(mx.array([1], mx.float32, o), mx.array([1], mx.float16, o), o).dataSync()).toThrow(/dtype float16 is not supported on backend 'partial test backend'/);
  });

  it("moves cpu inputs to the backend", async () => {
    const x = mx.array([1, 2], mx.float32);
    await expect(mx.add(x, mx.array([3, 4], mx.float32, o), o).tolist()).resolves.toEqual([4, 6]);
  });
});
