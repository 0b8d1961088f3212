// mx.nn's functions and layers on every backend: activations and losses
// against values computed by Python's math module / MLX's formulas, the
// layers (norms, attention, recurrent, pooling, upsampling, convolution,
// quantized) against NumPy references computed in float64 from the same
// weights, and the arguments they refuse.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { itWithNumpy, runPython } from "./helpers/numpy.js";
import * as mx from "../index.js";
import { BACKENDS, expectArray, expectClose } from "./helpers/backends.js";

const { nn } = mx;
const f32 = (v: mx.NestedList) => mx.array(v, mx.float32);

/** Deterministic test data: sin-based values of `shape`, scaled. */
function data(shape: number[], seed: number, scale = 1): { list: number[]; shape: number[] } {
  const n = shape.reduce((p, d) => p * d, 1);
  return { list: Array.from({ length: n }, (_, i) => Math.round(Math.sin(seed * 7.31 + i * 1.7) * scale * 1000) / 1000), shape };
}
/** A module's parameters as NumPy inputs, keyed `prefix + dotted key`. */
async function weightsOf(m: mx.nn.Module, prefix = ""): Promise<Record<string, { list: number[]; shape: number[] }>> {
  const out: Record<string, { list: number[]; shape: number[] }> = {};
  for (const [k, v] of mx.utils.treeFlatten(m.parameters())) {
    const a = v as mx.MxArray;
    out[prefix + k] = { list: Array.from(await a.data() as Float32Array), shape: [...a.shape] };
  }
  return out;
}
const arr = (d: { list: number[]; shape: number[] }) => mx.reshape(f32(d.list), d.shape);

/** Runs a NumPy script on JSON `input` (as `I`), returning what it prints as JSON. */
function numpy(script: string, input: unknown): Record<string, number[]> {
  const prelude = "import json, sys, numpy as np\nI = {k: np.array(v['list'], dtype=np.float64).reshape(v['shape']) for k, v in json.load(sys.stdin).items()}\n";
  return runPython<Record<string, number[]>>(prelude + script, input);
}

const X = [-3, -1.5, -0.5, 0, 0.25, 1, 2.5];
const erf = (x: number) => {
  // Abramowitz-Stegun 7.1.26 is too coarse; use the series (|x| <= 3 here) for reference values
  let sum = 0, term = x;
  for (let n = 0; n < 200; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
};
const sig = (x: number) => 1 / (1 + Math.exp(-x));
const softplus = (x: number) => Math.log1p(Math.exp(x));

/** Each activation with its definition in float64 JS (the formulas MLX documents). */
const ACTIVATIONS: [string, (x: mx.MxArray) => mx.MxArray, (x: number) => number][] = [
  ["relu", nn.relu, (x) => Math.max(x, 0)],
  ["relu6", nn.relu6, (x) => Math.min(Math.max(x, 0), 6)],
  ["relu2", nn.relu2, (x) => Math.max(x, 0) ** 2],
  ["leakyRelu", (x) => nn.leakyRelu(x, 0.1), (x) => (x > 0 ? x : 0.1 * x)],
  ["elu", (x) => nn.elu(x, 0.5), (x) => (x > 0 ? x : 0.5 * Math.expm1(x))],
  ["celu", (x) => nn.celu(x, 2), (x) => Math.max(x, 0) + 2 * Math.expm1(Math.min(x, 0) / 2)],
  ["selu", nn.selu, (x) => 1.0507 * (x > 0 ? x : 1.67326 * Math.expm1(x))],
  ["gelu", nn.gelu, (x) => (x * (1 + erf(x / Math.SQRT2))) / 2],
  ["geluApprox", nn.geluApprox, (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)))],
  ["geluFastApprox", nn.geluFastApprox, (x) => x * sig(1.702 * x)],
  ["silu", nn.silu, (x) => x * sig(x)],
  ["mish", nn.mish, (x) => x * Math.tanh(softplus(x))],
  ["softplus", nn.softplus, softplus],
  ["softsign", nn.softsign, (x) => x / (1 + Math.abs(x))],
  ["softshrink", nn.softshrink, (x) => (Math.abs(x) > 0.5 ? x - Math.sign(x) * 0.5 : 0)],
  ["hardShrink", nn.hardShrink, (x) => (Math.abs(x) > 0.5 ? x : 0)],
  ["hardTanh", nn.hardTanh, (x) => Math.min(Math.max(x, -1), 1)],
  ["hardswish", nn.hardswish, (x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6],
  ["logSigmoid", nn.logSigmoid, (x) => Math.log(sig(x))],
  ["sigmoid", nn.sigmoid, sig],
  ["tanh", nn.tanh, Math.tanh],
  ["step", nn.step, (x) => (x >= 0 ? 1 : 0)],
  ["prelu", (x) => nn.prelu(x, f32([0.25])), (x) => (x > 0 ? x : 0.25 * x)],
];

