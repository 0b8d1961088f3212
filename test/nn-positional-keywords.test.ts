// MLX's positional-or-keyword parameters of the nn layers and Module methods
// given positionally in MLX's order build what the options object builds
// (same configuration, parameters and output); keyword-only ones stay in the
// options; the wrong forms are refused naming the layer. cpu only.

import { describe, expect, expectTypeOf, it } from "vitest";
import * as mx from "../index.js";
import { withDefaultDevice } from "./helpers/backends.js";

const { nn } = mx;

withDefaultDevice(mx.cpu);

const flat = (m: mx.nn.Module, trainable = false) => mx.utils.treeFlatten(trainable ? m.trainableParameters() : m.parameters()) as [string, mx.MxArray][];

async function equalArrays(a: mx.MxArray, b: mx.MxArray): Promise<boolean> {
  return a.shape.join() === b.shape.join() && a.dtype === b.dtype && (await mx.arrayEqual(a, b, { equalNan: true }).item()) === true;
}

/** Builds both forms from the same seed: the same printed configuration, parameters (keys, values, frozen) and fields named in `fields`. */
async function same<T extends mx.nn.Module>(positional: () => T, keyword: () => T, fields: readonly string[] = []): Promise<[T, T]> {
  mx.random.seed(17);
  const a = positional();
  mx.random.seed(17);
  const b = keyword();
  expect(a.constructor).toBe(b.constructor);
  expect(String(a)).toBe(String(b));
  const [pa, pb] = [flat(a), flat(b)];
  expect(pa.map(([k]) => k)).toEqual(pb.map(([k]) => k));
  for (let i = 0; i < pa.length; i++) expect(await equalArrays(pa[i]![1], pb[i]![1]), pa[i]![0]).toBe(true);
  expect(flat(a, true).map(([k]) => k)).toEqual(flat(b, true).map(([k]) => k));
  const field = (m: T, k: string) => (m as unknown as Record<string, unknown>)[k];
  for (const k of fields) expect(field(a, k), k).toEqual(field(b, k));
  return [a, b];
}

async function sameOutput(a: mx.MxArray, b: mx.MxArray): Promise<void> {
  expect(await equalArrays(a, b)).toBe(true);
}

