// mx.nn's distributed surface (MLX's mlx.nn.layers.distributed and
// average_gradients / clip_grad_norm_sharded): on the singleton group in this
// process each sharded layer is the plain layer and averageGradients the
// identity; then groups of 2 and 3 processes started by `mlx-ts launch`, each
// running test/helpers/nn-distributed-rank.ts, checked against values
// recomputed here: the shards each rank keeps, outputs and gradients of the
// sharded layers, averageGradients' means and batching, a data-parallel SGD
// run and FSDP.

import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BATCH, IN, LR, OUT, Q_IN, SEED, STEPS, batchOf, buildMlp, fineValue, mseLoss, part, rankGradients } from "./helpers/nn-distributed-cases.js";
import { errorOf, withoutRingEnvironment } from "./helpers/singleton-group.js";

const { nn } = mx;
const f32 = (v: mx.NestedList) => mx.array(v, mx.float32);
const maxDiff = async (a: mx.MxArray, b: mx.MxArray) => (await mx.max(mx.abs(mx.subtract(a, b))).item()) as number;
const error = errorOf;

// ---- the singleton group ----

describe("nn's distributed layers and helpers on the singleton group", () => {
  withoutRingEnvironment();

  it("each sharded layer is the Linear it came from: same weights, outputs and gradients", async () => {
    mx.random.seed(SEED);
    const linear = new nn.Linear(IN, OUT);
    const x = mx.random.normal([3, IN]);
    const y = linear.forward(x);
    const loss = (f: (v: mx.MxArray) => mx.MxArray) => (v: mx.MxArray) => mx.sum(mx.square(f(v)));
    const gx = mx.grad(loss((v) => linear.forward(v)))(x);
    for (const layer of [nn.shardLinear(linear, "all-to-sharded"), nn.shardLinear(linear, "sharded-to-all"), nn.AllToShardedLinear.fromLinear(linear, { segments: 3 }), nn.ShardedToAllLinear.fromLinear(linear, { segments: [0.25, 0.5] })]) {
      const l = layer as mx.nn.AllToShardedLinear;
      expect(await mx.arrayEqual(l.weight, linear.weight).item(), layer.constructor.name).toBe(true);
      expect(await mx.arrayEqual(l.bias!, linear.bias!).item()).toBe(true);
      expect(await maxDiff(l.forward(x), y)).toBeLessThan(1e-6);
      expect(await maxDiff(mx.grad(loss((v) => l.forward(v)))(x), gx)).toBeLessThan(1e-5);
      const [, g] = nn.valueAndGrad(l, (v: mx.MxArray) => loss((u) => l.forward(u))(v))(x);
      const [, want] = nn.valueAndGrad(linear, (v: mx.MxArray) => loss((u) => linear.forward(u))(v))(x);
      expect(await maxDiff(g.weight as mx.MxArray, want.weight as mx.MxArray)).toBeLessThan(1e-5);
    }
    // built directly: MLX's sizes and initialisation range
    const fresh = new nn.AllToShardedLinear(IN, OUT, false);
    expect([fresh.weight.shape, "bias" in fresh, String(fresh)]).toEqual([[OUT, IN], false, `AllToShardedLinear(inputDims=${IN}, outputDims=${OUT}, bias=false)`]);
    expect(await mx.all(mx.lessEqual(mx.abs(fresh.weight), Math.sqrt(1 / IN))).item()).toBe(true);
    expect(String(new nn.ShardedToAllLinear(IN, OUT, { group: mx.distributed.init() }))).toBe(`ShardedToAllLinear(inputDims=${IN}, outputDims=${OUT}, bias=true)`);
  });

  it("the quantized sharded layers are the QuantizedLinear they came from, in its bits and mode, frozen", async () => {
    mx.random.seed(SEED);
    const linear = new nn.Linear(Q_IN, OUT);
    const x = mx.random.normal([3, Q_IN]);
    for (const o of [{ bits: 4 }, { bits: 8, groupSize: 32 }, { bits: 3, groupSize: 64 }, { bits: 6, groupSize: 32 }, { mode: "mxfp8" as const }, { mode: "mxfp4" as const }]) {
      const q = linear.toQuantized(o);
      const y = q.forward(x);
      for (const sharded of [nn.shardLinear(q, "all-to-sharded"), nn.shardLinear(q, "sharded-to-all")] as (mx.nn.QuantizedAllToShardedLinear | mx.nn.QuantizedShardedToAllLinear)[]) {
        const name = `${sharded.constructor.name} ${JSON.stringify(o)}`;
        expect([sharded.bits, sharded.groupSize, sharded.mode], name).toEqual([q.bits, q.groupSize, q.mode]);
        for (const key of ["weight", "scales", "biases", "bias"] as const) {
          const got = sharded[key], want = q[key];
          expect(got === undefined ? undefined : await mx.arrayEqual(got, want!).item(), `${name} ${key}`).toBe(want === undefined ? undefined : true);
        }
        expect(await maxDiff(sharded.forward(x), y), name).toBeLessThan(1e-5);
        expect(mx.utils.treeFlatten(sharded.unfreeze().trainableParameters()), name).toEqual([]);
      }
    }
    const q = new nn.QuantizedShardedToAllLinear(Q_IN, OUT, true, { bits: 8 });
    expect(String(q)).toBe(`QuantizedShardedToAllLinear(inputDims=${Q_IN}, outputDims=${OUT}, bias=true, groupSize=64, bits=8, mode=affine)`);
    expect(String(new nn.QuantizedAllToShardedLinear(64, 4, { bias: false, mode: "nvfp4" }))).toBe("QuantizedAllToShardedLinear(inputDims=64, outputDims=4, bias=false, groupSize=16, bits=4, mode=nvfp4)");
  });

  it("shardInplace and FullyShardedModule keep the module's values; fullyShard gives the module back", async () => {
    mx.random.seed(SEED);
    const model = new nn.Sequential(new nn.Linear(4, 6), new nn.ReLU(), new nn.Linear(6, 3));
    const before = mx.utils.treeFlatten(model.parameters()) as [string, mx.MxArray][];
    nn.shardInplace(model, "all-to-sharded", { segments: 3 });
    nn.shardInplace(model, (path) => (path.endsWith("weight") ? [1, [0.5]] : 0));
    const after = new Map(mx.utils.treeFlatten(model.parameters()) as [string, mx.MxArray][]);
    for (const [k, v] of before) expect(await mx.arrayEqual(after.get(k)!, v).item(), k).toBe(true);

    expect(nn.fullyShard(model)).toBe(model);
    const x = mx.reshape(mx.sin(mx.arange(8, mx.float32)), [2, 4]);
    const loss = (m: { forward(v: mx.MxArray): mx.MxArray }) => (v: mx.MxArray) => mx.sum(mx.square(m.forward(v)));
    const [l1, g1] = nn.valueAndGrad(model, loss(model))(x);
    const wrapped = new nn.FullyShardedModule(model, { computeDtype: mx.float32 });
    expect(String(wrapped).split("\n")[0]).toBe("FullyShardedModule(numShardedParams=4");
    const [l2, g2] = nn.valueAndGrad(wrapped, loss(wrapped))(x);
    expect(await maxDiff(l1, l2)).toBe(0);
    const flat = mx.utils.treeFlatten(g2) as [string, mx.MxArray][];
    expect(flat.map(([k]) => k)).toEqual(["module.layers.0.weight", "module.layers.0.bias", "module.layers.2.weight", "module.layers.2.bias"]);
    const want = new Map(mx.utils.treeFlatten(g1) as [string, mx.MxArray][]);
    for (const [k, g] of flat) expect(await maxDiff(g, want.get(k.slice("module.".length))!), k).toBe(0);
    expect(nn.fullyShard(wrapped)).toBe(wrapped);

    // on one process the gradients' sumScatter is its input: with one parameter of one row, the caller's cotangent, which stays theirs
    const row = new (class extends nn.Module {
      weight = mx.zeros([1, 4], mx.float32);
      forward() {
        return this.weight;
      }
    })();
    const one = new nn.FullyShardedModule(row);
    const cotangent = mx.full([1, 4], 3, mx.float32);
    const [, [g]] = mx.vjp((w: mx.MxArray) => (one.module.update({ weight: w }), one.forward()), [row.weight], [cotangent]);
    expect(await g!.tolist()).toEqual([[3, 3, 3, 3]]);
    expect(await cotangent.tolist()).toEqual([[3, 3, 3, 3]]);
  });

  it("averageGradients is the identity; clipGradNormSharded is optimizers.clipGradNorm", async () => {
    const grads = { w: f32([1, 2]), b: [f32([[3]]), mx.array([4], mx.float16)] };
    expect(nn.averageGradients(grads)).toBe(grads);
    expect(nn.averageGradients(grads, mx.distributed.init(), 0, mx.cpu)).toBe(grads);
    expect(nn.averageGradients(grads, { allReduceSize: 8, communicationStream: mx.cpu })).toBe(grads);
    // under MLX's module path too (mlx.nn.utils, as MLX's examples call it)
    expect([nn.utils.averageGradients, nn.utils.clipGradNormSharded, nn.utils.valueAndGrad, nn.utils.checkpoint]).toEqual([nn.averageGradients, nn.clipGradNormSharded, nn.valueAndGrad, nn.checkpoint]);
    const [clipped, norm] = nn.clipGradNormSharded(grads, 2);
    const [want, wantNorm] = mx.optimizers.clipGradNorm(grads, 2);
    expect(await norm.item()).toBe(await wantNorm.item());
    expect(await clipped.w.tolist()).toEqual(await want.w.tolist());
    expect(await nn.clipGradNormSharded({}, 1)[1].item()).toBe(0);
  });

  it("refuses bad arguments, naming the function and the argument", () => {
    const linear = new nn.Linear(8, 6);
    const cases: [() => unknown, string][] = [
      [() => nn.shardLinear(linear, "row" as never), '[nn.shardLinear] sharding must be "all-to-sharded" or "sharded-to-all", got the string \'row\''],
      [() => nn.shardLinear(new nn.ReLU(), "all-to-sharded"), "[nn.shardLinear] module must be an nn.Module with a 2-D weight, got ReLU()"],
      [() => nn.shardLinear(linear, "all-to-sharded", { segments: 0 }), "[nn.shardLinear] segments must be a count >= 1, or a non-empty list of integer split indices or of fractions in [0, 1], got 0"],
      [() => nn.shardLinear(linear, "all-to-sharded", { segments: 4 }), "[nn.shardLinear] cannot split axis 0 of size 6 into 4 equal sections (inputs: float32(6, 8))"],
      [() => nn.shardLinear(linear, "all-to-sharded", { group: {} as never }), "[nn.shardLinear] group must be an mx.distributed.Group (from mx.distributed.init), got an object (Object)"],
      [() => nn.shardInplace(linear, () => "x" as never), "[nn.shardInplace] the sharding function must return an axis, [axis, segments] or null, got the string 'x' for 'weight'"],
      [() => nn.shardInplace(linear, () => 2), "[nn.shardInplace] the sharding function returned axis 2 for 'weight' of shape (6, 8) (inputs: float32(6, 8))"],
      [() => nn.AllToShardedLinear.fromLinear({} as never), "[nn.AllToShardedLinear.fromLinear] linear must be an nn.Module with a 2-D weight, got an object (Object)"],
      [() => new nn.AllToShardedLinear(4, 2, { bias: 1 as never }), "[nn.AllToShardedLinear] bias must be a boolean, got 1"],
      [() => new nn.QuantizedShardedToAllLinear(48, 2), "[nn.QuantizedShardedToAllLinear] each process's input dimension (48) must be a multiple of groupSize (64)"],
      [() => new nn.FullyShardedModule(new nn.Linear(2, 2), { computeDtype: "float16" as never }), "[nn.FullyShardedModule] computeDtype must be an mx dtype (e.g. mx.bfloat16), got the string 'float16'"],
      [() => nn.averageGradients({ w: [1, 2] }), "[nn.averageGradients] gradients 'w.0' must be an mx array, got 1"],
      [() => nn.averageGradients({}, { allReduceSize: 1.5 }), "[nn.averageGradients] allReduceSize must be an integer, got 1.5"],
      [() => nn.averageGradients({}, undefined, undefined, "float16" as never), "[nn.averageGradients] stream must be a Device or a Stream (mx.cpu, mx.gpu, mx.webgpu, mx.metal, or mx.newStream(device)), got the string 'float16'"],
      [() => nn.clipGradNormSharded({}, -1), "[nn.clipGradNormSharded] maxNorm must be a finite number >= 0, got -1"],
    ];
    expect(cases.map(([f]) => error(f))).toEqual(cases.map(([, m]) => m));
  });
});

