// MLX programs ported line by line: the forms a reviewer found refused or
// answered wrongly (derivatives of integer primals, the top-level dtype
// categories, MLX's positional arguments, mx.metal's functions, and the
// words of two errors), each as MLX documents it.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";

const cpu = { stream: mx.cpu };
const f32 = (v: number[]) => mx.array(v, mx.float32, cpu);

describe("jvp and vjp refuse integer primals, as grad does", () => {
  const intHint = /mx\.array\(1\.0\) is int32: pass a float dtype/;
  it("jvp of an int32 primal names the transform, the primal and the JS pitfall", () => {
    expect(() => mx.jvp(mx.sin, [mx.array(1.0)], [mx.array(1.0)])).toThrow(/^\[jvp\] primals\[0\] has dtype int32; derivatives need float arrays/);
    expect(() => mx.jvp(mx.sin, [mx.array(1.0)], [mx.array(1.0)])).toThrow(intHint);
    expect(() => mx.jvp((a: mx.MxArray, b: mx.MxArray) => mx.add(a, b), [f32([1]), mx.array([true])], [f32([1]), mx.array([true])])).toThrow(/^\[jvp\] primals\[1\] has dtype bool/);
  });
  it("vjp of an int32 primal likewise", () => {
    expect(() => mx.vjp(mx.sin, [mx.array(1)], [mx.array(1.5)])).toThrow(/^\[vjp\] primals\[0\] has dtype int32; derivatives need float arrays/);
    expect(() => mx.vjp(mx.sin, [mx.array(1)], [mx.array(1.5)])).toThrow(intHint);
    expect(() => mx.grad((a: mx.MxArray) => mx.sum(a, cpu))(mx.array([0, 1]))).toThrow(intHint);
  });
  it("float primals still differentiate, and derived rules still take integer inputs", async () => {
    const [, [t]] = mx.jvp(mx.sin, [mx.array(0, mx.float32)], [mx.array(2, mx.float32)]);
    expect(await t!.item()).toBe(2);
    const [, [c]] = mx.vjp(mx.square, [mx.array(3, mx.float32)], [mx.array(1, mx.float32)]);
    expect(await c!.item()).toBe(6);
    // a checkpoint's and a custom function's derived rules run vjp / jvp over all of their arguments, indices included
    const pick = (x: mx.MxArray, idx: mx.MxArray) => mx.take(mx.square(x), idx, 0);
    const x = f32([1, 2, 3]);
    const idx = mx.array([2, 0], mx.int32);
    const g = mx.grad((v: mx.MxArray) => mx.sum(mx.checkpoint(pick)(v, idx)))(x);
    expect(await g.tolist()).toEqual([2, 0, 6]);
    const custom = mx.customFunction(pick);
    expect(await mx.grad((v: mx.MxArray) => mx.sum(custom(v, idx)))(x).tolist()).toEqual([2, 0, 6]);
    const [, [jt]] = mx.jvp((v: mx.MxArray) => custom(v, idx), [x], [f32([1, 1, 1])]);
    expect(await jt!.tolist()).toEqual([6, 2]);
  });
});

describe("MLX's dtype categories at the top level", () => {
  it("mx.floating, mx.integer, ... are the DtypeCategory members, and mx.Dtype is the dtype class", () => {
    expect(mx.issubdtype(mx.float16, mx.floating)).toBe(true);
    expect(mx.issubdtype(mx.int8, mx.inexact)).toBe(false);
    expect(mx.issubdtype(mx.uint8, mx.unsignedinteger)).toBe(true);
    expect(mx.issubdtype(mx.int8, mx.signedinteger)).toBe(true);
    expect(mx.issubdtype(mx.int64, mx.integer)).toBe(true);
    expect(mx.issubdtype(mx.complex64, mx.complexfloating)).toBe(true);
    expect(mx.issubdtype(mx.bool, mx.number)).toBe(false);
    expect(mx.issubdtype(mx.bool, mx.generic)).toBe(true);
    expect(mx.issubdtype(mx.floating, mx.number)).toBe(true);
    expect([mx.complexfloating, mx.floating, mx.inexact, mx.signedinteger, mx.unsignedinteger, mx.integer, mx.number, mx.generic]).toEqual(Object.values(mx.DtypeCategory));
    expect(mx.float32).toBeInstanceOf(mx.Dtype);
    const d: mx.Dtype = mx.bfloat16;
    expect(d.name).toBe("bfloat16");
  });
});

