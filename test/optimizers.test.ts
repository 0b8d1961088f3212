// mx.optimizers against MLX's update formulas worked in float64 here: each
// optimizer runs a few steps on a nested parameter tree with a different
// gradient each step, its state kept per parameter; schedules, clipping,
// MultiOptimizer, state save/restore, and memory over a 1000-step loop;
// models with parameterless layers and partly trainable (sparse) states.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, values } from "./helpers/backends.js";

const optim = mx.optimizers;
type Vec = number[];
type Refs = Record<string, Vec>;

/** A nested tree: a vector, a 2x3 matrix (flattened row-major in the reference) and a list entry. */
const SHAPES: Record<string, number[]> = { a: [3], "b.c": [2, 3], "l.0": [2] };
const init = (k: string, n: number) => Array.from({ length: n }, (_, i) => Math.sin(1 + i + k.length * 3) * 0.8);
const grad = (k: string, n: number, t: number) => Array.from({ length: n }, (_, i) => Math.cos(2 * i + t * 1.7 + k.length) * (1 + t * 0.3));

function tree(f: (k: string, n: number) => Vec): Record<string, unknown> {
  const arr = (k: string) => mx.array(f(k, SHAPES[k]!.reduce((a, b) => a * b, 1)), mx.float32).reshape(SHAPES[k]!);
  return { a: arr("a"), b: { c: arr("b.c") }, l: [arr("l.0")] };
}
const flat = (t: unknown) => mx.utils.treeFlatten(t) as [string, mx.MxArray][];

/** One element-wise update rule in float64: parameter, gradient, state (mutated), step (1-based) -> new parameter. */
type Rule = (w: number, g: number, s: Record<string, number>, t: number) => number;

const LR = 0.05;
const ELEMENTWISE: [string, () => mx.optimizers.Optimizer, Rule][] = [
  ["SGD", () => new optim.SGD(LR), (w, g) => w - LR * g],
  ["SGD momentum, dampening, weight decay", () => new optim.SGD(LR, { momentum: 0.9, dampening: 0.2, weightDecay: 0.01 }), (w, g, s) => {
    g += 0.01 * w;
    s.v = 0.9 * (s.v ?? 0) + 0.8 * g;
    return w - LR * s.v;
  }],
  ["SGD nesterov", () => new optim.SGD({ learningRate: LR, momentum: 0.8, nesterov: true }), (w, g, s) => {
    s.v = 0.8 * (s.v ?? 0) + g;
    return w - LR * (g + 0.8 * s.v);
  }],
  ["RMSprop", () => new optim.RMSprop(LR, { alpha: 0.9, eps: 1e-6 }), (w, g, s) => {
    s.v = 0.9 * (s.v ?? 0) + 0.1 * g * g;
    return w - (LR * g) / (Math.sqrt(s.v) + 1e-6);
  }],
  ["Adagrad", () => new optim.Adagrad(LR), (w, g, s) => {
    s.v = (s.v ?? 0) + g * g;
    return w - (LR * g) / (Math.sqrt(s.v) + 1e-8);
  }],
  ["AdaDelta", () => new optim.AdaDelta(1, { rho: 0.8, eps: 1e-3 }), (w, g, s) => {
    s.v = 0.8 * (s.v ?? 0) + 0.2 * g * g;
    const d = (Math.sqrt((s.u ?? 0) + 1e-3) / Math.sqrt(s.v + 1e-3)) * g;
    s.u = 0.8 * (s.u ?? 0) + 0.2 * d * d;
    return w - d;
  }],
  ["Adam", () => new optim.Adam(LR, { betas: [0.8, 0.95] }), (w, g, s) => {
    s.m = 0.8 * (s.m ?? 0) + 0.2 * g;
    s.v = 0.95 * (s.v ?? 0) + 0.05 * g * g;
    return w - (LR * s.m) / (Math.sqrt(s.v) + 1e-8);
  }],
  ["Adam bias correction", () => new optim.Adam(LR, { biasCorrection: true }), (w, g, s, t) => {
    s.m = 0.9 * (s.m ?? 0) + 0.1 * g;
    s.v = 0.999 * (s.v ?? 0) + 0.001 * g * g;
    return w - (LR / (1 - 0.9 ** t)) * s.m / (Math.sqrt(s.v) / Math.sqrt(1 - 0.999 ** t) + 1e-8);
  }],
  ["AdamW", () => new optim.AdamW(LR, { weightDecay: 0.1 }), (w, g, s) => {
    w *= 1 - LR * 0.1;
    s.m = 0.9 * (s.m ?? 0) + 0.1 * g;
    s.v = 0.999 * (s.v ?? 0) + 0.001 * g * g;
    return w - (LR * s.m) / (Math.sqrt(s.v) + 1e-8);
  }],
  ["Adamax", () => new optim.Adamax(LR), (w, g, s) => {
    s.m = 0.9 * (s.m ?? 0) + 0.1 * g;
    s.v = Math.max(0.999 * (s.v ?? 0), Math.abs(g));
    return w - (LR * s.m) / (s.v + 1e-8);
  }],
  ["Lion", () => new optim.Lion(LR, { weightDecay: 0.1 }), (w, g, s) => {
    const m = s.m ?? 0;
    const c = 0.9 * m + 0.1 * g;
    s.m = 0.99 * m + 0.01 * g;
    return w * (1 - LR * 0.1) - LR * Math.sign(c);
  }],
];

