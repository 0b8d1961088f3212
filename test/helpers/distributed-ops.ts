// What each rank of the distributed tests runs (under `mlx-ts launch`, which
// sets MLX_RANK and MLX_HOSTFILE): every communication op over the dtypes,
// shapes and cases of distributed-cases.ts, the evaluation paths, the
// transforms, split, and the errors; it prints one JSON line that
// test/distributed.test.ts checks. The mode (argv[2]) picks the program:
// "ops" (all of that), "webgpu" (allSum of a webgpu array), "exit-early"
// (rank 1 exits right after init, the others sum), "hang" (rank 1 never sums),
// "backpressure" (sends to a rank that receives late, with a small
// MLX_TS_RING_BUFFER_MB), "peer-dies" (rank 1 is killed while rank 0 sends to it).

import * as mx from "../../index.js";
import type { TypedArray } from "../../src/storage.js";
import { caseApplies, DTYPES, FLOATS, inputElement, orderElement, REDUCE_SHAPES, sizeOf, VALUE_CASES, type DTypeName, type Element, type ValueCase } from "./distributed-cases.js";

const mode = process.argv[2];
const initStart = Date.now();
let world: mx.distributed.Group;
try {
  world = mx.distributed.init({ strict: true });
} catch (e) {
  // (a rank that cannot form the group says why, and how long it waited)
  console.log(JSON.stringify({ initError: (e as Error).message, seconds: (Date.now() - initStart) / 1000 }));
  process.exit(1);
}
const rank = world.rank(), size = world.size();
const out: Record<string, unknown> = { rank, size };

const hex = (w: TypedArray) => Buffer.from(w.buffer, w.byteOffset, w.byteLength).toString("hex");
const dtypeOf = (name: DTypeName) => mx[name] as mx.DType;
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** An array of `shape` and `dtype` whose element i is `element(i)`. */
function arrayOf(dtype: DTypeName, shape: readonly number[], element: (i: number) => Element): mx.MxArray {
  const values = Array.from({ length: sizeOf(shape) }, (_, i) => {
    const e = element(i);
    return Array.isArray(e) ? { re: e[0], im: e[1] } : e;
  });
  const flat = mx.array(values as never, dtypeOf(dtype));
  return mx.reshape(flat, [...shape]);
}

const input = (c: ValueCase, dtype: DTypeName, shape: readonly number[], r = rank) => arrayOf(dtype, shape, (i) => inputElement(c, dtype, r, i));

/** Evaluates every array of `named` in one eval and records each one's storage words (hex). */
async function record(named: [string, mx.MxArray][]): Promise<void> {
  await mx.eval(named.map(([, a]) => a));
  for (const [name, a] of named) out[name] = hex(await a.data());
}