describe("MLX's keyword arguments given positionally", () => {
  it("convolutions: stride, padding, dilation, groups (outputPadding), bias in MLX's order", async () => {
    const x1 = mx.random.normal([1, 9, 4]);
    const x2 = mx.random.normal([1, 9, 9, 4]);
    const x3 = mx.random.normal([1, 5, 5, 5, 2]);
    const fields = ["stride", "padding", "dilation", "groups"];
    let [a, b] = await same(() => new nn.Conv1d(4, 6, 3, 2, 1, 2, 2, false), () => new nn.Conv1d(4, 6, 3, { stride: 2, padding: 1, dilation: 2, groups: 2, bias: false }), fields);
    expect([a.stride, a.padding, a.dilation, a.groups, "bias" in a]).toEqual([2, 1, 2, 2, false]);
    await sameOutput(a.forward(x1), b.forward(x1));
    const [c, d] = await same(() => new nn.Conv2d(4, 8, 3, 1, 1), () => new nn.Conv2d(4, 8, 3, { stride: 1, padding: 1 }), fields);
    expect([c.padding, "bias" in c]).toEqual([[1, 1], true]);
    await sameOutput(c.forward(x2), d.forward(x2));
    // positionally up to any of them, then the options object with the rest
    await same(() => new nn.Conv2d(4, 8, [3, 2], [2, 1], { dilation: 2, bias: false }), () => new nn.Conv2d(4, 8, [3, 2], { stride: [2, 1], dilation: 2, bias: false }), fields);
    // MLX's Conv3d has no groups: bias follows dilation; groups only in the options
    const [e, f] = await same(() => new nn.Conv3d(2, 4, 2, 1, 1, 1, false), () => new nn.Conv3d(2, 4, 2, { stride: 1, padding: 1, dilation: 1, bias: false }), fields);
    expect("bias" in e).toBe(false);
    await sameOutput(e.forward(x3), f.forward(x3));
    await same(() => new nn.Conv3d(2, 4, 2, 1, 0, 1, true, { groups: 2 }), () => new nn.Conv3d(2, 4, 2, { groups: 2 }), fields);
    const tFields = ["stride", "padding", "dilation", "outputPadding"];
    const [g, h] = await same(() => new nn.ConvTranspose1d(4, 3, 3, 2, 1, 1, 1, false), () => new nn.ConvTranspose1d(4, 3, 3, { stride: 2, padding: 1, dilation: 1, outputPadding: 1, bias: false }), tFields);
    expect([g.stride, g.outputPadding, "bias" in g]).toEqual([2, 1, false]);
    await sameOutput(g.forward(x1), h.forward(x1));
    const [i, j] = await same(() => new nn.ConvTranspose2d(4, 2, 2, 2), () => new nn.ConvTranspose2d(4, 2, 2, { stride: 2 }), tFields);
    await sameOutput(i.forward(x2), j.forward(x2));
    [a, b] = [new nn.Conv1d(4, 6, 3, null, undefined, { dilation: 2 }), new nn.Conv1d(4, 6, 3, { dilation: 2 })];
    expect([a.stride, a.padding, a.dilation]).toEqual([b.stride, b.padding, b.dilation]);
    await same(() => new nn.ConvTranspose3d(2, 2, 2, 1, 0, 1, 0, false), () => new nn.ConvTranspose3d(2, 2, 2, { bias: false }), tFields);
    // kernel_size by keyword too (MLX's cifar/resnet.py: nn.Conv2d(i, o, kernel_size=3, stride=s, padding=1, bias=False))
    const [k, l] = await same(() => new nn.Conv2d(4, 8, { kernelSize: 3, stride: 2, padding: 1, bias: false }), () => new nn.Conv2d(4, 8, 3, 2, 1, 1, 1, false), fields);
    await sameOutput(k.forward(x2), l.forward(x2));
    await same(() => new nn.ConvTranspose1d(4, 3, { kernelSize: 3, stride: 2 }), () => new nn.ConvTranspose1d(4, 3, 3, 2), tFields);
    expect(() => new nn.Conv2d(4, 8, { stride: 2 } as never)).toThrow(/^\[nn\.Conv2d\] kernelSize is required/);
    expect(() => new nn.Conv2d(4, 8, { kernelSize: 3 }, 2 as never)).toThrow(/^\[nn\.Conv2d\] got 2 after the options object/);
  });

  it("normalization: eps, affine, bias, momentum, trackRunningStats, pytorchCompatible", async () => {
    const x = mx.random.normal([4, 3, 8]);
    const [ln, ln2] = await same(() => new nn.LayerNorm(8, 1e-6, true, false), () => new nn.LayerNorm(8, { eps: 1e-6, bias: false }), ["eps", "dims"]);
    expect([ln.eps, "bias" in ln, "weight" in ln]).toEqual([1e-6, false, true]);
    await sameOutput(ln.forward(x), ln2.forward(x));
    await same(() => new nn.LayerNorm(8, 1e-6, { affine: false }), () => new nn.LayerNorm(8, { eps: 1e-6, affine: false }));
    const [gn, gn2] = await same(() => new nn.GroupNorm(2, 8, 1e-3, false, true), () => new nn.GroupNorm(2, 8, { eps: 1e-3, affine: false, pytorchCompatible: true }), ["eps", "pytorchCompatible"]);
    expect(gn.pytorchCompatible).toBe(true);
    await sameOutput(gn.forward(x), gn2.forward(x));
    const [inn, inn2] = await same(() => new nn.InstanceNorm(8, 1e-3, true), () => new nn.InstanceNorm(8, { eps: 1e-3, affine: true }), ["eps"]);
    expect("weight" in inn).toBe(true);
    await sameOutput(inn.forward(x), inn2.forward(x));
    const [bn, bn2] = await same(() => new nn.BatchNorm(8, 1e-3, 0.5, false, true), () => new nn.BatchNorm(8, { eps: 1e-3, momentum: 0.5, affine: false }), ["eps", "momentum", "trackRunningStats"]);
    expect([bn.momentum, "weight" in bn]).toEqual([0.5, false]);
    await sameOutput(bn.forward(x), bn2.forward(x));
    await sameOutput(bn.running_var!, bn2.running_var!);
    await same(() => new nn.BatchNorm(8, undefined, undefined, undefined, false), () => new nn.BatchNorm(8, { trackRunningStats: false }), ["trackRunningStats"]);
    await same(() => new nn.RMSNorm(8, 1e-3), () => new nn.RMSNorm(8, { eps: 1e-3 }), ["eps"]);
  });

  it("positional encodings: RoPE's traditional, base, scale (and forward's offset); the sinusoids' settings", async () => {
    const x = mx.random.normal([1, 2, 5, 8]);
    const [r, r2] = await same(() => new nn.RoPE(8, true, 500, 0.5), () => new nn.RoPE(8, { traditional: true, base: 500, scale: 0.5 }), ["dims", "traditional", "base", "scale"]);
    expect([r.traditional, r.base, r.scale]).toEqual([true, 500, 0.5]);
    await sameOutput(r.forward(x, 3), r2.forward(x, { offset: 3 }));
    await sameOutput(r.forward(x, mx.array([2])), r2.forward(x, { offset: mx.array([2]) }));
    await same(() => new nn.RoPE(8, true, { scale: 2 }), () => new nn.RoPE(8, { traditional: true, scale: 2 }), ["traditional", "scale"]);
    const p = mx.array([0, 1, 2.5], mx.float32);
    const [s, s2] = await same(() => new nn.SinusoidalPositionalEncoding(6, 1e-3, 2, 1.5, true, true), () => new nn.SinusoidalPositionalEncoding(6, { minFreq: 1e-3, maxFreq: 2, scale: 1.5, cosFirst: true, fullTurns: true }), ["scale", "cosFirst"]);
    await sameOutput(s.forward(p), s2.forward(p));
    await sameOutput(s._sigmas, s2._sigmas);
  });

  it("attention and the transformer: MultiHeadAttention's dims and bias, the layers' mlpDims, dropout, activation, normFirst, checkpoint; the masks as keywords", async () => {
    const [m, m2] = await same(() => new nn.MultiHeadAttention(16, 4, 8, 12, 10, 20, 6, true), () => new nn.MultiHeadAttention(16, 4, { queryInputDims: 8, keyInputDims: 12, valueInputDims: 10, valueDims: 20, valueOutputDims: 6, bias: true }));
    expect([m.query_proj.weight.shape, m.key_proj.weight.shape, m.value_proj.weight.shape, m.out_proj.weight.shape, "bias" in m.out_proj]).toEqual([[16, 8], [16, 12], [20, 10], [6, 20], true]);
    const [q, k, v] = [mx.random.normal([1, 3, 8]), mx.random.normal([1, 4, 12]), mx.random.normal([1, 4, 10])];
    const mask = mx.random.normal([3, 4]);
    await sameOutput(m.forward(q, k, v, mask), m2.forward(q, k, v, { mask }));
    await same(() => new nn.MultiHeadAttention(16, 4, 8, { bias: true }), () => new nn.MultiHeadAttention(16, 4, { queryInputDims: 8, bias: true }));

    const x = mx.random.normal([2, 3, 8]);
    const mem = mx.random.normal([2, 5, 8]);
    const [e, e2] = await same(() => new nn.TransformerEncoderLayer(8, 2, 16, 0, nn.gelu, false), () => new nn.TransformerEncoderLayer(8, 2, { mlpDims: 16, activation: nn.gelu, normFirst: false }), ["normFirst", "activation"]);
    expect([e.linear1.weight.shape, e.normFirst, e.activation]).toEqual([[16, 8], false, nn.gelu]);
    await sameOutput(e.forward(x, "causal"), e2.forward(x, { mask: "causal" }));
    const [enc, enc2] = await same(() => new nn.TransformerEncoder(2, 8, 2, 12, 0, nn.relu, true, true), () => new nn.TransformerEncoder(2, 8, 2, { mlpDims: 12, checkpoint: true }), ["checkpoint"]);
    expect([enc.layers.length, enc.checkpoint, enc.layers[0]!.linear1.weight.shape]).toEqual([2, true, [12, 8]]);
    await sameOutput(enc.forward(x, "causal"), enc2.forward(x, { mask: "causal" }));
    const [dl, dl2] = await same(() => new nn.TransformerDecoderLayer(8, 2, 24, 0, new nn.GELU(), false), () => new nn.TransformerDecoderLayer(8, 2, { mlpDims: 24, activation: new nn.GELU(), normFirst: false }), ["normFirst"]);
    await sameOutput(dl.forward(x, mem, "causal", null), dl2.forward(x, mem, { xMask: "causal" }));
    const [dec, dec2] = await same(() => new nn.TransformerDecoder(1, 8, 2, undefined, 0, nn.relu, false), () => new nn.TransformerDecoder(1, 8, 2, { normFirst: false }));
    await sameOutput(dec.forward(x, mem, "causal"), dec2.forward(x, mem, { xMask: "causal" }));
    const [t, t2] = await same(() => new nn.Transformer(8, 2, 1, 2, 16, 0, nn.relu, null, null, false), () => new nn.Transformer({ dims: 8, numHeads: 2, numEncoderLayers: 1, numDecoderLayers: 2, mlpDims: 16, normFirst: false }));
    expect([(t.encoder as mx.nn.TransformerEncoder).layers.length, (t.decoder as mx.nn.TransformerDecoder).layers.length]).toEqual([1, 2]);
    await sameOutput(t.forward(mem, x, null, "causal"), t2.forward(mem, x, { tgtMask: "causal" }));
    await same(() => new nn.Transformer(8, 2, 1, 1, { checkpoint: true }), () => new nn.Transformer({ dims: 8, numHeads: 2, numEncoderLayers: 1, numDecoderLayers: 1, checkpoint: true }));
  });

  it("pooling, dropout, embedding, linear, bilinear, upsample", async () => {
    const x = mx.random.normal([1, 6, 6, 2]);
    const [p, p2] = await same(() => new nn.MaxPool2d(3, 1, 1), () => new nn.MaxPool2d(3, { stride: 1, padding: 1 }));
    await sameOutput(p.forward(x), p2.forward(x));
    const [a, a2] = await same(() => new nn.AvgPool1d(2, 1), () => new nn.AvgPool1d(2, { stride: 1 }));
    await sameOutput(a.forward(mx.ones([1, 4, 2])), a2.forward(mx.ones([1, 4, 2])));
    for (const [d, d2] of [[new nn.Dropout(0.25), new nn.Dropout({ p: 0.25 })], [new nn.Dropout2d(0.25), new nn.Dropout2d({ p: 0.25 })], [new nn.Dropout3d(0.25), new nn.Dropout3d({ p: 0.25 })]] as const) {
      expect(String(d)).toBe(String(d2));
    }
    await same(() => new nn.Embedding(10, 4), () => new nn.Embedding(10, 4));
    const [l, l2] = await same(() => new nn.Linear(3, 2, false), () => new nn.Linear(3, 2, { bias: false }));
    await sameOutput(l.forward(mx.ones([1, 3])), l2.forward(mx.ones([1, 3])));
    const [b, b2] = await same(() => new nn.Bilinear(2, 3, 4, false), () => new nn.Bilinear(2, 3, 4, { bias: false }));
    await sameOutput(b.forward(mx.ones([1, 2]), mx.ones([1, 3])), b2.forward(mx.ones([1, 2]), mx.ones([1, 3])));
    const [u, u2] = await same(() => new nn.Upsample(2, "linear", true), () => new nn.Upsample(2, { mode: "linear", alignCorners: true }), ["mode", "alignCorners"]);
    await sameOutput(u.forward(x), u2.forward(x));
  });

  it("recurrent layers: bias and nonlinearity; forward's hidden and cell as keywords", async () => {
    const x = mx.random.normal([2, 5, 3]);
    const h = mx.random.normal([2, 4]);
    const [r, r2] = await same(() => new nn.RNN(3, 4, false, nn.relu), () => new nn.RNN(3, 4, { bias: false, nonlinearity: nn.relu }), ["nonlinearity"]);
    expect(["bias" in r, r.nonlinearity]).toEqual([false, nn.relu]);
    await sameOutput(r.forward(x, h), r2.forward(x, { hidden: h }));
    const [g, g2] = await same(() => new nn.GRU(3, 4, false), () => new nn.GRU(3, 4, { bias: false }));
    await sameOutput(g.forward(x, h), g2.forward(x, { hidden: h }));
    const [s, s2] = await same(() => new nn.LSTM(3, 4, false), () => new nn.LSTM(3, 4, { bias: false }));
    const c = mx.random.normal([2, 4]);
    const [y, yc] = s.forward(x, h, c);
    const [y2, yc2] = s2.forward(x, { hidden: h, cell: c });
    await sameOutput(y, y2);
    await sameOutput(yc, yc2);
  });

  it("quantized layers and nn.quantize: groupSize, bits, mode (and bias, quantizeInput) positionally; nn.quantize's mode keyword-only", async () => {
    const qFields = ["groupSize", "bits", "mode"];
    const [ql, ql2] = await same(() => new nn.QuantizedLinear(64, 8, false, 32, 8, "affine"), () => new nn.QuantizedLinear(64, 8, { bias: false, groupSize: 32, bits: 8 }), qFields);
    expect([ql.groupSize, ql.bits, "bias" in ql]).toEqual([32, 8, false]);
    await sameOutput(ql.forward(mx.ones([1, 64])), ql2.forward(mx.ones([1, 64])));
    await same(() => new nn.QuantizedLinear(64, 8, true, null, null, "mxfp8"), () => new nn.QuantizedLinear(64, 8, { mode: "mxfp8" }), qFields);
    const [qe, qe2] = await same(() => new nn.QuantizedEmbedding(10, 64, 32, 8), () => new nn.QuantizedEmbedding(10, 64, { groupSize: 32, bits: 8 }), qFields);
    expect([qe.groupSize, qe.bits]).toEqual([32, 8]);
    await sameOutput(qe.forward(mx.array([1, 7])), qe2.forward(mx.array([1, 7])));

    mx.random.seed(3);
    const lin = new nn.Linear(64, 8);
    const emb = new nn.Embedding(10, 64);
    await same(() => nn.QuantizedLinear.fromLinear(lin, 32, 8), () => nn.QuantizedLinear.fromLinear(lin, { groupSize: 32, bits: 8 }), qFields);
    await same(() => nn.QuantizedLinear.fromLinear(lin, null, null, "mxfp4"), () => nn.QuantizedLinear.fromLinear(lin, { mode: "mxfp4" }), qFields);
    await same(() => nn.QuantizedEmbedding.fromEmbedding(emb, 32, 8), () => nn.QuantizedEmbedding.fromEmbedding(emb, { groupSize: 32, bits: 8 }), qFields);
    await same(() => lin.toQuantized(32, 8), () => lin.toQuantized({ groupSize: 32, bits: 8 }), qFields);
    await same(() => lin.toQuantized(32, { bits: 8 }), () => lin.toQuantized({ groupSize: 32, bits: 8 }), qFields);
    await same(() => emb.toQuantized(32, 8, "affine", false), () => emb.toQuantized({ groupSize: 32, bits: 8 }), qFields);
    const bare = new nn.Linear(64, 8, false);
    const [qq, qq2] = await same(() => bare.toQuantized(null, null, "mxfp8", true), () => bare.toQuantized({ mode: "mxfp8", quantizeInput: true }), qFields);
    expect(qq).toBeInstanceOf(nn.QQLinear);
    await sameOutput(qq.forward(mx.ones([1, 64])), qq2.forward(mx.ones([1, 64])));
    await same(() => new nn.QQLinear(64, 4, 32, 8, "mxfp8"), () => new nn.QQLinear(64, 4, { groupSize: 32, bits: 8, mode: "mxfp8" }), qFields);
    await same(() => nn.QQLinear.fromLinear(bare, null, null, "mxfp8"), () => nn.QQLinear.fromLinear(bare, { mode: "mxfp8" }), qFields);

    const model = () => new nn.Sequential(new nn.Linear(64, 64), new nn.ReLU(), new nn.Embedding(8, 64));
    const quantized = (...args: Parameters<typeof nn.quantize> extends [unknown, ...infer R] ? R : never) => () => {
      const m = model();
      nn.quantize(m, ...args);
      return m;
    };
    const [m, m2] = await same(quantized(32, 8), quantized({ groupSize: 32, bits: 8 }));
    expect([(m.layers[0] as mx.nn.QuantizedLinear).bits, (m.layers[2] as mx.nn.QuantizedEmbedding).groupSize]).toEqual([8, 32]);
    const first = (q: mx.nn.Sequential) => q.layers[0] as mx.nn.QuantizedLinear;
    await sameOutput(first(m).forward(mx.ones([1, 64])), first(m2).forward(mx.ones([1, 64])));
    await same(quantized(32, 8, { mode: "affine", classPredicate: (p) => p === "layers.0" }), quantized({ groupSize: 32, bits: 8, classPredicate: (p) => p === "layers.0" }));
    expect(() => nn.quantize(model(), 32, 8, "mxfp8" as never)).toThrow(/^\[nn\.quantize\] mode is keyword-only: give it in the options object, not positionally \(got the string 'mxfp8'\)/);

    const [s, s2] = await same(() => new nn.QuantizedAllToShardedLinear(64, 4, false, 32, 8), () => new nn.QuantizedAllToShardedLinear(64, 4, { bias: false, groupSize: 32, bits: 8 }), qFields);
    expect([s.groupSize, s.bits, "bias" in s]).toEqual([32, 8, false]);
    await same(() => new nn.QuantizedShardedToAllLinear(64, 4, true, 32, 8, "affine", mx.distributed.init()), () => new nn.QuantizedShardedToAllLinear(64, 4, { groupSize: 32, bits: 8 }), qFields);
    void s2;
  });

  it("Module methods: update and updateModules' strict, train's mode, setDtype's predicate, apply's filterFn, filterAndMap's mapFn and isLeafFn, loadWeights' strict", async () => {
    const extra = { weight: mx.zeros([2, 3]), nope: mx.zeros([1]) };
    expect(() => new nn.Linear(3, 2).update(extra)).toThrow(/^\[Module\.update\] the module has no parameter named 'nope'/);
    const [u, u2] = [new nn.Linear(3, 2).update(extra, false), new nn.Linear(3, 2).update(extra, { strict: false })];
    await sameOutput(u.weight, u2.weight);
    await sameOutput(u.weight, mx.zeros([2, 3]));

    const swap = { layers: [new nn.GELU(), {}], other: new nn.ReLU() };
    const seq = () => new nn.Sequential(new nn.ReLU(), new nn.Linear(2, 2));
    expect(() => seq().updateModules(swap)).toThrow(/^\[Module\.updateModules\] the module has no submodule named 'other'/);
    expect(String(seq().updateModules(swap, false))).toBe(String(seq().updateModules(swap, { strict: false })));
    expect(seq().updateModules(swap, false).layers[0]).toBeInstanceOf(nn.GELU);

    expect([seq().train(false).training, seq().train({ mode: false }).training, seq().eval().train().training]).toEqual([false, false, true]);

    const all = () => new nn.Linear(2, 2);
    const [d, d2] = [all().setDtype(mx.float16, null), all().setDtype(mx.float16, { predicate: null })];
    expect([d.weight.dtype, d2.weight.dtype]).toEqual([mx.float16, mx.float16]);
    const onlyWeight: mx.nn.FilterFn = (_m, k, v) => k !== "bias" && mx.nn.Module.validParameterFilter(_m, k, v);
    const [ap, ap2] = [all().apply((p) => p.astype(mx.float16), onlyWeight), all().apply((p) => p.astype(mx.float16), { filterFn: onlyWeight })];
    expect([ap.weight.dtype, ap.bias!.dtype, ap2.weight.dtype, ap2.bias!.dtype]).toEqual([mx.float16, mx.float32, mx.float16, mx.float32]);

    const model = seq();
    const shape = (v: unknown) => (v as mx.MxArray).shape;
    expect(model.filterAndMap(mx.nn.Module.validParameterFilter, shape)).toEqual(model.filterAndMap(mx.nn.Module.validParameterFilter, { mapFn: shape }));
    const isModule = (_m: mx.nn.Module, _k: string, v: unknown) => v instanceof nn.Module;
    expect(model.filterAndMap(mx.nn.Module.validChildFilter, null, isModule)).toEqual(model.filterAndMap(mx.nn.Module.validChildFilter, { isLeafFn: isModule }));

    const l = new nn.Linear(2, 1);
    l.loadWeights([["bias", mx.array([4], mx.float32)]], false);
    await sameOutput(l.bias!, mx.array([4], mx.float32));
    l.loadWeights([["bias", mx.array([5], mx.float32)]], { strict: false });
    await sameOutput(l.bias!, mx.array([5], mx.float32));
  });

  it("refuses the wrong forms, naming the layer and the argument at fault", () => {
    // what the types refuse, as an untyped caller may write it
    const untyped = <T>(c: T) => c as unknown as new (...args: unknown[]) => unknown;
    expect(() => new nn.Conv2d(3, 8, 3, 1, { stride: 2 } as never)).toThrow(/^\[nn\.Conv2d\] unknown option 'stride'; valid options: padding, dilation, groups, bias$/);
    expect(() => new (untyped(nn.Conv2d))(3, 8, 3, { padding: 1 }, 2)).toThrow(/^\[nn\.Conv2d\] got 2 after the options object \{ stride, padding, dilation, groups, bias \}; the options come last/);
    expect(() => new nn.Conv3d(2, 4, 2, 1, 0, 1, true, 2 as never)).toThrow(/^\[nn\.Conv3d\] groups is keyword-only: give it in the options object, not positionally \(got 2\)/);
    expect(() => new nn.LayerNorm(8, "1e-6" as never)).toThrow(/^\[nn\.LayerNorm\] eps must be a finite number, got/);
    expect(() => new nn.BatchNorm(8, 1e-5, 0.1, "yes" as never)).toThrow(/^\[nn\.BatchNorm\] affine must be a boolean, got/);
    expect(() => new (untyped(nn.RoPE))(8, false, 10000, 1, 5)).toThrow(/^\[nn\.RoPE\] takes scale as its last positional argument; got 5 after it/);
    expect(() => new nn.MultiHeadAttention(8, 2, 8, 8, 8, 8, 8, "no" as never)).toThrow(/^\[nn\.MultiHeadAttention\] bias must be a boolean, got/);
    expect(() => new nn.TransformerEncoder(1, 8, 2, 16, 0, nn.relu, true, "no" as never)).toThrow(/^\[nn\.TransformerEncoder\] checkpoint must be a boolean, got/);
    expect(() => new nn.Linear(4, 4).toQuantized(32, 4, "affine", true)).toThrow(/^\[nn\.Linear\.toQuantized\] quantizeInput needs mode "nvfp4" or "mxfp8"/);
    expect(() => new nn.Linear(2, 2).update({}, "no" as never)).toThrow(/^\[Module\.update\] strict must be a boolean, got/);
    expect(() => (new nn.Linear(2, 2) as unknown as { update(...args: unknown[]): unknown }).update({}, false, {})).toThrow(/^\[Module\.update\] takes at most 2 arguments/);
    expect(() => new nn.Linear(2, 2).train("no" as never)).toThrow(/^\[Module\.train\] mode must be a boolean/);
  });
});