const STEPS = 4;

/** The reference parameters after `STEPS` steps of an element-wise rule. */
function runRule(rule: Rule): Refs {
  const out: Refs = {};
  for (const k of Object.keys(SHAPES)) {
    const n = SHAPES[k]!.reduce((a, b) => a * b, 1);
    const w = init(k, n);
    const states = w.map(() => ({}) as Record<string, number>);
    for (let t = 1; t <= STEPS; t++) {
      const g = grad(k, n, t);
      for (let i = 0; i < n; i++) w[i] = rule(w[i]!, g[i]!, states[i]!, t);
    }
    out[k] = w;
  }
  return out;
}

/** Runs the optimizer for `STEPS` steps, evaluating params and state each step as a training loop does. */
async function runOptimizer(opt: { applyGradients(g: unknown, p: unknown): unknown; state: unknown }): Promise<Record<string, unknown>> {
  let params = tree(init);
  for (let t = 1; t <= STEPS; t++) {
    params = opt.applyGradients(tree((k, n) => grad(k, n, t)), params) as Record<string, unknown>;
    await mx.eval(params, opt.state);
  }
  return params;
}

async function expectTree(got: unknown, want: Refs, rtol: number): Promise<void> {
  for (const [k, v] of flat(got)) {
    const g = await values(v);
    const w = want[k]!;
    expect(g.length, k).toBe(w.length);
    g.forEach((x, i) => expect(Math.abs(x - w[i]!), `${k}[${i}]: got ${x}, want ${w[i]}`).toBeLessThanOrEqual(rtol * Math.max(1, Math.abs(w[i]!))));
  }
}

// ---- the float64 references of the matrix optimizers ----

const mean = (v: Vec) => v.reduce((a, b) => a + b, 0) / v.length;
const rmsOf = (v: Vec) => Math.sqrt(mean(v.map((x) => x * x)));