describe.each(BACKENDS)("nn on $name", ({ device }) => {
  let saved: mx.Device;
  beforeAll(() => {
    saved = mx.defaultDevice();
    mx.setDefaultDevice(device);
  });
  afterAll(() => mx.setDefaultDevice(saved));

  it("activation functions match their definitions", async () => {
    for (const [name, f, ref] of ACTIVATIONS) {
      await expectClose(f(f32(X)), X.map(ref), 2e-6, 2e-6).catch((e: Error) => {
        throw new Error(`${name}: ${e.message}`);
      });
    }
  });

  it("softmax, logSoftmax, softmin and glu along an axis", async () => {
    const x = f32([[1, 2, 3], [0, 0, 0]]);
    const e = [1, 2, 3].map(Math.exp);
    const s = e.reduce((a, b) => a + b);
    await expectClose(nn.softmax(x), [...e.map((v) => v / s), 1 / 3, 1 / 3, 1 / 3], 1e-6);
    await expectClose(nn.logSoftmax(x, 0), [1, 2, 3].map((v) => v - Math.log(Math.exp(v) + 1)).flatMap((v, i) => [v]).concat([0, 0, 0].map((_, i) => -Math.log(Math.exp(i + 1) + 1))), 1e-6);
    await expectClose(nn.softmin(f32([0, Math.log(3)])), [0.75, 0.25], 1e-6);
    await expectClose(nn.glu(f32([[1, 2, 0, 1]])), [[1 * 0.5, 2 * sig(1)]], 1e-6);
    await expectClose(new nn.GLU(0).forward(f32([[4], [0]])), [[2]], 1e-6);
  });

  itWithNumpy("logSoftmax shifts by the max first, as MLX's: large and float16 inputs keep their normaliser, gradients too", async () => {
    const big = { list: [10000, 10001, 10002.5], shape: [3] }, w = { list: [0.5, -1, 2], shape: [3] };
    const ref = numpy(`
x = I['big']; m = x.max(); lsm = x - (m + np.log(np.exp(x - m).sum()))
print(json.dumps({'lsm': lsm.tolist(), 'grad': (I['w'] - np.exp(lsm) * I['w'].sum()).tolist()}))`, { big, w });
    // [-2.766368, -1.766368, -0.266368] (subtracting logsumexp(x) unshifted gave [-2.75, -1.75, -0.25] in float16)
    await expectClose(nn.logSoftmax(arr(big)), ref.lsm!, 1e-6);
    await expectClose(new nn.LogSoftmax(0).forward(mx.reshape(arr(big), [3, 1])), ref.lsm!, 1e-6);
    const half = nn.logSoftmax(mx.array([100, 101, 102.5], mx.float16));
    expect(half.dtype).toBe(mx.float16);
    await expectClose(half, ref.lsm!, 2 ** -10);
    const grad = mx.grad((x: mx.MxArray) => mx.sum(mx.multiply(nn.logSoftmax(x), arr(w))))(arr(big));
    await expectClose(grad, ref.grad!, 1e-5, 1e-6);
  });

  it("step is MLX's where(x >= threshold, 1, 0): int32, 1 at the threshold, 0 for NaN", async () => {
    const y = nn.step(f32([-1, 0.25, 0.5, NaN, 2]), 0.5);
    expect(y.dtype).toBe(mx.int32);
    await expectArray(y, [0, 0, 1, 0, 1]);
    await expectArray(nn.step(mx.array([-1, 0, 2], mx.float16)), [0, 1, 1], mx.int32);
    await expectArray(new nn.Step({ threshold: 1 }).forward(mx.array([0, 1, 2], mx.int32)), [0, 1, 1], mx.int32);
  });

  it("activation layers apply their functions; PReLU learns its slopes", async () => {
    await expectClose(new nn.LeakyReLU(0.2).forward(f32([-1, 1])), [-0.2, 1]);
    await expectClose(new nn.GELU("fast").forward(f32([1])), [sig(1.702)], 1e-6);
    await expectClose(new nn.GELU("precise").forward(f32([1])), [0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * 1.044715))], 1e-6);
    await expectClose(new nn.HardTanh({ minVal: -2, maxVal: 0.5 }).forward(f32([-3, 1])), [-2, 0.5]);
    const p = new nn.PReLU(2, 0.1);
    expect(Object.keys(p.parameters())).toEqual(["weight"]);
    await expectClose(p.forward(f32([[-1, -2]])), [[-0.1, -0.2]], 1e-6);
  });

  it("losses give MLX's values and reductions", async () => {
    const logits = f32([[2, -1, 0.5], [0, 0, 0]]);
    const lse = Math.log(Math.exp(2) + Math.exp(-1) + Math.exp(0.5));
    const ce = [lse - 0.5, Math.log(3)];
    await expectClose(nn.losses.crossEntropy(logits, mx.array([2, 1])), ce, 1e-6);
    await expectClose(nn.losses.crossEntropy(logits, f32([[0, 0, 1], [0, 1, 0]]), { reduction: "mean" }), [(ce[0]! + ce[1]!) / 2], 1e-6);
    await expectClose(nn.losses.crossEntropy(logits, mx.array([2, 1]), { weights: f32([2, 0]), reduction: "sum" }), [2 * ce[0]!], 1e-6);
    // label smoothing: (1 - s) * CE + s * (lse - mean(logits))
    const smooth = 0.3 * (lse - 1.5 / 3) + 0.7 * ce[0]!;
    await expectClose(nn.losses.crossEntropy(f32([[2, -1, 0.5]]), mx.array([2]), { labelSmoothing: 0.3 }), [smooth], 1e-6);
    await expectClose(nn.losses.crossEntropy(mx.transpose(logits), mx.array([2, 1]), { axis: 0 }), ce, 1e-6);

    const p = f32([0.9, 0.2]), t = f32([1, 0]);
    await expectClose(nn.losses.binaryCrossEntropy(p, t, { withLogits: false, reduction: "none" }), [-Math.log(0.9), -Math.log(0.8)], 1e-6);
    await expectClose(nn.losses.binaryCrossEntropy(f32([1, -2]), t), [(softplus(-1) + softplus(-2)) / 2], 1e-6);
    await expectClose(nn.losses.l1Loss(f32([1, 2]), f32([3, 3]), { reduction: "sum" }), [3]);
    await expectClose(nn.losses.mseLoss(f32([1, 2]), f32([3, 3])), [2.5]);
    await expectClose(nn.losses.nllLoss(f32([[-1, -2], [-3, -4]]), mx.array([1, 0]), { reduction: "mean" }), [2.5]);
    await expectClose(nn.losses.klDivLoss(f32([[Math.log(0.5), Math.log(0.5)]]), f32([[Math.log(0.25), Math.log(0.75)]])), [0.25 * Math.log(0.5) + 0.75 * Math.log(1.5)], 1e-5);
    await expectClose(nn.losses.smoothL1Loss(f32([0, 3]), f32([0.5, 0]), { beta: 1, reduction: "sum" }), [0.125 + 2.5]);
    await expectClose(nn.losses.huberLoss(f32([0.5, 3]), f32([0, 0]), { delta: 2 }), [0.125, 2 + 2]);
    await expectClose(nn.losses.hingeLoss(f32([0.5, -2]), f32([1, -1])), [0.5, 0]);
    await expectClose(nn.losses.logCoshLoss(f32([1]), f32([0])), [Math.log(Math.cosh(1))], 1e-6);
    await expectClose(nn.losses.cosineSimilarityLoss(f32([[1, 0], [1, 1]]), f32([[0, 1], [2, 2]])), [0, 1], 1e-6);
    await expectClose(nn.losses.marginRankingLoss(f32([1, 3]), f32([2, 1]), f32([1, -1]), { margin: 0.5 }), [1.5, 2.5]);
    await expectClose(nn.losses.gaussianNllLoss(f32([0]), f32([1]), f32([2]), { full: true }), [0.5 * (Math.log(2) + 0.5) + 0.5 * Math.log(2 * Math.PI)], 1e-6);
    const a = f32([[0, 0]]), pos = f32([[3, 4]]), neg = f32([[0, 1]]);
    await expectClose(nn.losses.tripletLoss(a, pos, neg, { eps: 0 }), [5 - 1 + 1], 1e-6);
  });

  it("Linear, Bilinear, Embedding and Sequential compute their formulas", async () => {
    const lin = new nn.Linear(3, 2);
    expect(lin.weight.shape).toEqual([2, 3]);
    lin.update({ weight: f32([[1, 0, -1], [2, 1, 0]]), bias: f32([0.5, -0.5]) });
    await expectClose(lin.forward(f32([[1, 2, 3]])), [[-1.5, 3.5]]);
    const bil = new nn.Bilinear(2, 3, 2);
    expect(bil.weight.shape).toEqual([2, 3, 2]);
    const x1 = arr(data([4, 2], 1)), x2 = arr(data([4, 3], 2));
    await expectClose(bil.forward(x1, x2), await mx.add(mx.einsum("bi,oji,bj->bo", x1, bil.weight, x2), bil.bias!).tolist() as number[][], 1e-5, 1e-6);
    const emb = new nn.Embedding(5, 3);
    await expectClose(emb.forward(mx.array([[4, 0]])), [[await mx.take(emb.weight, 4, 0).tolist() as number[], await mx.take(emb.weight, 0, 0).tolist() as number[]]]);
    await expectClose(emb.asLinear(f32([[1, 0, 0]])), await mx.take(emb.weight, 0, 1).tolist() as number[], 1e-6);
    const seq = new nn.Sequential(lin, nn.relu);
    await expectClose(seq.forward(f32([[1, 2, 3]])), [[0, 3.5]]);
  });

  it("Dropout keeps about 1 - p of the elements, scaled, and is the identity in eval mode", async () => {
    const d = new nn.Dropout(0.25);
    const y = (await d.forward(mx.ones([4000])).tolist()) as number[];
    const kept = y.filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 4 / 3) < 1e-6)).toBe(true);
    expect(Math.abs(kept.length / 4000 - 0.75)).toBeLessThan(0.04);
    expect(await d.eval().forward(f32([1, 2])).tolist()).toEqual([1, 2]);
    const y2 = new nn.Dropout2d(0.5).forward(mx.ones([8, 3, 3, 4]));
    await expectClose(mx.subtract(mx.max(y2, [1, 2]), mx.min(y2, [1, 2])), Array(32).fill(0));
  });

  itWithNumpy("the norm layers match NumPy", async () => {
    const x = data([2, 3, 4, 6], 3, 2);
    // MLX's InstanceNorm test input: a checkerboard of +-512 and +-256 whose squares overflow float16
    const board = Array.from({ length: 64 }, (_, i) => ((i >> 4) + ((i >> 2) & 3) + (i & 3)) % 2 ? [-512, -256] : [512, 256]).flat();
    const checker = { list: board, shape: [1, 4, 4, 4, 2] };
    const ref = numpy(`
x = I['x']
def norm(v, axes): return (v - v.mean(axes, keepdims=True)) / np.sqrt(v.var(axes, keepdims=True) + 1e-5)
g = x.reshape(2, -1, 3)
ps = x.reshape(2, -1, 3, 2).transpose(0, 2, 1, 3).reshape(2, 3, -1)
pt = norm(ps, (2,)).reshape(2, 3, -1, 2).transpose(0, 2, 1, 3).reshape(x.shape)
print(json.dumps({
  'layer': norm(x, (3,)).ravel().tolist(),
  'rms': (x / np.sqrt((x * x).mean(3, keepdims=True) + 1e-5)).ravel().tolist(),
  'group': norm(g, (1,)).reshape(x.shape).ravel().tolist(),
  'groupPt': pt.ravel().tolist(),
  'instance': norm(x, (1, 2)).ravel().tolist(),
  'instance16': norm(I['checker'], (1, 2, 3)).ravel().tolist(),
  'batch': norm(x, (0, 1, 2)).ravel().tolist(),
  'runningVar': (0.9 + 0.1 * x.reshape(-1, 6).var(0, ddof=1)).tolist(),
}))`, { x, checker });
    const xa = arr(x);
    await expectClose(new nn.LayerNorm(6).forward(xa), ref.layer!, 1e-4, 1e-5);
    await expectClose(new nn.RMSNorm(6).forward(xa), ref.rms!, 1e-4, 1e-5);
    await expectClose(new nn.GroupNorm(3, 6).forward(xa), ref.group!, 1e-4, 1e-5);
    await expectClose(new nn.GroupNorm(3, 6, { pytorchCompatible: true }).forward(xa), ref.groupPt!, 1e-4, 1e-5);
    await expectClose(new nn.InstanceNorm(6).forward(xa), ref.instance!, 1e-4, 1e-5);
    // float32 statistics (mx.fast.layerNorm, as MLX's) for float16 inputs, the result in float16 (all zeros when they overflowed)
    const instance16 = new nn.InstanceNorm(2).forward(mx.astype(arr(checker), mx.float16));
    expect(instance16.dtype).toBe(mx.float16);
    await expectClose(instance16, ref.instance16!, 2 ** -10);
    const bn = new nn.BatchNorm(6);
    await expectClose(bn.forward(xa), ref.batch!, 1e-4, 1e-5);
    await expectClose(bn.running_var!, ref.runningVar!, 1e-5, 1e-6);
    // eval mode uses the running statistics
    const mean = bn.running_mean!, v = bn.running_var!;
    await expectClose(bn.eval().forward(xa), await mx.divide(mx.subtract(xa, mean), mx.sqrt(mx.add(v, 1e-5))).tolist() as number[], 1e-5, 1e-5);
  });

  itWithNumpy("MultiHeadAttention matches attention written out in NumPy", async () => {
    const mha = new nn.MultiHeadAttention(4, 2, { bias: true });
    const q = data([2, 3, 4], 4), kv = data([2, 5, 4], 5);
    const w = await weightsOf(mha);
    const ref = numpy(`
def lin(x, n): return x @ I[n + '.weight'].T + I[n + '.bias']
def heads(x): return x.reshape(x.shape[0], x.shape[1], 2, -1).transpose(0, 2, 1, 3)
q, k, v = heads(lin(I['q'], 'query_proj')), heads(lin(I['kv'], 'key_proj')), heads(lin(I['kv'], 'value_proj'))
s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(2)
p = np.exp(s - s.max(-1, keepdims=True)); p /= p.sum(-1, keepdims=True)
o = (p @ v).transpose(0, 2, 1, 3).reshape(2, 3, 4)
print(json.dumps({'out': lin(o, 'out_proj').ravel().tolist()}))`, { q, kv, ...w });
    await expectClose(mha.forward(arr(q), arr(kv), arr(kv)), ref.out!, 1e-4, 1e-5);
    const mask = nn.MultiHeadAttention.createAdditiveCausalMask(3);
    const x = arr(q);
    await expectClose(mha.forward(x, x, x, mask), await mha.forward(x, x, x, "causal").tolist() as number[], 1e-4, 1e-5);
  });

  itWithNumpy("RNN, GRU and LSTM match NumPy loops", async () => {
    const x = data([2, 4, 3], 6);
    const rnn = new nn.RNN(3, 5), gru = new nn.GRU(3, 5), lstm = new nn.LSTM(3, 5);
    const ref = numpy(`
x = I['x']; sig = lambda v: 1 / (1 + np.exp(-v)); H = 5
h = None; rnn = []
for t in range(4):
    a = x[:, t] @ I['r.Wxh'].T + I['r.bias'] + (0 if h is None else h @ I['r.Whh'].T)
    h = np.tanh(a); rnn.append(h)
h = None; gru = []
for t in range(4):
    xp = x[:, t] @ I['g.Wx'].T + I['g.b']
    rz = xp[:, :2*H] + (0 if h is None else h @ I['g.Wh'][:2*H].T)
    r, z = sig(rz[:, :H]), sig(rz[:, H:])
    n = xp[:, 2*H:] + r * ((0 if h is None else h @ I['g.Wh'][2*H:].T) + I['g.bhn'])
    n = np.tanh(n)
    h = (1 - z) * n + (0 if h is None else z * h); gru.append(h)
h = None; c = None; hs = []; cs = []
for t in range(4):
    g = x[:, t] @ I['l.Wx'].T + I['l.bias'] + (0 if h is None else h @ I['l.Wh'].T)
    i, f, gg, o = sig(g[:, :H]), sig(g[:, H:2*H]), np.tanh(g[:, 2*H:3*H]), sig(g[:, 3*H:])
    c = i * gg + (0 if c is None else f * c); h = o * np.tanh(c); hs.append(h); cs.append(c)
st = lambda l: np.stack(l, 1).ravel().tolist()
print(json.dumps({'rnn': st(rnn), 'gru': st(gru), 'h': st(hs), 'c': st(cs)}))`, { x, ...(await weightsOf(rnn, "r.")), ...(await weightsOf(gru, "g.")), ...(await weightsOf(lstm, "l.")) });
    await expectClose(rnn.forward(arr(x)), ref.rnn!, 1e-4, 1e-5);
    await expectClose(gru.forward(arr(x)), ref.gru!, 1e-4, 1e-5);
    const [h, c] = lstm.forward(arr(x));
    await expectClose(h, ref.h!, 1e-4, 1e-5);
    await expectClose(c, ref.c!, 1e-4, 1e-5);
  });

  itWithNumpy("pooling matches NumPy windows, padding included", async () => {
    const x = data([2, 5, 6, 3], 7);
    const ref = numpy(`
x = I['x']
def pool(v, k, s, p, f, fill):
    v = np.pad(v, ((0, 0), (p, p), (p, p), (0, 0)), constant_values=fill)
    H = (v.shape[1] - k) // s + 1; W = (v.shape[2] - k) // s + 1
    return np.array([[[f(v[:, i*s:i*s+k, j*s:j*s+k], (1, 2)) for j in range(W)] for i in range(H)]]).squeeze(0).transpose(2, 0, 1, 3)
# JSON has no -inf: null stands for it
print(json.dumps({k: [None if np.isneginf(e) else e for e in v.ravel().tolist()] for k, v in {
  'max': pool(x, 3, 2, 1, np.max, -np.inf), 'avg': pool(x, 2, 1, 0, np.mean, 0),
  # padding beyond half the kernel, as MLX allows: windows wholly in it give -inf, or 0 (padding counts in the mean)
  'maxWide': pool(x, 2, 1, 2, np.max, -np.inf), 'avgWide': pool(x, 3, 2, 2, np.mean, 0)}.items()}))`, { x });
    await expectClose(new nn.MaxPool2d(3, 2, 1).forward(arr(x)), ref.max!, 1e-6);
    await expectClose(new nn.AvgPool2d(2, 1).forward(arr(x)), ref.avg!, 1e-5, 1e-6);
    await expectClose(new nn.MaxPool2d(2, 1, 2).forward(arr(x)), ref.maxWide!.map((v) => v ?? -Infinity), 1e-6);
    await expectClose(new nn.AvgPool2d(3, 2, 2).forward(arr(x)), ref.avgWide!, 1e-5, 1e-6);
    const line = f32([[[1], [2], [3], [4]]]);
    await expectClose(new nn.AvgPool1d(1, 1, 1).forward(line), [[[0], [1], [2], [3], [4], [0]]]);
    await expectClose(new nn.MaxPool1d(2, 1, 2).forward(line), [[[-Infinity], [1], [2], [3], [4], [4], [-Infinity]]]);
    await expectClose(new nn.MaxPool1d(2).forward(f32([[[1, 5], [3, 2], [0, 7]]])), [[[3, 5]]]);
    await expectClose(new nn.AvgPool3d([1, 2, 2]).forward(mx.reshape(mx.arange(8, mx.float32), [1, 1, 2, 2, 2])), [[[[[3, 4]]]]]);
  });

  itWithNumpy("Upsample: nearest repeats, linear and cubic interpolate as MLX", async () => {
    const x = f32([[[0], [1], [3]]]);
    await expectClose(new nn.Upsample(2).forward(x), [[[0], [0], [1], [1], [3], [3]]]);
    // align_corners=False linear: positions (i + 0.5) / 2 - 0.5, clipped to [0, 2]
    await expectClose(new nn.Upsample(2, { mode: "linear" }).forward(x), [[[0], [0.25], [0.75], [1.5], [2.5], [3]]], 1e-6);
    const img = mx.reshape(mx.arange(4, mx.float32), [1, 2, 2, 1]);
    await expectClose(new nn.Upsample([2, 1], { mode: "linear", alignCorners: true }).forward(img), [[[[0], [1]], [[2 / 3], [5 / 3]], [[4 / 3], [7 / 3]], [[2], [3]]]], 1e-6);
    // cubic: MLX's Keys kernel (a = -0.75) on taps floor(p) - 1 .. floor(p) + 2, clipped to the edges, written out in NumPy
    const sig1 = data([1, 5, 4, 2], 10), x16 = { list: [1000, 1001, 1003, 1010], shape: [1, 4, 1] };
    const ref = numpy(`
x = I['x']
def cubic(v, axis, scale, align):
    N = v.shape[axis]; M = int(scale * N); i = np.arange(M, dtype=np.float64)
    p = i * ((N - 1) / max(M - 1, 1)) if align else i / scale - ((M - 1) / scale - N + 1) / 2
    a = -0.75
    def w(d, near): return (((a + 2) * d - (a + 3)) * d * d + 1) if near else ((((d - 5) * d + 8) * d - 4) * a)
    l1 = np.floor(p); out = 0
    for g, near in ((l1, True), (l1 + 1, True), (l1 - 1, False), (l1 + 2, False)):
        idx = np.clip(g, 0, N - 1).astype(int)
        shape = [1] * v.ndim; shape[axis] = M
        out = out + np.take(v, idx, axis) * w(np.abs(p - g), near).reshape(shape)
    return out
def linear(v, axis, scale):
    N = v.shape[axis]; M = int(scale * N); i = np.arange(M, dtype=np.float64)
    p = np.clip(i / scale - ((M - 1) / scale - N + 1) / 2, 0, N - 1); lo = np.floor(p)
    shape = [1] * v.ndim; shape[axis] = M
    return np.take(v, lo.astype(int), axis) * (1 - p + lo).reshape(shape) + np.take(v, np.ceil(p).astype(int), axis) * (p - lo).reshape(shape)
print(json.dumps({k: v.ravel().tolist() for k, v in {
  'free': cubic(cubic(x, 1, 2, False), 2, 1.5, False), 'aligned': cubic(cubic(x, 1, 2, True), 2, 1.5, True),
  'linear16': linear(I['x16'], 1, 1.5), 'cubic16': cubic(I['x16'], 1, 1.5, False)}.items()}))`, { x: sig1, x16 });
    await expectClose(new nn.Upsample([2, 1.5], { mode: "cubic" }).forward(arr(sig1)), ref.free!, 1e-5, 1e-5);
    await expectClose(new nn.Upsample([2, 1.5], { mode: "cubic", alignCorners: true }).forward(arr(sig1)), ref.aligned!, 1e-5, 1e-5);
    // MLX's weights are float32: they promote float16 and integer inputs to float32 (float16 rounded 1001.33 to 1001.5)
    const half = mx.astype(arr(x16), mx.float16);
    for (const [mode, want] of [["linear", ref.linear16!], ["cubic", ref.cubic16!]] as const) {
      const y = new nn.Upsample(1.5, { mode }).forward(half);
      expect(y.dtype).toBe(mx.float32);
      await expectClose(y, want, 1e-6);
    }
    expect(new nn.Upsample(2).forward(half).dtype).toBe(mx.float16);
    // MLX's docstring example: int32 in, float32 out
    await expectArray(mx.squeeze(new nn.Upsample(2, "linear").forward(mx.reshape(mx.arange(1, 5), [1, 2, 2, 1]))), [[1, 1.25, 1.75, 2], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5], [3, 3.25, 3.75, 4]], mx.float32);
    // antialias when shrinking: MLX's widened triangle / Keys (a = -0.5) filters, normalised over in-range taps
    const big = data([1, 9, 2], 12);
    const aa = numpy(`
x = I['x'][0]
def aa(v, scale, radius, kern):
    N = v.shape[0]; M = int(scale * N); i = np.arange(M, dtype=np.float64)
    p = i / scale - ((M - 1) / scale - N + 1) / 2
    widen = 1 / scale if scale < 1 else 1.0
    taps = int(np.ceil(radius * widen)) + 1
    ws = []; ids = []
    for k in range(-taps + 1, taps):
        idx = np.floor(p) + k
        w = np.where((idx >= 0) & (idx < N), kern(np.abs(p - idx) / widen), 0.0)
        ws.append(w); ids.append(np.clip(idx, 0, N - 1).astype(int))
    tot = sum(ws); tot = np.where(tot > 0, tot, 1.0)
    return sum(v[ids[j]] * (ws[j] / tot)[:, None] for j in range(len(ws)))
tri = lambda d: np.maximum(1 - d, 0)
def keys(d, a=-0.5):
    return np.where(d <= 1, ((a + 2) * d - (a + 3)) * d * d + 1, np.where(d <= 2, (((d - 5) * d + 8) * d - 4) * a, 0))
print(json.dumps({'linear': aa(x, 0.5, 1, tri).ravel().tolist(), 'cubic': aa(x, 0.34, 2, keys).ravel().tolist()}))`, { x: big });
    await expectClose(new nn.Upsample(0.5, { mode: "linear", antialias: true }).forward(arr(big)), aa.linear!, 1e-5, 1e-5);
    await expectClose(new nn.Upsample(0.34, { mode: "cubic", antialias: true }).forward(arr(big)), aa.cubic!, 1e-5, 1e-5);
    expect(() => new nn.Upsample(2, { antialias: true })).toThrow(/^\[nn\.Upsample\] antialias/);
  });

  it("positional encodings: sinusoids, RoPE through mx.fast, ALiBi biases", async () => {
    // frequencies exp(linspace(log maxFreq, log minFreq)): with dims 4, 1 and 1e-4
    const pe = new nn.SinusoidalPositionalEncoding(4, { scale: 1 });
    await expectClose(pe.forward(f32([2])), [[Math.sin(2), Math.sin(2e-4), Math.cos(2), Math.cos(2e-4)]], 1e-5, 1e-6);
    await expectClose(new nn.SinusoidalPositionalEncoding(2, { cosFirst: true }).forward(f32([1])), [[Math.cos(1), Math.sin(1)]], 1e-5, 1e-6);
    const x = arr(data([2, 2, 3, 4], 11));
    const rope = new nn.RoPE(4, { base: 100 });
    await expectClose(rope.forward(x, 2), await mx.reshape(mx.fast.rope(mx.reshape(x, [4, 3, 4]), 4, { traditional: false, base: 100, scale: 1, offset: 2 }), [2, 2, 3, 4]).tolist() as number[], 1e-6, 1e-6);
    // one head: slope 2^-8; two heads: 2^-4 and 2^-8
    const scores = mx.zeros([1, 2, 2, 3]);
    await expectClose(new nn.ALiBi().forward(scores), [[[[0, -1 / 16, -2 / 16], [-1 / 16, 0, -1 / 16]], [[0, -1 / 256, -2 / 256], [-1 / 256, 0, -1 / 256]]]]);
    // offset and mask positionally or as MLX's keywords in an options object; a bad offset named
    const shifted = [[[[-1 / 16, 0, -1 / 16]], [[-1 / 256, 0, -1 / 256]]]];
    const row = mx.slice(scores, [0, 0, 1, 0], [1, 2, 2, 3]);
    await expectClose(new nn.ALiBi().forward(row, 1), shifted);
    await expectClose(new nn.ALiBi().forward(row, { offset: 1, mask: mx.zeros([1, 1, 1, 3]) }), shifted);
    expect(() => new nn.ALiBi().forward(row, 1.5)).toThrow(/^\[nn\.ALiBi\] offset must be an integer/);
    expect(() => new nn.ALiBi().forward(row, { offset: "1" } as never)).toThrow(/^\[nn\.ALiBi\] offset must be an integer/);
  });

  itWithNumpy("ALiBi's slopes are MLX's for any head count; the bias is multiplied in its dtype", async () => {
    const heads = [1, 2, 3, 5, 6, 7, 8, 12, 16];
    const ref = runPython<{ slopes: number[][]; bias16: number[] }>(`
import json, math, numpy as np
def slopes(n):
    # the ALiBi paper's (and MLX's get_slopes): for n a power of 2 the geometric sequence from 2^(-8/n);
    # otherwise that of the largest power of 2 below n, then every other slope of the next power of 2
    if math.log2(n).is_integer():
        start = 2 ** (-8 / n)
        return [start ** (i + 1) for i in range(n)]
    p = 2 ** math.floor(math.log2(n))
    return slopes(p) + slopes(2 * p)[0::2][:n - p]
s16 = np.array(slopes(16), dtype=np.float16).reshape(1, 16, 1, 1)
dist = -np.abs(np.arange(4)[:, None] - np.arange(64)[None, :]).astype(np.float16)
print(json.dumps({'slopes': [np.array(slopes(n), dtype=np.float32).tolist() for n in ${JSON.stringify(heads)}], 'bias16': (dist * s16).ravel().astype(float).tolist()}))`);
    await expectClose(mx.reshape(nn.ALiBi.createAlibiSlope(6), [-1]), [0.25, 0.0625, 0.015625, 0.00390625, 0.5, 0.125], 0);
    for (const [i, n] of heads.entries()) await expectClose(mx.reshape(nn.ALiBi.createAlibiSlope(n), [-1]), ref.slopes[i]!, 0);
    await expectClose(nn.ALiBi.createAlibiMatrix(4, 64, 16, 0, mx.float16), ref.bias16, 0);
    await expectClose(new nn.ALiBi().forward(mx.zeros([1, 16, 4, 64], mx.float16)), ref.bias16, 0);
  });

  it("RoPE takes negative offsets, as MLX's: positions offset + i below 0 rotate the other way", async () => {
    // [B, L, D] = [2, 3, 6], 4 of the 6 features rotated; angle (offset + i) * scale * base^(-j / 2) for pair j
    const d = data([2, 3, 6], 12);
    const x = arr(d);
    const direct = (traditional: boolean, base: number, scale: number, offsets: number[]) => {
      const out = [...d.list];
      for (let b = 0; b < 2; b++) {
        for (let i = 0; i < 3; i++) {
          const row = (b * 3 + i) * 6;
          for (let j = 0; j < 2; j++) {
            const theta = (offsets[b]! + i) * scale * base ** (-j / 2);
            const [p, q] = traditional ? [row + 2 * j, row + 2 * j + 1] : [row + j, row + j + 2];
            const [u, v] = [d.list[p]!, d.list[q]!];
            out[p] = u * Math.cos(theta) - v * Math.sin(theta);
            out[q] = u * Math.sin(theta) + v * Math.cos(theta);
          }
        }
      }
      return out;
    };
    for (const traditional of [false, true]) {
      const rope = new nn.RoPE(4, { traditional, base: 100, scale: 0.5 });
      await expectClose(rope.forward(x, -5), direct(traditional, 100, 0.5, [-5, -5]), 1e-5, 1e-5);
      await expectClose(rope.forward(x, -1), direct(traditional, 100, 0.5, [-1, -1]), 1e-5, 1e-5);
      await expectClose(rope.forward(x, mx.array([-7, 2])), direct(traditional, 100, 0.5, [-7, 2]), 1e-5, 1e-5);
    }
    // on one row (position = offset) offset -k undoes offset +k
    const rope = new nn.RoPE(6);
    const row = mx.slice(x, [0, 0, 0], [2, 1, 6]);
    await expectClose(rope.forward(rope.forward(row, 9), -9), (await row.tolist()) as number[], 1e-5, 1e-5);
    expect(rope.forward(x, -(2 ** 31 - 1)).shape).toEqual([2, 3, 6]);
  });

  it("convolution layers add their bias to mx.conv*", async () => {
    const conv = new nn.Conv2d(3, 4, 3, { padding: 1, stride: 2 });
    conv.update({ bias: f32([1, 2, 3, 4]) });
    const x = arr(data([1, 5, 5, 3], 8));
    await expectClose(conv.forward(x), await mx.add(mx.conv2d(x, conv.weight, 2, 1), conv.bias!).tolist() as number[], 1e-5, 1e-6);
    expect(new nn.Conv1d(4, 6, 3, { groups: 2 }).weight.shape).toEqual([6, 3, 2]);
    const ct = new nn.ConvTranspose1d(2, 3, 3, { stride: 2 });
    expect(ct.forward(mx.ones([1, 4, 2])).shape).toEqual([1, 9, 3]);
  });

  it("quantized layers approximate the layers they quantize", async () => {
    const lin = new nn.Linear(64, 8);
    const x = arr(data([3, 64], 9));
    const q = nn.QuantizedLinear.fromLinear(lin, { bits: 8, groupSize: 32 });
    expect(Object.keys(q.trainableParameters())).toEqual(["bias"]);
    await expectClose(q.forward(x), await lin.forward(x).tolist() as number[], 0.02, 0.02);
    const model = new nn.Sequential(new nn.Embedding(10, 64), new nn.Linear(64, 64), new nn.ReLU());
    expect(() => nn.quantize(model, { classPredicate: () => true })).toThrow(/^\[nn\.quantize\] cannot quantize 'layers\.2', a ReLU/);
    nn.quantize(model, { classPredicate: (path, m) => path !== "layers.1" && !(m instanceof nn.ReLU) });
    expect(model.layers.map((l) => l.constructor.name)).toEqual(["QuantizedEmbedding", "Linear", "ReLU"]);
  });
});

