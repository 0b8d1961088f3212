// Type-level checks of MLX's positional forms (a strict project's view): the
// samplers of mx.random, quantize, dequantize, quantizedMatmul, gatherQmm
// (quantize's result typed by its mode), nn.Upsample, mx.savez,
// Module.loadWeights and x.round take MLX's parameters positionally, then an
// options object without them; the wrong forms do not compile. Also the
// top-level dtype categories, mx.Dtype and the devices' isAvailable/deviceInfo.

import { expectTypeOf } from "vitest";
import * as mx from "../../index.js";

declare const x: mx.MxArray;
declare const key: mx.MxArray;
declare const maybeKey: mx.MxArray | undefined;

// mx.random
expectTypeOf(mx.random.normal([2], mx.float32, 1, 2, { key })).toEqualTypeOf<mx.MxArray>();
mx.random.normal([2], mx.float32, 1, 2, key);
mx.random.normal([2], mx.float32, 1, 2, key, { stream: mx.cpu });
mx.random.normal([2], null, null, 2, maybeKey);
mx.random.normal([2], { key: maybeKey, loc: 1 });
mx.random.normal([2], undefined, { key });
mx.random.bits([], 2, { key });
mx.random.bits([], 2, key);
mx.random.bits([2], { width: 1 });
mx.random.uniform(0, 1, [2], mx.float16, key);
mx.random.randint(0, 9, [2], mx.int16, key, { stream: mx.cpu });
mx.random.truncatedNormal(-1, 1, [2], mx.float32, key);
mx.random.truncatedNormal(-1, 1, { key });
mx.random.bernoulli(0.5, [2], key);
mx.random.bernoulli(0.5, { key });
mx.random.gumbel([2], mx.float16, key);
mx.random.laplace([2], mx.float32, 0, 1, key);
mx.random.categorical(x, -1, null, 4, key);
mx.random.categorical(x, { numSamples: 4 });
mx.random.permutation(4, 0, key);
mx.random.permutation(x, { axis: 1 });
mx.random.multivariateNormal(x, x, [2], mx.float32, key);
// @ts-expect-error dtype given positionally and again in the options
mx.random.normal([2], mx.float32, { dtype: mx.float16 });
// @ts-expect-error loc given positionally and again in the options
mx.random.normal([2], mx.float32, 1, { loc: 2 });
// @ts-expect-error the options come last
mx.random.normal([2], { key }, 1);
// @ts-expect-error bits' width is 1, 2 or 4
mx.random.bits([], 3, key);
// @ts-expect-error one argument too many
mx.random.gumbel([2], mx.float32, key, {}, 1);
// @ts-expect-error a key is an array
mx.random.uniform(0, 1, [2], mx.float32, 5);

// quantizedMatmul
declare const wq: mx.MxArray, scales: mx.MxArray, biases: mx.MxArray;
expectTypeOf(mx.quantizedMatmul(x, wq, scales, biases, true, 32, 4)).toEqualTypeOf<mx.MxArray>();
mx.quantizedMatmul(x, wq, scales, biases, true, 32, 4, "affine", { stream: mx.cpu });
mx.quantizedMatmul(x, wq, scales, biases, true, { groupSize: 32 });
mx.quantizedMatmul(x, wq, scales, biases, { transpose: false, bits: 8 });
// @ts-expect-error groupSize given twice
mx.quantizedMatmul(x, wq, scales, biases, true, 32, { groupSize: 64 });
// @ts-expect-error transpose is a boolean
mx.quantizedMatmul(x, wq, scales, biases, 32);
// @ts-expect-error no such mode
mx.quantizedMatmul(x, wq, scales, biases, true, 32, 4, "int4");