describe("MLX's positional forms", () => {
  const key = mx.random.key(0);
  const same = async (a: mx.MxArray, b: mx.MxArray) => expect(await a.tolist()).toEqual(await b.tolist());
  const call = (f: unknown, ...args: unknown[]) => (f as (...a: unknown[]) => unknown)(...args);

  it("mx.random's samplers take MLX's parameters positionally, then the options", async () => {
    await same(mx.random.normal([2], mx.float32, 1, 2, { key }), mx.random.normal([2], { loc: 1, scale: 2, key }));
    await same(mx.random.normal([2], mx.float32, 1, 2, key), mx.random.normal([2], { loc: 1, scale: 2, key }));
    await same(mx.random.normal([2], null, null, 2, key, cpu), mx.random.normal([2], { scale: 2, key }));
    await same(mx.random.bits([], 2, { key }), mx.random.bits([], { width: 2, key }));
    await same(mx.random.bits([3], 1, key), mx.random.bits([3], { width: 1, key }));
    await same(mx.random.uniform(0, 1, [3], mx.float16, key), mx.random.uniform(0, 1, [3], { dtype: mx.float16, key }));
    await same(mx.random.randint(0, 9, [3], mx.int16, key), mx.random.randint(0, 9, [3], { dtype: mx.int16, key }));
    await same(mx.random.truncatedNormal(-1, 1, [3], mx.float32, key), mx.random.truncatedNormal(-1, 1, [3], { key }));
    await same(mx.random.truncatedNormal(f32([0, 0]), 1, { key }), mx.random.truncatedNormal(f32([0, 0]), 1, null, null, key));
    await same(mx.random.bernoulli(0.5, [4], key), mx.random.bernoulli(0.5, [4], { key }));
    await same(mx.random.bernoulli(f32([0.5, 0.5]), null, key), mx.random.bernoulli(f32([0.5, 0.5]), { key }));
    await same(mx.random.gumbel([3], mx.float32, key), mx.random.gumbel([3], { key }));
    await same(mx.random.laplace([3], mx.float32, 2, 0.5, key), mx.random.laplace([3], { loc: 2, scale: 0.5, key }));
    const logits = mx.log(f32([0.2, 0.3, 0.5]));
    await same(mx.random.categorical(logits, -1, null, 4, key), mx.random.categorical(logits, { numSamples: 4, key }));
    await same(mx.random.categorical(logits, 0, [5], { key }), mx.random.categorical(logits, { axis: 0, shape: [5], key }));
    await same(mx.random.permutation(6, 0, key), mx.random.permutation(6, { key }));
    await same(mx.random.permutation(mx.arange(6), null, key), mx.random.permutation(mx.arange(6), { key }));
    const mean = f32([0, 1]);
    const cov = mx.array([[1, 0], [0, 1]], mx.float32, cpu);
    await same(mx.random.multivariateNormal(mean, cov, [3], mx.float32, key, cpu), mx.random.multivariateNormal(mean, cov, [3], { key, stream: mx.cpu }));
  });

  it("mx.random refuses a parameter given twice, an argument after the options and one too many", () => {
    expect(() => call(mx.random.normal, [2], mx.float32, 1, { loc: 2 })).toThrow(/^\[random\.normal\] loc given twice: 1 and \{ loc: 2 \}/);
    expect(() => call(mx.random.bits, [], { key }, 2)).toThrow(/^\[random\.bits\] got 2 after the options object; the options come last/);
    expect(() => call(mx.random.normal, [2], mx.float32, 0, 1, key, {}, 3)).toThrow(/^\[random\.normal\] takes at most 6 arguments; got 7/);
    expect(() => call(mx.random.bits, [], 3, key)).toThrow(/^\[random\.bits\] width must be 1, 2 or 4 bytes, got 3/);
    expect(() => call(mx.random.uniform, 0, 1, [2], mx.float32, 5)).toThrow(/^\[random\.uniform\] key must be a uint32 array of shape \(2,\)/);
  });

  it("quantizedMatmul takes transpose, groupSize, bits and mode positionally", async () => {
    const w = mx.array(Array.from({ length: 2 }, (_, r) => Array.from({ length: 32 }, (_, c) => (r * 32 + c) % 16)), mx.float32, cpu);
    const [wq, s, b] = mx.quantize(w, 32, 4, cpu);
    const x = mx.ones([1, 32], mx.float32, cpu);
    const want = await mx.quantizedMatmul(x, wq, s, b, { transpose: true, groupSize: 32, bits: 4, stream: mx.cpu }).tolist();
    expect(await mx.quantizedMatmul(x, wq, s, b, true, 32, 4).tolist()).toEqual(want);
    expect(await mx.quantizedMatmul(x, wq, s, b, true, 32, 4, "affine", cpu).tolist()).toEqual(want);
    expect(await mx.quantizedMatmul(x, wq, s, b, true, { groupSize: 32, bits: 4 }).tolist()).toEqual(want);
    expect(() => call(mx.quantizedMatmul, x, wq, s, b, true, 32, { groupSize: 64 })).toThrow(/^\[quantizedMatmul\] groupSize given twice/);
  });

  it("nn.Upsample takes mode and alignCorners positionally", async () => {
    const x = mx.array([[[1], [2]]], mx.float32, cpu);
    const up = new mx.nn.Upsample(2, "linear", true);
    expect([up.mode, up.alignCorners]).toEqual(["linear", true]);
    expect(await up.forward(x).tolist()).toEqual(await new mx.nn.Upsample(2, { mode: "linear", alignCorners: true }).forward(x).tolist());
    expect(new mx.nn.Upsample(2, "nearest").mode).toBe("nearest");
    expect(new mx.nn.Upsample(2, "cubic", { antialias: true }).antialias).toBe(true);
    const Up = mx.nn.Upsample as unknown as new (...b: unknown[]) => unknown;
    expect(() => new Up(2, "linear", { mode: "cubic" })).toThrow(/^\[nn\.Upsample\] unknown option 'mode'/);
    expect(() => new Up(2, "linear", true, {}, 1)).toThrow(/^\[nn\.Upsample\] takes at most 4 arguments/);
  });

  it("mx.savez takes arrays positionally (arr_0, arr_1, ...) and named ones after them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mx-ports-"));
    const a = f32([1, 2]), b = mx.array([3], mx.int32, cpu);
    await mx.savez(join(dir, "pos.npz"), a, b);
    const pos = mx.load(join(dir, "pos.npz")) as Record<string, mx.MxArray>;
    expect(Object.keys(pos)).toEqual(["arr_0", "arr_1"]);
    expect(await pos.arr_1!.tolist()).toEqual([3]);
    await mx.savez(join(dir, "mixed"), a, { w: b });
    expect(Object.keys(mx.load(join(dir, "mixed.npz")) as object)).toEqual(["arr_0", "w"]);
    await mx.savezCompressed(join(dir, "z.npz"), a, b);
    expect(Object.keys(mx.load(join(dir, "z.npz")) as object)).toEqual(["arr_0", "arr_1"]);
    await mx.savez(join(dir, "kw.npz"), { a, b });
    expect(Object.keys(mx.load(join(dir, "kw.npz")) as object)).toEqual(["a", "b"]);
    await mx.savez(join(dir, "list.npz"), [a, b]);
    expect(Object.keys(mx.load(join(dir, "list.npz")) as object)).toEqual(["arr_0", "arr_1"]);
    await expect(call(mx.savez, join(dir, "bad.npz"), a, { arr_0: b })).rejects.toThrow(/^\[savez\] 'arr_0' is given positionally \(argument 1\) and by name/);
    await expect(call(mx.savez, join(dir, "bad.npz"), { a }, b)).rejects.toThrow(/^\[savez\] argument 1 is .*; arrays come first, then one object of named arrays last/);
  });

  it("Module.loadWeights takes strict positionally", async () => {
    const model = new mx.nn.Linear(2, 1);
    const bias: [string, mx.MxArray][] = [["bias", mx.array([5], mx.float32)]];
    expect(() => model.loadWeights(bias)).toThrow(/missing parameters: weight/);
    model.loadWeights(bias, false);
    expect(await model.bias!.tolist()).toEqual([5]);
    model.loadWeights([["bias", mx.array([6], mx.float32)]], false, { stream: mx.cpu });
    expect(await model.bias!.tolist()).toEqual([6]);
    expect(() => call(model.loadWeights.bind(model), bias, false, { strict: true })).toThrow(/^\[Module\.loadWeights\] unknown option 'strict'/);
  });

  it("x.round(decimals), with the options after it", async () => {
    const x = mx.array([1.25, 2.35, 1234], mx.float32, cpu);
    expect(await x.round(1).tolist()).toEqual(await mx.round(x, 1).tolist());
    expect(await x.round(-2, cpu).tolist()).toEqual([0, 0, 1200]);
    expect(x.round(1, cpu).stream.device).toBe(mx.cpu);
    expect(await x.round(cpu).tolist()).toEqual([1, 2, 1234]);
  });

  it("mx.arange(start, stop, step, dtype), with the options after it", async () => {
    const r = mx.arange(0, 5, 2, mx.int8, cpu);
    expect([r.dtype, r.stream.device, await r.tolist()]).toEqual([mx.int8, mx.cpu, [0, 2, 4]]);
    expect(mx.arange(3, mx.float16).dtype).toBe(mx.float16);
    expect(() => mx.arange(0, 5, 1, mx.int32, cpu, 3 as never)).toThrow(/^\[arange\] got 3 after the options; the options come last/);
    expect(() => mx.arange(0, 5, mx.int32, { dtype: mx.int8 })).toThrow(/^\[arange\] dtype given twice/);
  });
});