/** Type-level checks (compiled by `tsc -p .`, never run): both forms type-check, the wrong ones do not. */
export function typeChecks(x: mx.MxArray, lin: mx.nn.Linear, emb: mx.nn.Embedding, model: mx.nn.Module): void {
  new nn.Conv2d(3, 16, 3, 1, 1);
  new nn.Conv2d(3, 16, 3, 1, { padding: 1, bias: false });
  new nn.Conv1d(3, 16, 3, 1, 0, 1, 1, false);
  new nn.ConvTranspose2d(3, 16, 3, 2, 1, 1, 1, true);
  // @ts-expect-error stride given positionally and in the options
  new nn.Conv2d(3, 16, 3, 1, { stride: 1 });
  // @ts-expect-error MLX's Conv3d takes no groups positionally
  new nn.Conv3d(3, 16, 3, 1, 0, 1, 2);
  new nn.LayerNorm(64, 1e-6);
  new nn.LayerNorm(64, 1e-6, { affine: false });
  // @ts-expect-error eps is a number
  new nn.LayerNorm(64, "1e-6");
  // @ts-expect-error nothing follows scale, RoPE's last parameter
  new nn.RoPE(64, true, 1e4, 1, {});
  // @ts-expect-error nothing follows bias, LayerNorm's last parameter
  new nn.LayerNorm(64, 1e-6, true, true, 5);
  new nn.GroupNorm(4, 32, 1e-5, true, true);
  new nn.InstanceNorm(8, 1e-5, true);
  new nn.BatchNorm(8, 1e-5, 0.1, true, false);
  new nn.RoPE(64, true);
  new nn.RoPE(64, true, 1e6, { scale: 2 });
  new nn.SinusoidalPositionalEncoding(8, 1e-4, 1, null, true, false);
  new nn.MultiHeadAttention(512, 8, 256);
  new nn.TransformerEncoderLayer(8, 2, 16, 0.1, nn.gelu, false);
  new nn.TransformerEncoder(2, 8, 2, 16, 0.1, nn.relu, true, true);
  new nn.TransformerDecoder(2, 8, 2, { checkpoint: true });
  new nn.Transformer(64, 4, 2, 2);
  new nn.Transformer();
  new nn.Transformer({ dims: 64 });
  // @ts-expect-error dims given twice
  new nn.Transformer(64, { dims: 32 });
  new nn.QuantizedLinear(64, 8, true, 32, 8, "affine");
  new nn.QuantizedEmbedding(10, 64, 32, 4);
  new nn.QQLinear(64, 8, 32, 8, "mxfp8");
  // @ts-expect-error QQLinear's modes are nvfp4 and mxfp8
  new nn.QQLinear(64, 8, 32, 8, "affine");
  nn.QuantizedEmbedding.fromEmbedding(emb, 32, 8);
  nn.quantize(model, 32, 8);
  nn.quantize(model, 32, 8, { mode: "affine" });
  // @ts-expect-error mode is keyword-only in MLX's quantize
  nn.quantize(model, 32, 8, "affine");
  expectTypeOf(lin.toQuantized(32, 8)).toEqualTypeOf<mx.nn.QuantizedLinear>();
  expectTypeOf(lin.toQuantized()).toEqualTypeOf<mx.nn.QuantizedLinear>();
  expectTypeOf(lin.toQuantized(null, null, "nvfp4", true)).toEqualTypeOf<mx.nn.QQLinear>();
  expectTypeOf(lin.toQuantized(null, { mode: "nvfp4", quantizeInput: true })).toEqualTypeOf<mx.nn.QQLinear>();
  expectTypeOf(lin.toQuantized({ mode: "mxfp8", quantizeInput: true })).toEqualTypeOf<mx.nn.QQLinear>();
  expectTypeOf(emb.toQuantized(32, 8)).toEqualTypeOf<mx.nn.QuantizedEmbedding>();
  const quantizable: mx.nn.Quantizable = lin;
  void quantizable;
  new nn.RoPE(8).forward(x, { offset: 2 });
  new nn.MultiHeadAttention(8, 2).forward(x, x, x, { mask: "causal" });
  new nn.LSTM(2, 2).forward(x, { hidden: x, cell: x });
  model.update({}, false);
  model.updateModules({}, { strict: false });
  model.train(false);
  model.setDtype(mx.float16, null);
  // @ts-expect-error strict is a boolean
  model.update({}, "no");
  // a subclass may still override forward with MLX's positional parameters only
  class Attention extends nn.MultiHeadAttention {
    override forward(queries: mx.MxArray, keys: mx.MxArray, values: mx.MxArray, mask?: mx.nn.AttentionMask | null): mx.MxArray {
      return super.forward(queries, keys, values, mask);
    }
  }
  void Attention;
}