/** Adafactor (defaults: relative step, parameter scaling, clipping at 1, decay −0.8) on one parameter of `shape`. */
function adafactorRef(w: Vec, gs: Vec[], shape: number[]): Vec {
  const [rows, cols] = shape.length === 2 ? [shape[0]!, shape[1]!] : [1, shape[0]!];
  const factored = shape.length === 2;
  let row = new Array<number>(rows).fill(0), col = new Array<number>(cols).fill(0), sq = new Array<number>(w.length).fill(0);
  gs.forEach((g, idx) => {
    const t = idx + 1;
    const lr = Math.max(1e-3, rmsOf(w)) * Math.min(1e-2, 1 / Math.sqrt(t));
    const b2 = 1 - t ** -0.8;
    const u0 = g.map((x) => x * x + 1e-30);
    let upd: Vec;
    if (factored) {
      row = row.map((r, i) => b2 * r + (1 - b2) * mean(u0.slice(i * cols, (i + 1) * cols)));
      col = col.map((c, j) => b2 * c + (1 - b2) * mean(Array.from({ length: rows }, (_, i) => u0[i * cols + j]!)));
      const rm = mean(row);
      upd = g.map((x, e) => x / Math.sqrt(row[Math.floor(e / cols)]! / rm) / Math.sqrt(col[e % cols]!));
    } else {
      sq = sq.map((s, i) => b2 * s + (1 - b2) * u0[i]!);
      upd = g.map((x, i) => x / Math.sqrt(sq[i]!));
    }
    const clip = Math.max(1, rmsOf(upd));
    w = w.map((x, i) => x - (lr * upd[i]!) / clip);
  });
  return w;
}

type Mat = number[][];
const mm = (a: Mat, b: Mat): Mat => a.map((r) => b[0]!.map((_, j) => r.reduce((s, x, k) => s + x * b[k]![j]!, 0)));
const tr = (a: Mat): Mat => a[0]!.map((_, j) => a.map((r) => r[j]!));

/** Muon (momentum 0.95, weight decay 0.01, Nesterov, 5 Newton-Schulz steps) on one parameter. */
function muonRef(w: Vec, gs: Vec[], shape: number[]): Vec {
  let v = w.map(() => 0);
  for (const g0 of gs) {
    const g = g0.map((x, i) => x + 0.01 * w[i]!);
    v = v.map((x, i) => 0.95 * x + 0.05 * g[i]!);
    let upd = g.map((x, i) => x * 0.05 + v[i]! * 0.95);
    let lr = LR;
    if (shape.length === 2) {
      const [r, c] = shape as [number, number];
      let X: Mat = Array.from({ length: r }, (_, i) => upd.slice(i * c, (i + 1) * c));
      const tall = r > c;
      if (tall) X = tr(X);
      const nrm = Math.sqrt(X.flat().reduce((s, x) => s + x * x, 0)) + 1e-7;
      X = X.map((row) => row.map((x) => x / nrm));
      for (let k = 0; k < 5; k++) {
        const A = mm(X, tr(X));
        const AA = mm(A, A);
        const B = A.map((row, i) => row.map((x, j) => -4.775 * x + 2.0315 * AA[i]![j]!));
        const BX = mm(B, X);
        X = X.map((row, i) => row.map((x, j) => 3.4445 * x + BX[i]![j]!));
      }
      if (tall) X = tr(X);
      upd = X.flat();
      lr *= Math.sqrt(Math.max(1, r / c));
    }
    w = w.map((x, i) => x - lr * upd[i]!);
  }
  return w;
}

function runMatrixRef(ref: (w: Vec, gs: Vec[], shape: number[]) => Vec): Refs {
  const out: Refs = {};
  for (const [k, shape] of Object.entries(SHAPES)) {
    const n = shape.reduce((a, b) => a * b, 1);
    out[k] = ref(init(k, n), Array.from({ length: STEPS }, (_, t) => grad(k, n, t + 1)), shape);
  }
  return out;
}

