// What each rank of test/nn-distributed.test.ts runs (under `mlx-ts launch`):
// the sharded layers against the unsharded ones they came from (outputs and
// gradients, as MLX's test_shard_linear), the shards shardInplace leaves,
// averageGradients (its results and the allSum nodes it builds),
// clipGradNormSharded, a data-parallel SGD run and FSDP (fullyShard) against
// data parallelism. It prints one JSON line the test checks.

import * as mx from "../../index.js";
import { BATCH, IN, OUT, Q_IN, SEED, STEPS, LR, batchOf, buildMlp, fineValue, gradientTree, mseLoss, part } from "./nn-distributed-cases.js";

const { nn } = mx;
const world = mx.distributed.init({ strict: true });
const rank = world.rank(), size = world.size();
const out: Record<string, unknown> = { rank, size };

/** The largest |a - b|. */
const maxDiff = async (a: mx.MxArray, b: mx.MxArray) => (await mx.max(mx.abs(mx.subtract(a, b))).item()) as number;
/** Rank `rank`'s slice of `x` along `axis`. */
const slice = (x: mx.MxArray, axis: number) => {
  const [lo, hi] = part(x.shape[axis]!, rank, size);
  return mx.take(x, mx.arange(lo, hi), axis);
};
const hex = async (a: mx.MxArray) => Buffer.from((await a.data()).buffer).toString("hex");
const flat = (tree: unknown) => mx.utils.treeFlatten(tree) as [string, mx.MxArray][];
/** Every result heldAfterEval measured, kept so the collector frees none while a later one is measured. */
const measuredResults: unknown[] = [];
/** The bytes the arrays `build` makes hold once evaluated (and kept), the cache cleared first (a cached block up to twice the size may serve a request). */
const heldAfterEval = async (build: () => unknown) => {
  mx.clearCache();
  const before = mx.getActiveMemory();
  const result = build();
  measuredResults.push(result);
  await mx.eval(result);
  return mx.getActiveMemory() - before;
};

// ---- the sharded layers against the layer they came from ----
{
  mx.random.seed(SEED);
  const linear = new nn.Linear(IN, OUT);
  const x = mx.random.normal([4, IN]);
  const y = linear.forward(x);
  const toSharded = nn.shardLinear(linear, "all-to-sharded") as mx.nn.AllToShardedLinear;
  const toAll = nn.shardLinear(linear, "sharded-to-all") as mx.nn.ShardedToAllLinear;
  const qkv = nn.AllToShardedLinear.fromLinear(linear, { segments: 3 });
  const qkvWant = mx.concatenate(mx.split(y, 3, 1).map((s) => slice(s, 1)), 1);
  out.forward = {
    allToSharded: await maxDiff(toSharded.forward(x), slice(y, 1)),
    shardedToAll: await maxDiff(toAll.forward(slice(x, 1)), y),
    fusedSegments: await maxDiff(qkv.forward(x), qkvWant),
  };
  out.shards = {
    allToSharded: { weight: await toSharded.weight.tolist(), bias: await toSharded.bias!.tolist() },
    shardedToAll: { weight: await toAll.weight.tolist(), bias: await toAll.bias!.tolist() },
    qkv: { weight: await qkv.weight.tolist(), bias: await qkv.bias!.tolist() },
  };
  out.repr = [String(toSharded), String(toAll)];

  // quantized: affine 8 bits and mxfp8
  mx.random.seed(SEED);
  const wide = new nn.Linear(Q_IN, OUT);
  const xq = mx.random.normal([4, Q_IN]);
  const quantized: Record<string, unknown> = {};
  for (const [name, q] of [["affine", wide.toQuantized({ groupSize: 32, bits: 8 })], ["mxfp8", wide.toQuantized({ mode: "mxfp8" })]] as const) {
    const yq = q.forward(xq);
    const qa = nn.shardLinear(q, "all-to-sharded") as mx.nn.QuantizedAllToShardedLinear;
    const qb = nn.shardLinear(q, "sharded-to-all") as mx.nn.QuantizedShardedToAllLinear;
    // the input's gradient through each (the weights are frozen)
    const cot = mx.random.normal(yq.shape);
    const gradOf = (f: (v: mx.MxArray) => mx.MxArray, v: mx.MxArray) => mx.grad((u: mx.MxArray) => mx.sum(mx.multiply(f(u), cot)))(v);
    const gRef = gradOf((v) => q.forward(v), xq);
    const gA = mx.grad((u: mx.MxArray) => mx.sum(mx.multiply(qa.forward(u), slice(cot, 1))))(xq);
    const gB = gradOf((v) => qb.forward(v), slice(xq, 1));
    quantized[name] = {
      allToSharded: await maxDiff(qa.forward(xq), slice(yq, 1)),
      shardedToAll: await maxDiff(qb.forward(slice(xq, 1)), yq),
      gradAllToSharded: await maxDiff(gA, gRef),
      gradShardedToAll: await maxDiff(gB, slice(gRef, 1)),
      modes: [qa.mode, qb.mode, "biases" in qa, "biases" in qb],
      trainable: [flat(qa.trainableParameters()).length, flat(qb.unfreeze().trainableParameters()).length],
    };
  }
  out.quantized = quantized;
}

