// Which copy kernel the card needs: plain WGSL copies that differ in words per
// invocation, vec4 words, loads issued before stores, and a grid-stride loop,
// beside Dawn's copyBufferToBuffer, each over the same buffers in one run.
// Run: npx tsx bench/webgpu-copy-variants.ts [--small]

import { getBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import * as mx from "../index.js";
import { machine, timeMs } from "./harness.js";
import { timeCopyKernel } from "./webgpu-copy.js";

const small = process.argv.includes("--small");
const N = small ? 1 << 20 : 1 << 26; // float32 words
const REPS = 10;
const WARMUP_MS = small ? 0 : 1000;

interface Variant {
  name: string;
  /** WGSL of `main` over `s` (source) and `d` (destination), whose element type is `elem`. */
  body: string;
  elem: "u32" | "vec4<u32>";
  /** Workgroups for n words. */
  groups: (n: number) => number;
}

/** `k` elements per invocation, `256` apart; `loadsFirst` reads all k before storing any. */
function blocked(k: number, elem: Variant["elem"], loadsFirst: boolean): Variant {
  const per = elem === "u32" ? 1 : 4;
  const loads = Array.from({ length: k }, (_, j) => `let i${j} = first + ${j * 256}u; var v${j} = ${elem}(); if (i${j} < m) { v${j} = s[i${j}]; }`).join("\n  ");
  const stores = Array.from({ length: k }, (_, j) => `if (i${j} < m) { d[i${j}] = v${j}; }`).join("\n  ");
  const serial = `for (var j = 0u; j < ${k}u; j++) { let i = first + j * 256u; if (i < m) { d[i] = s[i]; } }`;
  return {
    name: `${k} ${elem === "u32" ? "words" : "vec4 words"} per invocation, 256 apart${loadsFirst ? ", loads first" : ""}`,
    elem,
    body: `let m = arrayLength(&s);
  let first = (w.x + w.y * nw.x) * ${256 * k}u + l;
  ${loadsFirst ? `${loads}\n  ${stores}` : serial}`,
    groups: (n) => Math.ceil(n / per / (256 * k)),
  };
}

/** A fixed grid of `groups` workgroups striding over the buffer, `unroll` vec4 loads in flight per step. */
function gridStride(groups: number, unroll: number): Variant {
  const loads = Array.from({ length: unroll }, (_, j) => `let i${j} = i + ${j}u * stride; var v${j} = vec4<u32>(); if (i${j} < m) { v${j} = s[i${j}]; }`).join("\n    ");
  const stores = Array.from({ length: unroll }, (_, j) => `if (i${j} < m) { d[i${j}] = v${j}; }`).join("\n    ");
  return {
    name: `grid-stride, ${groups} workgroups, ${unroll} vec4 loads per step`,
    elem: "vec4<u32>",
    body: `let m = arrayLength(&s);
  let stride = nw.x * nw.y * 256u;
  for (var i = (w.x + w.y * nw.x) * 256u + l; i < m; i += ${unroll}u * stride) {
    ${loads}
    ${stores}
  }`,
    groups: () => groups,
  };
}

const VARIANTS: Variant[] = [
  blocked(4, "u32", false),
  blocked(4, "u32", true),
  blocked(8, "u32", true),
  blocked(1, "vec4<u32>", false),
  blocked(2, "vec4<u32>", true),
  blocked(4, "vec4<u32>", true),
  gridStride(132 * 8, 2),
  gridStride(132 * 16, 4),
];

const gpu = getBackend("webgpu") as WebGpuBackend;
const device = gpu.ctx.device;
const src = device.createBuffer({ size: N * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
const dsts = Array.from({ length: REPS }, () => device.createBuffer({ size: N * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST }));
const gbps = (ms: number) => (REPS * 2 * N * 4) / (ms / 1000) / 1e9;

async function timeVariant(v: Variant): Promise<number> {
  const code = `@group(0) @binding(0) var<storage, read> s: array<${v.elem}>;
@group(0) @binding(1) var<storage, read_write> d: array<${v.elem}>;
@compute @workgroup_size(256) fn main(@builtin(workgroup_id) w: vec3u, @builtin(num_workgroups) nw: vec3u, @builtin(local_invocation_index) l: u32) {
  ${v.body}
}`;
  const pipeline = device.createComputePipeline({ layout: "auto", compute: { module: device.createShaderModule({ code }), entryPoint: "main" } });
  return timeCopyKernel(device, pipeline, src, dsts, v.groups(N), WARMUP_MS);
}

/** The same bytes through copyBufferToBuffer (the driver's own copy). */
async function timeBufferCopy(): Promise<number> {
  return timeMs(async () => {
    const enc = device.createCommandEncoder();
    for (const dst of dsts) enc.copyBufferToBuffer(src, 0, dst, 0, N * 4);
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
  }, 7, 3, WARMUP_MS);
}

// a check that each variant copies: fill the source, copy once, compare a sample
async function checkCopies(v: Variant): Promise<boolean> {
  const words = new Uint32Array(N).map((_, i) => (i * 2654435761) >>> 0);
  device.queue.writeBuffer(src, 0, words);
  await timeVariant({ ...v }); // writes every destination
  const read = device.createBuffer({ size: N * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(dsts[0]!, 0, read, 0, N * 4);
  device.queue.submit([enc.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const got = new Uint32Array(read.getMappedRange());
  const ok = got.every((w, i) => w === words[i]);
  read.unmap();
  read.destroy();
  return ok;
}

console.log(`\nWGSL copy variants, ${N} float32 words (${(N * 4) / 2 ** 20} MiB) per copy, ${REPS} copies per device wait`);
console.log(`adapter: ${gpu.ctx.description}\nmachine: ${machine()}\n`);
console.log("| copy | GB/s | copies correctly |\n|---|---|---|");
console.log(`| copyBufferToBuffer | ${gbps(await timeBufferCopy()).toFixed(0)} | - |`);
for (const v of VARIANTS) {
  const ok = await checkCopies(v);
  console.log(`| ${v.name} | ${gbps(await timeVariant(v)).toFixed(0)} | ${ok ? "yes" : "NO"} |`);
}
mx.clearCache();