async function ops(): Promise<void> {
  const reductions: [string, mx.MxArray][] = [];
  for (const c of VALUE_CASES) {
    for (const dtype of DTYPES) {
      if (!caseApplies(c, dtype)) continue;
      for (const shape of REDUCE_SHAPES) {
        const x = input(c, dtype, shape);
        const key = `${c}|${dtype}|${shape.join("x")}`;
        reductions.push([`allSum|${key}`, mx.distributed.allSum(x)], [`allMax|${key}`, mx.distributed.allMax(x)], [`allMin|${key}`, mx.distributed.allMin(x)]);
      }
    }
  }
  await record(reductions);

  const gathers: [string, mx.MxArray][] = [];
  for (const dtype of DTYPES) {
    for (const shape of [[], [2, 3]]) gathers.push([`allGather|${dtype}|${shape.join("x")}`, mx.distributed.allGather(input("small", dtype, shape))]);
    gathers.push([`sumScatter|${dtype}`, mx.distributed.sumScatter(input("small", dtype, [size * 2, 3]))]);
  }
  for (const dtype of FLOATS) gathers.push([`order|${dtype}`, mx.distributed.allSum(arrayOf(dtype, [11], (i) => orderElement(rank, i)))]);
  await record(gathers);

  // send to the next rank, receive from the previous one: the even ranks send first, the odd ones receive first
  const right = (rank + 1) % size, left = (rank + size - 1) % size;
  for (const [dtype, shape] of [...DTYPES.map((d) => [d, [2, 3]] as const), ["float32", [0, 2]] as const]) {
    const x = input("small", dtype, shape);
    const sent = mx.distributed.send(x, right);
    const got = dtype === "int32" ? mx.distributed.recv(shape, mx.int32, left) : mx.distributed.recvLike(x, left);
    for (const a of rank % 2 === 0 ? [sent, got] : [got, sent]) await mx.eval(a);
    out[`send|${dtype}|${shape.join("x")}`] = hex(await sent.data());
    out[`recv|${dtype}|${shape.join("x")}`] = hex(await got.data());
  }

  // every rank sends and receives 4 MiB in one eval, named in either order: eval runs the send first
  const outgoing = mx.full([1 << 20], rank + 1, mx.float32);
  const oneEval = async (receiveFirst: boolean) => {
    const sent = mx.distributed.send(outgoing, right), got = mx.distributed.recvLike(outgoing, left);
    await mx.eval(...(receiveFirst ? [got, sent] : [sent, got]));
    return [await mx.min(got).item(), await mx.max(got).item()];
  };
  out.oneEval = [await oneEval(false), await oneEval(true)];

  // the peers send and recv refuse
  out.peerErrors = [() => mx.distributed.send(mx.ones([2]), rank), () => mx.distributed.send(mx.ones([2]), size), () => mx.distributed.recv([2], mx.float32, -1)].map((f) => {
    try {
      f();
      return "no error";
    } catch (e) {
      return messageOf(e);
    }
  });

  // the evaluation paths: mx.eval then a synchronous read, an asynchronous read, a synchronous evaluation
  const x = mx.add(mx.arange(4, mx.int32), rank);
  const evaluated = mx.distributed.allSum(x);
  await mx.eval(evaluated);
  out.paths = { eval: Array.from(evaluated.dataSync() as Int32Array), tolist: await mx.distributed.allSum(x).tolist(), dataSync: Array.from(mx.distributed.allSum(x).dataSync() as Int32Array) };

  // the transforms, with MLX's rules
  const ones = mx.ones([3]);
  const gradSum = mx.grad((v: mx.MxArray) => mx.sum(mx.multiply(mx.distributed.allSum(v), rank + 1)))(ones);
  const gradGather = mx.grad((v: mx.MxArray) => mx.take(mx.distributed.allGather(v), 0))(mx.array(1, mx.float32));
  const [, [tangent]] = mx.jvp((v: mx.MxArray) => mx.distributed.allSum(v), [ones], [mx.full([3], rank + 1, mx.float32)]);
  const batch = mx.add(mx.reshape(mx.arange(6, mx.float32), [2, 3]), 10 * rank);
  const vmapSum = mx.vmap((v: mx.MxArray) => mx.distributed.allSum(v))(batch);
  const vmapGather = mx.vmap((v: mx.MxArray) => mx.distributed.allGather(v))(batch);
  const vmapGatherAxis1 = mx.vmap((v: mx.MxArray) => mx.distributed.allGather(v), { inAxes: 1 })(mx.transpose(batch));
  const vmapGatherScalars = mx.vmap((v: mx.MxArray) => mx.distributed.allGather(v))(mx.add(mx.arange(2, mx.float32), 10 * rank));
  out.transforms = {
    gradSum: await gradSum.tolist(),
    gradGather: await gradGather.tolist(),
    jvp: await tangent!.tolist(),
    vmapSum: await vmapSum.tolist(),
    vmapGather: await vmapGather.tolist(),
    vmapGatherAxis1: await vmapGatherAxis1.tolist(),
    vmapGatherScalars: await vmapGatherScalars.tolist(),
  };
  for (const [name, f] of [["vjpSumScatter", () => mx.grad((v: mx.MxArray) => mx.sum(mx.distributed.sumScatter(v)))(mx.ones([size]))], ["vjpSend", () => mx.grad((v: mx.MxArray) => mx.sum(mx.distributed.send(v, right)))(mx.ones([2]))]] as const) {
    try {
      f();
      out[name] = "no error";
    } catch (e) {
      out[name] = messageOf(e);
    }
  }

  // split: even and odd ranks; then one group with the ranks in reverse order
  const parity = world.split(rank % 2);
  const reversed = world.split(0, size - rank);
  out.split = {
    parity: [parity.rank(), parity.size(), await mx.distributed.allSum(mx.array(rank + 1, mx.int32), { group: parity }).item()],
    reversed: [reversed.rank(), reversed.size(), await mx.distributed.allGather(mx.array(rank, mx.int32), { group: reversed }).tolist()],
  };

  // an intermediate eval would release once its users ran: a communication keeps its buffer, so reading it later communicates nothing
  const summed = mx.distributed.allSum(mx.ones([2]));
  await mx.eval(mx.multiply(summed, 2));
  try {
    out.recompute = await summed.tolist();
  } catch (e) {
    out.recompute = messageOf(e);
  }

  // last (the group cannot communicate afterwards): rank 1 sums an array of another shape
  try {
    await mx.distributed.allSum(mx.ones([rank === 1 ? 3 : 2])).tolist();
    out.mismatch = "no error";
  } catch (e) {
    out.mismatch = messageOf(e);
  }
}