describe.each(BACKENDS)("optimizers on $name", ({ device }) => {
  let saved: mx.Device;
  beforeAll(() => {
    saved = mx.defaultDevice();
    mx.setDefaultDevice(device);
  });
  afterAll(() => mx.setDefaultDevice(saved));

  it.each(ELEMENTWISE)("%s follows its formula over several steps", async (_, make, rule) => {
    await expectTree(await runOptimizer(make()), runRule(rule), 2e-5);
  });

  it("Adafactor follows its formula (factored for a matrix)", async () => {
    const opt = new optim.Adafactor();
    await expectTree(await runOptimizer(opt), runMatrixRef(adafactorRef), 2e-5);
    expect(Object.keys((opt.state.b as { c: object }).c)).toEqual(["exp_avg_sq_row", "exp_avg_sq_col"]);
    expect(Object.keys(opt.state.a as object)).toEqual(["exp_avg_sq"]);
  });

  it("Muon follows its formula (Newton-Schulz for a matrix)", async () => {
    await expectTree(await runOptimizer(new optim.Muon(LR)), runMatrixRef(muonRef), 1e-4);
  });

  it("keeps the state per parameter in the tree's shape, with MLX's keys", async () => {
    const opt = new optim.Adam(LR);
    await runOptimizer(opt);
    expect(flat(opt.state).map(([k]) => k)).toEqual(["step", "learning_rate", "a.m", "a.v", "b.c.m", "b.c.v", "l.0.m", "l.0.v"]);
    expect(await opt.step.item()).toBe(BigInt(STEPS));
    expect(opt.step.dtype).toBe(mx.uint64);
  });

  it("saves and restores its state: a restored optimizer continues as the original", async () => {
    const a = new optim.Adam(LR, { biasCorrection: true });
    let p = tree(init);
    const g = (t: number) => tree((k, n) => grad(k, n, t));
    p = a.applyGradients(g(1), p) as typeof p;
    p = a.applyGradients(g(2), p) as typeof p;
    await mx.eval(p, a.state);
    const saved = mx.utils.treeFlatten(a.state); // as a checkpoint keeps it
    const b = new optim.Adam(LR, { biasCorrection: true });
    b.state = mx.utils.treeUnflatten(saved) as mx.optimizers.OptimizerState;
    const pa = a.applyGradients(g(3), p);
    const pb = b.applyGradients(g(3), p);
    for (const [[k, x], [, y]] of flat(pa).map((e, i) => [e, flat(pb)[i]!] as const)) expect(await values(x), k).toEqual(await values(y));
    const fresh = new optim.Adam(LR, { biasCorrection: true }).applyGradients(g(3), p);
    expect(await values(flat(fresh)[0]![1])).not.toEqual(await values(flat(pa)[0]![1]));
  });

  it("updates a model through its update method and reads its parameters()", async () => {
    const model = {
      w: mx.array([1, 2], mx.float32),
      parameters() { return { w: this.w }; },
      update(p: { w: mx.MxArray }) { this.w = p.w; },
    };
    const opt = new optim.SGD(0.5);
    opt.update(model, { w: mx.array([2, 2], mx.float32) });
    expect(await model.w.tolist()).toEqual([0, 1]);
    expect(() => opt.update(5 as never, {})).toThrow(/\[optimizers\.SGD\.update\] model must have an update\(params\) method \(an nn\.Module\) or be a plain object tree/);
    expect(() => opt.update(new Map() as never, {})).toThrow(/\[optimizers\.SGD\.update\] model/);
    expect(await opt.step.item()).toBe(1n); // a refused model takes no step
  });

  it("steps the learning-rate schedule before each update", async () => {
    const opt = new optim.SGD(optim.stepDecay(0.1, 0.9, 10));
    expect(await opt.learningRate.toNumber()).toBeCloseTo(0.1, 7);
    for (let i = 0; i < 21; i++) opt.applyGradients({}, {});
    expect(await opt.learningRate.toNumber()).toBeCloseTo(0.081, 7);
    const warm = new optim.Adam(optim.joinSchedules([optim.linearSchedule(0, 0.1, 10), optim.cosineDecay(0.1, 200)], [10]));
    expect(await warm.learningRate.toNumber()).toBe(0);
    for (let i = 0; i < 12; i++) warm.applyGradients({}, {});
    expect(await warm.learningRate.toNumber()).toBeCloseTo(0.1 * (1 + Math.cos(Math.PI / 200)) / 2, 7);
    opt.learningRate = 0.5;
    expect(await opt.learningRate.toNumber()).toBe(0.5);
  });

  it("takes a number step as MLX's schedules take a Python int (test_optimizers.py's schedule tests)", async () => {
    expect(await optim.stepDecay(0.1, 0.9, 1000)(2500).toNumber()).toBeCloseTo(0.081, 7);
    expect(await optim.exponentialDecay(0.1, 0.99)(10).toNumber()).toBeCloseTo(0.1 * 0.99 ** 10, 7);
    expect(await optim.cosineDecay(0.1, 10)(4).toNumber()).toBeCloseTo(0.1 * (1 + Math.cos((Math.PI * 4) / 10)) / 2, 7);
    expect(await optim.linearSchedule(0, 0.1, 10)(5).toNumber()).toBeCloseTo(0.05, 7);
    expect(await optim.joinSchedules([optim.linearSchedule(0, 0.1, 10), optim.cosineDecay(0.1, 200)], [10])(0).toNumber()).toBe(0);
    expect(() => optim.stepDecay(0.1, 0.9, 10)(NaN)).toThrow(/\[optimizers\.stepDecay\] step must be an array or a finite number/);
  });

  it("clips the global gradient norm", async () => {
    const [clipped, norm] = optim.clipGradNorm({ a: mx.array([3, 0], mx.float32), b: [mx.array([4], mx.float32)] }, 2);
    expect(await norm.toNumber()).toBeCloseTo(5, 5);
    const s = 2 / (5 + 1e-6);
    expect(await values(clipped.a)).toEqual([3 * s, 0].map(Math.fround));
    expect((await values(clipped.b[0]!))[0]).toBeCloseTo(4 * s, 6);
    const [same] = optim.clipGradNorm({ a: mx.array([0.3], mx.float32) }, 2);
    expect(await values(same.a)).toEqual([Math.fround(0.3)]);
    expect(() => optim.clipGradNorm({ a: mx.array([1]) }, -1)).toThrow(/\[optimizers\.clipGradNorm\] maxNorm/);
  });

  it("MultiOptimizer sends each parameter to the optimizer whose filter takes it", async () => {
    const multi = new optim.MultiOptimizer([ELEMENTWISE[6]![1](), ELEMENTWISE[0]![1]()], [(path) => path.startsWith("b.")]);
    const p = await (async () => {
      let params = tree(init);
      for (let t = 1; t <= STEPS; t++) params = multi.applyGradients(tree((k, n) => grad(k, n, t)), params) as typeof params;
      return params;
    })();
    const adam = runRule(ELEMENTWISE[6]![2]), sgd = runRule(ELEMENTWISE[0]![2]);
    await expectTree(p, { "b.c": adam["b.c"]!, a: sgd.a!, "l.0": sgd["l.0"]! }, 2e-5);
    expect(Object.keys(multi.state)).toEqual(["states"]);
    multi.learningRate = 0.01;
    expect(await multi.optimizers[1]!.learningRate.toNumber()).toBeCloseTo(0.01, 7);
    expect(() => (multi.state = { states: [] })).toThrow(/MultiOptimizer\.state/);
  });
});

