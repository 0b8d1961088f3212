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
    expect(() => mx.arctan2(mx.array([{ re: 1, im: 0 }]), 1)).toThrow(/\[arctan2\] complex64 is not supported/);
    expect(() => mx.random.uniform(0, 1, [1], { dtype: mx.int8 })).toThrow(/\[random\.uniform\]/);
  });

  it("rejects bad axes", () => {
    expect(() => mx.argmax(mx.zeros([2, 2]), { axis: -3 })).toThrow(/\[argmax\] axis -3 is out of bounds for an array with 2 dimensions \(valid: -2 to 1\)/);
    expect(() => mx.swapaxes(mx.zeros([2]), 0, 1)).toThrow(/\[swapaxes\] axis2 1 is out of bounds/);
    expect(() => mx.moveaxis(mx.zeros([2]), 3, 0)).toThrow(/\[moveaxis\] source 3 is out of bounds for an array with 1 dimension \(valid: -1 to 0\) \(inputs: float32\(2,\)\)/);
  });

  // the list: each named an internal TypeError or another op than the one called
  it("names the op called and the argument, never an internal error", () => {
    const x = mx.array([1, 2], mx.float32);
    expect(() => mx.expandDims(x, undefined as never)).toThrow(/^\[expandDims\] axis must be a list of axes \(or one axis\), got undefined/);
    expect(() => mx.slice(x, undefined as never, [1])).toThrow(/^\[slice\] start must be a list of indices \(or null\), got undefined/);
    expect(() => mx.split(x, ["a"] as never)).toThrow(/^\[split\] indicesOrSections must hold integer indices, got the string 'a' at position 0/);
    expect(() => mx.split(x, undefined as never)).toThrow(/^\[split\] indicesOrSections must be a list of indices/);
    expect(() => mx.random.normal([2 ** 31])).toThrow(/^\[random\.normal\] dimension 0 of shape \[2147483648\]/);
    expect(() => mx.random.normal([2], { key: mx.array([1, 2]) })).toThrow(/^\[random\.normal\] key must be a uint32 array of shape \(2,\)/);
    expect(() => mx.zeros([-1])).toThrow(/^\[zeros\] shape must be an array of non-negative integers/);
    expect(() => mx.identity(-1)).toThrow(/^\[identity\] n must be an integer from 0 to 2\^31 - 1, got -1/);
    expect(() => mx.std(mx.zeros([2]), 3)).toThrow(/^\[std\] axis 3 is out of bounds/);
    expect(() => mx.clip(x, mx.zeros([3]), 1)).toThrow(/^\[clip\] shapes \(2,\) and \(3,\) cannot be broadcast/);
    expect(() => mx.transpose(mx.zeros([2, 2]), "ab" as never)).toThrow(/^\[transpose\] axes must be a list of axes, got the string 'ab'/);
    expect(() => mx.pad(x, 2 ** 31)).toThrow(/^\[pad\] padWidth \[2147483648,2147483648\] makes axis 0 larger than 2\^31 - 1/);
  });

  it("a custom function's rule that returns garbage is an error naming the rule", () => {
    const square = (v: mx.MxArray) => mx.square(v);
    const x = mx.array([1, 2], mx.float32);
    const withVjp = (vjp: () => unknown) => mx.customFunction(square, { vjp: vjp as never });
    const loss = (f: (v: mx.MxArray) => mx.MxArray) => mx.grad((v: mx.MxArray) => mx.sum(f(v)));
    expect(() => loss(withVjp(() => "garbage"))(x)).toThrow(/^\[customFunction\] the vjp rule must return a list of 1 cotangent \(one per argument, shaped as it, arrays or null\): got the string 'garbage'/);
    expect(() => loss(withVjp(() => [5]))(x)).toThrow(/^\[customFunction\] the vjp rule .*: cotangent 0 is 5/);
    expect(() => loss(withVjp(() => [mx.zeros([3])]))(x)).toThrow(/cotangent 0 has shape \(3,\) for argument 0 of shape \(2,\)/);
    const withJvp = mx.customFunction(square, { jvp: () => [[1, 2]] as never });
    expect(() => mx.jvp((v) => withJvp(v), [x], [x])).toThrow(/^\[customFunction\] the jvp rule .*: tangent 0 is a JS array \[1, 2\]/);
    expect(() => mx.customFunction(square, { vmap: 3 as never })).toThrow(/^\[customFunction\] rules\.vmap must be a function, got 3/);
    expect(() => mx.checkpoint(square)(1.5 as never)).toThrow(/^\[checkpoint\] its arguments hold no mx arrays .*; got 1\.5/);
  });

  it("names the op when its options or stream are wrong, or an input was disposed", () => {
    const x = mx.array([1, 2], mx.float32);
    expect(() => mx.exp(x, { stream: "cpu" as never })).toThrow(/^\[exp\] stream must be a Device or a Stream .*, got the string 'cpu'/);
    expect(() => mx.add(x, 1, { stream: new mx.Device("gpu", "no-such-backend") })).toThrow(/^\[add\] stream Device\(no-such-backend, 0\): backend 'no-such-backend' is not available/);
    expect(() => mx.reshape(x, [2], "fast" as never)).toThrow(/^\[reshape\] options must be an object such as \{ stream \}, got the string 'fast'/);
    expect(() => mx.sum(x, { keepdims: 1 as never })).toThrow(/^\[sum\] keepdims must be a boolean, got 1/);
    const gone = mx.array([1, 2], mx.float32);
    gone.dispose();
    expect(() => mx.multiply(gone, 2)).toThrow(/^\[multiply\] first input was disposed and can no longer be used/);
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