async function webgpu(): Promise<void> {
  const x = mx.add(mx.array([1, 2, 3], mx.float32, { stream: mx.webgpu }), rank);
  const s = mx.distributed.allSum(x);
  out.device = String(x.stream.device);
  out.resultDevice = String(s.stream.device);
  try {
    s.dataSync();
    out.sync = "no error";
  } catch (e) {
    out.sync = messageOf(e);
  }
  out.sum = await s.tolist();
  try {
    mx.distributed.allSum(x, { stream: mx.webgpu });
    out.onWebgpu = "no error";
  } catch (e) {
    out.onWebgpu = messageOf(e);
  }
  // two evals in flight: the first one's sum waits for a webgpu read on rank 0 only, the second one's
  // could run at once; each process must still sum the first before the second
  const first = mx.distributed.allSum(rank === 0 ? mx.add(mx.array([10, 20], mx.float32, { stream: mx.webgpu }), 0) : mx.array([10, 20], mx.float32));
  const second = mx.distributed.allSum(mx.array([1, 2], mx.float32));
  const pending = [mx.asyncEval(first), mx.asyncEval(second)];
  // a synchronous read cannot wait for the first sum: refused on rank 0, where that one has yet to run
  const third = mx.distributed.allSum(mx.array([5], mx.float32));
  try {
    out.syncWhilePending = rank === 0 ? [...third.dataSync()] : "not tried";
  } catch (e) {
    out.syncWhilePending = messageOf(e);
  }
  await Promise.all(pending);
  out.inOrder = [await first.tolist(), await second.tolist(), await third.tolist()];
  // the transforms' communications with webgpu tangents and batches: on the cpu, read back from webgpu
  const gpu = { stream: mx.webgpu };
  const [, [tangent]] = mx.jvp((v: mx.MxArray) => mx.distributed.allSum(v), [mx.ones([2], mx.float32, gpu)], [mx.full([2], rank + 1, mx.float32, gpu)]);
  const batched = mx.vmap((v: mx.MxArray) => mx.distributed.allGather(v))(mx.add(mx.reshape(mx.arange(4, mx.float32, gpu), [2, 2], gpu), 10 * rank, gpu));
  out.transforms = { jvp: await tangent!.tolist(), jvpDevice: String(tangent!.stream.device), vmapGather: await batched.tolist() };
  // an eval that fails before its allSum (an output disposed while it waits for webgpu), and a later eval
  // reading that sum: it fails too (run then, the sum's place among the communications would depend on
  // when the failure came) instead of waiting forever behind its own allSum; the next communications run
  const w = mx.add(mx.array([1, 2], mx.float32, gpu), 0, gpu);
  const lost = mx.add(w, 1, gpu);
  const sumOfFailed = mx.distributed.allSum(mx.array([rank + 1, 10], mx.float32));
  const failing = mx.asyncEval(sumOfFailed, lost);
  lost.dispose();
  const reader = mx.asyncEval(mx.distributed.allSum(mx.array([100, 200], mx.float32)), mx.add(sumOfFailed, 1));
  const settled = (p: Promise<void>) => Promise.race([p.then(() => "no error", messageOf), new Promise<string>((resolve) => setTimeout(() => resolve("hung"), 20_000).unref())]);
  out.afterFailure = { failed: await settled(failing), reader: await settled(reader), next: await mx.distributed.allSum(mx.array([1], mx.float32)).tolist() };
}