// ---- groups of processes, started by mlx-ts launch ----

const SCRIPT = "test/helpers/nn-distributed-rank.ts";

/** Runs the rank script in `n` processes (`mlx-ts launch -n`, cpu only); each rank's JSON line, by rank, after checking that all succeeded. */
function launch(n: number): Promise<Record<string, unknown>[]> {
  const child = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", "launch", "-n", String(n), SCRIPT], { env: { ...process.env, MLX_TS_WEBGPU: "0" }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "", stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c));
  child.stderr.on("data", (c: Buffer) => (stderr += c));
  return new Promise((resolve, reject) =>
    child.on("close", (status) => {
      const ranks: Record<string, unknown>[] = [];
      for (const line of stdout.split("\n")) {
        const m = /^(\d+): (\{.*\})$/.exec(line);
        if (m) ranks[Number(m[1])] = JSON.parse(m[2]!) as Record<string, unknown>;
      }
      if (status !== 0 || ranks.length !== n || ranks.some((r, i) => r?.rank !== i || r.size !== n)) reject(new Error(`launch -n ${n} failed (status ${status}):\n${stderr}\n${stdout.slice(0, 2000)}`));
      else resolve(ranks);
    }),
  );
}

// both launches start now and run while the tests above do
const runs = { two: launch(2), three: launch(3) };
// (a failed launch is reported by the tests that await it)
void runs.two.catch(() => {});
void runs.three.catch(() => {});