// ---- gradients through a chain of sharded layers (MLX's test_shard_linear backward) ----
{
  mx.random.seed(SEED);
  const dims = 2 * IN;
  const model = new nn.Sequential(new nn.Linear(dims, dims), new nn.Linear(dims, dims), new nn.Linear(dims, dims), new nn.Linear(dims, dims));
  const layers = model.layers as mx.nn.Linear[];
  const sharded = new nn.Sequential(
    nn.shardLinear(layers[0]!, "all-to-sharded") as mx.nn.AllToShardedLinear,
    nn.shardLinear(layers[1]!, "sharded-to-all") as mx.nn.ShardedToAllLinear,
    nn.shardLinear(layers[2]!, "all-to-sharded") as mx.nn.AllToShardedLinear,
    nn.shardLinear(layers[3]!, "sharded-to-all") as mx.nn.ShardedToAllLinear,
  );
  const x = mx.random.normal([4, dims]);
  const y = mx.random.normal([4, dims]);
  const loss = (m: mx.nn.Sequential) => (v: mx.MxArray) => mx.sum(mx.multiply(m.forward(v), y));
  const [l1, g1] = nn.valueAndGrad(model, loss(model))(x);
  const [l2, g2] = nn.valueAndGrad(sharded, loss(sharded))(x);
  const full = new Map(flat(g1));
  const diffs: Record<string, number> = { loss: await maxDiff(l1, l2) };
  for (const [k, g] of flat(g2)) {
    const i = Number(k.split(".")[1]);
    const want = full.get(k)!;
    // all-to-sharded layers (0, 2) hold rows of weight and bias; sharded-to-all (1, 3) columns of weight, all of bias
    diffs[k] = await maxDiff(g, i % 2 === 0 ? slice(want, 0) : k.endsWith("weight") ? slice(want, 1) : want);
  }
  diffs.input = await maxDiff(mx.grad(loss(sharded))(x), mx.grad(loss(model))(x));
  out.backward = diffs;
}

// ---- shardInplace: segments, fractions, split indices, a predicate ----
{
  const shardedParams = async (m: mx.nn.Module) => Object.fromEntries(await Promise.all(flat(m.parameters()).map(async ([k, v]) => [k, await v.tolist()] as const)));
  mx.random.seed(SEED);
  const segments = new nn.Linear(4, 36);
  nn.shardInplace(segments, "all-to-sharded", { segments: 3 });
  mx.random.seed(SEED + 1);
  const fractions = new nn.Linear(36, 4);
  nn.shardInplace(fractions, "sharded-to-all", { segments: [1 / 3, 0.5], group: world });
  mx.random.seed(SEED + 2);
  const predicate = new nn.Sequential(new nn.Linear(24, 6), new nn.Linear(6, 6));
  nn.shardInplace(predicate, (path) => (path === "layers.0.weight" ? [1, [12]] : path === "layers.1.bias" ? 0 : null));
  out.inplace = { segments: await shardedParams(segments), fractions: await shardedParams(fractions), predicate: await shardedParams(predicate) };
}