/** Each loss with a valid call: its array arguments by name, then its options. */
const LOSSES: [string, string[], () => mx.MxArray[]][] = [
  ["crossEntropy", ["logits", "targets"], () => [f32([[1, 2]]), mx.array([1])]],
  ["binaryCrossEntropy", ["inputs", "targets"], () => [f32([0.5]), f32([1])]],
  ["l1Loss", ["predictions", "targets"], () => [f32([1]), f32([2])]],
  ["mseLoss", ["predictions", "targets"], () => [f32([1]), f32([2])]],
  ["nllLoss", ["inputs", "targets"], () => [f32([[-1, -2]]), mx.array([0])]],
  ["klDivLoss", ["inputs", "targets"], () => [f32([[-1, -2]]), f32([[-1, -2]])]],
  ["smoothL1Loss", ["predictions", "targets"], () => [f32([1]), f32([2])]],
  ["huberLoss", ["inputs", "targets"], () => [f32([1]), f32([2])]],
  ["tripletLoss", ["anchors", "positives", "negatives"], () => [f32([[1]]), f32([[2]]), f32([[3]])]],
  ["hingeLoss", ["inputs", "targets"], () => [f32([1]), f32([1])]],
  ["logCoshLoss", ["inputs", "targets"], () => [f32([1]), f32([2])]],
  ["cosineSimilarityLoss", ["x1", "x2"], () => [f32([[1, 0]]), f32([[0, 1]])]],
  ["marginRankingLoss", ["inputs1", "inputs2", "targets"], () => [f32([1]), f32([2]), f32([1])]],
  ["gaussianNllLoss", ["inputs", "targets", "vars"], () => [f32([1]), f32([2]), f32([1])]],
];

