// What one dispatch costs the host in Dawn's Node binding: setPipeline,
// setBindGroup (one dynamic offset, as every kernel of the backend binds its
// params), dispatchWorkgroups and createBindGroup, each timed alone while
// encoding (nothing submitted), and what closing a batch costs: finish,
// the params write, submit, onSubmittedWorkDone and the wait for it.
// Run: npx tsx bench/webgpu-dawn-calls.ts

import { getBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import * as mx from "../index.js";
import { machine, median } from "./harness.js";

const CALLS = 20000;
mx.array([0], undefined, { stream: mx.webgpu });
const gpu = getBackend("webgpu") as WebGpuBackend;
const device = gpu.ctx.device;
const layout = device.createBindGroupLayout({
  entries: [
    { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: "storage" } },
    { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: "read-only-storage", hasDynamicOffset: true } },
  ],
});
const code = `@group(0) @binding(0) var<storage, read_write> o: array<u32>;
@group(0) @binding(1) var<storage, read> p: array<u32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3<u32>) { if (g.x < arrayLength(&o)) { o[g.x] = p[0]; } }`;
const module = device.createShaderModule({ code });
const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
const pipelines = [0, 1].map(() => device.createComputePipeline({ layout: pipelineLayout, compute: { module, entryPoint: "main" } }));
const out = device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE });
const params = device.createBuffer({ size: 4096, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
const entries = [
  { binding: 0, resource: { buffer: out } },
  { binding: 1, resource: { buffer: params, offset: 0, size: 256 } },
];
const bindGroup = device.createBindGroup({ layout, entries });
const offsets = [0];

/** Microseconds per call of `call`, encoded CALLS times into one open pass (the last of three rounds). */
function perCall(call: (pass: GPUComputePassEncoder, i: number) => void): number {
  let us = 0;
  for (let round = 0; round < 3; round++) {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipelines[0]!);
    pass.setBindGroup(0, bindGroup, offsets);
    const t = performance.now();
    for (let i = 0; i < CALLS; i++) call(pass, i);
    us = ((performance.now() - t) * 1000) / CALLS;
    pass.end();
    encoder.finish();
  }
  return us;
}

const rows: [string, number][] = [
  ["setPipeline (two pipelines in turn)", perCall((p, i) => p.setPipeline(pipelines[i & 1]!))],
  ["setBindGroup with one dynamic offset", perCall((p, i) => ((offsets[0] = (i & 7) * 256), p.setBindGroup(0, bindGroup, offsets)))],
  ["dispatchWorkgroups(x)", perCall((p) => p.dispatchWorkgroups(1))],
  ["dispatchWorkgroups(x, y)", perCall((p) => p.dispatchWorkgroups(1, 1))],
  ["the three calls of one dispatch", perCall((p, i) => (p.setPipeline(pipelines[i & 1]!), (offsets[0] = (i & 7) * 256), p.setBindGroup(0, bindGroup, offsets), p.dispatchWorkgroups(1)))],
  ["createBindGroup (a new one per dispatch)", perCall(() => device.createBindGroup({ layout, entries }))],
];
console.log(`\nDawn's Node binding: host time per call while encoding (${gpu.ctx.description})\nmachine: ${machine()}\n`);
console.log("| call | us per call |\n|---|---|");
for (const [name, us] of rows) console.log(`| ${name} | ${us.toFixed(2)} |`);

/** Microseconds of each step that closes a batch of `dispatches` dispatches (medians over ROUNDS batches, each waited for before the next). */
async function batchCost(dispatches: number): Promise<Record<string, number>> {
  const ROUNDS = 200;
  const steps: Record<string, number[]> = { "pass.end + encoder.finish": [], "queue.writeBuffer (1 KiB of params)": [], "queue.submit": [], "queue.onSubmittedWorkDone()": [], "its promise settles after": [] };
  const words = new Uint32Array(256);
  for (let r = 0; r < ROUNDS; r++) {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipelines[0]!);
    for (let i = 0; i < dispatches; i++) {
      offsets[0] = (i & 7) * 256;
      pass.setBindGroup(0, bindGroup, offsets);
      pass.dispatchWorkgroups(1);
    }
    let t = performance.now();
    const lap = (name: string) => {
      const now = performance.now();
      steps[name]!.push((now - t) * 1000);
      t = now;
    };
    pass.end();
    const commands = encoder.finish();
    lap("pass.end + encoder.finish");
    device.queue.writeBuffer(params, 0, words);
    lap("queue.writeBuffer (1 KiB of params)");
    device.queue.submit([commands]);
    lap("queue.submit");
    const done = device.queue.onSubmittedWorkDone();
    lap("queue.onSubmittedWorkDone()");
    const keep = setInterval(() => {}, 50);
    await done;
    clearInterval(keep);
    lap("its promise settles after");
  }
  return Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, median(v)]));
}

const batches = [1, 10, 100];
const costs = [];
for (const n of batches) costs.push(await batchCost(n));
console.log(`\nClosing a batch of 1 / 10 / 100 trivial dispatches: us per step (medians)\n`);
console.log("| step | " + batches.map((n) => `${n}`).join(" | ") + " |\n|---|" + batches.map(() => "---|").join(""));
for (const step of Object.keys(costs[0]!)) console.log(`| ${step} | ${costs.map((c) => c[step]!.toFixed(1)).join(" | ")} |`);
process.exit(0);