// ---- what a sharded-to-all layer's output holds once evaluated: its bytes, not also the allSum's before the bias ----
{
  const layer = new nn.ShardedToAllLinear(96, 1024, true, world);
  const x = mx.random.normal([64, 96 / size]);
  await mx.eval(layer.parameters(), x);
  out.shardedToAllHolds = (await heldAfterEval(() => layer.forward(x))) / (64 * 1024 * 4);
}

// ---- averageGradients ----
{
  /** The allSum nodes behind `tree`'s arrays (before evaluation): their count and input dtypes. */
  const allSums = (tree: unknown) => {
    const seen = new Set<mx.MxArray>(), dtypes: string[] = [];
    const stack = flat(tree).map(([, a]) => a);
    while (stack.length) {
      const a = stack.pop()!;
      if (seen.has(a)) continue;
      seen.add(a);
      if (a.primitive?.name === "distributed.allSum") dtypes.push(a.inputs[0]!.dtype.name);
      stack.push(...a.inputs);
    }
    return dtypes;
  };
  const report = async (tree: unknown) => {
    const dtypes = allSums(tree);
    const leaves = flat(tree);
    return { calls: dtypes.length, dtypes: [...new Set(dtypes)], keys: leaves.map(([k]) => k), values: await Promise.all(leaves.map(([, a]) => a.tolist())), outDtypes: leaves.map(([, a]) => a.dtype.name) };
  };
  // the memory a batched and a per-array averaging hold once evaluated (results kept): their results' bytes,
  // not also the allSum's (a communication's result, which eval cannot recompute, stays until freed)
  {
    const big = Array.from({ length: 3 }, () => mx.random.normal([1 << 16]));
    await mx.eval(big);
    out.averageHolds = [];
    for (const allReduceSize of [undefined, 0]) {
      (out.averageHolds as number[]).push((await heldAfterEval(() => nn.averageGradients(big, { allReduceSize }))) / (3 * 4 * (1 << 16)));
    }
  }
  const grads = gradientTree(rank);
  // MLX's test_average_gradients: ten ones(10), batched into one allSum, two of 200 bytes, or ten
  const ones = Array.from({ length: 10 }, () => mx.ones([10]));
  const batchings = [nn.averageGradients(ones), nn.averageGradients(ones, { allReduceSize: 4 * 50 }), nn.averageGradients(ones, { allReduceSize: 0 })];
  const calls = batchings.map(allSums);
  await mx.eval(batchings);
  out.mlxCalls = { calls: calls.map((c) => c.length), allOnes: await Promise.all(batchings.map(async (t) => (await mx.all(mx.equal(mx.stack(t), 1)).item()) as boolean)) };
  const mixed = { ...gradientTree(rank), h: mx.array([rank, 2 * rank], mx.float16) };
  const fine = { c: mx.full([3], fineValue(rank), mx.float32), d: mx.full([2, 2], fineValue(rank), mx.float32) };
  out.average = {
    batched: await report(nn.averageGradients(grads)),
    small: await report(nn.averageGradients(grads, world, 4 * 12)),
    exact: await report(nn.averageGradients(grads, world, 4 * 10)),
    perArray: await report(nn.averageGradients(grads, { allReduceSize: 0 })),
    mixed: await report(nn.averageGradients(mixed)),
    // the 4th argument is MLX's communication_stream
    fine: await report(nn.averageGradients(fine, world, 0, mx.cpu)),
  };
}

// ---- clipGradNormSharded (MLX's test: shards of 3s) ----
{
  const shard = { a: mx.full([4, 3], 3, mx.float32), b: mx.full([5], 3, mx.float32) };
  const [kept, norm] = nn.clipGradNormSharded(shard, 1e9, world);
  const [clipped, same] = nn.clipGradNormSharded(shard, 1, { group: world });
  out.clip = { norm: await norm.item(), kept: await kept.a.tolist(), clipped: [await clipped.a.tolist(), await clipped.b.tolist()], same: await same.item() };
}