describe("optimizer arguments", () => {
  it("refuses bad hyperparameters, naming the optimizer and the argument", () => {
    expect(() => new optim.Adam(0.1, { betas: [1, 0.9] })).toThrow(/\[optimizers\.Adam\] betas\[0\]/);
    expect(() => new optim.AdamW(0.1, { weightDecay: NaN })).toThrow(/\[optimizers\.AdamW\] weightDecay/);
    expect(() => new optim.SGD(0.1, { nesterov: true })).toThrow(/\[optimizers\.SGD\] nesterov/);
    expect(() => new optim.RMSprop(0.1, { eps: 0 })).toThrow(/\[optimizers\.RMSprop\] eps/);
    expect(() => new optim.Adagrad(0.1, { bogus: 1 } as never)).toThrow(/\[optimizers\.Adagrad\] unknown option 'bogus'/);
    expect(() => new optim.Lion("x" as never)).toThrow(/\[optimizers\.Lion\] learningRate/);
    expect(() => new optim.Adafactor({ relativeStep: false })).toThrow(/\[optimizers\.Adafactor\] learningRate/);
    expect(() => optim.stepDecay(0.1, 0.9, 0)).toThrow(/\[optimizers\.stepDecay\] stepSize/);
    expect(() => optim.joinSchedules([optim.cosineDecay(1, 10)], [5])).toThrow(/\[optimizers\.joinSchedules\] boundaries/);
    expect(() => new optim.MultiOptimizer([new optim.SGD(1)], [() => true])).toThrow(/\[optimizers\.MultiOptimizer\] filters/);
  });

  it("refuses a gradient whose shape differs from its parameter's, or one without a parameter", () => {
    const opt = new optim.SGD(0.1);
    expect(() => opt.applyGradients({ w: mx.zeros([2]) }, { w: mx.zeros([3]) })).toThrow(/\[optimizers\.SGD\.applyGradients\] gradient 'w'/);
    expect(() => opt.applyGradients({ w: mx.zeros([2]), q: mx.zeros([1]) }, { w: mx.zeros([2]) })).toThrow(/parameters has no array at 'q'/);
  });
});