// quantize, dequantize and gatherQmm: the mode positionally, and the result typed by it
declare const mode: mx.QuantizationMode;
expectTypeOf(mx.quantize(x, 32, 4, "mxfp4")).toEqualTypeOf<[mx.MxArray, mx.MxArray]>();
expectTypeOf(mx.quantize(x, null, null, "nvfp4", { globalScale: x })).toEqualTypeOf<[mx.MxArray, mx.MxArray]>();
expectTypeOf(mx.quantize(x, { mode: "mxfp8" })).toEqualTypeOf<[mx.MxArray, mx.MxArray]>();
expectTypeOf(mx.quantize(x, 32, { mode: "mxfp4" })).toEqualTypeOf<[mx.MxArray, mx.MxArray]>();
expectTypeOf(mx.quantize(x, 32, 4, "affine")).toEqualTypeOf<[mx.MxArray, mx.MxArray, mx.MxArray]>();
expectTypeOf(mx.quantize(x, 32, 4)).toEqualTypeOf<[mx.MxArray, mx.MxArray, mx.MxArray]>();
expectTypeOf(mx.quantize(x, 32, 4, null, { stream: mx.cpu })).toEqualTypeOf<[mx.MxArray, mx.MxArray, mx.MxArray]>();
expectTypeOf(mx.quantize(x, 32, 4, mode)).toEqualTypeOf<mx.MxArray[]>();
expectTypeOf(mx.quantize(x, { mode })).toEqualTypeOf<mx.MxArray[]>();
expectTypeOf(mx.dequantize(wq, scales, null, 32, 4, "mxfp4", mx.float32)).toEqualTypeOf<mx.MxArray>();
mx.dequantize(wq, scales, biases, 32, 4, "affine", { stream: mx.cpu });
mx.dequantize(wq, scales, biases, 32, 4, { dtype: mx.float16 });
expectTypeOf(mx.gatherQmm(x, wq, scales, biases, null, x, true, 32, 4, "affine", { sortedIndices: true })).toEqualTypeOf<mx.MxArray>();
mx.gatherQmm(x, wq, scales, biases, x, x, { groupSize: 32 });
mx.gatherQmm(x, wq, scales, biases, { rhsIndices: x });
// @ts-expect-error a microscaling mode gives two arrays
const [, , noBiases] = mx.quantize(x, 32, 4, "mxfp4");
// @ts-expect-error mode given twice
mx.quantize(x, 32, 4, "mxfp4", { mode: "mxfp4" });
// @ts-expect-error no such mode
mx.quantize(x, 32, 4, "int4");
// @ts-expect-error dtype given twice
mx.dequantize(wq, scales, biases, 32, 4, "affine", mx.float16, { dtype: mx.float32 });
// @ts-expect-error sortedIndices is a keyword only, as MLX's
mx.gatherQmm(x, wq, scales, biases, x, x, true, 32, 4, "affine", true);
// @ts-expect-error rhsIndices given twice
mx.gatherQmm(x, wq, scales, biases, null, x, { rhsIndices: x });

// nn.Upsample, Module.loadWeights
new mx.nn.Upsample(2, "nearest");
new mx.nn.Upsample([2, 2], "linear", true);
new mx.nn.Upsample(2, "cubic", { antialias: true });
new mx.nn.Upsample(2, { mode: "linear", alignCorners: true });
// @ts-expect-error no such mode
new mx.nn.Upsample(2, "bilinear");
// @ts-expect-error mode given twice
new mx.nn.Upsample(2, "linear", { mode: "cubic" });
const model = new mx.nn.Linear(2, 1);
model.loadWeights("w.safetensors", false);
model.loadWeights("w.safetensors", false, { stream: mx.cpu });
model.loadWeights("w.safetensors", { strict: false });
// @ts-expect-error strict is a boolean
model.loadWeights("w.safetensors", "no");
// @ts-expect-error strict given twice
model.loadWeights("w.safetensors", false, { strict: true });

// mx.savez
declare const a: mx.MxArray, b: mx.MxArray;
expectTypeOf(mx.savez("f.npz", a, b)).toEqualTypeOf<Promise<void>>();
void mx.savez("f.npz", a, b, { w: a });
void mx.savez("f.npz", { a, b });
void mx.savez("f.npz", [a, b]);
void mx.savezCompressed("f.npz", a);
// @ts-expect-error named arrays come last
void mx.savez("f.npz", { a }, b);
// @ts-expect-error arrays only
void mx.savez("f.npz", a, 1);

// x.round
expectTypeOf(x.round(1)).toEqualTypeOf<mx.MxArray>();
x.round(1, { stream: mx.cpu });
x.round({ stream: mx.cpu });
x.round();
// @ts-expect-error decimals is a number
x.round("1");

// dtype categories, mx.Dtype, the devices' functions
expectTypeOf(mx.issubdtype(mx.float16, mx.floating)).toEqualTypeOf<boolean>();
mx.issubdtype(mx.int8, mx.integer);
mx.issubdtype(mx.signedinteger, mx.number);
const categories: mx.DtypeCategory[] = [mx.complexfloating, mx.inexact, mx.unsignedinteger, mx.generic];
void categories;
const d: mx.Dtype = mx.float32;
expectTypeOf(d).toEqualTypeOf<mx.DType>();
expectTypeOf(mx.metal.isAvailable()).toEqualTypeOf<boolean>();
expectTypeOf(mx.metal.deviceInfo()).toEqualTypeOf<mx.DeviceInfo>();
