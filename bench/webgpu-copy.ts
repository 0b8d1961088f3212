// The bandwidth ceiling the webgpu benchmarks hold the backend against: a
// plain WGSL copy kernel on the same Dawn device, timed as the library rows
// are (several copies per device wait).

import { median, timeMs } from "./harness.js";

const EIGHT = [0, 1, 2, 3, 4, 5, 6, 7];

/**
 * GB/s of a plain copy kernel over `n` floats (read + write counted), reps
 * copies into distinct destinations per device wait, as the library rows run:
 * each invocation loads eight words 256 apart, then stores them, the fastest
 * of bench/webgpu-copy-variants.ts on the H200 (3882 GB/s, 93% of torch's
 * copy_ in the same session; four words stored as loaded, this kernel until
 * 2026-11-30, moved 2496).
 */
export async function copyBandwidth(device: GPUDevice, n: number, reps: number, warmupMs: number): Promise<number> {
  const { src, dsts, pipeline } = copySetup(device, n, reps);
  const ms = await timeCopyKernel(device, pipeline, src, dsts, Math.ceil(n / 2048), warmupMs);
  src.destroy();
  for (const d of dsts) d.destroy();
  return (reps * 2 * n * 4) / (ms / 1000) / 1e9;
}

/** The copy kernel timed on the device, one submit at a time (the pairs of bench/gpu-timer.ts's shares). */
export interface CopyDeviceTimer {
  /** GB/s of one submit of `reps` copies by the device time of its pass (timestamps at its start and end; NaN where they coincide). */
  gbps(): Promise<number>;
  destroy(): void;
}

/** A CopyDeviceTimer over `n` floats, `reps` copies a submit; undefined where the device has no timestamp-query. */
export function copyDeviceTimer(device: GPUDevice, n: number, reps: number): CopyDeviceTimer | undefined {
  if (!device.features.has("timestamp-query")) return undefined;
  const { src, dsts, pipeline } = copySetup(device, n, reps);
  const querySet = device.createQuerySet({ type: "timestamp", count: 2 });
  const resolved = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const encode = copyEncoder(device, pipeline, src, dsts, Math.ceil(n / 2048));
  return {
    async gbps() {
      const read = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const enc = device.createCommandEncoder();
      encode(enc, { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 });
      enc.resolveQuerySet(querySet, 0, 2, resolved, 0);
      enc.copyBufferToBuffer(resolved, 0, read, 0, 16);
      device.queue.submit([enc.finish()]);
      await read.mapAsync(GPUMapMode.READ);
      const [t0, t1] = new BigUint64Array(read.getMappedRange());
      read.unmap();
      read.destroy();
      const ms = Number(t1! - t0!) / 1e6;
      return ms > 0 ? (reps * 2 * n * 4) / (ms / 1000) / 1e9 : NaN;
    },
    destroy() {
      for (const b of [src, resolved, ...dsts]) b.destroy();
      querySet.destroy();
    },
  };
}

/**
 * GB/s of `timer`'s copy kernel by the device time of its pass (median of
 * `runs` submits, after two warm-up submits), the ceiling printed beside the
 * rows timed that way (bench/gpu-timer.ts); undefined where no submit had a
 * rate.
 */
export async function copyDeviceBandwidth(timer: CopyDeviceTimer, runs = 7): Promise<number | undefined> {
  const gbps: number[] = [];
  // two warm-up submits first (an idle GPU clocks down)
  for (let i = 0; i < runs + 2; i++) {
    const g = await timer.gbps();
    if (i >= 2) gbps.push(g);
  }
  // a submit whose two timestamps coincide (a coarse timer) has no rate
  const measured = gbps.filter(Number.isFinite);
  return measured.length ? median(measured) : undefined;
}

/** The copy kernel's source buffer, `reps` destinations and pipeline over `n` words. */
function copySetup(device: GPUDevice, n: number, reps: number): { src: GPUBuffer; dsts: GPUBuffer[]; pipeline: GPUComputePipeline } {
  const src = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE });
  const dsts = Array.from({ length: reps }, () => device.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE }));
  const module = device.createShaderModule({
    code: `@group(0) @binding(0) var<storage, read> s: array<u32>;
@group(0) @binding(1) var<storage, read_write> d: array<u32>;
@compute @workgroup_size(256) fn main(@builtin(workgroup_id) w: vec3u, @builtin(num_workgroups) nw: vec3u, @builtin(local_invocation_index) l: u32) {
  let m = arrayLength(&s);
  let first = (w.x + w.y * nw.x) * 2048u + l;
  ${EIGHT.map((j) => `let i${j} = first + ${256 * j}u; var v${j} = 0u; if (i${j} < m) { v${j} = s[i${j}]; }`).join("\n  ")}
  ${EIGHT.map((j) => `if (i${j} < m) { d[i${j}] = v${j}; }`).join("\n  ")}
}`,
  });
  return { src, dsts, pipeline: device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "main" } }) };
}

/**
 * Encodes one pass of `pipeline` (bindings: source, destination) over
 * `groups` workgroups into each of `dsts`, with the pass's timestamp writes
 * where given.
 */
function copyEncoder(device: GPUDevice, pipeline: GPUComputePipeline, src: GPUBuffer, dsts: readonly GPUBuffer[], groups: number): (enc: GPUCommandEncoder, timestampWrites?: GPUComputePassTimestampWrites) => void {
  const bgs = dsts.map((dst) => device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: src } }, { binding: 1, resource: { buffer: dst } }] }));
  const x = Math.min(groups, 65535), y = Math.ceil(groups / x);
  return (enc, timestampWrites) => {
    const pass = enc.beginComputePass(timestampWrites ? { timestampWrites } : undefined);
    for (const bg of bgs) {
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bg);
      pass.dispatchWorkgroups(x, y);
    }
    pass.end();
  };
}

/** Median milliseconds of one dispatch of `pipeline` (bindings: source, destination) over `groups` workgroups into each of `dsts`, all in one submit. */
export async function timeCopyKernel(device: GPUDevice, pipeline: GPUComputePipeline, src: GPUBuffer, dsts: readonly GPUBuffer[], groups: number, warmupMs: number): Promise<number> {
  const encode = copyEncoder(device, pipeline, src, dsts, groups);
  return timeMs(async () => {
    const enc = device.createCommandEncoder();
    encode(enc);
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
  }, 7, 3, warmupMs);
}