describe("models with parameterless layers and partly trainable ones (MLX's trees)", () => {
  const { nn } = mx;
  const x = mx.array([[0.5, -1, 2], [1, 0.25, -0.5]], mx.float32);
  const lossOf = (m: mx.nn.Module & { forward(v: mx.MxArray): mx.MxArray }) => mx.nn.valueAndGrad(m, (v: mx.MxArray) => mx.sum(mx.square(m.forward(v))));
  /** The model's parameters as flat [key, values] pairs. */
  const snapshot = async (m: mx.nn.Module) => Promise.all(flat(m.parameters()).map(async ([k, v]) => [k, await values(v)] as const));

  it("MultiOptimizer.update steps a Sequential whose ReLUs hold no parameters", async () => {
    for (const tail of [[], [new nn.ReLU()]]) {
      const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2), ...tail);
      const [, grads] = lossOf(model)(x);
      const before = new Map(await snapshot(model));
      const gradValues = new Map(await Promise.all(flat(grads).map(async ([k, g]) => [k, await values(g)] as const)));
      const multi = new optim.MultiOptimizer([new optim.SGD(1), new optim.SGD(0.1)], [(p) => p.endsWith("bias")]);
      multi.update(model, grads);
      const after = await snapshot(model);
      expect(after.map(([k]) => k)).toEqual(["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"]);
      for (const [k, v] of after) {
        const lr = k.endsWith("bias") ? 1 : 0.1;
        expect(v, k).toEqual(before.get(k)!.map((w, i) => Math.fround(w - Math.fround(Math.fround(lr) * gradValues.get(k)![i]!))));
      }
      expect(await multi.optimizers[0]!.step.item()).toBe(1n);
      expect(flat(multi.state).map(([k]) => k)).toEqual(["states.0.step", "states.0.learning_rate", "states.0.layers.0.bias.v", "states.0.layers.2.bias.v", "states.1.step", "states.1.learning_rate", "states.1.layers.0.weight.v", "states.1.layers.2.weight.v"]);
    }
  });

  it("update({}, {}) advances the step and the schedules (MLX's schedule examples); a plain object tree is updated in place", async () => {
    const opt = new optim.SGD(optim.stepDecay(1, 0.5, 1));
    for (let i = 0; i < 3; i++) opt.update({}, {});
    expect(await opt.step.item()).toBe(3n);
    expect(await opt.learningRate.toNumber()).toBe(0.25); // the schedule at step 2, as MLX
    const multi = new optim.MultiOptimizer([new optim.SGD(optim.linearSchedule(0, 1, 4)), new optim.Adam(1)], [() => true]);
    multi.update({}, {});
    multi.update({}, {});
    expect(await multi.optimizers[0]!.learningRate.toNumber()).toBe(0.25);
    expect(await multi.optimizers[1]!.step.item()).toBe(2n);
    const params: Record<string, unknown> = { w: mx.array([1, 2], mx.float32), keep: mx.array([5], mx.float32) };
    const keep = params.keep;
    new optim.SGD(0.5).update(params, { w: mx.array([2, 2], mx.float32) });
    expect(await values(params.w as mx.MxArray)).toEqual([0, 1]);
    expect(params.keep).toBe(keep); // dict.update: the entries not in the result stay
  });

  it("a sparse state (only some layers trainable) round-trips through treeFlatten and treeUnflatten and trains on identically", async () => {
    const make = () => {
      mx.random.seed(7);
      const m = new nn.Sequential(new nn.Linear(3, 3), new nn.Linear(3, 3), new nn.ReLU(), new nn.Linear(3, 3), new nn.Linear(3, 2));
      m.freeze();
      (m.layers[1] as mx.nn.Module).unfreeze(); // as LoRA: a few layers train, the others (and the last) are frozen
      (m.layers[3] as mx.nn.Module).unfreeze();
      return m;
    };
    const [a, b] = [make(), make()];
    const [optA, optB] = [new optim.Adam(0.01, { biasCorrection: true }), new optim.Adam(0.01, { biasCorrection: true })];
    const train = (m: ReturnType<typeof make>, o: mx.optimizers.Optimizer) => {
      const [, g] = lossOf(m)(x);
      o.update(m, g);
    };
    for (let i = 0; i < 2; i++) {
      train(a, optA);
      train(b, optB);
    }
    await mx.eval(a.parameters(), b.parameters(), optA.state, optB.state);
    const saved = flat(optB.state);
    expect(saved.map(([k]) => k)).toEqual(["step", "learning_rate", ...[1, 3].flatMap((i) => ["weight", "bias"].flatMap((p) => ["m", "v"].map((s) => `layers.${i}.${p}.${s}`)))]);
    optB.state = mx.utils.treeUnflatten(saved) as mx.optimizers.OptimizerState;
    const layers = optB.state.layers as unknown[];
    expect(layers.length).toBe(4); // the frozen last layer's {} is not kept: no key stands for it
    expect(layers[0]).toEqual({});
    expect(layers[2]).toEqual({});
    expect(flat(optB.state).map(([k]) => k)).toEqual(saved.map(([k]) => k)); // flattens again
    for (let i = 0; i < 3; i++) {
      train(a, optA);
      train(b, optB);
    }
    expect(await snapshot(b)).toEqual(await snapshot(a));
    const [sa, sb] = [flat(optA.state), flat(optB.state)];
    expect(sb.map(([k]) => k)).toEqual(sa.map(([k]) => k));
    for (const [[k, va], [, vb]] of sa.map((e, i) => [e, sb[i]!] as const)) expect(await values(vb), k).toEqual(await values(va));
  });
});