describe("mx.metal's functions (MLX's mx.metal.is_available, device_info)", () => {
  it("are methods of every device that answer for it", () => {
    for (const d of [mx.cpu, mx.gpu, mx.webgpu, mx.metal]) expect(d.isAvailable()).toBe(mx.isAvailable(d));
    expect(mx.cpu.deviceInfo()).toEqual(mx.deviceInfo(mx.cpu));
    if (mx.metal.isAvailable()) expect(mx.metal.deviceInfo()).toEqual(mx.deviceInfo(mx.metal));
    else expect(() => mx.metal.deviceInfo()).toThrow(/^\[deviceInfo\] device Device\(metal/);
  });
});

describe("error words", () => {
  it("crossEntropy lists the class-index shape and the probabilities' shape", () => {
    expect(() => mx.nn.losses.crossEntropy(mx.ones([4, 3]), mx.ones([4, 2]))).toThrow(
      /^\[nn\.losses\.crossEntropy\] targets must have shape \(4,\) \(class indices: the logits' shape without axis 1\) or \(4, 3\) \(probabilities: the logits' shape\), got \(4, 2\)/,
    );
    expect(() => mx.nn.losses.crossEntropy(mx.ones([4, 3]), mx.ones([4], mx.int32), { axis: 0 })).toThrow(/targets must have shape \(3,\) \(class indices: the logits' shape without axis 0\) or \(4, 3\)/);
  });

  it.runIf(mx.isAvailable(mx.webgpu))("a synchronous read on webgpu names the method called and its asynchronous form", async () => {
    const o = { stream: mx.webgpu };
    const cases: [string, (a: mx.MxArray) => unknown, string][] = [
      ["itemSync", (a) => a.itemSync(), "await x.item()"],
      ["toNumberSync", (a) => a.toNumberSync(), "await x.toNumber()"],
      ["dataSync", (a) => a.dataSync(), "await x.data()"],
    ];
    for (const [name, read, instead] of cases) {
      const a = mx.sum(mx.array([1, 2], mx.float32, o), o);
      expect(() => read(a)).toThrow(new RegExp(`^\\[${name}\\] a synchronous read is not possible on backend 'webgpu': its reads are asynchronous; use '${instead.replace(/[.()]/g, "\\$&")}'$`));
    }
  });
});
