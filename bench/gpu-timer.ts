// Device time of the webgpu backend's work: timestamps around every compute
// pass its queue encodes (timestamp-query), summed or spanned, so a benchmark
// can report what the GPU spent beside the wall clock (which also holds the
// host's encoding, the submit, the wait's wake-up and a shared host's noise).

import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import type { PassTimer } from "../backends/webgpu/queue.js";
import { median, timeMs } from "./harness.js";
import type { CopyDeviceTimer } from "./webgpu-copy.js";

/** Pairs of timestamps (passes) between two submits, at most. */
const CAPACITY = 1024;

export class GpuTimer implements PassTimer {
  private readonly querySet: GPUQuerySet;
  private used = 0;
  private readonly pending: { resolved: GPUBuffer; mapped: GPUBuffer; passes: number }[] = [];

  private constructor(private readonly device: GPUDevice) {
    this.querySet = device.createQuerySet({ type: "timestamp", count: 2 * CAPACITY });
  }

  /** A timer attached to the backend's queue, or undefined where the device has no timestamp-query. */
  static attach(gpu: WebGpuBackend): GpuTimer | undefined {
    if (!gpu.ctx.features.has("timestamp-query")) return undefined;
    const timer = new GpuTimer(gpu.ctx.device);
    gpu.queue.passTimer = timer;
    return timer;
  }

  writes(): GPUComputePassTimestampWrites {
    if (this.used === CAPACITY) throw new Error(`GpuTimer: more than ${CAPACITY} compute passes in one submit`);
    const i = this.used++;
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  resolve(encoder: GPUCommandEncoder): void {
    if (this.used === 0) return;
    const bytes = 16 * this.used;
    const resolved = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const mapped = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder.resolveQuerySet(this.querySet, 0, 2 * this.used, resolved, 0);
    encoder.copyBufferToBuffer(resolved, 0, mapped, 0, bytes);
    this.pending.push({ resolved, mapped, passes: this.used });
    this.used = 0;
  }

  /**
   * Milliseconds on the device of the passes resolved since the last call
   * (their submits must have completed): "sum", the passes' own times;
   * "span", from the first pass's start to the last one's end, gaps
   * included (what CUDA events around the same work measure).
   */
  async takeMs(measure: "sum" | "span" = "sum"): Promise<number> {
    let ns = 0n;
    let first: bigint | undefined, last: bigint | undefined;
    for (const { resolved, mapped, passes } of this.pending.splice(0)) {
      await mapped.mapAsync(GPUMapMode.READ);
      const t = new BigUint64Array(mapped.getMappedRange());
      for (let i = 0; i < passes; i++) {
        const begin = t[2 * i]!, end = t[2 * i + 1]!;
        if (end <= begin) continue;
        ns += end - begin;
        if (first === undefined || begin < first) first = begin;
        if (last === undefined || end > last) last = end;
      }
      mapped.unmap();
      mapped.destroy();
      resolved.destroy();
    }
    if (measure === "span") ns = first === undefined ? 0n : last! - first;
    return Number(ns) / 1e6;
  }

  /** Gives the query set and any unread timestamps back to the device. */
  destroy(): void {
    for (const { resolved, mapped } of this.pending.splice(0)) {
      resolved.destroy();
      mapped.destroy();
    }
    this.querySet.destroy();
  }
}

/**
 * Median device milliseconds of `fn` (the time of the compute passes it
 * encodes, or their span: GpuTimer.takeMs) over `runs` runs, with a timer
 * attached to the backend's queue only meanwhile (wall-clock timings stay
 * free of its reads); undefined where the device has no timestamp-query.
 */
export async function deviceMs(gpu: WebGpuBackend, fn: () => Promise<unknown>, runs = 5, measure: "sum" | "span" = "sum"): Promise<number | undefined> {
  const timer = GpuTimer.attach(gpu);
  if (!timer) return undefined;
  try {
    const t: number[] = [];
    for (let i = 0; i < runs; i++) {
      await fn();
      t.push(await timer.takeMs(measure));
    }
    return median(t);
  } finally {
    gpu.queue.passTimer = null;
    timer.destroy();
  }
}

/**
 * `runs` runs of `fn`, each timed on the device (its passes' time, as
 * deviceMs) right after one submit of the copy kernel is (`copy`): the pairs
 * run at the same clock. A GPU's driver may lower its clock between bursts
 * of work (on the H100 of the thirty-eighth session the SM clock moved
 * between 345 and 1980 MHz within a benchmark, idle its reason, and a
 * float32 sum ran at 58% or 90% of a copy timed earlier), so a row is held
 * against the copy of its own moment. Undefined without timestamp-query.
 */
export async function pairedDeviceRuns(gpu: WebGpuBackend, fn: () => Promise<unknown>, copy: CopyDeviceTimer, runs = 5): Promise<{ ms: number; copyGBs: number }[] | undefined> {
  const timer = GpuTimer.attach(gpu);
  if (!timer) return undefined;
  try {
    const pairs: { ms: number; copyGBs: number }[] = [];
    for (let i = 0; i < runs; i++) {
      const copyGBs = await copy.gbps();
      await fn();
      pairs.push({ ms: await timer.takeMs(), copyGBs });
    }
    return pairs;
  } finally {
    gpu.queue.passTimer = null;
    timer.destroy();
  }
}

/**
 * A row's bandwidth as a share of the copy kernel's: `bytes` moved per op,
 * `ops` ops per run of `run`; by the wall clock (median of runs after
 * `warmupMs`) against the copy's wall-clock GB/s, and where timestamps exist
 * by the device time of the row's kernels alone against the copy's device
 * time in the same pairs (pairedDeviceRuns: the median of the pairs'
 * shares). Returns the wall-clock GB/s and the label suffix.
 */
export async function shareOfCopy(gpu: WebGpuBackend, run: () => Promise<unknown>, ops: number, bytes: number, copy: { wall: number; device: CopyDeviceTimer | undefined }, warmupMs: number): Promise<{ gbps: number; label: string }> {
  const wall = (await timeMs(run, 7, 2, warmupMs)) / ops;
  const pairs = copy.device === undefined ? undefined : await pairedDeviceRuns(gpu, run, copy.device);
  const percent = (share: number) => `${(100 * share).toFixed(0)}%`;
  // pairs with no rate (coinciding timestamps) left out
  const shares = (pairs ?? []).map((p) => (bytes * ops) / (p.ms / 1000) / 1e9 / p.copyGBs).filter(Number.isFinite);
  const alone = shares.length ? `; kernels alone ${percent(median(shares))}` : "";
  const gbps = bytes / (wall / 1000) / 1e9;
  return { gbps, label: `${percent(gbps / copy.wall)} of copy${alone}` };
}