type Nested = number | Nested[];
/** The entries [lo, hi) of axis `axis` (0 or 1) of a nested list. */
const take = (m: Nested[], axis: number, lo: number, hi: number): Nested[] => (axis === 0 || !Array.isArray(m[0]) ? m.slice(lo, hi) : (m as Nested[][]).map((row) => row.slice(lo, hi)));
/** Concatenation of nested lists along axis 0 or 1. */
const join = (parts: Nested[][], axis: number): Nested[] => (axis === 0 || !Array.isArray(parts[0]![0]) ? parts.flat(1) : parts[0]!.map((_, i) => parts.flatMap((p) => p[i] as Nested[])));
/** Rank r's shard (of n) of `full` along `axis`: each segment (between `cuts`) cut into n equal parts, the r-th ones joined. */
function shardOf(full: Nested[], axis: number, cuts: number[], r: number, n: number): Nested[] {
  const size = axis === 0 || !Array.isArray(full[0]) ? full.length : (full[0] as Nested[]).length;
  const bounds = [0, ...cuts, size];
  return join(bounds.slice(0, -1).map((lo, i) => {
    const [a, b] = part(bounds[i + 1]! - lo, r, n);
    return take(full, axis, lo + a, lo + b);
  }), axis);
}
/** The parameters of `module`, as nested lists by dotted key. */
async function listsOf(module: mx.nn.Module): Promise<Record<string, Nested[]>> {
  const out: Record<string, Nested[]> = {};
  for (const [k, v] of mx.utils.treeFlatten(module.parameters())) out[k] = (await (v as mx.MxArray).tolist()) as Nested[];
  return out;
}

