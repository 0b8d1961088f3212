// The math library's cost on webgpu (issue 18: exp, sin, tanh at >= 90% of
// add's bandwidth): add (no library call) as the reference row, then exp,
// sin, cos, tanh, log, sigmoid on float32 and exp on float16; GB/s counts
// every input and output byte once. Times are per op, 10 ops per device wait;
// each op's share of add comes from add/op pairs timed side by side; with
// --quotients also divide, floorDivide and remainder, with --complex the
// complex64 ops (inputs x + iy from the same two float32 arrays).
// Run: npx tsx bench/webgpu-math.ts [--small] [--range LO,HI] [--quotients] [--complex]
//   (--small: 1M elements, for lavapipe; --range: the inputs' uniform range, default 0,1 as bench/webgpu-ops.ts)

import * as mx from "../index.js";
import { getBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { machine, median, timeMs } from "./harness.js";

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const small = args.includes("--small");
const N = small ? 1 << 20 : 1 << 26;
const REPS = 10;
const ROUNDS = 5;
const WARMUP_MS = small ? 0 : 1000;
const [LO, HI] = (option("--range") ?? "0,1").split(",").map(Number) as [number, number];
if (!(Number.isFinite(LO) && Number.isFinite(HI) && LO < HI)) throw new Error(`--range wants LO,HI with LO < HI, got '${option("--range")}'`);

const gpu = getBackend("webgpu") as WebGpuBackend;
const o = { stream: mx.webgpu };

interface Case {
  name: string;
  dtype: mx.DType;
  run: (x: mx.MxArray, y: mx.MxArray) => mx.MxArray;
  /** Arrays read and written per op (each of N elements). */
  arrays: number;
}

const unary = (fn: "exp" | "sin" | "cos" | "tanh" | "log" | "sigmoid", dtype = mx.float32): Case => ({ name: `${fn} ${dtype.name}`, dtype, run: (x) => mx[fn](x, o), arrays: 2 });
const ADD: Case = { name: "add float32", dtype: mx.float32, run: (x, y) => mx.add(x, y, o), arrays: 3 };
const binary = (fn: "divide" | "floorDivide" | "remainder" | "multiply", dtype = mx.float32): Case => ({ name: `${fn} ${dtype.name}`, dtype, run: (x, y) => mx[fn](x, y, o), arrays: 3 });
const complexUnary = (fn: "sqrt" | "log" | "exp" | "arctan" | "arcsin" | "abs"): Case => ({ name: `${fn} complex64`, dtype: mx.complex64, run: (x) => mx[fn](x, o), arrays: fn === "abs" ? 1.5 : 2 });
const CASES: Case[] = [unary("exp"), unary("sin"), unary("cos"), unary("tanh"), unary("log"), unary("sigmoid"), unary("exp", mx.float16)];
if (args.includes("--quotients")) CASES.push(binary("divide"), binary("floorDivide"), binary("remainder"), binary("floorDivide", mx.float16));
if (args.includes("--complex")) CASES.push(binary("multiply", mx.complex64), binary("divide", mx.complex64), ...(["abs", "sqrt", "log", "exp", "arctan", "arcsin"] as const).map(complexUnary));

/** Milliseconds per op of `c` (the median of 5 runs of REPS ops after `warmupMs` of warm-up). */
async function msPerOp(c: Case, inputs: Map<mx.DType, [mx.MxArray, mx.MxArray]>, warmupMs: number): Promise<number> {
  const [x, y] = inputs.get(c.dtype)!;
  return (await timeMs(async () => {
    const rs = Array.from({ length: REPS }, () => c.run(x, y));
    await mx.eval(rs);
    for (const r of rs) r.dispose();
  }, 5, 1, warmupMs)) / REPS;
}

const gbps = (c: Case, ms: number) => (c.arrays * N * c.dtype.size) / (ms / 1000) / 1e9;

/**
 * GB/s of `c` and of add, and their ratio: ROUNDS alternating pairs (add,
 * then c), the ratio taken within each pair and its median reported, so a
 * shared host's drifting load moves both sides of a ratio together.
 */
async function paired(c: Case, inputs: Map<mx.DType, [mx.MxArray, mx.MxArray]>): Promise<{ gbps: number; addGBps: number; ratio: number }> {
  const [x, y] = inputs.get(c.dtype)!;
  await mx.eval(c.run(x, y)); // compiles the pipeline outside the timing
  const ops: number[] = [], adds: number[] = [], ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const add = gbps(ADD, await msPerOp(ADD, inputs, round === 0 ? WARMUP_MS : 0));
    const op = gbps(c, await msPerOp(c, inputs, round === 0 ? WARMUP_MS : 0));
    adds.push(add);
    ops.push(op);
    ratios.push(op / add);
  }
  return { gbps: median(ops), addGBps: median(adds), ratio: median(ratios) };
}

const x32 = mx.random.uniform(LO, HI, [N], { key: mx.random.key(18), stream: mx.webgpu });
const y32 = mx.random.uniform(LO, HI, [N], { key: mx.random.key(19), stream: mx.webgpu });
const inputs = new Map<mx.DType, [mx.MxArray, mx.MxArray]>([
  [mx.float32, [x32, y32]],
  [mx.float16, [x32.astype(mx.float16, o), y32.astype(mx.float16, o)]],
]);
if (args.includes("--complex")) {
  const i = mx.array([{ re: 0, im: 1 }], mx.complex64, o);
  const z = (re: mx.MxArray, im: mx.MxArray) => mx.add(re.astype(mx.complex64, o), mx.multiply(im.astype(mx.complex64, o), i, o), o);
  inputs.set(mx.complex64, [z(x32, y32), z(y32, x32)]);
}
await mx.eval([...inputs.values()].flat());

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
console.log(`\nThe math library on webgpu, ${N / 2 ** 20}M elements uniform in [${LO}, ${HI}), GB/s and % of add's (median of ${ROUNDS} add/op pairs)`);
console.log(`adapter: ${gpu.ctx.description}\nmachine: ${machine()}\n`);
console.log("| op | GB/s | add GB/s beside it | % of add |\n|---|---|---|---|");
for (const c of CASES) {
  const r = await paired(c, inputs);
  console.log(`| ${c.name} | ${fmt(r.gbps)} | ${fmt(r.addGBps)} | ${(100 * r.ratio).toFixed(0)}% |`);
}
mx.clearCache();