describe("nn refuses bad arguments, naming the function and the argument", () => {
  it("every loss: bad arrays, an unknown option, a bad reduction", async () => {
    const disposed = f32([1]);
    disposed.dispose();
    for (const [name, argNames, valid] of LOSSES) {
      const f = (nn.losses as unknown as Record<string, (...a: unknown[]) => mx.MxArray>)[name]!;
      await mx.eval([f(...valid(), { reduction: "sum" })]);
      argNames.forEach((argName, i) => {
        for (const bad of [undefined, [1, 2], "bogus", disposed]) {
          const args: unknown[] = valid();
          args[i] = bad;
          expect(() => f(...args), `${name} ${argName}`).toThrow(new RegExp(`^\\[nn\\.losses\\.${name}\\] ${argName} `));
        }
      });
      expect(() => f(...valid(), { bogusOption: 1 }), name).toThrow(new RegExp(`^\\[nn\\.losses\\.${name}\\] unknown option 'bogusOption'`));
      expect(() => f(...valid(), { reduction: "avg" }), name).toThrow(new RegExp(`^\\[nn\\.losses\\.${name}\\] reduction`));
    }
  });

  it("every initializer: bad options and a bad array", () => {
    const inits: [string, () => (a: mx.MxArray) => mx.MxArray][] = [
      ["constant", () => nn.init.constant(1)], ["normal", () => nn.init.normal()], ["uniform", () => nn.init.uniform()],
      ["identity", () => nn.init.identity()], ["glorotNormal", () => nn.init.glorotNormal()], ["glorotUniform", () => nn.init.glorotUniform()],
      ["heNormal", () => nn.init.heNormal()], ["heUniform", () => nn.init.heUniform()], ["sparse", () => nn.init.sparse(0.5)], ["orthogonal", () => nn.init.orthogonal()],
    ];
    for (const [name, make] of inits) {
      expect(() => make()([1, 2] as unknown as mx.MxArray), name).toThrow(new RegExp(`^\\[nn\\.init\\.${name}\\] a `));
    }
    expect(() => nn.init.normal({ std: -1 })).toThrow(/^\[nn\.init\.normal\] std/);
    expect(() => nn.init.uniform({ low: 1, high: 0 })).toThrow(/^\[nn\.init\.uniform\] high/);
    expect(() => nn.init.constant(1, { dtype: "float32" as never })).toThrow(/^\[nn\.init\.constant\] dtype/);
    expect(() => nn.init.sparse(2)).toThrow(/^\[nn\.init\.sparse\] sparsity/);
    expect(() => nn.init.glorotNormal({ gain: 2 } as never)).toThrow(/^\[nn\.init\.glorotNormal\] unknown option 'gain'/);
  });

  it("in functions and constructors", () => {
    expect(() => nn.relu([1, 2] as unknown as mx.MxArray)).toThrow(/^\[nn\.relu\] x must be an mx array/);
    expect(() => nn.softmax(f32([1]), 1.5)).toThrow(/^\[nn\.softmax\] axis/);
    expect(() => new nn.Linear(0, 2)).toThrow(/^\[nn\.Linear\] inputDims/);
    expect(() => new nn.Dropout(1)).toThrow(/^\[nn\.Dropout\] p/);
    expect(() => new nn.MultiHeadAttention(5, 2)).toThrow(/^\[nn\.MultiHeadAttention\] dims/);
    expect(() => new nn.GroupNorm(4, 6)).toThrow(/^\[nn\.GroupNorm\] dims/);
    expect(() => new nn.LayerNorm(4, { epsilon: 1 } as never)).toThrow(/^\[nn\.LayerNorm\] unknown option 'epsilon'/);
    // eps must be positive (MLX's test_norm_eps_validation: eps = 0 gave NaN on a constant row)
    expect(() => new nn.LayerNorm(4, { eps: 0 })).toThrow(/^\[nn\.LayerNorm\] eps must be a finite number > 0, got 0/);
    expect(() => new nn.RMSNorm(4, 0)).toThrow(/^\[nn\.RMSNorm\] eps must be a finite number > 0/);
    expect(() => new nn.GroupNorm(2, 4, { eps: 0 })).toThrow(/^\[nn\.GroupNorm\] eps/);
    expect(() => new nn.InstanceNorm(4, { eps: 0 })).toThrow(/^\[nn\.InstanceNorm\] eps/);
    expect(() => new nn.BatchNorm(4, { eps: 0 })).toThrow(/^\[nn\.BatchNorm\] eps/);
    expect(() => nn.losses.crossEntropy(f32([[1, 2]]), mx.array([[0, 1, 2]]))).toThrow(/^\[nn\.losses\.crossEntropy\] targets/);
    expect(() => nn.losses.mseLoss(f32([1]), f32([1]), { reduction: "avg" as never })).toThrow(/^\[nn\.losses\.mseLoss\] reduction/);
    expect(() => new nn.LayerNorm(4).forward(mx.ones([2, 3]))).toThrow(/^\[nn\.LayerNorm\] x/);
    expect(() => new nn.MaxPool2d(2).forward(mx.ones([2, 3]))).toThrow(/^\[nn\.MaxPool2d\] x/);
    // RoPE's offset: any int32 but -2^31 (mx.fast.rope's range), an integer
    for (const bad of [-(2 ** 31), 2 ** 31, 1.5, NaN]) expect(() => new nn.RoPE(2).forward(mx.ones([1, 2, 2]), bad), String(bad)).toThrow(/^\[nn\.RoPE\] offset must be an integer/);
  });
});