describe.each([
  ["2 processes", 2, () => runs.two],
  ["3 processes", 3, () => runs.three],
] as const)("nn's distributed layers and helpers over the ring backend: %s", (_name, n, launched) => {
  it("shardLinear gives each rank its slice: rows (all-to-sharded, each of 3 segments), columns (sharded-to-all), the bias whole", async () => {
    const ranks = await launched();
    mx.random.seed(SEED);
    const full = await listsOf(new nn.Linear(IN, OUT));
    const segment = OUT / 3;
    for (const [r, out] of ranks.entries()) {
      const shards = out.shards as Record<string, { weight: Nested[]; bias: Nested[] }>;
      expect(shards.allToSharded, `rank ${r}`).toEqual({ weight: shardOf(full.weight!, 0, [], r, n), bias: shardOf(full.bias!, 0, [], r, n) });
      expect(shards.shardedToAll, `rank ${r}`).toEqual({ weight: shardOf(full.weight!, 1, [], r, n), bias: full.bias });
      expect(shards.qkv, `rank ${r}`).toEqual({ weight: shardOf(full.weight!, 0, [segment, 2 * segment], r, n), bias: shardOf(full.bias!, 0, [segment, 2 * segment], r, n) });
      expect(out.repr).toEqual([`AllToShardedLinear(inputDims=${IN}, outputDims=${OUT}, bias=true)`, `ShardedToAllLinear(inputDims=${IN}, outputDims=${OUT}, bias=true)`]);
    }
  });

  it("the sharded layers' outputs, and gradients through a chain of them, are the unsharded layers' on every rank; an output holds its own bytes", async () => {
    const ranks = await launched();
    for (const out of ranks) {
      // float32 sums of one dot product split over the ranks: within a few ulps
      for (const [k, d] of Object.entries(out.forward as Record<string, number>)) expect(d, `forward ${k}`).toBeLessThan(1e-6);
      for (const [k, d] of Object.entries(out.backward as Record<string, number>)) expect(d, `backward ${k}`).toBeLessThan(1e-5);
      expect(Object.keys(out.backward as object)).toEqual(["loss", ...[0, 1, 2, 3].flatMap((i) => [`layers.${i}.weight`, `layers.${i}.bias`]), "input"]);
      for (const [mode, q] of Object.entries(out.quantized as Record<string, Record<string, unknown>>)) {
        for (const k of ["allToSharded", "shardedToAll", "gradAllToSharded", "gradShardedToAll"]) expect(q[k], `${mode} ${k}`).toBeLessThan(1e-5);
        expect(q.modes).toEqual([mode, mode, mode === "affine", mode === "affine"]);
        expect(q.trainable).toEqual([0, 0]);
      }
      // the output holds its own bytes, not also the allSum's before the bias (at most: the collector may free others meanwhile)
      expect(out.shardedToAllHolds).toBeLessThan(1.01);
    }
  });

  it("shardInplace shards every parameter the sharding names: segments, fractions, split indices, a predicate", async () => {
    const ranks = await launched();
    mx.random.seed(SEED);
    const segments = await listsOf(new nn.Linear(4, 36));
    mx.random.seed(SEED + 1);
    const fractions = await listsOf(new nn.Linear(36, 4));
    mx.random.seed(SEED + 2);
    const predicate = await listsOf(new nn.Sequential(new nn.Linear(24, 6), new nn.Linear(6, 6)));
    for (const [r, out] of ranks.entries()) {
      expect(out.inplace, `rank ${r}`).toEqual({
        segments: { weight: shardOf(segments.weight!, 0, [12, 24], r, n), bias: shardOf(segments.bias!, 0, [12, 24], r, n) },
        fractions: { weight: shardOf(fractions.weight!, 1, [12, 18], r, n), bias: fractions.bias },
        predicate: {
          "layers.0.weight": shardOf(predicate["layers.0.weight"]!, 1, [12], r, n),
          "layers.0.bias": predicate["layers.0.bias"],
          "layers.1.weight": predicate["layers.1.weight"],
          "layers.1.bias": shardOf(predicate["layers.1.bias"]!, 0, [], r, n),
        },
      });
    }
  });

  it("averageGradients is the mean of the ranks' gradients, one allSum per batch of allReduceSize bytes, cast for the communication", async () => {
    const ranks = await launched();
    const inputs = ranks.map((_r, k) => rankGradients(k));
    const mean = (pick: (g: ReturnType<typeof rankGradients>) => number[]) => pick(inputs[0]!).map((_, i) => Math.fround(inputs.reduce((s, g) => s + pick(g)[i]!, 0) / n));
    const rows = (v: number[], w: number) => Array.from({ length: v.length / w }, (_, i) => v.slice(i * w, (i + 1) * w));
    const values = [mean((g) => g.a), rows(mean((g) => g.b0), 4), mean((g) => g.b1)];
    const exactMean = Math.fround(ranks.reduce((s, _r, k) => s + Math.fround(fineValue(k)), 0) / n);
    const fineTree = (v: number) => [[v, v, v], [[v, v], [v, v]]];
    for (const out of ranks) {
      const avg = out.average as Record<string, { calls: number; dtypes: string[]; keys: string[]; values: unknown[]; outDtypes: string[] }>;
      const summary = Object.fromEntries(Object.entries(avg).map(([k, v]) => [k, [v.calls, v.dtypes, v.outDtypes]]));
      expect(summary).toEqual({
        batched: [1, ["float32"], ["float32", "float32", "float32"]],
        // 48 bytes: a (40) and b.0 (48) close the first batch at 88, b.1 is the second
        small: [2, ["float32"], ["float32", "float32", "float32"]],
        // 40 bytes: a alone reaches it and closes its batch
        exact: [3, ["float32"], ["float32", "float32", "float32"]],
        perArray: [3, ["float32"], ["float32", "float32", "float32"]],
        // mixed dtypes: one allSum per array, each in its own dtype
        mixed: [4, ["float16", "float32"], ["float32", "float32", "float32", "float16"]],
        fine: [2, ["float32"], ["float32", "float32"]],
      });
      for (const k of ["batched", "small", "exact", "perArray"]) expect(avg[k]!.values, k).toEqual(values);
      expect(avg.batched!.keys).toEqual(["a", "b.0", "b.1"]);
      expect(avg.mixed!.values).toEqual([...values, [0, 1].map((i) => (i + 1) * ((n - 1) / 2))]);
      // communicated in the gradients' own dtype: the 2^-12 float16 would drop stays
      expect(avg.fine!.values).toEqual(fineTree(exactMean));
      expect(out.mlxCalls).toEqual({ calls: [1, 2, 10], allOnes: [true, true, true] });
      // batched and per array, the averaged arrays hold their own bytes, not also the sums'
      // (at most: the garbage collector may free earlier arrays meanwhile)
      for (const held of out.averageHolds as number[]) expect(held).toBeLessThan(1.01);
    }
  });

  it("clipGradNormSharded clips by the norm of all the ranks' shards together (MLX's test)", async () => {
    const ranks = await launched();
    const norm = Math.sqrt(n * 17) * 3;
    for (const out of ranks) {
      const clip = out.clip as { norm: number; kept: number[][]; clipped: [number[][], number[]]; same: number };
      expect(clip.norm).toBeCloseTo(norm, 4);
      expect(clip.same).toBe(clip.norm);
      expect(clip.kept).toEqual(Array.from({ length: 4 }, () => [3, 3, 3]));
      const scaled = 3 / (clip.norm + 1e-6);
      for (const v of [...clip.clipped[0].flat(), ...clip.clipped[1]]) expect(v).toBeCloseTo(scaled, 6);
    }
  });

  it("data-parallel SGD (averageGradients each step) keeps the ranks' parameters identical, and is SGD on the union of their batches", async () => {
    const ranks = await launched();
    const trained = ranks.map((r) => r.train as { hex: string[]; values: Nested[][]; keys: string[]; batch: number });
    for (const t of trained) expect(t.hex).toEqual(trained[0]!.hex);
    expect(trained[0]!.batch).toBe(BATCH);
    // the same MLP trained here, in one process, on every rank's rows (the mean loss over all of them)
    const model = buildMlp();
    const batches = ranks.map((_r, k) => batchOf(k));
    const x = f32(batches.flatMap((b) => b.x)), y = f32(batches.flatMap((b) => b.y));
    const opt = new mx.optimizers.SGD(LR);
    const step = nn.valueAndGrad(model, () => mseLoss(model, x, y));
    for (let i = 0; i < STEPS; i++) {
      opt.update(model, step()[1]);
      await mx.eval(model.parameters());
    }
    const want = mx.utils.treeFlatten(model.parameters()) as [string, mx.MxArray][];
    expect(trained[0]!.keys).toEqual(want.map(([k]) => k));
    const before = mx.utils.treeFlatten(buildMlp().parameters()) as [string, mx.MxArray][];
    for (const [i, [k, w]] of want.entries()) {
      const got = f32(trained[0]!.values[i]! as mx.NestedList);
      expect(await maxDiff(got, w), k).toBeLessThan(1e-5);
      // (and training moved it)
      expect(await maxDiff(got, before[i]![1]), k).toBeGreaterThan(1e-3);
    }
  });

  it("fullyShard keeps each rank's rows of every parameter; its gradients are data parallelism's averaged ones, sliced", async () => {
    const ranks = await launched();
    const dims = 4 * n;
    for (const out of ranks) {
      const fsdp = out.fsdp as Record<string, { diffs: Record<string, number>; shapes: Record<string, unknown[]>; computedIn: string[]; repr: string }>;
      expect(Object.keys(fsdp)).toEqual(["float32", "bfloat16"]);
      for (const [dtype, f] of Object.entries(fsdp)) {
        expect(f.repr).toBe("FullyShardedModule(numShardedParams=4");
        // one call, on the gathered parameters, in computeDtype
        expect(f.computedIn).toEqual([dtype]);
        // the shards and their gradients stay float32; computeDtype is the dtype of the gathered parameters only
        expect(f.shapes, dtype).toEqual({ "module.l1.weight": [4, dims, "float32"], "module.l1.bias": [4, "float32"], "module.l2.weight": [4, dims, "float32"], "module.l2.bias": [4, "float32"] });
        const tolerance = dtype === "float32" ? 1e-6 : 1e-2;
        for (const [k, d] of Object.entries(f.diffs)) expect(d, `${dtype} ${k}`).toBeLessThan(tolerance);
      }
    }
  });
});