// ---- a data-parallel SGD run: every rank's parameters stay identical ----
{
  const model = buildMlp();
  const opt = new mx.optimizers.SGD(LR);
  const { x, y } = batchOf(rank);
  const xs = mx.array(x, mx.float32), ys = mx.array(y, mx.float32);
  const step = nn.valueAndGrad(model, (a: mx.MxArray, b: mx.MxArray) => mseLoss(model, a, b));
  for (let i = 0; i < STEPS; i++) {
    const [, grads] = step(xs, ys);
    opt.update(model, nn.averageGradients(grads));
    await mx.eval(model.parameters());
  }
  const params = flat(model.parameters());
  out.train = { hex: await Promise.all(params.map(([, a]) => hex(a))), values: await Promise.all(params.map(([, a]) => a.tolist())), keys: params.map(([k]) => k), batch: BATCH };
}

// ---- FSDP against data parallelism (MLX's test_fully_shard_grads) ----
{
  /** The dtype of l1's weight during each call: what the module computes in. */
  const computedIn: string[] = [];
  class Mlp extends nn.Module {
    l1: mx.nn.Linear;
    l2: mx.nn.Linear;
    constructor(d: number) {
      super();
      this.l1 = new nn.Linear(d, d);
      this.l2 = new nn.Linear(d, d);
    }
    forward(x: mx.MxArray): mx.MxArray {
      computedIn.push(this.l1.weight.dtype.name);
      return this.l2.forward(nn.relu(this.l1.forward(x)));
    }
  }
  const dims = 4 * size;
  const x32 = mx.add(mx.reshape(mx.sin(mx.arange(4 * dims, mx.float32)), [4, dims]), rank);
  const y = mx.cos(mx.add(mx.reshape(mx.arange(4 * dims, mx.float32), [4, dims]), 3 * rank));
  const fsdp: Record<string, unknown> = {};
  for (const dtype of [undefined, mx.bfloat16]) {
    const x = dtype ? mx.astype(x32, dtype) : x32;
    const loss = (m: { forward(v: mx.MxArray): mx.MxArray }) => () => mx.mean(mx.square(mx.subtract(mx.astype(m.forward(x), mx.float32), y)));
    mx.random.seed(SEED);
    const ddp = new Mlp(dims);
    const params = ddp.trainableParameters();
    if (dtype) ddp.update(mx.utils.treeMap((p: mx.MxArray) => mx.astype(p, dtype), params));
    const [l1, g1] = nn.valueAndGrad(ddp, loss(ddp))();
    const averaged = nn.averageGradients(g1);
    const meanLoss = mx.divide(mx.distributed.allSum(l1), size);
    const plain = new Mlp(dims);
    plain.update(params);
    const sharded = nn.fullyShard(plain, { computeDtype: dtype }) as mx.nn.FullyShardedModule<Mlp>;
    computedIn.length = 0;
    const [l2, g2] = nn.valueAndGrad(sharded, loss(sharded))();
    const ref = new Map(flat(averaged));
    const diffs: Record<string, number> = { loss: await maxDiff(meanLoss, mx.divide(mx.distributed.allSum(l2), size)) };
    const shapes: Record<string, (number | string)[]> = {};
    for (const [k, g] of flat(g2)) {
      const key = k.replace(/^module\./, "");
      diffs[key] = await maxDiff(mx.astype(g, mx.float32), mx.astype(slice(ref.get(key)!, 0), mx.float32));
      shapes[k] = [...g.shape, g.dtype.name];
    }
    // the global norm of the shards is the norm of the averaged gradients
    const [, norm] = nn.clipGradNormSharded(g2, 1);
    const [, fullNorm] = mx.optimizers.clipGradNorm(averaged, 1);
    diffs.norm = await maxDiff(mx.astype(norm, mx.float32), mx.astype(fullNorm, mx.float32));
    fsdp[dtype ? dtype.name : "float32"] = { diffs, shapes, computedIn: [...computedIn], repr: String(sharded).split("\n")[0] };
  }
  out.fsdp = fsdp;
}

console.log(JSON.stringify(out));