describe.each(BACKENDS)("a training loop on $name", ({ device, name }) => {
  const steps = name === "cpu" ? 1000 : 200;
  it(`holds its memory flat over ${steps} steps`, async () => {
    const o = { stream: device };
    const opt = new optim.AdamW(optim.cosineDecay(1e-2, steps));
    let params: Record<string, unknown> = { w: mx.multiply(mx.ones([64, 32], mx.float32, o), 0.1, o), layers: [{ b: mx.zeros([32], mx.float32, o) }] };
    const x = mx.ones([4, 64], mx.float32, o);
    const loss = (p: typeof params) => {
      const w = p.w as mx.MxArray, b = (p.layers as { b: mx.MxArray }[])[0]!.b;
      return mx.sum(mx.square(mx.add(mx.matmul(x, w, o), b, o), o), o);
    };
    const step = mx.valueAndGrad(loss);
    // active memory counts arrays the garbage collector has not finalized yet, so it
    // wanders; a leak grows it with the step count: the late maximum stays within 2x the early one
    const active: number[] = [];
    let first = 0, last = 0;
    for (let i = 0; i < steps; i++) {
      const [l, g] = step(params);
      params = opt.applyGradients(g, params) as typeof params;
      await mx.eval(params, opt.state, l);
      if (i === 0) first = await l.toNumber();
      if (i === steps - 1) last = await l.toNumber();
      active.push(mx.getActiveMemory());
    }
    const early = Math.max(...active.slice(10, 60)), late = Math.max(...active.slice(-100));
    expect(late, `active memory: ${early} bytes at most in steps 10-59, ${late} in the last 100`).toBeLessThanOrEqual(2 * early);
    expect(last).toBeLessThan(first / 10);
  }, 120_000);
});