async function failing(): Promise<void> {
  const start = Date.now();
  if (rank === 1) {
    if (mode === "exit-early") process.exit(0);
    // "hang": alive, but never takes part (the others time out)
    await new Promise((resolve) => setTimeout(resolve, 120_000));
  }
  try {
    await mx.distributed.allSum(mx.ones([4])).tolist();
    out.error = "no error";
  } catch (e) {
    out.error = messageOf(e);
    // (a failed rank exits with an error, so that the launcher stops a rank that hangs)
    process.exitCode = 1;
  }
  out.seconds = (Date.now() - start) / 1000;
}

/** Runs `f`, recording what it gave (or its error) under `name`, and the seconds since `start` under `name`Seconds. */
async function outcome(name: string, start: number, f: () => Promise<unknown>): Promise<void> {
  try {
    await f();
    out[name] = "ok";
  } catch (e) {
    out[name] = messageOf(e);
    process.exitCode = 1;
  }
  out[`${name}Seconds`] = (Date.now() - start) / 1000;
}

// "peer-dies": rank 1 is killed (SIGKILL) 2 s after init, having received nothing; rank 0 sends it 64 MiB, then sums with it
async function peerDies(): Promise<void> {
  if (rank === 1) {
    setTimeout(() => process.kill(process.pid, "SIGKILL"), 2000);
    await new Promise((resolve) => setTimeout(resolve, 60_000));
  }
  const start = Date.now();
  const message = mx.zeros([16 << 20], mx.float32);
  await mx.eval(message);
  await outcome("send", start, () => mx.eval(mx.distributed.send(message, 1)));
  await outcome("next", start, () => mx.distributed.allSum(mx.ones([4])).tolist());
}

// "backpressure" (run with a small MLX_TS_RING_BUFFER_MB): rank 0 sends 32 MiB to rank 1, which receives it 2 s later;
// then an allSum of 8 MiB; last, each rank sends 32 MiB to the other before it receives (each send waits for the other's receive)
async function backpressure(): Promise<void> {
  const big = (value: number) => mx.full([8 << 20], value, mx.float32);
  if (rank === 0) {
    const message = big(7);
    await mx.eval(message);
    const start = Date.now();
    await mx.eval(mx.distributed.send(message, 1));
    out.sendSeconds = (Date.now() - start) / 1000;
  } else {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const got = mx.distributed.recv([8 << 20], mx.float32, 0);
    out.received = [await mx.min(got).item(), await mx.max(got).item()];
  }
  const summed = mx.distributed.allSum(mx.full([2 << 20], rank + 1, mx.float32));
  out.sum = [await mx.min(summed).item(), await mx.max(summed).item()];
  const mine = big(rank);
  await mx.eval(mine);
  await outcome("sendsFirst", Date.now(), () => mx.eval(mx.distributed.send(mine, 1 - rank), mx.distributed.recvLike(mine, 1 - rank)));
}

if (mode === "ops") await ops();
else if (mode === "webgpu") await webgpu();
else if (mode === "peer-dies") await peerDies();
else if (mode === "backpressure") await backpressure();
else await failing();
console.log(JSON.stringify(out));
